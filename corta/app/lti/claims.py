"""The LTI 1.3 vocabulary corta reads and writes: claim names, message types, scopes and roles."""

from typing import Any

LTI_VERSION = "1.3.0"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

_LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = _LTI + "message_type"
VERSION = _LTI + "version"
DEPLOYMENT_ID = _LTI + "deployment_id"
TARGET_LINK_URI = _LTI + "target_link_uri"
RESOURCE_LINK = _LTI + "resource_link"
ROLES = _LTI + "roles"
CONTEXT = _LTI + "context"
CUSTOM = _LTI + "custom"

_DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEEP_LINKING_SETTINGS = _DEEP_LINKING + "deep_linking_settings"
CONTENT_ITEMS = _DEEP_LINKING + "content_items"
DEEP_LINKING_DATA = _DEEP_LINKING + "data"

AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

# Custom parameters of a corta link (set by deep linking, read back at launch).
CUSTOM_MODE = "tutor_mode"
CUSTOM_KB = "course_kb"

_TEACHING_ROLES = ("#Instructor", "#Administrator")


def is_instructor(roles: Any) -> bool:
    """Whether the roles claim names an instructor or an administrator (of the course, institution or system)."""
    return isinstance(roles, list) and any(
        isinstance(role, str) and role.endswith(_TEACHING_ROLES) for role in roles
    )
