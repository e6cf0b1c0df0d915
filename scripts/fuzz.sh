#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS seconds with a persistent corpus,
# then prints what the run did: inputs executed, coverage, findings.
#
# usage: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER_ARGS...]
#   TARGET   compile | run | restore (compile_fuzzer, run_fuzzer, restore_fuzzer)
#
# It configures and builds build-fuzz (Clang 14, ASan + UBSan, libFuzzer:
# -DWASP_SANITIZE=ON -DWASP_FUZZERS=ON) if needed; the corpus lives outside
# the repository, in $WASP_FUZZ_CACHE/TARGET/corpus (default
# ~/.cache/waspvm-fuzz), seeded on every run from the built and committed
# seeds (the spec suite's modules, the .wasm files of tests/, bench/ and
# examples/, tests/fuzz_targets/regressions/; for restore, the snapshots
# restore_fuzzer writes). Findings (crash-*, leak-*, oom-*, timeout-* files)
# go to $WASP_FUZZ_CACHE/TARGET/findings/RUN/; the log to .../logs/RUN.log.
#
# By default the fuzzer runs in libFuzzer's fork mode (one child at a time,
# -fork=1), which keeps going after a finding, so a long run reports all of
# them; WASP_FUZZ_FORK=0 runs in-process instead and stops at the first.
# Every run is niced (nice -n 10) and limited to -rss_limit_mb=2048
# -timeout=10; WASP_FUZZ_JOBS=N runs N children at once in fork mode.
# compile and run get tests/fuzz_targets/wasm.dict. At the end the corpus
# is replayed in-process once (-runs=0) for coverage figures comparable
# between runs (fork mode counts its own way).
# Exit status: 0 if the run found nothing, 1 if it found something, 2 on a
# usage or build error.
set -uo pipefail
# The whole script is one compound command, read before it runs: editing
# this file while a run is going (bash reads scripts as it goes) cannot
# change what that run does next.
{

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${WASP_FUZZ_BUILD_DIR:-$REPO/build-fuzz}"
CACHE="${WASP_FUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/waspvm-fuzz}"
FORK="${WASP_FUZZ_FORK:-1}"
JOBS="${WASP_FUZZ_JOBS:-1}"

usage() {
  sed -n '2,/^[^#]/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
[ $# -ge 2 ] || usage
name="$1"
target="${1%_fuzzer}"
seconds="$2"
shift 2
case "$target" in
  compile | run | restore) ;;
  *) echo "fuzz.sh: unknown target '$name' (compile, run or restore)" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "fuzz.sh: SECONDS must be a positive number" >&2; exit 2; }

# ---- build (configure once; the build itself is a no-op when up to date),
# one at a time in the directory, as two runs may start together
mkdir -p "$BUILD_DIR"
exec 9>"$BUILD_DIR/.fuzz-build.lock"
flock 9
if ! grep -qs '^WASP_FUZZERS:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
  command -v clang++-14 >/dev/null || { echo "fuzz.sh: clang++-14 is needed (scripts/setup.sh)" >&2; exit 2; }
  CXX=clang++-14 CC=clang-14 cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWASP_SANITIZE=ON -DWASP_FUZZERS=ON >"$BUILD_DIR/fuzz-configure.log" 2>&1 ||
    { cat "$BUILD_DIR/fuzz-configure.log" >&2; echo "fuzz.sh: configuring $BUILD_DIR failed" >&2; exit 2; }
fi
echo "fuzz.sh: building ${target}_fuzzer in $BUILD_DIR"
build_log="$BUILD_DIR/fuzz-build-$target.log"
nice -n 10 cmake --build "$BUILD_DIR" --target "${target}_fuzzer" -j2 >"$build_log" 2>&1 ||
  { tail -40 "$build_log" >&2; echo "fuzz.sh: the build failed ($build_log)" >&2; exit 2; }
flock -u 9
exec 9>&-
if [ "$target" = restore ]; then
  bin="$BUILD_DIR/tests/restore_fuzzer"
else
  bin="$BUILD_DIR/tests/fuzz_targets/${target}_fuzzer"
fi
[ -x "$bin" ] || { echo "fuzz.sh: no $bin after the build" >&2; exit 2; }

