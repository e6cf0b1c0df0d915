// Translator golden tests: small hand-assembled functions and the expected
// disassembly of their internal code (docs/internal-code.md).
#include "compile/translator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compile/disasm.h"

namespace waspvm {
namespace {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

// Builds a ModuleDesc by hand: types, imported functions and defined bodies.
// Body bytes are the instructions only (ending in `end`); a few padding bytes
// come first so that byte offsets are not trivially zero.
class TestModule {
 public:
  TestModule() { desc.bytes = {0, 'a', 's', 'm', 1, 0, 0, 0}; }

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    desc.types.push_back(FuncType{std::move(params), std::move(results)});
    return static_cast<uint32_t>(desc.types.size() - 1);
  }
  void import_func(uint32_t type_index) {
    desc.func_types.push_back(type_index);
    ++desc.num_imported_funcs;
  }
  // Returns the defined index.
  uint32_t func(uint32_t type_index, std::vector<LocalRun> locals, const std::vector<uint8_t>& body) {
    FuncBody f;
    f.type = type_index;
    for (const LocalRun& run : locals) f.num_locals += run.count;
    f.locals = std::move(locals);
    f.code_begin = static_cast<uint32_t>(desc.bytes.size());
    desc.bytes.insert(desc.bytes.end(), body.begin(), body.end());
    f.code_end = static_cast<uint32_t>(desc.bytes.size());
    desc.funcs.push_back(f);
    desc.func_types.push_back(type_index);
    return static_cast<uint32_t>(desc.funcs.size() - 1);
  }

  CompiledFunc translate(uint32_t defined_index) {
    Result<CompiledFunc> result = translate_function(desc, defined_index);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(result).value() : CompiledFunc{};
  }

  ModuleDesc desc;
};

// Opcode bytes used below.
enum : uint8_t {
  kUnreachable = 0x00,
  kNop = 0x01,
  kBlock = 0x02,
  kLoop = 0x03,
  kIf = 0x04,
  kElse = 0x05,
  kEnd = 0x0B,
  kBr = 0x0C,
  kBrIf = 0x0D,
  kBrTable = 0x0E,
  kReturn = 0x0F,
  kCall = 0x10,
  kCallIndirect = 0x11,
  kReturnCall = 0x12,
  kDrop = 0x1A,
  kSelect = 0x1B,
  kLocalGet = 0x20,
  kLocalSet = 0x21,
  kLocalTee = 0x22,
  kGlobalGet = 0x23,
  kGlobalSet = 0x24,
  kI32Load = 0x28,
  kI32Store = 0x36,
  kMemorySize = 0x3F,
  kMemoryGrow = 0x40,
  kI32Const = 0x41,
  kI64Const = 0x42,
  kI32Add = 0x6A,
  kI32Sub = 0x6B,
  kI32Mul = 0x6C,
  kRefNull = 0xD0,
  kPrefixFC = 0xFC,
  kVoid = 0x40,
  kTypeI32 = 0x7F,
};

TEST(Translator, StraightLineArithmetic) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  uint32_t f = m.func(t, {}, {kLocalGet, 0, kLocalGet, 1, kI32Add, kI32Const, 3, kI32Mul, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Copy s2, s0\n"
            "3: Copy s3, s1\n"
            "6: i32.add s2, s2, s3\n"
            "10: Const32 s3, 3\n"
            "13: i32.mul s2, s2, s3\n"
            "17: Return s2, 1\n");
  EXPECT_EQ(c.func_index, 0u);
  EXPECT_EQ(c.type_index, t);
  EXPECT_EQ(c.num_params, 2u);
  EXPECT_EQ(c.num_results, 1u);
  EXPECT_EQ(c.num_locals, 2u);
  EXPECT_EQ(c.frame_slots, 4u);
}

TEST(Translator, SourceMapPointsAtWasmInstructions) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  uint32_t f = m.func(t, {}, {kLocalGet, 0, kLocalGet, 1, kI32Add, kI32Const, 3, kI32Mul, kEnd});
  CompiledFunc c = m.translate(f);
  std::vector<std::pair<uint32_t, uint32_t>> expected = {{0, 8},   {3, 10},  {6, 12},
                                                         {10, 13}, {13, 15}, {17, 16}};
  EXPECT_EQ(c.source_map, expected);
  EXPECT_EQ(c.wasm_offset_at(0), 8u);
  EXPECT_EQ(c.wasm_offset_at(7), 12u);  // inside the i32.add
  EXPECT_EQ(c.wasm_offset_at(13), 15u);
  EXPECT_EQ(c.wasm_offset_at(18), 16u);
}

