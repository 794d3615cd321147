"""Where the LLM client sends its requests, and how to recover when the server behind it dies."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

StructuredOutput = Literal["llama_cpp", "openai"]


@dataclass
class Endpoint:
    """An OpenAI-compatible base URL (ending in /v1) and the model to ask there.

    `structured_output` says how a JSON schema is sent: llama.cpp's server reads
    `{"type": "json_object", "schema": …}`, vLLM and OpenAI read `{"type": "json_schema", "json_schema": …}`.
    `recover`, when set, restarts a crashed server once and returns its base URL (None when it did not restart).
    """

    base_url: str
    model: str
    engine: str = "url"
    api_key: str = "not-needed"
    structured_output: StructuredOutput = "openai"
    recover: Callable[[], str | None] | None = None
