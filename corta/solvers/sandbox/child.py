"""The harness that runs inside the sandbox subprocess (standard library only; run as a script with -I).

It reads one JSON request on stdin, confines itself (rlimits, a private network namespace where the kernel allows,
Landlock and seccomp where the kernel allows, an audit hook, restricted builtins), runs the entry function and writes
one JSON reply on the saved stdout. The audit hook and the builtins only make refusals readable: code that reaches the
interpreter's internals can switch them off, so the kernel layers are what hold.
"""

import builtins
import ctypes
import io
import json
import linecache
import os
import resource
import struct
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


# Landlock (linux/landlock.h): file rights, TCP rights (ABI 4) and scopes (ABI 6: abstract sockets, signals).
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_FS_READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
_FILE_RIGHTS = (
    _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | (1 << 14) | (1 << 15)
)  # rights a non-folder takes
# Shared libraries, the loader's cache and harmless system facts; never /proc (the parent's environment is there).
_SYSTEM_READS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/etc/ld.so.cache", "/etc/localtime",
                 "/usr/share/zoneinfo", "/sys/devices/system/cpu", "/dev/urandom", "/dev/random", "/dev/zero")  # fmt: skip

# seccomp (x86_64 system call numbers): what a child is killed for (SIGSYS), whatever Python-level trick got it there.
_AUDIT_ARCH_X86_64 = 0xC000003E
_SYS_CLONE, _SYS_CLONE3, _SYS_KILL, _SYS_TGKILL = 56, 435, 62, 234
_KILLED_SYSCALLS = (
    41, 53,  # socket, socketpair
    57, 58, 59, 322,  # fork, vfork, execve, execveat
    200, 129, 297, 424, 434, 438,  # tkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal/open/getfd
    101, 310, 311,  # ptrace, process_vm_readv/writev
    160, 302,  # setrlimit, prlimit64: the limits set above stay
    109, 112, 272, 308,  # setpgid, setsid, unshare, setns
    155, 161, 165, 166,  # pivot_root, chroot, mount, umount2
    135, 169, 175, 246, 248, 249, 250, 298, 313, 321, 323, 425,  # personality, reboot, modules, keys, bpf, io_uring...
)  # fmt: skip
_CLONE_THREAD = 0x10000
_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_ENOSYS = 38


def _syscall(number: int, *args: object) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(ctypes.c_long(number), *args)


def _enter_landlock(workdir: str, read_roots: list[str]) -> bool:
    """Confine the file system (write: the temp dir; read: roots and system libraries), TCP and signals."""
    abi = _syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return False
    fs_rights = _FS_RIGHTS_BY_ABI[max(level for level in _FS_RIGHTS_BY_ABI if level <= abi)]
    net_rights, scopes = (
        (3 if abi >= 4 else 0),
        (3 if abi >= 6 else 0),
    )  # bind/connect TCP; abstract unix, signals
    attribute = struct.pack("=QQQ", fs_rights, net_rights, scopes)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    ruleset = _syscall(
        _LANDLOCK_CREATE_RULESET, attribute, ctypes.c_size_t(len(attribute)), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        return False
    rules = [(path, _FS_READ) for path in [*read_roots, *_SYSTEM_READS]] + [
        (workdir, fs_rights),
        ("/dev/null", _FS_READ_FILE | _FS_WRITE_FILE),
    ]
    for path, rights in rules:
        try:
            handle = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = struct.pack("=Qi", rights & fs_rights, handle)
        _syscall(_LANDLOCK_ADD_RULE, ruleset, ctypes.c_int(1), rule, ctypes.c_uint32(0))
        os.close(handle)
    restricted = _syscall(_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) == 0
    os.close(ruleset)
    return restricted


def _bpf(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _enter_seccomp() -> bool:
    """Kill the process on any system call that could leave the sandbox: fork, exec, sockets, signals to others."""
    if os.uname().machine != "x86_64":
        return False
    load, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    pid = os.getpid()
    allow, kill = _bpf(ret, _RET_ALLOW), _bpf(ret, _RET_KILL_PROCESS)
    program = [_bpf(load, 4), _bpf(jeq, _AUDIT_ARCH_X86_64, 1, 0), kill, _bpf(load, 0)]
    program += [_bpf(jge, 0x40000000, 0, 1), kill]  # the x32 system calls
    for number in _KILLED_SYSCALLS:
        program += [_bpf(jeq, number, 0, 1), kill]
    # glibc falls back from clone3 (whose flags the filter cannot read) to clone: threads pass, processes die.
    program += [_bpf(jeq, _SYS_CLONE3, 0, 1), _bpf(ret, _RET_ERRNO | _ENOSYS)]
    program += [_bpf(jeq, _SYS_CLONE, 0, 4), _bpf(load, 16), _bpf(jset, _CLONE_THREAD, 0, 1), allow, kill]
    # kill and tgkill only towards this process (abort() signals itself).
    program += [_bpf(jeq, _SYS_KILL, 1, 0), _bpf(jeq, _SYS_TGKILL, 0, 4), _bpf(load, 16)]
    program += [_bpf(jeq, pid, 0, 1), allow, kill]
    program += [allow]
    instructions = b"".join(program)
    buffer = ctypes.create_string_buffer(instructions)
    fprog = struct.pack("=HxxxxxxQ", len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    return libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


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
    roots = [path for path in sys.path if path] + [os.path.realpath(__file__)] + request["read_roots"]
    layers = {
        "network": network_isolated,
        "landlock": _enter_landlock(os.getcwd(), roots),
        "seccomp": _enter_seccomp(),
    }

    safe_builtins = dict(vars(builtins))
    for name in _REMOVED_BUILTINS:
        safe_builtins.pop(name, None)
    safe_builtins["__import__"] = _guarded_import(request["allowed_imports"], violations)
    namespace = {"__builtins__": safe_builtins, "__name__": "__sandbox__"}
    code = compile(request["source"], "<sandbox>", "exec")
    # Tracebacks read source lines through linecache: give it the code's lines, and let it read this harness.
    lines = request["source"].splitlines(keepends=True)
    linecache.cache["<sandbox>"] = (len(request["source"]), None, lines, "<sandbox>")
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
    except PermissionError as error:  # the kernel layers refused a file or a connection the hook did not see
        reply = {"ok": False, "error": {"kind": "forbidden", "message": f"blocked by the kernel: {error}"}}
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
    reply["layers"] = layers
    _reply(channel, reply)


if __name__ == "__main__":
    main()
