// The public handles to memories, tables, globals and functions, and Caller.
#include <algorithm>

#include "base/host_memory.h"
#include "exec/interpreter.h"
#include "runtime/runtime_internal.h"

namespace waspvm {

namespace {

Error out_of_bounds_memory() { return Error{trap_message(TrapCode::MemoryOutOfBounds)}; }
Error out_of_bounds_table() { return Error{trap_message(TrapCode::TableOutOfBounds)}; }

Error value_type_mismatch(ValType expected, ValType got) {
  return Error{std::string("type mismatch: expected ") + to_string(expected) + ", got " + to_string(got)};
}

}  // namespace

// ---------------------------------------------------------------- Memory

Memory Memory::create(const Engine& engine, MemoryType type) {
  (void)engine;  // memories need nothing from the engine (yet)
  auto group = make_group();
  group->memories.push_back(std::make_unique<MemoryInst>(type));
  MemoryInst* inst = group->memories.back().get();
  return Memory(std::move(group), inst);
}

uint64_t Memory::pages() const { return size() / kPageSize; }
uint64_t Memory::size() const { return inst_->allocated_ok() ? inst_->size : 0; }
uint8_t* Memory::data() const { return inst_->data; }

Result<std::vector<uint8_t>> Memory::read(uint64_t offset, uint64_t length) const {
  uint64_t bytes = size();
  if (offset > bytes || length > bytes - offset) return out_of_bounds_memory();
  return guard_host_memory("reading memory", [&]() -> Result<std::vector<uint8_t>> {
    return std::vector<uint8_t>(inst_->data + offset, inst_->data + offset + length);
  });
}

Result<void> Memory::write(uint64_t offset, std::span<const uint8_t> bytes) const {
  uint64_t total = size();
  if (offset > total || bytes.size() > total - offset) return out_of_bounds_memory();
  if (!bytes.empty()) std::memcpy(inst_->data + offset, bytes.data(), bytes.size());
  return {};
}

Result<uint64_t> Memory::grow(uint64_t delta_pages) const {
  int64_t old = inst_->grow(delta_pages);
  if (old < 0) return Error{"memory cannot grow by " + std::to_string(delta_pages) + " pages"};
  return static_cast<uint64_t>(old);
}

MemoryType Memory::type() const {
  MemoryType t = inst_->type;
  t.limits.min = pages();  // the spec's type of a memory instance tracks its current size
  return t;
}

// ---------------------------------------------------------------- Table

Table Table::create(const Engine& engine, TableType type, Value init) {
  (void)engine;
  auto group = make_group();
  group->tables.push_back(std::make_unique<TableInst>());
  TableInst* inst = group->tables.back().get();
  inst->type = type;
  uint64_t init_bits = init.type() == type.elem ? init.bits() : 0;
  // An absurd minimum (which a module could not instantiate either) leaves the table empty.
  if (type.limits.min <= kMaxTableElements) inst->elems.assign(type.limits.min, init_bits);
  return Table(std::move(group), inst);
}

uint64_t Table::size() const { return inst_->elems.size(); }

Result<Value> Table::get(uint64_t index) const {
  if (index >= inst_->elems.size()) return out_of_bounds_table();
  return Value::from_bits(inst_->type.elem, inst_->elems[index]);
}

Result<void> Table::set(uint64_t index, Value v) const {
  if (v.type() != inst_->type.elem) return value_type_mismatch(inst_->type.elem, v.type());
  if (index >= inst_->elems.size()) return out_of_bounds_table();
  inst_->elems[index] = v.bits();
  return {};
}

Result<uint64_t> Table::grow(uint64_t delta, Value init) const {
  if (init.type() != inst_->type.elem) return value_type_mismatch(inst_->type.elem, init.type());
  int64_t old = inst_->grow(delta, init.bits());
  if (old < 0) return Error{"table cannot grow by " + std::to_string(delta) + " elements"};
  return static_cast<uint64_t>(old);
}

TableType Table::type() const {
  TableType t = inst_->type;
  t.limits.min = inst_->elems.size();
  return t;
}

// ---------------------------------------------------------------- Global

Global Global::create(const Engine& engine, GlobalType type, Value init) {
  (void)engine;
  auto group = make_group();
  group->globals.push_back(std::make_unique<GlobalInst>());
  GlobalInst* inst = group->globals.back().get();
  inst->type = type;
  inst->bits = init.type() == type.type ? init.bits() : 0;
  return Global(std::move(group), inst);
}

Value Global::get() const { return Value::from_bits(inst_->type.type, inst_->bits); }

Result<void> Global::set(Value v) const {
  if (!inst_->type.mut) return Error{"global is immutable"};
  if (v.type() != inst_->type.type) return value_type_mismatch(inst_->type.type, v.type());
  inst_->bits = v.bits();
  return {};
}

GlobalType Global::type() const { return inst_->type; }

// ---------------------------------------------------------------- Func

Func Func::create(const Engine& engine, FuncType type, HostFunction body) {
  auto group = make_group();
  group->funcs.push_back(std::make_unique<FuncInst>());
  FuncInst* inst = group->funcs.back().get();
  inst->type_id = engine.impl()->types.intern(type);
  inst->type = std::move(type);
  inst->host = std::move(body);
  return Func(std::move(group), inst);
}

const FuncType& Func::type() const { return inst_->type; }

std::optional<Instance> Func::instance() const {
  if (inst_->instance == nullptr) return std::nullopt;
  // The handle's group keeps the defining instance alive (it is that
  // instance's, or one that imports from it).
  return Instance(group_, inst_->instance);
}

// ---------------------------------------------------------------- Caller

std::optional<Memory> Caller::memory(std::string_view export_name) const {
  if (instance_ == nullptr) return std::nullopt;
  const Export* exp = find_export(instance_->module->desc, export_name);
  if (exp == nullptr || exp->kind != ExternKind::Memory) return std::nullopt;
  return Memory(group_of(*instance_), instance_->memories[exp->index]);
}

std::optional<Memory> Caller::memory(uint32_t index) const {
  if (instance_ == nullptr || index >= instance_->memories.size()) return std::nullopt;
  return Memory(group_of(*instance_), instance_->memories[index]);
}

Instance Caller::instance() const {
  if (instance_ == nullptr) return Instance(nullptr, nullptr);
  return Instance(group_of(*instance_), instance_);
}

void* Caller::state(std::string_view key) const {
  return instance_ == nullptr ? nullptr : Instance(nullptr, instance_).state(key);
}

Error Caller::exit(int32_t code) {
  exit_code_ = code;
  return Error{"exit(" + std::to_string(code) + ")"};
}

}  // namespace waspvm
