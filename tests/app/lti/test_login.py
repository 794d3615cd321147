"""OIDC login initiation: a redirect to the platform's authorization endpoint with a fresh state and nonce, for
registered platforms and deployments only."""

import pytest
from fastapi.testclient import TestClient

from tests.app.lti.flow import login
from tests.helpers.lti_platform import LtiPlatform


def test_login_redirects_to_the_platform_with_a_fresh_state_and_nonce(
    client: TestClient, platform: LtiPlatform
):
    first, second = login(client, platform), login(client, platform)
    assert first["scope"] == "openid" and first["response_type"] == "id_token"
    assert first["response_mode"] == "form_post" and first["prompt"] == "none"
    assert first["client_id"] == platform.client_id
    assert first["redirect_uri"] == "http://testserver/lti/launch"
    assert first["login_hint"] == "user-42" and first["lti_message_hint"] == "link-7"
    assert len(first["state"]) >= 32 and len(first["nonce"]) >= 32
    assert {first["state"], first["nonce"]}.isdisjoint({second["state"], second["nonce"]})


def test_login_by_form_post_without_a_client_id_finds_the_issuers_only_registration(
    client: TestClient, platform: LtiPlatform
):
    params = platform.login_params()
    del params["client_id"]
    response = client.post("/lti/login", data=params, follow_redirects=False)
    assert response.status_code == 302
    assert f"client_id={platform.client_id}" in response.headers["location"]


def test_a_login_without_a_client_id_for_an_issuer_with_several_registrations_is_refused(
    client: TestClient, platform: LtiPlatform, services
):
    platform.registration(client_id="second-client").save(services.store)
    params = platform.login_params()
    del params["client_id"]
    response = client.get("/lti/login", params=params, follow_redirects=False)
    assert response.status_code == 400 and "several registrations" in response.text


def test_the_configured_base_url_makes_the_redirect_uri(services, platform: LtiPlatform):
    from fastapi import FastAPI

    from corta.app.lti.router import build_lti_router

    app = FastAPI()
    app.include_router(build_lti_router(services, "https://corta.example.edu/"))
    assert login(TestClient(app), platform)["redirect_uri"] == "https://corta.example.edu/lti/launch"


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"iss": "https://unknown.example"}, 403, "not registered"),
        ({"client_id": "someone-else"}, 403, "not registered"),
        ({"lti_deployment_id": "deployment-9"}, 403, "deployment"),
        ({"login_hint": ""}, 400, "login_hint"),
        ({"iss": "", "target_link_uri": ""}, 400, "iss, target_link_uri"),
    ],
)
def test_a_bad_login_initiation_is_refused_with_one_sentence(
    client: TestClient, platform: LtiPlatform, params: dict[str, str], status: int, words: str
):
    response = client.get("/lti/login", params=platform.login_params(**params), follow_redirects=False)
    assert response.status_code == status
    assert words in response.text and "Traceback" not in response.text
