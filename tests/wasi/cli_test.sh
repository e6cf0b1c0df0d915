#!/usr/bin/env bash
# The `waspvm run` command line: option forms, `--`, --invoke with WASI
# modules, --env NAME inheritance, exit statuses (64 usage, 2 invalid module,
# 1 other errors, 134 trap, the program's own), and --help.
#
# usage: tests/wasi/cli_test.sh --waspvm PATH
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
waspvm=""
while [ $# -gt 0 ]; do
  case "$1" in
    --waspvm) waspvm="$2"; shift 2 ;;
    -h|--help) sed -n '2,6s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "error: unknown argument $1" >&2; exit 64 ;;
  esac
done
[ -n "$waspvm" ] && [ -x "$waspvm" ] || { echo "error: --waspvm PATH (an executable) is required" >&2; exit 64; }

work="$(mktemp -d "${TMPDIR:-/tmp}/waspvm-cli.XXXXXX")" || exit 1
trap 'rm -rf "$work"' EXIT
WASM="$HERE/wasm"
HELLO="$REPO/examples/hello/hello.wasm"
failures=0
checks=0

# expect STATUS STDOUT_PATTERN STDERR_PATTERN -- COMMAND...: runs COMMAND and
# checks its exit status and that stdout/stderr match the (grep -E) patterns
# ("" = anything; "^$" = empty).
expect() {
  local want_status="$1" out_pattern="$2" err_pattern="$3"
  shift 4
  checks=$((checks + 1))
  "$@" >"$work/out" 2>"$work/err" </dev/null
  local status=$?
  local problem=""
  [ "$status" -eq "$want_status" ] || problem="exit status $status, expected $want_status"
  if [ -n "$out_pattern" ] && ! grep -Eq -- "$out_pattern" "$work/out" &&
    ! { [ "$out_pattern" = '^$' ] && [ ! -s "$work/out" ]; }; then
    problem="$problem; stdout does not match /$out_pattern/"
  fi
  if [ -n "$err_pattern" ] && ! grep -Eq -- "$err_pattern" "$work/err" &&
    ! { [ "$err_pattern" = '^$' ] && [ ! -s "$work/err" ]; }; then
    problem="$problem; stderr does not match /$err_pattern/"
  fi
  if grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$work/err"; then problem="$problem; a sanitizer report"; fi
  if [ -n "$problem" ]; then
    failures=$((failures + 1))
    echo "FAIL: ${*#"$waspvm"}: ${problem#; }"
    echo "  stdout: $(head -c 600 "$work/out")"
    echo "  stderr: $(head -c 600 "$work/err")"
  fi
}

# Help: every option and the exit statuses.
for help in "run --help" "run -h" "--help" "help"; do
  # shellcheck disable=SC2086
  expect 0 '' '^$' -- "$waspvm" $help
  for word in '--dir HOST\[::GUEST\]' '--env NAME=VALUE' '--invoke NAME' '--gas N' '--on-out-of-gas' '134' '  64 ' '  71 ' '  75 ' '  2 ' 'proc_exit'; do
    grep -Eq -- "$word" "$work/out" || { failures=$((failures + 1)); echo "FAIL: waspvm $help does not mention $word"; }
  done
done

# Usage errors: 64.
expect 64 '^$' 'no module file' -- "$waspvm" run
expect 64 '^$' 'unknown option --bogus' -- "$waspvm" run --bogus "$HELLO"
expect 64 '^$' 'missing value for option --dir' -- "$waspvm" run --dir
expect 64 '^$' 'missing value for option --env' -- "$waspvm" run --env
expect 64 '^$' 'missing value for option --invoke' -- "$waspvm" run --invoke
expect 64 '^$' '--env needs NAME=VALUE' -- "$waspvm" run --env =x "$HELLO"
expect 64 '^$' '--dir needs HOST' -- "$waspvm" run --dir ::guest "$HELLO"
expect 64 '^$' '--dir needs HOST' -- "$waspvm" run --dir "$work::" "$HELLO"
expect 64 '^$' 'takes 1 argument' -- "$waspvm" run --invoke square "$WASM/invoke.wasm"
expect 64 '^$' 'cannot read "x" as i32' -- "$waspvm" run --invoke square "$WASM/invoke.wasm" x

