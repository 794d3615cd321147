"""The harness that runs inside the sandbox subprocess (standard library only; run as a script with -I).

It reads one JSON request on stdin, confines itself (rlimits, a private network namespace where the kernel allows,
an audit hook, restricted builtins), runs the entry function and writes one JSON reply on the saved stdout.
"""

import builtins
import ctypes
import io
import json
import linecache
import os
import resource
import sys
import traceback

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_BLOCKED_EVENTS = (
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.kill", "os.killpg",
    "subprocess.Popen", "pty.spawn", "socket.", "ctypes.", "os.symlink", "os.link", "signal.pthread_kill",
    "sys.addaudithook", "_posixsubprocess.",
)  # fmt: skip
_WRITE_EVENTS = (
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
)
_REMOVED_BUILTINS = (
    "eval",
    "exec",
    "compile",
    "breakpoint",
    "input",
    "help",
    "exit",
    "quit",
    "globals",
    "locals",
    "vars",
)


class _CappedText(io.TextIOBase):
    """A text sink that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def value(self) -> str:
        tail = f"\n[{self.dropped} more characters dropped]" if self.dropped else ""
        return "".join(self.parts) + tail


def _set_limits(limits: dict) -> None:
    mib = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_s"], limits["cpu_s"] + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_mb"] * mib, limits["memory_mb"] * mib))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_mb"] * mib, limits["file_mb"] * mib))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(
        resource.RLIMIT_NPROC, (0, 0)
    )  # enforced for non-root users; root is stopped by the hook


def _leave_network() -> bool:
    """Move into an empty network namespace (no interfaces but a down loopback) where the kernel allows it."""
    libc = ctypes.CDLL(None, use_errno=True)
    return any(libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def _within(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root.rstrip("/") + "/") for root in roots)


def _install_audit_hook(workdir: str, read_roots: list[str], violations: list[str]) -> None:
    write_roots = [os.path.realpath(workdir)]
    readable = [os.path.realpath(root) for root in read_roots] + write_roots + ["/dev/null", "/dev/urandom"]

    def refuse(what: str) -> None:
        violations.append(what)
        raise PermissionError(f"sandbox: {what} is not allowed")

    def hook(event: str, args: tuple) -> None:
        if event.startswith(_BLOCKED_EVENTS):
            refuse(event)
        elif event == "open":
            path, mode, flags = args
            if not isinstance(path, str | bytes):
                return  # an already-open file descriptor
            path = os.fsdecode(path)
            writing = (mode and any(c in str(mode) for c in "wax+")) or (flags or 0) & (
                os.O_WRONLY | os.O_RDWR
            )
            if not _within(path, write_roots if writing else readable):
                refuse(f"{'writing' if writing else 'reading'} {path}")
        elif (
            event.startswith(_WRITE_EVENTS)
            and args
            and isinstance(args[0], str | bytes)
            and not _within(os.fsdecode(args[0]), write_roots)
            # makedirs(exist_ok=True) on a folder that exists changes nothing (matplotlib does it on import).
            and not (event == "os.mkdir" and os.path.isdir(os.fsdecode(args[0])))
        ):
            refuse(f"{event} on {os.fsdecode(args[0])}")

    sys.addaudithook(hook)


def _guarded_import(allowed: list[str], violations: list[str]):
    real_import = builtins.__import__

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        if level or not any(name == entry or name.startswith(entry + ".") for entry in allowed):
            violations.append(f"import {name}")
            raise ImportError(f"sandbox: import of {name} is not allowed")
        return real_import(name, globals, locals, fromlist, level)

    return guarded


def _reply(channel: int, reply: dict) -> None:
    try:
        data = json.dumps(reply, allow_nan=False)
    except (TypeError, ValueError) as error:
        data = json.dumps(
            {"ok": False, "error": {"kind": "exception", "message": f"the return value is not JSON-serializable: {error}"},
             "stdout": reply.get("stdout", "")}
        )  # fmt: skip
    payload = memoryview(data.encode() + b"\n")
    while payload:
        payload = payload[os.write(channel, payload) :]


def main() -> None:
    request = json.loads(sys.stdin.read())
    channel = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdin = io.StringIO("")
    captured = _CappedText(request["limits"]["output_chars"])
    sys.stdout = sys.stderr = captured
    violations: list[str] = []
    network_isolated = _leave_network()
    _set_limits(request["limits"])

    safe_builtins = dict(vars(builtins))
    for name in _REMOVED_BUILTINS:
        safe_builtins.pop(name, None)
    safe_builtins["__import__"] = _guarded_import(request["allowed_imports"], violations)
    namespace = {"__builtins__": safe_builtins, "__name__": "__sandbox__"}
    code = compile(request["source"], "<sandbox>", "exec")
    # Tracebacks read source lines through linecache: give it the code's lines, and let it read this harness.
    lines = request["source"].splitlines(keepends=True)
    linecache.cache["<sandbox>"] = (len(request["source"]), None, lines, "<sandbox>")
    roots = [path for path in sys.path if path] + [os.path.realpath(__file__)] + request["read_roots"]
    _install_audit_hook(os.getcwd(), roots, violations)

    reply: dict
    try:
        exec(code, namespace)
        entry = namespace.get(request["entry"])
        if not callable(entry):
            raise NameError(f"the code defines no function named {request['entry']}")
        args = request["args"]
        result = entry(**args) if isinstance(args, dict) else entry(*args)
        reply = {"ok": True, "result": result}
    except MemoryError:
        reply = {"ok": False, "error": {"kind": "memory", "message": "the code ran out of its memory limit"}}
    except BaseException as error:
        frames = [
            frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == "<sandbox>"
        ]
        trace = (
            "".join(traceback.format_list(frames[-5:]))
            + "".join(traceback.format_exception_only(error)).strip()
        )
        reply = {"ok": False, "error": {"kind": "exception", "message": trace}}
    if violations:
        reply = {"ok": False, "error": {"kind": "forbidden", "message": f"blocked: {violations[0]}"}}
    reply["stdout"] = captured.value()
    reply["network_isolated"] = network_isolated
    _reply(channel, reply)


if __name__ == "__main__":
    main()