TEST(Translator, Locals) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // (local i64 i32): i32.const 7; local.set 2; i64.const 0x100000002; local.set 1;
  // local.get 0; local.tee 2; local.get 2; i32.add
  uint32_t f = m.func(t, {{1, I64}, {1, I32}},
                      {kI32Const, 7, kLocalSet, 2, kI64Const, 0x82, 0x80,      0x80, 0x80,    0x10,
                       kLocalSet, 1, kLocalGet, 0, kLocalTee, 2,    kLocalGet, 2,    kI32Add, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s3, 7\n"
            "3: Copy s2, s3\n"
            "6: Const64 s3, 2, 1\n"
            "10: Copy s1, s3\n"
            "13: Copy s3, s0\n"
            "16: Copy s2, s3\n"
            "19: Copy s4, s2\n"
            "22: i32.add s3, s3, s4\n"
            "26: Return s3, 1\n");
  EXPECT_EQ(c.num_locals, 3u);
  EXPECT_EQ(c.frame_slots, 5u);
}

TEST(Translator, EmptyFunction) {
  TestModule m;
  uint32_t t = m.type({}, {});
  uint32_t f = m.func(t, {}, {kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c), "0: Return s0, 0\n");
  EXPECT_EQ(c.frame_slots, 0u);
}

TEST(Translator, BlockWithResultAndBranches) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // block (result i32)
  //   i32.const 10; local.get 0; br_if 0      -- value already in the landing slot
  //   drop; i32.const 5; i32.const 6; br 0    -- value one slot too high: copy
  // end
  uint32_t f = m.func(t, {},
                      {kBlock, kTypeI32, kI32Const, 10, kLocalGet, 0, kBrIf, 0, kDrop, kI32Const, 5,
                       kI32Const, 6, kBr, 0, kEnd, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 10\n"
            "3: Copy s2, s0\n"
            "6: BrIfNez s2, @20\n"
            "9: Const32 s1, 5\n"
            "12: Const32 s2, 6\n"
            "15: Copy s1, s2\n"
            "18: Br @20\n"
            "20: Return s1, 1\n");
  EXPECT_EQ(c.frame_slots, 3u);
}

TEST(Translator, BrIfToFunctionLabelReturns) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // i32.const 4; local.get 0; br_if 0; i32.const 1; i32.add
  uint32_t f = m.func(t, {}, {kI32Const, 4, kLocalGet, 0, kBrIf, 0, kI32Const, 1, kI32Add, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 4\n"
            "3: Copy s2, s0\n"
            "6: BrIfEqz s2, @12\n"
            "9: Return s1, 1\n"
            "12: Const32 s2, 1\n"
            "15: i32.add s1, s1, s2\n"
            "19: Return s1, 1\n");
}

TEST(Translator, LoopWithBrIf) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // (local i32) loop
  //   local.get 1; local.get 0; i32.add; local.set 1
  //   local.get 0; i32.const 1; i32.sub; local.tee 0; br_if 0
  // end; local.get 1
  uint32_t f =
      m.func(t, {{1, I32}},
             {kLoop, kVoid,   kLocalGet, 1, kLocalGet, 0, kI32Add, kLocalSet, 1, kLocalGet, 0, kI32Const,
              1,     kI32Sub, kLocalTee, 0, kBrIf,     0, kEnd,    kLocalGet, 1, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Copy s2, s1\n"
            "3: Copy s3, s0\n"
            "6: i32.add s2, s2, s3\n"
            "10: Copy s1, s2\n"
            "13: Copy s2, s0\n"
            "16: Const32 s3, 1\n"
            "19: i32.sub s2, s2, s3\n"
            "23: Copy s0, s2\n"
            "26: BrIfNez s2, @0\n"
            "29: Copy s2, s1\n"
            "32: Return s2, 1\n");
  EXPECT_EQ(c.frame_slots, 4u);
}

