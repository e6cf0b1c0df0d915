;; An externref global and a funcref table, for the snapshot tests.
(module
  (table $t (export "table") 2 funcref)
  (global $held (export "held") (mut externref) (ref.null extern))
  (elem declare func $seven)
  (func $seven (result i32) (i32.const 7))
  (func (export "hold") (param externref) (global.set $held (local.get 0)))
  (func (export "publish") (table.set $t (i32.const 1) (ref.func $seven)))
  (func (export "call_1") (result i32) (call_indirect (result i32) (i32.const 1)))
)
