// The WebAssembly 2.0 binary decoder: bytes -> ModuleDesc.
// It reports malformed input (the spec's "assert_malformed" class of errors);
// everything that needs types or index spaces is left to the validator.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "decode/module.h"
#include "waspvm/result.h"

namespace waspvm {

// Decodes a whole module. The result owns a copy of `bytes`; all offsets in it
// point into ModuleDesc::bytes. Errors read "<spec wording> at offset N".
Result<ModuleDesc> decode_module(std::span<const uint8_t> bytes);

namespace decode_detail {

// True if [data, data + size) is well-formed UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool is_valid_utf8(const uint8_t* data, size_t size);

// Reads the `name` custom section payload [begin, end) of desc.bytes into
// desc.module_name and desc.func_names. Best effort: a malformed subsection
// is ignored, never an error.
void read_name_section(ModuleDesc& desc, size_t begin, size_t end);

}  // namespace decode_detail

}  // namespace waspvm
