"""wasi-testsuite runtime adapter for WaspVM's `waspvm run`.

Written in the style of the suite's adapters/*.py (see its doc/adapters.md):
the upstream runner (test-runner/wasi_test_runner.py -r THIS_FILE) loads it
as a module and calls get_name, get_version, get_wasi_versions,
get_wasi_worlds and compute_argv. The waspvm binary is `waspvm` on PATH
unless the environment variable WASPVM names another command.
"""
import os
import shlex
import subprocess
from typing import Dict, List, Optional, Tuple

# shlex.split() splits according to shell quoting rules.
WASPVM = shlex.split(os.getenv("WASPVM", "waspvm"), posix=os.name != "nt")


def get_name() -> str:
    return "waspvm"


def get_version() -> str:
    # `waspvm --version` prints "waspvm (built with ..., ... dispatch)".
    result = subprocess.run(WASPVM[0:1] + ["--version"],
                            encoding="UTF-8", capture_output=True,
                            check=True)
    first_line = result.stdout.splitlines()[0] if result.stdout else ""
    version = first_line.removeprefix("waspvm").strip()
    return version or "unknown"


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    # preview1 commands only (the versions and worlds above): nothing in
    # proposals, wasi_world or wasi_version changes the command line.
    del proposals, wasi_world, wasi_version
    argv = WASPVM + ["run"]
    args, env, root = args_env_root

    for k, v in env.items():
        argv += ["--env", f"{k}={v}"]

    if root:
        argv += ["--dir", f"{root}::/"]  # noqa: E231

    # "--" ends waspvm's options: the module and its arguments follow.
    argv += ["--", test_path]
    argv += args
    return argv
