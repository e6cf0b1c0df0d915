// A dropped memory's full reservation is kept (its pages returned) for the
// next memory of the same size: the next memory starts at zero, with exactly
// its own pages read/write, whatever the dropped one had.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "runtime/objects.h"

namespace waspvm {
namespace {

MemoryType pages(uint64_t min) {
  MemoryType t;
  t.limits.min = min;
  return t;
}

bool all_zero(const MemoryInst& m) {
  for (uint64_t i = 0; i < m.size; ++i)
    if (m.data[i] != 0) return false;
  return true;
}

TEST(ReservationPool, ADroppedMemorysReservationIsReusedAndReadsZero) {
  auto first = std::make_unique<MemoryInst>(pages(3), kMaxPages);
  ASSERT_TRUE(first->allocated_ok());
  for (uint64_t i = 0; i < first->size; i += 4096) first->data[i] = 0xAB;
  ASSERT_EQ(first->grow(2), 3);
  first->data[first->size - 1] = 0xCD;
  uint8_t* const reservation = first->data;
  first.reset();

  // Smaller than the dropped one: its reservation again, all zero.
  auto second = std::make_unique<MemoryInst>(pages(1), kMaxPages);
  ASSERT_TRUE(second->allocated_ok());
  EXPECT_EQ(second->data, reservation) << "the pooled reservation should be taken";
  EXPECT_EQ(second->pages(), 1u);
  EXPECT_TRUE(all_zero(*second));
  // It grows like a fresh memory, and the pages it grows into read zero too.
  ASSERT_EQ(second->grow(4), 1);
  EXPECT_TRUE(all_zero(*second)) << "the dropped memory's bytes must never show";
  second.reset();

  // Larger than the dropped one: the rest is made read/write.
  auto third = std::make_unique<MemoryInst>(pages(8), kMaxPages);
  ASSERT_TRUE(third->allocated_ok());
  EXPECT_EQ(third->data, reservation);
  EXPECT_TRUE(all_zero(*third));
  third->data[third->size - 1] = 1;  // writable to its end
}

TEST(ReservationPool, MemoriesOfAnotherMaximumDoNotShareReservations) {
  MemoryType small = pages(1);
  small.limits.max = 2;
  auto a = std::make_unique<MemoryInst>(pages(1), kMaxPages);
  uint8_t* const full = a->data;
  a.reset();
  auto b = std::make_unique<MemoryInst>(small, kMaxPages);
  ASSERT_TRUE(b->allocated_ok());
  EXPECT_NE(b->data, full) << "a 2-page memory must not take a 4 GiB reservation";
  EXPECT_EQ(b->max_pages(), 2u);
  EXPECT_EQ(b->grow(2), -1);
}

}  // namespace
}  // namespace waspvm
