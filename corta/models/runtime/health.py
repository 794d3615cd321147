"""Ports and readiness of OpenAI-compatible servers."""

import socket
import subprocess
import time
from pathlib import Path

import httpx

from corta.errors import LLMUnavailableError


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on `host:port` and it can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(preferred: int, host: str = "127.0.0.1") -> int:
    """Return `preferred` if it is free, else a free port the kernel picks."""
    if port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def model_listing(base_url: str, api_key: str = "not-needed", timeout_s: float = 2.0) -> list[dict] | None:
    """The entries of `{base_url}/models` (each with an `id`), or None when the server does not answer."""
    try:
        response = httpx.get(
            f"{base_url.rstrip('/')}/models",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout_s,
        )
        response.raise_for_status()
        entries = response.json().get("data", [])
        return [entry for entry in entries if isinstance(entry, dict) and "id" in entry]
    except (httpx.HTTPError, ValueError, AttributeError):
        return None


def served_models(base_url: str, api_key: str = "not-needed", timeout_s: float = 2.0) -> list[str] | None:
    """The model ids listed at `{base_url}/models`, or None when the server does not answer."""
    listing = model_listing(base_url, api_key, timeout_s)
    return None if listing is None else [entry["id"] for entry in listing]


def log_tail(log_path: Path | None, lines: int = 5) -> str:
    """The last lines of a server log, for error messages."""
    if log_path is None or not log_path.is_file():
        return ""
    return " | ".join(log_path.read_text(errors="replace").strip().splitlines()[-lines:])


def wait_until_ready(
    base_url: str,
    timeout_s: float,
    process: subprocess.Popen | None = None,
    log_path: Path | None = None,
    api_key: str = "not-needed",
    poll_s: float = 0.5,
) -> list[str]:
    """Poll `{base_url}/models` until it answers; return the served model ids.

    Raises
    ------
    LLMUnavailableError
        If `process` exits first (with the end of its log) or nothing answers within `timeout_s`.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        models = served_models(base_url, api_key)
        if models is not None:
            return models
        if process is not None and process.poll() is not None:
            raise LLMUnavailableError(
                f"The model server exited with code {process.returncode} before it was ready: {log_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            raise LLMUnavailableError(
                f"The model server at {base_url} was not ready after {timeout_s:.0f} s."
            )
        time.sleep(poll_s)
