// Result<T>: a value or an error message (std::expected-style; C++20 has none).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace waspvm {

// What kind of failure an Error is, for hosts that react to some kinds.
enum class ErrorKind : uint8_t {
  Other,      // anything else: a bad argument, a refused operation, a bad snapshot or file
  Malformed,  // a module's bytes are not the binary format (Module::compile)
  Invalid,    // a module is well formed but does not validate (Module::compile)
  Link,       // instantiation: an import is missing or of another type, or initialization failed
  Limit,      // a limit was reached: the host is out of memory, or a configured limit
};

struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::Other;
};

// Thrown by Result::value() (and *, ->) on an error, and by Result::error()
// on a value: a bug in the caller, which should have checked ok(). what()
// carries the error's message.
class BadResultAccess : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    if (v_.index() != 0) [[unlikely]]
      throw_bad_value(*std::get_if<1>(&v_));
    return *std::get_if<0>(&v_);
  }
  const T& value() const& {
    if (v_.index() != 0) [[unlikely]]
      throw_bad_value(*std::get_if<1>(&v_));
    return *std::get_if<0>(&v_);
  }
  T&& value() && {
    if (v_.index() != 0) [[unlikely]]
      throw_bad_value(*std::get_if<1>(&v_));
    return std::move(*std::get_if<0>(&v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const {
    if (ok()) [[unlikely]]
      throw_bad_error();
    return *std::get_if<1>(&v_);
  }

 private:
  // Out of line and cold, so value() stays one compare on the hot paths (the
  // decoder reads every immediate through a Result).
  [[noreturn, gnu::cold, gnu::noinline]] static void throw_bad_value(const Error& error) {
    throw BadResultAccess("Result::value() called on an error: " + error.message);
  }
  [[noreturn, gnu::cold, gnu::noinline]] static void throw_bad_error() {
    throw BadResultAccess("Result::error() called on a value");
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error make_error(std::string message, ErrorKind kind = ErrorKind::Other) {
  return Error{std::move(message), kind};
}

}  // namespace waspvm

// Propagates an error from an expression returning Result<...>.
#define WASP_TRY(expr)                                                            \
  do {                                                                            \
    auto wasp_try_result_ = (expr);                                               \
    if (!wasp_try_result_.ok()) return ::waspvm::Error{wasp_try_result_.error()}; \
  } while (0)
