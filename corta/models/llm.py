"""The one LLM client every agent uses: OpenAI Chat Completions against an `Endpoint`, with a usage ledger.

`json()` sends the schema for constrained decoding (llama.cpp and vLLM both honour it), validates the reply, asks
once for a repair with the validation error, and then raises `LLMOutputError` carrying the raw text.
"""

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import httpx
import jsonschema
import openai
from pydantic import BaseModel, ValidationError

from corta.errors import LLMOutputError, LLMRequestError, LLMUnavailableError
from corta.models.runtime.endpoint import Endpoint
from corta.models.usage import CallUsage, UsageLedger

log = logging.getLogger(__name__)

try:  # openai 3 reads a stream with httpx2, its fork of httpx; a stream cut short raises that library's errors
    import httpx2

    _CUT_STREAM: tuple[type[Exception], ...] = (httpx.TransportError, httpx2.TransportError)
except ImportError:
    _CUT_STREAM = (httpx.TransportError,)

Messages = str | list[dict[str, str]]
ModelT = TypeVar("ModelT", bound=BaseModel)
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
_REPAIR_PROMPT = "That reply was not valid: {error}. Reply with only the corrected JSON object."


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token, its log-probability and the most likely alternatives at that position."""

    token: str
    logprob: float
    top: dict[str, float]


@dataclass(frozen=True)
class ScoredCompletion:
    """A completion's text with the log-probability of each of its tokens."""

    text: str
    tokens: list[TokenLogprob]


def _as_messages(prompt: Messages, system: str | None) -> list[dict[str, str]]:
    messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
    return [{"role": "system", "content": system}, *messages] if system else messages


