"""Tutor conversations as the chat shows them: the learner's message with its code and error, the answer with its
numbered sources; rebuilt from the store so that a conversation can be picked up after a restart."""

import time
from typing import Any

from corta.app.store import Conversation, Store

ChatMessage = dict[str, Any]


def user_markdown(message: str, code: str = "", error: str = "") -> str:
    """The learner's message, with the pasted code and error as fenced blocks."""
    parts = [message.strip()]
    if code.strip():
        parts.append(f"```python\n{code.strip()}\n```")
    if error.strip():
        parts.append(f"```text\n{error.strip()}\n```")
    return "\n\n".join(parts)


def sources_markdown(sources: list[dict[str, Any]]) -> str:
    """The sources an answer cites, numbered as its [n] marks are (empty when there are none)."""
    if not sources:
        return ""
    lines = [f"{number}. {source['title']} — `{source['path']}` ({source['score']:.2f})"
             for number, source in enumerate(sources, start=1)]  # fmt: skip
    return "**Sources**\n\n" + "\n".join(lines)


def sources_rows(sources: list[dict[str, Any]]) -> list[list[Any]]:
    """The sources as table rows: title, path, score."""
    return [[source["title"], source["path"], round(float(source["score"]), 3)] for source in sources]


def history(store: Store, conversation_id: str) -> list[ChatMessage]:
    """The conversation's messages for the chat, oldest first."""
    shown = []
    for message in store.messages(conversation_id):
        if message.role == "user":
            content = user_markdown(
                message.content, message.meta.get("code", ""), message.meta.get("error", "")
            )
        else:
            footer = sources_markdown(message.meta.get("sources", []))
            content = f"{message.content}\n\n{footer}" if footer else message.content
        shown.append({"role": message.role, "content": content})
    return shown


def last_sources(store: Store, conversation_id: str) -> list[dict[str, Any]]:
    """The sources of the conversation's last answer."""
    answers = [message for message in store.messages(conversation_id) if message.role == "assistant"]
    return list(answers[-1].meta.get("sources", [])) if answers else []


def conversation_choices(store: Store) -> list[tuple[str, str]]:
    """The tutor's conversations, most recent first, as (label, id) pairs for a dropdown."""
    return [(_label(conversation), conversation.id) for conversation in store.conversations(agent="tutor")]


def _label(conversation: Conversation) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.updated))
    return f"{conversation.title} ({when})"
