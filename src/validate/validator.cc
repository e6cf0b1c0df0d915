// Module-level validation: types, imports, definitions, constant expressions,
// segments, exports and start; function bodies are checked in function.cc.
#include "validate/validator.h"

#include <string_view>
#include <unordered_set>

#include "validate/validate_internal.h"

namespace waspvm {

namespace {

using validate_detail::FunctionValidator;
using validate_detail::is_v128;
using validate_detail::ModuleContext;
using validate_detail::simd_error;

Error with_context(const Error& error, const std::string& context) {
  return make_error(error.message + " in " + context);
}

std::string unknown(const char* what, uint64_t index) {
  return std::string("unknown ") + what + " " + std::to_string(index);
}

// Validates constant expressions (global initializers, segment offsets and
// items), reusing its buffers, and records the functions they reference.
class ConstExprValidator {
 public:
  explicit ConstExprValidator(ModuleContext& ctx) : ctx_(ctx) {}

  Result<void> validate(const ConstExpr& expr, ValType expected) {
    const ModuleDesc& m = ctx_.module;
    stack_.clear();
    CodeReader reader(expr.bytes.data(), 0, expr.bytes.size());
    while (!reader.at_end()) {
      auto read = reader.next(instr_);
      if (!read)
        return make_error(read.error().message + " (relative to offset " + std::to_string(expr.offset) + ")");
      uint32_t at = expr.offset + instr_.offset;
      auto fail = [at](const std::string& what) {
        return make_error(what + " at offset " + std::to_string(at));
      };
      const OpInfo& info = op_info(instr_.op);
      switch (instr_.op) {
        case Op::I32Const:
        case Op::I64Const:
        case Op::F32Const:
        case Op::F64Const: stack_.push_back(sig_char_type(info.results[0])); break;
        case Op::RefNull: stack_.push_back(instr_.ref_type); break;
        case Op::RefFunc:
          if (instr_.index >= ctx_.num_funcs) return fail(unknown("function", instr_.index));
          ctx_.declared[instr_.index] = 1;
          stack_.push_back(ValType::FuncRef);
          break;
        case Op::GlobalGet: {
          // Only imported globals are visible to constant expressions in Wasm 2.0.
          if (instr_.index >= m.num_imported_globals) return fail(unknown("global", instr_.index));
          const GlobalType& global = m.globals[instr_.index];
          if (global.mut) return fail("constant expression required");
          stack_.push_back(global.type);
          break;
        }
        case Op::I32Add:
        case Op::I32Sub:
        case Op::I32Mul:
        case Op::I64Add:
        case Op::I64Sub:
        case Op::I64Mul:
          if (!ctx_.features.extended_const) return fail("constant expression required");
          if (!apply_signature(info)) return fail("type mismatch");
          break;
        case Op::End:
          if (!reader.at_end()) return fail("constant expression required");
          if (stack_.size() != 1 || stack_[0] != expected) return fail("type mismatch");
          return {};
        default: return fail("constant expression required");
      }
    }
    return make_error("unexpected end of constant expression at offset " +
                      std::to_string(expr.offset + expr.bytes.size()));
  }

 private:
  // Checks an extended-const operator against its opcodes.def signature.
  bool apply_signature(const OpInfo& info) {
    for (size_t i = std::char_traits<char>::length(info.params); i-- > 0;) {
      if (stack_.empty() || stack_.back() != sig_char_type(info.params[i])) return false;
      stack_.pop_back();
    }
    for (const char* r = info.results; *r; ++r) stack_.push_back(sig_char_type(*r));
    return true;
  }

