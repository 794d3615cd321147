"""`corta app` as a user starts it: it serves the page on the given port and prints where, says how the tutor gets
its knowledge base, and a taken port is one sentence."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.serving import free_port

ROOT = Path(__file__).resolve().parents[3]
STUB = ROOT / "tests" / "helpers" / "stub_openai_server.py"
# The command as cli.py registers it, without the rest of the CLI.
APP = "import typer; from corta.commands.app import app_command; typer.run(app_command)"


@pytest.fixture
def stub_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(STUB), "--port", str(port), "--model", "stub-model"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.terminate()
        server.wait(timeout=30)


def app_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CORTA_CACHE_DIR": str(tmp_path / "cache"),
        "CORTA_DOCS_DIR": str(tmp_path / "docs"),
    }


def printed(path: Path, lines: int, process: subprocess.Popen[bytes]) -> list[str]:
    """The first `lines` lines the process printed to `path`, once it has (it has a few minutes to start)."""
    for _ in range(1200):
        text = path.read_text()
        if text.count("\n") >= lines or process.poll() is not None:
            break
        time.sleep(0.25)
    return text.splitlines()


def test_the_app_serves_its_page_and_prints_its_url(stub_url: str, tmp_path: Path) -> None:
    port = free_port()
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        app = subprocess.Popen(
            [sys.executable, "-c", APP, "--model", stub_url, "--port", str(port)],
            cwd=ROOT, env=app_env(tmp_path), stdout=stdout, stderr=stderr,
        )  # fmt: skip
    try:
        lines = printed(out, 2, app)
        assert lines[0] == f"corta app on http://127.0.0.1:{port}/ (model stub-model); Ctrl-C stops it", (
            err.read_text()
        )
        assert lines[1].startswith(
            "The tutor's knowledge base is not built yet: the first question builds it"
        )
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=30).json()
        assert page.status_code == 200 and config["title"] == "corta"
        tabs = [item["props"].get("label") for item in config["components"] if item["type"] == "tabitem"]
        assert tabs == ["Tutor", "Modeler", "Router", "Evaluate", "Models"]
    finally:
        app.terminate()
        app.wait(timeout=30)


def test_a_taken_port_is_one_sentence(stub_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-c", APP, "--model", stub_url, "--port", str(port)],
            cwd=ROOT, env=app_env(tmp_path), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert (
        done.stderr.strip().splitlines()[-1]
        == f"error: Port {port} on 127.0.0.1 is taken: choose another with --port."
    )
