"""Red team for the sandbox: each attack must be contained, reported with its error kind, and leave the parent whole.

Two rounds. The plain attacks go through the front: the static policy and the harness's audit hook stop them. The
`DISARM` attacks first switch the in-process layer off (a real bypass: `typing.sys` is the interpreter's `sys`, and
from it the harness module's globals), so only the kernel layers (seccomp, Landlock, network namespace, rlimits) and
the parent's own checks stand; those attacks are bounded so that a failing sandbox cannot hurt this machine.
"""

import ast
import ctypes
import os
import pickle
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from corta.solvers.sandbox import (
    DEFAULT_ALLOWED_IMPORTS,
    SandboxLimits,
    SandboxResult,
    check_source,
    run_code,
    runner,
)

LIMITS = SandboxLimits(cpu_s=2, wall_s=5, memory_mb=384)
# The Python layer switched off from inside: refusals by the audit hook and its path check are gone.
DISARM = """
import typing
_harness = typing.sys.modules["__main__"]
_harness._BLOCKED_EVENTS = ()
_harness._within = lambda path, roots: True
os = typing.sys.modules["os"]
"""


def _landlock_abi() -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint32(1))


KERNEL_LAYERS = sys.platform == "linux" and os.uname().machine == "x86_64" and _landlock_abi() >= 6
kernel_layers = pytest.mark.skipif(
    not KERNEL_LAYERS, reason="needs x86-64 Linux with seccomp and Landlock ABI 6"
)


def run(
    source: str, *args: object, allow: tuple[str, ...] = (), limits: SandboxLimits = LIMITS
) -> SandboxResult:
    """Run `main(*args)` from `source` in the sandbox with the default allow-list plus `allow`."""
    return run_code(textwrap.dedent(source), "main", list(args), limits, DEFAULT_ALLOWED_IMPORTS | set(allow))


def disarmed(body: str, *args: object, limits: SandboxLimits = LIMITS) -> SandboxResult:
    """Run `main` after switching off the in-process layer, as hostile code that found the bypass would."""
    return run_code(DISARM + textwrap.dedent(body), "main", list(args), limits)


def assert_refused(result: SandboxResult, kind: str = "forbidden") -> None:
    assert not result.ok and result.result is None
    assert result.error is not None and result.error.kind == kind, result.error


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.fixture(autouse=True)
def parent_stays_whole() -> Iterator[None]:
    """After every attack: same process, no process left behind, no memory flooded into the parent. Children the
    test process had before (servers other tests' fixtures keep for the whole run) are not the attack's."""
    pid, resident, before = os.getpid(), _resident_mb(), set(_children(os.getpid()))
    yield
    assert os.getpid() == pid
    assert set(_children(pid)) - before == set(), "the sandbox left a process behind"
    assert _resident_mb() - resident < 200, "the attack grew the parent's memory"


# --- resources -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "allow"),
    [
        ("def main():\n    while True:\n        pass", ()),
        ("def main():\n    n = 0\n    while n >= 0:\n        n = (n + 1) % 7", ()),
        (
            "import threading\ndef spin():\n    while True:\n        pass\n"
            "def main():\n    threading.Thread(target=spin, daemon=True).start()\n    spin()",
            ("threading",),
        ),
    ],
    ids=["infinite-loop", "arithmetic-loop", "busy-thread"],
)
def test_busy_loops_hit_the_cpu_limit(source: str, allow: tuple[str, ...]) -> None:
    result = run(source, allow=allow)
    assert_refused(result, "timeout")
    assert result.duration_s < LIMITS.wall_s + 1


def test_a_thread_is_refused_without_its_import() -> None:
    assert_refused(run("import threading\ndef main():\n    return 1"))


def test_sleeping_forever_hits_the_wall_clock() -> None:
    result = run(
        "import time\ndef main():\n    time.sleep(3600)",
        allow=("time",),
        limits=LIMITS.model_copy(update={"wall_s": 1.0}),
    )
    assert_refused(result, "timeout")
    assert result.duration_s < 3


