// The plain (non-libFuzzer) main of a fuzz target, for ctest: runs every
// seed and regression input through LLVMFuzzerTestOneInput, then N seeded,
// deterministic mutations of them. A crash or sanitizer report fails the
// test; so does a seed set that is too small or that the target's own check
// (wasp_fuzz_check_seeds) finds reached too little.
//
// usage: TARGET [--seed N] [--mutations N] [--min-seeds N] [--raw DIR]... PATH...
//   PATH       a .wasm file, or a directory searched for .wasm files
//   --raw DIR  every file under DIR, whatever its name (regression inputs)
//
// Before each input runs, its bytes are written to ./TARGET.current, so a
// crash leaves its reproducer behind; replay it alone with
// `TARGET --mutations 0 --min-seeds 0 --raw DIR_HOLDING_IT` (or feed it to
// the libFuzzer build: `compile_fuzzer FILE`).
#include "fuzz_driver.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

struct Options {
  uint64_t seed = 20261207;
  uint64_t mutations = 1000;
  uint64_t min_seeds = 1;
  std::vector<std::string> paths;  // .wasm files only
  std::vector<std::string> raw;    // every file
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--seed" && has_value) {
      o.seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--mutations" && has_value) {
      o.mutations = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--min-seeds" && has_value) {
      o.min_seeds = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--raw" && has_value) {
      o.raw.emplace_back(argv[++i]);
    } else if (a.starts_with("--")) {
      return false;
    } else {
      o.paths.emplace_back(a);
    }
  }
  return true;
}

