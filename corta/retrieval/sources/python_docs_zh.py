"""The Simplified Chinese translation of the Python docs (gettext .po, one msgid per English paragraph): Chinese
chunks per section, cited by the English page's section path so that both languages point at the same place."""

import logging
import re
from pathlib import Path

import polib

from corta.retrieval.chunking import Block, Section, chunk_sections
from corta.retrieval.passage import Chunk
from corta.retrieval.rest import clean_inline, parse_rest
from corta.retrieval.sources.python_docs import python_docs_sections

ENGLISH_FOLDER = "python311_docs_rst"
"""Where the English reST lies, beside the translation's folder: its headings give the sections' citations."""

logger = logging.getLogger(__name__)


def python_docs_zh_files(root: Path) -> list[Path]:
    """The .po files of the translation, by page."""
    return sorted(root.rglob("*.po"))


def read_python_docs_zh(root: Path, file: Path) -> list[Chunk]:
    """One page's Chinese chunks (msgstr, or msgid where a paragraph is untranslated or fuzzy)."""
    document = file.relative_to(root).with_suffix(".rst").as_posix()
    english_root = root.parent / ENGLISH_FOLDER
    english = english_root / f"{document}.txt"
    if english.is_file():
        raw = parse_rest(english.read_text(encoding="utf-8"))
        cited = python_docs_sections(english_root, english)
    else:
        logger.warning("no English page %s: %s is cited by page only", english, file)
        raw, cited = [], []
    entries = [
        (entry.msgid, entry.msgstr if entry.translated() else entry.msgid)
        for entry in polib.pofile(str(file))
        if not entry.obsolete
    ]
    return chunk_sections(translated_sections(entries, raw, cited), document, "python-docs-zh", "zh")


def translated_sections(
    entries: list[tuple[str, str]], raw: list[Section], cited: list[Section]
) -> list[Section]:
    """(msgid, translation) pairs in page order → sections: an entry whose msgid is the next English heading opens
    that heading's section (cited as in `cited`, titled in Chinese); any other entry is a paragraph of the open one.

    Parameters
    ----------
    entries
        The page's messages in file order, the translation already falling back to the msgid.
    raw
        The English page's sections as parsed (their last heading as written, unnumbered).
    cited
        The same sections as cited (numbered, page title dropped), in the same order.

    The code blocks that follow an English paragraph follow its translation too (code is not translated).
    """
    titles = [section.headings[-1] if section.headings else None for section in raw]
    code_after = _code_after(raw)
    current = Section(cited[0].headings if cited else ())
    sections = [current]
    position = 0
    for msgid, translation in entries:
        english = clean_inline(msgid)
        match = next((index for index in range(position + 1, len(titles)) if titles[index] == english), None)
        if match is None:
            current.blocks += [Block(clean_inline(translation)), *code_after.get(_key(english), [])]
            continue
        position = match
        heading = cited[match].headings[-1]
        number = heading[: len(heading) - len(english)]
        current = Section(cited[match].headings, title=number + clean_inline(translation))
        sections.append(current)
    return sections


def _code_after(sections: list[Section]) -> dict[str, list[Block]]:
    """Each English paragraph's text (as `_key` has it) → the code blocks right after it."""
    code_after: dict[str, list[Block]] = {}
    for section in sections:
        key = None
        for block in section.blocks:
            if not block.code:
                key = _key(block.text)
            elif key is not None:
                code_after.setdefault(key, []).append(block)
    return code_after


def _key(paragraph: str) -> str:
    """A paragraph as both the reST and the msgid give it: spaces collapsed, a closing ``:`` or ``::`` dropped."""
    return re.sub(r"\s+", " ", paragraph).strip().rstrip(":").rstrip()
