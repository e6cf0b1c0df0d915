#!/usr/bin/env node
// run_node.js: runs a module in V8 (node's WebAssembly JS API) the way
// waspvm_diff_run runs it in WaspVM, and prints the same canonical transcript
// (format in tests/diff/README.md).
//
//   node run_node.js [--dump-memory DIR] FILE.wasm
//
// The module's imports must all be the "fuzzing-support" log functions of
// binaryen's translate-to-fuzz with their exact types; any other import is an
// error (exit status 3). i64 values cross the JS boundary as BigInt.
'use strict';
const fs = require('fs');
const path = require('path');

const HANG_LIMIT_INITIALIZER = 'hangLimitInitializer';

let dumpDir = '';
let file = '';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--dump-memory' && i + 1 < argv.length) dumpDir = argv[++i];
  else if (!argv[i].startsWith('-') && !file) file = argv[i];
  else usage();
}
if (!file) usage();

function usage() {
  process.stderr.write('usage: node run_node.js [--dump-memory DIR] FILE.wasm\n');
  process.exit(64);
}

const out = [];
const scratch = new DataView(new ArrayBuffer(8));

function hex(bits, digits) {
  return '0x' + bits.toString(16).padStart(digits, '0');
}

// A value as the transcript shows it; every NaN is "nan" (NaN payloads may
// legitimately differ between engines, and JS numbers do not keep them).
function formatValue(type, v) {
  switch (type) {
    case 'i32': return 'i32 ' + (v | 0);
    case 'i64': return 'i64 ' + BigInt.asIntN(64, v).toString();
    case 'f32':
      if (Number.isNaN(v)) return 'f32 nan';
      scratch.setFloat32(0, v);
      return 'f32 ' + hex(scratch.getUint32(0), 8);
    case 'f64':
      if (Number.isNaN(v)) return 'f64 nan';
      scratch.setFloat64(0, v);
      return 'f64 ' + hex(scratch.getBigUint64(0), 16);
    case 'funcref': return v === null ? 'funcref null' : 'funcref func';
    case 'externref': return v === null ? 'externref null' : 'externref extern';
    default: return type + ' ?';
  }
}

// V8's trap messages mapped to the classes waspvm_diff_run uses.
const TRAP_CLASSES = [
  ['unreachable', 'unreachable'],
  ['divide by zero', 'div-by-zero'],
  ['remainder by zero', 'div-by-zero'],
  ['divide result unrepresentable', 'int-overflow'],
  ['float unrepresentable in integer range', 'conversion'],
  ['memory access out of bounds', 'memory-oob'],
  ['data segment out of bounds', 'memory-oob'],
  ['table index is out of bounds', 'table-oob'],
  ['element segment out of bounds', 'table-oob'],
  ['invalid index into function table', 'table-oob'],
  ['null function or function signature mismatch', 'indirect-call'],
  ['dereferencing a null pointer', 'null-ref'],
];

function trapClass(e) {
  if (e instanceof RangeError && /call stack size/.test(e.message)) return 'stack-exhausted';
  if (e instanceof WebAssembly.RuntimeError) {
    for (const [message, cls] of TRAP_CLASSES) if (e.message === message) return cls;
  }
  return 'other ' + (e && e.constructor ? e.constructor.name : '?') + ': ' + (e && e.message);
}

