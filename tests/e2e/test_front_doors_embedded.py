"""The HTTP API on the real embedded model, as `corta serve` runs it: health, the agents listed, and the served model
streamed through `/v1/chat/completions` to the `openai` client."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from tests.helpers.serving import free_port, wait_until_healthy

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`corta serve --no-ui` on the embedded model, on a free loopback port, with a store of its own."""
    port = free_port()
    cache = tmp_path_factory.mktemp("serve-cache")
    models = (
        Path.home() / ".cache" / "corta" / "models"
    )  # the assembled model, shared with the other e2e tests
    env = {**os.environ, "CORTA_CACHE_DIR": str(cache)}
    if models.is_dir():  # else the server assembles the model into this cache, as on a fresh machine
        (cache / "models").symlink_to(models, target_is_directory=True)
    log = cache / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "corta.cli", "serve", "--no-ui", "--port", str(port)],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_healthy(server, f"http://127.0.0.1:{port}/healthz", log, timeout_s=300)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_agents_are_listed_and_the_served_model_streams_its_answer(api_url: str) -> None:
    client = OpenAI(base_url=api_url + "/v1", api_key="not-needed-on-loopback-before-the-first-key")
    assert {model.id for model in client.models.list()} >= {"corta-tutor", "corta-modeler", "corta-router"}
    stream = client.chat.completions.create(
        model="corta-llm",
        messages=[{"role": "user", "content": "What is 17*3? Answer with the number only."}],
        stream=True,
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert "".join(pieces).strip() == "51"
    assert len([piece for piece in pieces if piece]) >= 1
