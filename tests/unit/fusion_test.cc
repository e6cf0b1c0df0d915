// Folds and joined pairs of the translator (docs/internal-code.md §4.4):
// the expected disassembly, worked out by hand, and the same functions run
// end to end, including the cases where a fold must behave exactly like the
// instructions it replaces (address wrap, bounds, rounding).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compile/disasm.h"
#include "compile/peephole.h"
#include "translator_fixture.h"

namespace waspvm {
namespace {

// store v at base + (i << 2) + 4, then load it back from the same address.
std::vector<uint8_t> store_then_load_indexed() {
  return {kLocalGet, 0,         kLocalGet, 1,        kI32Const, 2, kI32Shl,   kI32Add, kLocalGet,
          2,         kI32Store, kAlign4,   4,        kLocalGet, 0, kLocalGet, 1,       kI32Const,
          2,         kI32Shl,   kI32Add,   kI32Load, kAlign4,   4, kEnd};
}

TEST(Fusion, IndexedLoadAndStore) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  uint32_t t = m.type({I32, I32, I32}, {I32});
  uint32_t f = m.func(t, {}, store_then_load_indexed());
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: i32.store +idx s0, s1, 2, s2, 4\n"  // shl and add folded into the store
            "6: i32.load +idx s3, s0, s1, 2, 4\n"
            "12: Return s3, 1\n");
  // i32.add (register form) folds with shift 0; a constant value is an immediate.
  // local.get 0; local.get 1; i32.add; i32.const 9; i32.store8 offset=1
  // local.get 0; local.get 1; i32.add; i32.load8_u offset=1
  uint32_t g = m.func(m.type({I32, I32}, {I32}), {},
                      {kLocalGet, 0, kLocalGet, 1, kI32Add, kI32Const, 9, kI32Store8, 0, 1, kLocalGet, 0,
                       kLocalGet, 1, kI32Add, kI32Load8U, 0, 1, kEnd});
  EXPECT_EQ(disassemble(m.translate(g)),
            "0: i32.store8 imm +idx s0, s1, 0, 9, 1\n"
            "6: i32.load8_u +idx s2, s0, s1, 0, 1\n"
            "12: Return s2, 1\n");

  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(100), Value::i32(3), Value::i32(-77)}), -77);
  // The address wraps at 32 bits before the offset is added, as i32.add does:
  // 0xFFFFFFF0 + (8 << 2) = 16, then + 4.
  EXPECT_EQ(run.call_i32(f, {Value::i32(static_cast<int32_t>(0xFFFFFFF0u)), Value::i32(8), Value::i32(5)}),
            5);
  EXPECT_EQ(run.call_i32(g, {Value::i32(static_cast<int32_t>(0xFFFFFFFFu)), Value::i32(10)}), 9);
  // Out of bounds: the last word of the page is fine, one byte past traps.
  EXPECT_EQ(run.call_i32(f, {Value::i32(65536 - 8), Value::i32(0), Value::i32(1)}), 1);
  EXPECT_EQ(run.trap_message(f, {Value::i32(65536 - 7), Value::i32(0), Value::i32(1)}),
            "out of bounds memory access");
  EXPECT_EQ(run.trap_message(g, {Value::i32(65535), Value::i32(0)}), "out of bounds memory access");
}

TEST(Fusion, ScaledLoadWithConstantBase) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  // i32.const 1028; local.get 1; i32.store
  // local.get 0; i32.const 2; i32.shl; i32.const 1024; i32.add; i32.load offset=4   = the word at (x << 2) +
  // 1028
  uint32_t f = m.func(
      m.type({I32, I32}, {I32}), {},
      {kI32Const, 0x84,      0x08, kLocalGet, 1,       kI32Store, kAlign4, 0, kLocalGet, 0, kI32Const, 2,
       kI32Shl,   kI32Const, 0x80, 0x08,      kI32Add, kI32Load,  kAlign4, 4, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: Const32 s2, 1028\n"
            "3: i32.store s2, s1, 0\n"
            "7: i32.load +scaled s2, s0, 2, 1024, 4\n"
            "13: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0), Value::i32(41)}), 41);
  // x << 2 wraps to 0 at 32 bits, as i32.shl does.
  EXPECT_EQ(run.call_i32(f, {Value::i32(0x40000000), Value::i32(42)}), 42);
  EXPECT_EQ(run.trap_message(f, {Value::i32(16384 - 257), Value::i32(0)}), "out of bounds memory access");
}

TEST(Fusion, FloatCompareAndBranchOnNaN) {
  TestModule m;
  // local.get 0; local.get 1; f32.lt; if (result i32) i32.const 1 else i32.const 2 end
  uint32_t f = m.func(
      m.type({F32, F32}, {I32}), {},
      {kLocalGet, 0, kLocalGet, 1, kF32Lt, kIf, kTypeI32, kI32Const, 1, kElse, kI32Const, 2, kEnd, kEnd});
  // `if` jumps when the comparison fails: BrIfNotF32Lt, not BrIfF32Ge (NaN
  // makes both lt and ge false).
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: BrIfNotF32Lt s0, s1, @9\n"
            "4: Const32 s2, 1\n"
            "7: Br @12\n"
            "9: Const32 s2, 2\n"
            "12: Return s2, 1\n");
  Runner run(m);
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(run.call_i32(f, {Value::f32(1.0f), Value::f32(2.0f)}), 1);
  EXPECT_EQ(run.call_i32(f, {Value::f32(2.0f), Value::f32(1.0f)}), 2);
  EXPECT_EQ(run.call_i32(f, {Value::f32(nan), Value::f32(1.0f)}), 2);
  EXPECT_EQ(run.call_i32(f, {Value::f32(1.0f), Value::f32(nan)}), 2);
}

