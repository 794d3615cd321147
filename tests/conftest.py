"""Shared fixtures: settings isolated per test, the tiny model's server for wiring tests, a scripted stub."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from corta.config import Settings
from corta.models.runtime.catalog import TINY_MODEL
from corta.models.runtime.embedded import EmbeddedServer
from corta.models.runtime.endpoint import Endpoint
from tests.helpers.stub_openai_server import StubServer


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose cache (server state, logs) is private to the test."""
    return Settings(cache_dir=tmp_path / "cache", llm_threads=1, llm_context=1024)


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """One llama.cpp server on SmolLM2-135M for the whole run: plumbing only, its answers are nonsense."""
    cache = tmp_path_factory.mktemp("tiny-cache")
    with EmbeddedServer(TINY_MODEL, Settings(cache_dir=cache, llm_threads=1, llm_context=2048)) as server:
        yield server


@pytest.fixture
def tiny_endpoint(tiny_server: EmbeddedServer) -> Endpoint:
    return tiny_server.endpoint()


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server
