#!/usr/bin/env bash
# Compiles the C programs that run under `waspvm run` (WASI preview1) into
# WebAssembly with clang --target=wasm32-wasi -O2:
#
#   tests/wasi/src/NAME.c     -> tests/wasi/wasm/NAME.wasm   (the WASI tests)
#   examples/{hello,fileproc}/NAME.c -> examples/.../NAME.wasm
#
# The .wasm files are committed, so building WaspVM and running its tests
# needs no WebAssembly toolchain; run this after changing one of the C files.
# Debug sections are stripped; the name section stays (function names in
# trap backtraces).
#
# usage: scripts/build_wasm.sh [--check]
#   --check  build into a temporary directory and report which committed
#            .wasm files differ from their sources (exit status 1 if any)
# environment:
#   WASM_CC  the compiler (default: clang-14, else clang)
#
# Installs the toolchain when it is missing (Debian 12: clang-14 lld-14
# wasi-libc libclang-rt-14-dev-wasm32; needs root or sudo).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGES=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)
CFLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-debug)

check=0
case "${1:-}" in
  --check) check=1 ;;
  -h|--help) sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
  "") ;;
  *) echo "error: unknown argument $1 (see --help)" >&2; exit 64 ;;
esac

pick_compiler() {
  if [ -n "${WASM_CC:-}" ]; then echo "$WASM_CC"; return; fi
  if command -v clang-14 >/dev/null 2>&1; then echo clang-14; return; fi
  echo clang
}

# True when the compiler can build and link a WASI program.
toolchain_works() {
  local cc probe
  cc="$(pick_compiler)"
  command -v "$cc" >/dev/null 2>&1 || return 1
  probe="$(mktemp -d "${TMPDIR:-/tmp}/waspvm-wasi-probe.XXXXXX")"
  printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' >"$probe/probe.c"
  if "$cc" "${CFLAGS[@]}" "$probe/probe.c" -o "$probe/probe.wasm" >/dev/null 2>&1; then
    rm -rf "$probe"
    return 0
  fi
  rm -rf "$probe"
  return 1
}

install_toolchain() {
  echo "build_wasm: installing ${PACKAGES[*]}"
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "build_wasm: not root and no sudo; install these packages by hand: ${PACKAGES[*]}" >&2
      exit 1
    }
    as_root=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update
  "${as_root[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
}

toolchain_works || install_toolchain
toolchain_works || { echo "build_wasm: $(pick_compiler) still cannot build for wasm32-wasi" >&2; exit 1; }
CC="$(pick_compiler)"

# "source output" pairs.
targets=()
for src in "$REPO"/tests/wasi/src/*.c; do
  targets+=("$src" "$REPO/tests/wasi/wasm/$(basename "$src" .c).wasm")
done
for example in hello fileproc; do
  for src in "$REPO/examples/$example"/*.c; do
    targets+=("$src" "${src%.c}.wasm")
  done
done

scratch=""
if [ $check -eq 1 ]; then
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/waspvm-wasm-check.XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
fi
mkdir -p "$REPO/tests/wasi/wasm"
stale=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  src="${targets[i]}"
  out="${targets[i + 1]}"
  dest="$out"
  [ $check -eq 0 ] || dest="$scratch/$(basename "$out")"
  "$CC" "${CFLAGS[@]}" "$src" -o "$dest"
  if [ $check -eq 1 ]; then
    if ! cmp -s "$dest" "$out"; then
      echo "stale: ${out#"$REPO"/} (rebuild with scripts/build_wasm.sh)"
      stale=1
    fi
  else
    echo "built ${out#"$REPO"/}"
  fi
done
exit $stale