TEST(Fusion, MaskCompareAndBranch) {
  TestModule m;
  // local.get 0; i32.const 0xDF; i32.and; i32.const 69; i32.eq; if (result i32) 1 else 2 end  (c is 'E' or
  // 'e')
  uint32_t f = m.func(m.type({I32}, {I32}), {},
                      {kLocalGet, 0, kI32Const, 0xDF, 0x01, kI32And, kI32Const, 0xC5, 0x00, kI32Eq, kIf,
                       kTypeI32, kI32Const, 1, kElse, kI32Const, 2, kEnd, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: BrIfI32AndNeImm s0, 223, 69, @10\n"
            "5: Const32 s1, 1\n"
            "8: Br @13\n"
            "10: Const32 s1, 2\n"
            "13: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32('E')}), 1);
  EXPECT_EQ(run.call_i32(f, {Value::i32('e')}), 1);
  EXPECT_EQ(run.call_i32(f, {Value::i32('F')}), 2);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0x145)}), 1);  // 0x145 & 0xDF = 0x45
}

TEST(Fusion, ConstantDividend) {
  TestModule m;
  // f64.const 1.0; local.get 0; f64.div
  uint32_t f = m.func(m.type({F64}, {F64}), {},
                      {kF64Const, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, kLocalGet, 0, kF64Div, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: F64DivFromImm64 s1, s0, 0, 1072693248\n"
            "5: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(std::bit_cast<double>(run.call(f, {Value::f64(4.0)})), 0.25);
  EXPECT_EQ(std::bit_cast<double>(run.call(f, {Value::f64(-0.0)})), -std::numeric_limits<double>::infinity());
}

TEST(Fusion, LoadedOperandTrapsAtTheLoad) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  // local.get 1; local.get 0; f64.load offset=8; f64.sub   = b - f64[a + 8]
  uint32_t f =
      m.func(m.type({I32, F64}, {F64}), {}, {kLocalGet, 1, kLocalGet, 0, kF64Load, 3, 8, kF64Sub, kEnd});
  CompiledFunc c = m.translate(f);
  EXPECT_EQ(disassemble(c),
            "0: F64SubLoad s2, s1, s0, 8\n"
            "5: Return s2, 1\n");
  // The body starts at byte 8: local.get 1 (8), local.get 0 (10), f64.load (12), f64.sub (15).
  EXPECT_EQ(c.source_map.front().second, 12u);
  Runner run(m);
  EXPECT_EQ(std::bit_cast<double>(run.call(f, {Value::i32(0), Value::f64(1.5)})), 1.5);  // memory is zero
  EXPECT_EQ(run.trap_message(f, {Value::i32(65536 - 15), Value::f64(0)}), "out of bounds memory access");
}

TEST(Fusion, ShiftThenMask) {
  TestModule m;
  // local.get 0; i32.const 3; i32.shr_u; i32.const 255; i32.and
  uint32_t f = m.func(m.type({I32}, {I32}), {},
                      {kLocalGet, 0, kI32Const, 3, kI32ShrU, kI32Const, 0xFF, 0x01, kI32And, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: I32ShrUAndImm s1, s0, 3, 255\n"
            "5: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(static_cast<int32_t>(0xDEADBEEFu))}),
            0xDDu);  // 0xDEADBEEF >> 3 = 0x1BD5B7DD
}

TEST(Fusion, XorWithShifted) {
  TestModule m;
  // local.get 0; local.get 0; i64.const 33; i64.shr_u; i64.xor
  uint32_t f =
      m.func(m.type({I64}, {I64}), {}, {kLocalGet, 0, kLocalGet, 0, kI64Const, 33, kI64ShrU, kI64Xor, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: I64XorShrU s1, s0, s0, 33\n"
            "5: Return s1, 1\n");
  Runner run(m);
  uint64_t x = 0x8000000180000001ull;
  EXPECT_EQ(static_cast<uint64_t>(run.call_i64(f, {Value::i64(static_cast<int64_t>(x))})), x ^ (x >> 33));
}

TEST(Fusion, CommutedIntegerFolds) {
  TestModule m;
  // local.get 0; i64.const 12; i64.shr_u; local.get 0; i64.xor   = (x >> 12) ^ x
  uint32_t f =
      m.func(m.type({I64}, {I64}), {}, {kLocalGet, 0, kI64Const, 12, kI64ShrU, kLocalGet, 0, kI64Xor, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: I64XorShrU s1, s0, s0, 12\n"
            "5: Return s1, 1\n");
  // local.get 1; i32.const 2; i32.shl; local.get 0; i32.add   = (i << 2) + base
  uint32_t g = m.func(m.type({I32, I32}, {I32}), {},
                      {kLocalGet, 1, kI32Const, 2, kI32Shl, kLocalGet, 0, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(g)),
            "0: I32AddShl s2, s0, s1, 2\n"
            "5: Return s2, 1\n");
  Runner run(m);
  uint64_t x = 0xF0F0F0F0F0F0F0F0ull;
  EXPECT_EQ(static_cast<uint64_t>(run.call_i64(f, {Value::i64(static_cast<int64_t>(x))})), (x >> 12) ^ x);
  EXPECT_EQ(run.call_i32(g, {Value::i32(1000), Value::i32(5)}), 1020);
}

TEST(Fusion, LinearCongruentialStepAndBitTest) {
  TestModule m;
  // local.get 0; i64.const 6364136223846793005; i64.mul; i64.const 1442695040888963407; i64.add
  std::vector<uint8_t> body = {kLocalGet, 0, kI64Const};
  auto sleb = [&body](int64_t v) {
    for (bool more = true; more;) {
      uint8_t byte = v & 0x7F;
      v >>= 7;
      more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
      body.push_back(more ? byte | 0x80 : byte);
    }
  };
  sleb(6364136223846793005);
  body.push_back(kI64Mul);
  body.push_back(kI64Const);
  sleb(1442695040888963407);
  body.push_back(kI64Add);
  body.push_back(kEnd);
  uint32_t f = m.func(m.type({I64}, {I64}), {}, body);
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: I64MulAddImm64 s1, s0, 1284865837, 1481765933, 4150755663, 335903614\n"
            "7: Return s1, 1\n");
  // local.get 0; i32.const 1; i32.and; i32.eqz; if (result i32) 10 else 20 end
  uint32_t g = m.func(m.type({I32}, {I32}), {},
                      {kLocalGet, 0, kI32Const, 1, kI32And, kI32Eqz, kIf, kTypeI32, kI32Const, 10, kElse,
                       kI32Const, 20, kEnd, kEnd});
  EXPECT_EQ(disassemble(m.translate(g)),
            "0: BrIfI32AndImm s0, 1, @9\n"
            "4: Const32 s1, 10\n"
            "7: Br @12\n"
            "9: Const32 s1, 20\n"
            "12: Return s1, 1\n");
  Runner run(m);
  uint64_t x = 12345;
  EXPECT_EQ(static_cast<uint64_t>(run.call_i64(f, {Value::i64(static_cast<int64_t>(x))})),
            x * 6364136223846793005ull + 1442695040888963407ull);
  EXPECT_EQ(run.call_i32(g, {Value::i32(4)}), 10);
  EXPECT_EQ(run.call_i32(g, {Value::i32(5)}), 20);
}

TEST(Fusion, MultiplyAddRoundsTwice) {
  TestModule m;
  // local.get 0; local.get 1; local.get 2; f64.mul; f64.add
  uint32_t f = m.func(m.type({F64, F64, F64}, {F64}), {},
                      {kLocalGet, 0, kLocalGet, 1, kLocalGet, 2, kF64Mul, kF64Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(f)),
            "0: F64MulAdd s3, s0, s1, s2\n"
            "5: Return s3, 1\n");
  Runner run(m);
  // (1 + 2^-27)(1 - 2^-27) = 1 - 2^-54 rounds to 1, so -1 + that is 0; a
  // fused multiply-add would give -2^-54.
  double a = 1.0 + std::ldexp(1.0, -27), b = 1.0 - std::ldexp(1.0, -27);
  uint64_t bits = run.call(f, {Value::f64(-1.0), Value::f64(a), Value::f64(b)});
  EXPECT_EQ(std::bit_cast<double>(bits), 0.0);
}

TEST(Fusion, MovesJoin) {
  TestModule m;
  uint32_t t = m.type({I32, I32}, {I32});
  // local.get 0; local.get 1; local.set 0; local.get 0; i32.sub   = old a - b
  uint32_t f = m.func(t, {}, {kLocalGet, 0, kLocalGet, 1, kLocalSet, 0, kLocalGet, 0, kI32Sub, kEnd});
  // In order: the pending local.get 0 is saved before local 0 changes.
  EXPECT_EQ(disassemble(m.translate(f, PairJoining::On)),
            "0: Copy2 s2, s0, s0, s1\n"
            "5: i32.sub s2, s2, s0\n"
            "9: Return s2, 1\n");
  // local.get 0; block i32.const 9; local.set 0 end; local.get 0; i32.add   = a + 9
  uint32_t g = m.func(
      t, {}, {kLocalGet, 0, kBlock, kVoid, kI32Const, 9, kLocalSet, 0, kEnd, kLocalGet, 0, kI32Add, kEnd});
  EXPECT_EQ(disassemble(m.translate(g, PairJoining::On)),
            "0: CopyConst32 s2, s0, s0, 9\n"
            "5: i32.add s2, s2, s0\n"
            "9: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(10), Value::i32(3)}), 7);
  EXPECT_EQ(run.call_i32(g, {Value::i32(1), Value::i32(0)}), 10);
}

TEST(Fusion, AdjacentAddsJoinExceptAtBranchTargets) {
  TestModule m;
  // a += 1; b += 2; loop { a += 3; b = b - 1 (tee); br_if 0 (b) } a
  uint32_t f =
      m.func(m.type({I32, I32}, {I32}), {},
             {kLocalGet, 0,         kI32Const, 1,         kI32Add, kLocalSet, 0,         kLocalGet, 1,
              kI32Const, 2,         kI32Add,   kLocalSet, 1,       kLoop,     kVoid,     kLocalGet, 0,
              kI32Const, 3,         kI32Add,   kLocalSet, 0,       kLocalGet, 1,         kI32Const, 0x7F,
              kI32Add,   kLocalTee, 1,         kBrIf,     0,       kEnd,      kLocalGet, 0,         kEnd});
  CompiledFunc c = m.translate(f, PairJoining::On);
  // The loop's first add is a branch target, so it starts a pair of its own;
  // the backward branch is moved with it (before joining it was @8).
  EXPECT_EQ(disassemble(c),
            "0: I32AddImm2 s0, s0, 1, s1, s1, 2\n"
            "7: I32AddImm2 s0, s0, 3, s1, s1, 4294967295\n"
            "14: BrIfNez s1, @7\n"
            "17: Return s0, 1\n");
  // One source map entry per instruction, the first of a pair giving its offset.
  ASSERT_EQ(c.source_map.size(), 4u);
  EXPECT_EQ(c.source_map[1].first, 7u);
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(0), Value::i32(3)}), 16);  // a = 1 + 5 * 3
}

TEST(Fusion, JoinsChainIntoALoopLatch) {
  TestModule m;
  // (local a b) loop a += 1; b += 2; br_if (a != n) end; b
  uint32_t f = m.func(m.type({I32}, {I32}), {{2, I32}},
                      {kLoop,     kVoid, kLocalGet, 1,     kI32Const, 1,         kI32Add,   kLocalSet, 1,
                       kLocalGet, 2,     kI32Const, 2,     kI32Add,   kLocalSet, 2,         kLocalGet, 1,
                       kLocalGet, 0,     kI32Ne,    kBrIf, 0,         kEnd,      kLocalGet, 2,         kEnd});
  EXPECT_EQ(disassemble(m.translate(f, PairJoining::On)),
            "0: I32AddImm2BrIfI32Ne s1, s1, 1, s2, s2, 2, s1, s0, @0\n"
            "10: Return s2, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(5)}), 10);
}

TEST(Fusion, LoadThenBranchJoinsInALoop) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  // A list 0 -> 8 -> 16 -> end, then (local p n):
  // loop n += 1; local.get p; i32.load; local.tee p; br_if 0 end; local.get n   = 3
  uint32_t f =
      m.func(m.type({}, {I32}), {{2, I32}},
             {kI32Const, 0,         kI32Const, 8,         kI32Store, kAlign4,   0,       kI32Const, 8,
              kI32Const, 16,        kI32Store, kAlign4,   0,         kI32Const, 16,      kI32Const, 0,
              kI32Store, kAlign4,   0,         kLoop,     kVoid,     kLocalGet, 1,       kI32Const, 1,
              kI32Add,   kLocalSet, 1,         kLocalGet, 0,         kI32Load,  kAlign4, 0,         kLocalTee,
              0,         kBrIf,     0,         kEnd,      kLocalGet, 1,         kEnd});
  std::string code = disassemble(m.translate(f, PairJoining::On));
  EXPECT_NE(code.find("I32LoadBrIfNez s0, s0, 0, s0, @"), std::string::npos) << code;
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {}), 3);
}

