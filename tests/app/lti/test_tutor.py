"""The learner's tutor page after a launch: questions answered with sources in the session's conversation, the
course's hint-only mode enforced by the server, and bad calls refused with one sentence."""

from fastapi.testclient import TestClient

from corta.app.lti.course import TutorSettings
from tests.agents.tutor.scripted import Script
from tests.app.lti.flow import launch, session_of
from tests.helpers.lti_platform import LtiPlatform


def test_a_learner_asks_and_the_conversation_continues(client: TestClient, platform: LtiPlatform, services):
    session = session_of(launch(client, platform))
    first = client.post(f"/lti/tutor/{session}/ask", json={"message": "How do I give a parameter a default?"})
    assert first.status_code == 200
    answer = first.json()
    assert answer["answer"] == "Give the parameter a default, like `def f(a=1)` [1]."
    assert answer["mode"] == "explain" and answer["sources"][0]["title"] == "Default Argument Values"
    second = client.post(
        f"/lti/tutor/{session}/ask",
        json={"message": "And with a list?", "code": "def f(a=[]): pass", "mode": "hint"},
    )
    assert second.status_code == 200 and second.json()["conversation"] == answer["conversation"]
    conversation = services.store.conversation(answer["conversation"])
    assert conversation.owner == f"lti:{platform.issuer}:user-42" and conversation.title == "Ask Molly"
    history = services.store.messages(answer["conversation"])
    assert [message.role for message in history] == ["user", "assistant", "user", "assistant"]
    assert history[2].meta == {"mode": "hint", "code": "def f(a=[]): pass", "error": ""}
    page = client.get(f"/lti/tutor/{session}")
    assert "And with a list?" in page.text and 'name="mode"' in page.text


def test_a_hint_only_course_refuses_explanations(
    client: TestClient, platform: LtiPlatform, services, script: Script
):
    platform.registration(defaults=TutorSettings(mode="hint")).save(services.store)
    session = session_of(launch(client, platform))
    assert 'name="mode"' not in client.get(f"/lti/tutor/{session}").text
    refused = client.post(
        f"/lti/tutor/{session}/ask", json={"message": "Just show me the solution.", "mode": "explain"}
    )
    assert refused.status_code == 403 and "hints only" in refused.json()["error"]["message"]
    assert script.requests == []
    hinted = client.post(f"/lti/tutor/{session}/ask", json={"message": "How do defaults work?"})
    assert hinted.status_code == 200 and hinted.json()["mode"] == "hint"


def test_a_learner_cannot_enter_another_session(client: TestClient, platform: LtiPlatform):
    launch(client, platform)
    assert client.get("/lti/tutor/not-a-session").status_code == 404
    response = client.post("/lti/tutor/not-a-session/ask", json={"message": "Hi"})
    assert response.status_code == 404 and "unknown or expired" in response.json()["error"]["message"]


def test_bad_ask_calls_are_refused_with_one_sentence(
    client: TestClient, platform: LtiPlatform, script: Script
):
    ask = f"/lti/tutor/{session_of(launch(client, platform))}/ask"
    cases = [
        (
            client.post(ask, content=b"{not json", headers={"Content-Type": "application/json"}),
            400,
            "not JSON",
        ),
        (client.post(ask, json=["a list"]), 400, "JSON object"),
        (client.post(ask, json={"message": 42}), 400, "JSON object"),
        (client.post(ask, json={"message": "Hi", "mode": "solve"}), 400, "mode"),
        (client.post(ask, json={"message": "   "}), 400, "empty"),
        (client.post(ask, json={"message": "x" * 70_000}), 413, "larger than"),
    ]
    for response, status, words in cases:
        assert response.status_code == status and words in response.json()["error"]["message"]
    assert script.requests == []


def test_an_unreachable_model_is_one_sentence(client: TestClient, platform: LtiPlatform, services):
    session = session_of(launch(client, platform))
    services.llm.endpoint.base_url = "http://127.0.0.1:9/v1"
    response = client.post(f"/lti/tutor/{session}/ask", json={"message": "How do defaults work?"})
    assert response.status_code == 503 and response.json()["error"]["message"]
