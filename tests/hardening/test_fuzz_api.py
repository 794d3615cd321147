"""Fuzzing the API's request bodies through the app (a scripted stub LLM behind it): every answer to any JSON body,
or to bytes that are not JSON, is a 2xx or 4xx with a JSON body (an event stream for a streamed 200), never a 500."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from corta.app.api import create_app
from tests.agents.tutor.scripted import Script
from tests.app.api.harness import local_client, services_on
from tests.hardening.fuzzing import count, fuzz_settings, json_values, mutated, unexpected
from tests.helpers.stub_openai_server import StubServer

TARGET = "api"
USER = [{"role": "user", "content": "What is a list?"}]
BODIES: dict[str, list[dict[str, Any]]] = {
    "/v1/chat/completions": [
        {
            "model": "corta-tutor",
            "messages": USER,
            "user": "fuzz-1",
            "corta": {"mode": "hint", "code": "x = [1]"},
        },
        {"model": "corta-llm", "messages": USER, "max_tokens": 8, "temperature": 0.5},
        {"model": "corta-modeler", "messages": USER, "corta": {"method": "cot", "time_limit_s": 1}},
        {"model": "corta-router", "messages": USER, "corta": {"instance_text": "NAME : x\n", "seconds": 0.1}},
    ],
    "/api/tutor/ask": [{"message": "What is a default argument?", "mode": "explain", "conversation": None}],
    "/api/model/solve": [
        {"problem": "Maximise 3x + 2y with x + y <= 4.", "method": "cot", "time_limit_s": 1}
    ],
    "/api/route/solve": [
        {"description": "Any plan.", "instance_text": "NAME : x\nnothing\n", "seconds": 0.1}
    ],
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with StubServer(responder=Script()) as stub:
        services = services_on(stub.base_url, stub.model, Path(tmp_path_factory.mktemp("fuzz-api")))
        with local_client(create_app(services)) as client:
            yield client
        services.store.close()


def _check(client: TestClient, route: str, content: bytes, streamed: bool) -> None:
    count(TARGET)
    reply = client.post(route, content=content, headers={"Content-Type": "application/json"})
    if reply.status_code >= 500:
        unexpected(TARGET, f"HTTP {reply.status_code}")
    kind = reply.headers.get("content-type", "")
    if streamed and reply.status_code == 200 and kind.startswith("text/event-stream"):
        return
    try:
        body = reply.json()
    except ValueError:
        unexpected(TARGET, "a body that is not JSON")
        raise AssertionError(f"{route} answered {reply.status_code} with {reply.text[:200]!r}") from None
    assert reply.status_code < 500, f"{route} answered {reply.status_code}: {body}"
    if reply.status_code >= 400:
        assert set(body) == {"error"} and body["error"]["message"].strip(), body


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize("route", list(BODIES))
@fuzz_settings(share=0.25)
@given(data=st.data())
def test_a_mutated_body_gets_a_json_answer_below_500(client: TestClient, route: str, data: st.DataObject):
    body = data.draw(st.sampled_from(BODIES[route]).flatmap(mutated) | json_values, label="body")
    _check(client, route, _dumps(body), streamed=isinstance(body, dict) and bool(body.get("stream")))


@pytest.mark.parametrize("route", list(BODIES))
@fuzz_settings(share=0.1)
@given(raw=st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_bytes_that_are_not_a_body_get_a_json_4xx(client: TestClient, route: str, raw: bytes):
    _check(client, route, raw, streamed=False)
