;; Modules for the hardening tests (hardening_test.cc): host functions that
;; throw, interrupts that must not go stale, traps at great depth.
(module
  (import "host" "throw" (func $throw (param i32) (result i32)))
  (import "host" "reenter" (func $reenter (param i32) (result i32)))

  ;; No loop and no call: no safe point, so a pending interrupt cannot stop it.
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))

  ;; Counts to $n in a loop (a safe point per iteration).
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))

  ;; Calls the throwing host function, then adds 1 (never reached if it throws).
  (func $call_throw (export "call_throw") (param i32) (result i32)
    (i32.add (call $throw (local.get 0)) (i32.const 1)))

  ;; Traps at once, before any safe point.
  (func (export "trap_now") (unreachable))

  ;; The host function calls back into `call_throw` (a nested call).
  (func (export "reenter") (param i32) (result i32)
    (call $reenter (local.get 0)))

  ;; Recurses $n deep, then traps (unreachable) at the bottom.
  (func $dive (export "dive") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (unreachable))
      (else (i32.add (call $dive (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))

  ;; Recurses without end: traps when the call depth limit is reached.
  (func $runaway (export "runaway") (param $n i32) (result i32)
    (i32.add (call $runaway (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
)
