"""The app's SQLite store: conversations survive a reopen, keys are kept hashed, nonces and states serve once, and
the schema version is checked."""

import sqlite3
import time
from pathlib import Path

import pytest

from corta.app.store import MIGRATIONS, Store, hash_api_key
from corta.errors import ConfigError


def test_a_conversation_and_its_messages_survive_closing_and_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    conversation = store.create_conversation("tutor", "How do defaults work?", owner="key1")
    store.add_message(conversation.id, "user", "How do defaults work?", {"mode": "hint"})
    store.add_message(conversation.id, "assistant", "Think about when `def` runs.", {"sources": [1]})
    store.close()

    reopened = Store(tmp_path / "s.sqlite")
    assert reopened.conversation(conversation.id) is not None
    messages = reopened.messages(conversation.id)
    assert [(m.role, m.content) for m in messages] == [
        ("user", "How do defaults work?"),
        ("assistant", "Think about when `def` runs."),
    ]
    assert messages[0].meta == {"mode": "hint"}
    assert [c.id for c in reopened.conversations(agent="tutor", owner="key1")] == [conversation.id]
    assert reopened.conversations(owner="someone else") == []


def test_a_message_for_a_missing_conversation_is_refused_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no conversation 'nope'"):
        Store(tmp_path / "s.sqlite").add_message("nope", "user", "hello")


def test_api_keys_are_stored_hashed_and_can_be_revoked(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert not store.has_api_keys()
    key_id, secret = store.create_api_key("notebook")
    assert store.has_api_keys() and store.api_key_id(secret) == key_id
    assert store.api_key_id(secret + "x") is None
    raw = sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT hash FROM api_keys").fetchall()
    assert raw == [(hash_api_key(secret),)] and secret not in raw[0][0]
    assert store.revoke_api_key(key_id) and not store.revoke_api_key(key_id)
    assert store.api_key_id(secret) is None
    assert store.has_api_keys()  # a revoked key still means the server is no longer open to loopback


def test_a_nonce_is_accepted_once_and_a_state_serves_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert store.use_nonce("n-1", time.time() + 60)
    assert not store.use_nonce("n-1", time.time() + 60)
    store.save_state("s-1", {"nonce": "n-2"})
    assert store.pop_state("s-1") == {"nonce": "n-2"}
    assert store.pop_state("s-1") is None
    store.save_state("s-2", {"nonce": "n-3"}, ttl_s=-1)
    assert store.pop_state("s-2") is None


def test_runs_record_how_they_ended(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    done, failed = store.start_run("merge", {"recipe": "a.yaml"}), store.start_run("eval", {})
    assert store.run(done).status == "running"
    store.finish_run(done, {"tensors": 12})
    store.finish_run(failed, error="The recipe names a model that is missing.")
    assert store.run(done).result == {"tensors": 12} and store.run(done).status == "done"
    assert store.run(failed).status == "failed" and store.run(failed).error.startswith("The recipe")
    assert {run.id for run in store.runs(kind="merge")} == {done}


def test_platforms_course_settings_and_the_tool_key_persist(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    store.save_platform(
        "https://lms.example", "client-1", {"issuer": "https://lms.example", "client_id": "client-1"}
    )
    store.save_course_settings("course-1", {"mode": "hint"})
    kid, pem = store.tool_key()
    store.close()

    reopened = Store(tmp_path / "s.sqlite")
    assert reopened.platform("https://lms.example")["client_id"] == "client-1"
    assert reopened.platform("https://lms.example", "other") is None
    assert reopened.course_settings("course-1") == {"mode": "hint"}
    assert reopened.course_settings("course-2") == {}
    assert reopened.tool_key() == (kid, pem) and pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_a_store_newer_than_this_corta_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    assert Store(path).version == len(MIGRATIONS)
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(ConfigError, match="newer than this corta knows"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match="Cannot open the store"):
        Store(path)
