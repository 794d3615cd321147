"""The official Python 3.11 docs in reST (tutorial, FAQ, HOWTOs, language reference, glossary), cited as Sphinx
numbers them: ``tutorial/controlflow.rst > 4.7 Defining Functions > 4.7.1 Default Argument Values``."""

import re
from pathlib import Path

from corta.retrieval.chunking import Section, chunk_sections
from corta.retrieval.passage import Chunk
from corta.retrieval.rest import parse_rest

PARTS = ("tutorial", "faq", "howto", "reference")
GLOSSARY = "glossary.rst.txt"


def python_docs_files(root: Path) -> list[Path]:
    """The ``.rst.txt`` files of the parts corta reads, and the glossary."""
    files = [file for part in PARTS for file in sorted((root / part).glob("*.rst.txt"))]
    return [*files, root / GLOSSARY] if (root / GLOSSARY).is_file() else files


def document_name(root: Path, file: Path) -> str:
    """The page as Sphinx names it: ``tutorial/controlflow.rst``."""
    return file.relative_to(root).as_posix().removesuffix(".txt")


def python_docs_sections(root: Path, file: Path) -> list[Section]:
    """The page's sections, numbered where its part is; the page title is left out of its subsections' headings (the
    file names the page)."""
    sections = parse_rest(file.read_text(encoding="utf-8"))
    chapter = _chapter(file)
    if chapter is not None:
        sections = _numbered(sections, chapter)
    return [
        Section(section.headings[1:] if len(section.headings) > 1 else section.headings, section.blocks)
        for section in sections
    ]


def read_python_docs(root: Path, file: Path) -> list[Chunk]:
    """One page's chunks."""
    return chunk_sections(python_docs_sections(root, file), document_name(root, file), "python-docs", "en")


def _numbered(sections: list[Section], chapter: int) -> list[Section]:
    """Headings prefixed as Sphinx numbers them: the page is `chapter`, its sections 4.1, 4.1.1, …"""
    numbered = []
    counters: list[int] = []
    titles: list[str] = []
    for section in sections:
        depth = len(section.headings)
        if depth == 0:
            numbered.append(section)
            continue
        if depth == 1:
            counters = [chapter]
        else:
            counters = counters[:depth] + [0] * (depth - len(counters))
            counters[-1] += 1
        titles = [*titles[: depth - 1], f"{'.'.join(map(str, counters))} {section.headings[-1]}"]
        numbered.append(Section(tuple(titles), section.blocks))
    return numbered


def _chapter(file: Path) -> int | None:
    """The page's position in its part's ``:numbered:`` toctree (1-based), or None where the part is not numbered."""
    index = file.parent / "index.rst.txt"
    if file.name == "index.rst.txt" or not index.is_file():
        return None
    text = index.read_text(encoding="utf-8")
    toctree = re.search(r"^\.\. toctree::\n((?:[ \t]+.*\n|\n)+)", text, re.M)
    if toctree is None or ":numbered:" not in toctree.group(1):
        return None
    entries = [
        line.strip().removesuffix(".rst")
        for line in toctree.group(1).splitlines()
        if line.strip() and not line.strip().startswith(":")
    ]
    name = file.name.removesuffix(".rst.txt")
    return entries.index(name) + 1 if name in entries else None
