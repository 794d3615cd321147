"""The LLM server SIGKILLed mid-reply: the client restarts it once through the endpoint's `recover` hook and asks
again, so the reply arrives whole with each token once; when it cannot go on (no restart left, a second death, a new
reply that does not repeat what was delivered) the user gets one sentence.

The unit of `lost` and `doubled` is a reply token of the stub (`<marker>`, ` t0`, ` t1`, …).
"""

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from corta.agents.tutor.agent import Tutor
from corta.app.api import create_app
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.errors import CortaError
from corta.models.llm import LLM
from tests.agents.tutor.scripted import FixedRetriever
from tests.app.api.harness import live_server, local_client
from tests.hardening.chaos.outcome import Outcome, one_sentence
from tests.helpers.restartable_stub import RestartableStub
from tests.helpers.streaming_stub_server import expected_reply

MARKER = "chaos-1"
PROMPT = f"Count for me [marker:{MARKER}]"
_TOKEN = re.compile(r"<[^>]*>| t\d+")


def count_damage(outcome: Outcome, text: str, tokens: int) -> None:
    """Compare a reply with the stub's whole reply: tokens missing are lost, tokens repeated are doubled."""
    want = Counter(_TOKEN.findall(expected_reply(MARKER, tokens)))
    got = Counter(_TOKEN.findall(text))
    outcome.lost += sum((want - got).values())
    outcome.doubled += sum((got - want).values())
    if text != expected_reply(MARKER, tokens):
        outcome.fail(f"the reply was {text!r}")


def stream_killed(workdir: Path, kill_after: int, tokens: int = 12, delay_s: float = 0.05) -> Outcome:
    """`LLM.stream` while its server is SIGKILLed once `kill_after` pieces arrived (0: before the request is sent;
    at most `tokens - 4`, so that the kill lands while the server still has a fifth of a second to go)."""
    outcome = Outcome()
    with RestartableStub(workdir, tokens, delay_s) as stub:
        llm = LLM(stub.endpoint(), timeout_s=30)
        if kill_after == 0:
            stub.kill()
        pieces: list[str] = []
        try:
            for piece in llm.stream(PROMPT):
                pieces.append(piece)
                if len(pieces) == kill_after:
                    stub.kill()
        except CortaError as error:
            outcome.fail(f"the stream failed: {error}")
        except Exception as error:  # the scenario's edge: anything else would reach the user as a traceback
            outcome.tracebacks += 1
            outcome.fail(f"{type(error).__name__}: {error}")
        count_damage(outcome, "".join(pieces), tokens)
        if stub.started != 2:
            outcome.fail(f"{stub.started} servers were started, not 2 (one restart)")
    return outcome


def chat_killed(workdir: Path, kill_after_s: float, tokens: int = 12, delay_s: float = 0.08) -> Outcome:
    """`LLM.chat` while its server is SIGKILLed `kill_after_s` into composing the reply (the stub answers a request
    that does not stream after `delay_s` per token)."""
    outcome = Outcome()
    with RestartableStub(workdir, tokens, delay_s) as stub:
        llm = LLM(stub.endpoint(), timeout_s=30)
        killer = threading.Timer(kill_after_s, stub.kill)
        killer.start()
        try:
            text = llm.chat(PROMPT)
        except CortaError as error:
            outcome.fail(f"the request failed: {error}")
            text = ""
        except Exception as error:  # the scenario's edge: anything else would reach the user as a traceback
            outcome.tracebacks += 1
            outcome.fail(f"{type(error).__name__}: {error}")
            text = ""
        finally:
            killer.join()
        count_damage(outcome, text, tokens)
        if stub.started != 2:
            outcome.fail(f"{stub.started} servers were started, not 2 (one restart)")
    return outcome


