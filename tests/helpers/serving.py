"""Serving in tests: a free loopback port, and waiting for a server started in its own process (its health URL
answers 200, or the test fails with its log)."""

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback port nothing listens on, picked by the kernel."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(process: subprocess.Popen, url: str, log: Path, timeout_s: float = 180.0) -> None:
    """Return once `url` answers 200; fail (showing `log`) if the process exits or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
