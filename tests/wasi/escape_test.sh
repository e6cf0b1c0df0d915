#!/usr/bin/env bash
# Sandbox escapes at the command level: runs tests/wasi/wasm/escape.wasm under
# `waspvm run --dir JAIL::.` in a fresh tree
#
#   ROOT/secret             the file the program must not reach
#   ROOT/outside/keep.txt
#   ROOT/jail/file          JAIL, the preopened directory
#   ROOT/jail/sub/inner.txt
#
# and checks that every attempt failed (no "ESCAPED" line; the output equals
# tests/wasi/expected/escape.stdout) and that nothing outside JAIL changed:
# names, types, sizes, modes, modification times, link targets, contents.
# It runs twice: as waspvm normally resolves paths (openat2 where the kernel
# has it) and with WASPVM_FORCE_PATH_WALK=1 (the portable component walk).
#
# usage: tests/wasi/escape_test.sh --waspvm PATH      (KEEP=1 keeps the files)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
waspvm=""
while [ $# -gt 0 ]; do
  case "$1" in
    --waspvm) waspvm="$2"; shift 2 ;;
    -h|--help) sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "error: unknown argument $1" >&2; exit 64 ;;
  esac
done
[ -n "$waspvm" ] && [ -x "$waspvm" ] || { echo "error: --waspvm PATH (an executable) is required" >&2; exit 64; }

work="$(mktemp -d "${TMPDIR:-/tmp}/waspvm-escape.XXXXXX")" || exit 1
if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi
failures=0
attempts=0

# One run in a fresh tree under $work/$1; $2 is WASPVM_FORCE_PATH_WALK.
run_once() {
  local mode="$1" walk="$2" dir="$work/$1"
  local root="$dir/root"
  fail() {
    echo "FAIL [escape, $mode]: $*"
    failures=$((failures + 1))
  }
  mkdir -p "$root/outside" "$root/jail/sub"
  echo "top secret" >"$root/secret"
  echo "keep me" >"$root/outside/keep.txt"
  echo "inside" >"$root/jail/file"
  echo "inner" >"$root/jail/sub/inner.txt"
  # Old times, so that a write or utimensat outside the jail shows.
  touch -d '2001-02-03 04:05:06' "$root/secret" "$root/outside/keep.txt" "$root/outside"
  # Everything outside the jail (ROOT itself included), with what could change.
  snapshot() {
    (cd "$root" && find . -path ./jail -prune -o -printf '%p %y %s %m %T@ %l\n' | sort &&
      find . -path ./jail -prune -o -type f -exec md5sum {} + | sort)
  }
  snapshot >"$dir/before"
  (cd "$root/jail" && WASPVM_FORCE_PATH_WALK="$walk" "$waspvm" run --dir "$root/jail::." "$HERE/wasm/escape.wasm" \
    >"$dir/stdout" 2>"$dir/stderr")
  local status=$?
  snapshot >"$dir/after"

  local failures_before=$failures
  [ "$status" -eq 0 ] || fail "waspvm exit status $status, expected 0"
  [ ! -s "$dir/stderr" ] || fail "unexpected output on stderr"
  if grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$dir/stderr"; then fail "waspvm's sanitizer report"; fi
  if grep -q ESCAPED "$dir/stdout"; then fail "escapes succeeded:"$'\n'"$(grep ESCAPED "$dir/stdout")"; fi
  diff -u --label expected --label actual "$HERE/expected/escape.stdout" "$dir/stdout" >"$dir/stdout.diff" ||
    fail "output differs from tests/wasi/expected/escape.stdout:"$'\n'"$(cat "$dir/stdout.diff")"
  diff -u --label before --label after "$dir/before" "$dir/after" >"$dir/tree.diff" ||
    fail "something outside the preopened directory changed:"$'\n'"$(cat "$dir/tree.diff")"
  [ "$(cat "$root/secret")" = "top secret" ] || fail "ROOT/secret was modified"
  local name
  for name in x moved linked created planted; do
    [ ! -e "$root/$name" ] && [ ! -L "$root/$name" ] || fail "ROOT/$name was created"
  done
  if [ $failures -ne "$failures_before" ]; then
    echo "--- stdout:"; cat "$dir/stdout"
    echo "--- stderr:"; cat "$dir/stderr"
  fi
  attempts=$(wc -l <"$dir/stdout")
}

run_once openat2 0
run_once walk 1
[ $failures -eq 0 ] || exit 1
echo "ok [escape]: $attempts escape attempts, all refused, with openat2 and with the component walk; nothing" \
  "outside the preopened directory changed"
