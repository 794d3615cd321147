"""Grade passback: the tool gets an access token with a client assertion signed by its key, then posts the score to
the launch's line item; launches without a line item, bad scores and a refusing platform get one sentence."""

import pytest
from fastapi.testclient import TestClient

from corta.app.lti import claims
from corta.app.services import AgentServices
from tests.app.lti.flow import launch, session_of
from tests.helpers.lti_platform import LtiPlatform


@pytest.fixture
def grader(services: AgentServices) -> dict[str, str]:
    """The headers of a grader (an autograder or the instructor's script) holding a corta API key."""
    return {"Authorization": f"Bearer {services.store.create_api_key('autograder')[1]}"}


def test_the_learner_page_cannot_post_its_own_grade(client: TestClient, platform: LtiPlatform, grader):
    session = session_of(launch(client, platform))
    for headers in ({}, {"Authorization": "Bearer corta-forged"}):
        response = client.post(f"/lti/tutor/{session}/grade", json={"score": 1.0}, headers=headers)
        assert (
            response.status_code == 401
            and "grader with a corta API key" in response.json()["error"]["message"]
        )
    assert platform.scores == []


def test_a_score_reaches_the_platform_with_a_valid_bearer_token(
    client: TestClient, platform: LtiPlatform, grader
):
    session = session_of(launch(client, platform))
    response = client.post(
        f"/lti/tutor/{session}/grade", json={"score": 0.8, "comment": "Lab 3 passed."}, headers=grader
    )
    assert response.status_code == 200 and response.json() == {"posted": True, "score": 0.8}
    [token_request] = platform.token_requests
    assert (
        token_request["grant_type"] == "client_credentials"
        and token_request["scope"] == claims.AGS_SCORE_SCOPE
    )
    [score] = platform.scores
    assert score["path"] == "/lineitems/1/scores?course=101"
    assert score["bearer"] in platform.access_tokens
    assert score["content_type"] == "application/vnd.ims.lis.v1.score+json"
    body = score["body"]
    assert body["userId"] == "user-42" and body["scoreGiven"] == 0.8 and body["scoreMaximum"] == 1.0
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    assert body["comment"] == "Lab 3 passed." and body["timestamp"].endswith("+00:00")
    client.post(f"/lti/tutor/{session}/grade", json={"score": 1}, headers=grader)
    assert len(platform.token_requests) == 1 and len(platform.scores) == 2


def test_a_launch_without_a_line_item_cannot_post_grades(client: TestClient, platform: LtiPlatform, grader):
    session = session_of(launch(client, platform, grades=False))
    response = client.post(f"/lti/tutor/{session}/grade", json={"score": 0.5}, headers=grader)
    assert response.status_code == 409 and "no grade line item" in response.json()["error"]["message"]
    assert platform.token_requests == []


def test_bad_scores_are_refused(client: TestClient, platform: LtiPlatform, grader):
    grade = f"/lti/tutor/{session_of(launch(client, platform))}/grade"
    for body in ({"score": 1.5}, {"score": -0.1}, {"score": "high"}, {}):
        response = client.post(grade, json=body, headers=grader)
        assert response.status_code == 400 and "between 0 and 1" in response.json()["error"]["message"]
    assert client.post("/lti/tutor/unknown/grade", json={"score": 0.5}, headers=grader).status_code == 404
    assert platform.scores == []


def test_a_platform_refusing_the_tool_is_a_bad_gateway(client: TestClient, platform: LtiPlatform, grader):
    session = session_of(launch(client, platform))
    platform.refuse_tokens = True
    response = client.post(f"/lti/tutor/{session}/grade", json={"score": 0.5}, headers=grader)
    assert response.status_code == 502 and "no access token" in response.json()["error"]["message"]
