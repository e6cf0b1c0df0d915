;; Wasm callers of host functions that fail.
(module
  (import "host" "fail" (func $fail (param i32)))
  (import "host" "checked_div" (func $checked_div (param i32 i32) (result i32)))
  (global $after_fail (export "after_fail") (mut i32) (i32.const 0))
  (func $calls_failing_host (export "calls_failing_host") (param i32)
    (call $fail (local.get 0))
    ;; Never reached: the host's error traps the caller.
    (global.set $after_fail (i32.const 1)))
  (func (export "divide") (param i32 i32) (result i32)
    (call $checked_div (local.get 0) (local.get 1)))
)
