"""The parent half of the sandbox: check the source, start the harness with limits, collect its reply."""

import ast
import contextlib
import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corta.errors import SandboxError
from corta.solvers.sandbox.policy import DEFAULT_ALLOWED_IMPORTS, check_source
from corta.solvers.sandbox.result import SandboxLimits, SandboxResult

log = logging.getLogger(__name__)
_HARNESS = Path(__file__).with_name("child.py")
_PASSED_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG")
# What the parent keeps of the child's pipes, whatever the child writes to them: the reply line, the stderr tail.
REPLY_LIMIT_BYTES = 64 * 1024 * 1024
STDERR_LIMIT_BYTES = 64 * 1024
_DRAIN_S = 5.0


def _child_environment(workdir: str) -> dict[str, str]:
    """A scrubbed environment: no secrets, one thread per numeric library, the temp dir as home."""
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "PYTHONHASHSEED": "0"}
    env.update({name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    env.update({name: os.environ[name] for name in _PASSED_VARIABLES if name in os.environ})
    return env


def _package_roots(allowed_imports: Iterable[str]) -> list[str]:
    """The folders of the allowed packages that live outside sys.path (an editable install, say): they are read."""
    roots = []
    for top in sorted({name.split(".")[0] for name in allowed_imports}):
        spec = importlib.util.find_spec(top)
        if spec is not None and spec.submodule_search_locations:
            roots.extend(spec.submodule_search_locations)
    return roots


def run_code(
    source: str,
    entry: str,
    args: list[Any] | dict[str, Any] | None = None,
    limits: SandboxLimits | None = None,
    allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS,
    read_roots: Iterable[str] = (),
    extra_env: Mapping[str, str] | None = None,
) -> SandboxResult:
    """Run `entry(*args)` (or `entry(**args)`) from `source` in a confined subprocess.

    Bad code never raises here: syntax errors, forbidden constructs, time-outs, memory exhaustion and exceptions
    all come back as a `SandboxResult` with `ok=False` and the error kind.

    Raises
    ------
    SandboxError
        Only if the sandbox itself cannot run (no temporary directory, no interpreter).
    """
    limits = limits or SandboxLimits()
    try:
        tree = ast.parse(source, "<sandbox>")
    except SyntaxError as error:
        return SandboxResult.failure("syntax", f"line {error.lineno}: {error.msg}")
    violations = check_source(tree, allowed_imports)
    if violations:
        return SandboxResult.failure("forbidden", "; ".join(map(str, violations[:5])))
    request = {
        "source": source,
        "entry": entry,
        "args": args if args is not None else [],
        "limits": limits.model_dump(),
        "allowed_imports": sorted(allowed_imports),
        "read_roots": [*read_roots, *_package_roots(allowed_imports)],
    }
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="corta-sandbox-") as workdir:
            env = {**_child_environment(workdir), **(extra_env or {})}
            reply, returncode, timed_out, stderr = _run_harness(
                json.dumps(request), workdir, env, limits.wall_s
            )
    except OSError as error:
        raise SandboxError(f"The sandbox could not start: {error}") from error
    duration = time.monotonic() - started
    if reply is not None:
        log.debug("sandbox layers: %s", reply.pop("layers", None))
        return SandboxResult(duration_s=duration, **reply)
    return _failure_from_exit(returncode, timed_out, stderr, limits, duration)


def _run_harness(
    request: str, workdir: str, env: dict[str, str], wall_s: float
) -> tuple[dict | None, int, bool, str]:
    """Run the harness; its reply counts only if it exited cleanly, and no pipe can fill the parent's memory."""
    command = [sys.executable, "-I", "-B", str(_HARNESS)]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env=env,
        start_new_session=True,
    )
    stdout, stderr = (
        _CappedReader(process.stdout, REPLY_LIMIT_BYTES),
        _CappedReader(process.stderr, STDERR_LIMIT_BYTES),
    )
    timed_out = False
    try:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(request.encode())
            process.stdin.close()
        process.wait(timeout=wall_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process.pid)
        process.wait()
    _kill_group(process.pid)  # anything the code left behind in its process group
    stdout.join(_DRAIN_S), stderr.join(_DRAIN_S)  # bounded: a descendant that left the group may hold a pipe
    lines = stdout.data.decode(errors="replace").strip().splitlines()
    trusted = process.returncode == 0 and not timed_out and not stdout.dropped
    try:
        reply = json.loads(lines[-1]) if lines and trusted else None
    except ValueError:
        reply = None
    return reply, process.returncode, timed_out, stderr.data.decode(errors="replace")


class _CappedReader(threading.Thread):
    """Drains a pipe in the background; keeps the first `limit` bytes (stdout) or the last (stderr), counts the rest."""

    def __init__(self, pipe: Any, limit: int, keep_tail: bool = False) -> None:
        super().__init__(daemon=True)
        self.pipe, self.limit, self.keep_tail, self.chunks, self.dropped = (
            pipe,
            limit,
            keep_tail,
            bytearray(),
            0,
        )
        self.start()

    @property
    def data(self) -> bytes:
        return bytes(self.chunks)

    def run(self) -> None:
        with self.pipe:
            while chunk := self.pipe.read1(1 << 16):
                if self.keep_tail:
                    self.chunks = (self.chunks + chunk)[-self.limit :]
                else:
                    room = max(0, self.limit - len(self.chunks))
                    self.chunks += chunk[:room]
                    self.dropped += len(chunk) - min(room, len(chunk))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _failure_from_exit(
    returncode: int, timed_out: bool, stderr: str, limits: SandboxLimits, duration: float
) -> SandboxResult:
    if timed_out:
        return SandboxResult.failure(
            "timeout", f"the code ran longer than {limits.wall_s:g} s", duration_s=duration
        )
    if returncode == -signal.SIGXCPU:
        return SandboxResult.failure(
            "timeout", f"the code used more than {limits.cpu_s} s of CPU", duration_s=duration
        )
    if returncode == 0:  # the harness always ends with a JSON line: the code wrote over it or left without it
        return SandboxResult.failure(
            "forbidden",
            "the code tampered with the sandbox's reply (raw writes or a bare exit)",
            duration_s=duration,
        )
    if returncode == -signal.SIGSYS:
        return SandboxResult.failure(
            "forbidden",
            "the code made a forbidden system call (process, socket or signal)",
            duration_s=duration,
        )
    if "MemoryError" in stderr or returncode == -signal.SIGKILL:
        return SandboxResult.failure(
            "memory", f"the code exceeded its memory limit of {limits.memory_mb} MB", duration_s=duration
        )
    reason = f"signal {signal.Signals(-returncode).name}" if returncode < 0 else f"exit code {returncode}"
    log.info("sandbox harness died (%s): %s", reason, stderr[-500:])
    return SandboxResult.failure("exception", f"the sandboxed process died ({reason})", duration_s=duration)
