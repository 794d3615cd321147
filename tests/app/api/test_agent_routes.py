"""The JSON door: a tutor turn and its continuation, the caller's conversations and their history, the modeler's
and the router's contracts, the store's runs, and corta's errors as one sentence with the right status."""

from pathlib import Path

import pytest
from fastapi import FastAPI

from corta.app.api import create_app
from corta.app.services import AgentServices
from tests.agents.modeler.scripted import QUESTION, Policy
from tests.agents.router.scripted import Policy as RouterPolicy
from tests.agents.tutor.scripted import Script
from tests.app.api.harness import INSTANCE, local_client, services_on
from tests.helpers.stub_openai_server import StubServer


def test_a_tutor_turn_answers_and_its_conversation_continues(tutor_app: FastAPI, script: Script):
    with local_client(tutor_app) as client:
        first = client.post("/api/tutor/ask", json={"message": "What is a default argument?"}).json()
        second = client.post(
            "/api/tutor/ask",
            json={
                "message": "And a keyword argument?",
                "mode": "hint",
                "conversation": first["conversation"],
            },
        ).json()
        history = client.get(f"/api/conversations/{first['conversation']}").json()
    assert set(first) == {"conversation", "answer", "sources", "mode", "intent", "rounds", "status"}
    assert (
        first["answer"] == "Give the parameter a default, like `def f(a=1)` [1]."
        and first["status"] == "answered"
    )
    assert [source["title"] for source in first["sources"]] == [
        "Default Argument Values",
        "Function definitions",
    ]
    assert second["conversation"] == first["conversation"] and second["mode"] == "hint"
    assert history["title"] == "What is a default argument?"
    assert [(m["role"], m["content"]) for m in history["messages"]][::2] == [
        ("user", "What is a default argument?"),
        ("user", "And a keyword argument?"),
    ]
    assert history["messages"][2]["meta"]["mode"] == "hint" and history["messages"][3]["meta"]["sources"]
    assert "Learner: What is a default argument?" in script.prompts_of("draft")[-1]


def test_the_conversations_are_listed_most_recent_first(tutor_app: FastAPI):
    with local_client(tutor_app) as client:
        older = client.post("/api/tutor/ask", json={"message": "What is a list?"}).json()["conversation"]
        newer = client.post("/api/tutor/ask", json={"message": "What is a dict?"}).json()["conversation"]
        assert [item["id"] for item in client.get("/api/conversations").json()] == [newer, older]
        client.post("/api/tutor/ask", json={"message": "And a tuple?", "conversation": older})
        listed = client.get("/api/conversations").json()
    assert [item["id"] for item in listed] == [older, newer]
    assert listed[0] | {"created": 0, "updated": 0} == {
        "id": older, "agent": "tutor", "title": "What is a list?", "created": 0, "updated": 0,
    }  # fmt: skip


def test_the_modeler_gives_its_contract_and_the_latex(tmp_path: Path):
    with (
        StubServer(responder=Policy()) as stub,
        local_client(create_app(services_on(stub.base_url, stub.model, tmp_path))) as client,
    ):
        reply = client.post("/api/model/solve", json={"problem": QUESTION, "method": "cot"})
    body = reply.json()
    assert reply.status_code == 200
    assert set(body) == {"status", "objective", "model", "values", "message", "search", "latex"}
    assert body["status"] == "optimal" and body["objective"] == pytest.approx(121)
    assert body["search"]["method"] == "cot" and body["search"]["policy_calls"] == 1
    assert body["latex"].startswith("\\begin{aligned}\n\\max")


def test_a_method_whose_reward_model_is_missing_is_a_400_sentence(tutor_app: FastAPI):
    with local_client(tutor_app) as client:
        reply = client.post("/api/model/solve", json={"problem": QUESTION, "method": "bpp", "prm": "scorer"})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "config" and reply.json()["error"]["message"].endswith(".")


def test_the_router_plans_for_an_instance_text_and_a_bad_one_is_a_400(tmp_path: Path):
    if not INSTANCE.is_file():
        pytest.skip(f"RoutBench data not at {INSTANCE}")
    policy = RouterPolicy(["same_vehicle.apart"], {"same_vehicle.apart": {"groups": [[7, 8]]}})
    with (
        StubServer(responder=policy) as stub,
        local_client(create_app(services_on(stub.base_url, stub.model, tmp_path))) as client,
    ):
        reply = client.post(
            "/api/route/solve",
            json={
                "description": "Nodes [7, 8] must not be on the same route.",
                "instance_text": INSTANCE.read_text(),
                "seconds": 1.0,
                "rounds": 1,
            },
        )
        broken = client.post(
            "/api/route/solve",
            json={"description": "Any plan.", "instance_text": "NAME : x\nnothing else\n"},
        )
    body = reply.json()
    assert reply.status_code == 200 and body["feasible"] is True
    assert {
        "routes",
        "cost",
        "violations",
        "code",
        "rounds",
        "constraints",
        "selected_by",
        "findings",
    } <= set(body)
    assert [item["template"] for item in body["constraints"]] == ["same_vehicle.apart"]
    assert not any(7 in route and 8 in route for route in body["routes"])
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "instance"
    assert "corta-instance-" not in broken.json()["error"]["message"]


def test_the_runs_of_the_store_are_listed(tutor_services: AgentServices, tutor_app: FastAPI):
    run = tutor_services.store.start_run("evaluation", {"bench": "nl4opt"})
    tutor_services.store.finish_run(run, {"accuracy": 0.5})
    with local_client(tutor_app) as client:
        runs = client.get("/api/runs").json()
    assert [(item["id"], item["status"], item["result"]) for item in runs] == [
        (run, "done", {"accuracy": 0.5})
    ]
