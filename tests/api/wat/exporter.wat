;; Exports a memory and a table for another instance to import (Linker::define_instance).
(module
  (type $i32_to_i32 (func (param i32) (result i32)))
  (memory (export "mem") 1)
  (table $tab (export "tab") 4 funcref)
  (elem (table $tab) (i32.const 3) func $plus_one_hundred)
  (func $plus_one_hundred (type $i32_to_i32) (i32.add (local.get 0) (i32.const 100)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
)
