// Unit tests of the validator. Modules are built by hand as ModuleDesc values;
// function bodies are raw instruction bytes appended to ModuleDesc::bytes.
#include "validate/validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/code_reader.h"
#include "opcode_bytes.h"

namespace waspvm {
namespace {

using Bytes = std::vector<uint8_t>;
constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64,
                  V128 = ValType::V128, FuncRef = ValType::FuncRef, ExternRef = ValType::ExternRef;

uint8_t code(ValType t) { return static_cast<uint8_t>(t); }

void append_uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

Bytes uleb(uint64_t v) {
  Bytes out;
  append_uleb(out, v);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The bytes of one instruction that pushes a zero of `t`.
Bytes zero_of(ValType t) {
  switch (t) {
    case ValType::I32: return {kI32Const, 0};
    case ValType::I64: return {kI64Const, 0};
    case ValType::F32: return {kF32Const, 0, 0, 0, 0};
    case ValType::F64: return {kF64Const, 0, 0, 0, 0, 0, 0, 0, 0};
    default: return {kRefNull, code(t)};
  }
}

ConstExpr const_expr(Bytes instrs) {
  instrs.push_back(kEnd);
  return ConstExpr{std::move(instrs), 0};
}

// Builds a ModuleDesc the way the decoder would lay it out.
class Builder {
 public:
  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    m.types.push_back(FuncType{std::move(params), std::move(results)});
    return static_cast<uint32_t>(m.types.size() - 1);
  }
  uint32_t import_func(uint32_t type_index) {
    Import imp{"env", "f" + std::to_string(m.num_imported_funcs), ExternKind::Func, type_index, {}, {}, {}};
    m.imports.push_back(imp);
    m.func_types.insert(m.func_types.begin() + m.num_imported_funcs, type_index);
    return m.num_imported_funcs++;
  }
  uint32_t import_global(ValType t, bool mut) {
    Import imp{"env", "g" + std::to_string(m.num_imported_globals), ExternKind::Global, 0, {}, {}, {t, mut}};
    m.imports.push_back(imp);
    m.globals.insert(m.globals.begin() + m.num_imported_globals, GlobalType{t, mut});
    return m.num_imported_globals++;
  }
  // `body` is the instruction sequence including the final `end`.
  uint32_t func(uint32_t type_index, const Bytes& body, std::vector<LocalRun> locals = {}) {
    FuncBody f;
    f.type = type_index;
    for (const LocalRun& run : locals) f.num_locals += run.count;
    f.locals = std::move(locals);
    f.code_begin = static_cast<uint32_t>(m.bytes.size());
    m.bytes.insert(m.bytes.end(), body.begin(), body.end());
    f.code_end = static_cast<uint32_t>(m.bytes.size());
    m.funcs.push_back(std::move(f));
    m.func_types.push_back(type_index);
    return static_cast<uint32_t>(m.func_types.size() - 1);
  }
  // A function of type [] -> [] with this body (an `end` is appended).
  uint32_t void_func(Bytes body) {
    body.push_back(kEnd);
    return func(type({}, {}), body);
  }
  uint32_t global(ValType t, bool mut, Bytes init) {
    m.globals.push_back(GlobalType{t, mut});
    m.global_defs.push_back(GlobalDef{GlobalType{t, mut}, const_expr(std::move(init))});
    return static_cast<uint32_t>(m.globals.size() - 1);
  }
  void memory(uint64_t min, std::optional<uint64_t> max = std::nullopt) {
    m.memories.push_back(MemoryType{Limits{min, max}});
  }
  void table(ValType elem, uint64_t min = 1, std::optional<uint64_t> max = std::nullopt) {
    m.tables.push_back(TableType{elem, Limits{min, max}});
  }
  void elem(SegmentMode mode, ValType type, std::vector<ConstExpr> items, uint32_t table = 0) {
    ElemSegment seg;
    seg.mode = mode;
    seg.type = type;
    seg.table = table;
    if (mode == SegmentMode::Active) seg.offset = const_expr({kI32Const, 0});
    seg.items = std::move(items);
    m.elems.push_back(std::move(seg));
  }
  void data(SegmentMode mode, uint32_t memory = 0) {
    DataSegment seg;
    seg.mode = mode;
    seg.memory = memory;
    if (mode == SegmentMode::Active) seg.offset = const_expr({kI32Const, 0});
    m.datas.push_back(std::move(seg));
  }
  void export_(std::string name, ExternKind kind, uint32_t index) {
    m.exports.push_back(Export{std::move(name), kind, index});
  }

  ModuleDesc m;
};

// Empty string means "valid"; otherwise the error message must start with `expected`.
std::string check(const ModuleDesc& m, const Features& features = {}) {
  auto r = validate_module(m, features);
  return r ? std::string() : r.error().message;
}

#define EXPECT_VALID(m, ...) EXPECT_EQ(check(m, ##__VA_ARGS__), "")
#define EXPECT_INVALID(m, prefix, ...)                                                                \
  do {                                                                                                \
    std::string msg_ = check(m, ##__VA_ARGS__);                                                       \
    EXPECT_TRUE(msg_.rfind(prefix, 0) == 0) << "expected '" << (prefix) << "', got '" << msg_ << "'"; \
  } while (0)

// A void function whose body is `body` (an `end` is appended), alone in a module.
ModuleDesc void_body(Bytes body) {
  Builder b;
  b.memory(1);
  b.table(FuncRef);
  b.void_func(std::move(body));
  return b.m;
}

TEST(Validator, EmptyModuleIsValid) { EXPECT_VALID(ModuleDesc{}); }

TEST(Validator, AddFunction) {
  Builder b;
  b.func(b.type({I32, I32}, {I32}), {kLocalGet, 0, kLocalGet, 1, kI32Add, kEnd});
  EXPECT_VALID(b.m);
}

TEST(Validator, ErrorNamesFunctionAndOffset) {
  Builder b;
  b.import_func(b.type({}, {}));
  b.void_func({kNop});
  b.void_func({kNop, kI64Const, 0, kI32Add, kDrop});
  std::string msg = check(b.m);
  uint32_t add_offset = b.m.funcs[1].code_begin + 3;
  EXPECT_EQ(msg, "type mismatch in function 2 at offset " + std::to_string(add_offset));
}

// Every Simple/Trapping row of the opcode table: valid with the right operand
// types, "type mismatch" with a wrong one, "type mismatch" with none.
TEST(Validator, EveryNumericOpcodeFromTable) {
  int checked = 0;
  for (size_t i = 0; i < static_cast<size_t>(Op::Count); ++i) {
    const OpInfo& info = op_info(static_cast<Op>(i));
    if (info.cls != OpClass::Simple && info.cls != OpClass::Trapping) continue;
    Bytes opcode =
        info.prefix ? cat({{info.prefix}, uleb(info.code)}) : Bytes{static_cast<uint8_t>(info.code)};
    Bytes operands, wrong_operands, drops;
    for (const char* p = info.params; *p; ++p) {
      ValType t = sig_char_type(*p);
      operands = cat({operands, zero_of(t)});
      wrong_operands = cat({wrong_operands, zero_of(t == I32 ? F64 : I32)});
    }
    for (const char* r = info.results; *r; ++r) drops.push_back(kDrop);
    SCOPED_TRACE(info.name);
    EXPECT_VALID(void_body(cat({operands, opcode, drops})));
    EXPECT_INVALID(void_body(cat({wrong_operands, opcode, drops})), "type mismatch");
    EXPECT_INVALID(void_body(cat({opcode, drops})), "type mismatch");
    // The result type comes from the table too: using it as an externref fails.
    EXPECT_INVALID(void_body(cat({operands, opcode, {kRefIsNull, kDrop}})), "type mismatch");
    ++checked;
  }
  EXPECT_GT(checked, 120);
}

// Every Load/Store row: natural alignment is valid, one more is not, and a memory is required.
TEST(Validator, EveryMemoryAccessOpcodeFromTable) {
  int checked = 0;
  for (size_t i = 0; i < static_cast<size_t>(Op::Count); ++i) {
    const OpInfo& info = op_info(static_cast<Op>(i));
    if (info.cls != OpClass::Load && info.cls != OpClass::Store) continue;
    uint8_t natural = 0;
    while ((2u << natural) <= info.access_bytes) ++natural;
    Bytes operands, drops;
    for (const char* p = info.params; *p; ++p) operands = cat({operands, zero_of(sig_char_type(*p))});
    for (const char* r = info.results; *r; ++r) drops.push_back(kDrop);
    auto body = [&](uint32_t align) {
      return cat({operands, {static_cast<uint8_t>(info.code)}, uleb(align), {0}, drops});
    };
    SCOPED_TRACE(info.name);
    EXPECT_VALID(void_body(body(natural)));
    EXPECT_VALID(void_body(body(0)));
    EXPECT_INVALID(void_body(body(natural + 1)), "alignment must not be larger than natural");
    EXPECT_INVALID(void_body(body(0xFFFFFFFF)), "alignment must not be larger than natural");
    Builder no_memory;
    no_memory.void_func(body(0));
    EXPECT_INVALID(no_memory.m, "unknown memory 0");
    ++checked;
  }
  EXPECT_EQ(checked, 23);
}

TEST(Validator, Locals) {
  Builder b;
  uint32_t t = b.type({I32}, {F32});
  // Locals are run-length encoded: a million i64s then five f32s, never expanded.
  std::vector<LocalRun> runs{{1000000, I64}, {5, F32}};
  b.func(t, cat({{kLocalGet}, uleb(1000003), {kF32Neg, kEnd}}), runs);
  // Beyond the default limit of locals per function (Config::max_function_locals)...
  EXPECT_INVALID(b.m, "function 0 has 1000006 locals (parameters included), more than the limit of 50000");
  // ...and valid with it raised.
  Features many;
  many.max_function_locals = UINT32_MAX;
  EXPECT_VALID(b.m, many);

  Builder wrong;
  wrong.func(wrong.type({I32}, {F32}), cat({{kLocalGet}, uleb(1000000), {kF32Neg, kEnd}}), runs);
  EXPECT_INVALID(wrong.m, "type mismatch", many);

  Builder beyond;
  beyond.func(beyond.type({I32}, {}), cat({{kLocalGet}, uleb(1000006), {kDrop, kEnd}}), runs);
  EXPECT_INVALID(beyond.m, "unknown local 1000006", many);

  Builder set_tee;
  set_tee.func(set_tee.type({I32}, {I32}), {kI32Const, 1, kLocalTee, 0, kLocalSet, 0, kLocalGet, 0, kEnd});
  EXPECT_VALID(set_tee.m);
  EXPECT_INVALID(void_body({kF32Const, 0, 0, 0, 0, kLocalSet, 0}), "unknown local 0");

  Builder too_many;
  too_many.func(too_many.type({I32}, {}), {kEnd}, {{0xFFFFFFFF, I32}});
  EXPECT_INVALID(too_many.m, "too many locals");

  Builder simd;
  simd.func(simd.type({}, {}), {kEnd}, {{1, V128}});
  EXPECT_INVALID(simd.m, "SIMD not supported yet");
}

TEST(Validator, GlobalsInBodies) {
  Builder b;
  b.global(I32, false, {kI32Const, 7});
  b.global(I64, true, {kI64Const, 7});
  b.void_func({kGlobalGet, 0, kDrop, kI64Const, 1, kGlobalSet, 1});
  EXPECT_VALID(b.m);
  b.void_func({kI32Const, 1, kGlobalSet, 0});
  EXPECT_INVALID(b.m, "global is immutable");

  Builder unknown;
  unknown.void_func({kGlobalGet, 0, kDrop});
  EXPECT_INVALID(unknown.m, "unknown global 0");
  Builder wrong_type;
  wrong_type.global(I64, true, {kI64Const, 7});
  wrong_type.void_func({kI32Const, 1, kGlobalSet, 0});
  EXPECT_INVALID(wrong_type.m, "type mismatch");
}

TEST(Validator, ConstantExpressions) {
  auto one_global = [](ValType t, Bytes init) {
    Builder b;
    b.import_global(I32, false);
    b.import_global(I32, true);
    b.global(t, false, std::move(init));
    return b.m;
  };
  EXPECT_VALID(one_global(I32, {kI32Const, 1}));
  EXPECT_VALID(one_global(F64, zero_of(F64)));
  EXPECT_VALID(one_global(ExternRef, {kRefNull, code(ExternRef)}));
  EXPECT_VALID(one_global(I32, {kGlobalGet, 0}));
  EXPECT_INVALID(one_global(I32, {kI64Const, 1}), "type mismatch");
  EXPECT_INVALID(one_global(I32, {}), "type mismatch");
  EXPECT_INVALID(one_global(I32, {kI32Const, 1, kI32Const, 1}), "type mismatch");
  EXPECT_INVALID(one_global(I32, {kNop}), "constant expression required");
  EXPECT_INVALID(one_global(I32, {kI32Const, 1, kNop}), "constant expression required");
  EXPECT_INVALID(one_global(I32, {kI32Const, 1, 0x67 /* i32.clz */}), "constant expression required");
  EXPECT_INVALID(one_global(I32, {kLocalGet, 0}), "constant expression required");
  EXPECT_INVALID(one_global(I32, {kGlobalGet, 1}), "constant expression required");
  EXPECT_INVALID(one_global(I32, {kGlobalGet, 2}), "unknown global 2");
  EXPECT_INVALID(one_global(FuncRef, {kRefFunc, 0}), "unknown function 0");
  EXPECT_INVALID(one_global(FuncRef, {kRefNull, code(ExternRef)}), "type mismatch");

  // Only imported globals are visible, even earlier defined immutable ones.
  Builder earlier;
  earlier.global(I32, false, {kI32Const, 1});
  earlier.global(I32, false, {kGlobalGet, 0});
  EXPECT_INVALID(earlier.m, "unknown global 0");

  // Extended constant expressions.
  ModuleDesc extended = one_global(I32, {kGlobalGet, 0, kI32Const, 2, kI32Add, kI32Const, 3, 0x6C /* mul */});
  EXPECT_VALID(extended);
  Features no_extended;
  no_extended.extended_const = false;
  EXPECT_INVALID(extended, "constant expression required", no_extended);
  EXPECT_INVALID(one_global(I32, {kI32Const, 1, kI64Const, 1, kI32Add}), "type mismatch");
  EXPECT_INVALID(one_global(I32, {kI32Const, 1, kI32Add}), "type mismatch");
  EXPECT_VALID(one_global(I64, {kI64Const, 1, kI64Const, 1, kI64Add}));

  // No end, or bytes after the end.
  ModuleDesc no_end = one_global(I32, {kI32Const, 1});
  no_end.global_defs[0].init.bytes.pop_back();
  EXPECT_INVALID(no_end, "unexpected end");
  ModuleDesc after_end = one_global(I32, {kI32Const, 1});
  after_end.global_defs[0].init.bytes.push_back(kNop);
  EXPECT_INVALID(after_end, "constant expression required");

  EXPECT_INVALID(one_global(V128, {kI32Const, 0}), "SIMD not supported yet");
}

TEST(Validator, Blocks) {
  // Multi-value block with params: (i32 i32) -> (i64).
  Builder b;
  uint32_t bt = b.type({I32, I32}, {I64});
  b.void_func({kI32Const, 1, kI32Const, 2, kBlock, static_cast<uint8_t>(bt), kI32Add, kDrop, kI64Const, 0,
               kEnd, kDrop});
  EXPECT_VALID(b.m);
  // Loop labels take the params; block labels take the results.
  Builder loop;
  uint32_t lt = loop.type({I32}, {I64});
  loop.void_func({kI32Const, 1, kLoop, static_cast<uint8_t>(lt), kBrIf, 0, kI64Const, 0, kEnd, kDrop});
  EXPECT_INVALID(loop.m, "type mismatch");  // br_if 0 pops the condition, then needs an i32 param
  Builder loop_ok;
  lt = loop_ok.type({I32}, {I64});
  loop_ok.void_func({kI32Const, 1, kLoop, static_cast<uint8_t>(lt), kI32Const, 0, kBrIf, 0, kDrop, kI64Const,
                     0, kEnd, kDrop});
  EXPECT_VALID(loop_ok.m);

  EXPECT_VALID(void_body({kBlock, code(I32), kI32Const, 1, kEnd, kDrop}));
  EXPECT_INVALID(void_body({kBlock, code(I32), kEnd, kDrop}), "type mismatch");
  EXPECT_INVALID(void_body({kBlock, code(I32), kI64Const, 1, kEnd, kDrop}), "type mismatch");
  EXPECT_INVALID(void_body({kBlock, kVoid, kI32Const, 1, kEnd}), "type mismatch");
  EXPECT_INVALID(void_body({kI32Const, 1, kBlock, kVoid, kDrop, kEnd}), "type mismatch");
  EXPECT_INVALID(void_body({kBlock, code(V128), kUnreachable, kEnd, kDrop}), "SIMD not supported yet");
  EXPECT_INVALID(void_body({kBlock, 0x05, kEnd}), "unknown type 5");
  // A huge type index (s33 LEB) is just an unknown type.
  EXPECT_INVALID(void_body({kBlock, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, kEnd}), "unknown type 4294967295");
  // Block params must be on the stack.
  Builder missing;
  uint32_t pt = missing.type({I32}, {});
  missing.void_func({kBlock, static_cast<uint8_t>(pt), kDrop, kEnd});
  EXPECT_INVALID(missing.m, "type mismatch");
}

TEST(Validator, IfElse) {
  EXPECT_VALID(void_body({kI32Const, 1, kIf, code(I32), kI32Const, 1, kElse, kI32Const, 2, kEnd, kDrop}));
  EXPECT_VALID(void_body({kI32Const, 1, kIf, kVoid, kNop, kEnd}));
  EXPECT_INVALID(void_body({kIf, kVoid, kEnd}), "type mismatch");
  EXPECT_INVALID(void_body({kI64Const, 1, kIf, kVoid, kEnd}), "type mismatch");
  // An if without else must map its params to its results.
  EXPECT_INVALID(void_body({kI32Const, 1, kIf, code(I32), kI32Const, 1, kEnd, kDrop}), "type mismatch");
  Builder same;
  uint32_t t = same.type({I32}, {I32});
  same.void_func({kI32Const, 1, kI32Const, 1, kIf, static_cast<uint8_t>(t), kEnd, kDrop});
  EXPECT_VALID(same.m);
  EXPECT_INVALID(void_body({kI32Const, 1, kIf, code(I32), kI32Const, 1, kElse, kEnd, kDrop}),
                 "type mismatch");
  EXPECT_INVALID(void_body({kBlock, kVoid, kElse, kEnd}), "else without matching if");
}

TEST(Validator, Branches) {
  EXPECT_VALID(void_body({kBlock, code(I32), kI32Const, 1, kBr, 0, kEnd, kDrop}));
  EXPECT_INVALID(void_body({kBlock, code(I32), kI64Const, 1, kBr, 0, kEnd, kDrop}), "type mismatch");
  EXPECT_INVALID(void_body({kBr, 1}), "unknown label 1");
  EXPECT_VALID(void_body({kBr, 0}));  // the function's own label
  EXPECT_VALID(void_body({kBlock, code(I32), kI32Const, 1, kI32Const, 0, kBrIf, 0, kEnd, kDrop}));
  EXPECT_INVALID(void_body({kBlock, code(I32), kI32Const, 1, kBrIf, 0, kEnd, kDrop}), "type mismatch");
  // br_table: every target needs the same arity.
  EXPECT_VALID(void_body({kBlock, code(I32), kBlock, code(I32), kI32Const, 1, kI32Const, 0, kBrTable, 1, 0, 1,
                          kEnd, kEnd, kDrop}));
  EXPECT_INVALID(void_body({kBlock, kVoid, kBlock, code(I32), kI32Const, 1, kI32Const, 0, kBrTable, 1, 0, 1,
                            kEnd, kDrop, kEnd}),
                 "type mismatch");
  EXPECT_INVALID(void_body({kI32Const, 0, kBrTable, 1, 0, 3}), "unknown label 3");
  EXPECT_INVALID(void_body({kI32Const, 0, kBrTable, 1, 3, 0}), "unknown label 3");
  // After unreachable, br_table operands are unknown and may serve labels of different types.
  EXPECT_VALID(void_body({kBlock, code(F32), kBlock, code(I32), kUnreachable, kBrTable, 1, 0, 1, kEnd, kDrop,
                          kF32Const, 0, 0, 0, 0, kEnd, kDrop}));
  EXPECT_INVALID(void_body({kBlock,   code(F32), kBlock, code(I32), kUnreachable, kI64Const, 0,
                            kBrTable, 1,         0,      1,         kEnd,         kDrop,     kF32Const,
                            0,        0,         0,      0,         kEnd,         kDrop}),
                 "type mismatch");
}

TEST(Validator, ReturnAndUnreachableCode) {
  Builder b;
  b.func(b.type({}, {I32}), {kI32Const, 1, kReturn, kEnd});
  EXPECT_VALID(b.m);
  Builder wrong;
  wrong.func(wrong.type({}, {I32}), {kI64Const, 1, kReturn, kEnd});
  EXPECT_INVALID(wrong.m, "type mismatch");
  Builder result;
  result.func(result.type({}, {I32}), {kI64Const, 1, kEnd});
  EXPECT_INVALID(result.m, "type mismatch");
  Builder extra;
  extra.func(extra.type({}, {I32}), {kI32Const, 1, kI32Const, 1, kEnd});
  EXPECT_INVALID(extra.m, "type mismatch");

  // The stack is polymorphic after unreachable, br and return.
  EXPECT_VALID(void_body({kUnreachable, kI32Add, kDrop}));
  EXPECT_VALID(void_body({kUnreachable, kSelect, kDrop}));
  EXPECT_VALID(void_body({kUnreachable, kI32Const, 1, kSelect, kI32Const, 1, kI32Add, kDrop}));
  EXPECT_INVALID(void_body({kUnreachable, kI64Const, 1, kI32Add, kDrop}), "type mismatch");
  EXPECT_INVALID(void_body({kUnreachable, kI64Const, 1, kI32Const, 1, kSelect, kI32Add, kDrop}),
                 "type mismatch");
  EXPECT_VALID(void_body({kBlock, code(I32), kI32Const, 1, kBr, 0, kI32Add, kEnd, kDrop}));
  EXPECT_VALID(void_body({kReturn, kRefIsNull, kDrop}));
  // Polymorphism is per block: an inner block starts with a fresh stack.
  EXPECT_INVALID(void_body({kUnreachable, kBlock, kVoid, kDrop, kEnd}), "type mismatch");
  EXPECT_INVALID(void_body({kUnreachable, kI32Const, 1}), "type mismatch");
}

TEST(Validator, BodyStructure) {
  Builder trailing;
  trailing.func(trailing.type({}, {}), {kEnd, kNop});
  EXPECT_INVALID(trailing.m, "operators remaining after end of function");
  Builder trailing_end;
  trailing_end.func(trailing_end.type({}, {}), {kEnd, kEnd});
  EXPECT_INVALID(trailing_end.m, "operators remaining after end of function");
  Builder missing_end;
  missing_end.func(missing_end.type({}, {}), {kBlock, kVoid, kEnd});
  EXPECT_INVALID(missing_end.m, "unexpected end of function");
  Builder empty;
  empty.func(empty.type({}, {}), {});
  EXPECT_INVALID(empty.m, "unexpected end of function");
  Builder garbage;
  garbage.func(garbage.type({}, {}), {0xFF, kEnd});
  EXPECT_INVALID(garbage.m, "illegal opcode");
}

TEST(Validator, Calls) {
  Builder b;
  uint32_t callee_type = b.type({I32, I64}, {F32});
  uint32_t callee = b.import_func(callee_type);
  b.table(FuncRef);
  b.void_func({kI32Const, 1, kI64Const, 2, kCall, static_cast<uint8_t>(callee), kDrop});
  b.void_func(
      {kI32Const, 1, kI64Const, 2, kI32Const, 0, kCallIndirect, static_cast<uint8_t>(callee_type), 0, kDrop});
  EXPECT_VALID(b.m);

  Builder bad_args = b;
  bad_args.void_func({kI64Const, 1, kI32Const, 2, kCall, 0, kDrop});
  EXPECT_INVALID(bad_args.m, "type mismatch");
  Builder unknown_func = b;
  unknown_func.void_func({kCall, 9});
  EXPECT_INVALID(unknown_func.m, "unknown function 9");
  Builder unknown_type = b;
  unknown_type.void_func({kI32Const, 0, kCallIndirect, 9, 0});
  EXPECT_INVALID(unknown_type.m, "unknown type 9");
  Builder unknown_table = b;
  unknown_table.void_func({kI32Const, 0, kCallIndirect, 0, 3});
  EXPECT_INVALID(unknown_table.m, "unknown table 3");
  Builder extern_table;
  uint32_t t = extern_table.type({}, {});
  extern_table.table(ExternRef);
  extern_table.void_func({kI32Const, 0, kCallIndirect, static_cast<uint8_t>(t), 0});
  EXPECT_INVALID(extern_table.m, "type mismatch");
  Builder no_index;
  t = no_index.type({}, {});
  no_index.table(FuncRef);
  no_index.void_func({kCallIndirect, static_cast<uint8_t>(t), 0});
  EXPECT_INVALID(no_index.m, "type mismatch");
}

TEST(Validator, TailCalls) {
  Builder b;
  uint32_t returns_i32 = b.type({I64}, {I32});
  uint32_t returns_i64 = b.type({}, {I64});
  b.import_func(returns_i32);  // function 0
  b.import_func(returns_i64);  // function 1
  b.table(FuncRef);
  b.func(returns_i32, {kI64Const, 1, kReturnCall, 0, kEnd});
  b.func(returns_i32, {kLocalGet, 0, kI32Const, 0, kReturnCallIndirect, static_cast<uint8_t>(returns_i32), 0,
                       kI32Add, kEnd});
  EXPECT_VALID(b.m);
  Features no_tail;
  no_tail.tail_call = false;
  EXPECT_INVALID(b.m, "illegal opcode", no_tail);

  Builder mismatch = b;
  mismatch.func(returns_i32, {kReturnCall, 1, kEnd});
  EXPECT_INVALID(mismatch.m, "type mismatch");
  Builder args = b;
  args.func(returns_i32, {kReturnCall, 0, kEnd});
  EXPECT_INVALID(args.m, "type mismatch");
  Builder indirect = b;
  indirect.func(returns_i32, {kI32Const, 0, kReturnCallIndirect, static_cast<uint8_t>(returns_i64), 0, kEnd});
  EXPECT_INVALID(indirect.m, "type mismatch");
  Builder unknown = b;
  unknown.func(returns_i32, {kReturnCall, 7, kEnd});
  EXPECT_INVALID(unknown.m, "unknown function 7");
}

TEST(Validator, Select) {
  EXPECT_VALID(void_body({kI32Const, 1, kI32Const, 2, kI32Const, 0, kSelect, kDrop}));
  EXPECT_VALID(void_body({kF64Const, 0, 0, 0, 0, 0, 0, 0, 0, kUnreachable, kSelect, kDrop}));
  EXPECT_INVALID(void_body({kI32Const, 1, kI64Const, 2, kI32Const, 0, kSelect, kDrop}), "type mismatch");
  EXPECT_INVALID(void_body({kI32Const, 1, kI32Const, 2, kI64Const, 0, kSelect, kDrop}), "type mismatch");
  EXPECT_INVALID(void_body({kRefNull, code(FuncRef), kRefNull, code(FuncRef), kI32Const, 0, kSelect, kDrop}),
                 "type mismatch");
  EXPECT_INVALID(void_body({kUnreachable, kRefNull, code(FuncRef), kI32Const, 0, kSelect, kDrop}),
                 "type mismatch");
  EXPECT_VALID(void_body(
      {kRefNull, code(FuncRef), kRefNull, code(FuncRef), kI32Const, 0, kSelectT, 1, code(FuncRef), kDrop}));
  EXPECT_INVALID(void_body({kRefNull, code(FuncRef), kRefNull, code(ExternRef), kI32Const, 0, kSelectT, 1,
                            code(FuncRef), kDrop}),
                 "type mismatch");
  EXPECT_INVALID(void_body({kI32Const, 1, kI32Const, 2, kI32Const, 0, kSelectT, 2, code(I32), code(I32)}),
                 "invalid result arity");
  EXPECT_INVALID(void_body({kI32Const, 1, kI32Const, 2, kI32Const, 0, kSelectT, 0}), "invalid result arity");
  EXPECT_INVALID(void_body({kUnreachable, kSelectT, 1, code(V128), kDrop}), "SIMD not supported yet");
}

TEST(Validator, TablesAndReferences) {
  Builder b;
  b.table(FuncRef);
  b.table(ExternRef);
  b.elem(SegmentMode::Passive, FuncRef, {});
  b.elem(SegmentMode::Passive, ExternRef, {});
  b.void_func({kI32Const,  0,
               kTableGet,  0,
               kRefIsNull, kDrop,
               kI32Const,  0,
               kRefNull,   code(ExternRef),
               kTableSet,  1,
               kPrefixFC,  kTableSize,
               1,          kDrop,
               kRefNull,   code(ExternRef),
               kI32Const,  1,
               kPrefixFC,  kTableGrow,
               1,          kDrop,
               kI32Const,  0,
               kRefNull,   code(FuncRef),
               kI32Const,  1,
               kPrefixFC,  kTableFill,
               0,          kI32Const,
               0,          kI32Const,
               0,          kI32Const,
               0,          kPrefixFC,
               kTableCopy, 0,
               0,          kI32Const,
               0,          kI32Const,
               0,          kI32Const,
               0,          kPrefixFC,
               kTableInit, 1,
               1,          kPrefixFC,
               kElemDrop,  1});
  EXPECT_VALID(b.m);

  auto with = [&](Bytes body) {
    Builder copy = b;
    copy.void_func(std::move(body));
    return copy.m;
  };
  EXPECT_INVALID(with({kI32Const, 0, kRefNull, code(FuncRef), kTableSet, 1}), "type mismatch");
  EXPECT_INVALID(with({kI32Const, 0, kTableGet, 2, kDrop}), "unknown table 2");
  EXPECT_INVALID(with({kPrefixFC, kTableSize, 5, kDrop}), "unknown table 5");
  EXPECT_INVALID(with({kRefNull, code(FuncRef), kI32Const, 1, kPrefixFC, kTableGrow, 1, kDrop}),
                 "type mismatch");
  EXPECT_INVALID(with({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kTableCopy, 0, 1}),
                 "type mismatch");
  EXPECT_INVALID(with({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kTableInit, 0, 1}),
                 "type mismatch");
  EXPECT_INVALID(with({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kTableInit, 4, 0}),
                 "unknown elem segment 4");
  EXPECT_INVALID(with({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kTableInit, 0, 4}),
                 "unknown table 4");
  EXPECT_INVALID(with({kPrefixFC, kElemDrop, 2}), "unknown elem segment 2");
  EXPECT_INVALID(with({kI32Const, 0, kRefIsNull, kDrop}), "type mismatch");
  EXPECT_INVALID(with({kRefIsNull, kDrop}), "type mismatch");
}

TEST(Validator, RefFuncMustBeDeclared) {
  auto module = [](int declare_how) {
    Builder b;
    uint32_t f = b.void_func({});
    b.table(FuncRef);
    if (declare_how == 1) b.elem(SegmentMode::Declarative, FuncRef, {const_expr({kRefFunc, 0})});
    if (declare_how == 2) b.export_("f", ExternKind::Func, f);
    if (declare_how == 3) b.global(FuncRef, false, {kRefFunc, 0});
    if (declare_how == 4) b.elem(SegmentMode::Active, FuncRef, {const_expr({kRefFunc, 0})});
    if (declare_how == 5) b.m.start = f;  // the start function does not declare
    b.void_func({kRefFunc, 0, kDrop});
    return b.m;
  };
  EXPECT_INVALID(module(0), "undeclared function reference");
  EXPECT_VALID(module(1));
  EXPECT_VALID(module(2));
  EXPECT_VALID(module(3));
  EXPECT_VALID(module(4));
  EXPECT_INVALID(module(5), "undeclared function reference");
  EXPECT_INVALID(void_body({kRefFunc, 3, kDrop}), "unknown function 3");
}

TEST(Validator, MemoryInstructions) {
  Builder b;
  b.memory(1);
  b.data(SegmentMode::Passive);
  b.m.data_count = 1;
  b.void_func({kMemorySize, 0, kMemoryGrow, 0,           kDrop,     kI32Const,   0,
               kI32Const,   0, kI32Const,   0,           kPrefixFC, kMemoryFill, 0,
               kI32Const,   0, kI32Const,   0,           kI32Const, 0,           kPrefixFC,
               kMemoryCopy, 0, 0,           kI32Const,   0,         kI32Const,   0,
               kI32Const,   0, kPrefixFC,   kMemoryInit, 0,         0,           kPrefixFC,
               kDataDrop,   0});
  EXPECT_VALID(b.m);

  auto with = [&](Bytes body) {
    Builder copy = b;
    copy.void_func(std::move(body));
    return copy.m;
  };
  EXPECT_INVALID(with({kPrefixFC, kDataDrop, 1}), "unknown data segment 1");
  EXPECT_INVALID(with({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kMemoryInit, 1, 0}),
                 "unknown data segment 1");
  EXPECT_INVALID(with({kI32Const, 0, kI32Const, 0, kPrefixFC, kMemoryFill, 0}), "type mismatch");
  EXPECT_INVALID(with({kI64Const, 0, kMemoryGrow, 0, kDrop}), "type mismatch");
  EXPECT_INVALID(with({kI32Const, 0, kI64Load, 3, 0, kI32Const, 0, kI32Store, 2, 0}), "type mismatch");

  Builder no_memory;
  no_memory.void_func({kMemorySize, 0, kDrop});
  EXPECT_INVALID(no_memory.m, "unknown memory 0");
  Builder no_memory_copy;
  no_memory_copy.void_func({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kMemoryCopy, 0, 0});
  EXPECT_INVALID(no_memory_copy.m, "unknown memory 0");
  Builder no_memory_init;
  no_memory_init.void_func({kI32Const, 0, kI32Const, 0, kI32Const, 0, kPrefixFC, kMemoryInit, 0, 0});
  EXPECT_INVALID(no_memory_init.m, "unknown memory 0");
  Builder no_data_count;
  no_data_count.memory(1);
  no_data_count.void_func({kPrefixFC, kDataDrop, 0});
  EXPECT_INVALID(no_data_count.m, "unknown data segment 0");
}

TEST(Validator, MemoryAndTableLimits) {
  auto memory = [](uint64_t min, std::optional<uint64_t> max) {
    Builder b;
    b.memory(min, max);
    return b.m;
  };
  EXPECT_VALID(memory(0, std::nullopt));
  EXPECT_VALID(memory(65536, 65536));
  EXPECT_INVALID(memory(65537, std::nullopt), "memory size must be at most 65536 pages (4GiB)");
  EXPECT_INVALID(memory(0, 65537), "memory size must be at most 65536 pages (4GiB)");
  EXPECT_INVALID(memory(2, 1), "size minimum must not be greater than maximum");

  Builder two;
  two.memory(1);
  two.memory(1);
  EXPECT_INVALID(two.m, "multiple memories");
  Features multi;
  multi.multi_memory = true;
  EXPECT_VALID(two.m, multi);

  Builder table;
  table.table(FuncRef, 0xFFFFFFFF, 0xFFFFFFFF);
  EXPECT_VALID(table.m);
  Builder bad_table;
  bad_table.table(FuncRef, 3, 2);
  EXPECT_INVALID(bad_table.m, "size minimum must not be greater than maximum");
}

TEST(Validator, TypesAndImports) {
  Builder simd;
  simd.type({V128}, {});
  EXPECT_INVALID(simd.m, "SIMD not supported yet");
  Builder simd_result;
  simd_result.type({}, {V128});
  EXPECT_INVALID(simd_result.m, "SIMD not supported yet");
  Builder simd_global;
  simd_global.import_global(V128, false);
  EXPECT_INVALID(simd_global.m, "SIMD not supported yet");

  Builder bad_import;
  bad_import.import_func(3);
  EXPECT_INVALID(bad_import.m, "unknown type 3");
  Builder bad_func;
  bad_func.func(2, {kEnd});
  EXPECT_INVALID(bad_func.m, "unknown type 2");
}

TEST(Validator, ExportsAndStart) {
  Builder b;
  uint32_t f = b.void_func({});
  b.memory(1);
  b.table(FuncRef);
  b.global(I32, false, {kI32Const, 0});
  b.export_("f", ExternKind::Func, f);
  b.export_("m", ExternKind::Memory, 0);
  b.export_("t", ExternKind::Table, 0);
  b.export_("g", ExternKind::Global, 0);
  b.m.start = f;
  EXPECT_VALID(b.m);

  Builder dup = b;
  dup.export_("m", ExternKind::Func, f);
  EXPECT_INVALID(dup.m, "duplicate export name");
  for (ExternKind kind : {ExternKind::Func, ExternKind::Table, ExternKind::Memory, ExternKind::Global}) {
    Builder bad = b;
    bad.export_("x", kind, 1);
    const char* what[] = {"unknown function 1", "unknown table 1", "unknown memory 1", "unknown global 1"};
    EXPECT_INVALID(bad.m, what[static_cast<int>(kind)]);
  }

  Builder start_type;
  start_type.func(start_type.type({I32}, {}), {kEnd});
  start_type.m.start = 0;
  EXPECT_INVALID(start_type.m, "start function");
  Builder start_result;
  start_result.func(start_result.type({}, {I32}), {kI32Const, 0, kEnd});
  start_result.m.start = 0;
  EXPECT_INVALID(start_result.m, "start function");
  Builder start_unknown;
  start_unknown.m.start = 0;
  EXPECT_INVALID(start_unknown.m, "unknown function 0");
}

TEST(Validator, Segments) {
  Builder b;
  b.void_func({});
  b.table(FuncRef);
  b.table(ExternRef);
  b.memory(1);
  b.elem(SegmentMode::Active, FuncRef, {const_expr({kRefFunc, 0}), const_expr({kRefNull, code(FuncRef)})});
  b.elem(SegmentMode::Active, ExternRef, {const_expr({kRefNull, code(ExternRef)})}, 1);
  b.elem(SegmentMode::Passive, FuncRef, {const_expr({kRefFunc, 0})});
  b.data(SegmentMode::Active);
  b.data(SegmentMode::Passive);
  EXPECT_VALID(b.m);

  Builder wrong_table = b;
  wrong_table.elem(SegmentMode::Active, FuncRef, {}, 1);
  EXPECT_INVALID(wrong_table.m, "type mismatch");
  Builder unknown_table = b;
  unknown_table.elem(SegmentMode::Active, FuncRef, {}, 2);
  EXPECT_INVALID(unknown_table.m, "unknown table 2");
  Builder wrong_item = b;
  wrong_item.elem(SegmentMode::Passive, FuncRef, {const_expr({kRefNull, code(ExternRef)})});
  EXPECT_INVALID(wrong_item.m, "type mismatch");
  Builder non_const_item = b;
  non_const_item.elem(SegmentMode::Passive, FuncRef, {const_expr({kRefFunc, 0, kDrop, kRefFunc, 0})});
  EXPECT_INVALID(non_const_item.m, "constant expression required");
  Builder unknown_func = b;
  unknown_func.elem(SegmentMode::Declarative, FuncRef, {const_expr({kRefFunc, 1})});
  EXPECT_INVALID(unknown_func.m, "unknown function 1");
  Builder bad_offset = b;
  bad_offset.elem(SegmentMode::Active, FuncRef, {});
  bad_offset.m.elems.back().offset = const_expr({kI64Const, 0});
  EXPECT_INVALID(bad_offset.m, "type mismatch");

  Builder data_memory = b;
  data_memory.data(SegmentMode::Active, 1);
  EXPECT_INVALID(data_memory.m, "unknown memory 1");
  Builder data_offset = b;
  data_offset.data(SegmentMode::Active);
  data_offset.m.datas.back().offset = const_expr({kF32Const, 0, 0, 0, 0});
  EXPECT_INVALID(data_offset.m, "type mismatch");
  Builder data_global = b;
  data_global.global(I32, false, {kI32Const, 0});
  data_global.data(SegmentMode::Active);
  data_global.m.datas.back().offset = const_expr({kGlobalGet, 0});
  EXPECT_INVALID(data_global.m, "unknown global 0");
}

TEST(Validator, HostileInputsFailCleanly) {
  // Calls to a function with many results, repeated, would grow the operand stack without bound.
  Builder b;
  std::vector<ValType> many(1000, I32);
  uint32_t callee = b.import_func(b.type({}, many));
  Bytes body;
  for (int i = 0; i < 1100; ++i) body.insert(body.end(), {kCall, static_cast<uint8_t>(callee)});
  b.void_func(body);
  EXPECT_INVALID(b.m, "operand stack too deep");

  // Arity is limited (as in the JS API) so that per-instruction work stays bounded.
  Builder params;
  params.type(std::vector<ValType>(1001, I64), {});
  EXPECT_INVALID(params.m, "too many parameters");
  Builder results;
  results.type({}, std::vector<ValType>(1001, I64));
  EXPECT_INVALID(results.m, "too many results");

  // A long br_table to the same wide label checks that label's types once.
  for (bool wrong : {false, true}) {
    Builder wide;
    std::vector<ValType> types(1000, I64);
    if (wrong) types[0] = I32;
    uint32_t callee_type = wide.type({}, types);
    uint32_t wide_callee = wide.import_func(callee_type);
    Bytes table_body{kCall, static_cast<uint8_t>(wide_callee), kI32Const, 0, kBrTable};
    append_uleb(table_body, 200000);
    table_body.insert(table_body.end(), 200001, 0);
    table_body.push_back(kEnd);
    wide.func(wide.type({}, std::vector<ValType>(1000, I64)), table_body);
    if (wrong) {
      EXPECT_INVALID(wide.m, "type mismatch");
    } else {
      EXPECT_VALID(wide.m);
    }
  }

  // Inconsistent descriptions (never produced by the decoder) are errors, not crashes.
  Builder range;
  range.void_func({});
  range.m.funcs[0].code_end = 1000;
  EXPECT_INVALID(range.m, "inconsistent module description");
  Builder counts;
  counts.void_func({});
  counts.m.func_types.push_back(0);
  EXPECT_INVALID(counts.m, "inconsistent module description");

  // Deep nesting is linear.
  Bytes nested;
  for (int i = 0; i < 100000; ++i) nested.insert(nested.end(), {kBlock, kVoid});
  for (int i = 0; i < 100000; ++i) nested.push_back(kEnd);
  EXPECT_VALID(void_body(nested));
  nested.back() = kNop;
  EXPECT_INVALID(void_body(nested), "unexpected end of function");
}

}  // namespace
}  // namespace waspvm
