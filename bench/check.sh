#!/usr/bin/env bash
# Honesty check for the benchmark suite: runs every bench/wasm/NAME.wasm on
# waspvm at its small size (bench/programs.txt) and compares the output with
# bench/expected/NAME.small.txt. Takes a few seconds.
#
#   bench/check.sh [WASPVM]     (default: $WASPVM, else build/waspvm)
# Exit status 0 when every program printed its expected checksum.
set -uo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
waspvm=${1:-${WASPVM:-$bench/../build/waspvm}}
if [[ ! -x $waspvm ]]; then
  echo "check.sh: no waspvm executable at $waspvm (pass its path)" >&2
  exit 2
fi

passed=0 failed=0
while read -r name small _; do
  expected=$(cat "$bench/expected/$name.small.txt")
  actual=$(timeout 60 "$waspvm" run "$bench/wasm/$name.wasm" "$small" 2>&1)
  status=$?
  if [[ $status -eq 0 && "$actual" == "$expected" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name $small (exit $status): expected '$expected', got '${actual:0:300}'"
  fi
done < <(grep -v '^\s*\(#\|$\)' "$bench/programs.txt")
echo "bench/check.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
