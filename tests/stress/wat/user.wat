;; Imports the library instance of lib.wat (a function and an immutable
;; global) and a host function; instances of it run on several threads at
;; once (tests/stress/stress_test.cc).
(module
  (import "lib" "lookup" (func $lookup (param i32) (result i32)))
  (import "lib" "seed" (global $seed i64))
  (import "host" "mix" (func $mix (param i64) (result i64)))
  (memory 1)
  ;; n steps of x = x * K + lookup(i + x) + seed, mixed by the host every 32 steps.
  (func (export "work") (param $x i64) (param $n i32) (result i64)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x
          (i64.add (i64.add (i64.mul (local.get $x) (i64.const 0x5851f42d4c957f2d))
                            (i64.extend_i32_u
                              (call $lookup (i32.add (local.get $i) (i32.wrap_i64 (local.get $x))))))
                   (global.get $seed)))
        (i64.store (i32.shl (i32.and (local.get $i) (i32.const 127)) (i32.const 3)) (local.get $x))
        (if (i32.eqz (i32.and (local.get $i) (i32.const 31)))
          (then (local.set $x (call $mix (local.get $x)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i64.xor (local.get $x) (i64.load (i32.const 64))))
)
