"""An instructor's course folder: Markdown (split by headings), plain text, Python (docstrings and code, by
top-level definition) and Jupyter notebooks (markdown and code cells), cited by their path in the folder."""

import ast
import json
from pathlib import Path

from corta.retrieval.chunking import Block, Section, chunk_sections, detect_language
from corta.retrieval.markdown import markdown_blocks, parse_markdown
from corta.retrieval.passage import Chunk

SUFFIXES = (".md", ".markdown", ".txt", ".py", ".ipynb")
_SKIPPED_FOLDERS = {"__pycache__", ".ipynb_checkpoints", ".git"}


def course_files(root: Path) -> list[Path]:
    """The readable files under the folder (hidden and cache folders left out), by path."""
    return sorted(
        file
        for file in root.rglob("*")
        if file.suffix.lower() in SUFFIXES
        and file.is_file()
        and not any(part in _SKIPPED_FOLDERS or part.startswith(".") for part in file.relative_to(root).parts)
    )


def read_course_file(root: Path, file: Path) -> list[Chunk]:
    """One file's chunks, by its suffix.

    Raises
    ------
    OSError, ValueError, SyntaxError
        When the file cannot be read, is not UTF-8, is not a notebook's JSON or not valid Python.
    """
    text = file.read_text(encoding="utf-8")
    suffix = file.suffix.lower()
    if suffix in (".md", ".markdown"):
        sections = parse_markdown(text)
    elif suffix == ".ipynb":
        sections = parse_markdown(notebook_markdown(text))
    elif suffix == ".py":
        sections = python_sections(text)
    else:
        sections = [Section((), markdown_blocks(text.splitlines()))]
    return chunk_sections(sections, file.relative_to(root).as_posix(), "course", detect_language(text))


def notebook_markdown(text: str) -> str:
    """A notebook's cells as one Markdown text: markdown cells as written, code cells fenced."""
    notebook = json.loads(text)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    parts = []
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        source = "".join(source) if isinstance(source, list) else str(source)
        if not source.strip():
            continue
        parts.append(f"```python\n{source}\n```" if cell.get("cell_type") == "code" else source)
    return "\n\n".join(parts)


def python_sections(text: str) -> list[Section]:
    """The module docstring and top-level code, then one section per top-level function or class."""
    module = ast.parse(text)
    docstring = ast.get_docstring(module)
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    rest = [
        ast.get_source_segment(text, node) or ""
        for node in module.body
        if not isinstance(node, definitions) and not (docstring and node is module.body[0])
    ]
    sections = [Section((), [Block(docstring)] if docstring else [])]
    if any(rest):
        sections[0].blocks.append(Block("\n".join(rest), code=True))
    for node in module.body:
        if isinstance(node, definitions):
            keyword = "class" if isinstance(node, ast.ClassDef) else "def"
            code = ast.get_source_segment(text, node, padded=True) or ""
            sections.append(Section((f"{keyword} {node.name}",), [Block(code, code=True)]))
    return sections