TEST(Translator, LoopWithParamsCopiesOnBackEdge) {
  TestModule m;
  uint32_t t = m.type({}, {I32});
  uint32_t loop_type = m.type({I32}, {I32});
  // i32.const 0; i32.const 3
  // loop (type [i32]->[i32])
  //   i32.const 1; i32.sub; i32.const 42; i32.const 2; i32.const 1; br_if 0; drop; drop
  // end; i32.add
  uint32_t f =
      m.func(t, {}, {kI32Const, 0,         kI32Const, 3,         kLoop, static_cast<uint8_t>(loop_type),
                     kI32Const, 1,         kI32Sub,   kI32Const, 42,    kI32Const,
                     2,         kI32Const, 1,         kBrIf,     0,     kDrop,
                     kDrop,     kEnd,      kI32Add,   kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s0, 0\n"
            "3: Const32 s1, 3\n"
            "6: Const32 s2, 1\n"
            "9: i32.sub s1, s1, s2\n"
            "13: Const32 s2, 42\n"
            "16: Const32 s3, 2\n"
            "19: Const32 s4, 1\n"
            "22: BrIfEqz s4, @30\n"
            "25: Copy s1, s3\n"
            "28: Br @6\n"
            "30: i32.add s0, s0, s1\n"
            "34: Return s0, 1\n");
  EXPECT_EQ(c.frame_slots, 5u);
}

TEST(Translator, IfElseWithResults) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // local.get 0; if (result i32) i32.const 1 else i32.const 2 end
  uint32_t f = m.func(t, {}, {kLocalGet, 0, kIf, kTypeI32, kI32Const, 1, kElse, kI32Const, 2, kEnd, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Copy s1, s0\n"
            "3: BrIfEqz s1, @11\n"
            "6: Const32 s1, 1\n"
            "9: Br @14\n"
            "11: Const32 s1, 2\n"
            "14: Return s1, 1\n");
  EXPECT_EQ(c.frame_slots, 2u);
}

TEST(Translator, IfWithParamsAndNoElse) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t if_type = m.type({I32}, {I32});
  // i32.const 5; local.get 0; if (type [i32]->[i32]) i32.const 3; i32.mul end
  uint32_t f = m.func(
      t, {},
      {kI32Const, 5, kLocalGet, 0, kIf, static_cast<uint8_t>(if_type), kI32Const, 3, kI32Mul, kEnd, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 5\n"
            "3: Copy s2, s0\n"
            "6: BrIfEqz s2, @16\n"
            "9: Const32 s2, 3\n"
            "12: i32.mul s1, s1, s2\n"
            "16: Return s1, 1\n");
}

TEST(Translator, BrTableWithoutCopies) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // block block block local.get 0; br_table 0 1 2 end
  //   i32.const 10; return end i32.const 20; return end i32.const 30
  uint32_t f =
      m.func(t, {}, {kBlock,    kVoid, kBlock,  kVoid, kBlock,    kVoid,     kLocalGet, 0,       kBrTable,
                     2,         0,     1,       2,     kEnd,      kI32Const, 10,        kReturn, kEnd,
                     kI32Const, 20,    kReturn, kEnd,  kI32Const, 30,        kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Copy s1, s0\n"
            "3: BrTable s1, [@9, @15, @21]\n"
            "9: Const32 s1, 10\n"
            "12: Return s1, 1\n"
            "15: Const32 s1, 20\n"
            "18: Return s1, 1\n"
            "21: Const32 s1, 30\n"
            "24: Return s1, 1\n");
}

TEST(Translator, BrTableWithCopiesUsesSharedStubs) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // block (result i32) i32.const 7; i32.const 8; local.get 0; br_table 0 1 0 end
  // i32.const 1; i32.add
  uint32_t f = m.func(t, {},
                      {kBlock, kTypeI32, kI32Const, 7, kI32Const, 8, kLocalGet, 0, kBrTable, 2, 0, 1, 0, kEnd,
                       kI32Const, 1, kI32Add, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 7\n"
            "3: Const32 s2, 8\n"
            "6: Copy s3, s0\n"
            "9: BrTable s3, [@15, @20, @15]\n"
            "15: Copy s1, s2\n"
            "18: Br @23\n"
            "20: Return s2, 1\n"
            "23: Const32 s2, 1\n"
            "26: i32.add s1, s1, s2\n"
            "30: Return s1, 1\n");
  // The stubs belong to the br_table in the source map.
  EXPECT_EQ(c.wasm_offset_at(15), c.wasm_offset_at(9));
  EXPECT_EQ(c.wasm_offset_at(20), c.wasm_offset_at(9));
}

TEST(Translator, Calls) {
  TestModule m;
  uint32_t binary = m.type({I32, I32}, {I32});
  uint32_t unary = m.type({I32}, {I32});
  uint32_t pair = m.type({}, {I32, I32});
  m.import_func(binary);  // func 0
  // func 1: i32.const 1; local.get 0; i32.const 2; call 0; i32.add; call 2; i32.add; i32.add;
  //         i32.const 0; call_indirect (type unary) 0; return_call 1
  uint32_t f = m.func(unary, {},
                      {kI32Const,
                       1,
                       kLocalGet,
                       0,
                       kI32Const,
                       2,
                       kCall,
                       0,
                       kI32Add,
                       kCall,
                       2,
                       kI32Add,
                       kI32Add,
                       kI32Const,
                       0,
                       kCallIndirect,
                       static_cast<uint8_t>(unary),
                       0,
                       kReturnCall,
                       1,
                       kEnd});
  m.func(pair, {}, {kI32Const, 1, kI32Const, 2, kEnd});  // func 2
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(c.func_index, 1u);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 1\n"
            "3: Copy s2, s0\n"
            "6: Const32 s3, 2\n"
            "9: CallFunc 0, 2\n"
            "12: i32.add s1, s1, s2\n"
            "16: CallFunc 2, 2\n"
            "19: i32.add s2, s2, s3\n"
            "23: i32.add s1, s1, s2\n"
            "27: Const32 s2, 0\n"
            "30: CallIndirectOp 1, 0, s2, s1\n"
            "35: ReturnCallFunc 1, 1\n");
  EXPECT_EQ(c.frame_slots, 4u);
}

