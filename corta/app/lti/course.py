"""What the tutor does in one course: hint-only or explaining, on which knowledge base, in the platform's frame or in
its own window. Three layers: the platform's defaults, the course's saved settings, and the link's custom parameters.
"""

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from corta.app.lti.claims import CUSTOM_KB, CUSTOM_MODE
from corta.app.lti.errors import LtiError
from corta.app.store import Store

KB_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

TutorMode = Literal["explain", "hint"]
"""`explain`: the learner may ask for explanations or hints; `hint`: hints only, never a worked solution."""


class TutorSettings(BaseModel):
    """The tutor's settings for a course or a link."""

    mode: TutorMode = "explain"
    kb: str = Field("default", pattern=KB_NAME)
    iframe: bool = False

    def allows(self, mode: str) -> bool:
        """Whether a learner may ask in `mode` (a hint-only course refuses explanations)."""
        return mode == "hint" or self.mode == "explain"


def course_key(issuer: str, deployment_id: str, context_id: str) -> str:
    """The store's key of a course: the same context id on two platforms or deployments is two courses."""
    return f"{issuer}|{deployment_id}|{context_id}"


def link_settings(custom: dict[str, Any]) -> dict[str, Any]:
    """The settings a link's custom parameters set (`tutor_mode`, `course_kb`), to lay over the course's.

    Raises
    ------
    LtiError
        400 when a value is not a mode or a knowledge-base name.
    """
    chosen: dict[str, Any] = {}
    if CUSTOM_MODE in custom:
        chosen["mode"] = custom[CUSTOM_MODE]
    if CUSTOM_KB in custom:
        chosen["kb"] = custom[CUSTOM_KB]
    try:
        TutorSettings.model_validate(chosen)
    except ValidationError:
        raise LtiError(
            400,
            f"The link's custom parameters {chosen} are not a tutor mode (explain or hint) and a knowledge-base name.",
        ) from None
    return chosen


def settings_for(store: Store, defaults: TutorSettings, course: str, custom: dict[str, Any]) -> TutorSettings:
    """The settings in force: the platform's defaults, overridden by the course's, overridden by the link's.

    Raises
    ------
    LtiError
        400 when the link's custom parameters are invalid.
    """
    saved = {key: value for key, value in store.course_settings(course).items() if key in ("mode", "kb")}
    layered = defaults.model_dump() | saved | link_settings(custom)
    return TutorSettings.model_validate(layered)


def save_course_settings(store: Store, course: str, settings: TutorSettings) -> None:
    """Make `settings` the course's defaults for links that do not set their own."""
    store.save_course_settings(course, settings.model_dump(include={"mode", "kb"}))
