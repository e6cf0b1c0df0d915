// Linear memory from the host (by export name, and through Caller inside a
// host function), and memories and tables shared between two instances.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

// memory.wat: exports "game_mem" (1 page, max 2) with "hello" at offset 16.
class MemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Reverses memory[ptr, ptr + len) in place, through the caller's named memory.
    linker_.func("host", "reverse", [](Caller& caller, uint32_t ptr, uint32_t len) -> Result<void> {
      std::optional<Memory> mem = caller.memory("game_mem");
      if (!mem) return make_error("caller has no memory named game_mem");
      Result<std::vector<uint8_t>> bytes = mem->read(ptr, len);
      if (!bytes.ok()) return bytes.error();
      std::reverse(bytes->begin(), bytes->end());
      return mem->write(ptr, *bytes);
    });
    // Sums memory[ptr, ptr + len), through the caller's memory 0 and its raw data.
    linker_.func("host", "sum_first", [](Caller& caller, uint32_t ptr, uint32_t len) -> Result<uint32_t> {
      std::optional<Memory> mem = caller.memory();
      if (!mem) return make_error("caller has no memory 0");
      if (uint64_t{ptr} + len > mem->size()) return make_error("range outside memory");
      const uint8_t* data = mem->data();
      return std::accumulate(data + ptr, data + ptr + len, 0u);
    });
    auto instance = instantiate_test_module(linker_, "memory");
    ASSERT_TRUE(instance.ok()) << instance.error().message;
    instance_.emplace(std::move(instance.value()));
  }

  Engine engine_;
  Linker linker_{engine_};
  std::optional<Instance> instance_;
};

TEST_F(MemoryTest, HostReadsDataSegmentByName) {
  std::optional<Memory> mem = instance_->memory("game_mem");
  ASSERT_TRUE(mem.has_value());
  EXPECT_EQ(mem->pages(), 1u);
  EXPECT_EQ(mem->size(), kPageSize);
  auto bytes = mem->read(16, 5);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(*bytes, bytes_of("hello"));
  auto zeros = mem->read(kPageSize - 3, 3);
  ASSERT_TRUE(zeros.ok()) << zeros.error().message;
  EXPECT_EQ(*zeros, std::vector<uint8_t>(3, 0));
}

TEST_F(MemoryTest, HostWritesAreSeenByWasmAndWasmWritesByHost) {
  std::optional<Memory> mem = instance_->memory("game_mem");
  ASSERT_TRUE(mem.has_value());
  std::vector<uint8_t> payload{1, 2, 0xFF};
  ASSERT_TRUE(mem->write(100, payload).ok());
  for (uint32_t i = 0; i < payload.size(); ++i) {
    auto r = call_values(*instance_, "load8", {Value::i32(100 + i)});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ((*r)[0].i32(), payload[i]) << "at " << 100 + i;
  }
  ASSERT_TRUE(call_values(*instance_, "store8", {Value::i32(200), Value::i32(0xAB)}).ok());
  auto bytes = mem->read(200, 1);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ((*bytes)[0], 0xAB);
  EXPECT_EQ(mem->data()[200], 0xAB);
}

TEST_F(MemoryTest, OutOfRangeHostAccessIsAnErrorNotACrash) {
  std::optional<Memory> mem = instance_->memory("game_mem");
  ASSERT_TRUE(mem.has_value());
  EXPECT_FALSE(mem->read(kPageSize - 1, 2).ok());
  EXPECT_FALSE(mem->read(UINT64_MAX, 1).ok());
  EXPECT_FALSE(mem->read(1, UINT64_MAX).ok());
  std::vector<uint8_t> one{7};
  EXPECT_FALSE(mem->write(kPageSize, one).ok());
  EXPECT_FALSE(mem->write(UINT64_MAX, one).ok());
  // A failed write changes nothing.
  std::vector<uint8_t> two{9, 9};
  EXPECT_FALSE(mem->write(kPageSize - 1, two).ok());
  EXPECT_EQ(mem->data()[kPageSize - 1], 0);
}

TEST_F(MemoryTest, OnlyMemoriesAreFoundAsMemories) {
  EXPECT_FALSE(instance_->memory("no_such_memory").has_value());
  EXPECT_FALSE(instance_->memory("load8").has_value());  // a function export
  EXPECT_TRUE(instance_->func("load8").has_value());
  EXPECT_FALSE(instance_->func("game_mem").has_value());
}

TEST_F(MemoryTest, HostFunctionUsesCallersNamedMemory) {
  ASSERT_TRUE(call_values(*instance_, "reverse", {Value::i32(16), Value::i32(5)}).ok());
  auto bytes = instance_->memory("game_mem")->read(16, 5);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(*bytes, bytes_of("olleh"));
}

