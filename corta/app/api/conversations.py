"""Whose conversation is whose: a caller sees and continues only the conversations it started."""

import sqlite3
from typing import Any

from corta.app.api.errors import ApiError
from corta.app.store import Conversation, Store


def owned_conversation(store: Store, id: str, caller: str) -> Conversation:
    """The caller's conversation `id`.

    Raises
    ------
    ApiError
        404 when there is none, or it belongs to another caller (the two are not told apart).
    """
    conversation = store.conversation(id)
    if conversation is None or conversation.owner != caller:
        raise ApiError(404, f"There is no conversation {id!r}.", "conversation_not_found")
    return conversation


def tutor_conversation(
    store: Store, id: str | None, caller: str, message: str, create_missing: bool
) -> Conversation:
    """The tutor conversation a turn belongs to: a new one when `id` is None; the caller's `id`; or, with
    `create_missing`, a new one under that id (OpenAI clients that can only send a `user` string keep one thread).

    Raises
    ------
    ApiError
        404 when `id` is another caller's, or another agent's, or unknown without `create_missing`.
    """
    title = message.strip().splitlines()[0] if message.strip() else "(code)"
    if id is None:
        return store.create_conversation("tutor", title, caller)
    if create_missing and store.conversation(id) is None:
        try:
            return store.create_conversation("tutor", title, caller, id=id)
        except sqlite3.IntegrityError:  # created in the meantime by a concurrent request
            pass
    conversation = owned_conversation(store, id, caller)
    if conversation.agent != "tutor":
        raise ApiError(404, f"There is no tutor conversation {id!r}.", "conversation_not_found")
    return conversation


def conversation_record(conversation: Conversation) -> dict[str, Any]:
    """A conversation as the API shows it."""
    return {
        "id": conversation.id,
        "agent": conversation.agent,
        "title": conversation.title,
        "created": conversation.created,
        "updated": conversation.updated,
    }
