;; Writes into a memory and a table it imports, both shared with shared_reader.wat.
(module
  (type $i32_to_i32 (func (param i32) (result i32)))
  (import "env" "mem" (memory 1))
  (import "env" "tab" (table $tab 4 funcref))
  (elem declare func $times_ten)
  (func $times_ten (type $i32_to_i32) (i32.mul (local.get 0) (i32.const 10)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "publish") (param $slot i32) (table.set $tab (local.get $slot) (ref.func $times_ten)))
)
