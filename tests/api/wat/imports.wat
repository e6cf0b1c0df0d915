;; Imports of every kind, to check linking errors.
(module
  (import "env" "f" (func (param i64) (result i64)))
  (import "env" "mem" (memory 2))
  (import "env" "counter" (global (mut i32)))
  (func (export "get_counter") (result i32) (global.get 0))
)