TEST(Translator, MultiValueReturns) {
  TestModule m;
  uint32_t pair = m.type({}, {I32, I32});
  uint32_t f1 = m.func(pair, {}, {kI32Const, 1, kI32Const, 2, kEnd});
  CompiledFunc c1 = m.translate(f1);
  EXPECT_EQ(disassemble(c1),
            "0: Const32 s0, 1\n"
            "3: Const32 s1, 2\n"
            "6: Return s0, 2\n");

  // (param i32) (result i32 i32):
  // i32.const 9
  // block (type []->[i32 i32])
  //   i32.const 1; i32.const 2; local.get 0; br_if 0
  //   drop; drop; i32.const 3; i32.const 4; i32.const 5; br 0
  // end
  // return
  uint32_t t = m.type({I32}, {I32, I32});
  uint32_t f2 = m.func(t, {}, {kI32Const, 9,     kBlock,    static_cast<uint8_t>(pair),
                               kI32Const, 1,     kI32Const, 2,
                               kLocalGet, 0,     kBrIf,     0,
                               kDrop,     kDrop, kI32Const, 3,
                               kI32Const, 4,     kI32Const, 5,
                               kBr,       0,     kEnd,      kReturn,
                               kEnd});
  CompiledFunc c2 = m.translate(f2);
  EXPECT_EQ(disassemble(c2),
            "0: Const32 s1, 9\n"
            "3: Const32 s2, 1\n"
            "6: Const32 s3, 2\n"
            "9: Copy s4, s0\n"
            "12: BrIfNez s4, @32\n"
            "15: Const32 s2, 3\n"
            "18: Const32 s3, 4\n"
            "21: Const32 s4, 5\n"
            "24: Copy s2, s3\n"
            "27: Copy s3, s4\n"
            "30: Br @32\n"
            "32: Return s2, 2\n");
  EXPECT_EQ(c2.frame_slots, 5u);
}

