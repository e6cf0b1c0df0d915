#include "wasi/state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/abi.h"

namespace waspvm::wasi {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

void UniqueFd::reset() {
  // close(2) releases the descriptor even when it reports EINTR: never retry.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

uint8_t filetype_from_mode(uint32_t st_mode) {
  switch (st_mode & S_IFMT) {
    case S_IFREG: return kFiletypeRegularFile;
    case S_IFDIR: return kFiletypeDirectory;
    case S_IFLNK: return kFiletypeSymbolicLink;
    case S_IFCHR: return kFiletypeCharacterDevice;
    case S_IFBLK: return kFiletypeBlockDevice;
    case S_IFSOCK: return kFiletypeSocketStream;
    default: return kFiletypeUnknown;  // FIFOs have no WASI type
  }
}

UniqueFd open_preopen_directory(const PreopenDir& preopen) {
  return UniqueFd(::open(preopen.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

WasiState::WasiState(std::shared_ptr<const WasiConfig> config) : config_(std::move(config)) {
  for (const auto& [name, value] : config_->env) environ_.push_back(name + "=" + value);
  add_stdio();
  add_preopens();
}

void WasiState::add_stdio() {
  const WasiConfig& c = *config_;
  const bool has_callback[3] = {bool(c.stdin_source), bool(c.stdout_sink), bool(c.stderr_sink)};
  for (int fd = 0; fd < 3; ++fd) {
    FdEntry entry;
    entry.rights_base = fd == 0 ? right::kStdinBase : right::kStdoutBase;
    entry.filetype = kFiletypeCharacterDevice;
    if (c.inherit_stdio && !has_callback[fd]) {
      entry.kind = FdEntry::Kind::Host;
      entry.host_fd = fd;  // borrowed: the host's own stdio is never closed
      struct stat st;
      if (::fstat(fd, &st) == 0) entry.filetype = filetype_from_mode(st.st_mode);
    } else {
      entry.kind = fd == 0 ? FdEntry::Kind::Stdin : fd == 1 ? FdEntry::Kind::Stdout : FdEntry::Kind::Stderr;
    }
    fds_.emplace(static_cast<uint32_t>(fd), std::move(entry));
  }
}

void WasiState::add_preopens() {
  uint32_t next = 3;
  for (const PreopenDir& preopen : config_->preopens) {
    if (fds_.size() >= config_->max_open_fds) break;
    UniqueFd fd = open_preopen_directory(preopen);
    if (fd.get() < 0) continue;  // check_config reports it; the guest just has no such directory
    FdEntry entry;
    entry.host_fd = fd.get();
    entry.owned = std::move(fd);
    entry.filetype = kFiletypeDirectory;
    entry.rights_base = right::kDirectoryBase;
    entry.rights_inheriting = right::kDirectoryInheriting;
    entry.is_preopen = true;
    entry.preopen_name = preopen.guest_path;
    fds_.emplace(next++, std::move(entry));
  }
  first_dynamic_fd_ = next;
}

FdEntry* WasiState::find(uint32_t fd) {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : &it->second;
}

uint32_t WasiState::lookup(uint32_t fd, uint64_t rights, FdEntry*& entry) {
  entry = find(fd);
  if (entry == nullptr) return kBadf;
  if ((entry->rights_base & rights) != rights) return kNotCapable;
  return kSuccess;
}

bool WasiState::as_created() const {
  if (table_changed_) return false;
  for (const auto& [fd, entry] : fds_)
    if (entry.has_listing) return false;
  return true;
}

uint32_t WasiState::insert(FdEntry entry, uint32_t& fd) {
  if (fds_.size() >= config_->max_open_fds) return kMfile;
  table_changed_ = true;
  uint32_t candidate = first_dynamic_fd_;
  for (auto it = fds_.lower_bound(candidate); it != fds_.end() && it->first == candidate; ++it) ++candidate;
  fds_.emplace(candidate, std::move(entry));
  fd = candidate;
  return kSuccess;
}

uint32_t WasiState::close(uint32_t fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return kBadf;
  table_changed_ = true;
  fds_.erase(it);  // the entry's UniqueFd closes an owned host descriptor
  return kSuccess;
}

uint32_t WasiState::renumber(uint32_t from, uint32_t to) {
  auto source = fds_.find(from);
  auto target = fds_.find(to);
  if (source == fds_.end() || target == fds_.end()) return kBadf;
  table_changed_ = true;
  if (from == to) return kSuccess;
  target->second = std::move(source->second);
  fds_.erase(source);
  return kSuccess;
}

}  // namespace waspvm::wasi
