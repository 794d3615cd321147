"""How the API says what went wrong: one JSON shape, OpenAI's `{"error": {"message", "type", "code"}}`, whose message is
one sentence; the right 4xx for bad input and a JSON 503 when the LLM is down or the store stays locked, never a
traceback.

An internal bug still answers 500, but with a sentence, and its traceback goes to the log only.
"""

import logging
import re
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corta.app.store import busy_error
from corta.errors import CortaError, LLMRequestError, LLMUnavailableError, SandboxError, StoreBusyError
from corta.solvers.routing.instance import InstanceError

log = logging.getLogger(__name__)

UNAVAILABLE = (LLMUnavailableError, LLMRequestError, SandboxError, StoreBusyError)
"""Errors of what the API depends on (the LLM, the sandbox, the store), not of the request: 503."""
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 405: "invalid_request_error", 413: "invalid_request_error",
               422: "invalid_request_error", 500: "server_error", 503: "service_unavailable"}  # fmt: skip


class ApiError(Exception):
    """A request the API refuses, with its status, one sentence, and a short machine-readable code.

    Parameters
    ----------
    status
        The HTTP status (a 4xx, or 503).
    message
        What is wrong, in one sentence the caller can act on.
    code
        A stable snake_case name of the case (`model_not_found`, `invalid_api_key`, …).
    """

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def error_body(status: int, message: str, code: str) -> dict[str, Any]:
    """The JSON body of an error, in OpenAI's shape (which its clients turn into an exception with the message)."""
    return {
        "error": {"message": message, "type": ERROR_TYPES.get(status, "invalid_request_error"), "code": code}
    }


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message, code), status_code=status, headers=headers)


def corta_error_status(error: CortaError | InstanceError) -> int:
    """503 when the LLM or the sandbox failed, 400 for every other error of the request's content."""
    return 503 if isinstance(error, UNAVAILABLE) else 400


def corta_error_code(error: Exception) -> str:
    """The error class's name in snake case: `LLMUnavailableError` → `llm_unavailable`."""
    name = type(error).__name__.removesuffix("Error")
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def validation_sentence(errors: list[Any]) -> tuple[int, str, str]:
    """FastAPI's validation errors as (status, one sentence, code): malformed JSON is a 400, the rest a 422."""
    first = errors[0]
    if first.get("type") == "json_invalid":
        reason = first.get("ctx", {}).get("error", "it cannot be parsed")
        return (
            400,
            f"The request body is not valid JSON: {reason} (at character {first['loc'][-1]}).",
            "invalid_json",
        )
    where, place = _location(tuple(first.get("loc", ())))
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    if first.get("type") == "missing":
        sentence = (
            f"The request needs a JSON body{more}." if not where else f"The {place} {where} is missing{more}."
        )
    elif not where and first.get("type") in ("model_attributes_type", "dict_type"):
        sentence = f"The request body must be a JSON object{more}."
    elif not where:
        sentence = f"The request body is invalid: {_lower_first(first['msg'])}{more}."
    else:
        sentence = f"The {place} {where} is invalid: {_lower_first(first['msg'])}{more}."
    return 422, sentence, "invalid_request"


def _location(loc: tuple[Any, ...]) -> tuple[str, str]:
    """`("body", "messages", 0, "content")` → ("messages[0].content", "field")."""
    kind, path = (loc[0], loc[1:]) if loc else ("body", ())
    where = ""
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    place = {"body": "field", "query": "query parameter", "path": "path parameter", "header": "header"}
    return where, place.get(str(kind), "field")


def _lower_first(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


def register_error_handlers(app: FastAPI) -> None:
    """Turn every expected failure into the JSON error: refusals, validation, routing, and corta's errors."""

    @app.exception_handler(ApiError)
    async def refused(request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.message, error.code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        status, sentence, code = validation_sentence(list(error.errors()))
        return error_response(status, sentence, code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 404 and error.detail == "Not Found":
            message, code = f"There is no route {request.method} {request.url.path}.", "not_found"
        elif error.status_code == 405:
            message, code = (
                f"{request.url.path} does not take {request.method} requests.",
                "method_not_allowed",
            )
        else:
            message, code = str(error.detail).rstrip(".") + ".", f"http_{error.status_code}"
        return error_response(error.status_code, message, code, dict(error.headers or {}))

    @app.exception_handler(CortaError)
    async def corta_error(request: Request, error: CortaError) -> JSONResponse:
        return error_response(corta_error_status(error), str(error), corta_error_code(error))

    @app.exception_handler(sqlite3.OperationalError)
    async def store_locked(request: Request, error: sqlite3.OperationalError) -> JSONResponse:
        # LangGraph's checkpointer writes the tutor's memory to the store file itself, so its "database is locked"
        # arrives untranslated; any other SQLite failure is a bug, for the last resort below.
        busy = busy_error(error)
        if busy is None:
            raise error
        return error_response(503, str(busy), corta_error_code(busy))

    @app.exception_handler(InstanceError)
    async def instance_error(request: Request, error: InstanceError) -> JSONResponse:
        return error_response(400, str(error), "instance")


class InternalErrorMiddleware:
    """The last resort: an unexpected exception is logged with its traceback and answered with a JSON 500 sentence
    (or, once a response has started, the connection is closed), instead of Starlette's plain-text page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(
                500, "The server failed on this request; the error is in its log.", "internal_error"
            )
            await response(scope, receive, send)
