// Module::compile errors, instantiation (link) errors, module introspection and
// Instance::call argument checks.
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

std::vector<uint8_t> with_header(const std::vector<uint8_t>& sections) {
  static constexpr uint8_t kHeader[] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  std::vector<uint8_t> bytes(std::begin(kHeader), std::end(kHeader));
  for (uint8_t byte : sections) bytes.push_back(byte);
  return bytes;
}

// A module with one function `() -> i32` whose body is `body_instrs end`.
std::vector<uint8_t> one_function_module(std::vector<uint8_t> body_instrs) {
  std::vector<uint8_t> body{0x00};  // no locals
  body.insert(body.end(), body_instrs.begin(), body_instrs.end());
  body.push_back(0x0B);  // end
  std::vector<uint8_t> code{0x01, static_cast<uint8_t>(body.size())};
  code.insert(code.end(), body.begin(), body.end());
  std::vector<uint8_t> sections{0x01, 0x05,
                                0x01, 0x60,
                                0x00, 0x01,
                                0x7F,  // type: () -> i32
                                0x03, 0x02,
                                0x01, 0x00,  // func: type 0
                                0x0A, static_cast<uint8_t>(code.size())};
  sections.insert(sections.end(), code.begin(), code.end());
  return with_header(sections);
}

TEST(Compile, ValidHandWrittenModule) {
  Engine engine;
  auto module = Module::compile(engine, one_function_module({0x41, 0x2A}));  // i32.const 42
  ASSERT_TRUE(module.ok()) << module.error().message;
  EXPECT_TRUE(module->imports().empty());
  EXPECT_TRUE(module->exports().empty());
}

TEST(Compile, MalformedModulesAreErrors) {
  Engine engine;
  std::vector<uint8_t> empty;
  auto r = Module::compile(engine, empty);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().message.empty());

  std::vector<uint8_t> bad_magic{0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00};
  r = Module::compile(engine, bad_magic);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "magic header not detected")) << r.error().message;

  std::vector<uint8_t> bad_version{0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00};
  r = Module::compile(engine, bad_version);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "unknown binary version")) << r.error().message;

  // A type section that claims 5 bytes but has 1.
  r = Module::compile(engine, with_header({0x01, 0x05, 0x01}));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().message.empty());

  // Every truncation of a valid module is malformed.
  std::vector<uint8_t> valid = one_function_module({0x41, 0x2A});
  // Except where it ends between sections: the bare header, and the header
  // plus the type section (8 + 7 bytes), are valid modules.
  for (size_t size = 0; size < valid.size(); ++size) {
    std::span<const uint8_t> prefix(valid.data(), size);
    bool whole_sections = size == 8 || size == 15;
    EXPECT_EQ(Module::compile(engine, prefix).ok(), whole_sections) << "prefix of " << size << " bytes";
  }
}

TEST(Compile, InvalidModulesAreErrors) {
  Engine engine;
  auto r = Module::compile(engine, one_function_module({0x42, 0x00}));  // i64.const 0 for an i32 result
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "type mismatch")) << r.error().message;

  r = Module::compile(engine, one_function_module({0x10, 0x05}));  // call 5: there is one function
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "unknown function")) << r.error().message;

  r = Module::compile(engine, one_function_module({0x20, 0x00}));  // local.get 0: there are no locals
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "unknown local")) << r.error().message;
}

