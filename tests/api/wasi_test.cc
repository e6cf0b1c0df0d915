// WASI preview1 through the API: the wasi_calls module wraps every
// wasi_snapshot_preview1 function in an export of the same name, so each test
// lays out arguments in the exported memory, calls, and checks the errno and
// what was written back. Files live in a fresh temporary directory preopened
// as "/sandbox" (fd 3).
#include "waspvm/wasi.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api_test_util.h"

namespace waspvm::wasi {
// Defined by the sandbox resolver (src/wasi/sandbox.h, not a public header):
// makes path resolution use the portable component walk instead of openat2.
void set_force_component_walk(bool force);
}  // namespace waspvm::wasi

namespace waspvm::api_test {
namespace {

namespace fs = std::filesystem;
using wasi::WasiConfig;

// WASI errno values and flags the tests use (numbering of the witx).
constexpr uint32_t kSuccess = 0, kBadf = 8, kExist = 20, kFault = 21, kInval = 28, kIsDir = 31,
                   kNameTooLong = 37, kNoEnt = 44, kNoSys = 52, kNotDir = 54, kNotEmpty = 55, kNotSock = 57,
                   kNotSup = 58, kNotCapable = 76;
constexpr uint64_t kRightFdRead = 1 << 1, kRightFdSeek = 1 << 2, kRightFdTell = 1 << 5,
                   kRightFdWrite = 1 << 6, kRightFdAllocate = 1 << 8, kRightPathOpen = 1 << 13,
                   kRightFdFilestatGet = 1 << 21, kRightFdFilestatSetSize = 1 << 22,
                   kRightFdFilestatSetTimes = 1 << 23, kRightFdFdstatSetFlags = 1 << 3,
                   kRightPollFdReadwrite = 1 << 27;
constexpr uint64_t kFileRights = kRightFdRead | kRightFdSeek | kRightFdTell | kRightFdWrite |
                                 kRightFdFilestatGet | kRightFdFilestatSetSize | kRightFdFilestatSetTimes |
                                 kRightFdFdstatSetFlags | kRightPollFdReadwrite;
// Every right but those that need write access (a directory asked for them is EISDIR).
constexpr uint64_t kAllButWriteRights = ~(kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize);
constexpr uint32_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;
constexpr uint32_t kLookupFollow = 1;
constexpr uint8_t kFiletypeCharacterDevice = 2, kFiletypeDirectory = 3, kFiletypeRegularFile = 4,
                  kFiletypeSymbolicLink = 7;
constexpr uint32_t kPreopenFd = 3;

// Scratch layout in the guest memory (one 64 KiB page).
constexpr uint32_t kOut = 0;       // results written by the calls
constexpr uint32_t kIovs = 256;    // iovec arrays
constexpr uint32_t kPath = 1024;   // path strings
constexpr uint32_t kPath2 = 2048;  // second path strings
constexpr uint32_t kBuf = 4096;    // data buffers
constexpr uint32_t kMemorySize = 65536;

Value i32(uint32_t v) { return Value::i32(static_cast<int32_t>(v)); }
Value i64(uint64_t v) { return Value::i64(static_cast<int64_t>(v)); }

class WasiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/waspvm-wasi-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    wasi::set_force_component_walk(false);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // The default config: captured stdout/stderr, stdin from stdin_text_, the
  // temporary directory as "/sandbox".
  WasiConfig config() {
    WasiConfig c;
    c.args = {"prog", "first arg", ""};
    c.env = {{"HOME", "/home/guest"}, {"EMPTY", ""}};
    c.preopens.push_back({dir_.string(), "/sandbox"});
    c.inherit_stdio = false;
    c.stdout_sink = [this](std::span<const uint8_t> b) { stdout_.append(b.begin(), b.end()); };
    c.stderr_sink = [this](std::span<const uint8_t> b) { stderr_.append(b.begin(), b.end()); };
    c.stdin_source = [this](std::span<uint8_t> out) {
      size_t n = std::min(out.size(), std::min(stdin_chunk_, stdin_text_.size() - stdin_pos_));
      std::copy_n(stdin_text_.begin() + static_cast<std::ptrdiff_t>(stdin_pos_), n, out.begin());
      stdin_pos_ += n;
      return n;
    };
    return c;
  }

  void start(WasiConfig c, std::string_view module = "wasi_calls") {
    linker_ = std::make_unique<Linker>(engine_);
    wasi::add_to_linker(*linker_, std::move(c));
    auto instance = instantiate_test_module(*linker_, module);
    ASSERT_TRUE(instance.ok()) << instance.error().message;
    instance_.emplace(*instance);
    memory_ = instance_->memory("memory");
    ASSERT_TRUE(memory_.has_value());
  }
  void start() { start(config()); }

  // Calls a WASI function through its wrapper: its errno.
  uint32_t call(std::string_view name, const std::vector<Value>& args) {
    auto r = call_values(*instance_, name, args);
    EXPECT_TRUE(r.ok()) << name << ": " << r.error().message;
    if (!r.ok() || r->size() != 1) return 0xffffffff;
    return static_cast<uint32_t>((*r)[0].i32());
  }

  void put(uint32_t at, std::string_view bytes) { ASSERT_TRUE(memory_->write(at, bytes_of(bytes)).ok()); }
  void put_u32(uint32_t at, uint32_t v) { put(at, std::string_view(reinterpret_cast<const char*>(&v), 4)); }
  void put_iovec(uint32_t at, uint32_t ptr, uint32_t len) {
    put_u32(at, ptr);
    put_u32(at + 4, len);
  }
  std::string get(uint32_t at, uint32_t len) {
    auto bytes = memory_->read(at, len);
    EXPECT_TRUE(bytes.ok());
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
  }
  uint64_t get_le(uint32_t at, int size) {
    std::string b = get(at, static_cast<uint32_t>(size));
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[static_cast<size_t>(i)]);
    return v;
  }
  uint32_t u32(uint32_t at) { return static_cast<uint32_t>(get_le(at, 4)); }
  uint64_t u64(uint32_t at) { return get_le(at, 8); }

