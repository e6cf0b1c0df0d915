#!/usr/bin/env bash
# The same build and tests as scripts/test.sh, with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DWASP_SANITIZE=ON), in a separate build
# directory (SANITIZE_BUILD_DIR, default: build-sanitize). Any sanitizer
# report fails its test.
# The last line printed is ctest's summary line.
#
# usage: scripts/sanitize.sh [CTEST_ARGS...]
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${SANITIZE_BUILD_DIR:-$REPO/build-sanitize}"
export BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
export CMAKE_ARGS="-DWASP_SANITIZE=ON ${CMAKE_ARGS:-}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$REPO/scripts/test.sh" "$@"
