#!/usr/bin/env python3
"""Runs the WaspVM benchmark suite on several engines and reports the medians.

    python3 bench/run.py --waspvm build/waspvm [--wasm3 PATH] [--metering] [--runs 5] [--only NAME,...]

Every program of bench/programs.txt runs on each engine --runs times (the
engines take turns, run by run); each run's output must equal the expected
checksum line in bench/expected/. Engines:
  waspvm       WASPVM run PROG.wasm ARGS
  waspvm-gas   WASPVM run --gas MAX PROG.wasm ARGS        (gas metering on; only with --metering)
  wasm3        WASM3 PROG.wasm ARGS                      (only with --wasm3)
  wasm-interp  wasm-interp --wasi PROG.wasm ARGS         (wabt; skipped where it fails)
  node         node bench/node_wasi.mjs PROG.wasm ARGS   (V8 with node's WASI)
  native       bench/build/NAME ARGS                     (cc -O2; built if missing)
A run slower than --timeout seconds ends that engine's runs of that program.
Writes bench/results/results.md (tables, machine, engine versions),
results.json (every run's time) and chart.png (time relative to native).
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
ENGINE_ORDER = ["waspvm", "waspvm-gas", "wasm3", "wasm-interp", "node", "native"]
# A budget no program spends: metering runs in full, the program to its end.
UNLIMITED_GAS = str(2**64 - 1)


# ---- Programs and engines -----------------------------------------------------


def read_programs():
    """[(name, small_size, medium_size)] from programs.txt, in file order."""
    programs = []
    with open(os.path.join(BENCH_DIR, "programs.txt")) as f:
        for line in f:
            fields = line.split()
            if fields and not fields[0].startswith("#"):
                programs.append((fields[0], fields[1], fields[2]))
    return programs


def size_args_and_expected(program, size):
    name, small, medium = program
    if size == "default":
        return [], os.path.join(BENCH_DIR, "expected", name + ".txt")
    arg = small if size == "small" else medium
    return [arg], os.path.join(BENCH_DIR, "expected", "%s.%s.txt" % (name, size))


def engine_commands(args):
    """{engine: function(name, wasm_path) -> argv prefix}, for the engines to run."""
    wanted = set(args.engines.split(",")) if args.engines else None
    node_flags = ["--no-warnings", "--experimental-wasi-unstable-preview1"]
    node_runner = os.path.join(BENCH_DIR, "node_wasi.mjs")
    native_dir = args.native_dir
    candidates = {
        "waspvm": (args.waspvm, lambda name, wasm: [args.waspvm, "run", wasm]),
        "waspvm-gas": (args.waspvm if args.metering else None,
                       lambda name, wasm: [args.waspvm, "run", "--gas", UNLIMITED_GAS, wasm]),
        "wasm3": (args.wasm3, lambda name, wasm: [args.wasm3, wasm]),
        "wasm-interp": (shutil.which("wasm-interp"), lambda name, wasm: ["wasm-interp", "--wasi", wasm]),
        "node": (shutil.which("node"), lambda name, wasm: ["node"] + node_flags + [node_runner, wasm]),
        "native": (native_dir, lambda name, wasm: [os.path.join(native_dir, name)]),
    }
    engines, notes = {}, []
    for engine in ENGINE_ORDER:
        path, command = candidates[engine]
        if wanted is not None and engine not in wanted:
            continue
        if not path:
            if engine == "waspvm-gas":
                continue  # (asked for with --metering)
            notes.append("wasm3: not run (pass --wasm3 PATH)" if engine == "wasm3" else
                         "%s: not found, not run" % engine)
            continue
        engines[engine] = command
    return engines, notes


def drop_failing_engines(engines, programs, args, notes):
    """Runs the first program once at its small size on each engine; drops engines that fail it
    (e.g. a wasm-interp built without WASI) with a note, instead of failing every program."""
    program = programs[0]
    size_args, expected_path = size_args_and_expected(program, "small")
    with open(expected_path) as f:
        expected = f.read().strip()
    wasm = os.path.join(BENCH_DIR, "wasm", program[0] + ".wasm")
    for engine in list(engines):
        _, error = run_once(engines[engine](program[0], wasm) + size_args, expected, args.timeout)
        if error:
            notes.append("%s: not run, it fails a trial run of %s (%s)" % (engine, program[0], error))
            del engines[engine]


def ensure_native_builds(native_dir, programs):
    missing = [p[0] for p in programs if not os.path.exists(os.path.join(native_dir, p[0]))]
    if missing:
        env = dict(os.environ, BUILD_DIR=native_dir)
        subprocess.run([os.path.join(BENCH_DIR, "build.sh"), "--native-only"] + missing, check=True, env=env)


def first_line(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30)
        text = (out.stdout or out.stderr).strip()
        return " ".join(text.splitlines()[:2]) if text else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def engine_versions(args, engines):
    versions = {}
    if "waspvm" in engines:
        commit = first_line(["git", "-C", REPO_DIR, "rev-parse", "--short", "HEAD"])
        dirty = subprocess.run(["git", "-C", REPO_DIR, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        where = os.path.relpath(os.path.abspath(args.waspvm), REPO_DIR)
        if where.startswith(".."):
            where = os.path.abspath(args.waspvm)
        build = first_line([args.waspvm, "--version"])
        versions["waspvm"] = "git %s%s (%s), %s" % (commit, " with uncommitted changes" if dirty else "", where, build)
    if "wasm3" in engines:
        versions["wasm3"] = first_line([args.wasm3, "--version"])
    if "wasm-interp" in engines:
        versions["wasm-interp"] = "wabt " + first_line(["wasm-interp", "--version"])
    if "node" in engines:
        versions["node"] = "node " + first_line(["node", "--version"]) + " (V8 " + first_line(
            ["node", "-p", "process.versions.v8"]) + ")"
    if "native" in engines:
        versions["native"] = first_line([os.environ.get("CC", "cc"), "--version"]).split(" Copyright")[0] + \
            " -O2"
    versions["wasm compiler"] = first_line([os.environ.get("WASM_CC", "clang"), "--version"]).split(
        " Target:")[0] + " --target=wasm32-wasi -O2"
    return versions


def machine_info():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory = "%.1f GiB" % (kib / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "os": platform.platform(), "load": load}


# ---- Measuring ---------------------------------------------------------------


def run_once(command, expected, timeout):
    """(seconds, None) on success, else (None, reason)."""
    start = time.perf_counter()
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "over the %g s time cap" % timeout
    except OSError as error:
        return None, "cannot run: %s" % error
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        detail = (out.stderr.strip() or out.stdout.strip()).splitlines()
        return None, "exit status %d%s" % (out.returncode, (": " + detail[0][:160]) if detail else "")
    if out.stdout.strip() != expected:
        return None, "wrong output %r (expected %r)" % (out.stdout.strip()[:80], expected)
    return seconds, None


def measure(programs, engines, args):
    """{program: {engine: {"times": [...], "error": str|None}}}; engines take turns each run."""
    results = {}
    for program in programs:
        name = program[0]
        size_args, expected_path = size_args_and_expected(program, args.size)
        with open(expected_path) as f:
            expected = f.read().strip()
        wasm = os.path.join(BENCH_DIR, "wasm", name + ".wasm")
        cells = {engine: {"times": [], "error": None} for engine in engines}
        for _ in range(args.runs):
            for engine, command in engines.items():
                cell = cells[engine]
                if cell["error"]:
                    continue
                seconds, error = run_once(command(name, wasm) + size_args, expected, args.timeout)
                if error:
                    cell["error"] = error
                else:
                    cell["times"].append(seconds)
        results[name] = cells
        summary = "  ".join("%s %s" % (e, format_time(median(c)) if median(c) else "-") for e, c in cells.items())
        print("%-11s %s" % (name, summary), flush=True)
    return results


def median(cell):
    return statistics.median(cell["times"]) if cell["times"] and not cell["error"] else None


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def format_time(seconds):
    return "%.3f s" % seconds if seconds >= 1 else "%.1f ms" % (seconds * 1000)


def format_ratio(ratio):
    if ratio is None:
        return "-"
    return "%.2f" % ratio if ratio < 100 else "%.0f" % ratio


# ---- Reporting -----------------------------------------------------------------


def ratio_columns(engines):
    """(numerator, denominator) pairs: every engine vs native, then waspvm vs every other engine."""
    columns = [(e, "native") for e in engines if e != "native" and "native" in engines]
    if "waspvm" in engines:
        columns += [("waspvm", e) for e in engines if e not in ("waspvm", "waspvm-gas", "native")]
    if "waspvm-gas" in engines and "waspvm" in engines:
        columns.append(("waspvm-gas", "waspvm"))  # the cost of gas metering
    return columns


def ratio(medians, numerator, denominator):
    a, b = medians.get(numerator), medians.get(denominator)
    return a / b if a and b else None


def markdown_report(results, engines, args, machine, versions, notes):
    programs = list(results)
    medians = {name: {e: median(results[name][e]) for e in engines} for name in programs}
    columns = ratio_columns(engines)
    lines = ["# WaspVM benchmark results", ""]
    lines.append("Generated by `python3 bench/run.py` on %s: median wall time of %d runs per engine and "
                 "program (%s size), every run's checksum checked. Ratios are time / time: above 1 means "
                 "the first engine is slower." % (datetime.date.today().isoformat(), args.runs, args.size))
    lines += ["", "## Median time and ratios", ""]
    header = ["program"] + engines + ["%s/%s" % pair for pair in columns]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |")
    for name in programs:
        row = [name] + [format_time(medians[name][e]) if medians[name][e] else "-" for e in engines]
        row += [format_ratio(ratio(medians[name], a, b)) for a, b in columns]
        lines.append("| " + " | ".join(row) + " |")
    geo = ["**geometric mean**"]
    geo += [format_time(geomean([medians[n][e] for n in programs])) if any(medians[n][e] for n in programs)
            else "-" for e in engines]
    geo += [format_ratio(geomean([ratio(medians[n], a, b) for n in programs])) for a, b in columns]
    lines.append("| " + " | ".join(geo) + " |")
    lines += ["", "The time geometric means cover the programs each engine ran; each ratio's covers the "
              "programs both engines ran.", ""]

    lines += ["## Geometric-mean ratio, every pair of engines", "",
              "Row engine's time / column engine's time, over the programs both ran.", ""]
    lines.append("| | " + " | ".join(engines) + " |")
    lines.append("| --- | " + " | ".join(["---:"] * len(engines)) + " |")
    for a in engines:
        row = [format_ratio(geomean([ratio(medians[n], a, b) for n in programs])) if a != b else "1"
               for b in engines]
        lines.append("| **%s** | %s |" % (a, " | ".join(row)))

    skipped = [(n, e, results[n][e]["error"]) for n in programs for e in engines if results[n][e]["error"]]
    if skipped or notes:
        lines += ["", "## Not measured", ""]
        lines += ["- %s" % note for note in notes]
        if notes:
            print("\n".join(notes), file=sys.stderr)
        lines += ["- %s on %s: %s" % (n, e, err) for n, e, err in skipped]

    lines += ["", "## Machine and engines", ""]
    lines.append("- CPU: %s, %s logical cores, %s memory" % (machine["cpu"], machine["cores"], machine["memory"]))
    lines.append("- OS: %s; load average before the runs: %s (other processes add noise)" %
                 (machine["os"], machine["load"]))
    for engine, version in versions.items():
        lines.append("- %s: %s" % (engine, version))
    lines += ["", "## Every run (seconds)", ""]
    for name in programs:
        runs = "; ".join("%s %s" % (e, " ".join("%.4f" % t for t in results[name][e]["times"]) or "-")
                         for e in engines)
        lines.append("- %s: %s" % (name, runs))
    lines += ["", "![time relative to native](chart.png)", ""]
    return "\n".join(lines)


def chart_with_matplotlib(data, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    programs, engines = data["programs"], [e for e in data["engines"] if e != "native"]
    medians = data["medians"]
    labels = programs + ["geomean"]
    ratios = {e: [ratio(medians[n], e, "native") for n in programs] for e in engines}
    for e in engines:
        ratios[e].append(geomean(ratios[e]))
    fig, ax = plt.subplots(figsize=(max(8, len(labels) * 0.9), 5))
    width = 0.8 / max(1, len(engines))
    for i, engine in enumerate(engines):
        xs = [x + (i - (len(engines) - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, [r or 0 for r in ratios[engine]], width, label=engine)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: "%g" % value))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_ylabel("time / native time (log scale)")
    ax.set_title("WaspVM benchmarks: median time relative to native (lower is faster)")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_chart(json_path, png_path):
    """Draws the chart with matplotlib, here or under Debian's python3; returns a note on failure."""
    with open(json_path) as f:
        data = json.load(f)
    if "native" not in data["engines"]:
        return "no chart: it shows time relative to native, which was not run"
    try:
        chart_with_matplotlib(data, png_path)
        return None
    except ImportError:
        pass
    system_python = "/usr/bin/python3"
    if os.path.exists(system_python) and os.path.realpath(sys.executable) != os.path.realpath(system_python):
        done = subprocess.run([system_python, __file__, "--chart-from", json_path, "--chart-to", png_path])
        if done.returncode == 0:
            return None
    return "no chart: matplotlib is missing (apt-get install python3-matplotlib)"


