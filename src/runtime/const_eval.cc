#include "runtime/const_eval.h"

#include "decode/code_reader.h"

namespace waspvm {

namespace {

uint64_t binary_i32(Op op, uint32_t a, uint32_t b) {
  switch (op) {
    case Op::I32Add: return a + b;
    case Op::I32Sub: return a - b;
    default: return static_cast<uint32_t>(a * b);
  }
}

uint64_t binary_i64(Op op, uint64_t a, uint64_t b) {
  switch (op) {
    case Op::I64Add: return a + b;
    case Op::I64Sub: return a - b;
    default: return a * b;
  }
}

}  // namespace

Result<uint64_t> eval_const_expr(const ConstExpr& expr, const InstanceImpl& inst) {
  // The validator guarantees a well-typed expression; the checks below only
  // keep a validator bug from turning into a host crash.
  auto malformed = [&] {
    return Error{"invalid constant expression at offset " + std::to_string(expr.offset)};
  };
  CodeReader reader(expr.bytes.data(), 0, expr.bytes.size());
  std::vector<uint64_t> stack;
  Instr in;
  while (!reader.at_end()) {
    WASP_TRY(reader.next(in));
    switch (in.op) {
      case Op::I32Const:
      case Op::F32Const: stack.push_back(static_cast<uint32_t>(in.bits)); break;
      case Op::I64Const:
      case Op::F64Const: stack.push_back(in.bits); break;
      case Op::RefNull: stack.push_back(0); break;
      case Op::RefFunc:
        if (in.index >= inst.funcs.size()) return malformed();
        stack.push_back(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(inst.funcs[in.index])));
        break;
      case Op::GlobalGet:
        if (in.index >= inst.globals.size()) return malformed();
        stack.push_back(inst.globals[in.index]->bits);
        break;
      case Op::I32Add:
      case Op::I32Sub:
      case Op::I32Mul:
      case Op::I64Add:
      case Op::I64Sub:
      case Op::I64Mul: {
        if (stack.size() < 2) return malformed();
        uint64_t b = stack.back();
        stack.pop_back();
        uint64_t a = stack.back();
        bool is_i32 = in.op == Op::I32Add || in.op == Op::I32Sub || in.op == Op::I32Mul;
        stack.back() = is_i32 ? binary_i32(in.op, static_cast<uint32_t>(a), static_cast<uint32_t>(b))
                              : binary_i64(in.op, a, b);
        break;
      }
      case Op::End:
        if (stack.size() != 1) return malformed();
        return stack.back();
      default: return malformed();
    }
  }
  return malformed();
}

}  // namespace waspvm
