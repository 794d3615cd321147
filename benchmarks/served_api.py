"""What the API benchmarks run against: the streaming stub LLM (tests/helpers/streaming_stub_server.py) and
`corta serve --no-ui` on it, each in its own process on 127.0.0.1, with a private cache (a temporary folder, so the
user's own store is never touched) holding live API keys, checked on every request as in production."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
STUB = ROOT / "tests" / "helpers" / "streaming_stub_server.py"
SERVE = "from corta.cli import app; app()"


@dataclass(frozen=True)
class ServedApi:
    """The two processes, their base URLs (`http://127.0.0.1:PORT`) and the API keys' secrets, one per name asked."""

    stub: subprocess.Popen
    api: subprocess.Popen
    stub_url: str
    api_url: str
    keys: list[str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up in {timeout_s:.0f} s")


@contextmanager
def served_api(
    stub_options: list[str], key_names: list[str], env: dict[str, str] | None = None
) -> Iterator[ServedApi]:
    """The stub (run with `stub_options`) and corta's API on it, up and answering; `env` is added to both
    processes' environment. Both are stopped (SIGTERM) when the block ends."""
    from corta.app.store import Store
    from corta.config import Settings

    stub_port, api_port = free_port(), free_port()
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="corta-served-api-") as folder:
        cache = Path(folder) / "cache"
        store = Store.open(Settings(cache_dir=cache))
        keys = [store.create_api_key(name)[1] for name in key_names]
        store.close()
        # PYTHONPATH: the stub, run as a program, imports its neighbours in tests/helpers.
        env = {
            **os.environ,
            "CORTA_CACHE_DIR": str(cache),
            "CORTA_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        try:
            processes.append(subprocess.Popen(
                [sys.executable, str(STUB), "--port", str(stub_port), *stub_options], env=env, stdout=subprocess.DEVNULL,
            ))  # fmt: skip
            wait_until_up(f"http://127.0.0.1:{stub_port}/v1/models", processes[-1])
            processes.append(subprocess.Popen(
                [sys.executable, "-c", SERVE, "serve", "--no-ui", "--port", str(api_port), "--model", f"http://127.0.0.1:{stub_port}/v1"],
                env=env, stdout=subprocess.DEVNULL,
            ))  # fmt: skip
            wait_until_up(f"http://127.0.0.1:{api_port}/healthz", processes[-1])
            stub_url, api_url = f"http://127.0.0.1:{stub_port}", f"http://127.0.0.1:{api_port}"
            yield ServedApi(processes[0], processes[1], stub_url, api_url, keys)
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)
