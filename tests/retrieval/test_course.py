"""An instructor's course folder: each file type chunked; unreadable files skipped, logged and counted."""

import json
import logging

import pytest

from corta.errors import ConfigError
from corta.retrieval.sources.course import course_files
from corta.retrieval.sources.registry import Source

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "source": ["# Week 2: Loops\n", "A for loop walks a sequence."]},
        {"cell_type": "code", "source": ["for word in ['a', 'b']:\n", "    print(word)"]},
    ],
    "metadata": {},
    "nbformat": 4,
}


@pytest.fixture
def course(tmp_path):
    (tmp_path / "notes.md").write_text(
        "# Lists\n\nA list holds items in order.\n\n## Slicing\n\nTake a part with `a[1:3]`.\n\n"
        "```python\n# not a heading\nprint(a[1:3])\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "syllabus.txt").write_text("Week one covers variables and types.\n", encoding="utf-8")
    (tmp_path / "solutions.py").write_text(
        '"""Solutions to the first exercises."""\n\nimport math\n\n\n'
        'def area(radius):\n    """The area of a circle."""\n    return math.pi * radius**2\n',
        encoding="utf-8",
    )
    (tmp_path / "week2.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    (tmp_path / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "中文.md").write_text("# 列表\n\n列表按顺序保存元素，可以用下标访问。\n", encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "week2-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    return tmp_path


def _chunks(course, name):
    return Source("course", course).read(course / name)


def test_only_course_files_are_listed(course) -> None:
    names = [file.name for file in course_files(course)]
    assert names == ["broken.ipynb", "notes.md", "solutions.py", "syllabus.txt", "week2.ipynb", "中文.md"]


def test_markdown_is_split_by_headings_outside_code(course) -> None:
    chunks = _chunks(course, "notes.md")
    assert [(chunk.path, chunk.source, chunk.language) for chunk in chunks] == [
        ("notes.md > Lists", "course", "en"),
        ("notes.md > Lists > Slicing", "course", "en"),
    ]
    assert chunks[1].text == "Take a part with `a[1:3]`.\n\n# not a heading\nprint(a[1:3])"


def test_text_python_and_notebooks_are_read(course) -> None:
    [text] = _chunks(course, "syllabus.txt")
    assert (text.path, text.title, text.text) == (
        "syllabus.txt",
        "syllabus.txt",
        "Week one covers variables and types.",
    )
    module, function = _chunks(course, "solutions.py")
    assert module.path == "solutions.py" and module.text == "Solutions to the first exercises.\n\nimport math"
    assert function.path == "solutions.py > def area" and '"""The area of a circle."""' in function.text
    [notebook] = _chunks(course, "week2.ipynb")
    assert notebook.path == "week2.ipynb > Week 2: Loops"
    assert notebook.text == "A for loop walks a sequence.\n\nfor word in ['a', 'b']:\n    print(word)"


def test_chinese_course_files_are_marked_zh(course) -> None:
    [chunk] = _chunks(course, "中文.md")
    assert (chunk.path, chunk.language) == ("中文.md > 列表", "zh")


def test_a_broken_notebook_is_skipped_with_a_warning(course, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="corta.retrieval.sources.registry"):
        assert _chunks(course, "broken.ipynb") is None
    assert "broken.ipynb" in caplog.text


def test_kinds_and_paths_are_checked(tmp_path) -> None:
    assert Source.parse("pydoc-topics") == Source("pydoc-topics")
    assert Source.parse(f"course={tmp_path}") == Source("course", tmp_path)
    with pytest.raises(ConfigError, match="unknown source kind 'wiki'"):
        Source.parse("wiki=/tmp")
    with pytest.raises(ConfigError, match="needs a path"):
        Source.parse("course")
    with pytest.raises(ConfigError, match="holds no files"):
        Source("course", tmp_path).files()
