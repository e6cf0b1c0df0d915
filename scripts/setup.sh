#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine needs to build and test WaspVM:
# compilers (GCC, and Clang 14 for the Clang build), CMake, Ninja, ccache,
# wabt (wat2wasm, wast2json), GoogleTest and Python 3 (for the wasi-testsuite
# runner, which needs only its standard library). Does nothing (and touches
# no package index) when everything is already there. Runs as root, or
# through sudo when that exists.
set -euo pipefail

PACKAGES=(build-essential cmake ninja-build ccache clang-14 wabt libgtest-dev googletest libzstd-dev libsqlite3-dev python3)
COMMANDS=(c++ make cmake ninja ccache clang++-14 wat2wasm wast2json python3)

have_everything() {
  local cmd
  for cmd in "${COMMANDS[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || return 1
  done
  [ -e /usr/include/gtest/gtest.h ] || return 1
  compgen -G '/usr/lib/*/cmake/GTest/GTestConfig.cmake' >/dev/null || return 1
}
have_everything && exit 0

echo "setup: installing ${PACKAGES[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: not root and no sudo; install these packages by hand: ${PACKAGES[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
