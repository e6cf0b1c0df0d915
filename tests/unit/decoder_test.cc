// Unit tests of the binary decoder (src/decode/decoder.h): modules are built
// inline from bytes with small helpers that compute section sizes.
#include "decode/decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace waspvm {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes leb(uint64_t value) {
  Bytes out;
  do {
    uint8_t byte = value & 0x7F;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(byte);
  } while (value != 0);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes str(const std::string& s) { return cat({leb(s.size()), Bytes(s.begin(), s.end())}); }

Bytes section(uint8_t id, const Bytes& content) { return cat({{id}, leb(content.size()), content}); }

// A function body: size-prefixed locals and code.
Bytes body(const Bytes& locals_and_code) { return cat({leb(locals_and_code.size()), locals_and_code}); }

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// Type section with one type () -> (), function section with one function.
const Bytes kOneType = section(1, {0x01, 0x60, 0x00, 0x00});
const Bytes kOneFunc = section(3, {0x01, 0x00});
Bytes code_with(const Bytes& locals_and_code) { return section(10, cat({{0x01}, body(locals_and_code)})); }

Result<ModuleDesc> decode(const Bytes& bytes) { return decode_module(bytes); }

// Expects a decode error whose message starts with `expected`.
void expect_malformed(const Bytes& bytes, const std::string& expected) {
  auto result = decode(bytes);
  ASSERT_FALSE(result.ok()) << "expected error: " << expected;
  EXPECT_EQ(result.error().message.rfind(expected, 0), 0u)
      << "got: " << result.error().message << "\nexpected: " << expected;
  EXPECT_NE(result.error().message.find(" at offset "), std::string::npos);
}

// ---------------------------------------------------------------- header

TEST(Decoder, EmptyModule) {
  auto result = decode(kHeader);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->types.empty());
  EXPECT_TRUE(result->funcs.empty());
  EXPECT_EQ(result->bytes, kHeader);
}

TEST(Decoder, Header) {
  expect_malformed({}, "unexpected end");
  expect_malformed({0x00, 0x61, 0x73}, "unexpected end");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x01}, "unexpected end");
  expect_malformed({0x00, 0x41, 0x53, 0x4D, 0x01, 0x00, 0x00, 0x00}, "magic header not detected");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}, "unknown binary version");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x00, 0x00, 0x00, 0x01}, "unknown binary version");
}

// ---------------------------------------------------------------- a full module

