// What a fuzz target offers the plain driver (fuzz_driver.cc) besides
// libFuzzer's entry points: a summary of what its inputs reached, and a
// check that the run was meaningful (a setup that rejects every seed, or
// never runs a call, must fail the test rather than pass by doing nothing).
// All are optional (weak): the restore target has none.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

// One line (or several) of counts, printed after the seeds and at the end.
std::string wasp_fuzz_summary() __attribute__((weak));
// Whether the last input got past the first stage (it compiled): the
// driver takes such inputs as the bases of most mutations, and keeps
// mutants that got that far as bases too.
bool wasp_fuzz_accepted() __attribute__((weak));
// After the seeds ran: empty if they reached what they should, else why not.
std::string wasp_fuzz_check_seeds() __attribute__((weak));
