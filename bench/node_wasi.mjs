// Runs a wasm32-wasi program's _start under Node's WASI (V8):
//   node --experimental-wasi-unstable-preview1 bench/node_wasi.mjs PROG.wasm [ARGS...]
// argv[0] is the module path, like the other engines; stdout and stderr are
// the process's own; the exit status is the program's.
import { readFile } from 'node:fs/promises';
import { argv, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = argv.slice(2);
if (!file) {
  console.error('usage: node_wasi.mjs PROG.wasm [ARGS...]');
  exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance) ?? 0);
