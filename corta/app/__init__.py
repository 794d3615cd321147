"""The front doors: the Gradio app, the HTTP API and LTI 1.3 for course platforms."""