TEST(Decoder, AllSections) {
  // clang-format off
  Bytes bytes = module({
      section(0, cat({str("first"), {0xAA, 0xBB}})),
      section(1, {0x02, 0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D,  // [i32 i64] -> [f32]
                  0x60, 0x00, 0x00}),                         // [] -> []
      section(2, cat({{0x04},
                      str("env"), str("f"), {0x00, 0x01},                      // func type 1
                      str("env"), str("t"), {0x01, 0x6F, 0x01, 0x01, 0x05},   // table externref 1..5
                      str("env"), str("m"), {0x02, 0x00, 0x02},                // memory 2..
                      str("env"), str("g"), {0x03, 0x7C, 0x01}})),             // global mut f64
      section(3, {0x02, 0x00, 0x01}),
      section(4, {0x01, 0x70, 0x00, 0x0A}),
      section(5, {0x01, 0x01, 0x01, 0x03}),
      section(6, {0x01, 0x7F, 0x00, 0x41, 0x2A, 0x0B}),  // (global i32 (i32.const 42))
      section(7, cat({{0x02}, str("run"), {0x00, 0x02}, str("mem"), {0x02, 0x01}})),
      section(8, {0x02}),
      section(9, {0x01, 0x00, 0x41, 0x00, 0x0B, 0x02, 0x01, 0x02}),  // active, funcs 1 and 2
      section(12, {0x02}),
      section(10, cat({{0x02},
                       body({0x01, 0x03, 0x7F, 0x43, 0x00, 0x00, 0x00, 0x00, 0x0B}),  // 3 x i32 locals
                       body({0x00, 0x0B})})),
      section(11, cat({{0x02},
                       {0x00, 0x41, 0x10, 0x0B, 0x02, 'h', 'i'},  // active at 16
                       {0x01, 0x03, 'a', 'b', 'c'}})),             // passive
      section(0, cat({str("last")})),
  });
  // clang-format on
  auto result = decode(bytes);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const ModuleDesc& m = *result;

  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(to_string(m.types[0]), "[i32 i64] -> [f32]");
  EXPECT_EQ(to_string(m.types[1]), "[] -> []");

  ASSERT_EQ(m.imports.size(), 4u);
  EXPECT_EQ(m.imports[0].module, "env");
  EXPECT_EQ(m.imports[0].name, "f");
  EXPECT_EQ(m.imports[0].kind, ExternKind::Func);
  EXPECT_EQ(m.imports[0].func_type, 1u);
  EXPECT_EQ(m.imports[1].kind, ExternKind::Table);
  EXPECT_EQ(m.imports[1].table.elem, ValType::ExternRef);
  EXPECT_EQ(m.imports[1].table.limits, (Limits{1, 5}));
  EXPECT_EQ(m.imports[2].memory.limits, (Limits{2, std::nullopt}));
  EXPECT_EQ(m.imports[3].global.type, ValType::F64);
  EXPECT_TRUE(m.imports[3].global.mut);
  EXPECT_EQ(m.num_imported_funcs, 1u);
  EXPECT_EQ(m.num_imported_tables, 1u);
  EXPECT_EQ(m.num_imported_memories, 1u);
  EXPECT_EQ(m.num_imported_globals, 1u);

  EXPECT_EQ(m.func_types, (std::vector<uint32_t>{1, 0, 1}));
  EXPECT_EQ(to_string(m.func_type(1)), "[i32 i64] -> [f32]");
  ASSERT_EQ(m.tables.size(), 2u);
  EXPECT_EQ(m.tables[1].elem, ValType::FuncRef);
  EXPECT_EQ(m.tables[1].limits, (Limits{10, std::nullopt}));
  ASSERT_EQ(m.memories.size(), 2u);
  EXPECT_EQ(m.memories[1].limits, (Limits{1, 3}));
  ASSERT_EQ(m.globals.size(), 2u);
  EXPECT_EQ(m.globals[1].type, ValType::I32);
  EXPECT_FALSE(m.globals[1].mut);
  ASSERT_EQ(m.global_defs.size(), 1u);
  EXPECT_EQ(m.global_defs[0].init.bytes, (Bytes{0x41, 0x2A, 0x0B}));
  EXPECT_EQ(m.bytes[m.global_defs[0].init.offset], 0x41);

  ASSERT_EQ(m.exports.size(), 2u);
  EXPECT_EQ(m.exports[0].name, "run");
  EXPECT_EQ(m.exports[0].kind, ExternKind::Func);
  EXPECT_EQ(m.exports[0].index, 2u);
  EXPECT_EQ(m.exports[1].kind, ExternKind::Memory);
  EXPECT_EQ(m.start, std::optional<uint32_t>(2));

  ASSERT_EQ(m.elems.size(), 1u);
  EXPECT_EQ(m.elems[0].mode, SegmentMode::Active);
  EXPECT_EQ(m.elems[0].offset.bytes, (Bytes{0x41, 0x00, 0x0B}));
  ASSERT_EQ(m.elems[0].items.size(), 2u);
  EXPECT_EQ(m.elems[0].items[0].bytes, (Bytes{0xD2, 0x01, 0x0B}));
  EXPECT_EQ(m.elems[0].items[1].bytes, (Bytes{0xD2, 0x02, 0x0B}));
  EXPECT_EQ(m.bytes[m.elems[0].items[1].offset], 0x02);

  EXPECT_EQ(m.data_count, std::optional<uint32_t>(2));
  ASSERT_EQ(m.funcs.size(), 2u);
  EXPECT_EQ(m.funcs[0].type, 0u);
  EXPECT_EQ(m.funcs[1].type, 1u);
  ASSERT_EQ(m.funcs[0].locals.size(), 1u);
  EXPECT_EQ(m.funcs[0].locals[0].count, 3u);
  EXPECT_EQ(m.funcs[0].locals[0].type, ValType::I32);
  EXPECT_EQ(m.funcs[0].num_locals, 3u);
  EXPECT_EQ(m.bytes[m.funcs[0].code_begin], 0x43);
  EXPECT_EQ(m.funcs[0].code_end - m.funcs[0].code_begin, 6u);
  EXPECT_EQ(m.bytes[m.funcs[0].code_end - 1], 0x0B);
  EXPECT_EQ(m.funcs[1].num_locals, 0u);
  EXPECT_EQ(m.funcs[1].code_end - m.funcs[1].code_begin, 1u);

  ASSERT_EQ(m.datas.size(), 2u);
  EXPECT_EQ(m.datas[0].mode, SegmentMode::Active);
  EXPECT_EQ(m.datas[0].offset.bytes, (Bytes{0x41, 0x10, 0x0B}));
  EXPECT_EQ(std::string(m.bytes.begin() + m.datas[0].data_begin, m.bytes.begin() + m.datas[0].data_end),
            "hi");
  EXPECT_EQ(m.datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(m.datas[1].data_end - m.datas[1].data_begin, 3u);

  ASSERT_EQ(m.customs.size(), 2u);
  EXPECT_EQ(m.customs[0].name, "first");
  EXPECT_EQ(m.customs[0].end - m.customs[0].begin, 2u);
  EXPECT_EQ(m.bytes[m.customs[0].begin], 0xAA);
  EXPECT_EQ(m.customs[1].name, "last");
  EXPECT_EQ(m.customs[1].begin, m.customs[1].end);
}

TEST(Decoder, ElementSegmentEncodings) {
  // clang-format off
  Bytes bytes = module({
      kOneType, kOneFunc,
      section(9, {0x08,
                  0x00, 0x41, 0x01, 0x0B, 0x01, 0x00,                    // 0: active table 0, func idx
                  0x01, 0x00, 0x02, 0x00, 0x80, 0x00,                    // 1: passive, elemkind, non-minimal idx
                  0x02, 0x03, 0x41, 0x02, 0x0B, 0x00, 0x01, 0x00,        // 2: active table 3, elemkind
                  0x03, 0x00, 0x01, 0x00,                                // 3: declarative, elemkind
                  0x04, 0x41, 0x04, 0x0B, 0x01, 0xD0, 0x70, 0x0B,        // 4: active table 0, exprs
                  0x05, 0x6F, 0x01, 0xD0, 0x6F, 0x0B,                    // 5: passive externref exprs
                  0x06, 0x02, 0x41, 0x06, 0x0B, 0x70, 0x01, 0xD2, 0x00, 0x0B,  // 6: active table 2, exprs
                  0x07, 0x70, 0x00}),                                    // 7: declarative, no items
      code_with({0x00, 0x0B}),
  });
  // clang-format on
  auto result = decode(bytes);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& e = result->elems;
  ASSERT_EQ(e.size(), 8u);
  EXPECT_EQ(e[0].mode, SegmentMode::Active);
  EXPECT_EQ(e[0].table, 0u);
  EXPECT_EQ(e[0].type, ValType::FuncRef);
  EXPECT_EQ(e[0].items[0].bytes, (Bytes{0xD2, 0x00, 0x0B}));
  EXPECT_EQ(e[1].mode, SegmentMode::Passive);
  ASSERT_EQ(e[1].items.size(), 2u);
  EXPECT_EQ(e[1].items[1].bytes, (Bytes{0xD2, 0x80, 0x00, 0x0B}));
  EXPECT_EQ(e[2].mode, SegmentMode::Active);
  EXPECT_EQ(e[2].table, 3u);
  EXPECT_EQ(e[2].offset.bytes, (Bytes{0x41, 0x02, 0x0B}));
  EXPECT_EQ(e[3].mode, SegmentMode::Declarative);
  EXPECT_EQ(e[4].mode, SegmentMode::Active);
  EXPECT_EQ(e[4].offset.bytes, (Bytes{0x41, 0x04, 0x0B}));
  EXPECT_EQ(e[4].items[0].bytes, (Bytes{0xD0, 0x70, 0x0B}));
  EXPECT_EQ(e[5].mode, SegmentMode::Passive);
  EXPECT_EQ(e[5].type, ValType::ExternRef);
  EXPECT_EQ(e[6].table, 2u);
  EXPECT_EQ(e[6].items[0].bytes, (Bytes{0xD2, 0x00, 0x0B}));
  EXPECT_EQ(e[7].mode, SegmentMode::Declarative);
  EXPECT_TRUE(e[7].items.empty());
}

TEST(Decoder, DataSegmentEncodings) {
  Bytes bytes = module({
      section(5, {0x01, 0x00, 0x01}),
      section(11, {0x03, 0x00, 0x41, 0x00, 0x0B, 0x01, 'a',  // active memory 0
                   0x01, 0x00,                               // passive, empty
                   0x02, 0x00, 0x41, 0x05, 0x0B, 0x00}),     // active, explicit memory 0
  });
  auto result = decode(bytes);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->datas.size(), 3u);
  EXPECT_EQ(result->datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(result->datas[1].data_begin, result->datas[1].data_end);
  EXPECT_EQ(result->datas[2].mode, SegmentMode::Active);
  EXPECT_EQ(result->datas[2].offset.bytes, (Bytes{0x41, 0x05, 0x0B}));
  expect_malformed(module({section(11, {0x01, 0x03, 0x00})}), "malformed data segment kind");
}

// ---------------------------------------------------------------- section structure

TEST(Decoder, SectionIdAndOrder) {
  expect_malformed(module({section(13, {})}), "malformed section id");
  expect_malformed(module({{0x80, 0x01, 0x00}}), "malformed section id");
  expect_malformed(module({section(1, {0x00}), section(1, {0x00})}), "unexpected content after last section");
  expect_malformed(module({section(2, {0x00}), section(1, {0x00})}), "unexpected content after last section");
  expect_malformed(module({section(10, {0x00}), section(12, {0x00})}),
                   "unexpected content after last section");
  expect_malformed(module({section(12, {0x00}), section(9, {0x00})}),
                   "unexpected content after last section");
  expect_malformed(module({section(11, {0x00}), section(10, {0x00})}),
                   "unexpected content after last section");
  // Custom sections go anywhere, any number of times.
  auto ok =
      decode(module({section(0, str("a")), section(1, {0x00}), section(0, str("b")), section(12, {0x00}),
                     section(0, str("a")), section(10, {0x00}), section(11, {0x00}), section(0, str("c"))}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->customs.size(), 4u);
}

TEST(Decoder, SectionSizes) {
  expect_malformed(module({{0x01, 0x05, 0x00}}), "length out of bounds");
  expect_malformed(module({{0x01, 0x02, 0x00, 0x00}}), "section size mismatch");  // content too short
  expect_malformed(module({{0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00}}),
                   "section size mismatch");  // too long
  expect_malformed(module({{0x05, 0x01, 0x01}}), "unexpected end of section or function");
  expect_malformed(module({{0x01, 0x01}}), "length out of bounds");
  // A custom section whose name is longer than the section.
  expect_malformed(module({{0x00, 0x01, 0x03, 'a', 'b', 'c'}}), "unexpected end of section or function");
  expect_malformed(module({{0x00, 0x00}}), "unexpected end");
}

TEST(Decoder, FunctionAndCodeCounts) {
  expect_malformed(module({kOneType, section(3, {0x02, 0x00, 0x00})}),
                   "function and code section have inconsistent lengths");
  expect_malformed(module({section(10, cat({{0x01}, body({0x00, 0x0B})}))}),
                   "function and code section have inconsistent lengths");
  expect_malformed(
      module({kOneType, kOneFunc, section(10, cat({{0x02}, body({0x00, 0x0B}), body({0x00, 0x0B})}))}),
      "function and code section have inconsistent lengths");
  EXPECT_TRUE(decode(module({section(3, {0x00})})).ok());
  EXPECT_TRUE(decode(module({section(10, {0x00})})).ok());
}

TEST(Decoder, DataCount) {
  expect_malformed(module({section(12, {0x01})}), "data count and data section have inconsistent lengths");
  expect_malformed(module({section(12, {0x02}), section(11, {0x01, 0x01, 0x00})}),
                   "data count and data section have inconsistent lengths");
  EXPECT_TRUE(decode(module({section(12, {0x00})})).ok());
  // memory.init and data.drop need the data count section.
  Bytes init = {0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B};
  Bytes drop = {0x00, 0xFC, 0x09, 0x00, 0x0B};
  Bytes mem = section(5, {0x01, 0x00, 0x01});
  Bytes data = section(11, {0x01, 0x01, 0x00});
  expect_malformed(module({kOneType, kOneFunc, mem, code_with(init), data}), "data count section required");
  expect_malformed(module({kOneType, kOneFunc, mem, code_with(drop), data}), "data count section required");
  EXPECT_TRUE(decode(module({kOneType, kOneFunc, mem, section(12, {0x01}), code_with(drop), data})).ok());
}

// ---------------------------------------------------------------- items

TEST(Decoder, Names) {
  expect_malformed(module({section(0, {0x02, 0xC0, 0x80})}), "malformed UTF-8 encoding");  // overlong NUL
  expect_malformed(module({section(2, cat({{0x01, 0x01, 0xFF}, str("x"), {0x00, 0x00}}))}),
                   "malformed UTF-8 encoding");
  expect_malformed(module({section(2, cat({{0x01}, str("x"), {0x03, 0xED, 0xA0, 0x80}, {0x00, 0x00}}))}),
                   "malformed UTF-8 encoding");  // surrogate
  expect_malformed(
      module({kOneType, kOneFunc, section(7, {0x01, 0x01, 0x80, 0x00, 0x00}), code_with({0x00, 0x0B})}),
      "malformed UTF-8 encoding");
  expect_malformed(module({section(2, {0x01, 0x05, 'a'})}), "length out of bounds");
  auto ok = decode(module({section(0, str("\xE2\x82\xAC \xF0\x9F\x98\x80"))}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->customs[0].name, "\xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(Decoder, Utf8Validation) {
  using decode_detail::is_valid_utf8;
  auto valid = [](const Bytes& b) { return is_valid_utf8(b.data(), b.size()); };
  EXPECT_TRUE(valid({}));
  EXPECT_TRUE(valid({'a', 0x00, 0x7F}));
  EXPECT_TRUE(valid({0xC2, 0x80}));
  EXPECT_TRUE(valid({0xDF, 0xBF}));
  EXPECT_TRUE(valid({0xE0, 0xA0, 0x80}));
  EXPECT_TRUE(valid({0xED, 0x9F, 0xBF}));        // U+D7FF
  EXPECT_TRUE(valid({0xEE, 0x80, 0x80}));        // U+E000
  EXPECT_TRUE(valid({0xF0, 0x90, 0x80, 0x80}));  // U+10000
  EXPECT_TRUE(valid({0xF4, 0x8F, 0xBF, 0xBF}));  // U+10FFFF
  EXPECT_FALSE(valid({0x80}));
  EXPECT_FALSE(valid({0xC0, 0x80}));
  EXPECT_FALSE(valid({0xC1, 0xBF}));
  EXPECT_FALSE(valid({0xC2}));
  EXPECT_FALSE(valid({0xC2, 0x41}));
  EXPECT_FALSE(valid({0xE0, 0x9F, 0xBF}));  // overlong
  EXPECT_FALSE(valid({0xED, 0xA0, 0x80}));  // surrogate
  EXPECT_FALSE(valid({0xE1, 0x80}));
  EXPECT_FALSE(valid({0xF0, 0x8F, 0xBF, 0xBF}));  // overlong
  EXPECT_FALSE(valid({0xF4, 0x90, 0x80, 0x80}));  // above U+10FFFF
  EXPECT_FALSE(valid({0xF5, 0x80, 0x80, 0x80}));
  EXPECT_FALSE(valid({0xF0, 0x90, 0x80}));
  EXPECT_FALSE(valid({0xFF}));
}

TEST(Decoder, LimitsAndTypes) {
  expect_malformed(module({section(5, {0x01, 0x02, 0x00})}), "integer too large");
  expect_malformed(module({section(5, {0x01, 0x03, 0x00, 0x00})}), "integer too large");  // shared
  expect_malformed(module({section(5, {0x01, 0x81, 0x00, 0x00})}), "integer representation too long");
  expect_malformed(module({section(4, {0x01, 0x70, 0x02, 0x00})}), "integer too large");
  expect_malformed(module({section(4, {0x01, 0x7F, 0x00, 0x00})}), "malformed reference type");
  expect_malformed(module({section(5, {0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10})}), "integer too large");
  expect_malformed(module({section(6, {0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B})}), "malformed mutability");
  expect_malformed(module({section(6, {0x01, 0x40, 0x00, 0x41, 0x00, 0x0B})}), "malformed value type");
  expect_malformed(module({section(1, {0x01, 0x61, 0x00, 0x00})}), "malformed function type");
  expect_malformed(module({section(1, {0x01, 0xE0, 0x7F, 0x00, 0x00})}), "integer representation too long");
  expect_malformed(module({section(1, {0x01, 0x60, 0x01, 0x01, 0x00})}), "malformed value type");
  expect_malformed(module({section(2, cat({{0x01}, str("a"), str("b"), {0x04, 0x00}}))}),
                   "malformed import kind");
  expect_malformed(module({section(7, cat({{0x01}, str("a"), {0x04, 0x00}}))}), "malformed export kind");
  // The decoder accepts v128 (the validator rejects SIMD).
  auto v128 = decode(module({section(1, {0x01, 0x60, 0x01, 0x7B, 0x00})}));
  ASSERT_TRUE(v128.ok()) << v128.error().message;
  EXPECT_EQ(to_string(v128->types[0]), "[v128] -> []");
}

TEST(Decoder, ElementSegmentErrors) {
  expect_malformed(module({section(9, {0x01, 0x08, 0x00})}), "malformed elements segment kind");
  expect_malformed(module({section(9, {0x01, 0x01, 0x01, 0x00})}), "malformed element kind");
  expect_malformed(module({section(9, {0x01, 0x05, 0x7F, 0x00})}), "malformed reference type");
  expect_malformed(module({section(9, {0x01, 0x05, 0x70, 0x01, 0xF3, 0x00, 0x0B})}), "illegal opcode");
  expect_malformed(module({section(9, {0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00})}), "unexpected end");
}

// ---------------------------------------------------------------- code

TEST(Decoder, Locals) {
  auto ok = decode(module({kOneType, kOneFunc, code_with({0x03, 0x00, 0x7F, 0x02, 0x7E, 0x01, 0x70, 0x0B})}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->funcs[0].num_locals, 3u);
  ASSERT_EQ(ok->funcs[0].locals.size(), 2u);  // the empty run is dropped
  EXPECT_EQ(ok->funcs[0].locals[1].type, ValType::FuncRef);
  expect_malformed(
      module({kOneType, kOneFunc, code_with({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x02, 0x7E, 0x0B})}),
      "too many locals");
  expect_malformed(module({kOneType, kOneFunc, code_with({0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7F, 0x0B})}),
                   "integer too large");
  expect_malformed(module({kOneType, kOneFunc, code_with({0x01, 0x01, 0x40, 0x0B})}), "malformed value type");
  // A huge number of runs fails on length without allocating.
  expect_malformed(module({kOneType, kOneFunc, code_with({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0B})}),
                   "length out of bounds");
  // Even 2^32-1 locals in one run only costs one LocalRun.
  auto huge =
      decode(module({kOneType, kOneFunc, code_with({0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B})}));
  ASSERT_TRUE(huge.ok()) << huge.error().message;
  EXPECT_EQ(huge->funcs[0].num_locals, 0xFFFFFFFFu);
}

TEST(Decoder, BodyStructure) {
  auto ok_body = [](const Bytes& code) {
    auto r = decode(module({kOneType, kOneFunc, code_with(cat({{0x00}, code}))}));
    if (!r) ADD_FAILURE() << r.error().message;
  };
  ok_body({0x0B});
  ok_body({0x02, 0x40, 0x03, 0x40, 0x0B, 0x0B, 0x0B});  // block loop end end end
  ok_body({0x41, 0x00, 0x04, 0x40, 0x05, 0x0B, 0x0B});  // if else end
  ok_body({0x41, 0x00, 0x04, 0x7F, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0B, 0x1A, 0x0B});
  ok_body({0x0E, 0x02, 0x00, 0x00, 0x00, 0x0B});        // br_table
  ok_body({0x41, 0x00, 0x28, 0x1F, 0x00, 0x1A, 0x0B});  // align 2^31: invalid, not malformed

  auto bad_body = [](const Bytes& code, const std::string& message) {
    expect_malformed(module({kOneType, kOneFunc, code_with(cat({{0x00}, code}))}), message);
  };
  bad_body({0x01}, "unexpected end of section or function");        // no end at all
  bad_body({0x0B, 0x01}, "section size mismatch");                  // bytes after the final end
  bad_body({0x02, 0x40, 0x0B}, "unexpected end");                   // block not closed
  bad_body({0x05, 0x0B}, "END opcode expected");                    // else outside if
  bad_body({0x02, 0x40, 0x05, 0x0B, 0x0B}, "END opcode expected");  // else in a block
  bad_body({0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B}, "END opcode expected");  // second else
  bad_body({0x06, 0x0B}, "illegal opcode");
  bad_body({0xFC, 0x12, 0x0B}, "illegal opcode");
  bad_body({0x3F, 0x01, 0x0B}, "zero byte expected");
  bad_body({0x41, 0x00, 0x28, 0x20, 0x00, 0x1A, 0x0B}, "malformed memop flags");
  bad_body({0x41, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0B}, "integer too large");
  bad_body({0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B}, "integer representation too long");

  // A body that ends early, with another body after it (the reference interpreter's wording).
  expect_malformed(
      module({kOneType, section(3, {0x02, 0x00, 0x00}),
              section(10, {0x02, 0x04, 0x00, 0x41, 0x01, 0x1A, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B})}),
      "END opcode expected");
}

TEST(Decoder, ConstExprs) {
  expect_malformed(module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x00})}), "unexpected end");
  // Like the reference interpreter, a missing `end` reads on into the next section (id 0x0A).
  expect_malformed(module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x00}), section(10, {0x00})}),
                   "illegal opcode");
  // Any instruction is accepted here; the validator decides what is constant.
  auto ok = decode(module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B})}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->global_defs[0].init.bytes, (Bytes{0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B}));
}

