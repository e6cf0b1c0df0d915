;; A named memory the host reads and writes, from outside and from a host function.
(module
  (import "host" "reverse" (func $reverse (param i32 i32)))
  (import "host" "sum_first" (func $sum_first (param i32 i32) (result i32)))
  (memory $game_mem (export "game_mem") 1 2)
  (data (memory $game_mem) (i32.const 16) "hello")
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "reverse") (param i32 i32) (call $reverse (local.get 0) (local.get 1)))
  (func (export "sum_first") (param i32 i32) (result i32) (call $sum_first (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
