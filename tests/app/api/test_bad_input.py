"""Bad input gets the right 4xx and one JSON sentence: malformed or misshapen bodies, wrong models, oversized
bodies (declared or streamed), unknown routes and conversations; an LLM that is down is a 503, and even an internal
bug answers a JSON sentence, never a traceback."""

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from corta.app.api import create_app
from corta.app.services import AgentServices
from tests.app.api.harness import local_client, services_on

CHAT = "/v1/chat/completions"
USER = [{"role": "user", "content": "What is a list?"}]


def error_of(reply) -> dict:
    body = reply.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code"}
    assert body["error"]["message"].endswith((".", "?")) and "Traceback" not in body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ('{"model": "corta-llm", "messages": [', 400, "invalid_json", "The request body is not valid JSON"),
        ("[1, 2]", 422, "invalid_request", "The request body must be a JSON object."),
        ('{"model": "corta-llm"}', 422, "invalid_request", "The field messages is missing."),
        (json.dumps({"model": "corta-llm", "messages": []}), 422, "invalid_request", "The field messages is invalid"),
        (json.dumps({"model": "corta-llm", "messages": USER, "n": 2}), 422, "invalid_request", "The field n is"),
        (
            json.dumps({"model": "corta-llm", "messages": [{"role": "wizard", "content": "hi"}]}),
            422, "invalid_request", "The field messages[0].role is invalid",
        ),
        (
            json.dumps({"model": "corta-tutor", "messages": USER, "corta": {"mode": "solve"}}),
            422, "invalid_request", "The field corta.mode is invalid",
        ),
        (
            json.dumps({"model": "corta-tutor", "messages": USER, "corta": {"colour": "red"}}),
            422, "invalid_request", "The field corta.colour is invalid",
        ),
        (json.dumps({"model": "gpt-4o", "messages": USER}), 404, "model_not_found", "There is no model 'gpt-4o'"),
        (
            json.dumps({"model": "corta-tutor", "messages": USER, "user": "Ada Lovelace"}),
            422, "invalid_request", "The field user is invalid: string should match pattern",
        ),
        (
            json.dumps({"model": "corta-tutor", "messages": [{"role": "system", "content": "Be kind."}]}),
            400, "no_user_message", "The messages hold no user message",
        ),
        (
            json.dumps({"model": "corta-router", "messages": USER}),
            400, "instance_required", "corta-router needs an instance",
        ),
    ],
)  # fmt: skip
def test_a_bad_chat_request_is_refused_with_one_sentence(
    tutor_app: FastAPI, body: str, status: int, code: str, message: str
):
    with local_client(tutor_app) as client:
        reply = client.post(CHAT, content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == status
    error = error_of(reply)
    assert error["code"] == code and error["message"].startswith(message), error["message"]


def test_a_too_long_field_names_the_field_and_the_limit(tutor_app: FastAPI):
    with local_client(tutor_app) as client:
        reply = client.post("/api/tutor/ask", json={"message": "x" * 20_001})
    assert reply.status_code == 422
    assert error_of(reply)["message"] == (
        "The field message is invalid: string should have at most 20000 characters."
    )


def test_bodies_over_the_limit_are_refused_whether_declared_or_streamed(tutor_services: AgentServices):
    app = create_app(tutor_services, max_body_bytes=2000)
    body = json.dumps({"model": "corta-llm", "messages": [{"role": "user", "content": "x" * 3000}]}).encode()

    def pieces(data: bytes) -> Iterator[bytes]:
        yield from (data[start : start + 500] for start in range(0, len(data), 500))

    with local_client(app) as client:
        declared = client.post(CHAT, content=body, headers={"Content-Type": "application/json"})
        streamed = client.post(CHAT, content=pieces(body), headers={"Content-Type": "application/json"})
        small = client.post(
            "/api/tutor/ask", content=pieces(json.dumps({"message": ""}).encode()),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
    assert declared.status_code == streamed.status_code == 413
    assert error_of(streamed)["message"] == "The request body is larger than the limit of 2000 bytes."
    # A streamed body within the limit reaches the route whole (here the tutor refuses an empty question).
    assert small.status_code == 400 and error_of(small)["message"].startswith("The question is empty")


def test_unknown_routes_methods_and_conversations_are_json_404s_and_405s(tutor_app: FastAPI):
    with local_client(tutor_app) as client:
        route = client.get("/v2/everything")
        method = client.delete("/healthz")
        conversation = client.get("/api/conversations/abc123")
        continued = client.post("/api/tutor/ask", json={"message": "Hi", "conversation": "abc123"})
        malformed_id = client.get("/api/conversations/not a valid id!")
        header = client.post(CHAT, json={"model": "corta-tutor", "messages": USER},
                             headers={"X-Corta-Conversation": "x" * 65})  # fmt: skip
    assert (route.status_code, error_of(route)["message"]) == (404, "There is no route GET /v2/everything.")
    assert (method.status_code, error_of(method)["code"]) == (405, "method_not_allowed")
    assert (conversation.status_code, error_of(conversation)["message"]) == (
        404,
        "There is no conversation 'abc123'.",
    )
    assert continued.status_code == 404 and error_of(continued)["code"] == "conversation_not_found"
    assert malformed_id.status_code == 422 and error_of(malformed_id)["message"].startswith(
        "The path parameter id"
    )
    assert header.status_code == 422 and "header" in error_of(header)["message"]


def test_an_llm_that_cannot_be_reached_is_a_503(tmp_path: Path):
    app = create_app(services_on("http://127.0.0.1:9/v1", "nothing", tmp_path))
    with local_client(app) as client:
        tutor = client.post("/api/tutor/ask", json={"message": "What is a list?"})
        served = client.post(CHAT, json={"model": "corta-llm", "messages": USER})
    assert tutor.status_code == served.status_code == 503
    assert error_of(tutor)["code"] == "llm_unavailable" and "cannot be reached" in error_of(tutor)["message"]


def test_an_internal_bug_is_a_logged_500_with_a_sentence(
    tutor_services: AgentServices,
    tutor_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    def broken(*args: object, **kwargs: object) -> list:
        raise RuntimeError("a bug")

    monkeypatch.setattr(tutor_services.store, "runs", broken)
    with caplog.at_level(logging.ERROR, logger="corta"), local_client(tutor_app) as client:
        reply = client.get("/api/runs")
    assert reply.status_code == 500
    assert error_of(reply) == {
        "message": "The server failed on this request; the error is in its log.",
        "type": "server_error",
        "code": "internal_error",
    }
    assert "RuntimeError: a bug" in caplog.text