  // path_open beneath `dir_fd` (inheriting rights: `rights` unless given); the new fd, or ~errno.
  uint32_t open(std::string_view path, uint32_t oflags, uint64_t rights = kFileRights, uint32_t fdflags = 0,
                uint32_t dir_fd = kPreopenFd, uint32_t lookup = kLookupFollow,
                std::optional<uint64_t> inheriting = std::nullopt) {
    put(kPath, path);
    uint32_t e =
        call("path_open", {i32(dir_fd), i32(lookup), i32(kPath), i32(uint32_t(path.size())), i32(oflags),
                           i64(rights), i64(inheriting.value_or(rights)), i32(fdflags), i32(kOut)});
    return e == kSuccess ? u32(kOut) : ~e;
  }
  // A path function of the form f(fd, path_ptr, path_len).
  uint32_t path_call(std::string_view name, std::string_view path, uint32_t fd = kPreopenFd) {
    put(kPath, path);
    return call(name, {i32(fd), i32(kPath), i32(uint32_t(path.size()))});
  }
  uint32_t write_fd(uint32_t fd, std::string_view text) {
    put(kBuf, text);
    put_iovec(kIovs, kBuf, uint32_t(text.size()));
    return call("fd_write", {i32(fd), i32(kIovs), i32(1), i32(kOut)});
  }
  std::string read_fd(uint32_t fd, uint32_t max) {
    put_iovec(kIovs, kBuf, max);
    EXPECT_EQ(call("fd_read", {i32(fd), i32(kIovs), i32(1), i32(kOut)}), kSuccess);
    return get(kBuf, u32(kOut));
  }
  uint8_t filetype_of(std::string_view path, uint32_t lookup) {
    put(kPath, path);
    EXPECT_EQ(call("path_filestat_get",
                   {i32(kPreopenFd), i32(lookup), i32(kPath), i32(uint32_t(path.size())), i32(kBuf)}),
              kSuccess);
    return static_cast<uint8_t>(get_le(kBuf + 16, 1));
  }
  void write_host_file(const std::string& name, std::string_view text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string read_host_file(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  fs::path dir_;
  Engine engine_;
  std::unique_ptr<Linker> linker_;
  std::optional<Instance> instance_;
  std::optional<Memory> memory_;
  std::string stdout_, stderr_;
  std::string stdin_text_;
  size_t stdin_pos_ = 0;
  size_t stdin_chunk_ = 1 << 20;
};

// ---------------------------------------------------------------- stdio, args, environ

TEST_F(WasiTest, FdWriteGoesToTheSinks) {
  start();
  put(kBuf, "hello, world");
  put_iovec(kIovs, kBuf, 7);
  put_iovec(kIovs + 8, kBuf + 7, 5);
  ASSERT_EQ(call("fd_write", {i32(1), i32(kIovs), i32(2), i32(kOut)}), kSuccess);
  EXPECT_EQ(u32(kOut), 12u);
  EXPECT_EQ(stdout_, "hello, world");
  ASSERT_EQ(write_fd(2, "oops\n"), kSuccess);
  EXPECT_EQ(stderr_, "oops\n");
  EXPECT_EQ(write_fd(0, "x"), kNotCapable);  // stdin is not writable
}

TEST_F(WasiTest, FdReadTakesFromTheSource) {
  stdin_text_ = "abcdef";
  stdin_chunk_ = 4;  // the source gives at most 4 bytes per call
  start();
  put_iovec(kIovs, kBuf, 4);
  put_iovec(kIovs + 8, kBuf + 4, 10);
  ASSERT_EQ(call("fd_read", {i32(0), i32(kIovs), i32(2), i32(kOut)}), kSuccess);
  EXPECT_EQ(u32(kOut), 4u + 2u);
  EXPECT_EQ(get(kBuf, 6), "abcdef");
  EXPECT_EQ(read_fd(0, 10), "");  // end of input
}

TEST_F(WasiTest, WithoutCallbacksStdinIsEmptyAndOutputDiscarded) {
  WasiConfig c = config();
  c.stdin_source = nullptr;
  c.stdout_sink = nullptr;
  start(std::move(c));
  EXPECT_EQ(read_fd(0, 16), "");
  ASSERT_EQ(write_fd(1, "dropped"), kSuccess);
  EXPECT_EQ(u32(kOut), 7u);
  EXPECT_EQ(stdout_, "");
}

TEST_F(WasiTest, StdioFdstat) {
  start();
  ASSERT_EQ(call("fd_fdstat_get", {i32(1), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf, 1), kFiletypeCharacterDevice);
  EXPECT_TRUE(u64(kBuf + 8) & kRightFdWrite);
  EXPECT_FALSE(u64(kBuf + 8) & kRightFdRead);
  ASSERT_EQ(call("fd_filestat_get", {i32(0), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf + 16, 1), kFiletypeCharacterDevice);
}

TEST_F(WasiTest, ArgsRoundTrip) {
  start();
  ASSERT_EQ(call("args_sizes_get", {i32(kOut), i32(kOut + 4)}), kSuccess);
  ASSERT_EQ(u32(kOut), 3u);
  ASSERT_EQ(u32(kOut + 4), 5u + 10u + 1u);
  ASSERT_EQ(call("args_get", {i32(kIovs), i32(kBuf)}), kSuccess);
  EXPECT_EQ(u32(kIovs), kBuf);
  EXPECT_EQ(get(u32(kIovs), 5), std::string("prog\0", 5));
  EXPECT_EQ(get(u32(kIovs + 4), 10), std::string("first arg\0", 10));
  EXPECT_EQ(get(u32(kIovs + 8), 1), std::string("\0", 1));
}

TEST_F(WasiTest, EnvironRoundTrip) {
  start();
  ASSERT_EQ(call("environ_sizes_get", {i32(kOut), i32(kOut + 4)}), kSuccess);
  ASSERT_EQ(u32(kOut), 2u);
  ASSERT_EQ(u32(kOut + 4), 17u + 7u);
  ASSERT_EQ(call("environ_get", {i32(kIovs), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get(u32(kIovs), 17), std::string("HOME=/home/guest\0", 17));
  EXPECT_EQ(get(u32(kIovs + 4), 7), std::string("EMPTY=\0", 7));
}

TEST_F(WasiTest, ProcExitEndsTheCallWithItsCode) {
  start(config(), "wasi_hello");
  auto outcome = instance_->call("_start", {});
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  ASSERT_TRUE(outcome->trapped());
  EXPECT_EQ(outcome->trap().code, TrapCode::Exit);
  EXPECT_EQ(wasi::exit_code(*outcome), 7);
  EXPECT_EQ(stdout_, "hello, wasi\n");
  EXPECT_EQ(wasi::exit_code(Outcome::returned({})), std::nullopt);
  Trap other;
  other.code = TrapCode::Unreachable;
  EXPECT_EQ(wasi::exit_code(Outcome::trapped(other)), std::nullopt);
}

TEST_F(WasiTest, ProcExitFromTheCallsModule) {
  start();
  auto outcome = instance_->call("proc_exit", std::vector<Value>{i32(0)});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(wasi::exit_code(*outcome), 0);
}

// ---------------------------------------------------------------- clocks, random, poll

TEST_F(WasiTest, MonotonicClockIncreases) {
  start();
  ASSERT_EQ(call("clock_time_get", {i32(1), i64(0), i32(kOut)}), kSuccess);
  uint64_t first = u64(kOut);
  ::usleep(2000);
  ASSERT_EQ(call("clock_time_get", {i32(1), i64(0), i32(kOut)}), kSuccess);
  EXPECT_GT(u64(kOut), first + 1'000'000);
  for (uint32_t id = 0; id < 4; ++id) {
    EXPECT_EQ(call("clock_res_get", {i32(id), i32(kOut)}), kSuccess) << id;
    EXPECT_GT(u64(kOut), 0u);
    EXPECT_EQ(call("clock_time_get", {i32(id), i64(0), i32(kOut)}), kSuccess) << id;
  }
  ASSERT_EQ(call("clock_time_get", {i32(0), i64(0), i32(kOut)}), kSuccess);
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  EXPECT_LT(std::llabs(static_cast<long long>(u64(kOut)) - now), 5'000'000'000LL);
  EXPECT_EQ(call("clock_time_get", {i32(9), i64(0), i32(kOut)}), kInval);
  EXPECT_EQ(call("clock_res_get", {i32(9), i32(kOut)}), kInval);
}

TEST_F(WasiTest, RandomGetFills) {
  start();
  ASSERT_EQ(call("random_get", {i32(kBuf), i32(64)}), kSuccess);
  std::string first = get(kBuf, 64);
  EXPECT_NE(first, std::string(64, '\0'));
  ASSERT_EQ(call("random_get", {i32(kBuf), i32(64)}), kSuccess);
  EXPECT_NE(get(kBuf, 64), first);
  EXPECT_EQ(call("random_get", {i32(kMemorySize - 8), i32(9)}), kFault);
  EXPECT_EQ(call("random_get", {i32(kMemorySize), i32(0)}), kSuccess);
}

// Subscription i at kBuf + 48 i; events at kBuf + 1024.
class WasiPollTest : public WasiTest {
 protected:
  void clock_sub(uint32_t i, uint64_t userdata, uint32_t clock, uint64_t timeout, uint16_t flags) {
    uint32_t at = kBuf + 48 * i;
    put(at, std::string(48, '\0'));
    put(at, std::string_view(reinterpret_cast<const char*>(&userdata), 8));
    put_u32(at + 16, clock);
    put(at + 24, std::string_view(reinterpret_cast<const char*>(&timeout), 8));
    put(at + 40, std::string_view(reinterpret_cast<const char*>(&flags), 2));
  }
  void fd_sub(uint32_t i, uint64_t userdata, uint8_t type, uint32_t fd) {
    uint32_t at = kBuf + 48 * i;
    put(at, std::string(48, '\0'));
    put(at, std::string_view(reinterpret_cast<const char*>(&userdata), 8));
    put(at + 8, std::string(1, static_cast<char>(type)));
    put_u32(at + 16, fd);
  }
  uint32_t poll(uint32_t n) { return call("poll_oneoff", {i32(kBuf), i32(kBuf + 1024), i32(n), i32(kOut)}); }
  uint64_t event_userdata(uint32_t i) { return u64(kBuf + 1024 + 32 * i); }
  uint32_t event_error(uint32_t i) { return static_cast<uint32_t>(get_le(kBuf + 1024 + 32 * i + 8, 2)); }
  uint32_t event_type(uint32_t i) { return static_cast<uint32_t>(get_le(kBuf + 1024 + 32 * i + 10, 1)); }
};

TEST_F(WasiPollTest, RelativeClockSleeps) {
  start();
  clock_sub(0, 0xabcdef, 1, 20'000'000, 0);
  auto before = std::chrono::steady_clock::now();
  ASSERT_EQ(poll(1), kSuccess);
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(20));
  ASSERT_EQ(u32(kOut), 1u);
  EXPECT_EQ(event_userdata(0), 0xabcdefu);
  EXPECT_EQ(event_error(0), kSuccess);
  EXPECT_EQ(event_type(0), 0u);
}

TEST_F(WasiPollTest, EarliestClockWins) {
  start();
  clock_sub(0, 1, 1, 5'000'000'000ull, 0);  // 5 s
  clock_sub(1, 2, 1, 10'000'000, 0);        // 10 ms
  auto before = std::chrono::steady_clock::now();
  ASSERT_EQ(poll(2), kSuccess);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  ASSERT_EQ(u32(kOut), 1u);
  EXPECT_EQ(event_userdata(0), 2u);
}

TEST_F(WasiPollTest, AbsoluteClocksInThePastAreReadyAtOnce) {
  start();
  ASSERT_EQ(call("clock_time_get", {i32(1), i64(0), i32(kOut)}), kSuccess);
  clock_sub(0, 7, 1, u64(kOut), 1);      // monotonic, now
  clock_sub(1, 8, 0, 1'000'000'000, 1);  // realtime, 1970
  ASSERT_EQ(poll(2), kSuccess);
  EXPECT_EQ(u32(kOut), 2u);
  EXPECT_EQ(event_userdata(0), 7u);
  EXPECT_EQ(event_userdata(1), 8u);
}

TEST_F(WasiPollTest, FdSubscriptions) {
  start();
  write_host_file("data", "12345");
  uint32_t fd = open("data", 0);
  ASSERT_LT(fd, 100u);
  fd_sub(0, 10, 1, fd);  // a regular file is always readable
  fd_sub(1, 11, 2, 1);   // stdout (a sink) is always writable
  fd_sub(2, 12, 1, 99);  // no such fd: an event with BADF
  clock_sub(3, 13, 1, 5'000'000'000ull, 0);
  ASSERT_EQ(poll(4), kSuccess);
  ASSERT_EQ(u32(kOut), 3u);
  EXPECT_EQ(event_userdata(0), 10u);
  EXPECT_EQ(event_type(0), 1u);
  EXPECT_EQ(event_error(0), kSuccess);
  EXPECT_EQ(u64(kBuf + 1024 + 16), 5u);  // nbytes
  EXPECT_EQ(event_userdata(1), 11u);
  EXPECT_EQ(event_userdata(2), 12u);
  EXPECT_EQ(event_error(2), kBadf);
}

TEST_F(WasiPollTest, BadArguments) {
  start();
  EXPECT_EQ(poll(0), kInval);
  EXPECT_EQ(call("poll_oneoff", {i32(kMemorySize - 40), i32(kBuf + 1024), i32(1), i32(kOut)}), kFault);
  EXPECT_EQ(call("poll_oneoff", {i32(kBuf), i32(kMemorySize - 16), i32(1), i32(kOut)}), kFault);
}

// ---------------------------------------------------------------- files

TEST_F(WasiTest, PrestatDescribesThePreopen) {
  start();
  ASSERT_EQ(call("fd_prestat_get", {i32(3), i32(kOut)}), kSuccess);
  EXPECT_EQ(get_le(kOut, 1), 0u);
  EXPECT_EQ(u32(kOut + 4), 8u);
  ASSERT_EQ(call("fd_prestat_dir_name", {i32(3), i32(kBuf), i32(8)}), kSuccess);
  EXPECT_EQ(get(kBuf, 8), "/sandbox");
  EXPECT_EQ(call("fd_prestat_dir_name", {i32(3), i32(kBuf), i32(4)}), kNameTooLong);
  EXPECT_EQ(call("fd_prestat_get", {i32(4), i32(kOut)}), kBadf);
  EXPECT_EQ(call("fd_prestat_get", {i32(1), i32(kOut)}), kBadf);
  ASSERT_EQ(call("fd_fdstat_get", {i32(3), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf, 1), kFiletypeDirectory);
}

TEST_F(WasiTest, MissingPreopenIsLeftOut) {
  WasiConfig c = config();
  c.preopens.insert(c.preopens.begin(), {(dir_ / "missing").string(), "/missing"});
  EXPECT_FALSE(wasi::check_config(c).ok());
  EXPECT_TRUE(wasi::check_config(config()).ok());
  start(std::move(c));
  ASSERT_EQ(call("fd_prestat_get", {i32(3), i32(kOut)}), kSuccess);
  EXPECT_EQ(u32(kOut + 4), 8u);  // "/sandbox", the next preopen, took fd 3
  EXPECT_EQ(call("fd_prestat_get", {i32(4), i32(kOut)}), kBadf);
}

TEST_F(WasiTest, OpenWriteSeekReadRoundTrip) {
  start();
  uint32_t fd = open("file.txt", kOflagCreat | kOflagTrunc);
  ASSERT_EQ(fd, 4u);  // the lowest number above the preopens
  ASSERT_EQ(write_fd(fd, "hello world"), kSuccess);
  EXPECT_EQ(u32(kOut), 11u);
  ASSERT_EQ(call("fd_tell", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(u64(kOut), 11u);
  ASSERT_EQ(call("fd_seek", {i32(fd), i64(0), i32(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(u64(kOut), 0u);
  EXPECT_EQ(read_fd(fd, 100), "hello world");
  ASSERT_EQ(call("fd_seek", {i32(fd), i64(uint64_t(-5)), i32(2), i32(kOut)}), kSuccess);
  EXPECT_EQ(u64(kOut), 6u);
  EXPECT_EQ(read_fd(fd, 100), "world");
  EXPECT_EQ(call("fd_seek", {i32(fd), i64(0), i32(3), i32(kOut)}), kInval);
  EXPECT_EQ(call("fd_seek", {i32(fd), i64(uint64_t(-100)), i32(1), i32(kOut)}), kInval);

  // pread/pwrite leave the position alone.
  put(kBuf, "WORLD");
  put_iovec(kIovs, kBuf, 5);
  ASSERT_EQ(call("fd_pwrite", {i32(fd), i32(kIovs), i32(1), i64(6), i32(kOut)}), kSuccess);
  put_iovec(kIovs, kBuf + 100, 5);
  ASSERT_EQ(call("fd_pread", {i32(fd), i32(kIovs), i32(1), i64(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(get(kBuf + 100, u32(kOut)), "hello");
  ASSERT_EQ(call("fd_tell", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(u64(kOut), 11u);

  ASSERT_EQ(call("fd_filestat_get", {i32(fd), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf + 16, 1), kFiletypeRegularFile);
  EXPECT_EQ(u64(kBuf + 32), 11u);
  ASSERT_EQ(call("fd_filestat_set_size", {i32(fd), i64(5)}), kSuccess);
  EXPECT_EQ(call("fd_sync", {i32(fd)}), kNotCapable);  // not asked for
  ASSERT_EQ(call("fd_close", {i32(fd)}), kSuccess);
  EXPECT_EQ(call("fd_close", {i32(fd)}), kBadf);
  EXPECT_EQ(read_host_file("file.txt"), "hello");
}

TEST_F(WasiTest, OpenFlags) {
  start();
  write_host_file("existing", "content");
  EXPECT_EQ(~open("existing", kOflagCreat | kOflagExcl), kExist);
  EXPECT_EQ(~open("absent", 0), kNoEnt);
  EXPECT_EQ(~open("existing", kOflagDirectory), kNotDir);
  EXPECT_EQ(~open("existing", kOflagCreat | kOflagDirectory), kInval);
  uint32_t fd = open("existing", 0, kFileRights, /*append*/ 1);
  ASSERT_LT(fd, 100u);
  ASSERT_EQ(write_fd(fd, "+more"), kSuccess);
  ASSERT_EQ(call("fd_fdstat_get", {i32(fd), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf + 2, 2), 1u);  // append
  ASSERT_EQ(call("fd_fdstat_set_flags", {i32(fd), i32(0)}), kSuccess);
  ASSERT_EQ(call("fd_fdstat_get", {i32(fd), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf + 2, 2), 0u);
  EXPECT_EQ(read_host_file("existing"), "content+more");
  ASSERT_EQ(call("fd_close", {i32(fd)}), kSuccess);
  fd = open("existing", kOflagTrunc);
  ASSERT_LT(fd, 100u);
  EXPECT_EQ(read_host_file("existing"), "");

  fs::create_directory(dir_ / "sub");
  uint32_t sub = open("sub", kOflagDirectory, kAllButWriteRights, 0, kPreopenFd, kLookupFollow, ~0ull);
  ASSERT_LT(sub, 100u);
  ASSERT_EQ(call("fd_fdstat_get", {i32(sub), i32(kBuf)}), kSuccess);
  EXPECT_EQ(get_le(kBuf, 1), kFiletypeDirectory);
  EXPECT_FALSE(u64(kBuf + 8) & kRightFdWrite);  // not a right of a directory
  uint32_t inner = open("inner.txt", kOflagCreat, kFileRights, 0, sub);
  ASSERT_LT(inner, 100u);
  EXPECT_TRUE(fs::exists(dir_ / "sub" / "inner.txt"));
}

TEST_F(WasiTest, MiscFileCalls) {
  start();
  uint32_t fd = open("f", kOflagCreat, ~0ull);
  ASSERT_LT(fd, 100u);
  EXPECT_EQ(call("fd_allocate", {i32(fd), i64(0), i64(100)}), kSuccess);
  EXPECT_EQ(fs::file_size(dir_ / "f"), 100u);
  EXPECT_EQ(call("fd_advise", {i32(fd), i64(0), i64(100), i32(1)}), kSuccess);
  EXPECT_EQ(call("fd_advise", {i32(fd), i64(0), i64(100), i32(9)}), kInval);
  EXPECT_EQ(call("fd_sync", {i32(fd)}), kSuccess);
  EXPECT_EQ(call("fd_datasync", {i32(fd)}), kSuccess);
  EXPECT_EQ(call("sched_yield", {}), kSuccess);
  // Times: atime 1 s, mtime 2 s after the epoch.
  ASSERT_EQ(call("fd_filestat_set_times", {i32(fd), i64(1'000'000'000), i64(2'000'000'000), i32(1 | 4)}),
            kSuccess);
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_atime, 1);
  EXPECT_EQ(st.st_mtime, 2);
  EXPECT_EQ(call("fd_filestat_set_times", {i32(fd), i64(0), i64(0), i32(1 | 2)}), kInval);
  put(kPath, "f");
  ASSERT_EQ(call("path_filestat_set_times",
                 {i32(3), i32(0), i32(kPath), i32(1), i64(0), i64(5'000'000'000), i32(4)}),
            kSuccess);
  ASSERT_EQ(::stat((dir_ / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 5);
  EXPECT_EQ(st.st_atime, 1);  // omitted
  ASSERT_EQ(call("path_filestat_set_times",
                 {i32(3), i32(1), i32(kPath), i32(1), i64(0), i64(6'000'000'000), i32(4)}),
            kSuccess);
  ASSERT_EQ(::stat((dir_ / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 6);
}

TEST_F(WasiTest, RenumberAndLowestFreeNumber) {
  start();
  write_host_file("a", "A");
  write_host_file("b", "B");
  uint32_t a = open("a", 0), b = open("b", 0);
  ASSERT_EQ(a, 4u);
  ASSERT_EQ(b, 5u);
  ASSERT_EQ(call("fd_renumber", {i32(b), i32(a)}), kSuccess);
  EXPECT_EQ(read_fd(4, 10), "B");
  EXPECT_EQ(call("fd_close", {i32(5)}), kBadf);
  EXPECT_EQ(call("fd_renumber", {i32(4), i32(77)}), kBadf);
  EXPECT_EQ(open("a", 0), 5u);
  ASSERT_EQ(call("fd_close", {i32(4)}), kSuccess);
  EXPECT_EQ(open("a", 0), 4u);
}

TEST_F(WasiTest, DescriptorLimit) {
  WasiConfig c = config();
  c.max_open_fds = 5;  // stdio, the preopen and one more
  start(std::move(c));
  write_host_file("a", "A");
  EXPECT_EQ(open("a", 0), 4u);
  EXPECT_EQ(~open("a", 0), 33u);  // MFILE
}

// Counts the host descriptors of this process.
size_t open_host_fds() {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_F(WasiTest, HostDescriptorsClosedWithTheInstance) {
  write_host_file("a", "A");
  size_t before = open_host_fds();
  start();
  for (int i = 0; i < 3; ++i) ASSERT_LT(open("a", 0), 100u);
  EXPECT_EQ(open_host_fds(), before + 4);  // the preopen and three files
  // The instance lives as long as anything linked with it: the linker's host functions too.
  instance_.reset();
  memory_.reset();
  linker_.reset();
  EXPECT_EQ(open_host_fds(), before);
}

// ---------------------------------------------------------------- directories and paths

class WasiReaddirTest : public WasiTest {
 protected:
  // name -> type, reading in buffers of buf_len bytes.
  std::map<std::string, uint8_t> list(uint32_t fd, uint32_t buf_len, int* calls = nullptr) {
    std::map<std::string, uint8_t> entries;
    uint64_t cookie = 0;
    for (int n = 0; n < 1000; ++n) {
      if (calls) ++*calls;
      EXPECT_EQ(call("fd_readdir", {i32(fd), i32(kBuf), i32(buf_len), i64(cookie), i32(kOut)}), kSuccess);
      uint32_t used = u32(kOut);
      uint32_t at = 0;
      while (at + 24 <= used) {
        uint32_t namelen = u32(kBuf + at + 16);
        if (at + 24 + namelen > used) break;  // cut: ask again from its cookie
        entries[get(kBuf + at + 24, namelen)] = static_cast<uint8_t>(get_le(kBuf + at + 20, 1));
        cookie = u64(kBuf + at);
        at += 24 + namelen;
      }
      if (used < buf_len) break;
    }
    return entries;
  }
};

TEST_F(WasiReaddirTest, ListsEntriesWithTypes) {
  write_host_file("a", "");
  write_host_file("bb", "");
  fs::create_directory(dir_ / "ccc");
  fs::create_symlink("a", dir_ / "link");
  start();
  auto entries = list(3, 4096);
  std::map<std::string, uint8_t> expected = {{".", kFiletypeDirectory},   {"..", kFiletypeDirectory},
                                             {"a", kFiletypeRegularFile}, {"bb", kFiletypeRegularFile},
                                             {"ccc", kFiletypeDirectory}, {"link", kFiletypeSymbolicLink}};
  EXPECT_EQ(entries, expected);
  // Small buffers cut entries; following the cookies still gives every entry once.
  int calls = 0;
  EXPECT_EQ(list(3, 30, &calls), expected);
  EXPECT_GT(calls, 3);
  // Exactly filled buffer: bufused == buf_len.
  ASSERT_EQ(call("fd_readdir", {i32(3), i32(kBuf), i32(10), i64(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(u32(kOut), 10u);
  // Past the end: nothing.
  ASSERT_EQ(call("fd_readdir", {i32(3), i32(kBuf), i32(100), i64(1000), i32(kOut)}), kSuccess);
  EXPECT_EQ(u32(kOut), 0u);
  EXPECT_EQ(call("fd_readdir", {i32(1), i32(kBuf), i32(100), i64(0), i32(kOut)}), kNotCapable);
}

TEST_F(WasiTest, DirectoryOperations) {
  start();
  ASSERT_EQ(path_call("path_create_directory", "d"), kSuccess);
  EXPECT_TRUE(fs::is_directory(dir_ / "d"));
  EXPECT_EQ(path_call("path_create_directory", "d"), kExist);
  EXPECT_EQ(filetype_of("d", 0), kFiletypeDirectory);
  ASSERT_EQ(path_call("path_create_directory", "d/inner/"), kSuccess);
  EXPECT_EQ(path_call("path_remove_directory", "d"), kNotEmpty);
  EXPECT_EQ(path_call("path_unlink_file", "d"), kIsDir);
  put(kPath, "d");
  put(kPath2, "e");
  ASSERT_EQ(call("path_rename", {i32(3), i32(kPath), i32(1), i32(3), i32(kPath2), i32(1)}), kSuccess);
  EXPECT_FALSE(fs::exists(dir_ / "d"));
  EXPECT_TRUE(fs::is_directory(dir_ / "e" / "inner"));
  ASSERT_EQ(path_call("path_remove_directory", "e/inner"), kSuccess);
  ASSERT_EQ(path_call("path_remove_directory", "e"), kSuccess);
  EXPECT_FALSE(fs::exists(dir_ / "e"));
  EXPECT_EQ(path_call("path_remove_directory", "e"), kNoEnt);
  EXPECT_EQ(path_call("path_create_directory", ""), kNoEnt);
}

TEST_F(WasiTest, FileLinksAndSymlinks) {
  start();
  write_host_file("x", "data");
  // symlink(target "x", new path "lnk")
  put(kPath, "x");
  put(kPath2, "lnk");
  ASSERT_EQ(call("path_symlink", {i32(kPath), i32(1), i32(3), i32(kPath2), i32(3)}), kSuccess);
  EXPECT_EQ(fs::read_symlink(dir_ / "lnk"), "x");
  put(kPath, "lnk");
  ASSERT_EQ(call("path_readlink", {i32(3), i32(kPath), i32(3), i32(kBuf), i32(64), i32(kOut)}), kSuccess);
  EXPECT_EQ(get(kBuf, u32(kOut)), "x");
  ASSERT_EQ(call("path_readlink", {i32(3), i32(kPath), i32(3), i32(kBuf), i32(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(u32(kOut), 0u);  // cut to the buffer
  EXPECT_EQ(filetype_of("lnk", 0), kFiletypeSymbolicLink);
  EXPECT_EQ(filetype_of("lnk", kLookupFollow), kFiletypeRegularFile);
  uint32_t fd = open("lnk", 0);
  ASSERT_LT(fd, 100u);
  EXPECT_EQ(read_fd(fd, 10), "data");
  EXPECT_EQ(~open("lnk", 0, kFileRights, 0, 3, /*no follow*/ 0), 32u);  // LOOP

  // Hard link x -> y.
  put(kPath, "x");
  put(kPath2, "y");
  ASSERT_EQ(call("path_link", {i32(3), i32(0), i32(kPath), i32(1), i32(3), i32(kPath2), i32(1)}), kSuccess);
  EXPECT_EQ(fs::hard_link_count(dir_ / "x"), 2u);
  // Following a symlink source links its target.
  put(kPath, "lnk");
  put(kPath2, "z");
  ASSERT_EQ(call("path_link", {i32(3), i32(1), i32(kPath), i32(3), i32(3), i32(kPath2), i32(1)}), kSuccess);
  EXPECT_EQ(fs::hard_link_count(dir_ / "x"), 3u);
  EXPECT_FALSE(fs::is_symlink(dir_ / "z"));

  ASSERT_EQ(path_call("path_unlink_file", "y"), kSuccess);
  ASSERT_EQ(path_call("path_unlink_file", "z"), kSuccess);
  ASSERT_EQ(path_call("path_unlink_file", "lnk"), kSuccess);
  EXPECT_TRUE(fs::exists(dir_ / "x"));
  EXPECT_EQ(path_call("path_unlink_file", "x/"), kNotDir);
  ASSERT_EQ(path_call("path_unlink_file", "x"), kSuccess);
  EXPECT_EQ(path_call("path_unlink_file", "x"), kNoEnt);
}

// ---------------------------------------------------------------- the sandbox

class WasiSandboxTest : public WasiTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    WasiTest::SetUp();
    wasi::set_force_component_walk(GetParam());
  }
};

TEST_P(WasiSandboxTest, EscapesAreNotCapable) {
  fs::create_directory(dir_ / "inside");
  fs::create_directory(dir_ / "inside" / "deeper");
  write_host_file("inside/f", "");
  // A secret next to the sandbox directory.
  fs::path outside = dir_.string() + "-outside";
  std::ofstream(outside) << "secret";
  start();
  for (std::string path : {"../x", "/etc/passwd", "/", "inside/../../x", "inside/deeper/../../../x", ".."}) {
    EXPECT_EQ(~open(path, 0), kNotCapable) << path;
    EXPECT_EQ(path_call("path_create_directory", path), kNotCapable) << path;
    EXPECT_EQ(path_call("path_unlink_file", path), kNotCapable) << path;
    put(kPath, path);
    EXPECT_EQ(call("path_filestat_get", {i32(3), i32(1), i32(kPath), i32(uint32_t(path.size())), i32(kBuf)}),
              kNotCapable)
        << path;
  }
  // Going up and back down stays inside and is fine.
  EXPECT_LT(open("inside/deeper/../f", 0), 100u);
  EXPECT_LT(open("inside/..", kOflagDirectory, kAllButWriteRights), 100u);

  // A symlink may hold any relative text; following it out is refused.
  std::string escape_target = "../" + outside.filename().string();
  put(kPath, escape_target);
  put(kPath2, "out");
  ASSERT_EQ(
      call("path_symlink", {i32(kPath), i32(uint32_t(escape_target.size())), i32(3), i32(kPath2), i32(3)}),
      kSuccess);
  EXPECT_EQ(~open("out", 0), kNotCapable);
  EXPECT_EQ(filetype_of("out", 0), kFiletypeSymbolicLink);  // not followed: fine
  put(kPath, "out");
  EXPECT_EQ(call("path_filestat_get", {i32(3), i32(1), i32(kPath), i32(3), i32(kBuf)}), kNotCapable);
  // Absolute targets are refused when the link is made.
  put(kPath, "/etc/passwd");
  put(kPath2, "abs");
  EXPECT_EQ(call("path_symlink", {i32(kPath), i32(11), i32(3), i32(kPath2), i32(3)}), kNotCapable);
  EXPECT_FALSE(fs::exists(dir_ / "abs"));
  std::error_code ignored;
  fs::remove(outside, ignored);
}

INSTANTIATE_TEST_SUITE_P(Resolvers, WasiSandboxTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "ComponentWalk" : "Default"; });

// ---------------------------------------------------------------- as Linux and wasmtime (wasi-testsuite)

// The path tests below run with both resolvers too: openat2 and the walk see
// trailing slashes and "." differently.
class WasiPathTest : public WasiSandboxTest {
 protected:
  uint32_t symlink(std::string_view target, std::string_view path) {
    put(kPath, target);
    put(kPath2, path);
    return call("path_symlink", {i32(kPath), i32(uint32_t(target.size())), i32(kPreopenFd), i32(kPath2),
                                 i32(uint32_t(path.size()))});
  }
  uint32_t link(std::string_view from, std::string_view to, uint32_t lookup = 0) {
    put(kPath, from);
    put(kPath2, to);
    return call("path_link", {i32(kPreopenFd), i32(lookup), i32(kPath), i32(uint32_t(from.size())),
                              i32(kPreopenFd), i32(kPath2), i32(uint32_t(to.size()))});
  }
};

// wasi-testsuite path_symlink_trailing_slashes: a new symlink's name cannot
// end in '/' (a name with a slash can only be a directory).
TEST_P(WasiPathTest, PathSymlinkTrailingSlashOnNewNameFails) {
  fs::create_directory(dir_ / "sub");
  start();
  EXPECT_EQ(symlink("source", "target/"), kNoEnt);
  EXPECT_EQ(symlink("source", "target//"), kNoEnt);
  EXPECT_EQ(symlink("source", "sub/target/"), kNoEnt);
  EXPECT_FALSE(fs::is_symlink(dir_ / "target"));
  EXPECT_FALSE(fs::is_symlink(dir_ / "sub" / "target"));
  // A directory of that name exists: EEXIST, with or without the slash.
  EXPECT_EQ(symlink("source", "sub/"), kExist);
  EXPECT_EQ(symlink("source", "sub"), kExist);
  EXPECT_EQ(symlink("source", "./"), kExist);
  // A file of that name: ENOTDIR with the slash, EEXIST without.
  write_host_file("file", "");
  EXPECT_EQ(symlink("source", "file/"), kNotDir);
  EXPECT_EQ(symlink("source", "file"), kExist);
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir_ / "file")));
  // Without the slash a dangling symlink is made.
  ASSERT_EQ(symlink("source", "target"), kSuccess);
  EXPECT_EQ(fs::read_symlink(dir_ / "target"), "source");
}

// wasi-testsuite path_link: a new hard link's name cannot end in '/'.
TEST_P(WasiPathTest, PathLinkTrailingSlashOnNewNameFails) {
  write_host_file("file", "data");
  fs::create_directory(dir_ / "dir");
  start();
  EXPECT_EQ(link("file", "link/"), kNoEnt);
  EXPECT_EQ(link("file", "link/", kLookupFollow), kNoEnt);
  EXPECT_EQ(link("file", "dir/link/"), kNoEnt);
  EXPECT_FALSE(fs::exists(dir_ / "link"));
  EXPECT_FALSE(fs::exists(dir_ / "dir" / "link"));
  EXPECT_EQ(fs::hard_link_count(dir_ / "file"), 1u);
  EXPECT_EQ(link("file", "dir/"), kExist);
  EXPECT_EQ(link("file", "dir"), kExist);
  write_host_file("other", "");
  EXPECT_EQ(link("file", "other/"), kNotDir);
  EXPECT_EQ(link("file", "other"), kExist);
  EXPECT_EQ(fs::hard_link_count(dir_ / "file"), 1u);
  // Without the slash the link is made.
  ASSERT_EQ(link("file", "dir/link"), kSuccess);
  EXPECT_EQ(fs::hard_link_count(dir_ / "file"), 2u);
}

// wasi-testsuite path_open_preopen: a directory opened with a write right is
// EISDIR, with O_DIRECTORY as without; read rights or none are fine.
TEST_P(WasiPathTest, PathOpenDirectoryWithWriteRightIsIsdir) {
  fs::create_directory(dir_ / "sub");
  write_host_file("file", "");
  start();
  EXPECT_EQ(~open(".", kOflagDirectory, kRightFdRead | kRightFdWrite), kIsDir);
  EXPECT_EQ(~open(".", kOflagDirectory, kRightFdWrite), kIsDir);
  EXPECT_EQ(~open(".", 0, kRightFdRead | kRightFdWrite), kIsDir);
  EXPECT_EQ(~open("sub", kOflagDirectory, ~0ull), kIsDir);
  EXPECT_EQ(~open("sub/", kOflagDirectory, kRightFdWrite), kIsDir);
  EXPECT_EQ(~open("sub/.", kOflagDirectory, kRightFdAllocate), kIsDir);
  // A file is not a directory, whatever the rights.
  EXPECT_EQ(~open("file", kOflagDirectory, kRightFdWrite), kNotDir);
  EXPECT_EQ(~open("file", kOflagDirectory, kRightFdRead), kNotDir);
  // No write right: the directory opens.
  for (uint64_t rights : {uint64_t{0}, kRightFdRead, kAllButWriteRights}) {
    uint32_t fd = open(".", kOflagDirectory, rights);
    ASSERT_LT(fd, 100u) << rights;
    ASSERT_EQ(call("fd_fdstat_get", {i32(fd), i32(kBuf)}), kSuccess);
    EXPECT_EQ(get_le(kBuf, 1), kFiletypeDirectory);
    EXPECT_EQ(call("fd_close", {i32(fd)}), kSuccess);
  }
  uint32_t fd = open("sub", 0, kRightFdRead);
  ASSERT_LT(fd, 100u);
}

INSTANTIATE_TEST_SUITE_P(Resolvers, WasiPathTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "ComponentWalk" : "Default"; });

// ---------------------------------------------------------------- errors

TEST_F(WasiTest, OutOfBoundsPointersFault) {
  start();
  put(kBuf, "abc");
  // The iovec array, a buffer it names, and the result pointer.
  EXPECT_EQ(call("fd_write", {i32(1), i32(kMemorySize - 4), i32(1), i32(kOut)}), kFault);
  put_iovec(kIovs, kMemorySize - 2, 3);
  EXPECT_EQ(call("fd_write", {i32(1), i32(kIovs), i32(1), i32(kOut)}), kFault);
  put_iovec(kIovs, kBuf, 3);
  EXPECT_EQ(call("fd_write", {i32(1), i32(kIovs), i32(1), i32(kMemorySize - 3)}), kFault);
  EXPECT_EQ(call("fd_write", {i32(1), i32(kIovs), i32(0x20000000), i32(kOut)}), kFault);
  EXPECT_EQ(stdout_, "");
  put_iovec(kIovs, 0xfffffff0u, 0x20);  // wraps around in 32 bits
  EXPECT_EQ(call("fd_read", {i32(0), i32(kIovs), i32(1), i32(kOut)}), kFault);
  EXPECT_EQ(call("args_get", {i32(kMemorySize - 4), i32(kBuf)}), kFault);
  EXPECT_EQ(call("args_get", {i32(kIovs), i32(kMemorySize - 4)}), kFault);
  EXPECT_EQ(call("args_sizes_get", {i32(kOut), i32(0xffffffffu)}), kFault);
  EXPECT_EQ(call("environ_get", {i32(kIovs), i32(kMemorySize - 1)}), kFault);
  EXPECT_EQ(call("clock_time_get", {i32(1), i64(0), i32(kMemorySize - 7)}), kFault);
  EXPECT_EQ(call("fd_fdstat_get", {i32(1), i32(kMemorySize - 8)}), kFault);
  EXPECT_EQ(call("fd_prestat_dir_name", {i32(3), i32(kMemorySize - 2), i32(8)}), kFault);
  EXPECT_EQ(call("path_open", {i32(3), i32(0), i32(kMemorySize - 2), i32(5), i32(kOflagCreat),
                               i64(kFileRights), i64(kFileRights), i32(0), i32(kOut)}),
            kFault);
  put(kPath, "new");
  EXPECT_EQ(call("path_open", {i32(3), i32(0), i32(kPath), i32(3), i32(kOflagCreat), i64(kFileRights),
                               i64(kFileRights), i32(0), i32(kMemorySize)}),
            kFault);
  EXPECT_FALSE(fs::exists(dir_ / "new"));  // checked before anything was done
  EXPECT_EQ(call("fd_readdir", {i32(3), i32(kMemorySize - 10), i32(11), i64(0), i32(kOut)}), kFault);
  EXPECT_EQ(call("path_create_directory", {i32(3), i32(0xffffff00u), i32(0x200)}), kFault);
  EXPECT_FALSE(fs::exists(dir_ / "new"));
}

TEST_F(WasiTest, UnknownDescriptorsAreBadf) {
  start();
  EXPECT_EQ(write_fd(99, "x"), kBadf);
  put_iovec(kIovs, kBuf, 4);
  EXPECT_EQ(call("fd_read", {i32(99), i32(kIovs), i32(1), i32(kOut)}), kBadf);
  EXPECT_EQ(call("fd_close", {i32(99)}), kBadf);
  EXPECT_EQ(call("fd_seek", {i32(99), i64(0), i32(0), i32(kOut)}), kBadf);
  EXPECT_EQ(call("fd_fdstat_get", {i32(99), i32(kOut)}), kBadf);
  EXPECT_EQ(call("fd_filestat_get", {i32(0xffffffffu), i32(kBuf)}), kBadf);
  EXPECT_EQ(call("fd_renumber", {i32(99), i32(1)}), kBadf);
  EXPECT_EQ(~open("x", kOflagCreat, kFileRights, 0, 99), kBadf);
  EXPECT_EQ(path_call("path_create_directory", "d", 99), kBadf);
  EXPECT_EQ(path_call("path_create_directory", "d", 1), kNotCapable);  // stdout has no path rights
  EXPECT_EQ(call("sock_send", {i32(99), i32(0), i32(0), i32(0), i32(kOut)}), kBadf);
  EXPECT_EQ(call("sock_send", {i32(1), i32(0), i32(0), i32(0), i32(kOut)}), kNotSock);
  EXPECT_EQ(call("sock_recv", {i32(0), i32(0), i32(0), i32(0), i32(kOut), i32(kOut + 4)}), kNotSock);
  EXPECT_EQ(call("sock_accept", {i32(3), i32(0), i32(kOut)}), kNotSock);
  EXPECT_EQ(call("sock_shutdown", {i32(3), i32(0)}), kNotSock);
  EXPECT_EQ(call("proc_raise", {i32(9)}), kNoSys);
}

// wasi-testsuite sock_shutdown-not_sock: the sock_* calls on a descriptor
// that is not a socket are NOTSOCK (Linux's ENOTSOCK), BADF on no descriptor.
TEST_F(WasiTest, SockShutdownOnNonSocketIsNotsock) {
  write_host_file("file", "");
  start();
  uint32_t file = open("file", 0);
  ASSERT_LT(file, 100u);
  for (uint32_t fd : {uint32_t{0}, uint32_t{1}, uint32_t{2}, kPreopenFd, file}) {
    for (uint32_t how : {1u, 2u, 3u}) EXPECT_EQ(call("sock_shutdown", {i32(fd), i32(how)}), kNotSock) << fd;
    EXPECT_EQ(call("sock_accept", {i32(fd), i32(0), i32(kOut)}), kNotSock) << fd;
    EXPECT_EQ(call("sock_send", {i32(fd), i32(kIovs), i32(0), i32(0), i32(kOut)}), kNotSock) << fd;
    EXPECT_EQ(call("sock_recv", {i32(fd), i32(kIovs), i32(0), i32(0), i32(kOut), i32(kOut + 4)}), kNotSock)
        << fd;
  }
  EXPECT_EQ(call("sock_shutdown", {i32(99), i32(3)}), kBadf);
  ASSERT_EQ(call("fd_close", {i32(file)}), kSuccess);
  EXPECT_EQ(call("sock_shutdown", {i32(file), i32(3)}), kBadf);
}

// A socket the host passes in as stdio is one: NOTSUP (WaspVM makes no
// socket calls), not NOTSOCK.
TEST_F(WasiTest, SockShutdownOnAnInheritedSocketIsNotsup) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  int saved_stdin = ::dup(0);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(::dup2(pair[0], 0), 0);
  WasiConfig c = config();
  c.inherit_stdio = true;
  c.stdin_source = nullptr;  // fd 0 is the host's: the socket
  start(std::move(c));
  ASSERT_EQ(::dup2(saved_stdin, 0), 0);  // the entry keeps what fstat saw at instantiation
  ::close(saved_stdin);
  ::close(pair[0]);
  ::close(pair[1]);
  EXPECT_EQ(call("sock_shutdown", {i32(0), i32(3)}), kNotSup);
  EXPECT_EQ(call("sock_shutdown", {i32(1), i32(3)}), kNotSock);  // a callback sink
}

TEST_F(WasiTest, DroppedRightsAreEnforced) {
  start();
  uint32_t fd = open("f", kOflagCreat);
  ASSERT_LT(fd, 100u);
  ASSERT_EQ(write_fd(fd, "abc"), kSuccess);
  // Drop FD_WRITE: writing is refused, reading still works; rights never come back.
  ASSERT_EQ(call("fd_fdstat_set_rights", {i32(fd), i64(kFileRights & ~kRightFdWrite), i64(0)}), kSuccess);
  EXPECT_EQ(write_fd(fd, "x"), kNotCapable);
  ASSERT_EQ(call("fd_seek", {i32(fd), i64(0), i32(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(read_fd(fd, 10), "abc");
  EXPECT_EQ(call("fd_fdstat_set_rights", {i32(fd), i64(kFileRights), i64(0)}), kNotCapable);
  ASSERT_EQ(call("fd_fdstat_get", {i32(fd), i32(kBuf)}), kSuccess);
  EXPECT_EQ(u64(kBuf + 8), kFileRights & ~kRightFdWrite);
  ASSERT_EQ(call("fd_fdstat_set_rights", {i32(fd), i64(0), i64(0)}), kSuccess);
  EXPECT_EQ(call("fd_seek", {i32(fd), i64(0), i32(0), i32(kOut)}), kNotCapable);
  EXPECT_EQ(call("fd_tell", {i32(fd), i32(kOut)}), kNotCapable);

  // Files opened from a directory get at most its inheriting rights.
  ASSERT_EQ(call("fd_fdstat_get", {i32(3), i32(kBuf)}), kSuccess);
  uint64_t dir_base = u64(kBuf + 8), dir_inheriting = u64(kBuf + 16);
  ASSERT_EQ(call("fd_fdstat_set_rights", {i32(3), i64(dir_base), i64(dir_inheriting & ~kRightFdWrite)}),
            kSuccess);
  uint32_t g = open("f", 0);
  ASSERT_LT(g, 100u);
  EXPECT_EQ(write_fd(g, "x"), kNotCapable);
  ASSERT_EQ(call("fd_fdstat_get", {i32(g), i32(kBuf)}), kSuccess);
  EXPECT_FALSE(u64(kBuf + 8) & kRightFdWrite);
  EXPECT_TRUE(u64(kBuf + 8) & kRightFdRead);
  // Without PATH_OPEN the directory opens nothing.
  EXPECT_EQ(call("fd_fdstat_set_rights", {i32(3), i64(dir_base & ~kRightPathOpen), i64(dir_inheriting)}),
            kNotCapable);  // FD_WRITE is no longer inheritable
  ASSERT_EQ(call("fd_fdstat_set_rights",
                 {i32(3), i64(dir_base & ~kRightPathOpen), i64(dir_inheriting & ~kRightFdWrite)}),
            kSuccess);
  EXPECT_EQ(~open("f", 0), kNotCapable);
  EXPECT_EQ(read_host_file("f"), "abc");
}

}  // namespace
}  // namespace waspvm::api_test
