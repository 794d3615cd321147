"""How a tab reports an error a user can act on: one sentence in the tab and a warning toast, never a traceback."""

import gradio as gr


def error_markdown(error: Exception) -> str:
    """The error's sentence as the tab shows it (also raised as a toast); the caller catches only CortaError and
    the routing InstanceError, at the handler's edge."""
    sentence = str(error).strip() or type(error).__name__
    gr.Warning(sentence)
    return f"**Error:** {sentence}"