// imports.wat needs env.f (i64) -> i64, env.mem with at least 2 pages, env.counter (mut i32).
class ImportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto module = compile_test_module(engine_, "imports");
    ASSERT_TRUE(module.ok()) << module.error().message;
    module_.emplace(std::move(module.value()));
  }
  Func identity_i64() {
    return make_func(engine_, [](int64_t x) { return x; });
  }
  Memory two_pages() { return Memory::create(engine_, MemoryType{Limits{2, {}}}); }
  Global counter(GlobalType type, Value init) { return Global::create(engine_, type, init); }

  // Instantiates with every import correct except the one named `name`, which is `value`.
  Result<Instance> instantiate_with(const std::string& name, Extern value) {
    std::map<std::string, Extern> imports{
        {"f", Extern::of(identity_i64())},
        {"mem", Extern::of(two_pages())},
        {"counter", Extern::of(counter(GlobalType{ValType::I32, true}, Value::i32(5)))},
    };
    imports.insert_or_assign(name, std::move(value));
    Linker linker(engine_);
    for (auto& [import_name, import_value] : imports) linker.define("env", import_name, import_value);
    return linker.instantiate(*module_);
  }

  Engine engine_;
  std::optional<Module> module_;
};

TEST_F(ImportsTest, ModuleListsItsImportsAndExports) {
  std::vector<ImportInfo> imports = module_->imports();
  ASSERT_EQ(imports.size(), 3u);
  EXPECT_EQ(imports[0].module, "env");
  EXPECT_EQ(imports[0].name, "f");
  EXPECT_EQ(imports[0].kind, ExternKind::Func);
  EXPECT_TRUE(imports[0].func == (FuncType{{ValType::I64}, {ValType::I64}})) << to_string(imports[0].func);
  EXPECT_EQ(imports[1].name, "mem");
  EXPECT_EQ(imports[1].kind, ExternKind::Memory);
  EXPECT_EQ(imports[1].memory.limits.min, 2u);
  EXPECT_FALSE(imports[1].memory.limits.max.has_value());
  EXPECT_EQ(imports[2].name, "counter");
  EXPECT_EQ(imports[2].kind, ExternKind::Global);
  EXPECT_EQ(imports[2].global.type, ValType::I32);
  EXPECT_TRUE(imports[2].global.mut);

  std::vector<ExportInfo> exports = module_->exports();
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0].name, "get_counter");
  EXPECT_EQ(exports[0].kind, ExternKind::Func);
  EXPECT_TRUE(exports[0].func == (FuncType{{}, {ValType::I32}})) << to_string(exports[0].func);
}

TEST_F(ImportsTest, CorrectImportsLinkAndAreShared) {
  Global shared_counter = counter(GlobalType{ValType::I32, true}, Value::i32(5));
  auto instance = instantiate_with("counter", Extern::of(shared_counter));
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "get_counter", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 5);
  ASSERT_TRUE(shared_counter.set(Value::i32(9)).ok());
  r = call_values(*instance, "get_counter", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 9);
  EXPECT_FALSE(shared_counter.set(Value::i64(9)).ok());  // wrong type
}

TEST_F(ImportsTest, UnknownImport) {
  Linker empty(engine_);
  auto r = empty.instantiate(*module_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "unknown import")) << r.error().message;

  // Defined under another module name: still unknown.
  Linker elsewhere(engine_);
  elsewhere.define("other", "f", Extern::of(identity_i64()));
  elsewhere.define("other", "mem", Extern::of(two_pages()));
  elsewhere.define("other", "counter", Extern::of(counter(GlobalType{ValType::I32, true}, Value::i32(0))));
  r = elsewhere.instantiate(*module_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "unknown import")) << r.error().message;
}

TEST_F(ImportsTest, IncompatibleImportTypes) {
  struct Case {
    const char* what;
    std::string name;
    Extern value;
  };
  std::vector<Case> cases{
      {"function with other params", "f",
       Extern::of(make_func(engine_, [](int32_t x) { return int64_t{x}; }))},
      {"function with other results", "f", Extern::of(make_func(engine_, [](int64_t) {}))},
      {"memory for a function", "f", Extern::of(two_pages())},
      {"memory below the minimum", "mem", Extern::of(Memory::create(engine_, MemoryType{Limits{1, {}}}))},
      {"function for a memory", "mem", Extern::of(identity_i64())},
      {"immutable global", "counter", Extern::of(counter(GlobalType{ValType::I32, false}, Value::i32(0)))},
      {"global of another type", "counter",
       Extern::of(counter(GlobalType{ValType::I64, true}, Value::i64(0)))},
  };
  for (Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = instantiate_with(c.name, c.value);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.error().message, "incompatible import type")) << r.error().message;
  }
}

