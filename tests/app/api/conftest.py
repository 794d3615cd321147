"""Fixtures of the API tests: the tutor's scripted LLM, a streaming stub, and the app on each."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from corta.app.api import create_app
from corta.app.services import AgentServices
from tests.agents.tutor.scripted import Script
from tests.app.api.harness import services_on
from tests.helpers.streaming_stub_server import StreamingStubServer
from tests.helpers.stub_openai_server import StubServer


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def tutor_services(script: Script, tmp_path: Path) -> Iterator[AgentServices]:
    """Services whose LLM is the tutor's script (it answers the tutor's requests by their kind)."""
    with StubServer(responder=script) as stub:
        services = services_on(stub.base_url, stub.model, tmp_path)
        yield services
        services.store.close()


@pytest.fixture
def streaming_stub() -> Iterator[StreamingStubServer]:
    with StreamingStubServer(tokens=6) as stub:
        yield stub


@pytest.fixture
def llm_services(streaming_stub: StreamingStubServer, tmp_path: Path) -> Iterator[AgentServices]:
    """Services whose LLM streams fixed tokens that carry each request's marker."""
    services = services_on(streaming_stub.base_url, streaming_stub.model, tmp_path)
    yield services
    services.store.close()


@pytest.fixture
def tutor_app(tutor_services: AgentServices) -> FastAPI:
    return create_app(tutor_services)


@pytest.fixture
def llm_app(llm_services: AgentServices) -> FastAPI:
    return create_app(llm_services)