TEST_F(MemoryTest, HostFunctionUsesCallersMemoryByIndex) {
  auto r = call_values(*instance_, "sum_first", {Value::i32(16), Value::i32(5)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 'h' + 'e' + 'l' + 'l' + 'o');
  auto trap = call_trap(*instance_, "sum_first", {Value::i32(65535), Value::i32(2)});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  EXPECT_EQ(trap->message, "range outside memory");
}

TEST_F(MemoryTest, GrowIsVisibleThroughEarlierHandles) {
  std::optional<Memory> mem = instance_->memory("game_mem");
  ASSERT_TRUE(mem.has_value());
  auto r = call_values(*instance_, "grow", {Value::i32(1)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 1);  // old size
  EXPECT_EQ(mem->pages(), 2u);
  std::vector<uint8_t> byte{5};
  EXPECT_TRUE(mem->write(2 * kPageSize - 1, byte).ok());
  // The maximum is 2 pages: both wasm and the host fail to grow further.
  r = call_values(*instance_, "grow", {Value::i32(1)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), -1);
  EXPECT_FALSE(mem->grow(1).ok());
  EXPECT_EQ(mem->pages(), 2u);
}

TEST(MemoryGrowth, HostGrowIsSeenByTheRunningCode) {
  Engine engine;
  Linker linker(engine);
  linker.define(
      "host", "grow_one",
      Extern::of(Func::create(engine, FuncType{},
                              [](Caller& caller, std::span<const Value>, std::span<Value>) -> Result<void> {
                                std::optional<Memory> memory = caller.memory(0);
                                if (!memory) return make_error("no memory");
                                auto grown = memory->grow(1);
                                if (!grown.ok()) return grown.error();
                                return {};
                              })));
  auto instance = instantiate_test_module(linker, "host_grow");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "store_past_first_page", {Value::i32(41)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 41);
  r = call_values(*instance, "store_after_callee_grew", {Value::i32(42)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 42);
}

TEST(SharedObjects, TwoInstancesShareAnImportedMemoryAndTable) {
  Engine engine;
  Memory mem = Memory::create(engine, MemoryType{Limits{1, 1}});
  Table tab = Table::create(engine, TableType{ValType::FuncRef, Limits{4, 4}}, Value::null(ValType::FuncRef));
  Linker linker(engine);
  linker.define("env", "mem", Extern::of(mem));
  linker.define("env", "tab", Extern::of(tab));
  auto writer = instantiate_test_module(linker, "shared_writer");
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  auto reader = instantiate_test_module(linker, "shared_reader");
  ASSERT_TRUE(reader.ok()) << reader.error().message;

  // Memory: the writer's store is seen by the reader and by the host.
  ASSERT_TRUE(call_values(*writer, "store", {Value::i32(64), Value::i32(12345)}).ok());
  auto r = call_values(*reader, "load", {Value::i32(64)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 12345);
  auto bytes = mem.read(64, 4);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0x39, 0x30, 0, 0}));  // little-endian 12345
  std::vector<uint8_t> word{0x78, 0x56, 0x34, 0x12};
  ASSERT_TRUE(mem.write(128, word).ok());
  r = call_values(*reader, "load", {Value::i32(128)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 0x12345678);

  // Table: empty until the writer publishes its function; then the reader calls it.
  auto trap = call_trap(*reader, "call_slot", {Value::i32(2), Value::i32(5)});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  EXPECT_EQ(trap->code, TrapCode::UninitializedElement);
  ASSERT_TRUE(call_values(*writer, "publish", {Value::i32(2)}).ok());
  auto slot = tab.get(2);
  ASSERT_TRUE(slot.ok()) << slot.error().message;
  EXPECT_EQ(slot->type(), ValType::FuncRef);
  EXPECT_FALSE(slot->is_null());
  r = call_values(*reader, "call_slot", {Value::i32(2), Value::i32(5)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 50);
}

TEST(SharedObjects, InstanceExportsLinkedIntoAnother) {
  Engine engine;
  Linker linker(engine);
  auto exporter = instantiate_test_module(linker, "exporter");
  ASSERT_TRUE(exporter.ok()) << exporter.error().message;
  linker.define_instance("env", *exporter);
  auto reader = instantiate_test_module(linker, "shared_reader");
  ASSERT_TRUE(reader.ok()) << reader.error().message;

  ASSERT_TRUE(call_values(*exporter, "store", {Value::i32(8), Value::i32(-77)}).ok());
  auto r = call_values(*reader, "load", {Value::i32(8)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), -77);
  // Slot 3 holds the exporter's $plus_one_hundred, called from the reader.
  r = call_values(*reader, "call_slot", {Value::i32(3), Value::i32(1)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 101);
  std::optional<Table> tab = exporter->table("tab");
  ASSERT_TRUE(tab.has_value());
  EXPECT_EQ(tab->size(), 4u);
}

}  // namespace
}  // namespace waspvm::api_test
