// Translator golden tests: small hand-assembled functions and the expected
// disassembly of their internal code (docs/internal-code.md), each worked
// out by hand from the translation rules; the tricky ones are also run end
// to end through the public API.
#include "compile/translator.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compile/disasm.h"
#include "translator_fixture.h"
#include "waspvm/waspvm.h"

namespace waspvm {
namespace {

TEST(Translator, StraightLineArithmetic) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  uint32_t f = m.func(t, {}, {kLocalGet, 0, kLocalGet, 1, kI32Add, kI32Const, 3, kI32Mul, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: i32.add s2, s0, s1\n"     // local.get emits nothing: the add reads the locals
            "4: i32.mul imm s2, s2, 3\n"  // the constant right operand is an immediate
            "8: Return s2, 1\n");
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
  // 0: i32.add (offset 12), 4: i32.mul imm (15), 8: Return (the end, 16).
  std::vector<std::pair<uint32_t, uint32_t>> expected = {{0, 12}, {4, 15}, {8, 16}};
  EXPECT_EQ(c.source_map, expected);
  EXPECT_EQ(c.wasm_offset_at(0), 12u);
  EXPECT_EQ(c.wasm_offset_at(3), 12u);  // inside the i32.add
  EXPECT_EQ(c.wasm_offset_at(7), 15u);  // the immediate of the i32.mul
  EXPECT_EQ(c.wasm_offset_at(9), 16u);

  // A lazy constant that must be materialized (a left operand) is emitted by
  // (and maps to) the instruction that needs it:
  // i32.const 3; local.get 0; local.get 1; i32.add; i32.mul
  uint32_t g = m.func(t, {}, {kI32Const, 3, kLocalGet, 0, kLocalGet, 1, kI32Add, kI32Mul, kEnd});
  CompiledFunc d = m.translate(g);
  EXPECT_EQ(disassemble(d),
            "0: i32.add s3, s0, s1\n"
            "4: Const32 s2, 3\n"
            "7: i32.mul s2, s2, s3\n"
            "11: Return s2, 1\n");
  // The body starts at 17: i32.const at 17, i32.add at 23, i32.mul at 24, end at 25.
  expected = {{0, 23}, {4, 24}, {7, 24}, {11, 25}};
  EXPECT_EQ(d.source_map, expected);
  EXPECT_EQ(d.wasm_offset_at(5), 24u);  // inside the Const32 of the i32.mul
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(4), Value::i32(5)}), 27);
  EXPECT_EQ(run.call_i32(g, {Value::i32(4), Value::i32(5)}), 27);
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
            "0: Const32 s2, 7\n"  // constants go straight into the locals
            "3: Const64 s1, 2, 1\n"
            "7: Copy s2, s0\n"  // the tee; its value stays a lazy local.get 2
            "10: i32.add s3, s2, s2\n"
            "14: Return s3, 1\n");
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
  //   i32.const 10; local.get 0; br_if 0      -- lazy value: materialized on the taken path only
  //   drop; i32.const 5; i32.const 6; br 0    -- 6 goes straight to the landing slot; 5 never exists
  // end
  uint32_t f = m.func(t, {},
                      {kBlock, kTypeI32, kI32Const, 10, kLocalGet, 0, kBrIf, 0, kDrop, kI32Const, 5,
                       kI32Const, 6, kBr, 0, kEnd, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: BrIfEqz s0, @8\n"
            "3: Const32 s1, 10\n"
            "6: Br @13\n"
            "8: Const32 s1, 6\n"
            "11: Br @13\n"
            "13: Return s1, 1\n");
  EXPECT_EQ(c.frame_slots, 3u);
}

TEST(Translator, BrIfToFunctionLabelReturns) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // i32.const 4; local.get 0; br_if 0; i32.const 1; i32.add
  uint32_t f = m.func(t, {}, {kI32Const, 4, kLocalGet, 0, kBrIf, 0, kI32Const, 1, kI32Add, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: BrIfEqz s0, @9\n"
            "3: Const32 s1, 4\n"  // the return's copy does not make the 4 materialized...
            "6: Return s1, 1\n"
            "9: Const32 s1, 4\n"  // ...so the fall-through path materializes it itself
            "12: i32.add imm s1, s1, 1\n"
            "16: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(1)}), 4);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0)}), 5);
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
            "0: i32.add s1, s1, s0\n"     // local.set rewrote the add's destination
            "4: i32.sub imm s0, s0, 1\n"  // local.tee likewise; the top is now a lazy local.get 0
            "8: BrIfNez s0, @0\n"
            "11: Return s1, 1\n");  // returns the local directly
  EXPECT_EQ(c.frame_slots, 4u);
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(4)}), 10);  // 4 + 3 + 2 + 1
}

TEST(Translator, LoopWithParamsCopiesOnBackEdge) {
  TestModule m;
  uint32_t t = m.type({}, {I32});
  uint32_t loop_type = m.type({I32}, {I32});
  // i32.const 0; i32.const 3
  // loop (type [i32]->[i32])
  //   i32.const 1; i32.sub; i32.const 42; i32.const 2; i32.const 1; br_if 0; drop; drop
  // end; i32.add
  // The loop's param (3) is materialized at its entry; the 0 below it stays a
  // lazy constant until the add after the loop; the 42 is never written.
  uint32_t f =
      m.func(t, {}, {kI32Const, 0,         kI32Const, 3,         kLoop, static_cast<uint8_t>(loop_type),
                     kI32Const, 1,         kI32Sub,   kI32Const, 42,    kI32Const,
                     2,         kI32Const, 1,         kBrIf,     0,     kDrop,
                     kDrop,     kEnd,      kI32Add,   kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: Const32 s1, 3\n"
            "3: i32.sub imm s1, s1, 1\n"  // the loop starts here
            "7: Const32 s4, 1\n"          // the br_if condition
            "10: BrIfEqz s4, @18\n"
            "13: Const32 s1, 2\n"  // the back-edge puts the 2 straight into the loop's param slot
            "16: Br @3\n"
            "18: Const32 s0, 0\n"  // the constant below the loop, written where it is used
            "21: i32.add s0, s0, s1\n"
            "25: Return s0, 1\n");
  EXPECT_EQ(c.frame_slots, 5u);
}

TEST(Translator, IfElseWithResults) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // local.get 0; if (result i32) i32.const 1 else i32.const 2 end
  uint32_t f = m.func(t, {}, {kLocalGet, 0, kIf, kTypeI32, kI32Const, 1, kElse, kI32Const, 2, kEnd, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: BrIfEqz s0, @8\n"
            "3: Const32 s1, 1\n"
            "6: Br @11\n"
            "8: Const32 s1, 2\n"
            "11: Return s1, 1\n");
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
            "0: Const32 s1, 5\n"  // the param is materialized before the branch: the false path needs it
            "3: BrIfEqz s0, @10\n"
            "6: i32.mul imm s1, s1, 3\n"
            "10: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(1)}), 15);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0)}), 5);
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
            "0: BrTable s0, [@6, @12, @18]\n"
            "6: Const32 s1, 10\n"
            "9: Return s1, 1\n"
            "12: Const32 s1, 20\n"
            "15: Return s1, 1\n"
            "18: Const32 s1, 30\n"
            "21: Return s1, 1\n");
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
            "0: BrTable s0, [@6, @11, @6]\n"
            "6: Const32 s1, 8\n"  // block stub: the 8 straight into the landing slot
            "9: Br @17\n"
            "11: Const32 s2, 8\n"  // function stub: the 8 into its own slot, returned
            "14: Return s2, 1\n"
            "17: i32.add imm s1, s1, 1\n"
            "21: Return s1, 1\n");
  // The stubs belong to the br_table in the source map.
  EXPECT_EQ(c.wasm_offset_at(6), c.wasm_offset_at(0));
  EXPECT_EQ(c.wasm_offset_at(11), c.wasm_offset_at(0));
  EXPECT_EQ(c.wasm_offset_at(14), c.wasm_offset_at(0));
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
            "0: Copy s2, s0\n"  // only the arguments are materialized for a call
            "3: Const32 s3, 2\n"
            "6: CallFunc 0, 2\n"
            "9: Const32 s1, 1\n"  // the constant below them stays lazy until the add
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
            "0: BrIfEqz s0, @11\n"  // the 9 below the block stays a lazy constant, never written
            "3: Const32 s2, 1\n"
            "6: Const32 s3, 2\n"
            "9: Br @19\n"
            "11: Const32 s2, 4\n"
            "14: Const32 s3, 5\n"
            "17: Br @19\n"
            "19: Return s2, 2\n");
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
            "5: BrIfEqz s0, @10\n"
            "8: Trap 0\n"
            "10: Trap 0\n");
  EXPECT_EQ(c.frame_slots, 3u);
}

