// MemoryInst growth costs O(pages added), amortized, however its address
// space was reserved: in full (grows in place, never moves), or smaller when
// the full reservation cannot be had (ulimit -v, very many memories), when it
// grows geometrically by moving: with mremap on Linux (nothing copied), else
// with one copy per doubling. The counters MemoryInst::relocations and
// bytes_copied say what grow did; growing page by page to 4096 pages must
// move the memory O(log pages) times and copy at most about its final size.
// (Before, a memory whose reservation failed was copied whole on every grow:
// 4095 moves and 550 GB copied on the way to 256 MiB.)
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>

#include "runtime/objects.h"

namespace waspvm {
namespace {

constexpr uint64_t kTargetPages = 4096;  // 256 MiB

MemoryType no_max(uint64_t min) {
  MemoryType t;
  t.limits.min = min;
  return t;
}

// Grows `m` one page at a time to kTargetPages, writing a marker into each
// new page and checking that every marker survives every move. "" or what
// went wrong.
std::string grow_page_by_page(MemoryInst& m) {
  auto marker = [](uint64_t page) { return static_cast<uint8_t>(page * 37 + 11); };
  for (uint64_t p = 0; p < m.pages(); ++p) m.data[p * kPageSize + 100] = marker(p);
  while (m.pages() < kTargetPages) {
    const uint64_t before = m.pages();
    const uint64_t moves = m.relocations;
    if (m.grow(1) != static_cast<int64_t>(before))
      return "grow(1) failed at " + std::to_string(before) + " pages";
    m.data[before * kPageSize + 100] = marker(before);
    if (m.data[before * kPageSize + 101] != 0) return "a new page is not zero";
    if (m.relocations != moves) {  // moved: everything must have come along
      for (uint64_t p = 0; p <= before; ++p)
        if (m.data[p * kPageSize + 100] != marker(p)) return "page " + std::to_string(p) + " lost by a move";
    }
  }
  return "";
}

// The bytes of address space this process has mapped (/proc/self/statm).
uint64_t mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Runs `body` in a child process whose address space is limited to what is
// mapped now plus 1 GiB: no 4 GiB reservation fits, 256 MiB (twice) does.
// The child's exit status is 0 when body returns "", else 1 (printed).
void with_address_space_limit(const std::function<std::string()>& body) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers reserve terabytes of shadow memory: no address-space limit possible";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "sanitizers reserve terabytes of shadow memory: no address-space limit possible";
#endif
#endif
  std::fflush(nullptr);
  const uint64_t limit = mapped_bytes() + (uint64_t{1} << 30);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    MemoryInst::reuse_reservations = false;  // (what the parent dropped stays mapped: no fresh reservation)
    rlimit rl{limit, limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(2);
    std::string failure = body();
    if (!failure.empty()) std::fprintf(stderr, "child: %s\n", failure.c_str());
    std::fflush(nullptr);
    _exit(failure.empty() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the child's message above";
}

TEST(MemoryGrow, FullReservationGrowsInPlace) {
  MemoryInst m(no_max(1));
  ASSERT_TRUE(m.allocated_ok());
  EXPECT_EQ(m.reserved, kMaxPages * kPageSize);
  uint8_t* const data = m.data;
  EXPECT_EQ(grow_page_by_page(m), "");
  EXPECT_EQ(m.data, data);
  EXPECT_EQ(m.relocations, 0u);
  EXPECT_EQ(m.bytes_copied, 0u);
}

TEST(MemoryGrow, UnderAddressSpaceLimitMovesLogarithmicallyOften) {
  with_address_space_limit([]() -> std::string {
    MemoryInst m(no_max(1));
    if (!m.allocated_ok()) return "a one-page memory could not be allocated";
    if (m.reserved >= kMaxPages * kPageSize) return "the 4 GiB reservation succeeded: the limit did not bite";
    if (std::string failure = grow_page_by_page(m); !failure.empty()) return failure;
    // 17 pages reserved at first, doubled: 34, 68, ..., 4352 pages.
    if (m.relocations > 12) return "moved " + std::to_string(m.relocations) + " times";
    if (!MemoryInst::relocate_by_copy && m.bytes_copied != 0)
      return "mremap moves copied " + std::to_string(m.bytes_copied) + " bytes";
    if (m.bytes_copied > 2 * kTargetPages * kPageSize)
      return "copied " + std::to_string(m.bytes_copied) + " bytes";
    return "";
  });
}

TEST(MemoryGrow, PortableCopyingMovesCopyAtMostTwiceTheFinalSize) {
  with_address_space_limit([]() -> std::string {
    MemoryInst::relocate_by_copy = true;  // (the child's own copy of the flag)
    MemoryInst m(no_max(1));
    if (!m.allocated_ok()) return "a one-page memory could not be allocated";
    if (std::string failure = grow_page_by_page(m); !failure.empty()) return failure;
    if (m.relocations > 12) return "moved " + std::to_string(m.relocations) + " times";
    // Each doubling copies what was used: 16 + 33 + ... + 4351 pages < 2 x 4096.
    if (m.bytes_copied == 0 || m.bytes_copied > 2 * kTargetPages * kPageSize)
      return "copied " + std::to_string(m.bytes_copied) + " bytes";
    return "";
  });
}

TEST(MemoryGrow, BeyondTheReservationBudgetReservesGeometrically) {
  // As when very many memories hold full reservations already.
  const uint64_t budget = MemoryInst::full_reservation_budget;
  MemoryInst::full_reservation_budget = 0;
  {
    MemoryInst m(no_max(1));
    ASSERT_TRUE(m.allocated_ok());
    EXPECT_EQ(m.reserved, 17 * kPageSize);
    EXPECT_EQ(grow_page_by_page(m), "");
    EXPECT_LE(m.relocations, 12u);
    EXPECT_EQ(m.pages(), kTargetPages);
    EXPECT_EQ(m.grow(kMaxPages), -1);  // beyond the maximum, still refused
    EXPECT_EQ(m.pages(), kTargetPages);
  }
  MemoryInst::full_reservation_budget = budget;
  MemoryInst m(no_max(1));
  EXPECT_EQ(m.reserved, kMaxPages * kPageSize);  // the budget is given back by the dropped memory
}

TEST(MemoryGrow, GeometricReservationStopsAtTheMaximum) {
  const uint64_t budget = MemoryInst::full_reservation_budget;
  MemoryInst::full_reservation_budget = 0;
  MemoryType t = no_max(0);
  t.limits.max = 40;
  MemoryInst m(t);
  ASSERT_TRUE(m.allocated_ok());
  EXPECT_EQ(m.reserved, 16 * kPageSize);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(m.grow(1), i);
  EXPECT_EQ(m.grow(1), -1);
  EXPECT_EQ(m.reserved, 40 * kPageSize);  // 16, 32, then the maximum
  EXPECT_EQ(m.relocations, 2u);
  MemoryInst::full_reservation_budget = budget;
}

}  // namespace
}  // namespace waspvm
