"""The Gradio app (`corta app`): one tab per agent (Tutor, Modeler, Router), Evaluate and Models; `blocks.build_ui`
assembles them on one `AgentServices`."""
