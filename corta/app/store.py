"""The app's SQLite store (WAL): conversations and their messages, runs, API keys (hashed), LTI platforms, launch
states, single-use nonces and per-course settings; LangGraph's checkpoints live in the same file.

The schema carries a version (`PRAGMA user_version`); opening an older file applies the missing migrations in order.
A write waits at most `busy_timeout_s` for another process's write lock on the file, then fails with `StoreBusyError`
having written nothing.
"""

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from corta.config import Settings
from corta.errors import ConfigError, StoreBusyError

STORE_FILE = "corta.sqlite"
API_KEY_PREFIX = "corta-"
BUSY_TIMEOUT_S = 10.0
"""How long a write waits for another connection's write lock on the file before it gives up."""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY, agent TEXT NOT NULL, title TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL, updated REAL NOT NULL);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL, content TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL);
    CREATE INDEX messages_by_conversation ON messages(conversation, id);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, params TEXT NOT NULL,
        result TEXT, error TEXT, created REAL NOT NULL, finished REAL);
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created REAL NOT NULL, revoked REAL);
    CREATE TABLE lti_platforms (
        issuer TEXT NOT NULL, client_id TEXT NOT NULL, config TEXT NOT NULL, created REAL NOT NULL,
        PRIMARY KEY (issuer, client_id));
    CREATE TABLE lti_states (state TEXT PRIMARY KEY, data TEXT NOT NULL, expires REAL NOT NULL);
    CREATE TABLE lti_nonces (nonce TEXT PRIMARY KEY, expires REAL NOT NULL);
    CREATE TABLE course_settings (course TEXT PRIMARY KEY, settings TEXT NOT NULL, updated REAL NOT NULL);
    CREATE TABLE tool_keys (kid TEXT PRIMARY KEY, private_pem TEXT NOT NULL, created REAL NOT NULL);
    """,
)


@dataclass(frozen=True)
class Conversation:
    """A conversation with one agent; `owner` is who started it (an API key id, an LTI user, or empty)."""

    id: str
    agent: str
    title: str
    owner: str
    created: float
    updated: float


@dataclass(frozen=True)
class Message:
    """One message of a conversation, with what the agent reported beside it (sources, mode, …)."""

    role: str
    content: str
    meta: dict[str, Any]
    created: float


@dataclass(frozen=True)
class Run:
    """A long job (an evaluation, a merge) and how it ended."""

    id: str
    kind: str
    status: str  # running | done | failed
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created: float
    finished: float | None


def hash_api_key(secret: str) -> str:
    """The stored form of an API key: its SHA-256 (the keys are 256-bit random, so no salt or stretching is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def busy_error(error: sqlite3.Error) -> StoreBusyError | None:
    """The `StoreBusyError` that SQLite's "database is locked" means; None for any other error."""
    if getattr(error, "sqlite_errorcode", 0) & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return None
    return StoreBusyError(
        "The store is busy: another process kept its write lock too long, so this change was not saved; try again "
        "shortly."
    )


class Store:
    """One SQLite file, shared by threads (one connection behind a lock); every write is its own transaction.

    Parameters
    ----------
    path
        The SQLite file (created with its folder if missing).
    busy_timeout_s
        How long a write (here or in a checkpointer) waits for another process's write lock.

    Raises
    ------
    ConfigError
        When the file cannot be opened, is not a corta store, or is newer than this corta.
    """

    def __init__(self, path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._connection = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=busy_timeout_s
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as error:
            raise ConfigError(f"Cannot open the store {path}: {error}.") from None
        self._lock = threading.RLock()
        self._migrate()

    @classmethod
    def open(cls, settings: Settings) -> "Store":
        """The store in the settings' cache folder."""
        return cls(settings.cache_dir / "app" / STORE_FILE)

    @property
    def version(self) -> int:
        """The schema version of the file."""
        return int(self._connection.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (the checkpointers keep their own)."""
        with self._lock:
            self._connection.close()

    def checkpointer(self) -> SqliteSaver:
        """LangGraph's SQLite checkpointer on the same file, with its own connection."""
        connection = sqlite3.connect(self.path, check_same_thread=False, timeout=self.busy_timeout_s)
        connection.execute("PRAGMA journal_mode=WAL")
        return SqliteSaver(connection)

    # Conversations

    def create_conversation(
        self, agent: str, title: str, owner: str = "", id: str | None = None
    ) -> Conversation:
        """A new conversation (its id is `id` when given, else a fresh one)."""
        now = time.time()
        conversation = Conversation(id or uuid.uuid4().hex[:16], agent, title[:120], owner, now, now)
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?)",
                (conversation.id, agent, conversation.title, owner, now, now),
            )
        return conversation

    def conversation(self, id: str) -> Conversation | None:
        """The conversation with this id, if any."""
        row = self._one("SELECT * FROM conversations WHERE id = ?", (id,))
        return Conversation(*row) if row else None

    def conversations(
        self, agent: str | None = None, owner: str | None = None, limit: int = 50
    ) -> list[Conversation]:
        """The most recently updated conversations, optionally of one agent and one owner."""
        query, args = "SELECT * FROM conversations WHERE 1=1", []
        if agent is not None:
            query, args = query + " AND agent = ?", [*args, agent]
        if owner is not None:
            query, args = query + " AND owner = ?", [*args, owner]
        rows = self._all(query + " ORDER BY updated DESC LIMIT ?", (*args, limit))
        return [Conversation(*row) for row in rows]

    def add_message(
        self, conversation: str, role: str, content: str, meta: dict[str, Any] | None = None
    ) -> None:
        """Append a message to a conversation (which must exist)."""
        self.add_messages(conversation, [(role, content, meta or {})])

    def add_messages(self, conversation: str, messages: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Append (role, content, meta) messages to a conversation (which must exist) in one transaction: all of
        them or, on any failure, none (a question is never kept without its answer)."""
        now = time.time()
        rows = [
            (conversation, role, content, json.dumps(meta, ensure_ascii=False), now)
            for role, content, meta in messages
        ]
        with self._transaction() as cursor:
            try:
                cursor.executemany(
                    "INSERT INTO messages (conversation, role, content, meta, created) VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
            except sqlite3.IntegrityError:
                raise ConfigError(f"There is no conversation {conversation!r}.") from None
            cursor.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation))

    def messages(self, conversation: str) -> list[Message]:
        """The conversation's messages, oldest first."""
        rows = self._all(
            "SELECT role, content, meta, created FROM messages WHERE conversation = ? ORDER BY id",
            (conversation,),
        )
        return [Message(role, content, json.loads(meta), created) for role, content, meta, created in rows]

    # Runs

    def start_run(self, kind: str, params: dict[str, Any]) -> str:
        """Record a job that starts now; returns its id."""
        run_id = uuid.uuid4().hex[:16]
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT INTO runs (id, kind, status, params, created) VALUES (?, ?, 'running', ?, ?)",
                (run_id, kind, json.dumps(params, default=str), time.time()),
            )
        return run_id

    def finish_run(self, run_id: str, result: dict[str, Any] | None = None, error: str | None = None) -> None:
        """Record how a job ended: `done` with its result, or `failed` with one sentence."""
        with self._transaction() as cursor:
            cursor.execute(
                "UPDATE runs SET status = ?, result = ?, error = ?, finished = ? WHERE id = ?",
                (
                    "failed" if error else "done",
                    json.dumps(result, default=str) if result is not None else None,
                    error,
                    time.time(),
                    run_id,
                ),
            )

    def run(self, run_id: str) -> Run | None:
        """The job with this id, if any."""
        row = self._one("SELECT * FROM runs WHERE id = ?", (run_id,))
        return _run(row) if row else None

    def runs(self, kind: str | None = None, limit: int = 50) -> list[Run]:
        """The most recent jobs, optionally of one kind."""
        if kind is None:
            rows = self._all("SELECT * FROM runs ORDER BY created DESC LIMIT ?", (limit,))
        else:
            rows = self._all("SELECT * FROM runs WHERE kind = ? ORDER BY created DESC LIMIT ?", (kind, limit))
        return [_run(row) for row in rows]

    # API keys

    def create_api_key(self, name: str) -> tuple[str, str]:
        """A new API key named `name`: returns (its id, the secret), the secret being shown only this once."""
        key_id, secret = uuid.uuid4().hex[:12], API_KEY_PREFIX + secrets.token_urlsafe(32)
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT INTO api_keys (id, name, hash, created) VALUES (?, ?, ?, ?)",
                (key_id, name, hash_api_key(secret), time.time()),
            )
        return key_id, secret

    def api_key_id(self, secret: str) -> str | None:
        """The id of the live key with this secret, or None."""
        row = self._one("SELECT id FROM api_keys WHERE hash = ? AND revoked IS NULL", (hash_api_key(secret),))
        return row[0] if row else None

    def has_api_keys(self) -> bool:
        """Whether any key was ever created (from then on every request but health needs one)."""
        return self._one("SELECT 1 FROM api_keys LIMIT 1", ()) is not None

    def api_keys(self) -> list[dict[str, Any]]:
        """The keys without their hashes: id, name, created, revoked."""
        rows = self._all("SELECT id, name, created, revoked FROM api_keys ORDER BY created", ())
        return [dict(zip(("id", "name", "created", "revoked"), row, strict=True)) for row in rows]

    def revoke_api_key(self, key_id: str) -> bool:
        """Revoke a key; False when there is no live key with this id."""
        with self._transaction() as cursor:
            cursor.execute(
                "UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL", (time.time(), key_id)
            )
            return cursor.rowcount == 1

    # LTI

    def save_platform(self, issuer: str, client_id: str, config: dict[str, Any]) -> None:
        """Register (or replace) a course platform's configuration."""
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO lti_platforms VALUES (?, ?, ?, ?)",
                (issuer, client_id, json.dumps(config), time.time()),
            )

    def platform(self, issuer: str, client_id: str | None = None) -> dict[str, Any] | None:
        """A registered platform's configuration (the only one of that issuer when `client_id` is None)."""
        if client_id is None:
            rows = self._all("SELECT config FROM lti_platforms WHERE issuer = ?", (issuer,))
            return json.loads(rows[0][0]) if len(rows) == 1 else None
        row = self._one(
            "SELECT config FROM lti_platforms WHERE issuer = ? AND client_id = ?", (issuer, client_id)
        )
        return json.loads(row[0]) if row else None

    def platforms(self) -> list[dict[str, Any]]:
        """Every registered platform's configuration."""
        return [
            json.loads(row[0]) for row in self._all("SELECT config FROM lti_platforms ORDER BY created", ())
        ]

    def save_state(self, state: str, data: dict[str, Any], ttl_s: float = 600.0) -> None:
        """Keep what a login initiation promised (nonce, platform, target) until the launch comes back."""
        with self._transaction() as cursor:
            cursor.execute("DELETE FROM lti_states WHERE expires < ?", (time.time(),))
            cursor.execute(
                "INSERT OR REPLACE INTO lti_states VALUES (?, ?, ?)",
                (state, json.dumps(data), time.time() + ttl_s),
            )

    def pop_state(self, state: str) -> dict[str, Any] | None:
        """What was kept under `state`, removed so that it serves once; None when unknown or expired."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT data, expires FROM lti_states WHERE state = ?", (state,)).fetchone()
            cursor.execute("DELETE FROM lti_states WHERE state = ?", (state,))
        if row is None or row[1] < time.time():
            return None
        return dict(json.loads(row[0]))

    def use_nonce(self, nonce: str, expires: float) -> bool:
        """Spend a nonce: True the first time, False if it was seen before (a replay)."""
        with self._transaction() as cursor:
            cursor.execute("DELETE FROM lti_nonces WHERE expires < ?", (time.time(),))
            try:
                cursor.execute("INSERT INTO lti_nonces VALUES (?, ?)", (nonce, expires))
            except sqlite3.IntegrityError:
                return False
        return True

    def course_settings(self, course: str) -> dict[str, Any]:
        """A course's settings (empty when none were saved)."""
        row = self._one("SELECT settings FROM course_settings WHERE course = ?", (course,))
        return dict(json.loads(row[0])) if row else {}

    def save_course_settings(self, course: str, settings: dict[str, Any]) -> None:
        """Replace a course's settings."""
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO course_settings VALUES (?, ?, ?)",
                (course, json.dumps(settings), time.time()),
            )

    def tool_key(self) -> tuple[str, str]:
        """The tool's signing key (kid, private key PEM), made on first use."""
        row = self._one("SELECT kid, private_pem FROM tool_keys ORDER BY created DESC LIMIT 1", ())
        if row:
            return row[0], row[1]
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        kid = uuid.uuid4().hex[:16]
        with self._transaction() as cursor:
            cursor.execute("INSERT INTO tool_keys VALUES (?, ?, ?)", (kid, pem, time.time()))
        return kid, pem

    # Internals

    def _migrate(self) -> None:
        with self._lock:
            current = self.version
            if current > len(MIGRATIONS):
                raise ConfigError(
                    f"The store {self.path} has schema version {current}, newer than this corta knows "
                    f"({len(MIGRATIONS)}): upgrade corta."
                )
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                try:
                    self._connection.executescript(
                        f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;"
                    )
                except sqlite3.DatabaseError as error:
                    if self._connection.in_transaction:
                        self._connection.execute("ROLLBACK")
                    raise ConfigError(
                        f"Cannot bring the store {self.path} to version {number}: {error}."
                    ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """A write transaction; another process's lock held past the busy timeout is a `StoreBusyError`."""
        with self._lock:
            cursor = self._connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    yield cursor
                    cursor.execute("COMMIT")
                except BaseException:
                    if self._connection.in_transaction:
                        cursor.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as error:
                busy = busy_error(error)
                if busy is None:
                    raise
                raise busy from None

    def _one(self, query: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._lock:
            row = self._connection.execute(query, args).fetchone()
        return tuple(row) if row is not None else None

    def _all(self, query: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return [tuple(row) for row in self._connection.execute(query, args).fetchall()]


def _run(row: tuple[Any, ...]) -> Run:
    run_id, kind, status, params, result, error, created, finished = row
    return Run(
        run_id,
        kind,
        status,
        json.loads(params),
        json.loads(result) if result else None,
        error,
        created,
        finished,
    )
