"""The LTI tool's routes under `/lti`: login initiation, launch, the instructor's link form and its answer, the tool's
JWKS, and the learner's tutor page with its ask and grade calls. Browser-facing refusals are a one-sentence HTML
page, JSON calls get the API's JSON error (`{"error": {"message": sentence, …}}`), each with the status that says why; the API's key check does not apply
(a launch is authenticated by the platform's signature, a tutor session by its unguessable id)."""

from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from corta.app.api.auth import presented_key
from corta.app.api.errors import corta_error_code, corta_error_status, error_response
from corta.app.lti import claims, pages
from corta.app.lti.course import TutorMode, course_key, settings_for
from corta.app.lti.deep_linking import LinkChoice, pending_request, remember_request, sign_response
from corta.app.lti.errors import LtiError
from corta.app.lti.grades import GradePassback
from corta.app.lti.jwks import PlatformKeys
from corta.app.lti.keys import ToolKey
from corta.app.lti.launch import validate_launch
from corta.app.lti.login import start_login
from corta.app.lti.platform import Platform
from corta.app.lti.sessions import LaunchSession, LaunchSessions
from corta.app.lti.tool_config import DEEP_LINK_PATH, JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, PREFIX, TUTOR_PATH
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.errors import CortaError

MAX_JSON_BYTES = 64 * 1024
BodyT = TypeVar("BodyT", bound=BaseModel)
PLATFORM_TIMEOUT_S = 10.0
ERROR_CODES = {400: "invalid_request", 401: "not_authentic", 403: "not_allowed", 404: "unknown_session",
               409: "no_grade_line_item", 413: "body_too_large", 502: "platform_error"}  # fmt: skip
"""The code of each refusal in the JSON error (`{"error": {"message", "type", "code"}}`, as the API's)."""


class AskBody(BaseModel):
    """A learner's turn from the tutor page."""

    message: str = Field(max_length=20_000)
    code: str = Field("", max_length=50_000)
    error: str = Field("", max_length=20_000)
    mode: TutorMode | None = None


class GradeBody(BaseModel):
    """A score to pass back for the session's learner."""

    score: float = Field(ge=0.0, le=1.0)
    comment: str = Field("", max_length=1000)


