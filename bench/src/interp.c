// br_table-heavy code: a stack-based bytecode virtual machine whose dispatch is
// one dense `switch` of 32 cases (clang lowers it to a wasm br_table). The VM
// runs a bytecode program that counts primes by trial division, calls a
// hashing subroutine for each prime and keeps a small histogram in VM memory.
// Size: the bound below which primes are counted.
#include "bench.h"

// The opcode list and the dispatch switch read best one row per line.
// clang-format off
enum Op {
  kHalt, kPush, kPop, kDup, kSwap, kOver, kLoad, kStore,
  kAdd, kSub, kMul, kDivU, kRemU, kAnd, kOr, kXor,
  kShl, kShrU, kRotl, kNeg, kLtU, kEq, kNot, kJmp,
  kJz, kJnz, kInc, kDec, kCall, kRet, kMLoad, kMStore,
};
// clang-format on

enum { kMemoryWords = 1024, kMaxCode = 512, kMaxLabels = 16 };

// A tiny assembler with forward labels.
typedef struct {
  int32_t code[kMaxCode];
  int length;
  int label_at[kMaxLabels];
  int fixup_at[kMaxCode];
  int fixup_label[kMaxCode];
  int fixups;
} Assembler;

static void emit(Assembler* as, int32_t word) {
  if (as->length >= kMaxCode) abort();
  as->code[as->length++] = word;
}

static void emit_op(Assembler* as, enum Op op, int32_t operand) {
  emit(as, op);
  emit(as, operand);
}

static void emit_jump(Assembler* as, enum Op op, int label) {
  emit(as, op);
  as->fixup_at[as->fixups] = as->length;
  as->fixup_label[as->fixups++] = label;
  emit(as, -1);
}

static void bind(Assembler* as, int label) { as->label_at[label] = as->length; }

static void resolve(Assembler* as) {
  for (int i = 0; i < as->fixups; ++i) as->code[as->fixup_at[i]] = as->label_at[as->fixup_label[i]];
}

static uint32_t execute(const int32_t* code, uint32_t* locals, uint32_t* memory) {
  uint32_t stack[64];
  int32_t returns[16];
  int sp = 0, rsp = 0, pc = 0;
  for (;;) {
    uint32_t a, b;
    // clang-format off
    switch ((enum Op)code[pc++]) {
      case kHalt: return sp ? stack[sp - 1] : 0;
      case kPush: stack[sp++] = (uint32_t)code[pc++]; break;
      case kPop: --sp; break;
      case kDup: stack[sp] = stack[sp - 1]; ++sp; break;
      case kSwap: a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a; break;
      case kOver: stack[sp] = stack[sp - 2]; ++sp; break;
      case kLoad: stack[sp++] = locals[code[pc++]]; break;
      case kStore: locals[code[pc++]] = stack[--sp]; break;
      case kAdd: b = stack[--sp]; stack[sp - 1] += b; break;
      case kSub: b = stack[--sp]; stack[sp - 1] -= b; break;
      case kMul: b = stack[--sp]; stack[sp - 1] *= b; break;
      case kDivU: b = stack[--sp]; stack[sp - 1] = b ? stack[sp - 1] / b : 0; break;
      case kRemU: b = stack[--sp]; stack[sp - 1] = b ? stack[sp - 1] % b : 0; break;
      case kAnd: b = stack[--sp]; stack[sp - 1] &= b; break;
      case kOr: b = stack[--sp]; stack[sp - 1] |= b; break;
      case kXor: b = stack[--sp]; stack[sp - 1] ^= b; break;
      case kShl: b = stack[--sp]; stack[sp - 1] <<= b & 31; break;
      case kShrU: b = stack[--sp]; stack[sp - 1] >>= b & 31; break;
      case kRotl:
        b = stack[--sp] & 31;
        a = stack[sp - 1];
        stack[sp - 1] = b ? (a << b) | (a >> (32 - b)) : a;
        break;
      case kNeg: stack[sp - 1] = 0u - stack[sp - 1]; break;
      case kLtU: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] < b; break;
      case kEq: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] == b; break;
      case kNot: stack[sp - 1] = !stack[sp - 1]; break;
      case kJmp: pc = code[pc]; break;
      case kJz: pc = stack[--sp] == 0 ? code[pc] : pc + 1; break;
      case kJnz: pc = stack[--sp] != 0 ? code[pc] : pc + 1; break;
      case kInc: stack[sp - 1] += 1; break;
      case kDec: stack[sp - 1] -= 1; break;
      case kCall: returns[rsp++] = pc + 1; pc = code[pc]; break;
      case kRet: pc = returns[--rsp]; break;
      case kMLoad: stack[sp - 1] = memory[stack[sp - 1] % kMemoryWords]; break;
      case kMStore: b = stack[--sp]; memory[b % kMemoryWords] = stack[--sp]; break;
      default: abort();
    }
    // clang-format on
  }
}

