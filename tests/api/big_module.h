// A generated module shaped like a large C program compiled for WASI (a
// text-to-speech engine with 17 MB of tables, say): many small functions and
// megabytes of active data segments. Used by the startup regression test
// (startup_teardown_test.cc) and by tools/lifecycle_bench, which can write it
// to a file for `waspvm run` and node.
//
//   (memory (export "memory") PAGES)           ; just enough for the data
//   (func (export "f0") (param i32) (result i32) ...)  ; funcs-1 more like it,
//                                              ; each calling the one before
//   (func (export "sum") (param i32 i32) (result i32)) ; sums bytes of memory
//   (data (i32.const 1024) "...")              ; `segments` segments
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace waspvm::big_module {

struct Shape {
  uint64_t data_bytes = 17u << 20;  // split evenly over `segments`
  uint32_t segments = 4;
  uint32_t funcs = 2000;
};

// The data byte at memory address `addr` (for addresses the segments cover).
inline uint8_t data_byte(uint64_t addr) { return static_cast<uint8_t>((addr * 2654435761u) >> 13); }

// Where the data starts in memory.
constexpr uint32_t kDataBase = 1024;

namespace detail {

inline void leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
}

inline void sleb(std::vector<uint8_t>& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
      out.push_back(b);
      return;
    }
    out.push_back(b | 0x80);
  }
}

inline void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  leb(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

// (push_back, not insert: GCC 12 warns falsely about inserting small lists)
inline void append(std::vector<uint8_t>& out, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) out.push_back(b);
}

inline void name(std::vector<uint8_t>& out, const char* s) {
  std::vector<uint8_t> chars;
  for (; *s; ++s) chars.push_back(static_cast<uint8_t>(*s));
  leb(out, chars.size());
  out.insert(out.end(), chars.begin(), chars.end());
}

// Function i (i > 0): (param $x i32) (result i32) (local $a i32) (local $b i32)
// a loop of loads, arithmetic and a store, then a call of function i-1.
inline std::vector<uint8_t> body(uint32_t i) {
  std::vector<uint8_t> b = {0x01, 0x02, 0x7F};  // locals: 2 x i32
  auto op = [&](std::initializer_list<uint8_t> bytes) { append(b, bytes); };
  auto i32_const = [&](int32_t v) {
    b.push_back(0x41);
    sleb(b, v);
  };
  op({0x03, 0x40});  // loop
  op({0x20, 0x00});  // local.get $x
  i32_const(static_cast<int32_t>(i * 8 + 16));
  op({0x6A, 0x28, 0x02, 0x00});        // i32.add, i32.load align=2 offset=0
  op({0x20, 0x01, 0x6A, 0x21, 0x01});  // local.get $a, i32.add, local.set $a
  op({0x20, 0x02});
  i32_const(static_cast<int32_t>(i % 97 + 1));
  op({0x6A, 0x22, 0x02});  // i32.add, local.tee $b
  i32_const(1000);
  op({0x49, 0x0D, 0x00});                          // i32.lt_u, br_if 0
  op({0x0B});                                      // end loop
  op({0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00});  // i32.store (x) (a)
  op({0x20, 0x01, 0x20, 0x02, 0x73});              // a ^ b
  if (i > 0) {
    op({0x10});  // call i-1
    leb(b, i - 1);
  }
  op({0x0B});
  return b;
}

}  // namespace detail

inline uint32_t memory_pages(const Shape& shape) {
  return static_cast<uint32_t>((kDataBase + shape.data_bytes + 0xFFFF) / 0x10000);
}

inline std::vector<uint8_t> make(const Shape& shape) {
  using namespace detail;
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  std::vector<uint8_t> s;
  // types: 0 = (i32) -> i32, 1 = (i32 i32) -> i32
  s = {0x02, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F};
  section(m, 1, s);
  s.clear();
  leb(s, shape.funcs + 1);
  for (uint32_t i = 0; i < shape.funcs; ++i) s.push_back(0x00);
  s.push_back(0x01);
  section(m, 3, s);
  s = {0x01, 0x00};  // one memory, min only
  leb(s, memory_pages(shape));
  section(m, 5, s);
  s = {0x03};
  name(s, "memory");
  append(s, {0x02, 0x00});
  name(s, "f0");
  append(s, {0x00, 0x00});
  name(s, "sum");
  s.push_back(0x00);
  leb(s, shape.funcs);
  section(m, 7, s);
  s.clear();
  leb(s, shape.funcs + 1);
  for (uint32_t i = 0; i < shape.funcs; ++i) {
    std::vector<uint8_t> b = body(i);
    leb(s, b.size());
    s.insert(s.end(), b.begin(), b.end());
  }
  // sum(from, to): the sum of the bytes [from, to)
  const std::vector<uint8_t> sum = {0x01, 0x01, 0x7F,              // local $acc i32
                                    0x02, 0x40, 0x03, 0x40,        // block, loop
                                    0x20, 0x00, 0x20, 0x01, 0x4F,  // from >= to
                                    0x0D, 0x01,                    // br_if 1
                                    0x20, 0x02, 0x20, 0x00, 0x2D, 0x00, 0x00,
                                    0x6A, 0x21, 0x02,                          // acc += load8_u
                                    0x20, 0x00, 0x41, 0x01, 0x6A, 0x21, 0x00,  // from += 1
                                    0x0C, 0x00, 0x0B, 0x0B,                    // br 0, end, end
                                    0x20, 0x02, 0x0B};
  leb(s, sum.size());
  s.insert(s.end(), sum.begin(), sum.end());
  section(m, 10, s);
  // data: the segments, each active at its address
  s.clear();
  leb(s, shape.segments);
  const uint64_t per = shape.data_bytes / shape.segments;
  uint64_t addr = kDataBase;
  for (uint32_t k = 0; k < shape.segments; ++k) {
    const uint64_t len = k + 1 == shape.segments ? shape.data_bytes - per * k : per;
    s.push_back(0x00);  // active, memory 0
    s.push_back(0x41);
    sleb(s, static_cast<int32_t>(addr));
    s.push_back(0x0B);
    leb(s, len);
    const size_t at = s.size();
    s.resize(at + len);
    for (uint64_t j = 0; j < len; ++j) s[at + j] = data_byte(addr + j);
    addr += len;
  }
  section(m, 11, s);
  return m;
}

}  // namespace waspvm::big_module
