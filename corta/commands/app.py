"""`corta app`: the Gradio app (Tutor, Modeler, Router, Evaluate, Models) on the chosen model, until Ctrl-C."""

import os
from typing import Annotated

import typer

from corta.commands.common import ModelOption, load_settings
from corta.commands.reporting import reports_errors
from corta.errors import ConfigError

HostOption = Annotated[
    str, typer.Option(help="Address to listen on (0.0.0.0 to reach it from other machines).")
]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


@reports_errors
def app_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 7860,
    model: ModelOption = None,
) -> None:
    """Open the app in the browser at the printed URL; the embedded model serves unless --model says otherwise."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # read when gradio is imported
    from corta.app.services import open_services
    from corta.app.ui.blocks import build_ui
    from corta.app.ui.knowledge_base_setup import missing_knowledge_base_notice

    settings = load_settings()
    with open_services(settings, model) as services:
        page = build_ui(services).queue()
        try:
            page.launch(
                server_name=host, server_port=port, share=False, prevent_thread_lock=True, quiet=True,
                footer_links=["api", "settings"],
            )  # fmt: skip
        except OSError:
            raise ConfigError(f"Port {port} on {host} is taken: choose another with --port.") from None
        typer.echo(f"corta app on {page.local_url} (model {services.endpoint.model}); Ctrl-C stops it")
        notice = missing_knowledge_base_notice(settings)
        if notice:
            typer.echo(notice)
        page.block_thread()