# Other errors: 1; a malformed module: 2.
expect 1 '^$' 'cannot read .*missing.wasm' -- "$waspvm" run "$work/missing.wasm"
expect 1 '^$' '^error: --dir: .*no-such-dir.*No such file' -- "$waspvm" run --dir "$work/no-such-dir" "$HELLO"
expect 1 '^$' '^error: --dir: .*hello.wasm.*Not a directory' -- "$waspvm" run --dir "$HELLO" "$HELLO"
expect 1 '^$' 'exports no function named "nope"' -- "$waspvm" run --invoke nope "$HELLO"
printf 'not wasm' >"$work/garbage.wasm"
expect 2 '^$' 'garbage.wasm' -- "$waspvm" run "$work/garbage.wasm"

# Limits: 71 for a module beyond waspvm's limits, and for the host running
# out of memory (a module of 300,000 functions compiled under ulimit -v).
# wasm_module N_FUNCS N_LOCALS FILE: functions "() -> i32" returning 7, each
# with N_LOCALS i32 locals; the first is exported as "f".
wasm_module() {
  python3 - "$@" <<'PY'
import sys
n, locals_, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def leb(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)
def section(i, payload):
    return bytes([i]) + leb(len(payload)) + payload
body = (leb(1) + leb(locals_) + b"\x7f" if locals_ else b"\x00") + b"\x41\x07\x0b"
with open(path, "wb") as f:
    f.write(b"\x00asm\x01\x00\x00\x00" + section(1, b"\x01\x60\x00\x01\x7f") + section(3, leb(n) + b"\x00" * n)
            + section(7, b"\x01\x01f\x00\x00") + section(10, leb(n) + (leb(len(body)) + body) * n))
PY
}
# A runaway recursion: the trap's backtrace is bounded (1,000 frames kept of 250,000).
printf '(module (func $r (export "r") (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1))))' \
  >"$work/runaway.wat"
if wat2wasm "$work/runaway.wat" -o "$work/runaway.wasm"; then
  expect 134 '^$' '^  \.\.\. 249000 frames omitted$' -- "$waspvm" run --invoke r "$work/runaway.wasm" 0
else
  failures=$((failures + 1))
  echo "FAIL: wat2wasm runaway.wat"
fi
wasm_module 1 50001 "$work/many_locals.wasm"
expect 71 '^$' '50001 locals .*Config::max_function_locals' -- "$waspvm" run --invoke f "$work/many_locals.wasm"
wasm_module 1 50000 "$work/max_locals.wasm"
expect 0 '^7$' '^$' -- "$waspvm" run --invoke f "$work/max_locals.wasm"
wasm_module 300000 0 "$work/many_funcs.wasm"
expect 0 '^7$' '^$' -- "$waspvm" run --invoke f "$work/many_funcs.wasm"
if (ulimit -v 100000 && "$waspvm" --version) >/dev/null 2>&1; then
  expect 71 '^$' '^error: .*out of host memory while (compiling|instantiating)' -- \
    bash -c 'ulimit -v 100000 && exec "$0" run --invoke f "$1"' "$waspvm" "$work/many_funcs.wasm"
else
  echo "note: the out-of-host-memory check needs a build that runs under ulimit -v 100000 (not a sanitizer build): not run"
fi
printf '(module (import "env" "host_fn" (func)) (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))' \
  >"$work/imports.wat"
if wat2wasm "$work/imports.wat" -o "$work/imports.wasm"; then
  expect 1 '^$' 'env\.host_fn \(func\)' -- "$waspvm" run "$work/imports.wasm"
  grep -q proc_exit "$work/err" && { failures=$((failures + 1)); echo "FAIL: the note lists a WASI import"; }
fi

