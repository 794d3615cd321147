"""`corta serve`: the HTTP API (OpenAI-compatible chat completions, a JSON endpoint per agent, health) on uvicorn,
with the LTI 1.3 tool at `/lti` and the Gradio app at `/ui`; `corta keys`: its API keys.
"""

from datetime import UTC, datetime
from typing import Annotated

import typer

from corta.commands.common import JsonOption, ModelOption, load_settings, print_json
from corta.commands.reporting import reports_errors
from corta.errors import ConfigError

HostOption = Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]
GRACEFUL_SHUTDOWN_S = 10
KEEP_ALIVE_S = 75
"""How long an idle client connection stays open (uvicorn's 5 s default races pooled clients reusing a connection
just as it closes; 75 s is nginx's default)."""

keys_app = typer.Typer(
    help="API keys of `corta serve` (stored hashed; a secret is shown once).", no_args_is_help=True
)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    model: str | None = None,
    with_ui: bool = True,
    public_url: str | None = None,
) -> None:
    """Serve the API, the LTI tool at `/lti` and (with `with_ui`) the Gradio app at `/ui` until SIGINT or SIGTERM
    (uvicorn finishes open requests for up to 10 s), then stop the model server if this call started it.

    Parameters
    ----------
    host, port
        Where to listen.
    model
        The model choice (embedded | tiny | vllm | url | an http(s) URL; default: the settings').
    with_ui
        Mount the Gradio app at `/ui` (imported only then: Gradio is slow to load).
    public_url
        The address course platforms reach the server at, when a proxy is in front (else each request's own).

    Raises
    ------
    ConfigError
        When the model choice or the store is invalid.
    corta.errors.LLMUnavailableError
        When the model cannot be reached or started.
    """
    import uvicorn

    from corta.app.api import create_app
    from corta.app.lti.router import build_lti_router
    from corta.app.services import open_services

    settings = load_settings()
    with open_services(settings, model) as services:
        ui = None
        if with_ui:
            from corta.app.ui.blocks import build_ui

            ui = build_ui(services)
        app = create_app(services, ui=ui, routers=[build_lti_router(services, public_url)])
        keys = "required" if services.store.has_api_keys() else "none yet: only this machine is answered"
        typer.echo(
            f"corta API at http://{host}:{port} on {services.endpoint.model}"
            f"{'; UI at /ui' if ui else ''}; LTI tool at /lti; API keys: {keys}"
        )
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 only: behind a local reverse proxy a remote client keeps its
        # own address, so it is never mistaken for this machine.
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            timeout_keep_alive=KEEP_ALIVE_S,
        )


@reports_errors
def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    model: ModelOption = None,
    with_ui: Annotated[bool, typer.Option("--ui/--no-ui", help="Mount the Gradio app at /ui.")] = True,
    public_url: Annotated[
        str | None, typer.Option(help="The address course platforms reach this server at (behind a proxy).")
    ] = None,
) -> None:
    """Serve the HTTP API: OpenAI-compatible /v1/chat/completions (models corta-tutor, corta-modeler, corta-router,
    corta-llm), /api/..., /healthz, the LTI 1.3 tool at /lti and the app at /ui. Until `corta keys create` makes the
    first key, only this machine is answered."""
    serve(host, port, model, with_ui, public_url)


@keys_app.command("create")
@reports_errors
def create_key(
    name: Annotated[str, typer.Argument(help="Who or what the key is for.")], as_json: JsonOption = False
) -> None:
    """Make a key and print its secret this once (only its hash is kept); from the first key on, keys are needed."""
    from corta.app.store import Store

    store = Store.open(load_settings())
    try:
        key_id, secret = store.create_api_key(name)
    finally:
        store.close()
    if as_json:
        print_json({"id": key_id, "name": name, "key": secret})
    else:
        typer.echo(f"key {key_id} ({name}): {secret}")
        typer.echo("The secret is shown only this once: keep it.", err=True)


@keys_app.command("list")
@reports_errors
def list_keys(as_json: JsonOption = False) -> None:
    """The keys (never their secrets): id, name, created, revoked."""
    from corta.app.store import Store

    store = Store.open(load_settings())
    try:
        keys = store.api_keys()
    finally:
        store.close()
    if as_json:
        print_json(keys)
        return
    for key in keys:
        revoked = f"revoked {_when(key['revoked'])}" if key["revoked"] else "live"
        typer.echo(f"{key['id']}  {key['name']:24s} created {_when(key['created'])}  {revoked}")


@keys_app.command("revoke")
@reports_errors
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key's id (from `corta keys list`).")]) -> None:
    """Revoke a key: requests with it are refused from now on."""
    from corta.app.store import Store

    store = Store.open(load_settings())
    try:
        revoked = store.revoke_api_key(key_id)
    finally:
        store.close()
    if not revoked:
        raise ConfigError(f"There is no live key {key_id!r}.")
    typer.echo(f"revoked {key_id}")


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
