"""Readiness polling and port choice."""

import socket
import subprocess
import sys

import pytest

from corta.errors import LLMUnavailableError
from corta.models.runtime.health import choose_port, port_is_free, wait_until_ready


def test_choose_port_skips_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not port_is_free(port)
        assert choose_port(port) != port


def test_wait_gives_up_after_the_timeout():
    with pytest.raises(LLMUnavailableError, match="not ready after"):
        wait_until_ready(f"http://127.0.0.1:{choose_port(1)}/v1", timeout_s=1.0, poll_s=0.2)


def test_wait_notices_an_exited_process(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("starting\nbad model file\n")
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(2)"])
    process.wait()
    with pytest.raises(LLMUnavailableError, match=r"code 2.*bad model file"):
        wait_until_ready(f"http://127.0.0.1:{choose_port(1)}/v1", 30, process, log)


def test_wait_returns_the_served_models(stub):
    assert wait_until_ready(stub.base_url, 5) == ["stub-model"]