# Running programs.
expect 0 '^Hello, world!$' '^$' -- "$waspvm" run "$HELLO"
expect 0 '^Hello, --dir!$' '^$' -- "$waspvm" run -- "$HELLO" --dir
expect 0 '^Hello, --help!$' '^$' -- "$waspvm" run "$HELLO" --help
expect 0 '^main ran$' '^$' -- "$waspvm" run "$WASM/invoke.wasm"
expect 0 '' '^$' -- "$waspvm" run --invoke square "$WASM/invoke.wasm" 7
[ "$(cat "$work/out")" = $'square(7) called\n49' ] || { failures=$((failures + 1)); echo "FAIL: --invoke square 7 printed: $(cat "$work/out")"; }
expect 0 '^1$' '^$' -- "$waspvm" run --invoke=square "$WASM/invoke.wasm" 0xffffffff
grep -q '^square(-1) called$' "$work/out" || { failures=$((failures + 1)); echo "FAIL: 0xffffffff did not arrive as -1"; }
expect 0 '^5$' '^$' -- "$waspvm" run --invoke add "$REPO/examples/add.wasm" 2 3
expect 7 '^about to exit with 7$' '^$' -- "$waspvm" run "$WASM/exit_code.wasm" exit 7
expect 44 '' '^$' -- "$waspvm" run "$WASM/exit_code.wasm" exit 300
expect 134 '^before the trap$' '^trap: unreachable' -- "$waspvm" run "$WASM/trap.wasm"
grep -q '^  .*fail_deeply' "$work/err" || { failures=$((failures + 1)); echo "FAIL: no fail_deeply frame in: $(cat "$work/err")"; }

# Gas: --gas meters and reports on stderr; running out is status 75, as a
# trap or (--on-out-of-gas=suspend) a suspension; bad values are usage errors.
expect 0 '^5$' '^gas used: 4$' -- "$waspvm" run --gas 1000 --invoke add "$REPO/examples/add.wasm" 2 3
expect 0 '^5$' '^gas used: 4$' -- "$waspvm" run --gas=4 --invoke add "$REPO/examples/add.wasm" 2 3
expect 75 '^$' '^trap: out of gas' -- "$waspvm" run --gas 3 --invoke add "$REPO/examples/add.wasm" 2 3
grep -q '^gas used: 0$' "$work/err" || { failures=$((failures + 1)); echo "FAIL: no gas used line: $(cat "$work/err")"; }
expect 75 '' '^suspended: out of gas' -- "$waspvm" run --gas 1000 --on-out-of-gas=suspend \
  "$REPO/examples/hello/hello.wasm"
grep -q '^gas used: [0-9]*$' "$work/err" || { failures=$((failures + 1)); echo "FAIL: no gas used line: $(cat "$work/err")"; }
grep -q ' func .* at wasm offset ' "$work/err" || { failures=$((failures + 1)); echo "FAIL: no frames: $(cat "$work/err")"; }
expect 75 '' '^trap: out of gas' -- "$waspvm" run --gas 1000 --on-out-of-gas=trap "$REPO/examples/hello/hello.wasm"
expect 0 '' '^gas used: [0-9]+$' -- "$waspvm" run --gas 100000000 "$REPO/examples/hello/hello.wasm"
expect 64 '^$' 'needs a decimal number' -- "$waspvm" run --gas 12x "$REPO/examples/add.wasm"
expect 64 '^$' 'needs trap or suspend' -- "$waspvm" run --gas 1 --on-out-of-gas=maybe "$REPO/examples/add.wasm"

