"""The vLLM launcher: its command line, and the health wait against a stand-in `vllm` executable."""

import itertools
import os
import stat
import sys
from pathlib import Path

import pytest

from corta.errors import LLMUnavailableError
from corta.models.runtime.vllm import VllmServer, vllm_serve_command

STUB = Path(__file__).parents[2] / "helpers" / "stub_openai_server.py"


def options(command: list[str]) -> dict[str, str]:
    return {flag: value for flag, value in itertools.pairwise(command) if flag.startswith("--")}


def test_single_gpu_command():
    command = vllm_serve_command("/models/qwen", 8000, "qwen")
    assert command[:3] == ["vllm", "serve", "/models/qwen"]
    flags = options(command)
    assert flags["--port"] == "8000" and flags["--served-model-name"] == "qwen"
    assert flags["--tensor-parallel-size"] == "1" and "--distributed-executor-backend" not in flags
    assert "--enable-prefix-caching" in command


def test_multi_node_pipeline_uses_ray_and_gguf_takes_a_tokenizer():
    command = vllm_serve_command(
        "model.gguf",
        8000,
        "m",
        host="0.0.0.0",
        tensor_parallel_size=8,
        pipeline_parallel_size=2,
        tokenizer="Qwen/Q",
    )
    flags = options(command)
    assert flags["--tensor-parallel-size"] == "8" and flags["--pipeline-parallel-size"] == "2"
    assert flags["--distributed-executor-backend"] == "ray" and flags["--tokenizer"] == "Qwen/Q"
    assert flags["--host"] == "0.0.0.0"


def test_parallel_sizes_must_be_positive():
    with pytest.raises(ValueError):
        vllm_serve_command("m", 8000, "m", tensor_parallel_size=0)


def fake_vllm(folder: Path, body: str) -> str:
    """An executable named like vllm that runs `body` with the port and model name vllm would get."""
    path = folder / "vllm"
    path.write_text(f"#!/bin/sh\n# vllm serve MODEL --host H --port P --served-model-name NAME ...\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_start_waits_until_the_server_lists_the_model(settings, tmp_path):
    executable = fake_vllm(
        tmp_path,
        f'PYTHONPATH={STUB.parents[2]} exec {sys.executable} {STUB} --port "$6" --model "$8" --delay 1.5',
    )
    server = VllmServer("/models/my-model", settings, executable=executable)
    try:
        endpoint = server.start()
        assert endpoint.model == "my-model" and endpoint.structured_output == "openai"
        assert endpoint.base_url == f"http://127.0.0.1:{server.port}/v1"
    finally:
        server.stop()
    assert not server.process.alive()


def test_a_server_that_dies_is_reported_with_its_log(settings, tmp_path):
    executable = fake_vllm(tmp_path, 'echo "CUDA out of memory" >&2; exit 3')
    server = VllmServer("m", settings, executable=executable)
    with pytest.raises(LLMUnavailableError, match=r"exited with code 3.*CUDA out of memory"):
        server.start()


def test_missing_vllm_names_the_extra(settings, monkeypatch):
    monkeypatch.setenv("PATH", os.devnull)
    with pytest.raises(LLMUnavailableError, match=r"corta\[gpu\]"):
        VllmServer("m", settings)
