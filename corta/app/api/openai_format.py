"""OpenAI's chat completion shapes: a whole completion, the chunks of a stream as server-sent events, and how a reply
already complete is cut into chunks."""

import json
import re
import time
import uuid
from typing import Any

DONE = "data: [DONE]\n\n"
"""The last event of every stream, which OpenAI's clients wait for."""
_WORDS = re.compile(r"\S+\s*|\s+")


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(id: str, model: str, text: str, extension: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `chat.completion` object with one choice; `extension` goes under `corta` (clients keep unknown fields)."""
    body: dict[str, Any] = {
        "id": id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    }
    if extension is not None:
        body["corta"] = extension
    return body


def chunk(
    id: str,
    model: str,
    delta: dict[str, str],
    finish_reason: str | None = None,
    extension: dict[str, Any] | None = None,
) -> str:
    """One `chat.completion.chunk` as a server-sent event."""
    body: dict[str, Any] = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    if extension is not None:
        body["corta"] = extension
    return event(body)


def event(data: dict[str, Any]) -> str:
    """A server-sent event carrying `data` as JSON."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def comment(text: str) -> str:
    """A server-sent comment: ignored by clients, it keeps the connection alive and shows progress in raw logs."""
    return f": {' '.join(text.split())}\n\n"


def pieces_of(text: str, words_per_piece: int = 4) -> list[str]:
    """A finished reply cut into small pieces, whitespace kept, so that joining them gives the text back."""
    words = _WORDS.findall(text)
    return [
        "".join(words[start : start + words_per_piece]) for start in range(0, len(words), words_per_piece)
    ]
