// All the WASI state of one instance: the descriptor table (stdio, preopens,
// opened files), args and environment. Kept in this one class, with no global
// state, so that it can be serialized with the instance later.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "waspvm/wasi.h"

namespace waspvm::wasi {

// A host descriptor owned by the guest's table; closed when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// One directory entry as fd_readdir reports it.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t filetype = 0;
};

struct FdEntry {
  // Host: a host descriptor (opened files, preopens, inherited stdio).
  // Stdin/Stdout/Stderr: the config's callbacks (or empty input / discarded output).
  enum class Kind : uint8_t { Host, Stdin, Stdout, Stderr };
  Kind kind = Kind::Host;
  int host_fd = -1;  // Kind::Host
  UniqueFd owned;    // == host_fd when the table owns it (not for inherited stdio)
  uint8_t filetype = 0;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  uint16_t fdflags = 0;  // callback kinds only (host fds ask the host)
  bool is_preopen = false;
  std::string preopen_name;  // the guest path of a preopen
  // fd_readdir reads the whole directory at cookie 0 and serves later
  // cookies (entry indexes) from this listing.
  std::vector<DirEntry> listing;
  bool has_listing = false;
};

class WasiState {
 public:
  // Sets up stdio and opens the preopens (one that fails is left out).
  explicit WasiState(std::shared_ptr<const WasiConfig> config);
  WasiState(const WasiState&) = delete;
  WasiState& operator=(const WasiState&) = delete;

  const WasiConfig& config() const { return *config_; }
  const std::vector<std::string>& args() const { return config_->args; }
  // "NAME=value" strings.
  const std::vector<std::string>& environ() const { return environ_; }

  // The entry of `fd` if it has every right in `rights`: BADF for an unknown
  // fd, NOTCAPABLE for a missing right.
  uint32_t lookup(uint32_t fd, uint64_t rights, FdEntry*& entry);
  FdEntry* find(uint32_t fd);
  // Adds an entry at the lowest free number above the preopens (MFILE when
  // the table is full).
  uint32_t insert(FdEntry entry, uint32_t& fd);
  uint32_t close(uint32_t fd);
  // Moves `from` to `to`, closing what `to` was; both must be open.
  uint32_t renumber(uint32_t from, uint32_t to);
  size_t open_count() const { return fds_.size(); }
  // Whether the table is still what the config made at the start (stdio and
  // preopens, none opened, closed, renumbered or being listed): then a new
  // WasiState from the same config is the same state (check_snapshot).
  bool as_created() const;

 private:
  void add_stdio();
  void add_preopens();

  std::shared_ptr<const WasiConfig> config_;
  std::vector<std::string> environ_;
  std::map<uint32_t, FdEntry> fds_;
  uint32_t first_dynamic_fd_ = 3;
  bool table_changed_ = false;
};

// The filetype of a host stat mode.
uint8_t filetype_from_mode(uint32_t st_mode);

// Opens a preopen's host directory (an invalid UniqueFd, errno set, when it
// cannot be opened as a directory). Shared by WasiState and check_config so
// they agree on what opens.
UniqueFd open_preopen_directory(const PreopenDir& preopen);

}  // namespace waspvm::wasi
