// Module: decode, validate, translate; the import and export lists.
#include "base/host_memory.h"
#include "compile/translator.h"
#include "decode/decoder.h"
#include "runtime/objects.h"
#include "validate/validator.h"

namespace waspvm {

namespace {

// An error of a stage: of `kind`, unless the stage said which (a limit).
Error of_kind(Error error, ErrorKind kind) {
  if (error.kind == ErrorKind::Other) error.kind = kind;
  return error;
}

Result<std::shared_ptr<const ModuleImpl>> compile_module(const Engine& engine,
                                                         std::span<const uint8_t> bytes) {
  auto decoded = decode_module(bytes);
  if (!decoded) return of_kind(decoded.error(), ErrorKind::Malformed);

  Features features;
  features.tail_call = engine.config().tail_call;
  features.max_function_locals = engine.config().max_function_locals;
  if (auto valid = validate_module(*decoded, features); !valid.ok())
    return of_kind(valid.error(), ErrorKind::Invalid);

  auto impl = std::make_shared<ModuleImpl>();
  impl->engine = engine.impl();
  impl->desc = std::move(decoded.value());
  const ModuleDesc& desc = impl->desc;

  impl->code.reserve(desc.funcs.size());
  // Reuses its scratch buffers across functions.
  Translator translator(engine.config().metering ? &engine.config().gas_costs : nullptr);
  for (uint32_t i = 0; i < desc.funcs.size(); ++i) {
    auto compiled = translator.translate(desc, i);
    if (!compiled) return of_kind(compiled.error(), ErrorKind::Invalid);
    impl->code.push_back(std::move(compiled.value()));
  }

  impl->type_ids.reserve(desc.types.size());
  for (const FuncType& type : desc.types) impl->type_ids.push_back(impl->engine->types.intern(type));
  return std::shared_ptr<const ModuleImpl>(std::move(impl));
}

}  // namespace

Result<Module> Module::compile(const Engine& engine, std::span<const uint8_t> bytes) {
  auto compiled = guard_host_memory("compiling the module", [&] { return compile_module(engine, bytes); });
  if (!compiled) return compiled.error();
  return Module(std::move(compiled.value()));
}

std::vector<ImportInfo> Module::imports() const {
  const ModuleDesc& desc = impl_->desc;
  std::vector<ImportInfo> out;
  out.reserve(desc.imports.size());
  for (const Import& imp : desc.imports) {
    ImportInfo info{imp.module, imp.name, imp.kind, {}, imp.table, imp.memory, imp.global};
    if (imp.kind == ExternKind::Func) info.func = desc.types[imp.func_type];
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<ExportInfo> Module::exports() const {
  const ModuleDesc& desc = impl_->desc;
  std::vector<ExportInfo> out;
  out.reserve(desc.exports.size());
  for (const Export& exp : desc.exports) {
    ExportInfo info{exp.name, exp.kind, {}};
    if (exp.kind == ExternKind::Func) info.func = desc.func_type(exp.index);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace waspvm
