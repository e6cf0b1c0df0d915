;; A host function with more arguments and results than the interpreter keeps
;; on the native stack for a host call (8): they go to the heap instead.
(module
  (import "host" "pairs" (func $pairs (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
                                      (result i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (func (export "call_pairs") (result i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (call $pairs (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
                 (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10))))