# ---- corpus and seeds
dir="$CACHE/$target"
run_id="$(date +%Y%m%d-%H%M%S)-$$"
corpus="$dir/corpus" seeds="$dir/seeds-$run_id" findings="$dir/findings/$run_id" log="$dir/logs/$run_id.log"
mkdir -p "$corpus" "$findings" "$dir/logs"
mkdir -p "$seeds"
trap 'rm -rf "$seeds"' EXIT
regressions="$REPO/tests/fuzz_targets/regressions"
if [ "$target" = restore ]; then
  WASP_FUZZ_SEEDS="$seeds" "$bin" >/dev/null 2>&1 || { echo "fuzz.sh: restore_fuzzer could not write its seeds" >&2; exit 2; }
  [ -d "$regressions/restore" ] && cp "$regressions/restore"/* "$seeds/" 2>/dev/null
else
  # Named by content, so the same module found twice is one seed.
  find "$BUILD_DIR/tests/fuzz_corpus" "$BUILD_DIR/tests/api_wasm" "$REPO/tests" "$REPO/bench" "$REPO/examples" \
    -name '*.wasm' -type f -print0 2>/dev/null | xargs -0 -r sha1sum |
    while read -r sum f; do cp "$f" "$seeds/$sum"; done
  for sub in compile run; do
    [ -d "$regressions/$sub" ] && find "$regressions/$sub" -type f ! -name '.*' -exec cp {} "$seeds/" \;
  done
fi
echo "fuzz.sh: $target for ${seconds}s: corpus $corpus ($(find "$corpus" -type f | wc -l) inputs)," \
  "$(find "$seeds" -type f | wc -l) seeds; log $log"

# ---- run
args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
      -artifact_prefix="$findings/")
[ "$target" != restore ] && args+=(-dict="$REPO/tests/fuzz_targets/wasm.dict")
if [ "$FORK" != 0 ]; then
  args+=(-fork="$JOBS" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
start=$(date +%s)
(cd "$dir" && nice -n 10 "$bin" "${args[@]}" "$@" "$corpus" "$seeds") >"$log" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))

# ---- what it did
# In-process runs end with "#N DONE cov: E ft: F ..." and the final stats;
# fork mode prints "#N: cov: E ft: F corp: C exec/s: X oom/timeout/crash: ..."
# lines, the last one being the total.
last="$(grep -aE '^#[0-9]+:?[[:space:]]+([A-Z]+[[:space:]]+|pulse[[:space:]]+)?cov: ' "$log" | tail -1)"
execs="$(grep -a 'stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')"
[ -z "$execs" ] && execs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")"
cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
corp="$(find "$corpus" -type f | wc -l)"
# Fork mode counts coverage its own way: measure the corpus the run leaves
# in-process too (each input once), as the in-process runs report it.
replay="$(cd "$dir" && nice -n 10 "$bin" -runs=0 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$findings/replay-" \
            "$corpus" "$seeds" 2>&1 |
          grep -aE '^#[0-9]+[[:space:]]+INITED' | tail -1)"
rcov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$replay")"
rft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$replay")"
mapfile -t found < <(find "$findings" -type f | sort)
[ ${#found[@]} -eq 0 ] && rmdir "$findings" 2>/dev/null

echo "fuzz.sh: $target ran ${elapsed}s (libFuzzer exit status $status)"
echo "  inputs executed: ${execs:-unknown}"
echo "  coverage: ${cov:-unknown} edges (cov), ${ft:-unknown} features (ft), as the run counted them"
echo "  corpus now $corp inputs (+ seeds); replayed in-process: ${rcov:-unknown} edges, ${rft:-unknown} features"
if [ ${#found[@]} -eq 0 ]; then
  echo "  findings: none"
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: libFuzzer failed without a finding; the end of $log:" >&2
    tail -20 "$log" >&2
    exit 2
  fi
  exit 0
fi
echo "  findings: ${#found[@]} (in $findings):"
for f in "${found[@]}"; do
  echo "    $(basename "$f") ($(stat -c %s "$f") bytes)"
done
echo "  reproduce one: $bin FILE; minimize: $bin -minimize_crash=1 -runs=10000 FILE"
exit 1
}
exit
