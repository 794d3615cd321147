"""pydoc's topics (``pydoc_data.topics``: the Language Reference's sections as plain text, what ``help("for")``
shows), cited as ``pydoc_data.topics['for'] > The "for" statement``."""

import json
import pydoc_data.topics
from pathlib import Path

from corta.retrieval.chunking import chunk_sections
from corta.retrieval.passage import Chunk
from corta.retrieval.rest import parse_rest


def pydoc_topics_files(root: Path | None) -> list[Path]:
    """The importable module (by default), or a JSON file of the same dict (topic → text)."""
    return [root if root is not None else Path(pydoc_data.topics.__file__)]


def read_pydoc_topics(root: Path | None, file: Path) -> list[Chunk]:
    """Every topic's chunks, topic by topic."""
    if file.suffix == ".json":
        topics = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(topics, dict):
            raise ValueError("not a JSON object of topic texts")
    else:
        topics = pydoc_data.topics.topics
    return [
        chunk
        for name, text in sorted(topics.items())
        for chunk in chunk_sections(parse_rest(text), f"pydoc_data.topics['{name}']", "pydoc-topics", "en")
    ]