# ---- Main ----------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--waspvm", help="the waspvm executable")
    parser.add_argument("--wasm3", help="a wasm3 executable (built outside the project)")
    parser.add_argument("--metering", action="store_true",
                        help="also run waspvm with gas metering on (engine waspvm-gas), for its cost")
    parser.add_argument("--runs", type=int, default=5, help="runs per engine and program (default 5)")
    parser.add_argument("--only", help="comma-separated program names (default: all)")
    parser.add_argument("--engines", help="comma-separated engines to run (default: all available): " +
                        ",".join(ENGINE_ORDER))
    parser.add_argument("--timeout", type=float, default=60, help="time cap per run in seconds (default 60)")
    parser.add_argument("--size", choices=["default", "small", "medium"], default="default",
                        help="program sizes (default: the programs' own defaults)")
    parser.add_argument("--native-dir", default=os.path.join(BENCH_DIR, "build"),
                        help="native binaries, built by build.sh (default bench/build)")
    parser.add_argument("--output-dir", default=os.path.join(BENCH_DIR, "results"),
                        help="where results.md, results.json and chart.png go (default bench/results)")
    parser.add_argument("--chart-from", help=argparse.SUPPRESS)
    parser.add_argument("--chart-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chart_from:
        return args
    if not args.waspvm and (not args.engines or "waspvm" in args.engines.split(",")):
        parser.error("--waspvm PATH is required (or leave waspvm out of --engines)")
    for option in ("waspvm", "wasm3"):
        path = getattr(args, option)
        if path and not (os.path.isfile(path) and os.access(path, os.X_OK)):
            parser.error("--%s: %s is not an executable file" % (option, path))
    unknown = set(args.engines.split(",")) - set(ENGINE_ORDER) if args.engines else set()
    if unknown:
        parser.error("--engines: unknown %s (known: %s)" % (", ".join(sorted(unknown)), ",".join(ENGINE_ORDER)))
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main():
    args = parse_args()
    if args.chart_from:
        chart_with_matplotlib(json.load(open(args.chart_from)), args.chart_to)
        return 0
    programs = read_programs()
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {p[0] for p in programs}
        if unknown:
            sys.exit("run.py: unknown programs: %s" % ", ".join(sorted(unknown)))
        programs = [p for p in programs if p[0] in wanted]
    engines, notes = engine_commands(args)
    if "native" in engines:
        ensure_native_builds(args.native_dir, programs)
    drop_failing_engines(engines, programs, args, notes)
    if not engines:
        sys.exit("run.py: no engine left to run: %s" % "; ".join(notes))
    machine, versions = machine_info(), engine_versions(args, engines)
    print("%s (%s cores); engines: %s" % (machine["cpu"], machine["cores"], ", ".join(engines)), flush=True)

    results = measure(programs, engines, args)
    os.makedirs(args.output_dir, exist_ok=True)
    json_path = os.path.join(args.output_dir, "results.json")
    medians = {n: {e: median(results[n][e]) for e in engines} for n in results}
    with open(json_path, "w") as f:
        json.dump({"programs": list(results), "engines": list(engines), "runs": args.runs, "size": args.size,
                   "machine": machine, "versions": versions, "medians": medians, "results": results}, f,
                  indent=1)
    chart_note = write_chart(json_path, os.path.join(args.output_dir, "chart.png"))
    report = markdown_report(results, list(engines), args, machine, versions,
                             notes + ([chart_note] if chart_note else []))
    with open(os.path.join(args.output_dir, "results.md"), "w") as f:
        f.write(report)
    print()
    print(report.split("\n## Every run")[0])
    print("wrote %s" % os.path.relpath(os.path.join(args.output_dir, "results.md")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
