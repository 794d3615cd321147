"""Deep linking: an instructor chooses the tutor's mode and knowledge base for a new link; the signed response
verifies against the tool's JWKS and carries the choice, which a later launch of the link gets; learners and stale
or malformed forms are refused."""

import re
from html import unescape
from typing import Any

import jwt
from fastapi.testclient import TestClient

from corta.app.lti import claims
from tests.app.lti.flow import launch, session_of
from tests.helpers.lti_platform import INSTRUCTOR, LEARNER, LtiPlatform


def link_form(client: TestClient, platform: LtiPlatform) -> str:
    """The instructor's form after a deep-linking launch; returns its token."""
    page = launch(client, platform, message_type=claims.DEEP_LINKING_REQUEST, roles=(INSTRUCTOR,))
    assert page.status_code == 200 and "Add Molly to your course" in page.text
    assert page.headers["content-security-policy"].endswith(f"frame-ancestors {platform.issuer}")
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def posted_back(page: str) -> tuple[str, str]:
    """The return URL and the JWT of the auto-posting page."""
    action = re.search(r'<form id="back" method="post" action="([^"]+)"', page).group(1)
    return unescape(action), re.search(r'name="JWT" value="([^"]+)"', page).group(1)


def verify(client: TestClient, platform: LtiPlatform, response_jwt: str) -> dict[str, Any]:
    """The response's claims, verified as the platform would: against the tool's published JWKS."""
    kid = jwt.get_unverified_header(response_jwt)["kid"]
    key = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").json())[kid]
    return jwt.decode(response_jwt, key, algorithms=["RS256"], audience=platform.issuer)


def test_an_instructor_adds_a_hint_only_link_that_launches_in_hint_mode(
    client: TestClient, platform: LtiPlatform
):
    token = link_form(client, platform)
    form = {"token": token, "title": "Hints for lab 3", "mode": "hint", "kb": "python-docs"}
    page = client.post("/lti/deep-link", data=form)
    assert page.status_code == 200
    return_url, response_jwt = posted_back(page.text)
    assert return_url == platform.issuer + "/deep-link-return"
    response = verify(client, platform, response_jwt)
    assert response["iss"] == platform.client_id and response[claims.DEPLOYMENT_ID] == platform.deployment_id
    assert response[claims.MESSAGE_TYPE] == "LtiDeepLinkingResponse" and response[claims.VERSION] == "1.3.0"
    assert response[claims.DEEP_LINKING_DATA] == "opaque-platform-data" and response["nonce"]
    [item] = response[claims.CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Hints for lab 3"
    assert item["url"] == "http://testserver/lti/launch"
    assert item["custom"] == {claims.CUSTOM_MODE: "hint", claims.CUSTOM_KB: "python-docs"}

    session = session_of(launch(client, platform, custom=item["custom"]))
    page = client.get(f"/lti/tutor/{session}")
    assert "hints only" in page.text
    refused = client.post(f"/lti/tutor/{session}/ask", json={"message": "Show me", "mode": "explain"})
    assert refused.status_code == 403


def test_the_course_defaults_apply_to_links_without_their_own(client: TestClient, platform: LtiPlatform):
    form = {"token": link_form(client, platform), "title": "Molly", "mode": "hint", "kb": "python-docs"}
    client.post("/lti/deep-link", data=form | {"course_default": "on"})
    plain = session_of(launch(client, platform))
    assert "hints only" in client.get(f"/lti/tutor/{plain}").text
    explaining = session_of(launch(client, platform, custom={claims.CUSTOM_MODE: "explain"}))
    assert 'name="mode"' in client.get(f"/lti/tutor/{explaining}").text
    again = launch(client, platform, message_type=claims.DEEP_LINKING_REQUEST, roles=(INSTRUCTOR,))
    assert 'value="hint" selected' in again.text and 'value="python-docs"' in again.text


def test_a_learner_gets_no_link_form(client: TestClient, platform: LtiPlatform):
    page = launch(client, platform, message_type=claims.DEEP_LINKING_REQUEST, roles=(LEARNER,))
    assert page.status_code == 403 and "Only instructors" in page.text


def test_a_platform_that_accepts_no_links_is_told_so(client: TestClient, platform: LtiPlatform):
    settings = {"deep_link_return_url": platform.issuer + "/back", "accept_types": ["file"]}
    page = launch(
        client, platform, message_type=claims.DEEP_LINKING_REQUEST, roles=(INSTRUCTOR,),
        **{claims.DEEP_LINKING_SETTINGS: settings},
    )  # fmt: skip
    assert page.status_code == 400 and "no resource links" in page.text


def test_a_link_form_is_answered_once(client: TestClient, platform: LtiPlatform):
    form = {"token": link_form(client, platform), "title": "Molly", "mode": "explain", "kb": "default"}
    assert client.post("/lti/deep-link", data=form).status_code == 200
    again = client.post("/lti/deep-link", data=form)
    assert again.status_code == 401 and "already sent" in again.text


def test_a_malformed_link_form_is_refused_and_can_be_sent_again(client: TestClient, platform: LtiPlatform):
    token = link_form(client, platform)
    for bad in ({"mode": "solve"}, {"kb": "../etc"}, {"title": ""}, {"title": "x" * 201}):
        form = {"token": token, "title": "Molly", "mode": "hint", "kb": "default"} | bad
        response = client.post("/lti/deep-link", data=form)
        assert response.status_code == 400 and "knowledge-base name" in response.text
    assert (
        client.post(
            "/lti/deep-link", data={"token": "forged", "title": "M", "mode": "hint", "kb": "d"}
        ).status_code
        == 401
    )
    good = client.post(
        "/lti/deep-link", data={"token": token, "title": "Molly", "mode": "hint", "kb": "default"}
    )
    assert good.status_code == 200
