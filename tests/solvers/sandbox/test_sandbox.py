"""Each limit of the sandbox, proved with a real hostile snippet; good code returns its value."""

import textwrap
from pathlib import Path

import pytest

from corta.solvers.sandbox import DEFAULT_ALLOWED_IMPORTS, SandboxLimits, run_code

LIMITS = SandboxLimits(cpu_s=2, wall_s=5, memory_mb=512)


def run(source: str, *args, allow=(), limits=LIMITS, entry="main"):
    return run_code(textwrap.dedent(source), entry, list(args), limits, DEFAULT_ALLOWED_IMPORTS | set(allow))


def test_good_code_returns_its_value_and_output():
    result = run(
        """
        import math
        def main(values, scale):
            print("summing", len(values))
            return {"total": math.fsum(values) * scale, "names": ["a", "b"]}
        """,
        [1.5, 2.5],
        2,
    )
    assert result.ok and result.error is None
    assert result.result == {"total": 8.0, "names": ["a", "b"]}
    assert result.stdout == "summing 2\n"


def test_keyword_arguments():
    result = run_code("def f(a, b=1):\n    return a - b", "f", {"b": 10, "a": 3})
    assert result.result == -7


def test_infinite_loop_hits_the_cpu_limit():
    result = run("def main():\n    while True:\n        pass")
    assert result.error.kind == "timeout" and "CPU" in result.error.message


def test_busy_loop_in_a_thread_hits_the_cpu_limit():
    result = run(
        """
        import threading
        def spin():
            while True:
                pass
        def main():
            worker = threading.Thread(target=spin)
            worker.start()
            worker.join()
        """,
        allow=["threading"],
    )
    assert result.error.kind == "timeout"


def test_sleeping_code_hits_the_wall_clock():
    result = run(
        "import time\ndef main():\n    time.sleep(60)",
        allow=["time"],
        limits=LIMITS.model_copy(update={"wall_s": 1.5}),
    )
    assert result.error.kind == "timeout" and "longer than 1.5 s" in result.error.message
    assert result.duration_s < 5


def test_four_gigabyte_allocation_is_a_memory_error():
    result = run("def main():\n    block = bytearray(4 * 1024 ** 3)\n    return len(block)")
    assert result.error.kind == "memory"


def test_growing_list_is_a_memory_error():
    result = run("def main():\n    grow = []\n    while True:\n        grow.append('x' * 10 ** 6)")
    assert result.error.kind == "memory"


@pytest.mark.parametrize(
    "source",
    [
        "import socket\ndef main():\n    return 1",
        "import os\ndef main():\n    return os.getcwd()",
        "from subprocess import run\ndef main():\n    return 1",
        "import ctypes\ndef main():\n    return 1",
        "def main():\n    return __import__('os').getcwd()",
        "import importlib\ndef main():\n    return importlib.import_module('os')",
        "def main():\n    return getattr(__builtins__, 'open')",
        "def main():\n    return eval('1+1')",
        "def main():\n    name = bytes.fromhex('6f73').decode()\n    return __import__(name)",
        "def main():\n    return ().__class__.__base__.__subclasses__()",
        "def main():\n    return getattr((), '__cla' + 'ss__')",
        "from . import secrets\ndef main():\n    return 1",
    ],
)
def test_forbidden_constructs_are_refused_before_running(source):
    result = run(source)
    assert not result.ok and result.error.kind == "forbidden"
    assert result.duration_s == 0  # refused on the AST, no process started


def test_socket_to_loopback_is_blocked_even_if_the_import_is_allowed():
    result = run(
        """
        import socket
        def main():
            connection = socket.create_connection(("127.0.0.1", 80), timeout=1)
            return "connected"
        """,
        allow=["socket"],
    )
    assert result.error.kind == "forbidden" and "socket" in result.error.message


def test_fork_loop_is_blocked_even_if_os_is_allowed():
    result = run("import os\ndef main():\n    while True:\n        os.fork()", allow=["os"])
    assert result.error.kind == "forbidden" and "os.fork" in result.error.message


def test_shell_commands_are_blocked_even_when_the_error_is_swallowed():
    result = run(
        """
        import os, subprocess
        def main():
            for attempt in (lambda: os.system("id"), lambda: subprocess.run(["id"])):
                try:
                    attempt()
                except Exception:
                    pass
            return "escaped"
        """,
        allow=["os", "subprocess"],
    )
    assert result.error.kind == "forbidden"


def test_writing_outside_the_temp_dir_is_blocked(tmp_path):
    target = tmp_path / "escaped.txt"
    result = run(f"def main():\n    open({str(target)!r}, 'w').write('x')\n    return 1")
    assert result.error.kind == "forbidden" and "writing" in result.error.message
    assert not target.exists()


def test_reading_secrets_is_blocked():
    for path in ("/etc/passwd", "/proc/self/environ"):
        result = run(f"def main():\n    return open({path!r}).read()")
        assert result.error.kind == "forbidden", path


def test_writing_inside_the_temp_dir_works_and_is_removed():
    result = run(
        """
        def main():
            with open("notes.txt", "w") as handle:
                handle.write("kept")
            return open("notes.txt").read()
        """
    )
    assert result.ok and result.result == "kept"


def test_symlink_out_of_the_temp_dir_is_blocked():
    result = run(
        "import os\ndef main():\n    os.symlink('/etc/passwd', 'link')\n    return open('link').read()",
        allow=["os"],
    )
    assert result.error.kind == "forbidden"


def test_environment_is_scrubbed(monkeypatch):
    monkeypatch.setenv("CORTA_SECRET_TOKEN", "hunter2")
    result = run("import os\ndef main():\n    return dict(os.environ)", allow=["os"])
    assert result.ok and "CORTA_SECRET_TOKEN" not in result.result
    assert Path(result.result["HOME"]).name.startswith("corta-sandbox-")


def test_exceptions_come_back_with_the_line():
    result = run("def main():\n    values = []\n    return values[3]")
    assert result.error.kind == "exception"
    assert "IndexError" in result.error.message and "line 3" in result.error.message


def test_recursion_bomb_and_exit_are_exceptions():
    assert run("def main():\n    return main()").error.kind == "exception"
    assert "SystemExit" in run("def main():\n    raise SystemExit(0)").error.message


def test_syntax_error_is_reported_with_its_line():
    result = run("def main(:\n    pass")
    assert result.error.kind == "syntax" and "line 1" in result.error.message


def test_huge_output_is_capped():
    result = run("def main():\n    for _ in range(100000):\n        print('x' * 100)\n    return 'done'")
    assert result.ok and result.result == "done"
    assert len(result.stdout) < LIMITS.output_chars + 100 and "characters dropped" in result.stdout


def test_non_json_results_are_an_exception():
    result = run("def main():\n    return {1, 2}")
    assert result.error.kind == "exception" and "JSON" in result.error.message


def test_missing_entry_function():
    assert "no function named main" in run("def other():\n    return 1").error.message
