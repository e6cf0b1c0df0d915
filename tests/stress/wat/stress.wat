;; The module of the multi-threaded stress test (tests/stress/stress_test.cc).
;; Every export is deterministic: its result and gas depend only on its
;; arguments, the instance's memory and globals, and the host functions'
;; answers, so any run can be compared with a single-threaded reference.
(module
  (type $step (func (param i64 i32) (result i64)))
  (import "host" "mix" (func $mix (param i64) (result i64)))
  (import "host" "touch" (func $touch (param i32) (result i32)))
  (import "host" "yield" (func $yield (param i32) (result i32)))
  (import "host" "reenter" (func $reenter (param i64 i32) (result i64)))
  (memory (export "memory") 1 16)
  (table 2 funcref)
  (elem (i32.const 0) $step_a $step_b)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (global $spins (export "spins") (mut i64) (i64.const 0))
  (global $seed (export "seed") (mut i64) (i64.const 0))
  (data (i32.const 4096) "waspvm stress!!!")
  (start $init)

  ;; The seed: the two words of the data segment, xored.
  (func $init
    (global.set $seed (i64.xor (i64.load (i32.const 4096)) (i64.load (i32.const 4104)))))

  (func $step_a (type $step) (param $x i64) (param $i i32) (result i64)
    (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.extend_i32_u (local.get $i))))
  (func $step_b (type $step) (param $x i64) (param $i i32) (result i64)
    (i64.xor (i64.rotl (local.get $x) (i64.const 13))
             (i64.add (global.get $seed) (i64.extend_i32_u (local.get $i)))))

  ;; n steps of a hash chain over x: an indirect call per step, a memory
  ;; word (of 256) updated per step, and every 64 steps (i = 0, 64, ...) the
  ;; host functions mix and touch. The memory carries over to later calls.
  (func $work (export "work") (param $x i64) (param $n i32) (result i64)
    (local $i i32) (local $addr i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call_indirect (type $step) (local.get $x) (local.get $i)
                                     (i32.and (local.get $i) (i32.const 1))))
        (local.set $addr (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 3)))
        (i64.store (local.get $addr) (i64.xor (i64.load (local.get $addr)) (local.get $x)))
        (if (i32.eqz (i32.and (local.get $i) (i32.const 63)))
          (then
            (local.set $x (call $mix (local.get $x)))
            (local.set $x (i64.add (local.get $x) (i64.extend_i32_u (call $touch (local.get $addr)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i64.xor (local.get $x) (i64.load (i32.const 0))))

  ;; Asks the host k times (host yields: resume supplies each answer).
  (func (export "yields") (param $k i32) (result i64)
    (local $i i32) (local $acc i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))
                                 (i64.extend_i32_u (call $yield (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc))

  ;; work(x, n) + 1, through the host function reenter, which calls work
  ;; in this instance (a call nested in a host function).
  (func (export "nested") (param $x i64) (param $n i32) (result i64)
    (i64.add (call $reenter (local.get $x) (local.get $n)) (i64.const 1)))

  ;; Never returns: only an interrupt stops it.
  (func (export "spin")
    (loop $l
      (global.set $spins (i64.add (global.get $spins) (i64.const 1)))
      (br $l)))
)
