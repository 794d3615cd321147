"""A stored tutor conversation as the chat shows it again: the code and error beside the question, the sources
under the answer; and the conversations listed for the dropdown, newest first."""

from pathlib import Path

from corta.app.store import Store
from corta.app.ui.conversation_view import conversation_choices, history, last_sources, sources_rows

SOURCES = [{"title": "Default Argument Values", "path": "tutorial/controlflow.rst > 4.8.1", "score": 0.7123}]


def test_a_stored_conversation_is_shown_as_it_was(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite")
    older = store.create_conversation("tutor", "Why does my list grow?")
    store.add_message(
        older.id, "user", "Why does my list grow?", {"code": "def f(a=[]):\n    a.append(1)", "error": ""}
    )
    store.add_message(older.id, "assistant", "The default is made once [1].", {"sources": SOURCES})
    newer = store.create_conversation("tutor", "What is a keyword argument?")
    store.create_conversation("modeler", "A bakery…")

    shown = history(store, older.id)
    assert shown[0] == {
        "role": "user",
        "content": "Why does my list grow?\n\n```python\ndef f(a=[]):\n    a.append(1)\n```",
    }
    assert shown[1]["content"].startswith(
        "The default is made once [1].\n\n**Sources**\n\n1. Default Argument Values"
    )
    assert last_sources(store, older.id) == SOURCES
    assert sources_rows(SOURCES) == [["Default Argument Values", "tutorial/controlflow.rst > 4.8.1", 0.712]]
    assert [conversation_id for _, conversation_id in conversation_choices(store)] == [newer.id, older.id]
