"""The embedded llama.cpp server: start, reuse, another port when taken, one restart after a crash, stop."""

import json
import os
import signal
import socket

import pytest

from corta.errors import LLMUnavailableError
from corta.models.llm import LLM
from corta.models.runtime.catalog import TINY_MODEL
from corta.models.runtime.embedded import EmbeddedServer, choose_threads, llama_server_command
from corta.models.runtime.health import served_models


@pytest.mark.parametrize(
    ("cpus", "load", "expected"), [(2, 0.0, 2), (2, 1.0, 1), (2, 1.6, 1), (2, 3.5, 1), (8, 2.2, 6)]
)
def test_threads_leave_busy_cores_alone(cpus, load, expected):
    assert choose_threads(cpus, load) == expected


def test_server_command_binds_loopback_with_the_alias(tmp_path):
    command = llama_server_command(tmp_path / "m.gguf", "alias", 9000, 2, 2048)
    assert command[1:3] == ["-m", "llama_cpp.server"]
    pairs = dict(zip(command[3::2], command[4::2], strict=True))
    assert (
        pairs["--host"] == "127.0.0.1" and pairs["--model_alias"] == "alias" and pairs["--n_threads"] == "2"
    )


def test_start_reuse_and_stop(settings):
    with EmbeddedServer(TINY_MODEL, settings) as first:
        assert first.owned
        state = json.loads((settings.cache_dir / "servers" / f"{TINY_MODEL.name}.json").read_text())
        assert state["port"] == first.port
        second = EmbeddedServer(TINY_MODEL, settings)
        assert second.endpoint().base_url == first.base_url
        assert not second.owned
        second.stop()  # forgetting a reused server leaves it running
        assert served_models(first.base_url) == [TINY_MODEL.name]
        pid, base_url = first.process.pid, first.base_url
    assert served_models(base_url) is None
    assert not (settings.cache_dir / "servers" / f"{TINY_MODEL.name}.json").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_port_in_use_moves_to_another_port(settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        with EmbeddedServer(TINY_MODEL, settings.model_copy(update={"llm_port": busy_port})) as server:
            assert server.port != busy_port
            assert served_models(server.base_url) == [TINY_MODEL.name]


def test_crashed_server_is_restarted_once_then_reported(settings):
    with EmbeddedServer(TINY_MODEL, settings) as server:
        llm = LLM(server.endpoint(), timeout_s=60)
        os.killpg(server.process.pid, signal.SIGKILL)
        assert llm.chat("Say hi.", max_tokens=4)  # restarted transparently
        os.killpg(server.process.pid, signal.SIGKILL)
        with pytest.raises(LLMUnavailableError, match="cannot be reached"):
            llm.chat("Say hi.", max_tokens=4)