// Two 32-bit hashes of a memory's bytes, exactly as waspvm_diff_run computes them.
function hashBytes(bytes) {
  let h1 = 2166136261 | 0, h2 = 0x12345678 | 0;
  for (let i = 0; i < bytes.length; ++i) {
    const b = bytes[i];
    h1 = Math.imul(h1 ^ b, 16777619);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

const VALTYPES = {0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref'};

// The JS API does not tell an export's signature, so read the type, import,
// function and export sections of the binary.
function signatures(bytes) {
  let p = 8;
  const u32 = () => {
    let result = 0, shift = 0, b;
    do {
      b = bytes[p++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  const name = () => {
    const n = u32();
    const s = Buffer.from(bytes.subarray(p, p + n)).toString('utf8');
    p += n;
    return s;
  };
  const limits = () => {
    const flags = u32();
    u32();
    if (flags & 1) u32();
  };
  const types = [], funcs = [], globals = [], imports = [], exports = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; --n) {
        if (bytes[p++] !== 0x60) throw new Error('unexpected type form');
        const params = [], results = [];
        for (let k = u32(); k > 0; --k) params.push(VALTYPES[bytes[p++]]);
        for (let k = u32(); k > 0; --k) results.push(VALTYPES[bytes[p++]]);
        types.push({params, results});
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; --n) {
        const module = name(), field = name(), kind = bytes[p++];
        const imp = {module, field, kind};
        if (kind === 0) {
          imp.type = types[u32()];
          funcs.push(imp.type);
        } else if (kind === 1) {
          p++;
          limits();
        } else if (kind === 2) {
          limits();
        } else if (kind === 3) {
          globals.push(VALTYPES[bytes[p]]);
          p += 2;
        }
        imports.push(imp);
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; --n) funcs.push(types[u32()]);
    } else if (id === 6) {
      for (let n = u32(); n > 0; --n) {
        globals.push(VALTYPES[bytes[p]]);
        p += 2;
        // Skip the constant expression up to its `end`.
        for (let op = bytes[p++]; op !== 0x0b; op = bytes[p++]) {
          if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) u32();
          else if (op === 0x43) p += 4;
          else if (op === 0x44) p += 8;
          else if (op === 0xd0) p += 1;
        }
      }
    } else if (id === 7) {
      for (let n = u32(); n > 0; --n) {
        const field = name(), kind = bytes[p++], index = u32();
        const type = kind === 0 ? funcs[index] : kind === 3 ? globals[index] : undefined;
        exports.push({name: field, kind, type});
      }
    }
    p = end;
  }
  return {imports, exports};
}

const LOG_PARAMS = {'log-i32': 'i32', 'log-i64': 'i64', 'log-f32': 'f32', 'log-f64': 'f64'};

function main() {
  const bytes = new Uint8Array(fs.readFileSync(file));
  let module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    process.stdout.write('compile-error\n');
    process.stderr.write('run_node: ' + e + '\n');
    return 0;
  }
  const sig = signatures(bytes);
  const support = {};
  for (const imp of sig.imports) {
    const param = imp.module === 'fuzzing-support' && imp.kind === 0 ? LOG_PARAMS[imp.field] : undefined;
    if (!param || imp.type.params.length !== 1 || imp.type.params[0] !== param || imp.type.results.length) {
      process.stderr.write(`run_node: unsupported import ${imp.module}.${imp.field}\n`);
      return 3;
    }
    support[imp.field] = (v) => {
      const s = formatValue(param, v);
      out.push(imp.field + ' ' + s.slice(s.indexOf(' ') + 1));
    };
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, {'fuzzing-support': support});
  } catch (e) {
    out.push('instantiate-error');
    process.stderr.write('run_node: ' + e + '\n');
    return 0;
  }
  out.push('instantiated');
  const ex = instance.exports;
  const hasHangLimit = sig.exports.some(
      (e) => e.kind === 0 && e.name === HANG_LIMIT_INITIALIZER && e.type.params.length === 0);
  const zero = {i32: 0, i64: 0n, f32: 0, f64: 0, funcref: null, externref: null};

  for (const e of sig.exports) {
    if (e.kind !== 0) continue;
    // As binaryen's own JS wrapper does: reset the hang limit before each call.
    if (hasHangLimit) {
      try {
        ex[HANG_LIMIT_INITIALIZER]();
      } catch (err) {
        out.push('trap ' + trapClass(err));
      }
    }
    out.push('call ' + e.name);
    const args = e.type.params.map((t) => zero[t]);
    try {
      let r = ex[e.name](...args);
      const results = e.type.results;
      if (results.length === 1) r = [r];
      else if (results.length === 0) r = [];
      out.push(['result', ...results.map((t, i) => formatValue(t, r[i]))].join(' '));
    } catch (err) {
      out.push('trap ' + trapClass(err));
    }
  }

  for (const e of sig.exports) {
    if (e.kind === 2) {
      const buf = new Uint8Array(ex[e.name].buffer);
      out.push(`memory ${e.name} pages ${buf.length / 65536} hash ${hashBytes(buf)}`);
      if (dumpDir) fs.writeFileSync(path.join(dumpDir, e.name + '.node.bin'), buf);
    } else if (e.kind === 3) {
      const g = ex[e.name];
      out.push(`global ${e.name} ` + formatValue(e.type, g.value));
    } else if (e.kind === 1) {
      const t = ex[e.name];
      let cells = '';
      for (let i = 0; i < t.length; ++i) cells += t.get(i) === null ? 'n' : 'r';
      out.push(`table ${e.name} size ${t.length} ${cells}`);
    }
  }
  return 0;
}

const status = main();
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
process.exitCode = status;
