#!/usr/bin/env python3
"""Runs the WASI preview1 conformance suite (wasi-testsuite) with a runtime adapter.

    run_suite.py --suite-dir DIR --adapter waspvm.py [--expected-failures FILE]
                 [--verbose] [NAME ...]

DIR is a wasi-testsuite checkout (or the copy in ../shared/wasi-testsuite):
every DIR/tests/*/testsuite/wasm32-wasip1 directory is a suite, every .wasm
in it a test, named LANGUAGE/NAME (c/lseek, rust/path_link, ...). NAME
arguments (shell patterns such as 'rust/path_*') run only the tests they
match.

Why not the suite's own runner (test-runner/wasi_test_runner.py): it needs
Python 3.12 (it tests `str in StrEnum`, a TypeError on 3.11, Debian 12's
Python), and colorama. This runner needs only the standard library and does
what that runner does for preview1 tests, read from its code:

  * A test's .json (optional) is either the legacy form {args, env, root,
    exit_code, stdout, stderr} or the operation form {operations: [run,
    read, write, wait, ...], proposals, world, servers}; a legacy config
    becomes run, then read stdout and read stderr (each only if given),
    then wait (exit_code, default 0). Any other operation (connect, send,
    recv, request, kill: the socket and HTTP tests) fails the test, since
    waspvm has no sockets; preview1 has no such tests.
  * run: the adapter's compute_argv(wasm, (args, env, root), proposals,
    world, version) gives the command; it runs with stdin, stdout and
    stderr as pipes and this process's environment (the guest's
    environment is only what env says: the adapter passes it as --env).
    root is relative to the .json's directory and is preopened as "/".
  * read: the next len(payload) characters of the stream (text, universal
    newlines) must equal payload, as upstream compares them (so output
    after the expected text is not checked). write: sends payload to stdin.
  * wait: closes stdin; the exit status must equal exit_code. From its
    start to its exit a run may take the adapter's get_timeout_seconds()
    (5 s when it has none, as upstream), its reads included; then it is
    killed and fails.
  * After the first failed operation the rest are skipped and the process
    is killed. Files named *.cleanup under root are removed before and
    after the run.

Unlike upstream, each test's root is a fresh copy (the suite may be
read-only, and no test sees another's leftovers), and after the cleanup the
copy must be the same tree as the original (names, types, file contents,
symlink targets): a test that leaves something behind fails.

Expected failures: FILE lists LANGUAGE/NAME and a reason per line ('#'
comments). A listed test that fails is an expected failure, printed with
its reason; a listed test that passes fails the run ("unexpectedly
passed"), and so does an entry that names no test. The exit status is 0
only when no test failed or unexpectedly passed.
"""
import argparse
import codecs
import fnmatch
import importlib.util
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

PREVIEW1 = "wasm32-wasip1"
CLI_WORLD = "wasi:cli/command"
LEGACY_KEYS = {"args", "root", "env", "exit_code", "stderr", "stdout"}
CONFIG_KEYS = {"operations", "proposals", "world", "servers"}
DEFAULT_TIMEOUT_S = 5.0  # upstream's, for an adapter without get_timeout_seconds


class ConfigError(Exception):
    pass


# ---------------------------------------------------------------- configs

class Config(NamedTuple):
    operations: List[Dict[str, Any]]
    proposals: List[str]
    world: str
    debug: bool


def _operation(op: Dict[str, Any], json_dir: Path) -> Dict[str, Any]:
    kind = op.get("type")
    if kind == "run":
        root = op.get("root")
        return {"type": "run", "args": list(op.get("args", [])), "env": dict(op.get("env", {})),
                "root": json_dir / root if root else None}
    if kind == "read":
        return {"type": "read", "id": op.get("id", "stdout"), "payload": op.get("payload", "")}
    if kind == "write":
        return {"type": "write", "id": op.get("id", "write"), "payload": op.get("payload", "")}
    if kind == "wait":
        return {"type": "wait", "exit_code": op.get("exit_code", 0)}
    return {"type": kind}  # unsupported here: fails when run