// Gas metering: a Gas at the start of every straight-line block with the
// sum of its instructions' costs (docs/internal-code.md §9), a GasPair for a
// block with no code that falls into the next block's Gas, and the metered
// forms of branches (+gas), which charge the Gas they land on.
TEST(Translator, MeteringChargesEachBlockOnce) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t f = m.func(t, {}, {kBlock,    kVoid, kLoop,     kVoid,     // block 0: 2
                              kLocalGet, 0,     kI32Eqz,   kBrIf, 1,  // header: 3
                              kLocalGet, 0,     kI32Const, 1,     kI32Sub, kLocalSet, 0, kBr, 0,  // body: 5
                              kEnd,      kEnd,           // (not reached)
                              kLocalGet, 0,     kEnd});  // exit: 2
  GasCosts costs;
  Result<CompiledFunc> c = translate_function(m.desc, f, PairJoining::Off, &costs);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(disassemble(*c),
            "0: GasPair 2\n"            // block, loop: no code, so paired with the header's Gas
            "2: Gas 3\n"                // the loop header, target of the back-edge
            "4: BrIfEqz+gas s0, @15\n"  // lands on the exit block's Gas
            "7: Gas 5\n"                // after the br_if
            "9: i32.sub imm s0, s0, 1\n"
            "13: Br+gas @2\n"
            "15: Gas 2\n"  // the block's end, reached by the br_if
            "17: Return s0, 1\n");
  // With costs of 10 for i32.sub, the body costs 14.
  ASSERT_TRUE(costs.set("i32.sub", 10).ok());
  c = translate_function(m.desc, f, PairJoining::Off, &costs);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(disassemble(*c).find("7: Gas 14\n"), std::string::npos);
  // Without metering, no Gas at all, and plain branches.
  EXPECT_EQ(disassemble(m.translate(f)).find("Gas"), std::string::npos);
  EXPECT_EQ(disassemble(m.translate(f)).find("+gas"), std::string::npos);
}

// Every instruction that can branch or call has a metered form
// (exec/landing.def) with the same operands, and those are safe points too;
// tail calls, which land through the slow path, and the metered forms
// themselves have none.
TEST(Translator, EveryBranchAndCallHasAMeteredForm) {
  for (uint32_t i = 0; i < static_cast<uint32_t>(IOp::Count); ++i) {
    auto op = static_cast<IOp>(i);
    SCOPED_TRACE(iop_name(op));
    bool is_metered_form = std::string(iop_name(op)).ends_with("+gas");
    bool lands = iop_has_branches(op) || op == IOp::CallFunc || op == IOp::CallIndirectOp ||
                 op == IOp::CopyCallFunc || op == IOp::CopyCallIndirectOp;
    if (is_metered_form) {
      EXPECT_EQ(metered_form(op), IOp::Count);
      EXPECT_TRUE(iop_is_safe_point(op));
      continue;
    }
    IOp metered = metered_form(op);
    if (op == IOp::ReturnCallFunc || op == IOp::ReturnCallIndirectOp || !lands) {
      EXPECT_EQ(metered, IOp::Count);
      continue;
    }
    ASSERT_NE(metered, IOp::Count);
    EXPECT_EQ(std::string(iop_operand_kinds(metered)), iop_operand_kinds(op));
    EXPECT_EQ(std::string(iop_name(metered)), std::string(iop_name(op)) + "+gas");
    EXPECT_EQ(plain_form(metered), op);
  }
}

TEST(Translator, MemoryTableGlobalAndSelect) {
  TestModule m;
  m.desc.globals.push_back(GlobalType{ValType::I32, true});
  uint32_t t = m.type({I32}, {I32});
  uint32_t f = m.func(
      t, {}, {kLocalGet, 0,         kI32Load,  2,           8,         kGlobalGet,  0,    kI32Store, 2,
              4,         kI32Const, 1,         kMemoryGrow, 0,         kGlobalSet,  0,    kI32Const, 0,
              kI32Const, 0xFF,      0x01,      kI32Const,   16,        kPrefixFC,   0x0B, 0,  // memory.fill
              kRefNull,  0x70,      kI32Const, 2,           kPrefixFC, 0x0F,        0,        // table.grow 0
              kI32Const, 7,         kLocalGet, 0,           kSelect,   kMemorySize, 0,    kI32Add,   kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: i32.load s1, s0, 8\n"
            "4: GlobalGetOp s2, 0\n"
            "7: i32.store s1, s2, 4\n"
            "11: Const32 s1, 1\n"
            "14: MemoryGrowOp s1, s1, 0\n"
            "18: GlobalSetOp s1, 0\n"
            "21: Const32 s3, 16\n"  // operands are materialized top first
            "24: Const32 s2, 255\n"
            "27: Const32 s1, 0\n"
            "30: MemoryFillOp s1, s2, s3, 0\n"
            "35: Const32 s2, 2\n"
            "38: Const32 s1, 0\n"  // ref.null
            "41: TableGrowOp s1, s1, s2, 0\n"
            "46: Const32 s2, 7\n"
            "49: SelectOp s1, s1, s2, s0\n"
            "54: MemorySizeOp s2, 0\n"
            "57: i32.add s1, s1, s2\n"
            "61: Return s1, 1\n");
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
            "0: Const32 s2, 0\n"
            "3: Const32 s1, 0\n"
            "6: Const32 s0, 0\n"
            "9: MemoryInitOp s0, s1, s2, 0, 2\n"
            "15: Const32 s2, 0\n"
            "18: Const32 s1, 0\n"
            "21: Const32 s0, 0\n"
            "24: TableInitOp s0, s1, s2, 1, 3\n"
            "30: Const32 s2, 0\n"
            "33: Const32 s1, 0\n"
            "36: Const32 s0, 0\n"
            "39: TableCopyOp s0, s1, s2, 1, 0\n"
            "45: ElemDropOp 3\n"
            "47: DataDropOp 2\n"
            "49: Return s0, 0\n");
}

