"""The tutor's knowledge base on first use: built with its progress told when missing, loaded as it is when built,
and one sentence saying what to do when there are no docs to build it from."""

from pathlib import Path

import pytest

from corta.app.services import AgentServices
from corta.app.store import Store
from corta.app.ui.knowledge_base_setup import TutorSetup, knowledge_base_built, missing_knowledge_base_notice
from corta.config import Settings
from corta.errors import ConfigError
from corta.models.runtime.endpoint import Endpoint
from corta.retrieval.sources.registry import Source

UNREACHABLE = Endpoint(base_url="http://127.0.0.1:9/v1", model="none", engine="url")  # no LLM call is made


def services_for(tmp_path: Path, docs: Path) -> AgentServices:
    settings = Settings(cache_dir=tmp_path / "cache", docs_dir=docs)
    return AgentServices(settings, UNREACHABLE, Store(tmp_path / "store.sqlite"))


def test_without_docs_the_tutor_tab_says_how_to_build_the_knowledge_base(tmp_path: Path) -> None:
    services = services_for(tmp_path, tmp_path / "no-docs")
    assert "the first question builds it" in missing_knowledge_base_notice(services.settings)
    steps: list[str] = []
    with pytest.raises(ConfigError, match=r"no Python docs in .*no-docs .*CORTA_DOCS_DIR.*corta index build"):
        TutorSetup(services).prepare(steps.append)
    assert steps == [] and not knowledge_base_built(services.settings)


def test_the_first_question_builds_the_knowledge_base_then_it_is_loaded_as_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "defaults.md").write_text(
        "# Default arguments\n\nA parameter can have a default value: `def greet(name='world')`.\n"
    )
    # The Python docs take minutes to embed: a one-page course stands in for them.
    monkeypatch.setattr(
        "corta.retrieval.sources.registry.default_sources", lambda docs_dir: [Source("course", course)]
    )
    services = services_for(tmp_path, tmp_path / "docs")
    steps: list[str] = []
    tutor = TutorSetup(services).prepare(steps.append)
    assert steps[0].startswith("Building the knowledge base (first use only): reading the Python docs")
    assert steps[-1].endswith("embedding passages: 1 of 1…")
    assert knowledge_base_built(services.settings) and missing_knowledge_base_notice(services.settings) == ""
    assert "Default arguments" in tutor.retriever.search("default value", k=1)[0].title

    restarted = services_for(tmp_path, tmp_path / "docs")
    again: list[str] = []
    TutorSetup(restarted).prepare(again.append)
    assert again == []