// ---------------------------------------------------------------- name section

Bytes name_section(std::initializer_list<Bytes> subsections) {
  Bytes content = str("name");
  for (const Bytes& s : subsections) content.insert(content.end(), s.begin(), s.end());
  return section(0, content);
}

Bytes subsection(uint8_t id, const Bytes& content) { return cat({{id}, leb(content.size()), content}); }

TEST(Decoder, NameSection) {
  Bytes types_and_funcs = cat({kOneType, section(3, {0x03, 0x00, 0x00, 0x00})});
  Bytes code = section(10, cat({{0x03}, body({0x00, 0x0B}), body({0x00, 0x0B}), body({0x00, 0x0B})}));
  auto r = decode(cat({module({}), types_and_funcs, code,
                       name_section({subsection(0, str("mod")),
                                     subsection(1, cat({{0x02, 0x00}, str("zero"), {0x02}, str("two")}))})}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->module_name, "mod");
  ASSERT_EQ(r->func_names.size(), 2u);
  EXPECT_EQ(r->func_name(0), "zero");
  EXPECT_EQ(r->func_name(1), "");
  EXPECT_EQ(r->func_name(2), "two");
  EXPECT_EQ(r->func_name(99), "");

  // Malformed name sections are ignored, not errors.
  for (const Bytes& bad : {
           name_section({subsection(1, cat({{0x02, 0x02}, str("b"), {0x01}, str("a")}))}),  // unsorted
           name_section({subsection(1, {0x05, 0x00})}),                                     // truncated
           name_section({subsection(0, {0x02, 0xC0, 0x80})}),                               // bad UTF-8
           name_section({{0x01, 0x7F}}),                                                    // size too big
           name_section({subsection(0, cat({str("m"), {0x00}}))}),                          // trailing byte
       }) {
    auto ignored = decode(cat({module({}), types_and_funcs, code, bad}));
    ASSERT_TRUE(ignored.ok()) << ignored.error().message;
    EXPECT_TRUE(ignored->func_names.empty());
    EXPECT_TRUE(ignored->module_name.empty());
    EXPECT_EQ(ignored->customs.size(), 1u);
  }
}

// ---------------------------------------------------------------- hostile input

TEST(Decoder, HugeCounts) {
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    auto r = decode(module({section(id, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F})}));
    EXPECT_FALSE(r.ok()) << "section " << int(id);
  }
  expect_malformed(module({section(1, {0x01, 0x60, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F})}), "length out of bounds");
  expect_malformed(module({section(11, {0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F})}), "length out of bounds");
}

