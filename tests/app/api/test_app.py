"""What `create_app` puts together: health, the Gradio app mounted at /ui behind the keys, routers passed in (the
LTI tool's paths authenticate themselves), and fifty concurrent streams each getting its own reply whole."""

import asyncio
import json
from pathlib import Path

import gradio
import httpx
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from corta.app.api import create_app
from corta.app.services import AgentServices
from tests.app.api.harness import REMOTE, live_server, local_client, services_on
from tests.helpers.streaming_stub_server import StreamingStubServer, expected_reply


def test_health_names_the_served_model(llm_app: FastAPI):
    with TestClient(llm_app, client=REMOTE) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["model"] == "stream-stub" and health["engine"] == "url"


def test_the_ui_is_mounted_behind_the_keys_and_lti_routes_are_open(tutor_services: AgentServices):
    with gradio.Blocks() as ui:
        gradio.Markdown("Ask Molly")
    lti = APIRouter(prefix="/lti")

    @lti.get("/jwks")
    async def jwks() -> dict:
        return {"keys": []}

    app = create_app(tutor_services, ui=ui, routers=[lti])
    _, secret = tutor_services.store.create_api_key("browser")
    with TestClient(app, client=REMOTE) as client:
        page = client.get("/ui/", headers={"Authorization": f"Bearer {secret}"})
        refused = client.get("/ui/config")
        open_route = client.get("/lti/jwks")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert refused.status_code == 401
    assert open_route.json() == {"keys": []}


def test_fifty_concurrent_streams_each_get_their_own_whole_reply(tmp_path: Path):
    async def one(client: httpx.AsyncClient, marker: str) -> str:
        body = {
            "model": "corta-llm",
            "stream": True,
            "messages": [{"role": "user", "content": f"[marker:{marker}]"}],
        }
        text = ""
        async with client.stream("POST", "/v1/chat/completions", json=body) as reply:
            assert reply.status_code == 200
            async for line in reply.aiter_lines():
                if line.startswith("data: {"):
                    text += json.loads(line[6:])["choices"][0]["delta"].get("content", "")
        return text

    async def all_at_once(url: str) -> list[str]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
            return await asyncio.gather(*(one(client, f"m{number}") for number in range(50)))

    # The stub starts no reply before all fifty streams are open: through corta they must run together.
    with (
        StreamingStubServer(tokens=6, together=50) as stub,
        live_server(create_app(services_on(stub.base_url, stub.model, tmp_path))) as url,
    ):
        replies = asyncio.run(all_at_once(url))
    assert replies == [expected_reply(f"m{number}", 6) for number in range(50)]


def test_the_local_client_sees_the_docs(llm_app: FastAPI):
    with local_client(llm_app) as client:
        assert "/v1/chat/completions" in client.get("/openapi.json").json()["paths"]
