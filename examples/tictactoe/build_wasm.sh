#!/bin/sh
# Rebuilds game.wasm (committed) from game.wat with wabt's wat2wasm.
# The game is written in WAT, not C: clang 14's wasm-ld always exports the
# linear memory as "memory", and this example exports it as "game_mem".
set -eu
cd "$(dirname "$0")"
wat2wasm --debug-names game.wat -o game.wasm
echo "wrote $(pwd)/game.wasm ($(wc -c < game.wasm) bytes)"