def read_config(wasm: Path) -> Config:
    """The test's config, as upstream's Config.from_file reads it."""
    json_path = wasm.with_suffix(".json")
    if not json_path.exists():
        return Config([{"type": "run", "args": [], "env": {}, "root": None}, {"type": "wait", "exit_code": 0}],
                      [], CLI_WORLD, False)
    with open(json_path, encoding="utf-8") as f:
        raw = json.load(f)
    if not isinstance(raw, dict):
        raise ConfigError(f"{json_path}: not a JSON object")
    keys = set(raw)
    if keys & CONFIG_KEYS and keys & LEGACY_KEYS:
        raise ConfigError(f"{json_path}: mixes the legacy and the operation form")
    if raw.get("operations") is not None or raw.get("proposals") is not None or raw.get("servers") is not None:
        unknown = keys - CONFIG_KEYS
        if unknown:
            print(f"warning: {json_path}: unknown fields {sorted(unknown)}", file=sys.stderr)
        ops = [_operation(op, json_path.parent) for op in raw.get("operations") or []]
        return Config(ops, list(raw.get("proposals") or []), raw.get("world", CLI_WORLD), bool(raw.get("debug")))
    unknown = keys - LEGACY_KEYS
    if unknown:
        print(f"warning: {json_path}: unknown fields {sorted(unknown)}", file=sys.stderr)
    ops = [_operation(dict(raw, type="run"), json_path.parent)]
    for stream in ("stdout", "stderr"):
        if raw.get(stream) is not None:
            ops.append({"type": "read", "id": stream, "payload": raw[stream]})
    ops.append({"type": "wait", "exit_code": raw.get("exit_code", 0)})
    return Config(ops, [], CLI_WORLD, False)


# ---------------------------------------------------------------- adapter

def load_adapter(path: Path) -> Any:
    sys.dont_write_bytecode = True  # no __pycache__ next to the adapter (in the source tree)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load the adapter {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def adapter_timeout(adapter: Any) -> float:
    getter = getattr(adapter, "get_timeout_seconds", None)
    return float(getter()) if getter else DEFAULT_TIMEOUT_S


# ---------------------------------------------------------------- trees

def make_writable(root: Path) -> None:
    """The copy of a read-only suite, writable by its owner (as a git checkout is)."""
    for directory, dirs, files in os.walk(root):
        for name in [directory] + [os.path.join(directory, f) for f in files + dirs]:
            st = os.lstat(name)
            if stat.S_ISLNK(st.st_mode):
                continue
            extra = stat.S_IWUSR | (stat.S_IXUSR if stat.S_ISDIR(st.st_mode) else 0)
            os.chmod(name, stat.S_IMODE(st.st_mode) | stat.S_IRUSR | extra)


