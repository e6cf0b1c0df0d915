;; Exports a function and a memory (byte 0 = 42).
(module
  (memory (export "mem") 1)
  (data (i32.const 0) "\2a")
  (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
