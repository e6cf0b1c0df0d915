#!/usr/bin/env bash
# Runs one C test program twice, natively (compiled now with the host's cc)
# and as WebAssembly under `waspvm run` (the committed .wasm), with the same
# arguments, environment, stdin and a fresh copy of the same input directory,
# and compares their stdout, stderr, exit status and the directory tree they
# leave (names and contents).
#
# usage: tests/wasi/run_case.sh --waspvm PATH CASE
#        tests/wasi/run_case.sh --list
# environment: CC (default cc) builds the native programs; KEEP=1 keeps the
# work directory (its path is printed).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CASES=(stdio files dirs clocks args_env exit_7 return_3 exit_0 trap hello hello_name fileproc)

waspvm=""
name=""
while [ $# -gt 0 ]; do
  case "$1" in
    --waspvm) waspvm="$2"; shift 2 ;;
    --list) printf '%s\n' "${CASES[@]}"; exit 0 ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) name="$1"; shift ;;
  esac
done
[ -n "$waspvm" ] && [ -x "$waspvm" ] || { echo "error: --waspvm PATH (an executable) is required" >&2; exit 64; }
[ -n "$name" ] || { echo "error: no case given (--list shows them)" >&2; exit 64; }

# What a case sets: the C source and .wasm, the program's arguments and
# environment, its stdin, the directory copied to data/ (and how --dir names
# it), the expected exit status, and an optional check of waspvm's stderr
# instead of comparing it.
source_file=""; wasm_file=""; args=(); env=(); stdin=/dev/null
input_dir=""; dir_form=default; expect_status=0; compare_stderr=1; expected_files=()
program() {
  source_file="$HERE/src/$1.c"
  wasm_file="$HERE/wasm/$1.wasm"
}
case "$name" in
  stdio) program stdio; stdin="$HERE/input/stdin.txt" ;;
  files) program files; input_dir="$HERE/input/files"; args=(data) ;;
  dirs) program dirs; input_dir="$HERE/input/dirs"; dir_form=absolute; args=(data) ;;
  clocks) program clocks ;;
  args_env)
    program args_env
    args=(one "two words" '' '$WASP_GREETING' '$WASP_EMPTY' '$WASP_EQUALS' '$WASP_UNSET' -- --dir --env=X)
    env=(WASP_GREETING=hello WASP_EMPTY= WASP_EQUALS=a=b=c "WASP_SPACES=with  spaces") ;;
  exit_7) program exit_code; args=(exit 7); expect_status=7 ;;
  return_3) program exit_code; args=(return 3); expect_status=3 ;;
  exit_0) program exit_code; args=(exit 0) ;;
  trap) program trap; expect_status=134; compare_stderr=0 ;;
  hello) source_file="$REPO/examples/hello/hello.c"; wasm_file="$REPO/examples/hello/hello.wasm" ;;
  hello_name) source_file="$REPO/examples/hello/hello.c"; wasm_file="$REPO/examples/hello/hello.wasm"; args=(WaspVM) ;;
  fileproc)
    source_file="$REPO/examples/fileproc/fileproc.c"; wasm_file="$REPO/examples/fileproc/fileproc.wasm"
    input_dir="$REPO/examples/fileproc/data"; args=(data/sample.txt)
    expected_files=("data/sample.txt.report=$HERE/expected/fileproc.report") ;;
  *) echo "error: unknown case $name (--list shows them)" >&2; exit 64 ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/waspvm-wasi-$name.XXXXXX")" || exit 1
if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi
failures=0
fail() {
  echo "FAIL [$name]: $*"
  failures=$((failures + 1))
}

mkdir -p "$work/bin" "$work/native" "$work/wasm"
bin="$work/bin/$(basename "$source_file" .c)"
if ! "${CC:-cc}" -O2 -w -I"$HERE/src" "$source_file" -o "$bin"; then
  echo "FAIL [$name]: cannot compile $source_file natively with ${CC:-cc}"
  exit 1
fi
dir_options=()
if [ -n "$input_dir" ]; then
  cp -R "$input_dir" "$work/native/data"
  cp -R "$input_dir" "$work/wasm/data"
  case "$dir_form" in
    default) dir_options=(--dir data) ;;
    absolute) dir_options=(--dir "$work/wasm/data::data") ;;
  esac
fi
env_options=()
for assignment in "${env[@]}"; do env_options+=(--env "$assignment"); done

# The outer redirection hides bash's own "Aborted" report of the native trap.
(
  cd "$work/native" && env -i "${env[@]}" "$bin" "${args[@]}" <"$stdin" >"$work/native.out" 2>"$work/native.err"
  echo $? >"$work/native.status"
) 2>/dev/null
native_status="$(cat "$work/native.status")"
(cd "$work/wasm" &&
  "$waspvm" run "${dir_options[@]}" "${env_options[@]}" "$wasm_file" "${args[@]}" <"$stdin" >"$work/wasm.out" \
    2>"$work/wasm.err")
wasm_status=$?

[ "$native_status" -eq "$expect_status" ] || fail "native exit status $native_status, expected $expect_status"
[ "$wasm_status" -eq "$native_status" ] || fail "waspvm exit status $wasm_status, native $native_status"
diff -u --label native --label waspvm "$work/native.out" "$work/wasm.out" >"$work/stdout.diff" ||
  fail "stdout differs:"$'\n'"$(cat "$work/stdout.diff")"
if [ "$compare_stderr" -eq 1 ]; then
  diff -u --label native --label waspvm "$work/native.err" "$work/wasm.err" >"$work/stderr.diff" ||
    fail "stderr differs:"$'\n'"$(cat "$work/stderr.diff")"
fi
if [ -n "$input_dir" ]; then
  diff -r "$work/native/data" "$work/wasm/data" >"$work/tree.diff" 2>&1 ||
    fail "the directory trees differ:"$'\n'"$(cat "$work/tree.diff")"
fi
for pair in "${expected_files[@]}"; do
  produced="$work/wasm/${pair%%=*}"
  expected="${pair#*=}"
  cmp -s "$produced" "$expected" || fail "${pair%%=*} differs from $expected"
done

# A sanitizer report (scripts/sanitize.sh) fails every case, the trap too.
if grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$work/wasm.err"; then fail "waspvm's sanitizer report"; fi

# A trap: waspvm names it and prints a backtrace with the C function names.
if [ "$name" = trap ]; then
  grep -q '^trap: unreachable' "$work/wasm.err" || fail "no \"trap: unreachable\" line on stderr"
  grep -q 'fail_deeply' "$work/wasm.err" || fail "the backtrace does not name fail_deeply"
  grep -q 'abort' "$work/wasm.err" || fail "the backtrace does not name abort"
fi

if [ $failures -ne 0 ]; then
  echo "--- waspvm stderr:"; cat "$work/wasm.err"
  exit 1
fi
echo "ok [$name]: exit status $wasm_status, stdout $(wc -l <"$work/wasm.out") lines identical to the native run"
