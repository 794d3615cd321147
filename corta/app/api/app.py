"""`create_app`: the HTTP API on one `AgentServices`: health, the OpenAI-compatible door, the JSON door, the login
form, routers given by the caller (the LTI tool's), and the Gradio UI mounted at `/ui`.

Every request passes, from the outside in: the last-resort error guard, the body limit, the API key check.
"""

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request

from corta import __version__
from corta.app.api.agent_routes import agent_router
from corta.app.api.auth import ApiKeyMiddleware
from corta.app.api.errors import InternalErrorMiddleware, register_error_handlers
from corta.app.api.limits import BodyLimitMiddleware
from corta.app.api.login import login_router
from corta.app.api.openai_routes import openai_router
from corta.app.services import AgentServices

if TYPE_CHECKING:
    import gradio

UI_PATH = "/ui"


def create_app(
    services: AgentServices,
    ui: "gradio.Blocks | None" = None,
    routers: list[APIRouter] | None = None,
    max_body_bytes: int = 1_000_000,
) -> FastAPI:
    """The API app on `services`.

    Parameters
    ----------
    services
        The agents, the LLM endpoint and the store (API keys, conversations, runs).
    ui
        A Gradio app to mount at `/ui` (behind the same keys; a browser signs in at `/login`).
    routers
        More routes, included as they are (the LTI tool's, under `/lti/`, which authenticates its own launches).
    max_body_bytes
        The largest request body accepted (413 beyond).
    """
    app = FastAPI(title="corta", version=__version__, docs_url="/docs", redoc_url=None)
    app.state.services = services
    register_error_handlers(app)

    @app.get("/healthz")
    async def health(request: Request) -> dict[str, Any]:
        """Always open: whether the API is up and which model it serves."""
        endpoint = services.endpoint
        return {"status": "ok", "model": endpoint.model, "engine": endpoint.engine, "version": __version__}

    app.include_router(openai_router())
    app.include_router(agent_router())
    app.include_router(login_router())
    for router in routers or []:
        app.include_router(router)
    if ui is not None:
        import gradio

        gradio.mount_gradio_app(app, ui, path=UI_PATH)
    app.add_middleware(ApiKeyMiddleware, store=services.store)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(InternalErrorMiddleware)
    return app