  ModuleContext& ctx_;
  std::vector<ValType> stack_;
  Instr instr_;
};

// Guards against descriptions the decoder would never produce, so that a
// hand-built or corrupted ModuleDesc yields an error rather than a crash.
Result<void> check_consistency(const ModuleDesc& m) {
  auto bad = [](const char* what) {
    return make_error(std::string("inconsistent module description: ") + what);
  };
  if (m.func_types.size() != uint64_t{m.num_imported_funcs} + m.funcs.size()) return bad("function count");
  if (m.globals.size() != uint64_t{m.num_imported_globals} + m.global_defs.size()) return bad("global count");
  if (m.num_imported_tables > m.tables.size()) return bad("table count");
  if (m.num_imported_memories > m.memories.size()) return bad("memory count");
  for (size_t i = 0; i < m.global_defs.size(); ++i) {
    const GlobalType& declared = m.globals[m.num_imported_globals + i];
    const GlobalType& defined = m.global_defs[i].type;
    if (declared.type != defined.type || declared.mut != defined.mut) return bad("global type");
  }
  for (const FuncBody& body : m.funcs) {
    if (body.code_begin > body.code_end || body.code_end > m.bytes.size()) return bad("code range");
  }
  for (const DataSegment& data : m.datas) {
    if (data.data_begin > data.data_end || data.data_end > m.bytes.size()) return bad("data range");
  }
  return {};
}

Result<void> check_types(const ModuleDesc& m) {
  for (size_t i = 0; i < m.types.size(); ++i) {
    if (m.types[i].params.size() > validate_detail::kMaxParams)
      return make_error("too many parameters (implementation limit 1000) in type " + std::to_string(i));
    if (m.types[i].results.size() > validate_detail::kMaxResults)
      return make_error("too many results (implementation limit 1000) in type " + std::to_string(i));
    for (ValType t : m.types[i].params)
      if (is_v128(t)) return with_context(simd_error(), "type " + std::to_string(i));
    for (ValType t : m.types[i].results)
      if (is_v128(t)) return with_context(simd_error(), "type " + std::to_string(i));
  }
  for (size_t i = 0; i < m.func_types.size(); ++i) {
    if (m.func_types[i] >= m.types.size())
      return make_error(unknown("type", m.func_types[i]) + " in function " + std::to_string(i));
  }
  return {};
}

Result<void> check_limits(const Limits& limits, uint64_t range, const char* too_large,
                          const std::string& where) {
  if (limits.min > range || (limits.max && *limits.max > range))
    return make_error(too_large + (" in " + where));
  if (limits.max && limits.min > *limits.max)
    return make_error("size minimum must not be greater than maximum in " + where);
  return {};
}

Result<void> check_tables_memories_globals(const ModuleDesc& m, const Features& features) {
  for (size_t i = 0; i < m.tables.size(); ++i) {
    const TableType& table = m.tables[i];
    if (!is_ref(table.elem)) return make_error("malformed reference type in table " + std::to_string(i));
    WASP_TRY(check_limits(table.limits, UINT32_MAX, "table size must be at most 2^32-1",
                          "table " + std::to_string(i)));
  }
  if (m.memories.size() > 1 && !features.multi_memory) return make_error("multiple memories");
  for (size_t i = 0; i < m.memories.size(); ++i) {
    WASP_TRY(check_limits(m.memories[i].limits, kMaxPages, "memory size must be at most 65536 pages (4GiB)",
                          "memory " + std::to_string(i)));
  }
  for (size_t i = 0; i < m.globals.size(); ++i) {
    if (is_v128(m.globals[i].type)) return with_context(simd_error(), "global " + std::to_string(i));
  }
  return {};
}

Result<void> check_globals_and_segments(const ModuleDesc& m, ConstExprValidator& consts) {
  for (size_t i = 0; i < m.global_defs.size(); ++i) {
    const GlobalDef& global = m.global_defs[i];
    auto r = consts.validate(global.init, global.type.type);
    if (!r) return with_context(r.error(), "global " + std::to_string(m.num_imported_globals + i));
  }
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    std::string where = "element segment " + std::to_string(i);
    if (!is_ref(seg.type)) return make_error("malformed reference type in " + where);
    for (const ConstExpr& item : seg.items) {
      auto r = consts.validate(item, seg.type);
      if (!r) return with_context(r.error(), where);
    }
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.table >= m.tables.size()) return make_error(unknown("table", seg.table) + " in " + where);
    if (m.tables[seg.table].elem != seg.type) return make_error("type mismatch in " + where);
    auto r = consts.validate(seg.offset, ValType::I32);
    if (!r) return with_context(r.error(), where);
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    std::string where = "data segment " + std::to_string(i);
    if (seg.memory >= m.memories.size()) return make_error(unknown("memory", seg.memory) + " in " + where);
    auto r = consts.validate(seg.offset, ValType::I32);
    if (!r) return with_context(r.error(), where);
  }
  return {};
}

Result<void> check_exports_and_start(const ModuleDesc& m, ModuleContext& ctx) {
  std::unordered_set<std::string_view> names;
  names.reserve(m.exports.size());
  for (const Export& e : m.exports) {
    std::string where = "export \"" + e.name + "\"";
    if (!names.insert(e.name).second) return make_error("duplicate export name " + where);
    switch (e.kind) {
      case ExternKind::Func:
        if (e.index >= ctx.num_funcs) return make_error(unknown("function", e.index) + " in " + where);
        ctx.declared[e.index] = 1;
        break;
      case ExternKind::Table:
        if (e.index >= m.tables.size()) return make_error(unknown("table", e.index) + " in " + where);
        break;
      case ExternKind::Memory:
        if (e.index >= m.memories.size()) return make_error(unknown("memory", e.index) + " in " + where);
        break;
      case ExternKind::Global:
        if (e.index >= m.globals.size()) return make_error(unknown("global", e.index) + " in " + where);
        break;
    }
  }
  if (m.start) {
    if (*m.start >= ctx.num_funcs) return make_error(unknown("function", *m.start) + " (start function)");
    const FuncType& type = m.func_type(*m.start);
    if (!type.params.empty() || !type.results.empty())
      return make_error("start function must have type [] -> []");
  }
  return {};
}

}  // namespace

Result<void> validate_module(const ModuleDesc& m, const Features& features) {
  WASP_TRY(check_consistency(m));
  WASP_TRY(check_types(m));
  WASP_TRY(check_tables_memories_globals(m, features));

  auto num_funcs = static_cast<uint32_t>(m.func_types.size());
  ModuleContext ctx{m, features, num_funcs, std::vector<uint8_t>(num_funcs, 0)};
  ConstExprValidator consts(ctx);
  WASP_TRY(check_globals_and_segments(m, consts));
  WASP_TRY(check_exports_and_start(m, ctx));

  FunctionValidator bodies(ctx);
  for (uint32_t i = 0; i < m.funcs.size(); ++i) WASP_TRY(bodies.validate(i));
  return {};
}

}  // namespace waspvm
