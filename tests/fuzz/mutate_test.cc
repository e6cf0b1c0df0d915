// Mutation smoke fuzzer: feeds every .wasm under the given directories, plus
// randomly mutated copies of them, through Module::compile and
// Linker::instantiate, then calls every exported function with zero
// arguments under a gas budget (so no mutant can run forever): half the time
// trapping when the budget runs out, half the time suspending, resuming in
// small slices, cloning the suspended instance and running the clone too.
// The check is that the process survives (run it under ASan/UBSan for the
// full effect); it prints how many inputs were accepted and rejected at each
// stage, and how the calls ended.
//
// usage: mutate_test [--seed N] [--mutations N] DIR...
//
// Before each input runs, its bytes are written to
// ./mutate_test.current.wasm, so a crash leaves its reproducer behind
// (replay it: put it alone in a directory and run with --mutations 0).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "waspvm/waspvm.h"

namespace {

using Bytes = std::vector<uint8_t>;
namespace fs = std::filesystem;

constexpr uint64_t kDefaultSeed = 20240611;
constexpr uint32_t kDefaultMutations = 1000;
constexpr const char* kReproducerPath = "mutate_test.current.wasm";

struct Options {
  uint64_t seed = kDefaultSeed;
  uint32_t mutations = kDefaultMutations;
  std::vector<std::string> dirs;
};

struct Counts {
  uint64_t inputs = 0;
  uint64_t compiled = 0;
  uint64_t rejected = 0;
  uint64_t instantiated = 0;
  uint64_t link_errors = 0;
  uint64_t calls = 0;
  uint64_t returned = 0;
  uint64_t trapped = 0;
  uint64_t suspended = 0;  // still suspended after the resumes (then cancelled)

  void print(const char* label) const {
    std::printf("%-8s %6" PRIu64 " inputs: %6" PRIu64 " accepted, %6" PRIu64 " rejected; %6" PRIu64
                " instantiated, %6" PRIu64 " link/init errors; %6" PRIu64 " calls: %6" PRIu64
                " returned, %6" PRIu64 " trapped, %6" PRIu64 " left suspended\n",
                label, inputs, compiled, rejected, instantiated, link_errors, calls, returned, trapped,
                suspended);
  }
};

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--seed" || arg == "--mutations") && i + 1 < argc) {
      uint64_t value = std::strtoull(argv[++i], nullptr, 0);
      if (arg == "--seed")
        options.seed = value;
      else
        options.mutations = static_cast<uint32_t>(value);
    } else if (arg.starts_with("--")) {
      return false;
    } else {
      options.dirs.emplace_back(arg);
    }
  }
  return !options.dirs.empty();
}

// Every .wasm file under `dirs`, sorted so that runs are reproducible.
std::vector<fs::path> find_wasm_files(const std::vector<std::string>& dirs) {
  std::vector<fs::path> files;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".wasm") files.push_back(it->path());
    }
    if (ec) std::fprintf(stderr, "mutate_test: cannot read %s: %s\n", dir.c_str(), ec.message().c_str());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Holds the bytes of the input being run, so that a crash leaves them behind.
