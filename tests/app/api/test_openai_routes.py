"""The OpenAI-compatible door through OpenAI's own client against uvicorn on 127.0.0.1: the model list, the served
model and the tutor, streamed and not; the modeler and the router as chat models on scripted LLMs."""

import threading
import time
from pathlib import Path

import httpx
import openai
import pytest
from fastapi import FastAPI

from corta.app.api import create_app
from corta.app.services import AgentServices
from tests.agents.modeler.scripted import QUESTION, Policy
from tests.agents.router.scripted import Policy as RouterPolicy
from tests.agents.tutor.scripted import Script
from tests.app.api.harness import INSTANCE, live_server, local_client, services_on
from tests.helpers.streaming_stub_server import StreamingStubServer, expected_reply
from tests.helpers.stub_openai_server import StubServer

ANSWER = "Give the parameter a default, like `def f(a=1)` [1]."
SOURCES = (
    "Sources:\n[1] Default Argument Values (tutorial/controlflow.rst > 4.8.1 Default Argument Values)\n"
    "[2] Function definitions (reference/compound_stmts.rst > 8.7 Function definitions)"
)


def client_for(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused-on-loopback", max_retries=0, timeout=120)


def test_the_models_are_the_agents_and_the_served_model(
    llm_app: FastAPI, streaming_stub: StreamingStubServer
):
    with live_server(llm_app) as url:
        models = {model.id: model for model in client_for(url).models.list()}
    assert list(models) == ["corta-tutor", "corta-modeler", "corta-router", "corta-llm"]
    assert models["corta-llm"].model_extra["root"] == streaming_stub.model


def test_the_served_model_answers_whole_and_streamed(llm_app: FastAPI, streaming_stub: StreamingStubServer):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi [marker:m1]"}]
    with live_server(llm_app) as url:
        client = client_for(url)
        whole = client.chat.completions.create(model="corta-llm", messages=messages)
        stream = client.chat.completions.create(
            model="corta-llm", messages=messages, stream=True, max_tokens=64
        )
        chunks = list(stream)
    assert whole.choices[0].message.content == expected_reply("m1", 6)
    pieces = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices[0].delta.content]
    assert pieces == ["<m1>", " t0", " t1", " t2", " t3", " t4", " t5"]
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].choices[0].finish_reason == "stop"
    # The messages reach the served model as they were sent.
    assert (
        streaming_stub.requests[-1]["messages"] == messages
        and streaming_stub.requests[-1]["max_tokens"] == 64
    )


def test_the_tutor_answers_with_numbered_sources_and_continues_its_conversation(
    tutor_app: FastAPI, tutor_services: AgentServices, script: Script
):
    with live_server(tutor_app) as url:
        client = client_for(url)
        raw = client.chat.completions.with_raw_response.create(
            model="corta-tutor", messages=[{"role": "user", "content": "What is a default argument?"}]
        )
        first = raw.parse()
        conversation = raw.headers["X-Corta-Conversation"]
        second = client.chat.completions.create(
            model="corta-tutor",
            messages=[{"role": "user", "content": "And a keyword argument?"}],
            extra_headers={"X-Corta-Conversation": conversation},
            extra_body={"corta": {"mode": "hint"}},
        )
    assert first.choices[0].message.content == f"{ANSWER}\n\n{SOURCES}"
    assert (
        first.model_extra["corta"]["conversation"]
        == conversation
        == second.model_extra["corta"]["conversation"]
    )
    assert (
        first.model_extra["corta"]["status"] == "answered" and second.model_extra["corta"]["mode"] == "hint"
    )
    history = tutor_services.store.messages(conversation)
    assert [(m.role, m.content) for m in history][::2] == [
        ("user", "What is a default argument?"),
        ("user", "And a keyword argument?"),
    ]
    assert "Learner: What is a default argument?" in script.prompts_of("draft")[-1]


def test_the_tutor_streams_its_reply_after_its_steps_and_the_user_field_names_the_thread(
    tutor_app: FastAPI, tutor_services: AgentServices, script: Script
):
    with live_server(tutor_app) as url:
        client = client_for(url)
        for question in ("What is a default argument?", "And a keyword argument?"):
            chunks = list(
                client.chat.completions.create(
                    model="corta-tutor",
                    messages=[{"role": "user", "content": question}],
                    user="thread-7",
                    stream=True,
                )
            )
    content = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert content == f"{ANSWER}\n\n{SOURCES}"
    assert len([chunk for chunk in chunks if chunk.choices[0].delta.content]) > 3  # sent in pieces
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.model_extra["corta"]["conversation"] == "thread-7"
    assert [source["title"] for source in last.model_extra["corta"]["sources"]] == [
        "Default Argument Values",
        "Function definitions",
    ]
    assert len(tutor_services.store.messages("thread-7")) == 4
    assert "Learner: What is a default argument?" in script.prompts_of("draft")[-1]


