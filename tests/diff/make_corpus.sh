#!/usr/bin/env bash
# Remakes the committed corpus tests/diff/corpus/ (tests/diff/README.md):
#
#   tests/diff/make_corpus.sh [FIRST_SEED [COUNT]]     (default: 1 200)
#
# generates the modules of seeds FIRST_SEED .. FIRST_SEED+COUNT-1 with
# generate.py and records each one's transcript from V8 (node run_node.js) as
# s<seed>.expected. Modules larger than 24 KiB are left out (to keep the corpus
# small), and so is any module WaspVM runs out of gas on (its transcript cannot
# be compared to the end); corpus/manifest.txt lists every seed and what became
# of it. The ctest diff_corpus then compares WaspVM's transcripts with these.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
first=${1:-1}
count=${2:-200}
runner=${WASPVM_DIFF_RUN:-$root/build-diff/tests/diff/waspvm_diff_run}
node=${NODE:-node}
max_bytes=24576
[ -x "$runner" ] || { echo "make_corpus: build waspvm_diff_run first ($runner)" >&2; exit 1; }

corpus=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/generate.py" --out "$tmp" --seed "$first" --count "$count"
rm -rf "$corpus"
mkdir -p "$corpus"
{
  echo "# The corpus of tests/diff: seeds $first..$((first + count - 1)) of tests/diff/make_corpus.sh,"
  echo "# made by tests/diff/generate.py with $(wasm-opt --version) (Debian 12's binaryen)."
  echo "# s<seed>.expected is the module's transcript from node $("$node" --version) (tests/diff/run_node.js)."
} >"$corpus/manifest.txt"
kept=0
while IFS=$'\t' read -r stem made; do
  wasm=$tmp/$stem.wasm
  if [ ! -e "$wasm" ]; then
    echo "$stem	left out: $made" >>"$corpus/manifest.txt"
    continue
  fi
  size=$(stat -c %s "$wasm")
  if [ "$size" -gt "$max_bytes" ]; then
    echo "$stem	left out: $size bytes (over $max_bytes)" >>"$corpus/manifest.txt"
    continue
  fi
  if [ "$("$runner" "$wasm" 2>/dev/null | tail -1)" = "out-of-gas" ]; then
    echo "$stem	left out: WaspVM runs out of gas" >>"$corpus/manifest.txt"
    continue
  fi
  "$node" "$here/run_node.js" "$wasm" >"$corpus/$stem.expected"
  cp "$wasm" "$corpus/$stem.wasm"
  echo "$stem	$made" >>"$corpus/manifest.txt"
  kept=$((kept + 1))
done <"$tmp/manifest.txt"
echo "make_corpus: $kept modules in $corpus ($(du -sh "$corpus" | cut -f1))"
