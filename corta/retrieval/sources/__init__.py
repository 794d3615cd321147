"""Where chunks come from: the Python docs (English and Chinese), pydoc's topics, an instructor's course files."""