def build_lti_router(services: AgentServices, base_url: str | None = None) -> APIRouter:
    """The LTI routes on the services' store and tutor.

    `base_url` is the tool's public address (e.g. https://corta.example.edu) when a proxy stands in front of it;
    without it the URLs sent to platforms are made from each request.
    """
    store = services.store
    client = httpx.Client(timeout=PLATFORM_TIMEOUT_S)
    tool_key = ToolKey.from_store(store)  # made here, before any request can race to make it
    keys, grades, sessions = PlatformKeys(client), GradePassback(client, tool_key), LaunchSessions(store)
    router = APIRouter(prefix=PREFIX, tags=["lti"])

    def public_url(request: Request, name: str) -> str:
        if base_url:
            return base_url.rstrip("/") + request.app.url_path_for(name)
        return str(request.url_for(name))

    @router.api_route(LOGIN_PATH, methods=["GET", "POST"], name="lti_login")
    async def login(request: Request) -> Response:
        """OIDC third-party login initiation: redirect to the platform's authorization endpoint."""
        params = dict(request.query_params) | (await _form(request) if request.method == "POST" else {})
        try:
            url = await run_in_threadpool(start_login, store, params, public_url(request, "lti_launch"))
        except LtiError as error:
            return pages.error_page(error.status, str(error))
        return RedirectResponse(url, status_code=302)

    @router.post(LAUNCH_PATH, name="lti_launch")
    async def launch(request: Request) -> HTMLResponse:
        """The platform's form post of the id_token: the tutor (resource link) or the link form (deep linking)."""
        form = await _form(request)
        if not form.get("id_token") or not form.get("state"):
            return pages.error_page(400, "The launch lacks its id_token or its state.")
        deep_link_path = request.app.url_path_for("lti_deep_link")

        def answer() -> HTMLResponse:
            launch = validate_launch(store, keys, form["id_token"], form["state"])
            course = course_key(
                launch.platform.issuer, launch.deployment_id, str(launch.context.get("id", ""))
            )
            settings = settings_for(store, launch.platform.defaults, course, launch.custom)
            frame_origins = launch.platform.frame_origins
            if launch.message_type == claims.DEEP_LINKING_REQUEST:
                token = remember_request(store, launch, course, settings)
                return pages.deep_link_form(token, settings, deep_link_path, frame_origins)
            session = sessions.open(launch, settings)
            if settings.iframe:
                ask_path = request.app.url_path_for("lti_tutor_ask", session=session.id)
                return pages.tutor_page(session, [], ask_path, frame_origins)
            tutor_path = request.app.url_path_for("lti_tutor", session=session.id)
            return pages.launch_page(session, tutor_path, frame_origins)

        try:
            return await run_in_threadpool(answer)
        except LtiError as error:
            return pages.error_page(error.status, str(error))

    @router.post(DEEP_LINK_PATH, name="lti_deep_link")
    async def deep_link(request: Request) -> HTMLResponse:
        """The instructor's choice, answered with the signed deep-linking response posted back to the platform."""
        form = await _form(request)
        try:
            choice = LinkChoice.model_validate({
                "title": form.get("title", "").strip(),
                "settings": {"mode": form.get("mode"), "kb": form.get("kb", "").strip()},
                "course_default": form.get("course_default") == "on",
            })  # fmt: skip
        except ValidationError:
            return pages.error_page(
                400,
                "Give the link a title (up to 200 characters), a mode (explain or hint) and a knowledge-base name "
                "(letters, digits, dots, dashes and underscores).",
            )
        launch_url = public_url(request, "lti_launch")

        def answer() -> HTMLResponse:
            pending = pending_request(store, form.get("token", ""))
            platform = Platform.load(store, pending.issuer, pending.client_id)
            if platform is None:
                raise LtiError(403, f"The platform {pending.issuer!r} is no longer registered with corta.")
            return pages.auto_post_page(
                sign_response(store, tool_key, pending, choice, launch_url), platform.frame_origins
            )

        try:
            return await run_in_threadpool(answer)
        except LtiError as error:
            return pages.error_page(error.status, str(error))

    @router.get(JWKS_PATH, name="lti_jwks")
    def jwks() -> JSONResponse:
        """The tool's public keys, for platforms checking what corta signs."""
        return JSONResponse(tool_key.jwks())

    @router.get(TUTOR_PATH, name="lti_tutor")
    def tutor(session: str, request: Request) -> HTMLResponse:
        """The learner's tutor page, with the conversation so far."""
        found = sessions.get(session)
        if found is None:
            return pages.error_page(404, _UNKNOWN_SESSION)
        history, ask_path = (
            store.messages(found.conversation),
            request.app.url_path_for("lti_tutor_ask", session=session),
        )
        return pages.tutor_page(found, history, ask_path, _tutor_frame_origins(store, found))

    @router.post(TUTOR_PATH + "/ask", name="lti_tutor_ask")
    async def ask(session: str, request: Request) -> JSONResponse:
        """One turn with the tutor, in the session's conversation and within the course's mode."""

        def answer(body: AskBody) -> dict[str, Any]:
            found = sessions.get(session)
            if found is None:
                raise LtiError(404, _UNKNOWN_SESSION)
            mode = body.mode or found.settings.mode
            if not found.settings.allows(mode):
                raise LtiError(
                    403, "This course gives hints only: the tutor cannot explain a full solution here."
                )
            turn = services.tutor_turn(
                body.message,
                mode,
                body.code,
                body.error,
                found.conversation,
                found.owner,
                knowledge_base=found.settings.kb,
            )
            contract = turn.result.contract()
            return {key: contract[key] for key in ("answer", "sources", "mode", "status")} | {
                "conversation": turn.conversation.id
            }

        try:
            body = await _body(request, AskBody, _ASK_SHAPE)
            return JSONResponse(await run_in_threadpool(answer, body))
        except LtiError as error:
            return _json_error(error)
        except CortaError as error:
            return error_response(corta_error_status(error), str(error), corta_error_code(error))

    @router.post(TUTOR_PATH + "/grade", name="lti_tutor_grade")
    async def grade(session: str, request: Request) -> JSONResponse:
        """Pass the learner's score (0 to 1) back to the platform's grade book. Only a grader holding a corta API
        key may (an autograder or the instructor's script): the learner's page knows the session, not a key."""
        key = presented_key(request.headers.raw)
        if key is None or store.api_key_id(key) is None:
            return _json_error(LtiError(401, _GRADER_ONLY))

        def post(body: GradeBody) -> None:
            found = sessions.get(session)
            if found is None:
                raise LtiError(404, _UNKNOWN_SESSION)
            platform = Platform.load(store, found.issuer, found.client_id)
            if platform is None:
                raise LtiError(403, f"The platform {found.issuer!r} is no longer registered with corta.")
            grades.post_score(platform, found, body.score, body.comment)

        try:
            body = await _body(request, GradeBody, _GRADE_SHAPE)
            await run_in_threadpool(post, body)
        except LtiError as error:
            return _json_error(error)
        return JSONResponse({"posted": True, "score": body.score})

    return router


_GRADER_ONLY = (
    "Grades are posted by a grader with a corta API key (Authorization: Bearer KEY), not by the learner."
)
_UNKNOWN_SESSION = "This tutor session is unknown or expired: open the tool again from your course."
_ASK_SHAPE = "Send a JSON object with a message (text), and optionally code, error and mode."
_GRADE_SHAPE = "Send a JSON object with a score between 0 and 1, and optionally a comment."


def _tutor_frame_origins(store: Store, session: LaunchSession) -> list[str]:
    if not session.settings.iframe:
        return []
    platform = Platform.load(store, session.issuer, session.client_id)
    return platform.frame_origins if platform is not None else []


def _json_error(error: LtiError) -> JSONResponse:
    """The refusal in the API's JSON error shape."""
    return error_response(error.status, str(error), ERROR_CODES.get(error.status, "lti_refused"))


async def _form(request: Request) -> dict[str, str]:
    """The text fields of a form post (files and repeated names are ignored)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


async def _body(request: Request, shape: type[BodyT], refusal: str) -> BodyT:
    """The request's JSON body as `shape`.

    Raises
    ------
    LtiError
        413 when it is larger than MAX_JSON_BYTES, 400 (with `refusal`) when it is not JSON of that shape.
    """
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise LtiError(413, f"The request body is larger than {MAX_JSON_BYTES // 1024} KiB.")
    try:
        return shape.model_validate_json(bytes(body))
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            raise LtiError(400, "The request body is not JSON.") from None
        raise LtiError(400, refusal) from None
