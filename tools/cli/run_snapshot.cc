#include "cli/run_snapshot.h"

#include <cstring>
#include <fstream>

#include "snapshot/format.h"

namespace waspvm::cli {

namespace {

constexpr char kRunMagic[8] = {'W', 'A', 'S', 'P', 'R', 'U', 'N', '1'};

void put_bytes(snapshot::ByteWriter& out, std::span<const uint8_t> bytes) {
  out.u64(bytes.size());
  out.bytes(bytes);
}
void put_string(snapshot::ByteWriter& out, const std::string& s) {
  put_bytes(out, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

std::string get_string(snapshot::ByteReader& in) {
  uint64_t n = in.u64();
  std::span<const uint8_t> b = in.bytes(n);
  return std::string(b.begin(), b.end());
}

}  // namespace

std::vector<uint8_t> encode_run_snapshot(const RunSnapshot& file) {
  snapshot::ByteWriter out;
  out.bytes({reinterpret_cast<const uint8_t*>(kRunMagic), sizeof kRunMagic});
  put_bytes(out, file.module);
  out.u32(static_cast<uint32_t>(file.args.size()));
  for (const std::string& a : file.args) put_string(out, a);
  out.u32(static_cast<uint32_t>(file.env.size()));
  for (const auto& [name, value] : file.env) {
    put_string(out, name);
    put_string(out, value);
  }
  out.u32(static_cast<uint32_t>(file.preopens.size()));
  for (const wasi::PreopenDir& p : file.preopens) {
    put_string(out, p.host_path);
    put_string(out, p.guest_path);
  }
  out.u8(file.invoke ? 1 : 0);
  if (file.invoke) put_string(out, *file.invoke);
  put_bytes(out, file.snapshot);
  return std::move(out.data());
}

Result<RunSnapshot> decode_run_snapshot(std::span<const uint8_t> bytes) {
  snapshot::ByteReader in(bytes);
  std::span<const uint8_t> magic = in.bytes(sizeof kRunMagic);
  if (!in.ok() || std::memcmp(magic.data(), kRunMagic, sizeof kRunMagic) != 0)
    return Error{"not a snapshot file of `waspvm run --snapshot-out`"};
  RunSnapshot file;
  std::span<const uint8_t> module = in.bytes(in.u64());
  file.module.assign(module.begin(), module.end());
  // Each count is checked against what is left (a string takes 8 bytes at least).
  uint32_t count = in.u32();
  if (count > in.remaining() / 8) return Error{"a corrupt snapshot file"};
  for (uint32_t i = 0; i < count && in.ok(); ++i) file.args.push_back(get_string(in));
  count = in.u32();
  if (count > in.remaining() / 16) return Error{"a corrupt snapshot file"};
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    std::string name = get_string(in);
    file.env.emplace_back(std::move(name), get_string(in));
  }
  count = in.u32();
  if (count > in.remaining() / 16) return Error{"a corrupt snapshot file"};
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    std::string host = get_string(in);
    file.preopens.push_back({std::move(host), get_string(in)});
  }
  uint8_t has_invoke = in.u8();
  if (has_invoke > 1) return Error{"a corrupt snapshot file"};
  if (has_invoke) file.invoke = get_string(in);
  std::span<const uint8_t> snap = in.bytes(in.u64());
  file.snapshot.assign(snap.begin(), snap.end());
  if (in.failed_or_trailing()) return Error{"a corrupt or truncated snapshot file"};
  return file;
}

Result<void> write_run_snapshot(const std::string& path, const RunSnapshot& file) {
  std::vector<uint8_t> bytes = encode_run_snapshot(file);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Error{"cannot write " + path};
  return {};
}

}  // namespace waspvm::cli
