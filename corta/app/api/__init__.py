"""The HTTP API (`corta serve`): OpenAI-compatible chat completions whose models are the agents, a JSON endpoint per
agent, health, API keys, and the Gradio app at `/ui`."""

from corta.app.api.app import create_app

__all__ = ["create_app"]
