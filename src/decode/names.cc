// UTF-8 validation of names and the (best-effort) `name` custom section.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/reader.h"
#include "decode/decoder.h"

namespace waspvm::decode_detail {

bool is_valid_utf8(const uint8_t* data, size_t size) {
  size_t i = 0;
  while (i < size) {
    uint8_t b = data[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
    if (b >= 0xC2 && b <= 0xDF) {
      extra = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;  // continuation byte, overlong 2-byte lead, or 0xF5..0xFF
    }
    if (size - i <= extra) return false;
    if (data[i + 1] < lo || data[i + 1] > hi) return false;
    for (size_t k = 2; k <= extra; ++k) {
      if ((data[i + k] & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

namespace {

// Reads a length-prefixed UTF-8 name; false if it is malformed.
bool read_name(ByteReader& r, const uint8_t* data, std::string& out) {
  auto len = r.u32();
  if (!len || *len > r.remaining()) return false;
  const uint8_t* p = data + r.pos();
  if (!is_valid_utf8(p, *len)) return false;
  out.assign(reinterpret_cast<const char*>(p), *len);
  r.seek(r.pos() + *len);
  return true;
}

bool read_module_name(ByteReader& r, const uint8_t* data, std::string& out) {
  return read_name(r, data, out) && r.at_end();
}

// A name map: indices must be strictly increasing (as the spec requires).
bool read_name_map(ByteReader& r, const uint8_t* data, std::vector<std::pair<uint32_t, std::string>>& out) {
  auto count = r.u32();
  if (!count || *count > r.remaining()) return false;
  for (uint32_t i = 0; i < *count; ++i) {
    auto index = r.u32();
    if (!index) return false;
    if (!out.empty() && *index <= out.back().first) return false;
    std::string name;
    if (!read_name(r, data, name)) return false;
    out.emplace_back(*index, std::move(name));
  }
  return r.at_end();
}

}  // namespace

void read_name_section(ModuleDesc& desc, size_t begin, size_t end) {
  const uint8_t* data = desc.bytes.data();
  ByteReader r(data, begin, end);
  while (!r.at_end()) {
    auto id = r.u8();
    if (!id) return;
    auto size = r.u32();
    if (!size || *size > r.remaining()) return;
    size_t sub_end = r.pos() + *size;
    ByteReader sub(data, r.pos(), sub_end);
    if (*id == 0) {
      std::string name;
      if (read_module_name(sub, data, name)) desc.module_name = std::move(name);
    } else if (*id == 1) {
      std::vector<std::pair<uint32_t, std::string>> names;
      if (read_name_map(sub, data, names)) desc.func_names = std::move(names);
    }
    r.seek(sub_end);
  }
}

}  // namespace waspvm::decode_detail