// ---------------------------------------------------------------- lazy operands

TEST(Translator, LocalSetRewritesTheDestination) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  // (local i32) local.get 0; local.get 1; i32.add; local.set 2; local.get 2
  uint32_t f = m.func(t, {{1, I32}}, {kLocalGet, 0, kLocalGet, 1, kI32Add, kLocalSet, 2, kLocalGet, 2, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: i32.add s2, s0, s1\n"
            "4: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(40), Value::i32(2)}), 42);
}

TEST(Translator, LocalSetCopiesPendingLocalOutFirst) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  // local.get 0; local.get 1; local.set 0; local.get 0; i32.sub   = old a - b
  uint32_t hazard = m.func(t, {}, {kLocalGet, 0, kLocalGet, 1, kLocalSet, 0, kLocalGet, 0, kI32Sub, kEnd});
  EXPECT_EQ(disassemble(m.translate(hazard)),
            "0: Copy s2, s0\n"  // the pending local.get 0, before local 0 changes
            "3: Copy s0, s1\n"
            "6: i32.sub s2, s2, s0\n"
            "10: Return s2, 1\n");
  // The same through the destination rewrite, which must not happen while a
  // lazy copy of the local is pending:
  // local.get 0; local.get 0; local.get 1; i32.add; local.set 0; local.get 0; i32.sub   = a - (a + b)
  uint32_t rewrite = m.func(
      t, {}, {kLocalGet, 0, kLocalGet, 0, kLocalGet, 1, kI32Add, kLocalSet, 0, kLocalGet, 0, kI32Sub, kEnd});
  EXPECT_EQ(disassemble(m.translate(rewrite)),
            "0: i32.add s3, s0, s1\n"
            "4: Copy s2, s0\n"
            "7: Copy s0, s3\n"
            "10: i32.sub s2, s2, s0\n"
            "14: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(hazard, {Value::i32(10), Value::i32(3)}), 7);
  EXPECT_EQ(run.call_i32(rewrite, {Value::i32(10), Value::i32(3)}), -3);
}

TEST(Translator, LocalTee) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // With a lazy copy below: local.get 0; local.get 0; i32.const 5; i32.add; local.tee 0; i32.mul
  //   = a * (a + 5)
  uint32_t below =
      m.func(t, {}, {kLocalGet, 0, kLocalGet, 0, kI32Const, 5, kI32Add, kLocalTee, 0, kI32Mul, kEnd});
  EXPECT_EQ(disassemble(m.translate(below)),
            "0: i32.add imm s2, s0, 5\n"  // no rewrite: the local.get 0 below is pending
            "4: Copy s1, s0\n"
            "7: Copy s0, s2\n"
            "10: i32.mul s1, s1, s2\n"
            "14: Return s1, 1\n");
  // Without: (local i32) local.get 0; i32.const 5; i32.add; local.tee 1; local.get 1; i32.mul
  //   = (a + 5)^2
  uint32_t rewritten =
      m.func(t, {{1, I32}}, {kLocalGet, 0, kI32Const, 5, kI32Add, kLocalTee, 1, kLocalGet, 1, kI32Mul, kEnd});
  EXPECT_EQ(disassemble(m.translate(rewritten)),
            "0: i32.add imm s1, s0, 5\n"  // the tee's value is then read from local 1
            "4: i32.mul s2, s1, s1\n"
            "8: Return s2, 1\n");
  // A constant tee'd into a local is written there once, then read from it:
  // (local i32) i32.const 6; local.tee 1; local.get 0; i32.add
  uint32_t constant = m.func(t, {{1, I32}}, {kI32Const, 6, kLocalTee, 1, kLocalGet, 0, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(constant)),
            "0: Const32 s1, 6\n"
            "3: i32.add s2, s1, s0\n"
            "7: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(below, {Value::i32(4)}), 36);
  EXPECT_EQ(run.call_i32(rewritten, {Value::i32(4)}), 81);
  EXPECT_EQ(run.call_i32(constant, {Value::i32(4)}), 10);
}

TEST(Translator, ConstantsMaterializedOnlyWhereNeeded) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // (local i64) i32.const 7; drop; i64.const 5; local.set 1; local.get 0; i32.const 3; i32.add
  uint32_t f =
      m.func(t, {{1, I64}},
             {kI32Const, 7, kDrop, kI64Const, 5, kLocalSet, 1, kLocalGet, 0, kI32Const, 3, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            // The dropped 7 never exists; the i64 5 goes straight to its local,
            // as a Const32 (a value that fits in 32 bits is zero-extended).
            "0: Const32 s1, 5\n"
            "3: i32.add imm s2, s0, 3\n"  // the 3 is only an immediate
            "7: Return s2, 1\n");
  // A returned constant is written once, where Return reads it.
  uint32_t g = m.func(t, {}, {kI32Const, 42, kEnd});
  EXPECT_EQ(disassemble(m.translate(g)),
            "0: Const32 s1, 42\n"
            "3: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(4)}), 7);
  EXPECT_EQ(run.call_i32(g, {Value::i32(4)}), 42);
}

// ---------------------------------------------------------------- immediate operands

TEST(Translator, I32ImmediateForms) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // local.get 0; i32.const k; op   -- each becomes `op imm s1, s0, k` (k as an unsigned word)
  auto unary_with = [&](std::vector<uint8_t> constant, uint8_t op) {
    std::vector<uint8_t> body = {kLocalGet, 0, kI32Const};
    body.insert(body.end(), constant.begin(), constant.end());
    body.insert(body.end(), {op, kEnd});
    return m.func(t, {}, body);
  };
  uint32_t add = unary_with({7}, kI32Add);
  uint32_t sub = unary_with({0x7D}, kI32Sub);  // -3
  uint32_t shl = unary_with({33}, kI32Shl);    // the count is taken mod 32 at run time
  uint32_t and_ = unary_with({0xFF, 0x01}, kI32And);
  uint32_t div_zero = unary_with({0}, kI32DivS);
  uint32_t div_minus_one = unary_with({0x7F}, kI32DivS);
  uint32_t rem_minus_one = unary_with({0x7F}, kI32RemS);
  const std::pair<uint32_t, const char*> expected[] = {
      {add, "0: i32.add imm s1, s0, 7\n"},
      {sub, "0: i32.sub imm s1, s0, 4294967293\n"},
      {shl, "0: i32.shl imm s1, s0, 33\n"},
      {and_, "0: i32.and imm s1, s0, 255\n"},
      {div_zero, "0: i32.div_s imm s1, s0, 0\n"},
      {div_minus_one, "0: i32.div_s imm s1, s0, 4294967295\n"},
      {rem_minus_one, "0: i32.rem_s imm s1, s0, 4294967295\n"},
  };
  for (auto [f, first] : expected) {
    CompiledFunc c = m.translate(f);
    EXPECT_EQ(disassemble(c), std::string(first) + "4: Return s1, 1\n");
    EXPECT_EQ(c.frame_slots, 3u);  // the constant's stack position still counts
    EXPECT_EQ(iop_length(c.code.data()), 4u);
  }
  Runner run(m);
  EXPECT_EQ(run.call_i32(add, {Value::i32(35)}), 42);
  EXPECT_EQ(run.call_i32(add, {Value::i32(kMax)}), kMin + 6);
  EXPECT_EQ(run.call_i32(sub, {Value::i32(1)}), 4);
  EXPECT_EQ(run.call_i32(sub, {Value::i32(kMax)}), kMin + 2);
  EXPECT_EQ(run.call_i32(shl, {Value::i32(5)}), 10);
  EXPECT_EQ(run.call_i32(shl, {Value::i32(0x40000000)}), kMin);
  EXPECT_EQ(run.call_i32(and_, {Value::i32(0x1234)}), 0x34);
  EXPECT_EQ(run.call_i32(and_, {Value::i32(-1)}), 255);
  EXPECT_EQ(run.trap_message(div_zero, {Value::i32(7)}), "integer divide by zero");
  EXPECT_EQ(run.trap_message(div_zero, {Value::i32(0)}), "integer divide by zero");
  EXPECT_EQ(run.trap_message(div_minus_one, {Value::i32(kMin)}), "integer overflow");
  EXPECT_EQ(run.call_i32(div_minus_one, {Value::i32(7)}), -7);
  EXPECT_EQ(run.call_i32(rem_minus_one, {Value::i32(kMin)}), 0);  // no trap for rem_s
}

TEST(Translator, I64ImmediateFormsAreSignExtended) {
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  TestModule m;
  uint32_t t = m.type({I64}, {I64});
  auto unary_with = [&](std::vector<uint8_t> constant, uint8_t op) {
    std::vector<uint8_t> body = {kLocalGet, 0, kI64Const};
    body.insert(body.end(), constant.begin(), constant.end());
    body.insert(body.end(), {op, kEnd});
    return m.func(t, {}, body);
  };
  // Constants in [INT32_MIN, INT32_MAX] are immediates.
  uint32_t add_minus_one = unary_with({0x7F}, kI64Add);
  uint32_t sub_int32_min = unary_with({0x80, 0x80, 0x80, 0x80, 0x78}, kI64Sub);  // -2^31
  uint32_t and_int32_max = unary_with({0xFF, 0xFF, 0xFF, 0xFF, 0x07}, kI64And);  // 2^31 - 1
  uint32_t div_minus_one = unary_with({0x7F}, kI64DivS);
  // Others take the 64-bit immediate form: their low 32 bits sign-extended
  // would be another value.
  uint32_t add_uint32_max = unary_with({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, kI64Add);          // 2^32 - 1
  uint32_t and_int32_max_plus_one = unary_with({0x80, 0x80, 0x80, 0x80, 0x08}, kI64And);  // 2^31
  EXPECT_EQ(disassemble(m.translate(add_minus_one)),
            "0: i64.add imm s1, s0, 4294967295\n"
            "4: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(sub_int32_min)),
            "0: i64.sub imm s1, s0, 2147483648\n"
            "4: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(and_int32_max)),
            "0: i64.and imm s1, s0, 2147483647\n"
            "4: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(div_minus_one)),
            "0: i64.div_s imm s1, s0, 4294967295\n"
            "4: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(add_uint32_max)),
            "0: i64.add imm64 s1, s0, 4294967295, 0\n"
            "5: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(and_int32_max_plus_one)),
            "0: i64.and imm64 s1, s0, 2147483648, 0\n"
            "5: Return s1, 1\n");
  Runner run(m);
  // Zero extension would give 4294967295 and 2^32 + 4294967295.
  EXPECT_EQ(run.call_i64(add_minus_one, {Value::i64(0)}), -1);
  EXPECT_EQ(run.call_i64(add_minus_one, {Value::i64(1ll << 32)}), 4294967295ll);
  EXPECT_EQ(run.call_i64(sub_int32_min, {Value::i64(0)}), 2147483648ll);
  EXPECT_EQ(run.call_i64(sub_int32_min, {Value::i64(-2147483648ll)}), 0);
  EXPECT_EQ(run.call_i64(and_int32_max, {Value::i64(-1)}), 2147483647ll);
  EXPECT_EQ(run.trap_message(div_minus_one, {Value::i64(kMin64)}), "integer overflow");
  EXPECT_EQ(run.call_i64(div_minus_one, {Value::i64(1ll << 40)}), -(1ll << 40));
  EXPECT_EQ(run.call_i64(add_uint32_max, {Value::i64(1)}), 4294967296ll);
  EXPECT_EQ(run.call_i64(and_int32_max_plus_one, {Value::i64(-1)}), 2147483648ll);
}

TEST(Translator, ConstantLeftOperandIsNotAnImmediate) {
  TestModule m;
  // i32.const 10; local.get 0; i32.sub   = 10 - a
  uint32_t left = m.func(m.type({I32}, {I32}), {}, {kI32Const, 10, kLocalGet, 0, kI32Sub, kEnd});
  EXPECT_EQ(disassemble(m.translate(left)),
            "0: Const32 s1, 10\n"
            "3: i32.sub s1, s1, s0\n"
            "7: Return s1, 1\n");
  // i32.const 10; i32.const 3; i32.sub   = 7: the left one is materialized, the right one is the immediate
  uint32_t both = m.func(m.type({}, {I32}), {}, {kI32Const, 10, kI32Const, 3, kI32Sub, kEnd});
  EXPECT_EQ(disassemble(m.translate(both)),
            "0: Const32 s0, 10\n"
            "3: i32.sub imm s0, s0, 3\n"
            "7: Return s0, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(left, {Value::i32(3)}), 7);
  EXPECT_EQ(run.call_i32(left, {Value::i32(15)}), -5);
  EXPECT_EQ(run.call_i32(both, {}), 7);
}

TEST(Translator, ComparisonWithConstantStillFuses) {
  TestModule m;
  // block; local.get 0; i32.const 5; i32.lt_s; br_if 0; i32.const 0; return; end; i32.const 1
  uint32_t br_if = m.func(m.type({I32}, {I32}), {},
                          {kBlock, kVoid, kLocalGet, 0, kI32Const, 5, kI32LtS, kBrIf, 0, kI32Const, 0,
                           kReturn, kEnd, kI32Const, 1, kEnd});
  // `i32.lt_s imm s1, s0, 5` fused with the br_if: the constant is never written.
  EXPECT_EQ(disassemble(m.translate(br_if)),
            "0: BrIfI32LtSImm s0, 5, @10\n"
            "4: Const32 s1, 0\n"
            "7: Return s1, 1\n"
            "10: Const32 s1, 1\n"
            "13: Return s1, 1\n");
  // The same with i64.lt_s and -1: the immediate is sign-extended.
  uint32_t br_if64 = m.func(m.type({I64}, {I32}), {},
                            {kBlock, kVoid, kLocalGet, 0, kI64Const, 0x7F, kI64LtS, kBrIf, 0, kI32Const, 0,
                             kReturn, kEnd, kI32Const, 1, kEnd});
  EXPECT_EQ(disassemble(m.translate(br_if64)),
            "0: BrIfI64LtSImm s0, 4294967295, @10\n"
            "4: Const32 s1, 0\n"
            "7: Return s1, 1\n"
            "10: Const32 s1, 1\n"
            "13: Return s1, 1\n");
  // local.get 0; i64.const 10; i64.gt_u; if (result i32) i32.const 1 else i32.const 0 end
  uint32_t if_else = m.func(
      m.type({I64}, {I32}), {},
      {kLocalGet, 0, kI64Const, 10, kI64GtU, kIf, kTypeI32, kI32Const, 1, kElse, kI32Const, 0, kEnd, kEnd});
  EXPECT_EQ(disassemble(m.translate(if_else)),
            "0: BrIfI64LeUImm s0, 10, @9\n"  // `if` branches on the negation
            "4: Const32 s1, 1\n"
            "7: Br @12\n"
            "9: Const32 s1, 0\n"
            "12: Return s1, 1\n");
  // Not followed by a branch, the comparison keeps its immediate form:
  // local.get 0; i32.const 5; i32.lt_s
  uint32_t value = m.func(m.type({I32}, {I32}), {}, {kLocalGet, 0, kI32Const, 5, kI32LtS, kEnd});
  EXPECT_EQ(disassemble(m.translate(value)),
            "0: i32.lt_s imm s1, s0, 5\n"
            "4: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(br_if, {Value::i32(4)}), 1);
  EXPECT_EQ(run.call_i32(br_if, {Value::i32(5)}), 0);
  EXPECT_EQ(run.call_i32(br_if, {Value::i32(-1)}), 1);
  EXPECT_EQ(run.call_i32(br_if64, {Value::i64(-2)}), 1);
  EXPECT_EQ(run.call_i32(br_if64, {Value::i64(-1)}), 0);
  EXPECT_EQ(run.call_i32(br_if64, {Value::i64(5)}), 0);  // 5 < 4294967295 if zero-extended
  EXPECT_EQ(run.call_i32(if_else, {Value::i64(11)}), 1);
  EXPECT_EQ(run.call_i32(if_else, {Value::i64(10)}), 0);
  EXPECT_EQ(run.call_i32(if_else, {Value::i64(-1)}), 1);  // unsigned
  EXPECT_EQ(run.call_i32(value, {Value::i32(-7)}), 1);
  EXPECT_EQ(run.call_i32(value, {Value::i32(7)}), 0);
}

TEST(Translator, FloatConstantsAreImmediates) {
  TestModule m;
  // local.get 0; f32.const 1.5; f32.add
  uint32_t f32_add =
      m.func(m.type({F32}, {F32}), {}, {kLocalGet, 0, kF32Const, 0x00, 0x00, 0xC0, 0x3F, kF32Add, kEnd});
  // local.get 0; f64.const 2.0; f64.mul
  uint32_t f64_mul =
      m.func(m.type({F64}, {F64}), {}, {kLocalGet, 0, kF64Const, 0, 0, 0, 0, 0, 0, 0, 0x40, kF64Mul, kEnd});
  // f32: the bit pattern as a 32-bit immediate; f64: a 64-bit immediate.
  EXPECT_EQ(disassemble(m.translate(f32_add)),
            "0: f32.add imm s1, s0, 1069547520\n"  // 0x3FC00000
            "4: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(f64_mul)),
            "0: f64.mul imm64 s1, s0, 0, 1073741824\n"  // 0x40000000'00000000
            "5: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(std::bit_cast<float>(static_cast<uint32_t>(run.call(f32_add, {Value::f32(2.25f)}))), 3.75f);
  EXPECT_EQ(std::bit_cast<double>(run.call(f64_mul, {Value::f64(-1.25)})), -2.5);
}

TEST(Translator, LocalSetRewritesAnImmediateForm) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // (local i32) local.get 0; i32.const 6; i32.mul; local.set 1; local.get 1; local.get 0; i32.add   = 7a
  uint32_t other =
      m.func(t, {{1, I32}},
             {kLocalGet, 0, kI32Const, 6, kI32Mul, kLocalSet, 1, kLocalGet, 1, kLocalGet, 0, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(other)),
            "0: i32.mul imm s1, s0, 6\n"
            "4: i32.add s2, s1, s0\n"
            "8: Return s2, 1\n");
  // In place: local.get 0; i32.const 1; i32.shl; local.set 0; local.get 0   = 2a
  uint32_t in_place = m.func(t, {}, {kLocalGet, 0, kI32Const, 1, kI32Shl, kLocalSet, 0, kLocalGet, 0, kEnd});
  EXPECT_EQ(disassemble(m.translate(in_place)),
            "0: i32.shl imm s0, s0, 1\n"
            "4: Return s0, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(other, {Value::i32(5)}), 35);
  EXPECT_EQ(run.call_i32(in_place, {Value::i32(21)}), 42);
}

TEST(Translator, AddImmediateFoldsIntoLoadAddress) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  // local.get 0; i32.const 12; i32.add; local.get 1; i32.store
  // local.get 0; i32.const 4; i32.add; i32.load offset=8      = the value stored at a + 12
  uint32_t f = m.func(m.type({I32, I32}, {I32}), {},
                      {kLocalGet, 0, kI32Const, 12, kI32Add, kLocalGet, 1, kI32Store, kAlign4, 0, kLocalGet,
                       0, kI32Const, 4, kI32Add, kI32Load, kAlign4, 8, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: i32.add imm s2, s0, 12\n"  // stores are not folded
            "4: i32.store s2, s1, 0\n"
            "8: i32.load +imm s2, s0, 4, 8\n"  // the add is deleted: the load adds 4 (mod 2^32), then 8
            "13: Return s2, 1\n");
  // local.get 0; i32.const 4; i32.add; i32.load offset=8
  uint32_t g =
      m.func(m.type({I32}, {I32}), {}, {kLocalGet, 0, kI32Const, 4, kI32Add, kI32Load, kAlign4, 8, kEnd});
  EXPECT_EQ(disassemble(m.translate(g)),
            "0: i32.load +imm s1, s0, 4, 8\n"
            "5: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(100), Value::i32(77)}), 77);
  EXPECT_EQ(run.call_i32(f, {Value::i32(-4), Value::i32(78)}), 78);  // -4 + 4 wraps to 0; address 8
  EXPECT_EQ(run.call_i32(g, {Value::i32(65520)}), 0);                // the last word of the page
  EXPECT_EQ(run.trap_message(g, {Value::i32(65521)}), "out of bounds memory access");
  // -8 + 4 = 0xFFFFFFFC; + 8 does not wrap: 2^32 + 4 is out of bounds.
  EXPECT_EQ(run.trap_message(g, {Value::i32(-8)}), "out of bounds memory access");
}

TEST(Translator, ConstantStoresTakeImmediates) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  constexpr uint8_t kI64Store = 0x37, kI64Load = 0x29, kAlign8 = 3;
  // local.get 0; i32.const 7; i32.store offset=4; local.get 0; i32.load offset=4
  uint32_t narrow =
      m.func(m.type({I32}, {I32}), {},
             {kLocalGet, 0, kI32Const, 7, kI32Store, kAlign4, 4, kLocalGet, 0, kI32Load, kAlign4, 4, kEnd});
  // local.get 0; i64.const -1; i64.store; local.get 0; i64.load   (sign-extended immediate)
  uint32_t minus_one = m.func(
      m.type({I32}, {I64}), {},
      {kLocalGet, 0, kI64Const, 0x7F, kI64Store, kAlign8, 0, kLocalGet, 0, kI64Load, kAlign8, 0, kEnd});
  // local.get 0; i64.const 2^32; i64.store; ...   (does not fit: register form)
  uint32_t wide = m.func(m.type({I32}, {I64}), {},
                         {kLocalGet, 0, kI64Const, 0x80, 0x80, 0x80, 0x80, 0x10, kI64Store, kAlign8, 0,
                          kLocalGet, 0, kI64Load, kAlign8, 0, kEnd});
  EXPECT_EQ(disassemble(m.translate(narrow)),
            "0: i32.store imm s0, 7, 4\n"
            "4: i32.load s1, s0, 4\n"
            "8: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(minus_one)),
            "0: i64.store imm s0, 4294967295, 0\n"
            "4: i64.load s1, s0, 0\n"
            "8: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(wide)),
            "0: Const64 s2, 0, 1\n"
            "4: i64.store s0, s2, 0\n"
            "8: i64.load s1, s0, 0\n"
            "12: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(narrow, {Value::i32(100)}), 7);
  EXPECT_EQ(run.call_i64(minus_one, {Value::i32(200)}), -1);
  EXPECT_EQ(run.call_i64(wide, {Value::i32(300)}), 1ll << 32);
  EXPECT_EQ(run.trap_message(narrow, {Value::i32(65532)}), "out of bounds memory access");
}

// ---------------------------------------------------------------- fused branches

struct CompareCase {
  uint8_t opcode;
  bool wide;
  const char* fused;    // br_if form
  const char* negated;  // if form
  bool (*holds)(int64_t, int64_t);
};

constexpr CompareCase kCompares[] = {
    {0x46, false, "BrIfI32Eq", "BrIfI32Ne", [](int64_t a, int64_t b) { return int32_t(a) == int32_t(b); }},
    {0x47, false, "BrIfI32Ne", "BrIfI32Eq", [](int64_t a, int64_t b) { return int32_t(a) != int32_t(b); }},
    {0x48, false, "BrIfI32LtS", "BrIfI32GeS", [](int64_t a, int64_t b) { return int32_t(a) < int32_t(b); }},
    {0x49, false, "BrIfI32LtU", "BrIfI32GeU", [](int64_t a, int64_t b) { return uint32_t(a) < uint32_t(b); }},
    {0x4A, false, "BrIfI32GtS", "BrIfI32LeS", [](int64_t a, int64_t b) { return int32_t(a) > int32_t(b); }},
    {0x4B, false, "BrIfI32GtU", "BrIfI32LeU", [](int64_t a, int64_t b) { return uint32_t(a) > uint32_t(b); }},
    {0x4C, false, "BrIfI32LeS", "BrIfI32GtS", [](int64_t a, int64_t b) { return int32_t(a) <= int32_t(b); }},
    {0x4D, false, "BrIfI32LeU", "BrIfI32GtU",
     [](int64_t a, int64_t b) { return uint32_t(a) <= uint32_t(b); }},
    {0x4E, false, "BrIfI32GeS", "BrIfI32LtS", [](int64_t a, int64_t b) { return int32_t(a) >= int32_t(b); }},
    {0x4F, false, "BrIfI32GeU", "BrIfI32LtU",
     [](int64_t a, int64_t b) { return uint32_t(a) >= uint32_t(b); }},
    {0x51, true, "BrIfI64Eq", "BrIfI64Ne", [](int64_t a, int64_t b) { return a == b; }},
    {0x52, true, "BrIfI64Ne", "BrIfI64Eq", [](int64_t a, int64_t b) { return a != b; }},
    {0x53, true, "BrIfI64LtS", "BrIfI64GeS", [](int64_t a, int64_t b) { return a < b; }},
    {0x54, true, "BrIfI64LtU", "BrIfI64GeU", [](int64_t a, int64_t b) { return uint64_t(a) < uint64_t(b); }},
    {0x55, true, "BrIfI64GtS", "BrIfI64LeS", [](int64_t a, int64_t b) { return a > b; }},
    {0x56, true, "BrIfI64GtU", "BrIfI64LeU", [](int64_t a, int64_t b) { return uint64_t(a) > uint64_t(b); }},
    {0x57, true, "BrIfI64LeS", "BrIfI64GtS", [](int64_t a, int64_t b) { return a <= b; }},
    {0x58, true, "BrIfI64LeU", "BrIfI64GtU", [](int64_t a, int64_t b) { return uint64_t(a) <= uint64_t(b); }},
    {0x59, true, "BrIfI64GeS", "BrIfI64LtS", [](int64_t a, int64_t b) { return a >= b; }},
    {0x5A, true, "BrIfI64GeU", "BrIfI64LtU", [](int64_t a, int64_t b) { return uint64_t(a) >= uint64_t(b); }},
};

TEST(Translator, FusedCompareAndBranch) {
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
  const std::pair<int64_t, int64_t> pairs[] = {{0, 0},
                                               {1, 2},
                                               {2, 1},
                                               {-1, 1},
                                               {1, -1},
                                               {-5, -5},
                                               {INT32_MIN, INT32_MAX},
                                               {INT32_MAX, INT32_MIN},
                                               {kMin64, kMax64},
                                               {kMax64, kMin64},
                                               {1ll << 32, 1}};
  for (const CompareCase& cmp : kCompares) {
    SCOPED_TRACE(cmp.fused);
    TestModule m;
    ValType operand = cmp.wide ? I64 : I32;
    uint32_t t = m.type({operand, operand}, {I32});
    // block; local.get 0; local.get 1; cmp; br_if 0; i32.const 0; return; end; i32.const 1
    uint32_t br_if = m.func(t, {},
                            {kBlock, kVoid, kLocalGet, 0, kLocalGet, 1, cmp.opcode, kBrIf, 0, kI32Const, 0,
                             kReturn, kEnd, kI32Const, 1, kEnd});
    EXPECT_EQ(disassemble(m.translate(br_if)), std::string("0: ") + cmp.fused +
                                                   " s0, s1, @10\n"
                                                   "4: Const32 s2, 0\n"
                                                   "7: Return s2, 1\n"
                                                   "10: Const32 s2, 1\n"
                                                   "13: Return s2, 1\n");
    // local.get 0; local.get 1; cmp; if (result i32) i32.const 1 else i32.const 0 end
    uint32_t if_else = m.func(t, {},
                              {kLocalGet, 0, kLocalGet, 1, cmp.opcode, kIf, kTypeI32, kI32Const, 1, kElse,
                               kI32Const, 0, kEnd, kEnd});
    EXPECT_EQ(disassemble(m.translate(if_else)), std::string("0: ") + cmp.negated +
                                                     " s0, s1, @9\n"
                                                     "4: Const32 s2, 1\n"
                                                     "7: Br @12\n"
                                                     "9: Const32 s2, 0\n"
                                                     "12: Return s2, 1\n");
    Runner run(m);
    for (auto [a, b] : pairs) {
      Value va = cmp.wide ? Value::i64(a) : Value::i32(static_cast<int32_t>(a));
      Value vb = cmp.wide ? Value::i64(b) : Value::i32(static_cast<int32_t>(b));
      int32_t expected = cmp.holds(a, b) ? 1 : 0;
      EXPECT_EQ(run.call_i32(br_if, {va, vb}), expected) << a << " " << b;
      EXPECT_EQ(run.call_i32(if_else, {va, vb}), expected) << a << " " << b;
    }
  }
}

TEST(Translator, FusedBrIfNeedingCopiesBranchesOnTheNegation) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  // block (result i32) i32.const 1; local.get 0; local.get 1; i32.lt_u; br_if 0; drop; i32.const 2 end
  uint32_t f = m.func(t, {},
                      {kBlock, kTypeI32, kI32Const, 1, kLocalGet, 0, kLocalGet, 1, kI32LtU, kBrIf, 0, kDrop,
                       kI32Const, 2, kEnd, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: BrIfI32GeU s0, s1, @9\n"  // skip the copy when the comparison fails
            "4: Const32 s2, 1\n"
            "7: Br @12\n"
            "9: Const32 s2, 2\n"
            "12: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(1), Value::i32(2)}), 1);
  EXPECT_EQ(run.call_i32(f, {Value::i32(2), Value::i32(1)}), 2);
  EXPECT_EQ(run.call_i32(f, {Value::i32(-1), Value::i32(1)}), 2);
}

TEST(Translator, EqzThenBrIf) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // block; local.get 0; i32.eqz; br_if 0; i32.const 7; return; end; i32.const 9
  uint32_t f = m.func(
      t, {},
      {kBlock, kVoid, kLocalGet, 0, kI32Eqz, kBrIf, 0, kI32Const, 7, kReturn, kEnd, kI32Const, 9, kEnd});
  // Fused: `i32.eqz; br_if` jumps when the operand is zero.
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: BrIfEqz s0, @9\n"
            "3: Const32 s1, 7\n"
            "6: Return s1, 1\n"
            "9: Const32 s1, 9\n"
            "12: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0)}), 9);
  EXPECT_EQ(run.call_i32(f, {Value::i32(5)}), 7);
}

TEST(Translator, BitTestFusesWithBranches) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t t2 = m.type({I32, I32}, {I32});
  // block; local.get 0; i32.const 4; i32.and; br_if 0; i32.const 7; return; end; i32.const 9
  uint32_t brif_imm = m.func(t, {},
                             {kBlock, kVoid, kLocalGet, 0, kI32Const, 4, kI32And, kBrIf, 0, kI32Const, 7,
                              kReturn, kEnd, kI32Const, 9, kEnd});
  // local.get 0; local.get 1; i32.and; if (result i32) i32.const 1 else i32.const 2 end
  uint32_t if_reg = m.func(
      t2, {},
      {kLocalGet, 0, kLocalGet, 1, kI32And, kIf, kTypeI32, kI32Const, 1, kElse, kI32Const, 2, kEnd, kEnd});
  EXPECT_EQ(disassemble(m.translate(brif_imm)),
            "0: BrIfI32AndImm s0, 4, @10\n"  // jumps when x & 4 != 0
            "4: Const32 s1, 7\n"
            "7: Return s1, 1\n"
            "10: Const32 s1, 9\n"
            "13: Return s1, 1\n");
  EXPECT_EQ(disassemble(m.translate(if_reg)),
            "0: BrIfI32AndZ s0, s1, @9\n"  // to the else branch when a & b == 0
            "4: Const32 s2, 1\n"
            "7: Br @12\n"
            "9: Const32 s2, 2\n"
            "12: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(brif_imm, {Value::i32(4)}), 9);
  EXPECT_EQ(run.call_i32(brif_imm, {Value::i32(-1)}), 9);
  EXPECT_EQ(run.call_i32(brif_imm, {Value::i32(3)}), 7);
  EXPECT_EQ(run.call_i32(if_reg, {Value::i32(6), Value::i32(3)}), 1);
  EXPECT_EQ(run.call_i32(if_reg, {Value::i32(6), Value::i32(9)}), 2);
}

// Regression: the return stub for the function's label used to mark the lazy
// constant as materialized, so a later entry for the block went straight to
// the block's end without its copy.
TEST(Translator, BrTableFunctionLabelStubDoesNotMaterialize) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // block (result i32) i32.const 7; local.get 0; br_table 1 0 1 0 end; i32.const 1; i32.add
  uint32_t f = m.func(t, {},
                      {kBlock, kTypeI32, kI32Const, 7, kLocalGet, 0, kBrTable, 3, 1, 0, 1, 0, kEnd, kI32Const,
                       1, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: BrTable s0, [@7, @13, @7, @13]\n"
            "7: Const32 s1, 7\n"
            "10: Return s1, 1\n"
            "13: Const32 s1, 7\n"  // every entry for the block goes through its copy
            "16: Br @18\n"
            "18: i32.add imm s1, s1, 1\n"
            "22: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0)}), 7);
  EXPECT_EQ(run.call_i32(f, {Value::i32(1)}), 8);
  EXPECT_EQ(run.call_i32(f, {Value::i32(2)}), 7);
  EXPECT_EQ(run.call_i32(f, {Value::i32(3)}), 8);
  EXPECT_EQ(run.call_i32(f, {Value::i32(100)}), 8);  // the default
}

TEST(Translator, LazyLocalsMaterializedBeforeLoop) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // local.get 0; i32.const 50
  // loop local.get 0; i32.const 1; i32.sub; local.tee 0; br_if 0 end
  // i32.add        = the original a + 50, though local 0 ends at 0
  uint32_t f = m.func(t, {},
                      {kLocalGet, 0, kI32Const, 50, kLoop, kVoid, kLocalGet, 0, kI32Const, 1, kI32Sub,
                       kLocalTee, 0, kBrIf, 0, kEnd, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: Copy s1, s0\n"            // the pending local.get 0, copied before the loop changes it
            "3: i32.sub imm s0, s0, 1\n"  // the loop starts here: the back-edge skips the copy above
            "7: BrIfNez s0, @3\n"
            "10: i32.add imm s1, s1, 50\n"  // the constant stayed lazy across the loop
            "14: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(5)}), 55);
  EXPECT_EQ(run.call_i32(f, {Value::i32(1)}), 51);
}

TEST(Translator, LazyLocalAcrossBlockAndBrIf) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t t2 = m.type({I32, I32}, {I32});
  // local.get 0; block i32.const 9; local.set 0 end; local.get 0; i32.add   = a + 9
  uint32_t across_block = m.func(
      t, {}, {kLocalGet, 0, kBlock, kVoid, kI32Const, 9, kLocalSet, 0, kEnd, kLocalGet, 0, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(across_block)),
            "0: Copy s1, s0\n"  // materialized at the block's entry
            "3: Const32 s0, 9\n"
            "6: i32.add s1, s1, s0\n"
            "10: Return s1, 1\n");
  // block (result i32) local.get 0; local.get 1; br_if 0; i32.const 5; local.set 0; drop; local.get 0 end
  //   = b ? a : 5
  uint32_t br_if = m.func(t2, {},
                          {kBlock, kTypeI32, kLocalGet, 0, kLocalGet, 1, kBrIf, 0, kI32Const, 5, kLocalSet, 0,
                           kDrop, kLocalGet, 0, kEnd, kEnd});
  EXPECT_EQ(disassemble(m.translate(br_if)),
            "0: BrIfEqz s1, @8\n"
            "3: Copy s2, s0\n"
            "6: Br @17\n"
            "8: Copy s2, s0\n"  // protect_local: the fall-through path still holds the pending copy
            "11: Const32 s0, 5\n"
            "14: Copy s2, s0\n"
            "17: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(across_block, {Value::i32(1)}), 10);
  EXPECT_EQ(run.call_i32(br_if, {Value::i32(7), Value::i32(1)}), 7);
  EXPECT_EQ(run.call_i32(br_if, {Value::i32(7), Value::i32(0)}), 5);
}

// Small functions with tricky local/stack interplay, run end to end; the
// expected results are computed by hand.
TEST(Translator, EndToEndLocalStackInterplay) {
  TestModule m;
  uint32_t binary = m.type({I32, I32}, {I32});
  uint32_t unary = m.type({I32}, {I32});
  uint32_t wide = m.type({I64}, {I64});
  // Swap through the stack: local.get 0; local.get 1; local.set 0; local.set 1;
  // local.get 0; i32.const 10; i32.mul; local.get 1; i32.add   = b * 10 + a
  uint32_t swap = m.func(binary, {},
                         {kLocalGet, 0, kLocalGet, 1, kLocalSet, 0, kLocalSet, 1, kLocalGet, 0, kI32Const, 10,
                          kI32Mul, kLocalGet, 1, kI32Add, kEnd});
  // Fibonacci with (a, b) = (b, a + b) written through a pending local.get 2:
  // (local i32 i32) i32.const 0; local.set 1; i32.const 1; local.set 2
  // block loop
  //   local.get 0; i32.eqz; br_if 1
  //   local.get 2; local.get 1; local.get 2; i32.add; local.set 2; local.set 1
  //   local.get 0; i32.const 1; i32.sub; local.set 0; br 0
  // end end; local.get 1
  uint32_t fib = m.func(
      unary, {{2, I32}},
      {kI32Const, 0,         kLocalSet, 1,       kI32Const, 1,    kLocalSet, 2, kBlock,    kVoid, kLoop,
       kVoid,     kLocalGet, 0,         kI32Eqz, kBrIf,     1,    kLocalGet, 2, kLocalGet, 1,     kLocalGet,
       2,         kI32Add,   kLocalSet, 2,       kLocalSet, 1,    kLocalGet, 0, kI32Const, 1,     kI32Sub,
       kLocalSet, 0,         kBr,       0,       kEnd,      kEnd, kLocalGet, 1, kEnd});
  // Sum of 0..n-1 (at least one iteration) with an i64 fused back-edge:
  // (local i64 i64) loop
  //   local.get 2; local.get 1; i64.add; local.set 2
  //   local.get 1; i64.const 1; i64.add; local.tee 1; local.get 0; i64.lt_s; br_if 0
  // end; local.get 2
  uint32_t sum = m.func(wide, {{2, I64}},
                        {kLoop,     kVoid, kLocalGet, 2,    kLocalGet, 1,         kI64Add, kLocalSet, 2,
                         kLocalGet, 1,     kI64Const, 1,    kI64Add,   kLocalTee, 1,       kLocalGet, 0,
                         kI64LtS,   kBrIf, 0,         kEnd, kLocalGet, 2,         kEnd});
  EXPECT_EQ(disassemble(m.translate(sum)),
            "0: i64.add s2, s2, s1\n"
            "4: i64.add imm s1, s1, 1\n"
            "8: BrIfI64LtS s1, s0, @0\n"
            "12: Return s2, 1\n");
  // Same local read at three stack depths around a write:
  // local.get 0; local.get 0; i32.const 1; i32.add; local.tee 0; local.get 0; i32.mul; i32.sub
  //   = a - (a + 1)^2
  uint32_t depths = m.func(unary, {},
                           {kLocalGet, 0, kLocalGet, 0, kI32Const, 1, kI32Add, kLocalTee, 0, kLocalGet, 0,
                            kI32Mul, kI32Sub, kEnd});
  Runner run(m);
  EXPECT_EQ(run.call_i32(swap, {Value::i32(3), Value::i32(4)}), 43);
  EXPECT_EQ(run.call_i32(fib, {Value::i32(0)}), 0);
  EXPECT_EQ(run.call_i32(fib, {Value::i32(1)}), 1);
  EXPECT_EQ(run.call_i32(fib, {Value::i32(10)}), 55);
  EXPECT_EQ(run.call_i32(fib, {Value::i32(20)}), 6765);
  EXPECT_EQ(static_cast<int64_t>(run.call(sum, {Value::i64(10)})), 45);
  EXPECT_EQ(static_cast<int64_t>(run.call(sum, {Value::i64(0)})), 0);
  EXPECT_EQ(static_cast<int64_t>(run.call(sum, {Value::i64(100000)})), 4999950000);
  EXPECT_EQ(run.call_i32(depths, {Value::i32(3)}), -13);
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
  EXPECT_STREQ(iop_name(IOp::I32AddImm), "i32.add imm");
  EXPECT_EQ(derived_form(Op::I32Add, Derived::Imm), IOp::I32AddImm);
  EXPECT_EQ(derived_form(Op::I64DivS, Derived::Imm), IOp::I64DivSImm);
  EXPECT_EQ(derived_form(Op::F64Mul, Derived::Imm64), IOp::F64MulImm64);
  EXPECT_EQ(derived_form(Op::I32Load8U, Derived::AddImm), IOp::I32Load8UAddImm);
  EXPECT_EQ(derived_form(Op::I64Store32, Derived::StoreImm), IOp::I64Store32Imm);
  // A family gives forms only to the classes it applies to.
  EXPECT_EQ(derived_form(Op::I32Load, Derived::Imm), IOp::Count);
  EXPECT_EQ(derived_form(Op::I32Add, Derived::AddImm), IOp::Count);
  EXPECT_EQ(derived_form(Op::I32Store, Derived::Imm64), IOp::Count);
  EXPECT_EQ(derived_form(Op::Block, Derived::Imm), IOp::Count);
  EXPECT_STREQ(iop_name(IOp::I64Store32Imm), "i64.store32 imm");
  EXPECT_STREQ(iop_name(IOp::I32Load8UAddImm), "i32.load8_u +imm");

  std::vector<CodeWord> code = {static_cast<CodeWord>(IOp::I32Add), 0, 0, 0};
  EXPECT_EQ(iop_length(code.data()), 4u);
  code = {static_cast<CodeWord>(IOp::I64ShlImm), 0, 0, 0};
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
