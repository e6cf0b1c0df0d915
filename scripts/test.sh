#!/usr/bin/env bash
# Builds WaspVM and runs every test: unit, API, the spec suites (core and
# core-fallback) and the mutation fuzz test. Installs missing dependencies
# first (scripts/setup.sh). The last line printed is ctest's summary line; the
# exit status is ctest's (non-zero if the build or any test failed).
#
# usage: scripts/test.sh [CTEST_ARGS...]          e.g. scripts/test.sh -R api
# environment:
#   BUILD_DIR   build directory (default: build, at the repository root)
#   BUILD_TYPE  CMake build type (default: Release)
#   CMAKE_ARGS  extra configure arguments (e.g. -DWASP_SANITIZE=ON)
#   BUILD_TARGETS  what to build (default: everything; scripts/tsan.sh builds fewer)
#   CXX         the compiler, read by CMake when it first configures BUILD_DIR
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
JOBS="$(nproc 2>/dev/null || echo 2)"

"$REPO/scripts/setup.sh" || { echo "setup failed"; exit 1; }

# A build directory keeps its generator; only choose one for a new directory.
generator=()
[ -f "$BUILD_DIR/CMakeCache.txt" ] || generator=(-G Ninja)
# shellcheck disable=SC2086  # CMAKE_ARGS is a list of arguments
if ! cmake -S "$REPO" -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_ARGS:-}; then
  echo "configure failed"
  exit 1
fi
targets=()
# shellcheck disable=SC2206  # BUILD_TARGETS is a list of target names
[ -z "${BUILD_TARGETS:-}" ] || targets=(--target $BUILD_TARGETS)
if ! cmake --build "$BUILD_DIR" --parallel "$JOBS" "${targets[@]}"; then
  echo "build failed"
  exit 1
fi

log="$(mktemp "${TMPDIR:-/tmp}/waspvm-ctest.XXXXXX")"
trap 'rm -f "$log"' EXIT
(cd "$BUILD_DIR" && ctest --output-on-failure --parallel "$JOBS" "$@") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)"
if [ -z "$summary" ]; then
  summary="ctest printed no summary (no tests found?)"
  [ "$status" -ne 0 ] || status=1
fi
echo "$summary"
exit "$status"
