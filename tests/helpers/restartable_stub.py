"""The streaming stub LLM in a process of its own, for chaos tests: SIGKILLed when a test says, and restarted by its
endpoint's `recover` hook the way the embedded runtime restarts a crashed llama.cpp server (corta's `ServerProcess`
starts each one and waits until it serves).

    with RestartableStub(tmp_path, tokens=12, delay_s=0.05) as stub:
        llm = LLM(stub.endpoint())
        ...
        stub.kill()  # the server dies; the LLM's next read fails and `recover` starts a fresh one on a new port
"""

import os
import signal
import sys
from pathlib import Path
from typing import Self

from corta.models.runtime.endpoint import Endpoint
from corta.models.runtime.health import served_models
from corta.models.runtime.server_process import ServerProcess
from tests.helpers.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
MODEL = "stream-stub"


class RestartableStub:
    """`tests/helpers/streaming_stub_server.py` as a subprocess that can be killed and restarted.

    Parameters
    ----------
    log_dir
        Where each server's output goes (`stub-N.log`).
    tokens
        Numbered tokens per reply after the marker (`reply_pieces`).
    delay_s
        Pause before each token: how long a reply lasts, and so the window to kill it in.
    restarts
        How many times `recover` starts a fresh server; after that it returns None, as a spent restart does.
    restart_tokens
        Tokens per reply of the restarted servers (default `tokens`): fewer makes a reply that cannot repeat a longer
        one already delivered.
    """

    def __init__(
        self,
        log_dir: Path,
        tokens: int = 12,
        delay_s: float = 0.05,
        restarts: int = 1,
        restart_tokens: int | None = None,
    ) -> None:
        self.log_dir = log_dir
        self.tokens, self.delay_s = tokens, delay_s
        self.restarts_left = restarts
        self.restart_tokens = tokens if restart_tokens is None else restart_tokens
        self.started = 0
        self.server: ServerProcess | None = None
        self.base_url = ""

    def start(self, tokens: int | None = None) -> str:
        """Start a fresh server on a free port; return its base URL."""
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}/v1"
        command = [
            sys.executable, "-m", "tests.helpers.streaming_stub_server", "--port", str(port),
            "--tokens", str(self.tokens if tokens is None else tokens), "--delay-s", str(self.delay_s),
            "--model", MODEL,
        ]  # fmt: skip
        self.started += 1
        self.server = ServerProcess(
            command,
            self.base_url,
            self.log_dir / f"stub-{self.started}.log",
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.server.start(timeout_s=30)
        return self.base_url

    def kill(self) -> None:
        """SIGKILL the server (no chance to close its streams) and reap it."""
        if self.server is not None and self.server.process is not None:
            os.killpg(self.server.process.pid, signal.SIGKILL)
            self.server.process.wait()
            self.server.stop()

    def recover(self) -> str | None:
        """Start a fresh server and return its base URL; None when the current one answers or no restart is left."""
        if self.server is not None and self.server.alive() and served_models(self.base_url) is not None:
            return None
        if self.restarts_left == 0:
            return None
        self.restarts_left -= 1
        if self.server is not None:
            self.server.stop()
        return self.start(self.restart_tokens)

    def endpoint(self) -> Endpoint:
        """Where an `LLM` reaches the current server, with `recover` as its restart hook."""
        return Endpoint(self.base_url, MODEL, engine="stub", recover=self.recover)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.server is not None:
            self.server.stop()
