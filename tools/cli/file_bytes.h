// Reading a whole file (a module, a snapshot file) for the commands.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace waspvm::cli {

// A file's bytes: a regular file is mapped (read-only, private, populated at
// once), so a 20 MB module costs no copy and no zero-filled buffer before
// Module::compile makes the one copy the module keeps; anything else (a pipe,
// /dev/stdin) is read into a buffer. The file must not be truncated while
// mapped (reading a page that is gone is SIGBUS), as with any mapped file.
class FileBytes {
 public:
  FileBytes() = default;
  explicit FileBytes(std::vector<uint8_t> bytes) : buffer_(std::move(bytes)) {}
  FileBytes(const uint8_t* mapped, size_t size) : mapped_(mapped), size_(size) {}
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  std::span<const uint8_t> span() const {
    return mapped_ != nullptr ? std::span<const uint8_t>(mapped_, size_) : std::span<const uint8_t>(buffer_);
  }
  operator std::span<const uint8_t>() const { return span(); }
  std::vector<uint8_t> to_vector() const { return {span().begin(), span().end()}; }

 private:
  const uint8_t* mapped_ = nullptr;  // munmap'ed by the destructor
  size_t size_ = 0;
  std::vector<uint8_t> buffer_;
};

std::optional<FileBytes> read_file_bytes(const std::string& path);

}  // namespace waspvm::cli
