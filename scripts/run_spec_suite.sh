#!/usr/bin/env bash
# Runs the WebAssembly spec test suite against WaspVM.
#
# usage: scripts/run_spec_suite.sh [DIR|FILE.wast ...] [--build BUILD_DIR] [--out OUT_DIR] [--verbose]
#
#   DIR          a directory of .wast files, relative to the suite (REPO/../shared/spec-testsuite)
#                or absolute; default: core core-fallback. Also accepts single .wast files.
#   --build DIR  the CMake build directory holding `waspvm` (default: REPO/build)
#   --out DIR    where to keep the converted JSON and modules (default: a temporary directory,
#                removed afterwards)
#   --verbose    passed to `waspvm spectest`
#   --metering   passed to `waspvm spectest`: every module compiled with gas metering on
#   --stop-everywhere  passed to `waspvm spectest`: metering on, and every call stops again
#                and again, with a snapshot round trip and clones at each stop
#
# Each .wast is converted by wabt's wast2json (1.0.32) into its own directory,
# because file stems repeat across directories (binary.wast), with the flags
# MANIFEST.txt gives per directory; then one `waspvm spectest` run takes all the
# JSON files, with tests/spec/expected-failures.txt. The last line printed is the
# runner's totals line; the exit status is non-zero if any test failed or any
# file could not be converted. Works from any current directory.
set -u

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE="$(cd "$REPO/../shared/spec-testsuite" 2>/dev/null && pwd)" || {
  echo "error: spec suite not found at $REPO/../shared/spec-testsuite" >&2
  exit 2
}
EXPECTED="$REPO/tests/spec/expected-failures.txt"

build_dir="$REPO/build"
out_dir=""
verbose=()
inputs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ $# -ge 2 ] || { echo "error: --build needs a directory" >&2; exit 64; }
             build_dir="$2"; shift 2 ;;
    --build=*) build_dir="${1#--build=}"; shift ;;
    --out) [ $# -ge 2 ] || { echo "error: --out needs a directory" >&2; exit 64; }
           out_dir="$2"; shift 2 ;;
    --out=*) out_dir="${1#--out=}"; shift ;;
    --verbose|-v) verbose+=(--verbose); shift ;;
    --metering|--stop-everywhere) verbose+=("$1"); shift ;;
    -h|--help) sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "error: unknown option $1" >&2; exit 64 ;;
    *) inputs+=("$1"); shift ;;
  esac
done
[ ${#inputs[@]} -gt 0 ] || inputs=(core core-fallback)

WASPVM="${WASPVM:-$build_dir/waspvm}"  # (the environment may name another build of the command)
if [ ! -x "$WASPVM" ]; then
  echo "error: $WASPVM not found; build it first or pass --build BUILD_DIR" >&2
  exit 2
fi
command -v wast2json >/dev/null || { echo "error: wast2json (wabt) is not on PATH" >&2; exit 2; }

if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir" && OUT="$(cd "$out_dir" && pwd)" || exit 2
else
  OUT="$(mktemp -d "${TMPDIR:-/tmp}/waspvm-spec.XXXXXX")" || exit 2
  trap 'rm -rf "$OUT"' EXIT
fi

# wast2json flags for a file's directory (relative to the suite), as MANIFEST.txt gives them.
flags_for() {
  case "$1" in
    proposals/tail-call|*/proposals/tail-call) echo "--enable-tail-call" ;;
    proposals/extended-const|*/proposals/extended-const) echo "--enable-extended-const" ;;
    proposals/multi-memory|*/proposals/multi-memory) echo "--enable-multi-memory" ;;
    *) echo "" ;;
  esac
}

# A path as the suite names it (core/x.wast) when it lies inside the suite.
suite_relative() {
  case "$1" in
    "$SUITE"/*) echo "${1#"$SUITE"/}" ;;
    /*) echo "$1" ;;
    *) echo "$1" ;;
  esac
}

wast_files=()
for input in "${inputs[@]}"; do
  case "$input" in /*) path="$input" ;; *) path="$SUITE/$input" ;; esac
  if [ -d "$path" ]; then
    path="$(cd "$path" && pwd)"
    found=0
    for wast in "$path"/*.wast; do
      [ -e "$wast" ] || continue
      wast_files+=("$(suite_relative "$wast")"); found=1
    done
    [ $found -eq 1 ] || echo "warning: no .wast files in $input" >&2
  elif [ -f "$path" ]; then
    wast_files+=("$(suite_relative "$(cd "$(dirname "$path")" && pwd)/$(basename "$path")")")
  else
    echo "error: $input is neither a directory nor a file (looked at $path)" >&2
    exit 2
  fi
done

# Converts from the suite root so that the JSON's source_filename is the suite
# path (core/x.wast), which is how expected failures are keyed.
json_files=()
convert_failures=0
for wast in "${wast_files[@]}"; do
  rel_dir="$(dirname "$wast")"
  stem="$(basename "$wast" .wast)"
  odir="$OUT/${rel_dir#/}/$stem"
  rm -rf "$odir" && mkdir -p "$odir"
  # shellcheck disable=SC2046
  if (cd "$SUITE" && wast2json $(flags_for "$rel_dir") "$wast" -o "$odir/$stem.json") >"$odir/wast2json.log" 2>&1; then
    json_files+=("$odir/$stem.json")
  else
    echo "CONVERT-FAIL $wast: $(head -n 1 "$odir/wast2json.log")"
    convert_failures=$((convert_failures + 1))
  fi
done

if [ ${#json_files[@]} -eq 0 ]; then
  echo "error: nothing to run ($convert_failures file(s) failed to convert)" >&2
  exit 1
fi
[ $convert_failures -eq 0 ] || echo "$convert_failures file(s) failed to convert (see above)"

"$WASPVM" spectest --expected-failures "$EXPECTED" "${verbose[@]}" "${json_files[@]}"
status=$?
if [ $status -eq 0 ] && [ $convert_failures -gt 0 ]; then status=1; fi
exit $status
