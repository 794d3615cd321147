"""pydoc's topics, from the importable module or a JSON file of the same dict."""

import json

import pytest

from corta.retrieval.sources.pydoc_topics import pydoc_topics_files, read_pydoc_topics
from corta.retrieval.sources.registry import Source


def test_the_importable_topics_are_cited_by_key_and_heading() -> None:
    [module] = pydoc_topics_files(None)
    chunks = read_pydoc_topics(None, module)
    paths = {chunk.path for chunk in chunks}
    assert "pydoc_data.topics['for'] > The \"for\" statement" in paths
    assert {chunk.source for chunk in chunks} == {"pydoc-topics"} and len(chunks) > 300
    grammar = next(chunk for chunk in chunks if chunk.path.startswith("pydoc_data.topics['for']"))
    assert 'for_stmt ::= "for" target_list "in" starred_list ":" suite\n' in grammar.text


def test_a_json_file_of_topics_is_read_and_a_wrong_one_skipped(tmp_path) -> None:
    good = tmp_path / "topics.json"
    good.write_text(
        json.dumps({"pass": 'The "pass" statement\n********************\n\n"pass" is a null operation.'})
    )
    [chunk] = Source("pydoc-topics", good).read(good)
    assert chunk.path == "pydoc_data.topics['pass'] > The \"pass\" statement"
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    assert Source("pydoc-topics", bad).read(bad) is None


@pytest.mark.parametrize("spec", ["pydoc-topics"])
def test_the_default_kind_needs_no_path(spec) -> None:
    assert Source.parse(spec).files() == pydoc_topics_files(None)
