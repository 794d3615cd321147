"""`corta lti`: register course platforms (Moodle, Canvas, Open edX) with the LTI tool, list them, and print the
configuration a platform administrator pastes to register corta."""

import json
from typing import Annotated

import typer
from pydantic import ValidationError

from corta.app.lti.platform import Platform
from corta.app.lti.tool_config import tool_configuration
from corta.app.store import Store
from corta.commands.common import JsonOption, load_settings, print_json
from corta.commands.reporting import reports_errors
from corta.errors import ConfigError

lti_app = typer.Typer(
    help="LTI 1.3 for course platforms: register platforms, print the tool's configuration.",
    no_args_is_help=True,
)

OPTIONS = {
    "auth_login_url": "--auth-login-url",
    "auth_token_url": "--auth-token-url",
    "jwks_url": "--jwks-url",
    "issuer": "--issuer",
    "client_id": "--client-id",
    "deployment_ids": "--deployment-id",
    "defaults.mode": "--mode",
    "defaults.kb": "--kb",
    "frame_origins": "--frame-origin",
}
"""The option behind each field of a registration, to name it in errors."""


@lti_app.command("add-platform")
@reports_errors
def add_platform(
    issuer: Annotated[str, typer.Option(help="The platform's issuer (iss), as its LTI settings show it.")],
    client_id: Annotated[str, typer.Option(help="The client id the platform gave corta.")],
    auth_login_url: Annotated[str, typer.Option(help="The platform's OIDC authorization (login) URL.")],
    auth_token_url: Annotated[
        str, typer.Option(help="The platform's OAuth2 token URL (for grade passback).")
    ],
    jwks_url: Annotated[str, typer.Option(help="The platform's public keyset (JWKS) URL.")],
    deployment_id: Annotated[list[str], typer.Option(help="A deployment id of corta there (repeatable).")],
    iframe: Annotated[
        bool,
        typer.Option("--iframe", help="Show the tutor inside the platform's frame (default: a new window)."),
    ] = False,
    mode: Annotated[str, typer.Option(help="The tutor's default: explain | hint (hints only).")] = "explain",
    kb: Annotated[str, typer.Option(help="The default knowledge base's name.")] = "default",
    frame_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="An origin allowed to frame corta (repeatable; default: the issuer's and login URL's)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a course platform (or replace its registration) so that its launches are accepted."""
    try:
        platform = Platform(
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            jwks_url=jwks_url,
            deployment_ids=deployment_id,
            defaults={"mode": mode, "kb": kb, "iframe": iframe},
            frame_origins=frame_origin or [],
        )
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"][:2])
        option = OPTIONS.get(field, field)
        raise ConfigError(f"{option} is invalid: {problem['msg'].removeprefix('Value error, ')}.") from None
    store = Store.open(load_settings())
    try:
        platform.save(store)
    finally:
        store.close()
    if as_json:
        print_json(platform.model_dump(mode="json"))
    else:
        typer.echo(f"registered {platform.issuer} (client id {platform.client_id}): {_summary(platform)}")


@lti_app.command("platforms")
@reports_errors
def platforms(as_json: JsonOption = False) -> None:
    """List the registered course platforms."""
    store = Store.open(load_settings())
    try:
        registered = Platform.all(store)
    finally:
        store.close()
    if as_json:
        print_json([platform.model_dump(mode="json") for platform in registered])
        return
    if not registered:
        typer.echo("no platform is registered: add one with `corta lti add-platform`")
    for platform in registered:
        typer.echo(f"{platform.issuer}  client id {platform.client_id}  {_summary(platform)}")


@lti_app.command("tool-config")
@reports_errors
def tool_config(
    base_url: Annotated[str, typer.Option(help="corta's public address, e.g. https://corta.example.edu.")],
) -> None:
    """Print the tool's configuration (JSON) for a platform administrator: login, launch, deep-link and JWKS URLs."""
    if not base_url.startswith(("https://", "http://")):
        raise ConfigError(f"The base URL {base_url!r} is not an http(s) URL.")
    typer.echo(json.dumps(tool_configuration(base_url), indent=2))


def _summary(platform: Platform) -> str:
    defaults = platform.defaults
    where = "in the platform's frame" if defaults.iframe else "in a new window"
    mode = "hints only" if defaults.mode == "hint" else "explain"
    deployments = ", ".join(platform.deployment_ids)
    return f"deployments {deployments}; {mode}; knowledge base {defaults.kb}; opens {where}"