@pytest.mark.parametrize(
    "body",
    [
        "block = bytearray(8 * 1024 ** 3)\n    return len(block)",
        "block = [0] * (1024 ** 3)\n    return len(block)",
        "grow = []\n    while True:\n        grow.append(bytes(10 ** 7))",
    ],
    ids=["8-GB-bytearray", "8-GB-list", "growing-list"],
)
def test_large_allocations_are_memory_errors(body: str) -> None:
    assert_refused(run(f"def main():\n    {body}"), "memory")


def test_recursion_bomb_is_an_exception() -> None:
    result = run("def main():\n    return main()")
    assert_refused(result, "exception")
    assert "RecursionError" in result.error.message


@kernel_layers
def test_recursion_bomb_past_the_interpreter_guard_is_stopped_by_the_limits() -> None:
    # Python 3.11 keeps Python frames on the heap: unbounded recursion ends at the CPU or memory limit.
    result = disarmed("typing.sys.setrecursionlimit(10 ** 8)\ndef main():\n    return main()")
    assert not result.ok and result.error.kind in ("timeout", "memory", "exception"), result.error


# --- processes --------------------------------------------------------------------------------------------------

FORK_ATTACKS = {
    "os.fork": "import os\ndef main():\n    while True:\n        os.fork()",
    "multiprocessing": "import multiprocessing\ndef main():\n    while True:\n        multiprocessing.Process(target=main).start()",
    "subprocess": "import subprocess\ndef main():\n    subprocess.Popen(['sh', '-c', ':(){ :|:& };:'])",
}


@pytest.mark.parametrize("source", FORK_ATTACKS.values(), ids=FORK_ATTACKS.keys())
def test_fork_bombs_are_refused_by_the_policy_before_running(source: str) -> None:
    assert check_source(ast.parse(source)), "the static policy let a fork bomb through"
    result = run(source)
    assert_refused(result)
    assert result.duration_s == 0


def test_fork_is_refused_by_the_audit_hook_when_os_is_allowed() -> None:
    # Bounded: each child would exit at once, so even a broken sandbox starts at most 20 short processes.
    result = run(
        "import os\ndef main():\n    for _ in range(20):\n        if os.fork() == 0:\n            os._exit(0)",
        allow=("os",),
    )
    assert_refused(result)
    assert "os.fork" in result.error.message


@kernel_layers
@pytest.mark.parametrize(
    "body",
    [
        "def main():\n    for _ in range(200):\n        if os.fork() == 0:\n            os._exit(0)",
        "def main():\n    for _ in range(20):\n        os.posix_spawn('/bin/true', ['true'], {})",
        "subprocess = typing.sys.modules['importlib'].import_module('subprocess')\n"
        "def main():\n    return subprocess.run(['/bin/true']).returncode",
        "def main():\n    os.execv('/bin/true', ['true'])",
    ],
    ids=["fork-200", "posix_spawn", "subprocess", "execv"],
)
def test_process_creation_is_killed_by_seccomp_once_the_python_layer_is_off(body: str) -> None:
    result = disarmed(body)
    assert_refused(result)
    assert "system call" in result.error.message


# --- imports and introspection: refused on the AST --------------------------------------------------------------

STATIC_ATTACKS = {
    "import-os": "import os\ndef main():\n    return os.getcwd()",
    "import-subprocess": "import subprocess\ndef main():\n    return 1",
    "import-socket": "import socket\ndef main():\n    return 1",
    "import-ctypes": "import ctypes\ndef main():\n    return 1",
    "from-os": "from os import system\ndef main():\n    return system('id')",
    "dunder-import": "def main():\n    return __import__('os').getcwd()",
    "importlib": "import importlib\ndef main():\n    return importlib.import_module('os')",
    "getattr-builtins": "def main():\n    return getattr(__builtins__, '__import__')('os')",
    "builtins-dict": "import builtins\ndef main():\n    return builtins.__dict__['__import__']('os')",
    "builtins-subscript": "def main():\n    return __builtins__['__import__']('os')",
    "runtime-string": "def main():\n    return __import__('o' + 's')",
    "base64-name": "import base64\ndef main():\n    return __import__(base64.b64decode('b3M=').decode())",
    "rot13-name": "import codecs\ndef main():\n    return __import__(codecs.decode('bf', 'rot13'))",
    "chr-name": "def main():\n    return __import__(''.join(map(chr, [111, 115])))",
    "eval": "def main():\n    return eval(\"__import__('os').system('id')\")",
    "exec": "def main():\n    exec(\"import os\\nos.system('id')\")",
    "compile": "def main():\n    return compile('import os', 'x', 'exec')",
    "subclasses": "def main():\n    return [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen']",
    "mro": "def main():\n    return type(()).__mro__[-1].__subclasses__()",
    "init-globals": "def main():\n    return main.__globals__['__builtins__']",
    "getattr-runtime": "def main():\n    return getattr((), '_' * 2 + 'class' + '_' * 2)",
    "relative-import": "from . import secrets\ndef main():\n    return 1",
    "sys": "import sys\ndef main():\n    sys.exit(0)",
}


