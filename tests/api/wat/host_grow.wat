;; After a host function grows the caller's memory, the wasm code that runs
;; next (in the same call, same instance) sees the new size at once.
(module
  (import "host" "grow_one" (func $grow_one))
  (memory 1 3)
  (func (export "store_past_first_page") (param $v i32) (result i32)
    (call $grow_one)
    (i32.store (i32.const 65536) (local.get $v))
    (i32.load (i32.const 65536)))
  (func (export "grow_then_return") (param $v i32) (result i32)
    (call $grow_one)
    (local.get $v))
  ;; The caller of a function that grew memory through the host sees it too.
  (func (export "store_after_callee_grew") (param $v i32) (result i32)
    (drop (call 2 (local.get $v)))
    (i32.store (i32.const 131072) (local.get $v))
    (i32.load (i32.const 131072))))