def test_the_modeler_replies_with_status_objective_latex_and_values(tmp_path: Path):
    with StubServer(responder=Policy()) as stub:
        app = create_app(services_on(stub.base_url, stub.model, tmp_path))
        with local_client(app) as client:
            body = {
                "model": "corta-modeler",
                "messages": [{"role": "user", "content": QUESTION}],
                "corta": {"method": "cot"},
            }
            whole = client.post("/v1/chat/completions", json=body).json()
            streamed = client.post("/v1/chat/completions", json={**body, "stream": True}).text
    text = whole["choices"][0]["message"]["content"]
    assert text.startswith("Status: optimal. Objective: 121.")
    assert "$$\n\\begin{aligned}\n\\max" in text and "- cakes = 13" in text and "- pies = 14" in text
    assert whole["corta"]["status"] == "optimal" and whole["corta"]["latex"].startswith("\\begin{aligned}")
    assert streamed.endswith("data: [DONE]\n\n") and '"finish_reason": "stop"' in streamed


def test_the_router_plans_routes_for_an_instance_sent_as_text(tmp_path: Path):
    if not INSTANCE.is_file():
        pytest.skip(f"RoutBench data not at {INSTANCE}")
    policy = RouterPolicy(
        ["same_vehicle.apart", "priority.strict"],
        {"same_vehicle.apart": {"groups": [[7, 8]]}, "priority.strict": {"levels": [[7], [5], [3]]}},
    )
    description = "Nodes [7, 8] must not be on the same route. Nodes [7, 5, 3] are priority nodes with strictly " \
        "decreasing priority levels: [7] (highest), [5], and [3] (lowest)."  # fmt: skip
    with StubServer(responder=policy) as stub:
        app = create_app(services_on(stub.base_url, stub.model, tmp_path))
        with local_client(app) as client:
            reply = client.post(
                "/v1/chat/completions",
                json={
                    "model": "corta-router",
                    "messages": [{"role": "user", "content": description}],
                    "corta": {"instance_text": INSTANCE.read_text(), "seconds": 1.0},
                },
            ).json()
    text = reply["choices"][0]["message"]["content"]
    assert text.startswith("The plan honours every constraint.") and "1. depot → " in text
    routes = reply["corta"]["routes"]
    assert sorted(node for route in routes for node in route) == list(range(1, 26))
    assert not any(7 in route and 8 in route for route in routes)


def test_a_stream_whose_llm_cannot_be_reached_is_a_503_or_an_error_event(tmp_path: Path):
    services = services_on("http://127.0.0.1:9/v1", "nothing", tmp_path)
    app = create_app(services)
    messages = [{"role": "user", "content": "What is a default argument?"}]
    with live_server(app) as url:
        client = client_for(url)
        with pytest.raises(openai.InternalServerError, match="cannot be reached") as served:
            client.chat.completions.create(model="corta-llm", messages=messages, stream=True)
        with pytest.raises(openai.APIError, match="cannot be reached"):
            list(client.chat.completions.create(model="corta-tutor", messages=messages, stream=True))
        with pytest.raises(openai.InternalServerError, match="cannot be reached") as tutor:
            client.chat.completions.create(model="corta-tutor", messages=messages)
    assert served.value.status_code == 503 and tutor.value.status_code == 503


def test_a_tutor_turn_whose_client_left_mid_stream_is_still_recorded(tmp_path: Path):
    script, release = Script(), threading.Event()

    def slow_draft(body: dict) -> str:
        if "Read the learner's message" not in body["messages"][-1]["content"] and not release.is_set():
            release.wait(timeout=60)  # the draft waits until the client has gone
        return script(body)

    with StubServer(responder=slow_draft) as stub:
        services = services_on(stub.base_url, stub.model, tmp_path)
        with live_server(create_app(services)) as url:
            body = {
                "model": "corta-tutor",
                "stream": True,
                "messages": [{"role": "user", "content": "What is a set?"}],
            }
            with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=60) as reply:
                conversation = reply.headers["X-Corta-Conversation"]
                next(reply.iter_lines())  # the first chunk, then the client hangs up
            time.sleep(1)  # let the server notice the disconnection before the turn goes on
            release.set()
            deadline = time.monotonic() + 60
            while len(services.store.messages(conversation)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
    assert [m.role for m in services.store.messages(conversation)] == ["user", "assistant"]
