;; Reads the memory and calls through the table that shared_writer.wat writes.
(module
  (type $i32_to_i32 (func (param i32) (result i32)))
  (import "env" "mem" (memory 1))
  (import "env" "tab" (table 4 funcref))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "call_slot") (param $slot i32) (param $arg i32) (result i32)
    (call_indirect (type $i32_to_i32) (local.get $arg) (local.get $slot)))
)