@pytest.mark.parametrize("source", STATIC_ATTACKS.values(), ids=STATIC_ATTACKS.keys())
def test_imports_and_introspection_are_refused_before_running(source: str) -> None:
    result = run(source)
    assert_refused(result)
    assert result.duration_s == 0  # refused on the AST, no process started


# --- the Python layer's known gaps: stopped at run time, reported as forbidden ---------------------------------

RUNTIME_ATTACKS = {
    "typing.sys": "import typing\ndef main():\n    return typing.sys.modules['os'].system('id')",
    "random._os": "import random\ndef main():\n    return random._os.system('id')",
    "attrgetter-walk": (
        "import operator\nU = '_' * 2\n"
        "def main():\n    walk = operator.attrgetter(f'{U}class{U}.{U}base{U}.{U}subclasses{U}')\n"
        "    wrap = [c for c in walk(())() if c.__name__ == '_wrap_close'][0]\n"
        "    return operator.attrgetter(f'{U}init{U}.{U}globals{U}')(wrap)['system']('id')"
    ),
    "importlib-via-sys": (
        "import typing\ndef main():\n    return typing.sys.modules['importlib'].import_module('socket').socket()"
    ),
    "frame-walk": (
        "def main():\n    def climb():\n        yield walker.gi_frame.f_back\n    walker = climb()\n"
        "    harness = next(walker).f_back.f_globals\n    return harness['os'].system('id')"
    ),
    "ctypes-via-sys": "import typing\ndef main():\n    return typing.sys.modules['ctypes'].CDLL(None).system(b'id')",
}


@pytest.mark.parametrize("source", RUNTIME_ATTACKS.values(), ids=RUNTIME_ATTACKS.keys())
def test_bypasses_of_the_static_policy_are_stopped_at_run_time(source: str) -> None:
    assert check_source(ast.parse(source)) == [], "now refused statically: move this attack to STATIC_ATTACKS"
    assert_refused(run(source))


# --- files ------------------------------------------------------------------------------------------------------

READS = [
    "/etc/passwd",
    "../../../../etc/passwd",
    "/proc/self/environ",
    "/proc/{ppid}/environ",
    "/root/.bashrc",
]


