#!/usr/bin/env bash
# ThreadSanitizer build and tests (-DWASP_TSAN=ON, RelWithDebInfo) in a
# separate build directory (TSAN_BUILD_DIR, default: build-tsan). Any race
# report fails the test that raised it (halt_on_error=1). It builds with
# Clang when clang++-14 is there (the tail-call dispatch compiles and runs
# under TSan as it is; no -DWASP_NO_TAIL_CALLS needed).
#
# It builds and runs only the tests that start threads: the stress test
# (tests/stress, stress.*) and the unit and API tests (interrupts from other
# threads, the WASI sandbox). TSan sees races only between threads, and the
# other tests (spec suites, WASI programs under `waspvm run`, benchmark
# checksums, fuzz tests) are single-threaded, so under TSan they would only
# cost time. Left out too: the API tests BenchGas.* (every benchmark program
# resumed in gas slices down to 1 gas, single-threaded: over 5 minutes under
# TSan). Warnings are not errors here (WASP_WERROR=OFF): the main build and
# scripts/sanitize.sh (Clang) check them.
#
# If TSan stops at once with "unexpected memory mapping", the kernel
# randomizes mmap more than TSan of LLVM 14 supports: run it under
# `setarch -R` or lower vm.mmap_rnd_bits (28 works).
# The last line printed is ctest's summary line.
#
# usage: scripts/tsan.sh [CTEST_ARGS...]
# environment:
#   TSAN_BUILD_DIR  build directory (default: build-tsan, at the repository root)
#   TSAN_TARGETS    what to build (default: "unit_tests api_tests stress_tests"; "all" for everything)
#   TSAN_TESTS      the ctest -R regex (default: ^(stress|unit|api)\.)
#   TSAN_EXCLUDE    the ctest -E regex (default: ^api\.BenchGas\.)
#   CMAKE_ARGS      extra configure arguments
#   CXX             the compiler, read by CMake when it first configures the directory
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${CXX:-}" ] && command -v clang++-14 >/dev/null; then
  export CXX=clang++-14 CC=clang-14
fi
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
export BUILD_DIR="${TSAN_BUILD_DIR:-$REPO/build-tsan}"
export BUILD_TYPE=RelWithDebInfo
export CMAKE_ARGS="-DWASP_TSAN=ON -DWASP_SANITIZE=OFF -DWASP_WERROR=OFF ${CMAKE_ARGS:-}"
TARGETS="${TSAN_TARGETS:-unit_tests api_tests stress_tests}"
if [ "$TARGETS" = all ]; then unset BUILD_TARGETS; else export BUILD_TARGETS="$TARGETS"; fi
# (scripts/test.sh configures, builds, runs ctest and prints its summary.)
exec "$REPO/scripts/test.sh" -R "${TSAN_TESTS:-^(stress|unit|api)\.}" -E "${TSAN_EXCLUDE:-^api\.BenchGas\.}" "$@"