// One descriptor rewritten in place: reopening a file per input is slow on
// some file systems.
class ReproducerFile {
 public:
  explicit ReproducerFile(const char* path)
      : path_(path), fd_(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {}
  ~ReproducerFile() {
    if (fd_ < 0) return;
    close(fd_);
    unlink(path_);
  }
  void hold(const Bytes& bytes) {
    if (fd_ < 0) return;
    bool ok = pwrite(fd_, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()) &&
              ftruncate(fd_, static_cast<off_t>(bytes.size())) == 0;
    if (!ok) std::fprintf(stderr, "mutate_test: cannot write %s\n", path_);
  }

 private:
  const char* path_;
  int fd_;
};


// The "spectest" host module the spec suite imports from.
waspvm::Linker spectest_linker(const waspvm::Engine& engine) {
  using namespace waspvm;
  Linker linker(engine);
  linker.func("spectest", "print", [] {});
  linker.func("spectest", "print_i32", [](int32_t) {});
  linker.func("spectest", "print_i64", [](int64_t) {});
  linker.func("spectest", "print_f32", [](float) {});
  linker.func("spectest", "print_f64", [](double) {});
  linker.func("spectest", "print_i32_f32", [](int32_t, float) {});
  linker.func("spectest", "print_f64_f64", [](double, double) {});
  linker.define("spectest", "global_i32",
                Extern::of(Global::create(engine, {ValType::I32, false}, Value::i32(666))));
  linker.define("spectest", "global_i64",
                Extern::of(Global::create(engine, {ValType::I64, false}, Value::i64(666))));
  linker.define("spectest", "global_f32",
                Extern::of(Global::create(engine, {ValType::F32, false}, Value::f32(666.6f))));
  linker.define("spectest", "global_f64",
                Extern::of(Global::create(engine, {ValType::F64, false}, Value::f64(666.6))));
  linker.define("spectest", "table",
                Extern::of(Table::create(engine, TableType{ValType::FuncRef, Limits{10, 20}},
                                         Value::null(ValType::FuncRef))));
  linker.define("spectest", "memory", Extern::of(Memory::create(engine, MemoryType{Limits{1, 2}})));
  return linker;
}

// Every call (and the start function) gets this budget, and small limits:
// a mutant can neither loop forever nor make the host allocate much.
constexpr uint64_t kGasPerCall = 200000;

waspvm::InstanceLimits fuzz_limits() {
  waspvm::InstanceLimits limits;
  limits.gas = kGasPerCall;
  limits.max_call_depth = 20000;
  limits.max_memory_pages = 512;  // 32 MiB
  limits.max_table_elements = 100000;
  return limits;
}

void count_end(const waspvm::Outcome& out, Counts& counts) {
  ++(out.returned() ? counts.returned : out.trapped() ? counts.trapped : counts.suspended);
}

// Calls every exported function with zero arguments: by turns trapping when
// the budget runs out, or suspending in slices, cloning and resuming.
void call_exports(const waspvm::Module& module, const waspvm::Instance& instance, uint64_t turn,
                  Counts& counts) {
  using namespace waspvm;
  for (const ExportInfo& e : module.exports()) {
    if (e.kind != ExternKind::Func) continue;
    std::vector<Value> args;
    for (ValType t : e.func.params) args.push_back(Value::from_bits(t, 0));
    ++counts.calls;
    CallOptions options;
    if ((turn++ & 1) == 0) {
      Result<Outcome> out = instance.call(e.name, args, options);
      if (out.ok()) count_end(*out, counts);
      continue;
    }
    options.gas_limit = 1000;
    options.on_out_of_gas = OutOfGas::Suspend;
    Result<Outcome> out = instance.call(e.name, args, options);
    for (int slice = 0; out.ok() && out->suspended() && slice < 20; ++slice) {
      if (slice == 3) {
        // A clone runs the rest of the call on its own copy of everything.
        if (Result<Instance> copy = instance.clone(); copy.ok()) {
          ResumeOptions rest;
          rest.gas_limit = kGasPerCall;
          rest.on_out_of_gas = OutOfGas::Trap;
          (void)copy->resume(rest);
          (void)copy->inspect().to_string();
        }
      }
      ResumeOptions more;
      more.gas_limit = 5000;
      out = instance.resume(more);
    }
    if (out.ok()) count_end(*out, counts);
    (void)instance.inspect().to_string();
    instance.cancel();
  }
}

// Returns whether the module compiled.
bool run_input(const waspvm::Engine& engine, const Bytes& bytes, Counts& counts) {
  ++counts.inputs;
  waspvm::Result<waspvm::Module> module = waspvm::Module::compile(engine, bytes);
  if (!module.ok()) {
    ++counts.rejected;
    return false;
  }
  ++counts.compiled;
  // The introspection API must cope with whatever compiled.
  (void)module->imports();
  (void)module->exports();
  // A fresh linker each time, so no instance stays alive through shared imports.
  waspvm::Result<waspvm::Instance> instance = spectest_linker(engine).instantiate(*module, fuzz_limits());
  ++(instance.ok() ? counts.instantiated : counts.link_errors);
  if (instance.ok()) call_exports(*module, *instance, counts.inputs, counts);
  return true;
}

// Deterministic on every platform: no std::uniform_int_distribution.
class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  // One random edit of `bytes` half of the time, else two to four.
  void mutate(Bytes& bytes) {
    for (uint64_t edits = below(2) ? 1 : 2 + below(3); edits > 0; --edits) edit(bytes);
  }

 private:
  // Mostly past the 8-byte header, where the interesting structure is.
  size_t position(const Bytes& bytes) {
    if (bytes.size() > 8 && below(10) != 0) return 8 + below(bytes.size() - 8);
    return below(bytes.size());
  }

  uint8_t interesting_byte() {
    static constexpr uint8_t kBytes[] = {0x00, 0x01, 0x02, 0x0B, 0x40, 0x41,
                                         0x7F, 0x80, 0xFF, 0x70, 0x6F, 0x60};
    return below(2) ? kBytes[below(sizeof(kBytes))] : static_cast<uint8_t>(rng_());
  }