@pytest.mark.parametrize("path", READS)
def test_reading_outside_the_temp_dir_is_refused(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORTA_RED_TEAM_SECRET", "hunter2")
    path = path.format(ppid=os.getpid())
    result = run(f"def main():\n    return open({path!r}, 'rb').read().decode(errors='replace')")
    assert_refused(result)


@kernel_layers
@pytest.mark.parametrize("path", READS)
def test_reading_outside_is_refused_by_landlock_once_the_python_layer_is_off(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORTA_RED_TEAM_SECRET", "hunter2")
    path = path.format(ppid=os.getpid())
    result = disarmed(f"def main():\n    return open({path!r}, 'rb').read().decode(errors='replace')")
    assert_refused(result)
    assert "hunter2" not in result.model_dump_json()


@pytest.mark.parametrize("python_layer", ["on", pytest.param("off", marks=kernel_layers)])
def test_writing_outside_the_temp_dir_is_refused(python_layer: str, tmp_path: Path) -> None:
    target = tmp_path / "escaped.txt"
    body = f"def main():\n    open({str(target)!r}, 'w').write('x')\n    return 'written'"
    result = run(body) if python_layer == "on" else disarmed(body)
    assert_refused(result)
    assert not target.exists()


@kernel_layers
def test_symlinks_and_hard_links_made_by_the_code_lead_nowhere(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    result = disarmed(
        f"""
        def main():
            os.symlink({str(secret)!r}, "soft")
            try:
                os.link({str(secret)!r}, "hard")
            except OSError:
                pass
            return open("soft").read()
        """
    )
    assert_refused(result)
    assert "hunter2" not in result.model_dump_json()


@pytest.mark.parametrize("python_layer", ["on", pytest.param("off", marks=kernel_layers)])
def test_a_symlink_planted_in_the_temp_dir_is_not_followed_outside(
    python_layer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    real = runner.tempfile.TemporaryDirectory

    class PlantedDirectory(real):  # type: ignore[misc, valid-type]
        """The sandbox's temp dir with a link to a file outside already in it."""

        def __enter__(self) -> str:
            folder = super().__enter__()
            os.symlink(secret, Path(folder) / "link")
            return folder

    monkeypatch.setattr(runner.tempfile, "TemporaryDirectory", PlantedDirectory)
    body = "def main():\n    return open('link').read()"
    result = run(body) if python_layer == "on" else disarmed(body)
    assert_refused(result)
    assert "hunter2" not in result.model_dump_json()


# --- network ----------------------------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback server that nothing from the sandbox may reach."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.3)
    yield server
    server.close()


def _nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return True
    connection.close()
    return False


CONNECT = (
    "def main():\n    s = socket.create_connection(('127.0.0.1', {port}), timeout=1)\n    return 'connected'"
)


@pytest.mark.parametrize("layer", ["policy", "audit-hook", pytest.param("kernel", marks=kernel_layers)])
def test_no_connection_reaches_loopback(layer: str, listener: socket.socket) -> None:
    connect = CONNECT.format(port=listener.getsockname()[1])
    if layer == "policy":
        result = run("import socket\n" + connect)
    elif layer == "audit-hook":
        result = run("import socket\n" + connect, allow=("socket",))
    else:
        result = disarmed("socket = typing.sys.modules['importlib'].import_module('socket')\n" + connect)
    assert_refused(result)
    assert _nobody_connected(listener)


# --- output -----------------------------------------------------------------------------------------------------


def test_a_gigabyte_of_print_is_cut() -> None:
    result = run("def main():\n    for _ in range(1000):\n        print('x' * 10 ** 6)\n    return 'done'")
    assert result.ok and result.result == "done"
    assert len(result.stdout) < LIMITS.output_chars + 100 and "characters dropped" in result.stdout


@kernel_layers
@pytest.mark.parametrize("descriptor", [2, 3], ids=["stderr", "reply-channel"])
def test_a_gigabyte_on_the_raw_pipes_does_not_reach_the_parents_memory(descriptor: int) -> None:
    # fd 3 is the harness's reply channel (a dup of stdout): flooding it must not be taken as a reply either.
    result = disarmed(
        f"def main():\n    chunk = b'x' * 2 ** 20\n    for _ in range(1024):\n        os.write({descriptor}, chunk)\n"
        "    return 'done'",
        limits=LIMITS.model_copy(update={"cpu_s": 4, "wall_s": 10}),
    )
    if descriptor == 2:
        assert result.ok and result.result == "done"  # the flood is dropped, the run is unharmed
    else:
        assert_refused(result)


def test_open_of_an_inherited_descriptor_cannot_forge_a_reply() -> None:
    result = run(
        'def main():\n    channel = open(3, \'w\')\n    channel.write(\'{"ok": true, "result": "forged"}\\n\')\n'
        "    channel.close()\n    return 'real'"
    )
    assert result.result != "forged"
    assert_refused(result, "exception")


# --- signals and exits ------------------------------------------------------------------------------------------


@pytest.fixture
def parent_signals() -> Iterator[list[int]]:
    """Signals this process receives while the test runs (SIGUSR1, SIGUSR2): none may come from the sandbox."""
    received: list[int] = []
    previous = {
        number: signal.signal(number, lambda number, _: received.append(number))
        for number in (signal.SIGUSR1, signal.SIGUSR2)
    }
    yield received
    for number, handler in previous.items():
        signal.signal(number, handler)


@pytest.mark.parametrize(
    "body",
    [
        "os.kill(os.getppid(), signal.SIGKILL)",
        "os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)",
        "signal.pthread_kill(0, signal.SIGKILL)",
    ],
)
def test_signals_to_the_parent_are_refused_by_the_audit_hook(body: str, parent_signals: list[int]) -> None:
    result = run(f"import os, signal\ndef main():\n    {body}\n    return 'sent'", allow=("os", "signal"))
    assert_refused(result)
    assert parent_signals == []


@kernel_layers
@pytest.mark.parametrize(
    "body",
    [
        "os.kill(os.getppid(), signal.SIGUSR1)",
        "os.killpg(os.getpgid(os.getppid()), 0)",  # signal 0: harmless to the group even if it got through
        "signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGUSR1)",
    ],
    ids=["kill", "killpg", "pidfd"],
)
def test_signals_to_the_parent_are_killed_by_seccomp_once_the_python_layer_is_off(
    body: str, parent_signals: list[int]
) -> None:
    result = disarmed(
        f"signal = typing.sys.modules['importlib'].import_module('signal')\ndef main():\n    {body}\n    return 'sent'"
    )
    assert_refused(result)
    assert parent_signals == []


@kernel_layers
def test_a_signal_to_another_process_is_killed_by_seccomp() -> None:
    victim = subprocess.Popen(["sleep", "30"])
    try:
        result = disarmed(f"def main():\n    os.kill({victim.pid}, 9)\n    return 'sent'")
        assert_refused(result)
        assert victim.poll() is None, "the sandbox killed an outside process"
    finally:
        victim.kill()
        victim.wait()


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("raise SystemExit(0)", "SystemExit"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("import typing\n    typing.sys.exit(3)", "SystemExit"),
    ],
    ids=["SystemExit", "KeyboardInterrupt", "sys.exit"],
)
def test_exits_are_exceptions(body: str, shown: str) -> None:
    result = run(f"def main():\n    {body}")
    assert_refused(result, "exception")
    assert shown in result.error.message


@kernel_layers
@pytest.mark.parametrize(("status", "kind"), [(0, "forbidden"), (7, "exception")])
def test_os_exit_is_reported_not_taken_for_a_reply(status: int, kind: str) -> None:
    assert_refused(disarmed(f"def main():\n    os._exit({status})"), kind)


# --- results never come back as pickles ----------------------------------------------------------------------------


class _TouchOnUnpickle:
    """A payload whose unpickling creates a file: the parent must never run it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


@pytest.fixture
def unpickling(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records any unpickling in the parent during the test."""
    calls: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append("unpickle")
        raise AssertionError("the parent unpickled sandbox output")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    return calls


def test_an_object_with_reduce_comes_back_as_an_error_not_a_pickle(
    tmp_path: Path, unpickling: list[str]
) -> None:
    result = run(
        "class Payload:\n    def __reduce__(self):\n        return (print, ('pwned',))\n"
        "def main():\n    return Payload()"
    )
    assert_refused(result, "exception")
    assert "JSON" in result.error.message and unpickling == []


@kernel_layers
def test_a_raw_pickle_on_the_reply_channel_is_never_unpickled(tmp_path: Path, unpickling: list[str]) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_TouchOnUnpickle(marker))
    result = disarmed(f"def main():\n    os.write(3, {payload!r} + b'\\n')\n    os._exit(0)")
    assert_refused(result)
    assert not marker.exists() and unpickling == []


def test_a_pickle_returned_as_a_string_stays_a_string(tmp_path: Path, unpickling: list[str]) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_TouchOnUnpickle(marker)).decode("latin-1")
    result = run(f"def main():\n    return {payload!r}")
    assert result.ok and result.result == payload
    assert not marker.exists() and unpickling == []