enum { kN, kI, kJ, kHash, kCount, kTmp };                       // locals
enum { kOuter, kInner, kPrime, kNext, kEnd, kMix, kSkipBump };  // labels

static void assemble(Assembler* as) {
  emit_op(as, kPush, 0), emit_op(as, kStore, kHash);
  emit_op(as, kPush, 2), emit_op(as, kStore, kI);
  bind(as, kOuter);  // while (i < n)
  emit_op(as, kLoad, kI), emit_op(as, kLoad, kN), emit(as, kLtU), emit_jump(as, kJz, kEnd);
  emit_op(as, kPush, 2), emit_op(as, kStore, kJ);
  bind(as, kInner);  // for (j = 2; j * j <= i; ++j) if (i % j == 0) goto next;
  emit_op(as, kLoad, kI), emit_op(as, kLoad, kJ), emit(as, kDup), emit(as, kMul), emit(as, kLtU);
  emit_jump(as, kJnz, kPrime);
  emit_op(as, kLoad, kI), emit_op(as, kLoad, kJ), emit(as, kRemU), emit_jump(as, kJz, kNext);
  emit_op(as, kLoad, kJ), emit(as, kInc), emit_op(as, kStore, kJ), emit_jump(as, kJmp, kInner);
  bind(as, kPrime);  // mix(i); ++count; memory[i] += i;
  emit_op(as, kLoad, kI), emit_jump(as, kCall, kMix);
  emit_op(as, kLoad, kCount), emit(as, kInc), emit_op(as, kStore, kCount);
  emit_op(as, kLoad, kI), emit(as, kDup), emit(as, kMLoad), emit(as, kAdd), emit_op(as, kLoad, kI);
  emit(as, kMStore);
  bind(as, kNext);  // ++i, with an extra bump every 1000 numbers
  emit_op(as, kLoad, kI), emit(as, kInc), emit(as, kDup), emit_op(as, kStore, kI);
  emit_op(as, kPush, 1000), emit(as, kRemU), emit_jump(as, kJnz, kSkipBump);
  emit_op(as, kLoad, kHash), emit_op(as, kLoad, kI), emit_op(as, kPush, 1000), emit(as, kDivU);
  emit(as, kSub), emit(as, kNeg), emit_op(as, kStore, kHash);
  bind(as, kSkipBump);
  emit_jump(as, kJmp, kOuter);
  bind(as, kEnd);  // return hash ^ count
  emit_op(as, kLoad, kHash), emit_op(as, kLoad, kCount), emit(as, kXor), emit(as, kHalt);
  bind(as, kMix);  // hash = rotl((hash ^ v) * golden, 13) + ((v << 3 | v >> 5) & 0xffff) + (v == 97)
  emit(as, kDup), emit_op(as, kStore, kTmp);
  emit_op(as, kLoad, kHash), emit(as, kXor), emit_op(as, kPush, (int32_t)0x9E3779B1), emit(as, kMul);
  emit_op(as, kPush, 13), emit(as, kRotl);
  emit_op(as, kLoad, kTmp), emit_op(as, kPush, 3), emit(as, kShl);
  emit_op(as, kLoad, kTmp), emit_op(as, kPush, 5), emit(as, kShrU), emit(as, kOr);
  emit_op(as, kPush, 0xffff), emit(as, kAnd), emit(as, kAdd);
  emit_op(as, kLoad, kTmp), emit_op(as, kPush, 97), emit(as, kEq), emit(as, kNot), emit(as, kNot);
  emit(as, kSwap), emit(as, kOver), emit(as, kPop), emit(as, kAdd);
  emit(as, kDec), emit(as, kInc), emit_op(as, kStore, kHash), emit(as, kRet);
  resolve(as);
}

int main(int argc, char** argv) {
  long bound = bench_size(argc, argv, 60000);
  static Assembler as;
  static uint32_t memory[kMemoryWords];
  assemble(&as);
  uint32_t locals[8] = {0};
  locals[kN] = (uint32_t)bound;
  uint32_t result = execute(as.code, locals, memory);
  uint64_t hash = bench_mix(0, result);
  hash = bench_mix(hash, locals[kCount]);
  for (int i = 0; i < kMemoryWords; ++i) hash = bench_mix(hash, memory[i]);
  bench_print(hash);
  return 0;
}
