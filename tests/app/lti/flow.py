"""The browser's part of an LTI launch, played against the tool: login initiation, the platform's signed form post."""

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from tests.helpers.lti_platform import LtiPlatform


def login(client: TestClient, platform: LtiPlatform, **params: str) -> dict[str, str]:
    """Start a login; returns the authorization request the tool redirected to (state, nonce, redirect_uri, …)."""
    response = client.get("/lti/login", params=platform.login_params(**params), follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.issuer + "/auth"
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def launch(client: TestClient, platform: LtiPlatform, **token: Any) -> httpx.Response:
    """A full launch: login, then the platform's form post of an id_token signed with the login's nonce."""
    authorization = login(client, platform)
    id_token = platform.id_token(authorization["nonce"], **token)
    return client.post("/lti/launch", data={"id_token": id_token, "state": authorization["state"]})


def session_of(page: httpx.Response) -> str:
    """The tutor session a launch page links to."""
    match = re.search(r'href="/lti/tutor/([A-Za-z0-9_-]+)"', page.text)
    assert match, page.text
    return match.group(1)
