// Internals of the validator shared by validator.cc (module level, constant
// expressions) and function.cc (function bodies). Not part of any contract.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decode/code_reader.h"
#include "decode/module.h"
#include "validate/validator.h"

namespace waspvm::validate_detail {

// The operand-stack type of a value whose type is unconstrained (the spec
// algorithm's Unknown, produced by popping from a polymorphic stack).
constexpr ValType kUnknown = static_cast<ValType>(0);

// Implementation limits on function type arity, the same as the JS API and
// wasmparser: they keep the per-instruction cost of validation (blocks, calls,
// branches with many values) bounded, so validation stays linear in the input.
constexpr size_t kMaxParams = 1000;
constexpr size_t kMaxResults = 1000;

// Deep operand stacks can only come from hostile inputs (e.g. calls to a
// function with many results, repeated); bound them so validation memory stays small.
constexpr size_t kMaxOperandStack = size_t{1} << 20;

inline bool is_v128(ValType t) { return t == ValType::V128; }
inline Error simd_error() { return make_error("SIMD not supported yet"); }

struct ModuleContext {
  const ModuleDesc& module;
  const Features& features;
  uint32_t num_funcs = 0;  // imported + defined
  // declared[i] != 0: function i may be named by ref.func inside a body (it
  // occurs in an element segment, a global initializer or an export).
  std::vector<uint8_t> declared;
};

// A borrowed list of value types (function type params/results or a single type).
// `id` names the list (single type k: k; type i's params: 8 + 2i, results: 9 + 2i)
// so br_table can check each distinct label type list once.
struct TypeList {
  static constexpr uint32_t kNoId = UINT32_MAX;
  const ValType* data = nullptr;
  uint32_t size = 0;
  uint32_t id = kNoId;
  ValType operator[](uint32_t i) const { return data[i]; }
  static TypeList of(const std::vector<ValType>& v, uint32_t id = kNoId) {
    return TypeList{v.data(), static_cast<uint32_t>(v.size()), id};
  }
  static TypeList params(const std::vector<FuncType>& types, uint32_t index) {
    return of(types[index].params, 8 + 2 * index);
  }
  static TypeList results(const std::vector<FuncType>& types, uint32_t index) {
    return of(types[index].results, 9 + 2 * index);
  }
  static TypeList single(ValType t);
  bool operator==(const TypeList& other) const;
};

// Validates one function body after another, reusing its stacks across bodies.
class FunctionValidator {
 public:
  explicit FunctionValidator(const ModuleContext& ctx)
      : ctx_(ctx), module_(ctx.module), checked_stamp_(8 + 2 * ctx.module.types.size(), 0) {}
  Result<void> validate(uint32_t defined_index);

 private:
  struct Frame {
    Op op;
    TypeList start;
    TypeList end;
    uint32_t height;
    bool unreachable;
  };

  Result<void> setup_locals(const FuncBody& body, const FuncType& type);
  Result<ValType> local_type(uint32_t index) const;
  Result<void> step(const Instr& in);
  Result<void> check_signature(const OpInfo& info);
  Result<void> check_memarg(const Instr& in, const OpInfo& info);
  Result<void> control(const Instr& in);
  Result<void> branch(const Instr& in);
  Result<void> call(const Instr& in);
  Result<void> parametric_or_variable(const Instr& in);
  Result<void> table_or_ref(const Instr& in);
  Result<void> memory_op(const Instr& in);

  Result<void> block_signature(const BlockType& bt, TypeList& start, TypeList& end);
  Result<void> require_memory(uint32_t index);
  Result<ValType> require_table(uint32_t index);
  Result<void> require_elem(uint32_t index);
  Result<void> require_data(uint32_t index);
  Result<const FuncType*> require_type(uint32_t index);
  Result<const Frame*> label(uint32_t depth);
  static TypeList label_types(const Frame& f) { return f.op == Op::Loop ? f.start : f.end; }

  void push(ValType t) { vals_.push_back(t); }
  void push_vals(TypeList types);
  Result<ValType> pop();
  Result<void> pop(ValType expected);
  Result<void> pop_vals(TypeList types);
  Result<void> pop_three_i32();
  Result<void> peek_vals(TypeList types);  // check the top of the stack without popping
  void push_ctrl(Op op, TypeList start, TypeList end);
  Result<Frame> pop_ctrl();
  void set_unreachable();

  Error fail(const std::string& what) const;
  Error mismatch() const { return fail("type mismatch"); }

  const ModuleContext& ctx_;
  const ModuleDesc& module_;
  uint32_t func_index_ = 0;
  const FuncType* func_type_ = nullptr;
  const FuncBody* body_ = nullptr;
  uint32_t offset_ = 0;                   // offset of the instruction being checked
  uint64_t num_locals_ = 0;               // params included
  std::vector<uint64_t> local_run_ends_;  // prefix sums of the declared local runs, params included
  std::vector<ValType> vals_;
  std::vector<Frame> ctrls_;
  Instr instr_;
  // br_table: checked_stamp_[list id] == stamp_ when that label type list was checked already.
  std::vector<uint32_t> checked_stamp_;
  uint32_t stamp_ = 0;
};

}  // namespace waspvm::validate_detail
