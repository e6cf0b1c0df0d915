;; The README's first example: `waspvm run --invoke add examples/add.wasm 2 3` prints 5.
;; Rebuild the binary with: wat2wasm examples/add.wat -o examples/add.wasm
(module
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b))))