TEST(Fusion, ArgumentCopyJoinsTheCallAndKeepsItsOffset) {
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  // f0(x) = f1(x), f1 traps: local.get 0; call 1  /  unreachable
  uint32_t f0 = m.func(t, {}, {kLocalGet, 0, kCall, 1, kEnd});
  m.func(t, {}, {kUnreachable, kEnd});
  EXPECT_EQ(disassemble(m.translate(f0, PairJoining::On)),
            "0: CopyCallFunc s1, s0, 1, 1\n"
            "5: Return s1, 1\n");
  std::vector<uint8_t> binary = m.binary();
  // The call's byte offset in the binary: f0's body is local.get 0; call 1; end.
  const std::vector<uint8_t> body = {kLocalGet, 0, kCall, 1, kEnd};
  auto at = std::search(binary.begin(), binary.end(), body.begin(), body.end());
  ASSERT_NE(at, binary.end());
  auto call_offset = static_cast<uint32_t>(at - binary.begin()) + 2;
  Engine engine;
  Result<Module> module = Module::compile(engine, binary);
  ASSERT_TRUE(module.ok());
  Result<Instance> instance = Linker(engine).instantiate(*module);
  ASSERT_TRUE(instance.ok());
  std::vector<Value> args = {Value::i32(1)};
  Result<Outcome> outcome = instance->call("f0", args);
  ASSERT_TRUE(outcome.ok());
  ASSERT_TRUE(outcome->trapped());
  const std::vector<FrameInfo>& frames = outcome->trap().backtrace;
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].func_index, 0u);
  EXPECT_EQ(frames[1].wasm_offset, call_offset);
}

