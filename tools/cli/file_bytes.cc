#include "cli/file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace waspvm::cli {

FileBytes::FileBytes(FileBytes&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      buffer_(std::move(other.buffer_)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  std::swap(mapped_, other.mapped_);
  std::swap(size_, other.size_);
  buffer_.swap(other.buffer_);
  return *this;
}

FileBytes::~FileBytes() {
  if (mapped_ != nullptr) munmap(const_cast<uint8_t*>(mapped_), size_);
}

namespace {

// Reads to the end: chunks into a doubling buffer.
std::optional<std::vector<uint8_t>> read_all(int fd) {
  std::vector<uint8_t> bytes(64 * 1024);
  size_t size = 0;
  for (;;) {
    if (size == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t n = read(fd, bytes.data() + size, bytes.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  bytes.resize(size);
  return bytes;
}

}  // namespace

std::optional<FileBytes> read_file_bytes(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<FileBytes> out;
  struct stat st {};
  if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      const size_t size = static_cast<size_t>(st.st_size);
      void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) out.emplace(static_cast<const uint8_t*>(p), size);
    }
    if (!out) {
      if (auto bytes = read_all(fd)) out.emplace(std::move(*bytes));
    }
  }
  close(fd);
  return out;
}

}  // namespace waspvm::cli
