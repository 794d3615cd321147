"""API keys: a fresh server answers only its own machine; from the first key on every request but health needs a
live key (bearer, X-API-Key or the login form's cookie); a caller sees only its own conversations."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from corta.app.api.auth import is_loopback
from corta.app.services import AgentServices
from tests.app.api.harness import REMOTE, local_client


def test_without_keys_this_machine_passes_and_others_are_refused(tutor_app: FastAPI):
    with local_client(tutor_app) as local, TestClient(tutor_app, client=REMOTE) as remote:
        assert local.get("/v1/models").status_code == 200
        refused = remote.get("/v1/models")
        assert remote.get("/healthz").json()["status"] == "ok"
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "no_api_keys"
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "corta keys create NAME" in refused.json()["error"]["message"]


def test_loopback_addresses_are_told_apart_from_others():
    assert all(map(is_loopback, ["127.0.0.1", "127.8.0.1", "::1", "::ffff:127.0.0.1"]))
    assert not any(map(is_loopback, ["10.0.0.1", "203.0.113.7", "::ffff:10.0.0.1", "testclient", "", None]))


def test_after_the_first_key_every_request_but_health_needs_a_live_key(
    tutor_services: AgentServices, tutor_app: FastAPI
):
    key_id, secret = tutor_services.store.create_api_key("notebook")
    with local_client(tutor_app) as client:
        missing = client.get("/v1/models")
        unknown_route = client.get("/nowhere")
        wrong = client.get("/v1/models", headers={"Authorization": "Bearer corta-not-a-key"})
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/models", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        assert client.get("/v1/models", headers={"X-API-Key": secret}).status_code == 200
        assert client.get("/v1/models", headers={"Cookie": f"corta_key={secret}"}).status_code == 200
        assert tutor_services.store.revoke_api_key(key_id)
        revoked = client.get("/v1/models", headers={"Authorization": f"Bearer {secret}"})
    assert [reply.status_code for reply in (missing, unknown_route, wrong, revoked)] == [401] * 4
    assert missing.json()["error"]["code"] == "missing_api_key"
    assert unknown_route.json()["error"]["code"] == "missing_api_key"
    assert wrong.json()["error"]["code"] == revoked.json()["error"]["code"] == "invalid_api_key"


def test_a_key_sees_and_continues_only_its_own_conversations(
    tutor_services: AgentServices, tutor_app: FastAPI
):
    _, alice = tutor_services.store.create_api_key("alice")
    _, bob = tutor_services.store.create_api_key("bob")
    with TestClient(tutor_app, client=REMOTE) as client:
        as_alice, as_bob = {"Authorization": f"Bearer {alice}"}, {"X-API-Key": bob}
        started = client.post("/api/tutor/ask", json={"message": "What is a list?"}, headers=as_alice).json()
        mine = started["conversation"]
        assert client.get(f"/api/conversations/{mine}", headers=as_alice).status_code == 200
        read = client.get(f"/api/conversations/{mine}", headers=as_bob)
        continued = client.post(
            "/api/tutor/ask", json={"message": "And a tuple?", "conversation": mine}, headers=as_bob
        )
        chat = client.post(
            "/v1/chat/completions",
            json={"model": "corta-tutor", "messages": [{"role": "user", "content": "And a set?"}]},
            headers={**as_bob, "X-Corta-Conversation": mine},
        )
        listed = client.get("/api/conversations", headers=as_bob).json()
    assert read.status_code == continued.status_code == chat.status_code == 404
    assert listed == [] and len(tutor_services.store.messages(mine)) == 2


def test_the_login_form_sets_the_cookie_for_the_ui(tutor_services: AgentServices, tutor_app: FastAPI):
    _, secret = tutor_services.store.create_api_key("browser")
    with TestClient(tutor_app, client=REMOTE, follow_redirects=False) as client:
        to_login = client.get("/ui/", headers={"Accept": "text/html"})
        form = client.get("/login?next=/ui/")
        refused = client.post("/login", data={"key": "corta-wrong", "next": "/ui/"})
        signed_in = client.post("/login", data={"key": secret, "next": "//evil.example/"})
        with_cookie = client.get("/api/conversations")
    assert to_login.status_code == 303 and to_login.headers["location"] == "/login?next=/ui/"
    assert form.status_code == 200 and 'name="key"' in form.text and 'value="/ui/"' in form.text
    assert refused.status_code == 401 and "not valid" in refused.text
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/ui"
    cookie = signed_in.headers["set-cookie"]
    assert (
        cookie.startswith(f"corta_key={secret};")
        and "HttpOnly" in cookie
        and "samesite=lax" in cookie.lower()
    )
    assert with_cookie.status_code == 200