  void edit(Bytes& bytes) {
    if (bytes.empty()) {
      bytes.push_back(static_cast<uint8_t>(rng_()));
      return;
    }
    size_t pos = position(bytes);
    switch (below(8)) {
      case 0: bytes[pos] ^= static_cast<uint8_t>(1u << below(8)); break;  // bit flip
      case 1: bytes[pos] = interesting_byte(); break;
      case 2:  // insertion
        for (uint64_t n = 1 + below(4); n > 0; --n) bytes.insert(bytes.begin() + pos, interesting_byte());
        break;
      case 3:  // deletion
        bytes.erase(bytes.begin() + pos, bytes.begin() + std::min(bytes.size(), pos + 1 + below(8)));
        break;
      case 4: bytes.resize(pos); break;  // truncation
      case 5: leb_edit(bytes, pos); break;
      case 6: {  // duplicate a chunk elsewhere (repeated sections, entries)
        size_t len = std::min<size_t>(bytes.size() - pos, 1 + below(16));
        Bytes chunk(bytes.begin() + pos, bytes.begin() + pos + len);
        size_t at = position(bytes);
        bytes.insert(bytes.begin() + at, chunk.begin(), chunk.end());
        break;
      }
      default:  // small arithmetic change: off-by-one counts, sizes, indices
        bytes[pos] = static_cast<uint8_t>(bytes[pos] + (below(2) ? 1 : -1));
        break;
    }
  }

  // Edits aimed at LEB128 numbers: sizes, counts, indices, immediates.
  void leb_edit(Bytes& bytes, size_t pos) {
    static constexpr uint8_t kHuge[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    static constexpr uint8_t kOverlong[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    switch (below(4)) {
      case 0: bytes[pos] ^= 0x80; break;  // toggle the continuation bit
      case 1:                             // same value, one byte longer (valid unless too long)
        bytes[pos] |= 0x80;
        bytes.insert(bytes.begin() + pos + 1, 0x00);
        break;
      case 2:  // a huge value (2^32 - 1)
        bytes[pos] = kHuge[0];
        bytes.insert(bytes.begin() + pos + 1, std::begin(kHuge) + 1, std::end(kHuge));
        break;
      default:  // an over-long encoding
        bytes.insert(bytes.begin() + pos, std::begin(kOverlong), std::end(kOverlong));
        break;
    }
  }

  std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr, "usage: %s [--seed N] [--mutations N] DIR...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> files = find_wasm_files(options.dirs);
  std::printf("mutate_test: seed %" PRIu64 " (rerun: --seed %" PRIu64 "), %zu corpus files, %u mutations\n",
              options.seed, options.seed, files.size(), options.mutations);
  std::fflush(stdout);
  if (files.empty()) {
    std::fprintf(stderr, "mutate_test: no .wasm files found; the corpus was not built\n");
    return 1;
  }

  waspvm::Config config;
  config.metering = true;
  waspvm::Engine engine(config);
  std::vector<Bytes> corpus;
  corpus.reserve(files.size());
  std::vector<size_t> valid;  // indices of the corpus modules that compiled
  ReproducerFile reproducer(kReproducerPath);
  Counts original;
  for (const fs::path& file : files) {
    corpus.push_back(read_file(file));
    reproducer.hold(corpus.back());
    if (run_input(engine, corpus.back(), original)) valid.push_back(corpus.size() - 1);
  }
  original.print("corpus");

  // Mutants of valid modules reach the validator and instantiation far more
  // often, so they are the bases four times out of five.
  Mutator mutator(options.seed);
  Counts mutated;
  for (uint32_t i = 0; i < options.mutations; ++i) {
    bool from_valid = !valid.empty() && mutator.below(5) != 0;
    Bytes bytes = corpus[from_valid ? valid[mutator.below(valid.size())] : mutator.below(corpus.size())];
    mutator.mutate(bytes);
    reproducer.hold(bytes);
    run_input(engine, bytes, mutated);
  }
  mutated.print("mutated");

  // A corpus that is all accepted or all rejected means the setup is broken
  // (no valid modules found, or nothing is being validated).
  if (original.compiled == 0 || original.rejected == 0 || original.instantiated == 0) {
    std::fprintf(stderr, "mutate_test: the corpus should contain both valid and invalid modules\n");
    return 1;
  }
  std::printf("mutate_test: survived %" PRIu64 " inputs\n", original.inputs + mutated.inputs);
  return 0;
}
