// Engine and the function type registry it shares across modules.
#include <algorithm>

#include "decode/code_reader.h"
#include "runtime/objects.h"

namespace waspvm {

GasCosts::GasCosts() : per_opcode_(static_cast<size_t>(Op::Count), 1) {}

Result<void> GasCosts::set(std::string_view instruction, uint32_t cost) {
  bool found = false;
  for (size_t i = 0; i < per_opcode_.size(); ++i) {
    if (op_info(static_cast<Op>(i)).name != instruction) continue;
    per_opcode_[i] = cost;  // every row of that name (select has two)
    found = true;
  }
  if (!found) return Error{"unknown instruction: \"" + std::string(instruction) + "\""};
  return {};
}

Result<uint32_t> GasCosts::get(std::string_view instruction) const {
  for (size_t i = 0; i < per_opcode_.size(); ++i)
    if (op_info(static_cast<Op>(i)).name == instruction) return per_opcode_[i];
  return Error{"unknown instruction: \"" + std::string(instruction) + "\""};
}

void GasCosts::set_all(uint32_t cost) { std::fill(per_opcode_.begin(), per_opcode_.end(), cost); }

Engine::Engine(Config config) : impl_(std::make_shared<EngineImpl>()) { impl_->config = config; }

const Config& Engine::config() const { return impl_->config; }

uint32_t TypeRegistry::intern(const FuncType& type) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_pair(type.params, type.results);
  auto it = ids_.find(key);
  if (it != ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(types_.size());
  types_.push_back(type);
  ids_.emplace(std::move(key), id);
  return id;
}

FuncType TypeRegistry::get(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return id < types_.size() ? types_[id] : FuncType{};
}

}  // namespace waspvm
