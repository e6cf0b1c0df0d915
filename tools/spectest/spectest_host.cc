#include "spectest/spectest_host.h"

namespace waspvm::spectest {

void define_spectest_module(Linker& linker, std::ostream* log) {
  const Engine& engine = linker.engine();
  const std::string m = "spectest";
  linker.func(m, "print", [log]() {
    if (log) *log << "spectest.print()\n";
  });
  linker.func(m, "print_i32", [log](int32_t a) {
    if (log) *log << "spectest.print_i32(" << a << ")\n";
  });
  linker.func(m, "print_i64", [log](int64_t a) {
    if (log) *log << "spectest.print_i64(" << a << ")\n";
  });
  linker.func(m, "print_f32", [log](float a) {
    if (log) *log << "spectest.print_f32(" << a << ")\n";
  });
  linker.func(m, "print_f64", [log](double a) {
    if (log) *log << "spectest.print_f64(" << a << ")\n";
  });
  linker.func(m, "print_i32_f32", [log](int32_t a, float b) {
    if (log) *log << "spectest.print_i32_f32(" << a << ", " << b << ")\n";
  });
  linker.func(m, "print_f64_f64", [log](double a, double b) {
    if (log) *log << "spectest.print_f64_f64(" << a << ", " << b << ")\n";
  });

  linker.define(m, "global_i32", Extern::of(Global::create(engine, {ValType::I32, false}, Value::i32(666))));
  linker.define(m, "global_i64", Extern::of(Global::create(engine, {ValType::I64, false}, Value::i64(666))));
  linker.define(m, "global_f32",
                Extern::of(Global::create(engine, {ValType::F32, false}, Value::f32(666.6f))));
  linker.define(m, "global_f64",
                Extern::of(Global::create(engine, {ValType::F64, false}, Value::f64(666.6))));

  TableType table_type{ValType::FuncRef, Limits{10, 20}};
  linker.define(m, "table", Extern::of(Table::create(engine, table_type, Value::null(ValType::FuncRef))));
  linker.define(m, "memory", Extern::of(Memory::create(engine, MemoryType{Limits{1, 2}})));
}

}  // namespace waspvm::spectest
