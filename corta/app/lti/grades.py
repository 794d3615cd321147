"""Grade passback (LTI Assignment and Grade Services): an access token from the platform's token endpoint, asked for
with a client-credentials JWT assertion signed by the tool key (RFC 7523), then the learner's score posted to the
launch's line item."""

import threading
import time
import uuid
from datetime import UTC, datetime

import httpx

from corta.app.lti.claims import AGS_SCORE_SCOPE
from corta.app.lti.errors import LtiError
from corta.app.lti.keys import ToolKey
from corta.app.lti.platform import Platform
from corta.app.lti.sessions import LaunchSession

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_TTL_S = 300
TOKEN_MARGIN_S = 60.0
"""A cached access token is renewed this long before it expires."""


class GradePassback:
    """Posts scores through `client`, asking for access tokens with `tool_key` and keeping each platform's token
    until shortly before it expires."""

    def __init__(self, client: httpx.Client, tool_key: ToolKey) -> None:
        self.client = client
        self.tool_key = tool_key
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def post_score(self, platform: Platform, session: LaunchSession, score: float, comment: str = "") -> None:
        """Post `score` (0 to 1) for the session's learner on the session's line item.

        Raises
        ------
        LtiError
            409 when the launch gave no line item or no right to post scores; 502 when the platform refuses or
            cannot be reached.
        """
        grades = session.grades
        if grades is None or AGS_SCORE_SCOPE not in grades.scopes:
            raise LtiError(409, "This launch carries no grade line item that corta may post scores to.")
        body = {
            "userId": session.user,
            "scoreGiven": score,
            "scoreMaximum": 1.0,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        if comment:
            body["comment"] = comment
        url = httpx.URL(grades.lineitem)
        scores_url = url.copy_with(path=url.path.rstrip("/") + "/scores")
        headers = {
            "Authorization": f"Bearer {self._access_token(platform)}",
            "Content-Type": SCORE_MEDIA_TYPE,
        }
        try:
            response = self.client.post(scores_url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise LtiError(502, f"Cannot reach the platform's grade book at {scores_url}: {error}.") from None
        if not response.is_success:
            raise LtiError(502, f"The platform refused the score (HTTP {response.status_code}).")

    def _access_token(self, platform: Platform) -> str:
        cache_key = (platform.issuer, platform.client_id)
        with self._lock:
            cached = self._tokens.get(cache_key)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        now = int(time.time())
        assertion = self.tool_key.sign({
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + ASSERTION_TTL_S,
            "jti": uuid.uuid4().hex,
        })  # fmt: skip
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": AGS_SCORE_SCOPE,
        }
        try:
            response = self.client.post(platform.auth_token_url, data=form)
            answer = response.json() if response.is_success else {}
        except (httpx.HTTPError, ValueError) as error:
            raise LtiError(
                502, f"Cannot get an access token from {platform.auth_token_url}: {error}."
            ) from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise LtiError(502, f"The platform gave no access token (HTTP {response.status_code}).")
        lifetime = answer.get("expires_in", 3600)
        expires = time.time() + (lifetime if isinstance(lifetime, int | float) else 3600) - TOKEN_MARGIN_S
        with self._lock:
            self._tokens[cache_key] = (token, expires)
        return token