def stream_cannot_go_on(workdir: Path, case: str, tokens: int = 12, delay_s: float = 0.05) -> Outcome:
    """A stream SIGKILLed halfway that cannot be completed: `no_restart` (the restart is spent), `dies_again` (the
    restarted server is killed too) or `differs` (the restarted server's reply is shorter than what was delivered).
    Expected: one `LLMUnavailableError` sentence (saying the reply is cut off, for `differs`), no token twice."""
    outcome = Outcome()
    restarts = 0 if case == "no_restart" else 1
    restart_tokens = tokens // 4 if case == "differs" else tokens
    with RestartableStub(workdir, tokens, delay_s, restarts, restart_tokens) as stub:
        llm = LLM(stub.endpoint(), timeout_s=30)
        pieces: list[str] = []
        try:
            for piece in llm.stream(PROMPT):
                pieces.append(piece)
                if len(pieces) == tokens // 2 or (case == "dies_again" and stub.started == 2):
                    stub.kill()
            outcome.fail("the stream ended without an error")
        except CortaError as error:
            outcome.sentences += one_sentence(str(error))
            if not one_sentence(str(error)):
                outcome.fail(f"the error is not one sentence: {error}")
            if case == "differs" and "cut off" not in str(error):
                outcome.fail(f"the error does not say the reply is cut off: {error}")
        except Exception as error:  # the scenario's edge: anything else would reach the user as a traceback
            outcome.tracebacks += 1
            outcome.fail(f"{type(error).__name__}: {error}")
        got = Counter(_TOKEN.findall("".join(pieces)))
        outcome.doubled += sum(count - 1 for count in got.values() if count > 1)
        if not expected_reply(MARKER, tokens).startswith("".join(pieces)):
            outcome.fail(f"the pieces delivered are not the reply's start: {pieces!r}")
    return outcome


@contextmanager
def _api(workdir: Path, stub: RestartableStub) -> Iterator[AgentServices]:
    """The agents on the stub (the tutor on a fixed retriever), with a private store."""
    services = AgentServices(
        Settings(cache_dir=workdir / "cache"), stub.endpoint(), Store(workdir / "store.sqlite")
    )
    services.tutor = Tutor(services.llm, FixedRetriever(), services.store.checkpointer())
    try:
        yield services
    finally:
        services.store.close()


def api_stream_killed(workdir: Path, kill_after: int, tokens: int = 12, delay_s: float = 0.05) -> Outcome:
    """The API's streamed `corta-llm` (uvicorn, real HTTP) while the server is SIGKILLed once `kill_after` content
    chunks reached the client (0: before the request): the client receives the whole reply, each token once, and a
    normal end."""
    outcome = Outcome()
    body = {"model": "corta-llm", "messages": [{"role": "user", "content": PROMPT}], "stream": True}
    with RestartableStub(workdir, tokens, delay_s) as stub, _api(workdir, stub) as services:
        if kill_after == 0:
            stub.kill()
        pieces: list[str] = []
        finish = None
        with (
            live_server(create_app(services)) as url,
            httpx.Client(base_url=url, timeout=30) as client,
            client.stream("POST", "/v1/chat/completions", json=body) as response,
        ):
            for line in response.iter_lines():
                if not line.startswith("data: {"):
                    continue
                event = json.loads(line[6:])
                if "error" in event:
                    outcome.fail(f"the stream ended with an error: {event['error']['message']}")
                    if not one_sentence(event["error"]["message"]):
                        outcome.tracebacks += 1
                    continue
                choice = event["choices"][0]
                finish = choice.get("finish_reason") or finish
                if choice["delta"].get("content"):
                    pieces.append(choice["delta"]["content"])
                    if len(pieces) == kill_after:
                        stub.kill()
        if finish != "stop":
            outcome.fail(f"the stream did not end normally (finish_reason {finish!r})")
        count_damage(outcome, "".join(pieces), tokens)
    return outcome


def api_server_dead(workdir: Path) -> Outcome:
    """The front door when the LLM is dead and cannot be restarted: the tutor's JSON route and the streamed
    `corta-llm` both answer 503 with one sentence (code `llm_unavailable`), never a traceback."""
    outcome = Outcome()
    with RestartableStub(workdir, restarts=0) as stub, _api(workdir, stub) as services:
        stub.kill()
        client = local_client(create_app(services))
        requests = [
            ("/api/tutor/ask", {"message": "How do default arguments work?"}),
            ("/v1/chat/completions", {"model": "corta-llm", "stream": True,
                                      "messages": [{"role": "user", "content": PROMPT}]}),
        ]  # fmt: skip
        for path, body in requests:
            response = client.post(path, json=body)
            text = response.text
            if "Traceback" in text:
                outcome.tracebacks += 1
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                outcome.fail(f"{path} answered {response.status_code}: {text[:200]}")
                continue
            if response.status_code != 503 or error.get("code") != "llm_unavailable":
                outcome.fail(f"{path} answered {response.status_code} {error}")
            if not one_sentence(error.get("message", "")):
                outcome.fail(f"{path}'s error is not one sentence: {error}")
            else:
                outcome.sentences += 1
    return outcome
