"""The LTI tool on a FastAPI app of its own, a self-made platform registered with it, and the tutor on a scripted LLM
and a fixed retriever."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from corta.agents.tutor.agent import Tutor
from corta.app.lti.router import build_lti_router
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.models.runtime.endpoint import Endpoint
from tests.agents.tutor.scripted import FixedRetriever, Script
from tests.helpers.lti_platform import LtiPlatform
from tests.helpers.stub_openai_server import StubServer


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def services(script: Script, tmp_path: Path) -> Iterator[AgentServices]:
    with StubServer(responder=script) as server:
        endpoint = Endpoint(base_url=server.base_url, model=server.model, engine="url")
        services = AgentServices(
            Settings(cache_dir=tmp_path / "cache"), endpoint, Store(tmp_path / "s.sqlite")
        )
        services.tutor = Tutor(services.llm, FixedRetriever(), services.store.checkpointer())
        yield services
        services.store.close()


@pytest.fixture
def platform(services: AgentServices) -> Iterator[LtiPlatform]:
    with LtiPlatform() as platform:
        platform.registration().save(services.store)
        yield platform


@pytest.fixture
def client(services: AgentServices, platform: LtiPlatform) -> TestClient:
    app = FastAPI()
    app.include_router(build_lti_router(services))
    client = TestClient(app)
    platform.tool_jwks = client.get("/lti/jwks").json()
    return client
