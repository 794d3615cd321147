"""The LTI routes inside the HTTP API (`create_app(services, routers=[…])`): open without an API key, since launches
carry the platform's signature and sessions their own id, while the rest of the API stays closed."""

from fastapi.testclient import TestClient

from corta.app.api.app import create_app
from corta.app.lti.router import build_lti_router
from tests.app.lti.flow import launch, session_of
from tests.helpers.lti_platform import LtiPlatform


def test_a_launch_and_a_question_need_no_api_key(services, platform: LtiPlatform):
    services.store.create_api_key("admin")
    client = TestClient(create_app(services, routers=[build_lti_router(services)]))
    platform.tool_jwks = client.get("/lti/jwks").json()
    assert client.get("/v1/models").status_code == 401
    session = session_of(launch(client, platform))
    answer = client.post(f"/lti/tutor/{session}/ask", json={"message": "How do defaults work?"})
    assert answer.status_code == 200 and answer.json()["answer"]
    refused = client.post("/lti/tutor/unknown/ask", json={"message": "Hi"})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "unknown_session"
