#!/usr/bin/env bash
# Builds the benchmark programs listed in bench/programs.txt:
#   bench/wasm/NAME.wasm   clang --target=wasm32-wasi -O2 (committed)
#   $BUILD_DIR/NAME        cc -O2, the native baseline (default bench/build/, not committed)
# then records the native build's output at the default, small and medium sizes
# as bench/expected/NAME.txt, NAME.small.txt and NAME.medium.txt, and, when node
# is installed, checks that the wasm build prints the same under node's WASI.
#
#   bench/build.sh [--native-only] [NAME...]    (all programs when no name is given)
# --native-only builds just the native binaries (run.py uses it when one is
# missing) and leaves bench/wasm and bench/expected alone.
# Environment: CC (native compiler, default cc), WASM_CC (default clang),
# BUILD_DIR (default bench/build).
# Needs clang 14+, wasi-libc and the wasm32 compiler runtime; on Debian 12:
#   apt-get install clang wasi-libc libclang-rt-14-dev-wasm32
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
build_dir=${BUILD_DIR:-$bench/build}
cc=${CC:-cc}
wasm_cc=${WASM_CC:-clang}
# Identical float results natively and in wasm: no fused multiply-add.
common_flags=(-O2 -ffp-contract=off -Wall -Wextra -Werror)
native_only=0
if [[ ${1:-} == --native-only ]]; then
  native_only=1
  shift
fi
mkdir -p "$build_dir" "$bench/wasm" "$bench/expected"

if [[ $native_only -eq 0 ]] && ! echo 'int main(void){return 0;}' | "$wasm_cc" --target=wasm32-wasi -x c - -o "$build_dir/probe.wasm" 2>/dev/null; then
  echo "build.sh: '$wasm_cc --target=wasm32-wasi' cannot link a program." >&2
  echo "  On Debian 12: apt-get install clang wasi-libc libclang-rt-14-dev-wasm32" >&2
  exit 1
fi
rm -f "$build_dir/probe.wasm"

node_runner=()
if command -v node >/dev/null; then
  node_runner=(node --no-warnings --experimental-wasi-unstable-preview1 "$bench/node_wasi.mjs")
else
  echo "build.sh: node not found; the wasm builds are not cross-checked" >&2
fi

failures=0
while read -r name small medium extra_flags; do
  if [[ $# -gt 0 && " $* " != *" $name "* ]]; then continue; fi
  src="$bench/src/$name.c"
  if [[ $native_only -eq 1 ]]; then
    "$cc" "${common_flags[@]}" "$src" -o "$build_dir/$name" -lm
    continue
  fi
  # --strip-debug drops libc's DWARF but keeps the name section (readable backtraces).
  # shellcheck disable=SC2086  # extra_flags is a word list
  "$wasm_cc" --target=wasm32-wasi "${common_flags[@]}" $extra_flags -Wl,--strip-debug \
    "$src" -o "$bench/wasm/$name.wasm" -lm
  "$cc" "${common_flags[@]}" "$src" -o "$build_dir/$name" -lm
  for variant in default small medium; do
    case $variant in
      default) args=() expected="$bench/expected/$name.txt" ;;
      small) args=("$small") expected="$bench/expected/$name.small.txt" ;;
      medium) args=("$medium") expected="$bench/expected/$name.medium.txt" ;;
    esac
    "$build_dir/$name" "${args[@]}" >"$expected"
    if [[ ${#node_runner[@]} -gt 0 ]]; then
      if ! actual=$("${node_runner[@]}" "$bench/wasm/$name.wasm" "${args[@]}") ||
        [[ "$actual" != "$(cat "$expected")" ]]; then
        echo "MISMATCH $name ($variant size): native '$(cat "$expected")', wasm under node '$actual'" >&2
        failures=$((failures + 1))
      fi
    fi
  done
  echo "built $name: $(cat "$bench/expected/$name.txt")"
done < <(grep -v '^\s*\(#\|$\)' "$bench/programs.txt")

if [[ $failures -gt 0 ]]; then
  echo "build.sh: $failures mismatches between the native and wasm builds" >&2
  exit 1
fi
