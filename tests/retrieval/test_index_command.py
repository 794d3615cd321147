"""`corta index build` and `corta index search` on a small course folder; errors are one sentence."""

import json

import pytest
from typer.testing import CliRunner

from corta.commands.index import index_app

runner = CliRunner()


@pytest.fixture
def shared_embedder(monkeypatch, embedder):
    """The session's embedder wherever the commands would load their own."""
    monkeypatch.setattr("corta.retrieval.build.Embedder", lambda: embedder)
    monkeypatch.setattr("corta.retrieval.knowledge_base.Embedder", lambda: embedder)
    return embedder


def test_build_is_idempotent_and_search_prints_citations(tmp_path, shared_embedder) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "loops.md").write_text(
        "# For loops\n\nA for loop repeats its body for each item.", encoding="utf-8"
    )
    (course / "files.md").write_text("# Files\n\nOpen a file with open() in a with block.", encoding="utf-8")
    index = ["--index-dir", str(tmp_path / "index")]
    built = runner.invoke(index_app, ["build", "--source", f"course={course}", *index])
    assert built.exit_code == 0, built.output
    assert f"course={course}: 2 files, 2 chunks" in built.stdout and "built 2 chunks" in built.stdout
    again = runner.invoke(index_app, ["build", "--source", f"course={course}", *index])
    assert again.exit_code == 0 and again.stdout.startswith("up to date: 2 chunks")
    found = runner.invoke(index_app, ["search", "how to loop over a list", "-k", "1", *index])
    assert (
        found.exit_code == 0
        and "1. " in found.output
        and "loops.md > For loops  [course, en]" in found.output
    )
    as_json = runner.invoke(index_app, ["search", "open a file", "--json", *index])
    passages = json.loads(as_json.stdout)
    assert [passage["path"] for passage in passages] == ["files.md > Files", "loops.md > For loops"]
    assert set(passages[0]) == {"text", "title", "path", "source", "language", "score"}


def test_errors_are_one_sentence(tmp_path) -> None:
    missing = runner.invoke(index_app, ["search", "loops", "--index-dir", str(tmp_path / "none")])
    assert missing.exit_code == 1
    assert (
        missing.output.strip()
        == f"error: no knowledge base in {tmp_path / 'none'}: run `corta index build` first"
    )
    unknown = runner.invoke(index_app, ["build", "--source", "wiki=x", "--index-dir", str(tmp_path)])
    assert unknown.exit_code == 1 and "unknown source kind 'wiki'" in unknown.output
    no_docs = runner.invoke(
        index_app, ["build", "--index-dir", str(tmp_path)], env={"CORTA_DOCS_DIR": str(tmp_path)}
    )
    assert no_docs.exit_code == 1 and "set CORTA_DOCS_DIR" in no_docs.output
