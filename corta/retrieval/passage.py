"""What the knowledge base holds (a `Chunk`: a passage of a source, with its citation) and returns (a `Passage`)."""

from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "zh"]


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage.

    Parameters
    ----------
    text
        The readable text (markup removed, code blocks kept with their line breaks).
    title
        The title of the section it comes from.
    path
        The citation: the source file and the section path, e.g. ``tutorial/controlflow.rst > 4.7 Defining
        Functions > 4.7.1 Default Argument Values``.
    source
        The kind of source: ``python-docs``, ``python-docs-zh``, ``pydoc-topics`` or ``course``.
    language
        ``en`` or ``zh``.
    """

    text: str
    title: str
    path: str
    source: str
    language: Language

    def embedded_text(self) -> str:
        """What is embedded: the section title, then the text (the title carries what a short passage is about)."""
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class Passage(Chunk):
    """A chunk found by a search, with its cosine similarity to the query."""

    score: float = 0.0
