;; Plain exports for Instance::call argument checks and Module::exports.
(module
  (memory (export "memory") 1)
  (global (export "answer") i32 (i32.const 42))
  (func (export "mix") (param i32 i64 f32 f64) (result f64)
    (f64.add
      (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
      (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))))
  (func (export "nothing"))
)
