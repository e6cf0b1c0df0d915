// The translator's slot maps (docs/internal-code.md §10): what each operand
// slot holds where a frame of a function that may hold references can stop.
// Some of these points (a branch after the copies of its values) are reached
// by a suspension only through an interrupt from another thread, so the maps
// themselves are checked here.
#include <gtest/gtest.h>

#include <vector>

#include "compile/disasm.h"
#include "translator_fixture.h"

namespace waspvm {
namespace {

constexpr ValType FuncRef = ValType::FuncRef;
constexpr uint8_t kFuncRefType = 0x70;

// The operand kinds at (pc, at_return), or a failure if there is no point.
std::vector<SlotKind> kinds_at(const CompiledFunc& c, uint32_t pc, bool at_return) {
  const SlotMaps::Point* point = c.slot_maps.find(pc, at_return);
  EXPECT_NE(point, nullptr) << "no slot map at " << pc << (at_return ? " (return)" : "");
  if (point == nullptr) return {};
  return {c.slot_maps.kinds.begin() + point->first, c.slot_maps.kinds.begin() + point->first + point->count};
}

// The start of the first instruction `op` in the code.
uint32_t find(const CompiledFunc& c, IOp op) {
  for (uint32_t pos = 0; pos < c.code.size(); pos += iop_length(&c.code[pos]))
    if (static_cast<IOp>(c.code[pos]) == op) return pos;
  ADD_FAILURE() << "no " << iop_name(op) << " in\n" << disassemble(c);
  return 0;
}

using K = SlotKind;

TEST(SlotMaps, ABranchAfterItsCopiesHasItsLabelsView) {
  // block (result funcref): [i32 (x + 7), ref.func 0] br 0 — the copy puts
  // the reference where the i32 was; above it nothing is live.
  TestModule m;
  uint32_t t = m.type({I32}, {FuncRef});
  uint32_t f = m.func(
      t, {}, {kBlock, kFuncRefType, kLocalGet, 0, kI32Const, 7, kI32Add, kRefFunc, 0, kBr, 0, kEnd, kEnd});
  CompiledFunc c = m.translate(f, PairJoining::On);
  ASSERT_TRUE(c.may_hold_refs);
  EXPECT_EQ(c.slot_maps.locals.expanded(), (std::vector<SlotKind>{K::Raw}));
  uint32_t br = find(c, IOp::Br);
  EXPECT_EQ(kinds_at(c, br, false), (std::vector<SlotKind>{K::FuncRef})) << disassemble(c);
}

TEST(SlotMaps, ACallsReturnAddressSeesOnlyTheOperandsBelowItsArguments) {
  // [ref.func 0, (call 0 (x + 1))]: at the call both are live; while the
  // callee runs, only the reference (its result is not written yet).
  TestModule m;
  uint32_t t = m.type({I32}, {I32});
  uint32_t f = m.func(
      t, {}, {kRefFunc, 0, kLocalGet, 0, kI32Const, 1, kI32Add, kCall, 0, kDrop, kDrop, kLocalGet, 0, kEnd});
  CompiledFunc c = m.translate(f, PairJoining::On);
  uint32_t call = find(c, IOp::CallFunc);
  EXPECT_EQ(kinds_at(c, call, false), (std::vector<SlotKind>{K::FuncRef, K::Raw}));
  EXPECT_EQ(kinds_at(c, call + iop_length(&c.code[call]), true), (std::vector<SlotKind>{K::FuncRef}));
  // Pairs are not joined in such functions: the Copy of the argument would
  // otherwise run again before the call, where no map was recorded.
  for (uint32_t pos = 0; pos < c.code.size(); pos += iop_length(&c.code[pos]))
    EXPECT_NE(static_cast<IOp>(c.code[pos]), IOp::CopyCallFunc);
}

TEST(SlotMaps, AFusedBranchKeepsTheComparedTempsLive) {
  // block: ref.func 0; br_if 0 ((x + 1) < (x + 2)) — the comparison folds
  // into the branch, which reads two temps above the stack's height.
  TestModule m;
  uint32_t t = m.type({I32}, {});
  uint32_t f = m.func(
      t, {}, {kBlock, kVoid,     kRefFunc, 0,       kLocalGet, 0,     kI32Const, 1,     kI32Add, kLocalGet,
              0,      kI32Const, 2,        kI32Add, kI32LtU,   kBrIf, 0,         kDrop, kEnd,    kEnd});
  CompiledFunc c = m.translate(f, PairJoining::On);
  uint32_t branch = find(c, IOp::BrIfI32LtU);
  EXPECT_EQ(kinds_at(c, branch, false), (std::vector<SlotKind>{K::FuncRef, K::Raw, K::Raw}))
      << disassemble(c);
}

TEST(SlotMaps, LazyOperandsAndDroppedValuesAreDead) {
  // [local.get (a funcref local: lazy), i32.const (lazy)], then a call that
  // stops: the lazy operands' slots hold nothing; the local itself is typed.
  TestModule m;
  uint32_t t = m.type({FuncRef}, {});
  uint32_t g = m.type({}, {});
  uint32_t callee = m.func(g, {}, {kEnd});
  uint32_t f =
      m.func(t, {}, {kLocalGet, 0, kI32Const, 5, kCall, static_cast<uint8_t>(callee), kDrop, kDrop, kEnd});
  CompiledFunc c = m.translate(f, PairJoining::On);
  EXPECT_EQ(c.slot_maps.locals.expanded(), (std::vector<SlotKind>{K::FuncRef}));
  uint32_t call = find(c, IOp::CallFunc);
  EXPECT_EQ(kinds_at(c, call, false), (std::vector<SlotKind>{}));  // trailing dead positions are implied
  EXPECT_FALSE(m.translate(callee).may_hold_refs);
  EXPECT_TRUE(m.translate(callee).slot_maps.points.empty());
}

}  // namespace
}  // namespace waspvm
