"""A tiny login form for browsers: it checks an API key and keeps it in an HttpOnly cookie, so that `/ui` opens."""

import html
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from corta.app.api.auth import COOKIE_NAME
from corta.app.api.dependencies import services_of

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>corta: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 28em; margin: 4em auto">
<h1>corta</h1>
<p>{message}</p>
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>API key <input type="password" name="key" autocomplete="current-password" required autofocus
 style="width: 100%"></label>
<p><button type="submit">Sign in</button></p>
</form></body></html>
"""
COOKIE_DAYS = 30


def login_router() -> APIRouter:
    """`GET /login` shows the form; `POST /login` checks the key, sets the cookie and goes on to `next`."""
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def form(next: str = "/ui") -> HTMLResponse:
        return _page(
            "Sign in with an API key (made on the server by <code>corta keys create NAME</code>).", next
        )

    @router.post("/login", include_in_schema=False)
    async def sign_in(
        request: Request,
        key: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=500)] = "/ui",
    ) -> Response:
        if (await services_of(request)).store.api_key_id(key.strip()) is None:
            return _page("That key is not valid or was revoked; try again.", next, status=401)
        response = RedirectResponse(_local(next), status_code=303)
        response.set_cookie(
            COOKIE_NAME, key.strip(), max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax",
            secure=request.url.scheme == "https",
        )  # fmt: skip
        return response

    return router


def _page(message: str, next: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        PAGE.format(message=message, next=html.escape(_local(next), quote=True)), status_code=status
    )


def _local(target: str) -> str:
    """Only a path on this server (never `//host` or a URL): the form must not redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/ui"
