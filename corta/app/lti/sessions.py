"""Launch sessions: what a resource-link launch established (who, which course, the tutor's settings, the grade
endpoint), kept in the store under a random id that the learner's page carries in its URL (no cookie needed)."""

import secrets
import threading
from typing import Any

from pydantic import BaseModel

from corta.app.lti import claims
from corta.app.lti.course import TutorSettings
from corta.app.lti.launch import Launch
from corta.app.store import Store

SESSION_PREFIX = "session:"
SESSION_TTL_S = 8 * 3600.0
"""A session lives this long after its last use."""


class GradeEndpoint(BaseModel):
    """Where the launch said corta may post the learner's score (AGS)."""

    lineitem: str
    scopes: list[str]


class LaunchSession(BaseModel):
    """One learner's launch of one link."""

    id: str
    issuer: str
    client_id: str
    deployment_id: str
    user: str
    name: str
    course: str
    course_title: str
    roles: list[str]
    resource_link: str
    title: str
    settings: TutorSettings
    conversation: str
    grades: GradeEndpoint | None = None

    @property
    def owner(self) -> str:
        """Whose conversation the tutor keeps: the platform's user."""
        return owner_of(self.issuer, self.user)


def owner_of(issuer: str, user: str) -> str:
    """The owner of a platform user's conversations in the store."""
    return f"lti:{issuer}:{user}"


class LaunchSessions:
    """The sessions in a store; reading one extends its life."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()

    def open(self, launch: Launch, settings: TutorSettings) -> LaunchSession:
        """A new session for a resource-link launch, with an empty tutor conversation of its own."""
        link = launch.claims[claims.RESOURCE_LINK]
        context = launch.context
        title = str(link.get("title") or context.get("title") or "Molly")
        user = str(launch.claims["sub"])
        session = LaunchSession(
            id=secrets.token_urlsafe(32),
            issuer=launch.platform.issuer,
            client_id=launch.platform.client_id,
            deployment_id=launch.deployment_id,
            user=user,
            name=str(launch.claims.get("name") or launch.claims.get("given_name") or ""),
            course=str(context.get("id", "")),
            course_title=str(context.get("title") or context.get("label") or ""),
            roles=launch.roles,
            resource_link=str(link["id"]),
            title=title,
            settings=settings,
            conversation=self.store.create_conversation(
                "tutor", title, owner_of(launch.platform.issuer, user)
            ).id,
            grades=_grade_endpoint(launch.claims.get(claims.AGS_ENDPOINT)),
        )
        self._keep(session)
        return session

    def get(self, session_id: str) -> LaunchSession | None:
        """The live session with this id, if any."""
        with self._lock:
            kept = self.store.pop_state(SESSION_PREFIX + session_id)
            if kept is None:
                return None
            session = LaunchSession.model_validate(kept)
            self._keep(session)
        return session

    def _keep(self, session: LaunchSession) -> None:
        self.store.save_state(
            SESSION_PREFIX + session.id, session.model_dump(mode="json"), ttl_s=SESSION_TTL_S
        )


def _grade_endpoint(claim: Any) -> GradeEndpoint | None:
    if not isinstance(claim, dict) or not isinstance(claim.get("lineitem"), str):
        return None
    scopes = claim.get("scope")
    if not isinstance(scopes, list):
        scopes = []
    return GradeEndpoint(
        lineitem=claim["lineitem"], scopes=[scope for scope in scopes if isinstance(scope, str)]
    )
