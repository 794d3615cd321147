"""Where the tool answers, for the platform administrator who registers corta: login, launch (redirect), deep
linking and JWKS URLs, and the scope grade passback needs."""

from typing import Any

from corta.app.lti.claims import (
    AGS_SCORE_SCOPE,
    CUSTOM_KB,
    CUSTOM_MODE,
    DEEP_LINKING_REQUEST,
    RESOURCE_LINK_REQUEST,
)

PREFIX = "/lti"
LOGIN_PATH = "/login"
LAUNCH_PATH = "/launch"
DEEP_LINK_PATH = "/deep-link"
JWKS_PATH = "/jwks"
TUTOR_PATH = "/tutor/{session}"


def tool_configuration(base_url: str) -> dict[str, Any]:
    """The JSON a platform administrator pastes (or copies field by field) to register corta at `base_url`."""
    base = base_url.rstrip("/") + PREFIX
    return {
        "title": "corta: Molly, the Python tutor",
        "description": "A Python tutor that answers with sources, or gives hints only, as the course chooses.",
        "oidc_initiation_url": base + LOGIN_PATH,
        "target_link_uri": base + LAUNCH_PATH,
        "redirect_uris": [base + LAUNCH_PATH],
        "deep_linking_url": base + LAUNCH_PATH,
        "public_jwk_url": base + JWKS_PATH,
        "scopes": [AGS_SCORE_SCOPE],
        "messages": [RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST],
        "custom_parameters": {CUSTOM_MODE: "explain | hint", CUSTOM_KB: "a knowledge-base name"},
    }
