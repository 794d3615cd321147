"""The embedded runtime: llama.cpp's OpenAI-compatible server (llama-cpp-python) on a packaged GGUF model.

One long-lived server per model: a server already serving the model (started by `corta serve-llm` or another
process) is reused; otherwise corta starts one on 127.0.0.1 and stops it on exit.
"""

import atexit
import fcntl
import json
import logging
import math
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from corta.config import Settings
from corta.errors import LLMUnavailableError
from corta.models.runtime.catalog import PackagedModel
from corta.models.runtime.endpoint import Endpoint
from corta.models.runtime.health import choose_port, served_models
from corta.models.runtime.server_process import ServerProcess

log = logging.getLogger(__name__)


def choose_threads(cpu_count: int | None = None, load: float | None = None) -> int:
    """Threads for llama.cpp: the cores not already busy, at least one.

    llama.cpp's threads spin-wait, so asking for a core another job keeps busy slows decoding many times over
    (measured here: 2 threads on a loaded 2-core machine ran 12x slower than 1).
    """
    cpus = cpu_count or os.cpu_count() or 1
    busy = os.getloadavg()[0] if load is None else load
    return max(1, min(cpus, math.floor(cpus - busy + 0.5)))


def llama_server_command(model_path: Path, alias: str, port: int, threads: int, context: int) -> list[str]:
    """The `python -m llama_cpp.server` command line for one model on 127.0.0.1."""
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_path),
        "--model_alias", alias,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(context),
        "--n_threads", str(threads),
        "--n_threads_batch", str(threads),
    ]  # fmt: skip


class EmbeddedServer:
    """A llama.cpp server for one packaged model: reused if running, else started, owned and stopped."""

    def __init__(self, model: PackagedModel, settings: Settings) -> None:
        self.model = model
        self.settings = settings
        self.server_dir = settings.cache_dir / "servers"
        self.process: ServerProcess | None = None
        self.port: int | None = None
        self.restarts_left = 1

    @property
    def base_url(self) -> str:
        """The server's OpenAI base URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def owned(self) -> bool:
        """True when this object started the server (and so stops it)."""
        return self.process is not None

    def endpoint(self) -> Endpoint:
        """Make sure the server runs and return where to reach it."""
        if self.port is None:
            self._ensure_running()
        return Endpoint(
            base_url=self.base_url,
            model=self.model.name,
            engine="embedded",
            structured_output="llama_cpp",
            recover=self.recover,
        )

    def recover(self) -> str | None:
        """Restart the server once after a crash and return its base URL; None if it answers or the restart is spent."""
        if self.port is not None and served_models(self.base_url) is not None:
            return None
        if self.restarts_left == 0:
            return None
        self.restarts_left -= 1
        log.warning("the model server at %s stopped answering; restarting it once", self.base_url)
        self.stop()
        self._ensure_running()
        return self.base_url

    def stop(self) -> None:
        """Stop the server if this object started it; forget a reused one."""
        if self.process is not None:
            self.process.stop()
            self.process = None
            self._state_path().unlink(missing_ok=True)
        self.port = None

    def __enter__(self) -> "EmbeddedServer":
        self.endpoint()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _state_path(self) -> Path:
        return self.server_dir / f"{self.model.name}.json"

    def _ensure_running(self) -> None:
        self.server_dir.mkdir(parents=True, exist_ok=True)
        with _locked(self.server_dir / f"{self.model.name}.lock"):
            reused = self.running_port()
            if reused is not None:
                self.port = reused
                log.info("reusing the model server on port %d", reused)
                return
            self._start()

    def running_port(self) -> int | None:
        """The port of a live server for this model started by any corta process, if one answers."""
        state_path = self._state_path()
        try:
            state = json.loads(state_path.read_text())
            port, pid = int(state["port"]), int(state["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if _pid_alive(pid) and self.model.name in (served_models(f"http://127.0.0.1:{port}/v1") or []):
            return port
        state_path.unlink(missing_ok=True)
        return None

    def _start(self) -> None:
        model_path = self.model.path(self.settings.cache_dir)
        port = choose_port(self.settings.llm_port)
        threads = self.settings.llm_threads or choose_threads()
        command = llama_server_command(model_path, self.model.name, port, threads, self.settings.llm_context)
        process = ServerProcess(
            command, f"http://127.0.0.1:{port}/v1", self.server_dir / f"{self.model.name}.log"
        )
        models = process.start(self.settings.llm_startup_timeout_s)
        if self.model.name not in models:
            process.stop()
            raise LLMUnavailableError(f"The server on port {port} serves {models}, not {self.model.name}.")
        self.process, self.port = process, port
        self._state_path().write_text(
            json.dumps({"port": port, "pid": process.pid, "model": str(model_path)})
        )
        atexit.register(self.stop)
        log.info("started the model server on port %d with %d threads", port, threads)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _locked(path: Path):
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
