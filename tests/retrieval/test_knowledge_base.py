"""The knowledge base on a small course with the real MiniLM: build, persist, reload, search; rebuild on change only."""

import json

import pytest

from corta.errors import ConfigError
from corta.retrieval.build import build_index
from corta.retrieval.embedder import Embedder
from corta.retrieval.knowledge_base import KnowledgeBase
from corta.retrieval.sources.registry import Source

PAGES = {
    "defaults.md": "# Default argument values\n\nGive a parameter a default with `def f(x=1)`; callers may omit it.",
    "loops.md": "# For loops\n\nA for loop repeats its body once for each item of a sequence.",
    "files.md": "# Reading files\n\nOpen a file with `open(path)` and read its lines in a with block.",
    "generators.txt": "A generator function uses yield to produce a series of values lazily, one at a time.",
    "推导式.md": "# 列表推导式\n\n列表推导式用一行代码从可迭代对象创建新列表。",
    "broken.ipynb": "not json",
}


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it encodes."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(embedder.path, embedder.name, embedder.batch_size)
        self.__dict__["model"] = embedder.model
        self.encoded = 0

    def encode(self, texts, on_batch=None):
        self.encoded += len(texts)
        return super().encode(texts, on_batch)


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_build_then_search_finds_the_relevant_chunk_first(course, tmp_path, embedder) -> None:
    counting = CountingEmbedder(embedder)
    result = build_index([Source("course", course)], tmp_path / "index", counting)
    assert not result.up_to_date and result.manifest.chunks == 5 and counting.encoded == 5
    [record] = result.manifest.sources
    assert record.files == 6 and record.chunks == 5 and record.skipped == [str(course / "broken.ipynb")]
    knowledge_base = KnowledgeBase.load(tmp_path / "index", embedder)
    assert len(knowledge_base) == 5
    [first, *_] = knowledge_base.search("How do I define default argument values?", k=3)
    assert first.path == "defaults.md > Default argument values" and 0 < first.score <= 1
    assert knowledge_base.search("What does the yield keyword do?", k=1)[0].path == "generators.txt"
    [zh] = knowledge_base.search("什么是列表推导式？", k=5, language="zh")
    assert (zh.path, zh.language, zh.source) == ("推导式.md > 列表推导式", "zh", "course")
    scores = [passage.score for passage in knowledge_base.search("for loop", k=5)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5


def test_the_saved_index_round_trips(course, tmp_path, embedder) -> None:
    build_index([Source("course", course)], tmp_path / "index", embedder)
    assert sorted(path.name for path in (tmp_path / "index").iterdir()) == [
        "chunks.jsonl", "index.faiss", "manifest.json",
    ]  # fmt: skip
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["embedder"] == "sentence-transformers/all-MiniLM-L6-v2" and manifest["dimension"] == 384
    loaded = KnowledgeBase.load(tmp_path / "index", embedder)
    assert loaded.index.ntotal == 5 and loaded.manifest.chunks == 5
    rebuilt = KnowledgeBase.from_vectors(
        loaded.chunks,
        embedder.encode([chunk.embedded_text() for chunk in loaded.chunks]),
        loaded.manifest,
        embedder,
    )
    query = "open a file"
    assert loaded.search(query) == rebuilt.search(query)


def test_a_second_build_embeds_nothing_until_a_source_changes(course, tmp_path, embedder) -> None:
    counting = CountingEmbedder(embedder)
    build_index([Source("course", course)], tmp_path / "index", counting)
    again = build_index([Source("course", course)], tmp_path / "index", counting)
    assert again.up_to_date and counting.encoded == 5
    (course / "loops.md").write_text("# While loops\n\nA while loop repeats while its condition holds.")
    changed = build_index([Source("course", course)], tmp_path / "index", counting)
    assert not changed.up_to_date and counting.encoded == 10
    assert (
        KnowledgeBase.load(tmp_path / "index", embedder).search("while loop", k=1)[0].title == "While loops"
    )
    forced = build_index([Source("course", course)], tmp_path / "index", counting, force=True)
    assert not forced.up_to_date and counting.encoded == 15


def test_loading_where_nothing_was_built_says_what_to_run(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"^no knowledge base in .*: run `corta index build` first$"):
        KnowledgeBase.load(tmp_path / "nothing")


def test_an_index_built_with_another_embedder_is_refused(course, tmp_path, embedder) -> None:
    build_index([Source("course", course)], tmp_path / "index", embedder)
    other = Embedder(embedder.path, name="another-model")
    with pytest.raises(ConfigError, match="was built with sentence-transformers/all-MiniLM-L6-v2"):
        KnowledgeBase.load(tmp_path / "index", other)
