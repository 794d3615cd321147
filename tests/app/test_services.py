"""The services behind the front doors: tutor turns recorded in conversations that continue after a restart, owners
kept apart, and the served model streamed through."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from corta.agents.tutor.agent import Tutor
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.errors import ConfigError
from corta.models.runtime.endpoint import Endpoint
from tests.agents.tutor.scripted import FixedRetriever, Script
from tests.helpers.stub_openai_server import StubServer


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def endpoint(script: Script) -> Iterator[Endpoint]:
    with StubServer(responder=script) as server:
        yield Endpoint(base_url=server.base_url, model=server.model, engine="url")


def services_on(endpoint: Endpoint, tmp_path: Path) -> AgentServices:
    """Services as a fresh process would build them on the same store (the tutor on a fixed retriever)."""
    services = AgentServices(
        Settings(cache_dir=tmp_path / "cache"), endpoint, Store(tmp_path / "store.sqlite")
    )
    services.tutor = Tutor(services.llm, FixedRetriever(), services.store.checkpointer())
    return services


def test_a_tutor_turn_is_recorded_and_the_conversation_continues_after_a_restart(
    endpoint: Endpoint, script: Script, tmp_path: Path
) -> None:
    steps: list[str] = []
    first = services_on(endpoint, tmp_path).tutor_turn("What is a default argument?", on_step=steps.append)
    assert first.conversation.title == "What is a default argument?"
    assert steps[0] == "perceive" and steps[-1] == "answer"

    restarted = services_on(endpoint, tmp_path)
    second = restarted.tutor_turn(
        "And a keyword argument?", mode="hint", conversation_id=first.conversation.id
    )
    assert second.conversation.id == first.conversation.id
    history = restarted.store.messages(first.conversation.id)
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[2].meta["mode"] == "hint" and history[3].meta["sources"]
    assert "Learner: What is a default argument?" in script.prompts_of("draft")[-1]


def test_a_conversation_of_another_owner_or_agent_is_not_found(endpoint: Endpoint, tmp_path: Path) -> None:
    services = services_on(endpoint, tmp_path)
    mine = services.tutor_turn("What is a default argument?", owner="key-a").conversation
    with pytest.raises(ConfigError, match="no tutor conversation"):
        services.tutor_turn("Go on", conversation_id=mine.id, owner="key-b")
    other_agent = services.store.create_conversation("modeler", "a problem")
    with pytest.raises(ConfigError, match="no tutor conversation"):
        services.tutor_turn("Go on", conversation_id=other_agent.id)


def test_the_served_model_is_streamed_through_in_pieces(tiny_endpoint: Endpoint, tmp_path: Path) -> None:
    services = AgentServices(
        Settings(cache_dir=tmp_path / "cache"), tiny_endpoint, Store(tmp_path / "store.sqlite")
    )
    pieces = list(services.stream_chat([{"role": "user", "content": "Count: one, two,"}], max_tokens=8))
    assert len(pieces) > 1 and all(isinstance(piece, str) for piece in pieces)
    assert services.llm.ledger.calls[-1].purpose == "api" and services.llm.ledger.calls[
        -1
    ].completion_tokens == len(pieces)


def test_a_course_knowledge_base_is_used_when_built_and_named_when_missing(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    from corta.retrieval.build import build_index
    from corta.retrieval.embedder import Embedder
    from corta.retrieval.sources.registry import Source

    services = services_on(endpoint, tmp_path)
    with pytest.raises(
        ConfigError, match="'lab-3' is not built: run `corta index build --source course=FOLDER"
    ):
        services.tutor_turn("What is a default argument?", knowledge_base="lab-3")

    course = tmp_path / "course"
    course.mkdir()
    (course / "lab3.md").write_text(
        "# Lab 3\n\nIn lab 3 you write `def area(width, height=1)`: height defaults to 1.\n"
    )
    build_index([Source("course", course)], services.knowledge_base_dir("lab-3"), Embedder())
    turn = services.tutor_turn("What is a default argument?", knowledge_base="lab-3")
    assert next(source["path"] for source in turn.result.sources).startswith("lab3.md")
