"""OIDC third-party login initiation: the platform names itself and the user; corta answers with a redirect to the
platform's authorization endpoint carrying a fresh state and nonce, and keeps them in the store (not in a cookie: LMS
frames lose third-party cookies) until the launch comes back."""

import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

from pydantic import BaseModel

from corta.app.lti.errors import LtiError
from corta.app.lti.platform import Platform
from corta.app.store import Store

STATE_PREFIX = "login:"
STATE_TTL_S = 600.0


class LoginState(BaseModel):
    """What a login initiation promised, checked when the launch comes back."""

    issuer: str
    client_id: str
    nonce: str
    target_link_uri: str


def start_login(store: Store, params: Mapping[str, str], launch_url: str) -> str:
    """The URL to redirect the browser to: the platform's authorization endpoint with state and nonce.

    Raises
    ------
    LtiError
        400 when a required parameter is missing; 403 when the platform or deployment is not registered.
    """
    missing = [name for name in ("iss", "login_hint", "target_link_uri") if not params.get(name)]
    if missing:
        raise LtiError(400, f"The login initiation lacks {', '.join(missing)}.")
    issuer, client_id = params["iss"], params.get("client_id") or None
    platform = Platform.load(store, issuer, client_id)
    if (
        platform is None
        and client_id is None
        and any(known.issuer == issuer for known in Platform.all(store))
    ):
        raise LtiError(
            400, f"The platform {issuer!r} has several registrations: the login must name its client_id."
        )
    if platform is None:
        raise LtiError(
            403,
            f"The platform {issuer!r} (client id {client_id or 'not given'}) is not registered with corta.",
        )
    deployment_id = params.get("lti_deployment_id")
    if deployment_id and deployment_id not in platform.deployment_ids:
        raise LtiError(403, f"The deployment {deployment_id!r} of {issuer!r} is not registered with corta.")
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    promised = LoginState(
        issuer=issuer, client_id=platform.client_id, nonce=nonce, target_link_uri=params["target_link_uri"]
    )
    store.save_state(STATE_PREFIX + state, promised.model_dump(), ttl_s=STATE_TTL_S)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(query)


def take_login_state(store: Store, state: str) -> LoginState:
    """The login state `state` promised, spent so that it serves once.

    Raises
    ------
    LtiError
        401 when the state is unknown, expired or already used.
    """
    kept = store.pop_state(STATE_PREFIX + state) if state else None
    if kept is None:
        raise LtiError(
            401, "The launch's state is unknown, expired or already used: start again from the course."
        )
    return LoginState.model_validate(kept)
