;; The arena's bots (examples/arena): three strategies in one module, chosen
;; by the argument of `run`. A bot runs forever; each turn it looks at the
;; world (arena.look) and ends the turn with an action (arena.act), which
;; suspends it until the host's next tick. Thinking costs gas: a bot that
;; thinks longer than a tick's budget acts a tick later.
;;
;; arena.look(what) -> i32: 0 my x, 1 my y, 2 target x, 3 target y, 4 my hp, 5 the tick
;; arena.act(action) -> i32: 0..3 move N E S W, 4..7 fire N E S W, 8 wait;
;;                           returns 1 when a shot hit
(module
  (import "arena" "look" (func $look (param i32) (result i32)))
  (import "arena" "act" (func $act (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $seed (mut i32) (i32.const 12345))
  (global $hits (export "hits") (mut i32) (i32.const 0))

  (func $random (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (i32.and (i32.shr_u (global.get $seed) (i32.const 16)) (i32.const 0x7fff)))

  ;; Fire along the row or column the target is on, else step towards it.
  (func $hunt (result i32)
    (local $dx i32) (local $dy i32)
    (local.set $dx (i32.sub (call $look (i32.const 2)) (call $look (i32.const 0))))
    (local.set $dy (i32.sub (call $look (i32.const 3)) (call $look (i32.const 1))))
    (if (i32.eqz (local.get $dx))
      (then (return (select (i32.const 6) (i32.const 4) (i32.gt_s (local.get $dy) (i32.const 0))))))
    (if (i32.eqz (local.get $dy))
      (then (return (select (i32.const 5) (i32.const 7) (i32.gt_s (local.get $dx) (i32.const 0))))))
    (if (result i32) (i32.gt_s (i32.mul (local.get $dx) (local.get $dx)) (i32.mul (local.get $dy) (local.get $dy)))
      (then (select (i32.const 1) (i32.const 3) (i32.gt_s (local.get $dx) (i32.const 0))))
      (else (select (i32.const 2) (i32.const 0) (i32.gt_s (local.get $dy) (i32.const 0))))))

  ;; A deep thinker: a long computation (a sum over a memory table it keeps
  ;; updating) before each move, longer than one tick's budget.
  (func $think (result i32)
    (local $i i32) (local $sum i32)
    (loop $fill
      (i32.store (i32.shl (local.get $i) (i32.const 2))
                 (i32.add (i32.load (i32.shl (local.get $i) (i32.const 2))) (call $random)))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 600))))
    (i32.and (local.get $sum) (i32.const 7)))

  (func (export "run") (param $strategy i32)
    (local $action i32)
    (loop $turn
      (local.set $action
        (if (result i32) (i32.eqz (local.get $strategy))
          (then (call $hunt))
          (else (if (result i32) (i32.eq (local.get $strategy) (i32.const 1))
            (then (call $think))
            (else (i32.rem_u (call $random) (i32.const 9)))))))
      (global.set $hits (i32.add (global.get $hits) (call $act (local.get $action))))
      (br $turn)))
)