# Snapshots: run --snapshot-out saves the call when the budget runs out;
# resume continues it in another process (and saves it again), inspect shows
# it; the hops change neither the output nor the total gas.
FIB="$REPO/bench/wasm/fib.wasm"
expect 0 '^checksum: ' '^gas used: [0-9]+$' -- "$waspvm" run --gas 100000000 "$FIB" 22
whole_gas="$(sed -n 's/^gas used: //p' "$work/err")"
expect 75 '^$' '^saved to ' -- "$waspvm" run --gas 300000 --snapshot-out "$work/a.snap" "$FIB" 22
expect 0 'SHA-256 [0-9a-f]{64}' '^$' -- "$waspvm" inspect "$work/a.snap"
grep -q '<fib>' "$work/out" || { failures=$((failures + 1)); echo "FAIL: inspect shows no fib frame: $(head -c 600 "$work/out")"; }
grep -q '^suspended (out of gas), gas used 2[0-9]*' "$work/out" || { failures=$((failures + 1)); echo "FAIL: inspect shows no gas"; }
expect 75 '^$' '^saved to ' -- "$waspvm" resume "$work/a.snap" --gas 300000 --snapshot-out "$work/b.snap"
expect 0 "^$(cat "$REPO/bench/expected/fib.small.txt")\$" "^gas used: $whole_gas\$" -- "$waspvm" resume "$work/b.snap" --gas=100000000
expect 75 '^$' '^trap: out of gas' -- "$waspvm" resume "$work/b.snap" --gas 10
# Through 20 processes and more: each resume continues the last one's snapshot.
for prog_size in fib:22 sort:5000; do
  prog=${prog_size%%:*} size=${prog_size##*:}
  "$waspvm" run --gas 100000000000 "$REPO/bench/wasm/$prog.wasm" $size >"$work/whole.out" 2>"$work/whole.err"
  whole_gas="$(sed -n 's/^gas used: //p' "$work/whole.err")"
  slice=$((whole_gas / 25 + 1))
  "$waspvm" run --gas $slice --snapshot-out "$work/hop.snap" "$REPO/bench/wasm/$prog.wasm" $size >"$work/hops.out" 2>/dev/null
  status=$? hops=0
  while [ $status -eq 75 ] && [ $hops -lt 100 ]; do
    hops=$((hops + 1))
    cp "$work/hop.snap" "$work/prev.snap"
    "$waspvm" resume "$work/prev.snap" --gas $slice --snapshot-out "$work/hop.snap" >>"$work/hops.out" 2>"$work/hops.err"
    status=$?
  done
  checks=$((checks + 1))
  if [ $status -ne 0 ] || [ $hops -lt 20 ] || ! cmp -s "$work/hops.out" "$work/whole.out" ||
    ! grep -q "^gas used: $whole_gas\$" "$work/hops.err"; then
    failures=$((failures + 1))
    echo "FAIL: $prog through $hops processes: status $status, output $(head -c 200 "$work/hops.out"), $(tail -1 "$work/hops.err"), expected gas $whole_gas"
  fi
done
head -c 200 "$work/b.snap" >"$work/cut.snap"
expect 1 '^$' '^error: ' -- "$waspvm" resume "$work/cut.snap" --gas 100
expect 1 '^$' '^error: ' -- "$waspvm" inspect "$REPO/examples/add.wasm"
expect 64 '^$' 'needs --gas' -- "$waspvm" run --snapshot-out "$work/c.snap" "$FIB" 22
# Open host files cannot be saved: refused clearly, nothing written.
mkdir -p "$work/fp" && printf 'one two\nthree\n' >"$work/fp/t.txt"
expect 1 '' 'cannot save a snapshot: the program has opened' -- "$waspvm" run --gas 5000 \
  --snapshot-out "$work/fp.snap" --dir "$work/fp::/in" "$REPO/examples/fileproc/fileproc.wasm" /in/t.txt
[ ! -e "$work/fp.snap" ] || { failures=$((failures + 1)); echo "FAIL: a refused snapshot was written"; }
expect 64 '^$' 'no snapshot file' -- "$waspvm" resume --gas 5

# Environment: only what --env gives; --env NAME passes the host's value;
# a later --env of the same NAME wins.
WASP_FROM_HOST=inherited expect 0 'environ: 2 entries' '^$' -- "$waspvm" run --env WASP_FROM_HOST \
  --env WASP_NOT_ON_HOST --env=A=1 --env A=2 "$WASM/args_env.wasm" '$WASP_FROM_HOST' '$A'
grep -q '^getenv(WASP_FROM_HOST)=\[inherited\]$' "$work/out" || { failures=$((failures + 1)); echo "FAIL: --env NAME did not pass the host value"; }
grep -q '^getenv(A)=\[2\]$' "$work/out" || { failures=$((failures + 1)); echo "FAIL: the later --env A=2 did not win"; }
expect 0 'environ: 0 entries' '^$' -- "$waspvm" run "$WASM/args_env.wasm"
expect 0 '^program=args_env$' '^$' -- "$waspvm" run "$WASM/args_env.wasm"

# Several directories, each under its own guest name; --dir=HOST::GUEST form.
mkdir -p "$work/in" "$work/out_dir"
printf 'one two\nthree\n' >"$work/in/text.txt"
expect 0 '^2 lines, 3 words, 14 bytes in /input/text.txt' '^$' -- "$waspvm" run --dir "$work/in::/input" \
  --dir="$work/out_dir::/output" "$REPO/examples/fileproc/fileproc.wasm" /input/text.txt
[ -f "$work/in/text.txt.report" ] || { failures=$((failures + 1)); echo "FAIL: fileproc wrote no report"; }
expect 1 '^$' 'cannot open nowhere/text.txt' -- "$waspvm" run --dir "$work/in::/input" \
  "$REPO/examples/fileproc/fileproc.wasm" nowhere/text.txt

if [ $failures -ne 0 ]; then
  echo "$failures of the checks failed"
  exit 1
fi
echo "ok: $checks commands behaved as expected"
