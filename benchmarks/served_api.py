"""What the API benchmarks run against: the streaming stub LLM (tests/helpers/streaming_stub_server.py) and
`corta serve --no-ui` on it, each in its own process on 127.0.0.1, with a private cache (a temporary folder, so the
user's own store is never touched) holding live API keys, checked on every request as in production."""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.serving import free_port, wait_until_healthy

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


@contextmanager
def served_api(
    stub_options: list[str], key_names: list[str], env: dict[str, str] | None = None
) -> Iterator[ServedApi]:
    """The stub (run with `stub_options`) and corta's API on it, up and answering; `env` is added to both
    processes' environment; their stderr goes to logs shown if one fails to start. Both are stopped (SIGTERM) when
    the block ends."""
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
        stub_log, api_log = Path(folder) / "stub.log", Path(folder) / "serve.log"
        with stub_log.open("w") as stub_sink, api_log.open("w") as api_sink:
            try:
                processes.append(subprocess.Popen(
                    [sys.executable, str(STUB), "--port", str(stub_port), *stub_options], env=env,
                    stdout=subprocess.DEVNULL, stderr=stub_sink,
                ))  # fmt: skip
                wait_until_healthy(processes[-1], f"http://127.0.0.1:{stub_port}/v1/models", stub_log)
                processes.append(subprocess.Popen(
                    [sys.executable, "-c", SERVE, "serve", "--no-ui", "--port", str(api_port), "--model",
                     f"http://127.0.0.1:{stub_port}/v1"],
                    env=env, stdout=subprocess.DEVNULL, stderr=api_sink,
                ))  # fmt: skip
                wait_until_healthy(processes[-1], f"http://127.0.0.1:{api_port}/healthz", api_log)
                stub_url, api_url = f"http://127.0.0.1:{stub_port}", f"http://127.0.0.1:{api_port}"
                yield ServedApi(processes[0], processes[1], stub_url, api_url, keys)
            finally:
                for process in reversed(processes):
                    process.terminate()
                    process.wait(timeout=30)