def tree(root: Path) -> Dict[str, Tuple[str, bytes]]:
    """Every entry under root: relative path -> (kind, contents or link target)."""
    entries: Dict[str, Tuple[str, bytes]] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(directory, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = ("symlink", os.readlink(full).encode())
            elif stat.S_ISDIR(st.st_mode):
                entries[rel] = ("directory", b"")
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    entries[rel] = ("file", f.read())
            else:
                entries[rel] = ("other", b"")
    return entries


def tree_changes(original: Dict[str, Tuple[str, bytes]], now: Dict[str, Tuple[str, bytes]]) -> List[str]:
    changes = [f"left behind: {p}" for p in sorted(set(now) - set(original))]
    changes += [f"removed: {p}" for p in sorted(set(original) - set(now))]
    changes += [f"changed: {p}" for p in sorted(set(now) & set(original)) if now[p] != original[p]]
    return changes


def cleanup_test_output(root: Path) -> None:
    """Removes the *.cleanup files and directories under root, as upstream does."""
    for f in root.glob("**/*.cleanup"):
        if f.is_symlink():
            continue
        if f.is_file():
            f.unlink()
        elif f.is_dir():
            shutil.rmtree(f)


# ---------------------------------------------------------------- running

class StreamReader:
    """Collects a pipe's output as text (UTF-8, universal newlines) in a thread."""

    def __init__(self, pipe: Any) -> None:
        self._pipe = pipe
        self._decoder = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")("replace"), True)
        self._text = ""
        self._pos = 0  # what the read operations have taken
        self._eof = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fd = self._pipe.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                self._text += self._decoder.decode(chunk, final=not chunk)
                if not chunk:
                    self._eof = True
                self._cond.notify_all()
            if not chunk:
                return

    def take(self, count: int, deadline: float) -> Optional[str]:
        """The next `count` characters (fewer at end of output); None on timeout."""
        with self._cond:
            while len(self._text) - self._pos < count and not self._eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            text = self._text[self._pos:self._pos + count]
            self._pos += len(text)
            return text

    def finish(self, timeout: float) -> str:
        self._thread.join(timeout)
        with self._cond:
            return self._text


class TestResult(NamedTuple):
    failures: List[str]
    argv: List[str]
    seconds: float


def with_output(message: str, out: str, err: str) -> str:
    if out:
        message += f"\n==STDOUT==\n{out}"
    if err:
        message += f"\n==STDERR==\n{err}"
    return message


def run_test(adapter: Any, wasm: Path, config: Config, timeout: float, scratch: Path) -> TestResult:
    # pylint: disable=too-many-locals,too-many-branches,too-many-statements
    failures: List[str] = []
    argv: List[str] = []
    start = time.monotonic()
    proc: Optional[subprocess.Popen] = None
    readers: Dict[str, StreamReader] = {}
    roots: List[Tuple[Path, Dict[str, Tuple[str, bytes]]]] = []
    try:
        for op in config.operations:
            if failures:
                break
            kind = op["type"]
            if kind == "run":
                if proc is not None:
                    failures.append("run while the previous run is still going")
                    break
                root = None
                if op["root"] is not None:
                    original = Path(op["root"])
                    root = scratch / f"{len(roots)}" / original.name
                    shutil.copytree(original, root, symlinks=True)
                    make_writable(root)
                    cleanup_test_output(root)
                    roots.append((root, tree(root)))
                argv = adapter.compute_argv(str(wasm), [op["args"], op["env"], str(root) if root else None],
                                            config.proposals, config.world, PREVIEW1)
                env = os.environ.copy()
                if config.debug:
                    env["DEBUG"] = "true"
                try:
                    # A session of its own, so that a kill takes whatever it started too.
                    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, env=env, start_new_session=True)
                except (OSError, ValueError) as e:
                    failures.append(f"failed to start process: {e}")
                    break
                readers = {"stdout": StreamReader(proc.stdout), "stderr": StreamReader(proc.stderr)}
                deadline = time.monotonic() + timeout
            elif kind == "read":
                if proc is None or op["id"] not in readers:
                    failures.append(f"read of {op['id']!r} without a running process or such a stream")
                    break
                got = readers[op["id"]].take(len(op["payload"]), deadline)
                if got is None:
                    failures.append(f"read {op['id']}: timeout after {timeout} s waiting for {op['payload']!r}")
                elif got != op["payload"]:
                    failures.append(f"read {op['id']}: expected {op['payload']!r}, got {got!r}")
            elif kind == "write":
                if proc is None or proc.stdin is None or op["id"] != "stdin":
                    failures.append(f"write to {op['id']!r} without a running process or such a stream")
                    break
                try:
                    proc.stdin.write(op["payload"].encode("utf-8"))
                    proc.stdin.flush()
                except OSError as e:
                    failures.append(f"write to stdin: {e}")
            elif kind == "wait":
                if proc is None:
                    failures.append("wait without a running process")
                    break
                if proc.stdin is not None:
                    try:
                        proc.stdin.close()
                    except OSError:
                        pass
                try:
                    code = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    failures.append(f"wait: timeout expired ({timeout} s)")
                    break
                out = readers["stdout"].finish(timeout)
                err = readers["stderr"].finish(timeout)
                proc = None
                if code != op["exit_code"]:
                    failures.append(with_output(f"wait: expected exit code {op['exit_code']}, got {code}", out, err))
            else:
                failures.append(f"operation {kind!r} is not supported by this runner (no sockets or HTTP)")
    finally:
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.wait()
            out = readers["stdout"].finish(5) if readers else ""
            err = readers["stderr"].finish(5) if readers else ""
            if not failures:
                failures.append("the process was still running at the end of the operations")
            failures.append(with_output("the process was killed after the failure", out, err))
        for root, original in roots:
            cleanup_test_output(root)
            changes = tree_changes(original, tree(root))
            if changes:
                failures.append(f"the test changed its directory {root.name}: " + "; ".join(changes))
    return TestResult(failures, argv, time.monotonic() - start)


# ---------------------------------------------------------------- suites

class Test(NamedTuple):
    name: str  # LANGUAGE/NAME
    suite: str
    wasm: Path


def find_tests(suite_dir: Path, supported_versions: List[str]) -> Tuple[List[Test], List[str]]:
    tests: List[Test] = []
    skipped_suites: List[str] = []
    for directory in sorted((suite_dir / "tests").glob(f"*/testsuite/{PREVIEW1}")):
        language = directory.relative_to(suite_dir / "tests").parts[0]
        name, version = str(directory), directory.name
        manifest = directory / "manifest.json"
        if manifest.exists():
            with open(manifest, encoding="utf-8") as f:
                contents = json.load(f)
            name = contents.get("name", name)
            version = contents.get("version", version)
        if version not in supported_versions:
            skipped_suites.append(f"{name} ({version}: not supported by the adapter)")
            continue
        for wasm in sorted(directory.glob("*.wasm")):
            tests.append(Test(f"{language}/{wasm.stem}", name, wasm))
    return tests, skipped_suites


def read_expected_failures(path: Optional[Path]) -> Dict[str, str]:
    listed: Dict[str, str] = {}
    if path is None:
        return listed
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                raise SystemExit(f"error: {path}:{number}: '{parts[0]}' needs a reason after the test name")
            if parts[0] in listed:
                raise SystemExit(f"error: {path}:{number}: '{parts[0]}' is listed twice")
            listed[parts[0]] = parts[1]
    return listed


