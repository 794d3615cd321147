"""Molly, the Python tutor: perceive → retrieve → draft → reflect → revise → answer, in explain or hint mode."""
