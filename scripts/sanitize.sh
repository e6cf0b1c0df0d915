#!/usr/bin/env bash
# The same build and tests as scripts/test.sh, with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DWASP_SANITIZE=ON), in a separate build
# directory (SANITIZE_BUILD_DIR, default: build-sanitize). Any sanitizer
# report fails its test. It builds with Clang when clang++-14 is there (the
# tail-call dispatch of the interpreter), while scripts/test.sh builds with
# the default compiler, GCC (computed goto): CI covers both.
# The last line printed is ctest's summary line.
#
# usage: scripts/sanitize.sh [CTEST_ARGS...]
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${SANITIZE_BUILD_DIR:-$REPO/build-sanitize}"
export BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
if [ -z "${CXX:-}" ] && command -v clang++-14 >/dev/null; then
  export CXX=clang++-14 CC=clang-14
fi
export CMAKE_ARGS="-DWASP_SANITIZE=ON ${CMAKE_ARGS:-}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$REPO/scripts/test.sh" "$@"
