// Object lifetimes across linked instances: an instance lives exactly as long
// as something refers to it, and importing from a long-lived linker or
// library instance does not tie independent instances together.
#include <gtest/gtest.h>

#include <memory>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

// Counts live instances through their per-instance host state.
struct Tracker {
  explicit Tracker(int* live) : live_(live) { ++*live_; }
  ~Tracker() { --*live_; }
  int* live_;
};

class LifetimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    linker_.func("host", "twice", [](int32_t x) { return 2 * x; });
    linker_.add_instance_state("tracker", [this] { return std::make_shared<Tracker>(&live_); });
    auto lib = instantiate_test_module(linker_, "lifetime_lib");
    ASSERT_TRUE(lib.ok()) << lib.error().message;
    linker_.define_instance("lib", *lib);
    // The library itself counts as one live instance while the linker holds it.
    ASSERT_EQ(live_, 1);
  }

  Engine engine_;
  Linker linker_{engine_};
  int live_ = 0;
};

TEST_F(LifetimeTest, InstancesFromOneLinkerDieIndependently) {
  auto first = instantiate_test_module(linker_, "lifetime_user");
  auto second = instantiate_test_module(linker_, "lifetime_user");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(live_, 3);
  auto result = call_values(*first, "run", {Value::i32(20)});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ((*result)[0].i32(), 42);

  // Dropping one instance frees it although the linker (with the host
  // function and the library it imported from) lives on.
  first = Error{"dropped"};
  EXPECT_EQ(live_, 2);
  auto again = call_values(*second, "run", {Value::i32(1)});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)[0].i32(), 4);
  second = Error{"dropped"};
  EXPECT_EQ(live_, 1);
}

TEST_F(LifetimeTest, AnInstanceKeepsWhatItImportsAlive) {
  auto user = instantiate_test_module(linker_, "lifetime_user");
  ASSERT_TRUE(user.ok()) << user.error().message;
  // Forget the library and the host function: the user still needs both.
  linker_ = Linker(engine_);
  EXPECT_EQ(live_, 2);
  auto result = call_values(*user, "run", {Value::i32(5)});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ((*result)[0].i32(), 12);
  auto peek = call_values(*user, "peek", {});
  ASSERT_TRUE(peek.ok()) << peek.error().message;
  EXPECT_EQ((*peek)[0].i32(), 42);
  user = Error{"dropped"};
  EXPECT_EQ(live_, 0);
}

}  // namespace
}  // namespace waspvm::api_test
