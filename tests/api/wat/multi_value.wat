;; Multi-value results, from wasm and from a host function.
(module
  (import "host" "split" (func $split (param i32) (result i32 i64 f32)))
  (func (export "rotate3") (param i32 i64 f64) (result f64 i32 i64)
    (local.get 2) (local.get 0) (local.get 1))
  (func (export "call_split") (param i32) (result i32 i64 f32)
    (call $split (local.get 0)))
  ;; Consumes the host's three results on the stack: i32 + i64 + f32, as f64.
  (func (export "sum_split") (param i32) (result f64)
    (local $a i32) (local $b i64) (local $c f32)
    (call $split (local.get 0))
    (local.set $c) (local.set $b) (local.set $a)
    (f64.add
      (f64.add (f64.convert_i32_s (local.get $a)) (f64.convert_i64_s (local.get $b)))
      (f64.promote_f32 (local.get $c))))
)