TEST(Decoder, TruncatedOrCorruptedInput) {
  Bytes full = module({
      kOneType,
      section(2, cat({{0x01}, str("m"), str("n"), {0x03, 0x7F, 0x00}})),
      kOneFunc,
      section(4, {0x01, 0x70, 0x01, 0x00, 0x01}),
      section(5, {0x01, 0x00, 0x01}),
      section(6, {0x01, 0x7E, 0x01, 0x42, 0x7F, 0x0B}),
      section(7, cat({{0x01}, str("f"), {0x00, 0x01}})),
      section(9, {0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x01}),
      section(12, {0x01}),
      code_with({0x01, 0x01, 0x7F, 0x02, 0x40, 0x0E, 0x01, 0x00, 0x00, 0x0B, 0xFC, 0x09, 0x00, 0x0B}),
      section(11, {0x01, 0x01, 0x02, 'o', 'k'}),
  });
  auto ok = decode(full);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes prefix(full.begin(), full.begin() + n);
    auto r = decode(prefix);
    // A prefix that ends exactly between two sections is a valid smaller module, unless counts disagree.
    if (r.ok()) {
      EXPECT_EQ(r->funcs.size(), r->func_types.size() - r->num_imported_funcs) << "prefix " << n;
    }
  }
  // Every single-byte corruption decodes or fails cleanly.
  for (size_t i = 0; i < full.size(); ++i) {
    for (int v : {0x00, 0x01, 0x0B, 0x7F, 0x80, 0xFF}) {
      Bytes copy = full;
      copy[i] = static_cast<uint8_t>(v);
      (void)decode(copy);
    }
  }
}

TEST(Decoder, ToString) {
  EXPECT_STREQ(to_string(ValType::I32), "i32");
  EXPECT_STREQ(to_string(ValType::I64), "i64");
  EXPECT_STREQ(to_string(ValType::F32), "f32");
  EXPECT_STREQ(to_string(ValType::F64), "f64");
  EXPECT_STREQ(to_string(ValType::V128), "v128");
  EXPECT_STREQ(to_string(ValType::FuncRef), "funcref");
  EXPECT_STREQ(to_string(ValType::ExternRef), "externref");
  EXPECT_EQ(to_string(FuncType{{ValType::I32, ValType::I64}, {ValType::F32}}), "[i32 i64] -> [f32]");
  EXPECT_EQ(to_string(FuncType{}), "[] -> []");
  EXPECT_STREQ(to_string(ExternKind::Func), "func");
  EXPECT_STREQ(to_string(ExternKind::Table), "table");
  EXPECT_STREQ(to_string(ExternKind::Memory), "memory");
  EXPECT_STREQ(to_string(ExternKind::Global), "global");
}

}  // namespace
}  // namespace waspvm
