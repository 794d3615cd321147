"""The request body limit: a declared Content-Length over the limit is refused before anything is read, and a body
sent without one (chunked) is counted as it arrives and refused as soon as it passes the limit."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corta.app.api.errors import error_response


class BodyLimitMiddleware:
    """Answer 413 to a body over `max_bytes`; otherwise hand the app the body read so far, then the live stream.

    The body is read whole before the app sees it (it is at most `max_bytes`), so that a refusal never comes in the
    middle of a route.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("The body limit must be at least one byte.")
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, f"The request body is larger than the limit of {self.max_bytes} bytes.", "body_too_large"
        )
        await response(scope, receive, send)