TEST(Translator, UnreachableCodeIsSkipped) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // block (result i32)
  //   i32.const 1; br 0
  //   i32.const 2; block local.get 0; br_if 0; unreachable end
  //   if (result i32) i32.const 3 else i32.const 4 end; i32.add
  // end
  // local.get 0; if unreachable else nop end
  // block unreachable end        -- nothing reaches past this block
  // i32.const 6; drop
  uint32_t f = m.func(t, {}, {kBlock,       kTypeI32, kI32Const,    1,         kBr,       0,
                              kI32Const,    2,        kBlock,       kVoid,     kLocalGet, 0,
                              kBrIf,        0,        kUnreachable, kEnd,      kIf,       kTypeI32,
                              kI32Const,    3,        kElse,        kI32Const, 4,         kEnd,
                              kI32Add,      kEnd,     kLocalGet,    0,         kIf,       kVoid,
                              kUnreachable, kElse,    kNop,         kEnd,      kBlock,    kVoid,
                              kUnreachable, kEnd,     kI32Const,    6,         kDrop,     kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 1\n"
            "3: Br @5\n"
            "5: Copy s2, s0\n"
            "8: BrIfEqz s2, @13\n"
            "11: Trap 0\n"
            "13: Trap 0\n");
  EXPECT_EQ(c.frame_slots, 3u);
}

TEST(Translator, MemoryTableGlobalAndSelect) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t f = m.func(
      t, {}, {kLocalGet, 0,         kI32Load,  2,           8,         kGlobalGet,  0,    kI32Store, 2,
              4,         kI32Const, 1,         kMemoryGrow, 0,         kGlobalSet,  0,    kI32Const, 0,
              kI32Const, 0xFF,      0x01,      kI32Const,   16,        kPrefixFC,   0x0B, 0,  // memory.fill
              kRefNull,  0x70,      kI32Const, 2,           kPrefixFC, 0x0F,        0,        // table.grow 0
              kI32Const, 7,         kLocalGet, 0,           kSelect,   kMemorySize, 0,    kI32Add,   kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Copy s1, s0\n"
            "3: i32.load s1, s1, 8\n"
            "7: GlobalGetOp s2, 0\n"
            "10: i32.store s1, s2, 4\n"
            "14: Const32 s1, 1\n"
            "17: MemoryGrowOp s1, s1, 0\n"
            "21: GlobalSetOp s1, 0\n"
            "24: Const32 s1, 0\n"
            "27: Const32 s2, 255\n"
            "30: Const32 s3, 16\n"
            "33: MemoryFillOp s1, s2, s3, 0\n"
            "38: Const32 s1, 0\n"
            "41: Const32 s2, 2\n"
            "44: TableGrowOp s1, s1, s2, 0\n"
            "49: Const32 s2, 7\n"
            "52: Copy s3, s0\n"
            "55: SelectOp s1, s1, s2, s3\n"
            "60: MemorySizeOp s2, 0\n"
            "63: i32.add s1, s1, s2\n"
            "67: Return s1, 1\n");
  EXPECT_EQ(c.frame_slots, 4u);
}

