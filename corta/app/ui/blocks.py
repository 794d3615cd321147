"""The app's page: a header naming the model that serves, and one tab per front door (Tutor, Modeler, Router,
Evaluate, Models), all on one `AgentServices`."""

from pathlib import Path

import gradio as gr

from corta.app.services import AgentServices
from corta.app.ui.evaluate_tab import build_evaluate_tab
from corta.app.ui.modeler_tab import build_modeler_tab
from corta.app.ui.models_tab import build_models_tab
from corta.app.ui.router_tab import build_router_tab
from corta.app.ui.routing_data import ROUTING_DATA
from corta.app.ui.tutor_tab import build_tutor_tab

TITLE = "corta"


def build_ui(services: AgentServices, routing_data: Path = ROUTING_DATA) -> gr.Blocks:
    """The Gradio Blocks of the app (not launched); the Router tab offers the instances under `routing_data`."""
    endpoint = services.endpoint
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        gr.Markdown(
            f"# corta\nCompact reasoning and tutoring agents · serving `{endpoint.model}` ({endpoint.engine})",
            elem_id="corta-header",
        )
        with gr.Tabs():
            with gr.Tab("Tutor", id="tutor"):
                build_tutor_tab(services, page)
            with gr.Tab("Modeler", id="modeler"):
                build_modeler_tab(services)
            with gr.Tab("Router", id="router"):
                build_router_tab(services, routing_data)
            with gr.Tab("Evaluate", id="evaluate"):
                build_evaluate_tab(services)
            with gr.Tab("Models", id="models"):
                build_models_tab(services)
    return page
