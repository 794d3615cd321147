"""The Python 3.11 docs on the real files beside the repository: Sphinx's numbering in citations, the glossary,
and a knowledge base of the glossary searched with the real MiniLM."""

import shutil

from corta.retrieval.build import build_index
from corta.retrieval.chunking import MAX_SIZE, text_size
from corta.retrieval.knowledge_base import KnowledgeBase
from corta.retrieval.sources.python_docs import python_docs_files, python_docs_sections, read_python_docs
from corta.retrieval.sources.registry import Source
from tests.retrieval.conftest import tutor_data


def test_tutorial_sections_are_cited_with_their_sphinx_numbers() -> None:
    root = tutor_data() / "python311_docs_rst"
    headings = [
        section.headings for section in python_docs_sections(root, root / "tutorial/controlflow.rst.txt")
    ]
    assert ("4 More Control Flow Tools",) in headings
    assert ("4.8 More on Defining Functions", "4.8.1 Default Argument Values") in headings
    chunks = read_python_docs(root, root / "tutorial/controlflow.rst.txt")
    defaults = [chunk for chunk in chunks if chunk.title == "4.8.1 Default Argument Values"]
    assert defaults[0].path == (
        "tutorial/controlflow.rst > 4.8 More on Defining Functions > 4.8.1 Default Argument Values"
    )
    assert "def ask_ok(prompt, retries=4, reminder='Please try again!'):" in defaults[0].text
    assert all(text_size(chunk.text) <= MAX_SIZE for chunk in chunks)


def test_the_glossary_gives_one_chunk_per_term_and_the_parts_are_listed() -> None:
    root = tutor_data() / "python311_docs_rst"
    chunks = read_python_docs(root, root / "glossary.rst.txt")
    by_path = {chunk.path: chunk for chunk in chunks}
    assert by_path["glossary.rst > list comprehension"].text.startswith(
        "A compact way to process all or part"
    )
    assert len(by_path) > 100
    files = {file.relative_to(root).as_posix() for file in python_docs_files(root)}
    assert {"tutorial/controlflow.rst.txt", "faq/programming.rst.txt", "glossary.rst.txt"} <= files
    assert "license.rst.txt" not in files


def test_a_knowledge_base_of_the_glossary_finds_the_term_asked_about(tmp_path, embedder) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(tutor_data() / "python311_docs_rst" / "glossary.rst.txt", docs)
    build_index([Source("python-docs", docs)], tmp_path / "index", embedder)
    knowledge_base = KnowledgeBase.load(tmp_path / "index", embedder)
    assert knowledge_base.search("What is a decorator?", k=1)[0].path == "glossary.rst > decorator"
    assert knowledge_base.search("What is duck typing?", k=1)[0].path == "glossary.rst > duck-typing"
    assert knowledge_base.search("What does the yield keyword do?", k=1)[0].path == "glossary.rst > generator"