// calls.wat: mix(i32, i64, f32, f64) -> f64, nothing(), memory "memory", global "answer" = 42.
class CallChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto instance = instantiate_test_module(linker_, "calls");
    ASSERT_TRUE(instance.ok()) << instance.error().message;
    instance_.emplace(std::move(instance.value()));
  }
  Engine engine_;
  Linker linker_{engine_};
  std::optional<Instance> instance_;
};

TEST_F(CallChecksTest, CorrectCallReturns) {
  auto r = call_values(*instance_, "mix", {Value::i32(1), Value::i64(2), Value::f32(0.5f), Value::f64(0.25)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].f64(), 3.75);
  r = call_values(*instance_, "nothing", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->empty());
}

TEST_F(CallChecksTest, WrongArgumentsAreErrorsNotTraps) {
  std::vector<Value> too_few{Value::i32(1), Value::i64(2), Value::f32(0.5f)};
  EXPECT_FALSE(instance_->call("mix", too_few).ok());
  std::vector<Value> too_many{Value::i32(1), Value::i64(2), Value::f32(0.5f), Value::f64(0.25),
                              Value::i32(0)};
  EXPECT_FALSE(instance_->call("mix", too_many).ok());
  std::vector<Value> wrong_types{Value::i64(1), Value::i64(2), Value::f32(0.5f), Value::f64(0.25)};
  EXPECT_FALSE(instance_->call("mix", wrong_types).ok());
  std::vector<Value> swapped_floats{Value::i32(1), Value::i64(2), Value::f64(0.25), Value::f32(0.5f)};
  EXPECT_FALSE(instance_->call("mix", swapped_floats).ok());
  std::vector<Value> one{Value::i32(1)};
  EXPECT_FALSE(instance_->call("nothing", one).ok());
}

TEST_F(CallChecksTest, OnlyExportedFunctionsCanBeCalled) {
  std::vector<Value> none;
  EXPECT_FALSE(instance_->call("no_such_export", none).ok());
  EXPECT_FALSE(instance_->call("memory", none).ok());
  EXPECT_FALSE(instance_->call("answer", none).ok());
}

TEST_F(CallChecksTest, ExportsByKind) {
  std::optional<Func> mix = instance_->func("mix");
  ASSERT_TRUE(mix.has_value());
  FuncType expected{{ValType::I32, ValType::I64, ValType::F32, ValType::F64}, {ValType::F64}};
  EXPECT_TRUE(mix->type() == expected) << to_string(mix->type());
  std::vector<Value> args{Value::i32(-1), Value::i64(-2), Value::f32(1.5f), Value::f64(0.5)};
  auto outcome = mix->call(args);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  ASSERT_TRUE(outcome->returned());
  EXPECT_EQ(outcome->values()[0].f64(), -1.0);
  std::vector<Value> wrong{Value::i32(1)};
  EXPECT_FALSE(mix->call(wrong).ok());

  std::optional<Global> answer = instance_->global("answer");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->get().i32(), 42);
  EXPECT_FALSE(answer->type().mut);
  EXPECT_FALSE(answer->set(Value::i32(1)).ok());  // immutable
  EXPECT_EQ(answer->get().i32(), 42);

  std::optional<Extern> memory = instance_->get_export("memory");
  ASSERT_TRUE(memory.has_value());
  EXPECT_EQ(memory->kind, ExternKind::Memory);
  EXPECT_TRUE(memory->memory.has_value());
  EXPECT_FALSE(instance_->get_export("no_such_export").has_value());
}

}  // namespace
}  // namespace waspvm::api_test
