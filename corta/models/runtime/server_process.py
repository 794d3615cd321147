"""A model server subprocess that corta started: start it, wait until it serves, stop it with its children."""

import contextlib
import logging
import os
import signal
import subprocess
from pathlib import Path

from corta.models.runtime.health import wait_until_ready

log = logging.getLogger(__name__)


class ServerProcess:
    """One server command run in its own process group, its output appended to `log_path`."""

    def __init__(
        self, command: list[str], base_url: str, log_path: Path, env: dict[str, str] | None = None
    ) -> None:
        self.command = command
        self.base_url = base_url
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process is not None and self.process.poll() is None

    def start(self, timeout_s: float) -> list[str]:
        """Start the command and wait until `/models` answers; return the served model ids.

        Raises
        ------
        LLMUnavailableError
            If the process dies or does not answer in time (it is stopped then).
        """
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting model server: %s", " ".join(self.command))
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                self.command,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        try:
            return wait_until_ready(self.base_url, timeout_s, self.process, self.log_path)
        except BaseException:
            self.stop()
            raise

    def stop(self, grace_s: float = 10.0) -> None:
        """Terminate the process group, then kill it if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
