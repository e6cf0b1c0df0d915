;; Frames that hold references where a call can stop: function and extern
;; references on the operand stack and in locals across calls, loops, host
;; yields, branches with reference values and a table.grow (per-element
;; charge), for the snapshot and clone tests (snapshot_test.cc).
(module
  (import "host" "wait" (func $wait (param i32) (result i32)))  ;; yields; resume supplies the result
  (type $unary (func (param i32) (result i32)))
  (table $fns 4 funcref)
  (table $scratch 1 100 funcref)
  (table $exts 2 100 externref)
  (elem (table $fns) (i32.const 0) func $f0 $f1 $f2 $f3)
  (memory (export "memory") 1)
  (global $last (mut funcref) (ref.null func))

  (func $f0 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $f1 (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $f2 (param i32) (result i32) (i32.xor (local.get 0) (i32.const 0x55)))
  (func $f3 (param i32) (result i32) (i32.sub (i32.const 1000) (local.get 0)))

  (func $pick (param i32) (result funcref)
    (table.get $fns (i32.and (local.get 0) (i32.const 3))))

  ;; Calls a function reference (through a table slot: no call_ref in wasm 2.0).
  (func $apply (param $f funcref) (param $x i32) (result i32)
    (table.set $scratch (i32.const 0) (local.get $f))
    (call_indirect $scratch (type $unary) (local.get $x) (i32.const 0)))

  ;; Some blocks of work: a loop with a gas stop and a branch on each turn.
  (func $slow (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $turn
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $turn)))
    (local.get $acc))

  ;; Function references on the operand stack while calls run below them,
  ;; through select, a block result reached by br_if and a br_table.
  (func (export "funcs") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $held funcref)
    (loop $turn
      (local.set $held (call $pick (i32.add (local.get $i) (i32.const 1))))
      (local.set $acc
        (i32.add (local.get $acc)
          (call $apply
            (select (result funcref)
              (call $pick (local.get $i))
              (local.get $held)
              (i32.and (call $slow (i32.rem_u (local.get $i) (i32.const 5))) (i32.const 1)))
            (call $slow (i32.add (local.get $i) (i32.const 2))))))
      (local.set $acc
        (i32.add (local.get $acc)
          (call $apply
            (block $got (result funcref)
              (call $pick (i32.add (local.get $i) (i32.const 2)))
              (br_if $got (i32.eqz (i32.and (call $slow (local.get $i)) (i32.const 2))))
              (drop)
              (ref.func $f3))
            (local.get $i))))
      (local.set $acc
        (i32.add (local.get $acc)
          (call $apply
            (block $c (result funcref)
              (block $b (result funcref)
                (block $a (result funcref)
                  (local.get $held)
                  (br_table $a $b $c (i32.rem_u (call $slow (local.get $i)) (i32.const 3))))
                (drop)
                (ref.func $f0))
              (drop)
              (ref.func $f1))
            (call $slow (i32.const 3)))))
      (global.set $last (local.get $held))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $turn (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (call $apply (global.get $last) (i32.const 7))))

  ;; A host yield while a function reference and an externref wait on the
  ;; stack; then a table.grow whose init value is live when it stops.
  (func (export "yields") (param $n i32) (param $e externref) (result i32 externref)
    (local $acc i32)
    (local.set $acc
      (call $apply
        (call $pick (local.get $n))
        (i32.add (call $wait (local.get $n)) (call $slow (local.get $n)))))
    (table.set $exts (i32.const 1)
      (block (result externref)
        (local.get $e)
        (drop (call $wait (i32.const 1)))))
    (drop (table.grow $scratch (call $pick (local.get $acc)) (i32.const 20)))
    (local.set $acc (i32.add (local.get $acc)
      (call $apply (table.get $scratch (i32.const 20)) (call $slow (i32.const 4)))))
    (local.get $acc)
    (table.get $exts (i32.const 1)))
  ;; Branches whose reference value must be copied down to its label's slot
  ;; (over a number below it): br, br_if, a br_table stub, and a loop with a
  ;; reference parameter.
  (type $ref_to_ref (func (param funcref) (result funcref)))
  (func (export "branches") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (ref.func $f0)
    (loop $turn (type $ref_to_ref)
      (local.set $acc (i32.add (local.get $acc)
        (call $apply
          (block $out (result funcref)
            (i32.add (local.get $i) (i32.const 7))
            (call $pick (local.get $i))
            (br_if $out (i32.and (local.get $i) (i32.const 1)))
            (call $pick (i32.add (local.get $i) (i32.const 1)))
            (br_table $out $out (i32.and (local.get $i) (i32.const 2)))
            (drop)
            (drop)
            (call $pick (local.get $acc))
            (br $out))
          (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.const 1)
      (call $pick (local.get $acc))
      (br_if $turn (i32.lt_u (local.get $i) (local.get $n)))
      (drop)
      (drop))
    (call $apply (i32.const 3)))
)

