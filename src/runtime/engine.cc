// Engine and the function type registry it shares across modules.
#include "runtime/objects.h"

namespace waspvm {

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