class LLM:
    """A chat model behind an OpenAI-compatible endpoint.

    Parameters
    ----------
    endpoint
        Where to send requests; its `recover` hook restarts a crashed embedded server once.
    ledger
        Receives one `CallUsage` per request; a fresh one is made if none is given.
    timeout_s
        Limit of one request.
    """

    def __init__(
        self, endpoint: Endpoint, ledger: UsageLedger | None = None, timeout_s: float = 300.0
    ) -> None:
        self.endpoint = endpoint
        self.ledger = ledger or UsageLedger()
        self.timeout_s = timeout_s
        self._client = openai.OpenAI(
            base_url=endpoint.base_url, api_key=endpoint.api_key, timeout=timeout_s, max_retries=0
        )

    def chat(
        self,
        prompt: Messages,
        *,
        system: str | None = None,
        purpose: str = "chat",
        temperature: float = 0.0,
        max_tokens: int = 512,
        stop: list[str] | None = None,
        seed: int | None = None,
    ) -> str:
        """Return the model's reply to `prompt` (a user message or a list of messages)."""
        response = self._create(
            _as_messages(prompt, system),
            purpose,
            temperature=temperature,
            max_tokens=max_tokens,
            stop=stop,
            seed=seed,
        )
        return response.choices[0].message.content or ""

    def stream(
        self,
        prompt: Messages,
        *,
        system: str | None = None,
        purpose: str = "chat",
        temperature: float = 0.0,
        max_tokens: int = 512,
    ) -> Iterator[str]:
        """Yield the reply piece by piece as the server produces it.

        The server-sent events are read as lines and only each chunk's text is decoded (no typed object per chunk):
        a server streaming to many clients spends its CPU on the pieces, not on the client library. When the server
        stops mid-reply, the endpoint restarts it once and the request is sent again; the text already yielded is
        skipped in the new reply, which must start with it (so a sampled reply, temperature above 0, cannot go on).

        Raises
        ------
        LLMUnavailableError
            When the server stops twice, cannot be restarted, or its new reply does not repeat what was yielded.
        """
        messages = _as_messages(prompt, system)
        started = time.perf_counter()
        delivered: list[str] = []
        ok = False
        try:
            try:
                for piece in self._stream_once(messages, temperature, max_tokens):
                    delivered.append(piece)
                    yield piece
            except LLMUnavailableError as error:
                if not self._recover():
                    raise
                log.warning("%s Asking the restarted server again.", error)
                retried = self._stream_once(messages, temperature, max_tokens)
                for piece in _after_prefix(retried, "".join(delivered), self.endpoint.base_url):
                    delivered.append(piece)
                    yield piece
            ok = True
        finally:
            # The stream carries no usage block on every server: one content chunk is one token on llama.cpp/vLLM.
            self.ledger.record(
                CallUsage(purpose, self.endpoint.model, 0, len(delivered), time.perf_counter() - started, ok)
            )

    @overload
    def json(self, prompt: Messages, schema: type[ModelT], **options: Any) -> ModelT: ...
    @overload
    def json(self, prompt: Messages, schema: dict[str, Any], **options: Any) -> dict[str, Any]: ...

    def json(
        self,
        prompt: Messages,
        schema: type[ModelT] | dict[str, Any],
        *,
        system: str | None = None,
        purpose: str = "json",
        temperature: float = 0.0,
        max_tokens: int = 1024,
        seed: int | None = None,
    ) -> ModelT | dict[str, Any]:
        """Return an object valid against `schema` (a pydantic model class or a JSON Schema dict).

        Raises
        ------
        LLMOutputError
            If the reply and one repair both fail to parse or validate; `.raw` holds the last reply.
        """
        schema_dict = schema.model_json_schema() if isinstance(schema, type) else schema
        name = schema.__name__ if isinstance(schema, type) else str(schema.get("title", "answer"))
        messages = _as_messages(prompt, system)
        response_format = self._response_format(name, schema_dict)
        raw = ""
        for attempt in range(2):
            response = self._create(
                messages, purpose if attempt == 0 else f"{purpose}:repair", temperature=temperature,
                max_tokens=max_tokens, seed=seed, response_format=response_format,
            )  # fmt: skip
            raw = response.choices[0].message.content or ""
            try:
                return _parse(raw, schema)
            except ValueError as error:
                log.info(
                    "invalid JSON from the model (%s); %s",
                    error,
                    "repairing" if attempt == 0 else "giving up",
                )
                messages = [
                    *messages,
                    {"role": "assistant", "content": raw},
                    {"role": "user", "content": _REPAIR_PROMPT.format(error=_short(str(error)))},
                ]
                last_error = error
        raise LLMOutputError(
            f"The model's reply did not match the {name} schema: {_short(str(last_error))}", raw
        )

    def sample(
        self,
        prompt: Messages,
        n: int,
        *,
        system: str | None = None,
        purpose: str = "sample",
        temperature: float = 0.8,
        max_tokens: int = 512,
        seed: int | None = None,
    ) -> list[str]:
        """Return `n` sampled replies: one request with `n` where the server honours it, else one request each."""
        messages = _as_messages(prompt, system)
        response = self._create(
            messages, purpose, temperature=temperature, max_tokens=max_tokens, n=n, seed=seed
        )
        texts = [choice.message.content or "" for choice in response.choices[:n]]
        while len(texts) < n:
            next_seed = None if seed is None else seed + len(texts)
            response = self._create(
                messages, purpose, temperature=temperature, max_tokens=max_tokens, seed=next_seed
            )
            texts.append(response.choices[0].message.content or "")
        return texts

    def chat_with_logprobs(
        self,
        prompt: Messages,
        *,
        system: str | None = None,
        purpose: str = "logprobs",
        top_logprobs: int = 5,
        max_tokens: int = 1,
    ) -> ScoredCompletion:
        """Greedy reply with per-token log-probabilities (how an LLM judge reads P('+') after a step)."""
        response = self._create(
            _as_messages(prompt, system), purpose, temperature=0.0, max_tokens=max_tokens, logprobs=True,
            top_logprobs=top_logprobs,
        )  # fmt: skip
        choice = response.choices[0]
        entries = choice.logprobs.content if choice.logprobs and choice.logprobs.content else []
        tokens = [
            TokenLogprob(
                entry.token, entry.logprob, {alt.token: alt.logprob for alt in entry.top_logprobs or []}
            )
            for entry in entries
        ]
        return ScoredCompletion(choice.message.content or "", tokens)

    def _response_format(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        if self.endpoint.structured_output == "llama_cpp":
            return {"type": "json_object", "schema": schema}
        safe_name = re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64] or "answer"
        return {"type": "json_schema", "json_schema": {"name": safe_name, "schema": schema}}

    def _create(self, messages: list[dict[str, str]], purpose: str, **params: Any) -> Any:
        params = {key: value for key, value in params.items() if value is not None}
        started = time.perf_counter()
        try:
            response = self._call(
                lambda: self._client.chat.completions.create(
                    model=self.endpoint.model, messages=messages, **params
                )
            )
        except Exception:
            self.ledger.record(
                CallUsage(purpose, self.endpoint.model, 0, 0, time.perf_counter() - started, False)
            )
            raise
        usage = response.usage
        self.ledger.record(
            CallUsage(
                purpose,
                self.endpoint.model,
                usage.prompt_tokens if usage else 0,
                usage.completion_tokens if usage else 0,
                time.perf_counter() - started,
            )
        )
        return response

    def _call(self, request: Callable[[], Any]) -> Any:
        """Run one request; after a connection failure let the endpoint restart its server once and retry."""
        try:
            return self._translate_errors(request)
        except LLMUnavailableError:
            if not self._recover():
                raise
            return self._translate_errors(request)

    def _recover(self) -> bool:
        """Let the endpoint restart its server; True when it did, and requests now go to the new server."""
        new_base_url = self.endpoint.recover() if self.endpoint.recover else None
        if new_base_url is None:
            return False
        self.endpoint.base_url = new_base_url
        self._client = self._client.with_options(base_url=new_base_url)
        return True

    def _stream_once(
        self, messages: list[dict[str, str]], temperature: float, max_tokens: int
    ) -> Iterator[str]:
        """The pieces of one streamed request, without recovery; connection failures are `LLMUnavailableError`."""
        response = self._translate_errors(
            lambda: self._client.chat.completions.with_streaming_response.create(
                model=self.endpoint.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=temperature,
                max_tokens=max_tokens,
                stream=True,
            ).__enter__()
        )
        try:
            yield from self._guard_iteration(_streamed_text(response.iter_lines(), self.endpoint.base_url))
        finally:
            response.close()

    def _translate_errors(self, request: Callable[[], Any]) -> Any:
        where = self.endpoint.base_url
        try:
            return request()
        except openai.APITimeoutError:
            raise LLMUnavailableError(
                f"The LLM at {where} did not answer within {self.timeout_s:.0f} s."
            ) from None
        except openai.APIConnectionError:
            raise LLMUnavailableError(
                f"The LLM at {where} cannot be reached; is its server running?"
            ) from None
        except openai.APIStatusError as error:
            raise LLMRequestError(
                f"The LLM at {where} refused the request (HTTP {error.status_code}): {_short(error.message)}"
            ) from None

    def _guard_iteration(self, chunks: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from chunks
        except (openai.APIConnectionError, openai.APITimeoutError, *_CUT_STREAM):
            raise LLMUnavailableError(f"The LLM at {self.endpoint.base_url} stopped mid-reply.") from None


def _streamed_text(lines: Iterator[str], where: str) -> Iterator[str]:
    """The text of each chunk of an OpenAI chat-completion event stream, until `[DONE]`.

    Raises
    ------
    LLMRequestError
        When the server sends an error event or a line that is not JSON.
    """
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            raise LLMRequestError(
                f"The LLM at {where} sent a stream line that is not JSON: {_short(data)}"
            ) from None
        if "error" in chunk:
            raise LLMRequestError(f"The LLM at {where} stopped the stream: {_short(str(chunk['error']))}")
        choices = chunk.get("choices") or [{}]
        content = (choices[0].get("delta") or {}).get("content")
        if content:
            yield content


def _after_prefix(pieces: Iterator[str], delivered: str, where: str) -> Iterator[str]:
    """The text of a repeated reply after `delivered`, the part of the first reply already given out.

    Raises
    ------
    LLMUnavailableError
        When the repeated reply does not start with `delivered`.
    """
    seen = ""
    for piece in pieces:
        if len(seen) >= len(delivered):
            yield piece
            continue
        seen += piece
        if not (seen.startswith(delivered) or delivered.startswith(seen)):
            break
        if len(seen) > len(delivered):
            yield seen[len(delivered) :]
    if not seen.startswith(delivered):
        raise LLMUnavailableError(
            f"The LLM at {where} stopped mid-reply and answered differently when asked again, so the reply is cut off."
        )


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse(raw: str, schema: type[ModelT] | dict[str, Any]) -> ModelT | dict[str, Any]:
    """Parse and validate a reply; every failure is a ValueError with a readable message."""
    fenced = _FENCE.match(raw)
    text = fenced.group(1) if fenced else raw
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at position {error.pos})") from None
    if isinstance(schema, type):
        try:
            return schema.model_validate(value)
        except ValidationError as error:
            raise ValueError(str(error)) from None
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as error:
        raise ValueError(
            f"{error.message} at {'/'.join(map(str, error.absolute_path)) or 'the top level'}"
        ) from None
    return value
