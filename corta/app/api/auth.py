"""Who may call the API: a live API key (`Authorization: Bearer …`, `X-API-Key: …`, or the `corta_key` cookie that
the login form sets for browsers), except on the open paths.

Until the first key is created, clients on this machine (loopback) pass without one and every other client is
refused: a fresh install is usable locally and closed to the network. From the first key on, every request but the
open paths needs a live key. The key's id is the caller (`scope["state"]["caller"]`), which owns the conversations it
starts; a keyless loopback caller is "".
"""

import ipaddress
from collections.abc import Iterable
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from corta.app.api.errors import error_response
from corta.app.store import Store

COOKIE_NAME = "corta_key"
OPEN_PATHS = ("/healthz", "/login")
"""Paths that need no key: health, and the form that sets the cookie."""
OPEN_PREFIXES = ("/lti/",)
"""Paths with their own authentication (LTI launches carry a signed token)."""


def is_loopback(host: str | None) -> bool:
    """Whether a client address is this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def presented_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The key a request presents: the bearer token, else the X-API-Key header, else the `corta_key` cookie."""
    values = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in headers}
    scheme, _, token = values.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if values.get("x-api-key", "").strip():
        return values["x-api-key"].strip()
    try:
        cookie = SimpleCookie(values.get("cookie", ""))
    except CookieError:
        return None
    return cookie[COOKIE_NAME].value if COOKIE_NAME in cookie else None


class ApiKeyMiddleware:
    """Refuse requests without a live key (401, JSON; a browser asking for the UI is sent to the login form)."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app, self.store = app, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = presented_key(scope["headers"])
        if not self.store.has_api_keys():
            if is_loopback(client[0] if client else None):
                scope.setdefault("state", {})["caller"] = ""
                await self.app(scope, receive, send)
                return
            message = (
                "This server has no API key yet and answers only its own machine: create one there with "
                "`corta keys create NAME` and send it as `Authorization: Bearer KEY`."
            )
            await self._refuse(scope, receive, send, message, "no_api_keys")
            return
        if key is None:
            message = (
                "This server needs an API key: send it as `Authorization: Bearer KEY` or `X-API-Key: KEY`."
            )
            await self._refuse(scope, receive, send, message, "missing_api_key")
            return
        key_id = self.store.api_key_id(key)
        if key_id is None:
            await self._refuse(
                scope, receive, send, "The API key is not valid or was revoked.", "invalid_api_key"
            )
            return
        scope.setdefault("state", {})["caller"] = key_id
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str, code: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
            return
        if _wants_page(scope):
            target = scope["path"] + (
                f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else ""
            )
            await RedirectResponse(f"/login?next={quote(target)}", status_code=303)(scope, receive, send)
            return
        response = error_response(401, message, code, {"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)


def _wants_page(scope: Scope) -> bool:
    """A browser navigating to the UI (a GET that accepts HTML), which the login form can help."""
    accept = dict(scope["headers"]).get(b"accept", b"")
    return scope.get("method") == "GET" and scope["path"].startswith("/ui") and b"text/html" in accept
