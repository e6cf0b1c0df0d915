;; Imports a host function and another instance's function and memory; exports
;; a function that calls both.
(module
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (import "lib" "inc" (func $inc (param i32) (result i32)))
  (import "lib" "mem" (memory 1))
  (func (export "run") (param i32) (result i32)
    (call $twice (call $inc (local.get 0))))
  (func (export "peek") (result i32) (i32.load8_u (i32.const 0))))
