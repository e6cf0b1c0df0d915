#!/usr/bin/env bash
# Differential fuzzing of WaspVM against V8 (tests/diff/README.md):
#
#   tests/diff/diff_fuzz.sh N [SEED]
#
# generates N fresh modules with binaryen's translate-to-fuzz (seeds SEED ..
# SEED+N-1; SEED defaults to a random one, printed), runs each in WaspVM
# (waspvm_diff_run) and in V8 (node run_node.js), and compares the two
# transcripts. Reports the modules run, those that agree, the mismatches (each
# kept with both transcripts in OUT/mismatches/s<seed>/), and the modules that
# ran out of gas in WaspVM or were skipped, with their reasons. Exit status 1
# if any module disagreed.
#
# Environment: WASPVM_DIFF_RUN (the runner; default build-diff's, built when
# missing), NODE (default node), DIFF_OUT (default build-diff/diff-fuzz),
# JOBS (modules run at once, default 1), DIFF_TIMEOUT (seconds per module and
# engine, default 120).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 N [SEED]" >&2
  exit 64
fi
count=$1
seed=${2:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
runner=${WASPVM_DIFF_RUN:-$root/build-diff/tests/diff/waspvm_diff_run}
node=${NODE:-node}
out=${DIFF_OUT:-$root/build-diff/diff-fuzz}
jobs=${JOBS:-1}
timeout_s=${DIFF_TIMEOUT:-120}

if [ ! -x "$runner" ]; then
  if [ -n "${WASPVM_DIFF_RUN:-}" ]; then
    echo "diff_fuzz: $runner is not an executable" >&2
    exit 1
  fi
  echo "diff_fuzz: building waspvm_diff_run in build-diff" >&2
  cmake -S "$root" -B "$root/build-diff" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build-diff" --target waspvm_diff_run -j2 >/dev/null
fi
command -v "$node" >/dev/null || { echo "diff_fuzz: no node ($node)" >&2; exit 1; }

run=$out/run-$seed-$count
rm -rf "$run"
mkdir -p "$run/modules" "$run/results" "$out/mismatches"
echo "diff_fuzz: $count modules from seed $seed ($("$here/generate.py" --out "$run/modules" --version))"
"$here/generate.py" --out "$run/modules" --seed "$seed" --count "$count"

# One module: both engines, then a verdict line in results/<stem>.verdict:
# agree | mismatch <line> | out-of-gas <export> | skipped <reason>.
check_one() {
  local wasm=$1 stem dir
  stem=$(basename "$wasm" .wasm)
  dir=$run/results/$stem
  mkdir -p "$dir"
  local wrc=0 nrc=0
  timeout "$timeout_s" "$runner" "$wasm" >"$dir/waspvm.txt" 2>"$dir/waspvm.err" || wrc=$?
  timeout "$timeout_s" "$node" "$here/run_node.js" "$wasm" >"$dir/node.txt" 2>"$dir/node.err" || nrc=$?
  local verdict
  if [ "$wrc" -eq 3 ] || [ "$nrc" -eq 3 ]; then
    verdict="skipped unsupported import: $(cat "$dir/waspvm.err" "$dir/node.err" | head -1)"
  elif [ "$nrc" -eq 124 ]; then
    verdict="skipped node timed out after ${timeout_s}s"
  elif [ "$nrc" -ne 0 ]; then
    verdict="skipped node failed (status $nrc): $(tail -1 "$dir/node.err")"
  elif [ "$wrc" -ne 0 ]; then
    # WaspVM's failures (a crash, a timeout) are mismatches, not skips.
    verdict="mismatch waspvm_diff_run exited with status $wrc: $(tail -1 "$dir/waspvm.err")"
  elif [ "$(tail -1 "$dir/waspvm.txt")" = "out-of-gas" ]; then
    # Out of gas: the transcripts must agree up to there.
    local n
    n=$(($(wc -l <"$dir/waspvm.txt") - 1))
    if cmp -s <(head -n "$n" "$dir/waspvm.txt") <(head -n "$n" "$dir/node.txt"); then
      verdict="out-of-gas in $(grep '^call ' "$dir/waspvm.txt" | tail -1 | cut -d' ' -f2-)"
    else
      verdict="mismatch before out of gas: $(diff <(head -n "$n" "$dir/waspvm.txt") \
        <(head -n "$n" "$dir/node.txt") | head -3 | tr '\n' ' ')"
    fi
  elif cmp -s "$dir/waspvm.txt" "$dir/node.txt"; then
    verdict="agree"
  else
    verdict="mismatch $(diff "$dir/waspvm.txt" "$dir/node.txt" | head -4 | tr '\n' ' ')"
  fi
  echo "$verdict" >"$dir/verdict"
  if [[ $verdict == mismatch* ]]; then
    local keep=$out/mismatches/$stem
    rm -rf "$keep"
    mkdir -p "$keep"
    cp "$wasm" "$dir"/* "$keep/"
    {
      echo "seed ${stem#s}: $verdict"
      echo "regenerate: tests/diff/generate.py --out DIR --seed ${stem#s}"
      echo "rerun: $runner $keep/$stem.wasm; node tests/diff/run_node.js $keep/$stem.wasm"
    } >"$keep/README"
  else
    rm -f "$dir/waspvm.txt" "$dir/node.txt"
  fi
}
export -f check_one
export run out runner node here timeout_s

find "$run/modules" -name '*.wasm' | sort -V | xargs -r -P "$jobs" -I{} bash -c 'check_one "$1"' _ {}

generated=$(find "$run/modules" -name '*.wasm' | wc -l)
# stem <tab> verdict, one line per module run, in seed order.
find "$run/results" -name verdict -exec grep -H '' {} + |
  sed -E 's|^.*/results/([^/]+)/verdict:|\1\t|' | sort -V >"$run/verdicts.txt"
total=$(wc -l <"$run/verdicts.txt")
kind() { cut -f2 "$run/verdicts.txt" | cut -d' ' -f1 | grep -c "^$1\$" || true; }
agree=$(kind agree)
mismatch=$(kind mismatch)
oog=$(kind out-of-gas)
skipped=$(kind skipped)
echo "diff_fuzz: seeds $seed..$((seed + count - 1)): binaryen made $generated valid modules" \
  "($((count - generated)) seeds gave none, see $run/modules/manifest.txt)"
echo "diff_fuzz: $total modules run, $agree agree, $mismatch mismatches, $oog out of gas in WaspVM" \
  "(agreeing up to there), $skipped skipped"
awk -F'\t' -v keep="$out/mismatches" '
  $2 ~ /^mismatch/ { print "  MISMATCH " $1 ": " $2 "  [kept in " keep "/" $1 "]"; next }
  $2 !~ /^agree/ { print "  " $1 ": " $2 }' "$run/verdicts.txt"
[ "$mismatch" -eq 0 ]
