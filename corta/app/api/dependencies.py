"""What a route takes from its request: the services the app was built on, and the caller the key names.

Both are coroutines: FastAPI runs a plain function dependency in its thread pool, a hop per request for nothing.
"""

from fastapi import Request

from corta.app.services import AgentServices


async def services_of(request: Request) -> AgentServices:
    """The `AgentServices` given to `create_app`."""
    return request.app.state.services


async def caller(request: Request) -> str:
    """The id of the API key that authenticated the request ("" for a keyless loopback client)."""
    return str(request.scope.get("state", {}).get("caller", ""))
