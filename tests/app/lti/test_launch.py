"""The launch: accepted only with the login's state (once), a signature from the platform's published key, the right
issuer, audience, times, nonce (once), deployment, version and message; every other launch is refused with the
status that says why, never a 500."""

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corta.app.lti import claims
from tests.app.lti.flow import launch, login, session_of
from tests.helpers.lti_platform import LtiPlatform, new_key


def test_a_learner_launch_opens_the_tutor_in_a_new_window(client: TestClient, platform: LtiPlatform):
    page = launch(client, platform)
    assert page.status_code == 200
    assert 'target="_blank"' in page.text and "window.open(" in page.text
    assert page.headers["content-security-policy"].endswith(f"frame-ancestors {platform.issuer}")
    tutor = client.get(f"/lti/tutor/{session_of(page)}")
    assert tutor.status_code == 200 and "Ask Molly" in tutor.text and "Python 101" in tutor.text
    assert "frame-ancestors 'none'" in tutor.headers["content-security-policy"]


def test_a_platform_that_allows_frames_gets_the_tutor_in_the_frame(
    client: TestClient, platform: LtiPlatform, services
):
    platform.registration(defaults={"iframe": True}, frame_origins=["https://school.example.edu"]).save(
        services.store
    )
    page = launch(client, platform)
    assert page.status_code == 200 and 'id="ask"' in page.text and "window.open(" not in page.text
    assert "frame-ancestors https://school.example.edu" in page.headers["content-security-policy"]
    ask = re.search(r'data-ask="([^"]+)"', page.text).group(1)
    assert client.post(ask, json={"message": "How do defaults work?"}).status_code == 200
    tutor = client.get(ask.removesuffix("/ask"))
    assert "frame-ancestors https://school.example.edu" in tutor.headers["content-security-policy"]


def test_the_platforms_keys_are_fetched_once_and_again_after_a_rotation(
    client: TestClient, platform: LtiPlatform
):
    assert launch(client, platform).status_code == 200
    assert launch(client, platform).status_code == 200
    assert platform.jwks_fetches == 1
    platform.rotate_key()
    assert launch(client, platform).status_code == 200
    assert platform.jwks_fetches == 2


def test_a_replayed_launch_is_refused(client: TestClient, platform: LtiPlatform):
    authorization = login(client, platform)
    form = {"id_token": platform.id_token(authorization["nonce"]), "state": authorization["state"]}
    assert client.post("/lti/launch", data=form).status_code == 200
    replay = client.post("/lti/launch", data=form)
    assert replay.status_code == 401 and "already used" in replay.text


def test_a_token_with_another_logins_nonce_is_refused(client: TestClient, platform: LtiPlatform):
    first, second = login(client, platform), login(client, platform)
    form = {"id_token": platform.id_token(first["nonce"]), "state": second["state"]}
    response = client.post("/lti/launch", data=form)
    assert response.status_code == 401 and "nonce" in response.text


def test_a_nonce_spent_once_is_refused_even_under_a_fresh_state(
    client: TestClient, platform: LtiPlatform, services
):
    authorization = login(client, platform)
    id_token = platform.id_token(authorization["nonce"])
    assert (
        client.post("/lti/launch", data={"id_token": id_token, "state": authorization["state"]}).status_code
        == 200
    )
    # A state that promises the same nonce again (as a second tool instance sharing the store could hold).
    services.store.save_state(
        "login:replayed",
        {"issuer": platform.issuer, "client_id": platform.client_id, "nonce": authorization["nonce"],
         "target_link_uri": "http://testserver/lti/launch"},
    )  # fmt: skip
    response = client.post("/lti/launch", data={"id_token": id_token, "state": "replayed"})
    assert response.status_code == 401 and "replayed" in response.text


FORGED = new_key()

BAD_TOKENS: list[tuple[str, dict[str, Any], int, str]] = [
    ("forged signature", {"signing_key": FORGED}, 401, "signature"),
    ("unknown kid", {"signing_key": FORGED, "kid": "attacker-key"}, 401, "no key"),
    ("HS256", {"algorithm": "HS256"}, 401, "RS256"),
    ("wrong issuer", {"iss": "https://evil.example"}, 401, "not issued by"),
    ("wrong audience", {"aud": "another-tool"}, 401, "not addressed"),
    ("several audiences without azp", {"aud": ["corta-client", "another-tool"]}, 401, "azp"),
    ("azp of another tool", {"azp": "another-tool"}, 401, "azp"),
    ("expired", {"issued_at": time.time() - 3600, "lifetime_s": 300}, 401, "expired"),
    ("issued in the future", {"issued_at": time.time() + 3600}, 401, "future"),
    ("unregistered deployment", {claims.DEPLOYMENT_ID: "deployment-9"}, 403, "not registered"),
    ("no deployment", {"drop": (claims.DEPLOYMENT_ID,)}, 400, "deployment_id"),
    ("no nonce", {"drop": ("nonce",)}, 400, "nonce"),
    ("no exp", {"drop": ("exp",)}, 400, "exp"),
    ("no sub", {"drop": ("sub",)}, 400, "sub"),
    ("LTI 1.1 version", {claims.VERSION: "1.1"}, 400, "1.3.0"),
    ("unknown message", {claims.MESSAGE_TYPE: "LtiSubmissionReviewRequest"}, 400, "message type"),
    ("no resource link", {"drop": (claims.RESOURCE_LINK,)}, 400, "resource_link"),
    ("context not an object", {claims.CONTEXT: "course-101"}, 400, "context"),
    ("roles not a list", {claims.ROLES: "Learner"}, 400, "roles"),
    ("bad custom mode", {"custom": {claims.CUSTOM_MODE: "solve-it-for-me"}}, 400, "tutor mode"),
    (
        "deep linking without settings",
        {"message_type": claims.DEEP_LINKING_REQUEST, "drop": (claims.DEEP_LINKING_SETTINGS,)},
        400,
        "deep_linking_settings",
    ),
]


@pytest.mark.parametrize(
    ("token", "status", "words"), [case[1:] for case in BAD_TOKENS], ids=[c[0] for c in BAD_TOKENS]
)
def test_a_bad_id_token_is_refused_with_one_sentence(
    client: TestClient, platform: LtiPlatform, token: dict[str, Any], status: int, words: str
):
    response = launch(client, platform, **token)
    assert response.status_code == status
    assert words in response.text and "Traceback" not in response.text
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({}, 400, "lacks"),
        ({"id_token": "x.y.z"}, 400, "lacks"),
        ({"id_token": "not a jwt", "state": "fresh"}, 400, "not a JWT"),
        ({"id_token": "a.b.c", "state": "never-issued"}, 401, "state"),
    ],
)
def test_a_malformed_launch_form_is_refused(
    client: TestClient, platform: LtiPlatform, form: dict[str, str], status: int, words: str
):
    if form.get("state") == "fresh":
        form = form | {"state": login(client, platform)["state"]}
    response = client.post("/lti/launch", data=form)
    assert response.status_code == status and words in response.text


def test_a_launch_posted_as_json_is_refused(client: TestClient, platform: LtiPlatform):
    response = client.post("/lti/launch", json={"id_token": "a.b.c", "state": "s"})
    assert response.status_code == 400


def test_a_platform_whose_keys_cannot_be_read_is_a_bad_gateway(
    client: TestClient, platform: LtiPlatform, services
):
    platform.registration(jwks_url=platform.issuer + "/missing-jwks").save(services.store)
    response = launch(client, platform)
    assert response.status_code == 502 and "(HTTP 404)" in response.text
