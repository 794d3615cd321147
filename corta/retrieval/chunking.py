"""Sections of a document → chunks of bounded size, each cited by its file and section path."""

import re
from dataclasses import dataclass, field

from corta.retrieval.passage import Chunk, Language

MAX_SIZE = 200
"""The most words (CJK characters count one each) a chunk holds: MiniLM reads at most 256 word pieces."""
MIN_SIZE = 3
"""Shorter chunks (a lone "For example:") carry nothing to retrieve and are dropped."""

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；])\s+|(?<=[。！？；])")


@dataclass(frozen=True)
class Block:
    """A paragraph (`code` false) or a code block, kept whole where it fits."""

    text: str
    code: bool = False


@dataclass
class Section:
    """The headings above a stretch of a document, outermost first, and its blocks."""

    headings: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    """Shown instead of the last heading (a translated title under the original's citation)."""


def text_size(text: str) -> int:
    """Words, counting each CJK character as one (Chinese has no spaces; the tokenizer splits it by character)."""
    cjk = len(_CJK.findall(text))
    return cjk + len(_CJK.sub(" ", text).split())


def detect_language(text: str) -> Language:
    """``zh`` when CJK characters make up more than a fifth of the non-space characters."""
    letters = len(re.sub(r"\s", "", text))
    return "zh" if letters and len(_CJK.findall(text)) / letters > 0.2 else "en"


def chunk_sections(
    sections: list[Section],
    document: str,
    source: str,
    language: Language,
    max_size: int = MAX_SIZE,
) -> list[Chunk]:
    """Pack each section's blocks greedily into chunks of at most `max_size` words, splitting only blocks too long
    for one chunk (prose by sentences, code by lines); the citation is `document > heading > ...`."""
    chunks = []
    for section in sections:
        title = section.title or (section.headings[-1] if section.headings else document)
        path = " > ".join([document, *section.headings])
        for text in _pack(section.blocks, max_size):
            if text_size(text) >= MIN_SIZE:
                chunks.append(Chunk(text=text, title=title, path=path, source=source, language=language))
    return chunks


def _pack(blocks: list[Block], max_size: int) -> list[str]:
    return _greedy([piece for block in blocks for piece in _fit(block, max_size)], max_size, "\n\n")


def _fit(block: Block, max_size: int) -> list[str]:
    """The block whole, or cut into consecutive parts of at most `max_size` words (prose by sentences, code by
    lines, and a sentence or line longer than a chunk by words)."""
    if text_size(block.text) <= max_size:
        return [block.text]
    units = block.text.split("\n") if block.code else _SENTENCE_END.split(block.text)
    pieces = [piece for unit in units for piece in _words(unit, max_size)]
    return _greedy(pieces, max_size, "\n" if block.code else " ")


def _greedy(pieces: list[str], max_size: int, separator: str) -> list[str]:
    """Consecutive pieces joined while their sizes add up to at most `max_size`."""
    packed: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        piece_size = text_size(piece)
        if current and size + piece_size > max_size:
            packed.append(separator.join(current))
            current, size = [], 0
        current.append(piece)
        size += piece_size
    if current:
        packed.append(separator.join(current))
    return packed


def _words(unit: str, max_size: int) -> list[str]:
    """A sentence or line longer than a chunk, cut by words (or by characters for CJK text)."""
    if text_size(unit) <= max_size:
        return [unit]
    tokens = re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+", unit)
    joiner = "" if _CJK.search(unit) else " "
    return [joiner.join(tokens[start : start + max_size]) for start in range(0, len(tokens), max_size)]
