;; A library instance that many instances of user.wat import and call at
;; once from several threads (tests/stress/stress_test.cc): its function
;; only reads its memory, which its start function fills.
(module
  (memory (export "memory") 1)
  (global (export "seed") i64 (i64.const 0x243f6a8885a308d3))
  (start $fill)
  (func $fill
    (local $i i32)
    (loop $l
      (i32.store8 (local.get $i)
                  (i32.and (i32.add (i32.mul (local.get $i) (i32.const 167)) (i32.const 13)) (i32.const 255)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 256)))))
  (func (export "lookup") (param i32) (result i32)
    (i32.load8_u (i32.and (local.get 0) (i32.const 255))))
)
