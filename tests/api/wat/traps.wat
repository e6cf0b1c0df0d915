;; One export per trap the engine can raise; compiled with --debug-names so
;; backtraces can name the functions.
(module
  (type $i32_to_i32 (func (param i32) (result i32)))
  (type $void (func))
  (memory (export "mem") 1)
  (table $tab 4 funcref)
  ;; slot 0: (i32) -> i32, slot 1: () -> (), slots 2 and 3: null.
  (elem (table $tab) (i32.const 0) func $inc $nop)

  (func $inc (type $i32_to_i32) (i32.add (local.get 0) (i32.const 1)))
  (func $nop (type $void))

  (func $inner_unreachable (unreachable))
  (func $middle_unreachable (call $inner_unreachable))
  (func $outer_unreachable (export "unreachable") (call $middle_unreachable))

  (func (export "i32_div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "i32_rem_u") (param i32 i32) (result i32) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "i64_div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
  (func (export "i32_trunc_f32_s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "i64_trunc_f64_u") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))

  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))

  (func $call_slot (export "call_slot") (param $slot i32) (param $arg i32) (result i32)
    (call_indirect $tab (type $i32_to_i32) (local.get $arg) (local.get $slot)))
  (func (export "table_get") (param i32) (result funcref) (table.get $tab (local.get 0)))

  (func $recurse_forever (call $recurse_forever))
  (func (export "recurse_forever") (call $recurse_forever))

  ;; depth(n) = n, by n nested calls.
  (func $depth (export "depth") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
)
