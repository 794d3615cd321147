"""Deep linking: an instructor adds corta to a course, choosing the tutor's mode and knowledge base for the link; corta
answers the platform with a signed LtiDeepLinkingResponse whose resource link carries the choice as custom
parameters (they come back in every launch of that link)."""

import secrets
import time
import uuid

from pydantic import BaseModel, Field

from corta.app.lti import claims
from corta.app.lti.course import TutorSettings, save_course_settings
from corta.app.lti.errors import LtiError
from corta.app.lti.keys import ToolKey
from corta.app.lti.launch import Launch
from corta.app.store import Store

REQUEST_PREFIX = "deeplink:"
REQUEST_TTL_S = 3600.0
RESPONSE_TTL_S = 600


class DeepLinkRequest(BaseModel):
    """A deep-linking launch waiting for the instructor's choice."""

    issuer: str
    client_id: str
    deployment_id: str
    return_url: str
    data: str | None
    course: str
    settings: TutorSettings


class LinkChoice(BaseModel):
    """What the instructor chose for the new link."""

    title: str = Field(min_length=1, max_length=200)
    settings: TutorSettings
    course_default: bool = False


class SignedResponse(BaseModel):
    """The response to post back: the platform's return URL and the JWT for its `JWT` field."""

    return_url: str
    jwt: str


def remember_request(store: Store, launch: Launch, course: str, settings: TutorSettings) -> str:
    """Keep a deep-linking launch until the instructor chooses; returns the token the form carries.

    Raises
    ------
    LtiError
        403 when the user is not an instructor or administrator; 400 when the platform accepts no resource links.
    """
    if not claims.is_instructor(launch.claims.get(claims.ROLES)):
        raise LtiError(403, "Only instructors and administrators can add corta to a course.")
    deep_linking = launch.claims[claims.DEEP_LINKING_SETTINGS]
    accepted = deep_linking.get("accept_types", ["ltiResourceLink"])
    if not isinstance(accepted, list) or "ltiResourceLink" not in accepted:
        raise LtiError(400, "The platform accepts no resource links here, and corta can only add one.")
    data = deep_linking.get("data")
    request = DeepLinkRequest(
        issuer=launch.platform.issuer,
        client_id=launch.platform.client_id,
        deployment_id=launch.deployment_id,
        return_url=deep_linking["deep_link_return_url"],
        data=data if isinstance(data, str) else None,
        course=course,
        settings=settings,
    )
    token = secrets.token_urlsafe(32)
    store.save_state(REQUEST_PREFIX + token, request.model_dump(mode="json"), ttl_s=REQUEST_TTL_S)
    return token


def pending_request(store: Store, token: str) -> DeepLinkRequest:
    """The deep-linking launch the form's token stands for, spent so that it is answered once.

    Raises
    ------
    LtiError
        401 when the token is unknown, expired or already answered.
    """
    kept = store.pop_state(REQUEST_PREFIX + token) if token else None
    if kept is None:
        raise LtiError(401, "This link form expired or was already sent: add the tool again from the course.")
    return DeepLinkRequest.model_validate(kept)


def sign_response(
    store: Store, tool_key: ToolKey, request: DeepLinkRequest, choice: LinkChoice, launch_url: str
) -> SignedResponse:
    """The signed LtiDeepLinkingResponse holding one resource link with the chosen settings (saved as the course's
    defaults too when the instructor asked)."""
    if choice.course_default:
        save_course_settings(store, request.course, choice.settings)
    now = int(time.time())
    link = {
        "type": "ltiResourceLink",
        "title": choice.title,
        "url": launch_url,
        "custom": {claims.CUSTOM_MODE: choice.settings.mode, claims.CUSTOM_KB: choice.settings.kb},
    }
    response = {
        "iss": request.client_id,
        "aud": request.issuer,
        "iat": now,
        "exp": now + RESPONSE_TTL_S,
        "nonce": uuid.uuid4().hex,
        claims.DEPLOYMENT_ID: request.deployment_id,
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE,
        claims.VERSION: claims.LTI_VERSION,
        claims.CONTENT_ITEMS: [link],
    }
    if request.data is not None:
        response[claims.DEEP_LINKING_DATA] = request.data
    return SignedResponse(return_url=request.return_url, jwt=tool_key.sign(response))