// Sorted, so that a run is the same on every machine.
std::vector<fs::path> files_under(const std::string& path, bool wasm_only) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return {fs::path(path)};
  if (!fs::exists(path, ec)) return out;  // e.g. a target without regressions yet
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    if (wasm_only && it->path().extension() != ".wasm") continue;
    if (!wasm_only && it->path().filename().string().starts_with(".")) continue;  // .gitkeep
    out.push_back(it->path());
  }
  if (ec) std::fprintf(stderr, "fuzz driver: cannot read %s: %s\n", path.c_str(), ec.message().c_str());
  std::sort(out.begin(), out.end());
  return out;
}

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One descriptor rewritten in place for every input.
class ReproducerFile {
 public:
  explicit ReproducerFile(std::string path)
      : path_(std::move(path)), fd_(open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)) {}
  ~ReproducerFile() {
    if (fd_ < 0) return;
    close(fd_);
    unlink(path_.c_str());
  }
  void hold(const Bytes& b) {
    if (fd_ < 0) return;
    if (pwrite(fd_, b.data(), b.size(), 0) != static_cast<ssize_t>(b.size()) ||
        ftruncate(fd_, static_cast<off_t>(b.size())) != 0)
      std::fprintf(stderr, "fuzz driver: cannot write %s\n", path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
};

// Deterministic on every platform: only the raw engine, no distributions.
// Four mutants in five start from an accepted input (one that compiled),
// which reach the validator, instantiation and the interpreter far more
// often than mutants of the malformed and invalid ones.
class Mutator {
 public:
  Mutator(uint64_t seed, const std::vector<Bytes>& corpus, const std::vector<size_t>& accepted)
      : rng_(seed), corpus_(corpus), accepted_(accepted) {}
  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  Bytes mutant() {
    bool from_accepted = !accepted_.empty() && below(5) != 0;
    Bytes b = corpus_[from_accepted ? accepted_[below(accepted_.size())] : below(corpus_.size())];
    for (uint64_t edits = below(2) ? 1 : 2 + below(4); edits > 0; --edits) edit(b);
    return b;
  }

 private:
  // Mostly past the 8-byte header, where the structure is.
  size_t position(const Bytes& b) {
    if (b.size() > 8 && below(10) != 0) return 8 + below(b.size() - 8);
    return below(b.size());
  }
  uint8_t interesting() {
    static constexpr uint8_t kBytes[] = {0x00, 0x01, 0x02, 0x0B, 0x0F, 0x10, 0x20, 0x40, 0x41, 0x42,
                                         0x60, 0x6F, 0x70, 0x7F, 0x80, 0xFC, 0xFD, 0xFF, 0x12, 0x13};
    return below(2) ? kBytes[below(sizeof(kBytes))] : static_cast<uint8_t>(rng_());
  }
  void edit(Bytes& b) {
    if (b.empty()) {
      b.push_back(static_cast<uint8_t>(rng_()));
      return;
    }
    size_t pos = position(b);
    switch (below(10)) {
      case 0: b[pos] ^= static_cast<uint8_t>(1u << below(8)); break;
      case 1: b[pos] = interesting(); break;
      case 2:
        for (uint64_t n = 1 + below(4); n > 0; --n)
          b.insert(b.begin() + static_cast<ptrdiff_t>(pos), interesting());
        break;
      case 3:
        b.erase(b.begin() + static_cast<ptrdiff_t>(pos),
                b.begin() + static_cast<ptrdiff_t>(std::min(b.size(), pos + 1 + below(8))));
        break;
      case 4: b.resize(pos); break;
      case 5: leb(b, pos); break;
      case 6: {  // a chunk of this input again elsewhere (repeated entries, sections)
        size_t len = std::min<size_t>(b.size() - pos, 1 + below(16));
        Bytes chunk(b.begin() + static_cast<ptrdiff_t>(pos), b.begin() + static_cast<ptrdiff_t>(pos + len));
        size_t at = position(b);
        b.insert(b.begin() + static_cast<ptrdiff_t>(at), chunk.begin(), chunk.end());
        break;
      }
      case 7: {  // a chunk of another input (code of one module in another)
        const Bytes& other = corpus_[below(corpus_.size())];
        if (other.size() <= 8) break;
        size_t from = 8 + below(other.size() - 8);
        size_t len = std::min<size_t>(other.size() - from, 1 + below(32));
        b.insert(b.begin() + static_cast<ptrdiff_t>(pos), other.begin() + static_cast<ptrdiff_t>(from),
                 other.begin() + static_cast<ptrdiff_t>(from + len));
        break;
      }
      default: b[pos] = static_cast<uint8_t>(b[pos] + (below(2) ? 1 : -1)); break;
    }
  }
  // Aimed at LEB128 numbers: counts, sizes, indices, immediates.
  void leb(Bytes& b, size_t pos) {
    static constexpr uint8_t kHuge[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    static constexpr uint8_t kOverlong[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    auto at = b.begin() + static_cast<ptrdiff_t>(pos);
    switch (below(4)) {
      case 0: b[pos] ^= 0x80; break;
      case 1:
        b[pos] |= 0x80;
        b.insert(at + 1, 0x00);
        break;
      case 2:
        b[pos] = kHuge[0];
        b.insert(at + 1, std::begin(kHuge) + 1, std::end(kHuge));
        break;
      default: b.insert(at, std::begin(kOverlong), std::end(kOverlong)); break;
    }
  }

  std::mt19937_64 rng_;
  const std::vector<Bytes>& corpus_;
  const std::vector<size_t>& accepted_;
};

bool accepted() { return wasp_fuzz_accepted && wasp_fuzz_accepted(); }

// Accepted mutants join the bases, up to this many.
constexpr size_t kMaxNewBases = 5000;

std::string summary() { return wasp_fuzz_summary ? wasp_fuzz_summary() : std::string(); }

}  // namespace

int main(int argc, char** argv) {
  const std::string name = fs::path(argv[0]).filename().string();
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr, "usage: %s [--seed N] [--mutations N] [--min-seeds N] [--raw DIR]... PATH...\n",
                 name.c_str());
    return 2;
  }
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  for (const std::string& p : o.paths)
    for (fs::path& f : files_under(p, true)) files.push_back(std::move(f));
  size_t wasm_files = files.size();
  for (const std::string& p : o.raw)
    for (fs::path& f : files_under(p, false)) files.push_back(std::move(f));
  std::printf("%s: seed %" PRIu64 " (rerun: --seed %" PRIu64
              "), %zu seed files, %zu regression files, %" PRIu64 " mutations\n",
              name.c_str(), o.seed, o.seed, wasm_files, files.size() - wasm_files, o.mutations);
  std::fflush(stdout);
  if (wasm_files < o.min_seeds) {
    std::fprintf(stderr,
                 "%s: %zu seed files, fewer than --min-seeds %" PRIu64 ": the corpus was not built?\n",
                 name.c_str(), wasm_files, o.min_seeds);
    return 1;
  }

  auto start = std::chrono::steady_clock::now();
  ReproducerFile reproducer(name + ".current");
  std::vector<Bytes> corpus;
  std::vector<size_t> accepted_inputs;
  corpus.reserve(files.size() + kMaxNewBases);
  for (const fs::path& f : files) {
    corpus.push_back(read_file(f));
    reproducer.hold(corpus.back());
    LLVMFuzzerTestOneInput(corpus.back().data(), corpus.back().size());
    if (accepted()) accepted_inputs.push_back(corpus.size() - 1);
  }
  if (!summary().empty()) std::printf("%s: seeds: %s\n", name.c_str(), summary().c_str());
  std::fflush(stdout);
  if (wasp_fuzz_check_seeds && o.min_seeds > 0) {  // --min-seeds 0: a replay of a few files
    if (std::string why = wasp_fuzz_check_seeds(); !why.empty()) {
      std::fprintf(stderr, "%s: the seeds reached too little: %s\n", name.c_str(), why.c_str());
      return 1;
    }
  }
  if (!corpus.empty()) {
    Mutator mutator(o.seed, corpus, accepted_inputs);
    size_t new_bases = 0;
    for (uint64_t i = 0; i < o.mutations; ++i) {
      Bytes b = mutator.mutant();
      reproducer.hold(b);
      LLVMFuzzerTestOneInput(b.data(), b.size());
      if (accepted() && new_bases < kMaxNewBases && mutator.below(4) == 0) {
        corpus.push_back(std::move(b));
        accepted_inputs.push_back(corpus.size() - 1);
        ++new_bases;
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!summary().empty()) std::printf("%s: all: %s\n", name.c_str(), summary().c_str());
  std::printf("%s: survived %zu inputs and %" PRIu64 " mutants in %.1f s\n", name.c_str(), files.size(),
              o.mutations, seconds);
  return 0;
}