TEST(Fusion, StoreThenAddJoins) {
  TestModule m;
  m.desc.memories.push_back(MemoryType{Limits{1, std::nullopt}});
  // local.get 0; local.get 1; i32.store; local.get 1; i32.const 8; i32.add; local.set 1; local.get 1
  uint32_t f = m.func(m.type({I32, I32}, {I32}), {},
                      {kLocalGet, 0, kLocalGet, 1, kI32Store, kAlign4, 0, kLocalGet, 1, kI32Const, 8, kI32Add,
                       kLocalSet, 1, kLocalGet, 1, kEnd});
  EXPECT_EQ(disassemble(m.translate(f, PairJoining::On)),
            "0: I32StoreI32AddImm s0, s1, 0, s1, s1, 8\n"
            "7: Return s1, 1\n");
  Runner run(m);
  EXPECT_EQ(run.call_i32(f, {Value::i32(100), Value::i32(5)}), 13);
  EXPECT_EQ(run.trap_message(f, {Value::i32(65533), Value::i32(5)}), "out of bounds memory access");
}

// A joined instruction's operands are its parts' operands in order, and only
// the second part may branch (the first must fall through to it).
TEST(Fusion, JoinedOperandKindsAreThePartsInOrder) {
  int joined = 0;
  for (uint32_t a = 0; a < static_cast<uint32_t>(IOp::Count); ++a) {
    for (uint32_t b = 0; b < static_cast<uint32_t>(IOp::Count); ++b) {
      IOp j = joined_form(static_cast<IOp>(a), static_cast<IOp>(b));
      if (j == IOp::Count) continue;
      ++joined;
      std::string first = iop_operand_kinds(static_cast<IOp>(a));
      std::string second = iop_operand_kinds(static_cast<IOp>(b));
      EXPECT_EQ(iop_operand_kinds(j), first + second) << iop_name(j);
      EXPECT_EQ(first.find_first_of("rn"), std::string::npos) << iop_name(j);
    }
  }
  EXPECT_GE(joined, 10);
}

}  // namespace
}  // namespace waspvm