TEST(Translator, BulkOperandOrder) {
  TestModule m;
  uint32_t t = m.type({}, {});
  std::vector<uint8_t> body;
  auto three_zeros = [&] {
    for (int i = 0; i < 3; ++i) body.insert(body.end(), {kI32Const, 0});
  };
  three_zeros();
  body.insert(body.end(), {kPrefixFC, 0x08, 2, 0});  // memory.init data 2
  three_zeros();
  body.insert(body.end(), {kPrefixFC, 0x0C, 3, 1});  // table.init elem 3, table 1
  three_zeros();
  body.insert(body.end(), {kPrefixFC, 0x0E, 1, 0});                         // table.copy dst 1, src 0
  body.insert(body.end(), {kPrefixFC, 0x0D, 3, kPrefixFC, 0x09, 2, kEnd});  // elem.drop 3, data.drop 2
  uint32_t f = m.func(t, {}, body);
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s0, 0\n"
            "3: Const32 s1, 0\n"
            "6: Const32 s2, 0\n"
            "9: MemoryInitOp s0, s1, s2, 0, 2\n"
            "15: Const32 s0, 0\n"
            "18: Const32 s1, 0\n"
            "21: Const32 s2, 0\n"
            "24: TableInitOp s0, s1, s2, 1, 3\n"
            "30: Const32 s0, 0\n"
            "33: Const32 s1, 0\n"
            "36: Const32 s2, 0\n"
            "39: TableCopyOp s0, s1, s2, 1, 0\n"
            "45: ElemDropOp 3\n"
            "47: DataDropOp 2\n"
            "49: Return s0, 0\n");
}

TEST(Translator, TranslatorReuseGivesIdenticalCode) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t f1 = m.func(
      t, {}, {kBlock, kTypeI32, kI32Const, 7, kI32Const, 8, kLocalGet, 0, kBrTable, 2, 0, 1, 0, kEnd, kEnd});
  uint32_t f2 = m.func(t, {}, {kLocalGet, 0, kIf, kTypeI32, kI32Const, 1, kElse, kI32Const, 2, kEnd, kEnd});
  Translator translator;
  for (uint32_t f : {f1, f2, f1, f2}) {
    Result<CompiledFunc> reused = translator.translate(m.desc, f);
    ASSERT_TRUE(reused.ok());
    EXPECT_EQ(reused->code, m.translate(f).code);
    EXPECT_EQ(reused->source_map, m.translate(f).source_map);
  }
}

TEST(Translator, TruncatedBodyIsAnError) {
  TestModule m;
  uint32_t t = m.type({}, {});
  uint32_t f = m.func(t, {}, {kBlock, kVoid, kEnd});  // the function's own end is missing
  Result<CompiledFunc> result = translate_function(m.desc, f);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("unexpected end"), std::string::npos);
}

TEST(Isa, NamesAndLengths) {
  EXPECT_STREQ(iop_name(IOp::I32Add), "i32.add");
  EXPECT_STREQ(iop_name(IOp::Copy), "Copy");
  EXPECT_STREQ(iop_name(IOp::BrTable), "BrTable");
  EXPECT_EQ(to_iop(Op::I32Add), IOp::I32Add);

  std::vector<CodeWord> code = {static_cast<CodeWord>(IOp::I32Add), 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 4u);
  code = {static_cast<CodeWord>(IOp::I32Eqz), 0, 0};
  EXPECT_EQ(iop_length(code.data()), 3u);
  code = {static_cast<CodeWord>(IOp::I64Load8S), 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 4u);
  code = {static_cast<CodeWord>(IOp::F64Store), 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 4u);
  code = {static_cast<CodeWord>(IOp::Const64), 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 4u);
  code = {static_cast<CodeWord>(IOp::BrTable), 0, 3, 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 6u);
  code = {static_cast<CodeWord>(IOp::MemoryCopyOp), 0, 0, 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 6u);
}

TEST(Isa, LengthsWalkEveryTranslatedFunction) {
  // iop_length must step exactly from one source map entry to the next.
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t f = m.func(t, {},
                      {kBlock, kTypeI32, kI32Const, 7, kI32Const, 8, kLocalGet, 0, kBrTable, 2, 0, 1, 0, kEnd,
                       kI32Const, 1, kI32Add, kEnd});
  CompiledFunc c = m.translate(f);
  uint32_t pos = 0;
  for (const auto& [code_pos, wasm_offset] : c.source_map) {
    EXPECT_EQ(code_pos, pos);
    pos += iop_length(&c.code[pos]);
  }
  EXPECT_EQ(pos, c.code.size());
}

}  // namespace
}  // namespace waspvm
