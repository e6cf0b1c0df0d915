#!/usr/bin/env python3
"""Generates random valid wasm modules with binaryen's translate-to-fuzz.

    tests/diff/generate.py --out DIR [--seed S] [--count N]

writes DIR/s<seed>.wasm for the seeds S, S+1, ..., S+N-1 (default S=1, N=1)
and a line per seed in DIR/manifest.txt. Each module depends on its seed
alone (and the binaryen version): the seed drives a PRNG (Python's
random.Random, a Mersenne twister, the same on every machine) that gives the
input bytes binaryen's `wasm-opt -ttf` turns into a module. Odd seeds also
run a random set of binaryen's optimization passes (--fuzz-passes, picked from
the same input bytes); seeds S with S // 2 even try reference types first.
Each module is then rewritten by nan_canon.py so that no NaN's payload or
sign can reach memory or an integer (those are nondeterministic in the spec,
and V8 and WaspVM differ in them). Only modules that wabt's wasm-validate
accepts are kept.

The features are the ones WaspVM implements: WebAssembly 2.0 (MVP, mutable
globals, sign extension, non-trapping float-to-int, multi-value, bulk memory,
reference types) without SIMD, and none of binaryen's later proposals
(exceptions, GC, memory64, threads, tail calls, ...). Installs binaryen with
apt-get when wasm-opt is missing, as scripts/setup.sh installs its packages
(wabt, for wasm-validate, is one of those).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nan_canon  # noqa: E402

FEATURES = [
    "--mvp-features",
    "--enable-mutable-globals",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-bulk-memory",
]
REFERENCE_TYPES = "--enable-reference-types"
# Binaryen 108 (Debian 12) mixes its own anyref and typed function references
# into reference-types output: about three modules in four are invalid
# WebAssembly (a funcref where an externref is expected, "(ref $type)" value
# types). Those are dropped (wabt's wasm-validate, which V8 agrees with, tells
# them) and the seed tries again with other input bytes.
REFERENCE_TYPES_ATTEMPTS = 4


def ensure_binaryen():
    if shutil.which("wasm-opt"):
        return
    print("generate: installing binaryen (wasm-opt)", file=sys.stderr)
    as_root = [] if os.geteuid() == 0 else ["sudo"]
    if as_root and not shutil.which("sudo"):
        sys.exit("generate: wasm-opt missing, not root and no sudo: install the Debian package binaryen")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Update the package index only when apt does not know the package yet.
    known = subprocess.run(["apt-cache", "show", "binaryen"], capture_output=True).returncode == 0
    if not known:
        subprocess.run(as_root + ["apt-get", "update"], check=True, env=env)
    subprocess.run(as_root + ["apt-get", "install", "-y", "--no-install-recommends", "binaryen"],
                   check=True, env=env)


def wasm_opt_version():
    out = subprocess.run(["wasm-opt", "--version"], capture_output=True, text=True).stdout
    return out.strip()


def random_input(rng):
    size = rng.randint(256, 6144)
    return bytes(rng.getrandbits(8) for _ in range(size))


def translate(data, features, passes, stem):
    """wasm-opt -ttf on `data` into stem.wasm; True if it made a valid module."""
    with open(stem + ".in", "wb") as f:
        f.write(data)
    cmd = ["wasm-opt", stem + ".in", "-ttf"] + features + ["-o", stem + ".wasm"]
    if passes:
        cmd.append("--fuzz-passes")
    r = subprocess.run(cmd, capture_output=True, text=True)
    os.unlink(stem + ".in")
    if r.returncode != 0 or not os.path.exists(stem + ".wasm"):
        return False, "wasm-opt failed: " + r.stderr.strip()[-300:]
    # No NaN's bits may become observable (nan_canon.py says why).
    with open(stem + ".wasm", "rb") as f:
        module = f.read()
    try:
        module = nan_canon.rewrite(module)
    except (nan_canon.Unknown, IndexError) as e:
        os.unlink(stem + ".wasm")
        return False, "nan_canon: %s" % e
    with open(stem + ".wasm", "wb") as f:
        f.write(module)
    v = subprocess.run(["wasm-validate", stem + ".wasm"], capture_output=True, text=True)
    if v.returncode != 0:
        os.unlink(stem + ".wasm")
        return False, "invalid: " + v.stderr.strip()[-300:]
    return True, ""


def generate(seed, out_dir):
    """Writes out_dir/s<seed>.wasm; returns a description of it, or None if none could be made.

    Odd seeds run binaryen's random passes after translate-to-fuzz; seeds
    whose half (seed // 2) is even try reference types first.
    """
    rng = random.Random(seed)
    passes = seed % 2 == 1
    stem = os.path.join(out_dir, "s%d" % seed)
    first = random_input(rng)
    if (seed // 2) % 2 == 0:
        data = first
        for attempt in range(REFERENCE_TYPES_ATTEMPTS):
            ok, _ = translate(data, FEATURES + [REFERENCE_TYPES], passes, stem)
            if ok:
                return "reference-types attempt %d, %d bytes%s" % (attempt + 1, len(data),
                                                                   ", passes" if passes else "")
            data = random_input(rng)
    ok, why = translate(first, FEATURES, passes, stem)
    if ok:
        return "no reference types, %d bytes%s" % (len(first), ", passes" if passes else "")
    sys.stderr.write("generate: seed %d: %s\n" % (seed, why))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for the modules")
    ap.add_argument("--seed", type=int, default=1, help="the first seed")
    ap.add_argument("--count", type=int, default=1, help="how many modules (seeds seed..seed+count-1)")
    ap.add_argument("--version", action="store_true", help="print the wasm-opt version and exit")
    args = ap.parse_args()
    ensure_binaryen()
    if args.version:
        print(wasm_opt_version())
        return 0
    os.makedirs(args.out, exist_ok=True)
    # One line per seed: what was made (or why nothing was), for the record.
    with open(os.path.join(args.out, "manifest.txt"), "a") as manifest:
        for seed in range(args.seed, args.seed + args.count):
            made = generate(seed, args.out)
            manifest.write("s%d\t%s\n" % (seed, made or "none: binaryen made no valid module"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