def main() -> int:
    # pylint: disable=too-many-locals,too-many-branches,too-many-statements
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--suite-dir", required=True, type=Path, help="the wasi-testsuite directory")
    parser.add_argument("--adapter", required=True, type=Path, help="a runtime adapter (adapters/*.py style)")
    parser.add_argument("--expected-failures", type=Path, help="the expected-failures list")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every test, not only failures")
    parser.add_argument("names", nargs="*", help="run only the tests matching these patterns (LANGUAGE/NAME)")
    options = parser.parse_args()

    suite_dir = options.suite_dir.resolve()
    if not (suite_dir / "tests").is_dir():
        print(f"error: no wasi-testsuite at {suite_dir} (no tests/ directory)", file=sys.stderr)
        return 1
    adapter = load_adapter(options.adapter.resolve())
    supported_worlds = adapter.get_wasi_worlds()
    timeout = adapter_timeout(adapter)
    tests, skipped_suites = find_tests(suite_dir, adapter.get_wasi_versions())
    listed = read_expected_failures(options.expected_failures)
    if options.names:
        tests = [t for t in tests if any(fnmatch.fnmatchcase(t.name, p) for p in options.names)]
    print(f"wasi-testsuite at {suite_dir}: {len(tests)} tests, runtime {adapter.get_name()} "
          f"{adapter.get_version()}, timeout {timeout:g} s per test")
    for suite in skipped_suites:
        print(f"SKIP suite {suite}")

    names = {t.name for t in tests}
    all_names, _ = find_tests(suite_dir, [PREVIEW1])
    unknown = sorted(n for n in listed if n not in {t.name for t in all_names})
    passed: List[str] = []
    failed: List[str] = []
    xfailed: List[str] = []
    xpassed: List[str] = []
    skipped: List[str] = []
    started = time.monotonic()
    for test in tests:
        try:
            config = read_config(test.wasm)
        except (ConfigError, ValueError) as e:
            failed.append(test.name)
            print(f"FAIL {test.name}\n  bad config: {e}")
            continue
        if config.world not in supported_worlds:
            skipped.append(test.name)
            print(f"SKIP {test.name} (world {config.world} not supported by the adapter)")
            continue
        with tempfile.TemporaryDirectory(prefix="wasi-testsuite-") as scratch:
            result = run_test(adapter, test.wasm, config, timeout, Path(scratch))
        expected_to_fail = test.name in listed
        if result.failures and expected_to_fail:
            xfailed.append(test.name)
            print(f"XFAIL {test.name} (expected: {listed[test.name]})")
        elif result.failures:
            failed.append(test.name)
            print(f"FAIL {test.name} ({result.seconds:.2f} s)\n  command: {' '.join(result.argv)}")
            for failure in result.failures:
                print("  " + failure.replace("\n", "\n  "))
        elif expected_to_fail:
            xpassed.append(test.name)
            print(f"XPASS {test.name}: passed but is listed in {options.expected_failures.name} "
                  f"({listed[test.name]}); remove it from the list")
        else:
            passed.append(test.name)
            if options.verbose:
                print(f"PASS {test.name} ({result.seconds:.2f} s)")

    print()
    print(f"wasi-testsuite: {len(tests)} tests in {time.monotonic() - started:.1f} s: {len(passed)} passed, "
          f"{len(failed)} failed, {len(xfailed)} expected failures, {len(xpassed)} unexpectedly passed, "
          f"{len(skipped)} skipped")
    for suite in sorted({t.suite for t in tests}):
        in_suite = [t.name for t in tests if t.suite == suite]
        print(f"  {suite}: {sum(n in passed for n in in_suite)}/{len(in_suite)} passed")
    if options.expected_failures and not listed:
        print(f"expected failures ({options.expected_failures}): none")
    if listed:
        print(f"expected failures ({options.expected_failures}):")
        for name, reason in sorted(listed.items()):
            state = "not run" if name not in names else ("failed as expected" if name in xfailed else
                                                         "UNEXPECTEDLY PASSED" if name in xpassed else "")
            print(f"  {name}: {reason}" + (f" [{state}]" if state else ""))
    for name in failed:
        print(f"FAILED: {name}")
    for name in xpassed:
        print(f"UNEXPECTEDLY PASSED: {name}")
    for name in unknown:
        print(f"error: {options.expected_failures} lists {name}, which is no test of the suite")
    if not tests:
        print("error: no tests ran")
    return 0 if tests and not failed and not xpassed and not unknown else 1


if __name__ == "__main__":
    sys.exit(main())
