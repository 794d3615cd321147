"""A streaming OpenAI-compatible stub for the API's tests and its load benchmark: fixed tokens at a fixed pace.

Each reply starts with the request's marker (`[marker:ID]` in the last user message, else `no-marker`) and goes on
with `tokens` numbered tokens, each sent `delay_s` after the last, so that a client can tell whether any reply was
cut, lost or given to the wrong request (`expected_reply`). Streams as server-sent events over chunked HTTP/1.1
keep-alive connections, like llama.cpp and vLLM; `stream: false` gets the whole reply at once.

With `together=N`, each stream waits before its first token until N streams are open at once (and fails after 30 s
without them): a test that N streams really run concurrently, with no timing in it. With `responder`, requests that
do not stream are answered by `responder(body)` instead (`--tutor`: the tutor's script, see `tutor_reply`).

In-process: `with StreamingStubServer(tokens=8) as stub: ...` (`stub.base_url`, `stub.requests`).
As a program: `python streaming_stub_server.py --port P [--tokens N] [--delay-s S] [--tutor]`.
"""

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from tests.agents.tutor.scripted import Script
from tests.helpers.http_stub import JsonHandler, ThreadedStub

MARKER = re.compile(r"\[marker:([A-Za-z0-9_-]{1,64})\]")


def reply_pieces(marker: str, tokens: int) -> list[str]:
    """The pieces the stub streams for `marker`: the marker, then `tokens` numbered tokens."""
    return [f"<{marker}>", *(f" t{index}" for index in range(tokens))]


def expected_reply(marker: str, tokens: int) -> str:
    """The whole reply the stub gives a request carrying `marker`."""
    return "".join(reply_pieces(marker, tokens))


def tutor_reply(body: dict[str, Any]) -> str:
    """The tutor's scripted answer to `body`, its drafts starting with the learner's marker (the first one in the
    prompt: the tutor's prompts open with the message, earlier turns come after it), so that each stored reply can be
    told from the others."""
    found = MARKER.findall(body["messages"][-1]["content"])
    marker = found[0] if found else "no-marker"
    return Script(drafts=[f"<{marker}> Give the parameter a default, like `def f(a=1)` [1]."])(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # fifty clients connecting at once must not overflow the listen backlog

    def handle_error(self, request: Any, client_address: Any) -> None:
        # OpenAI's client closes a stream's connection right after [DONE]: not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StreamingStubServer(ThreadedStub):
    """Serves /v1/models and /v1/chat/completions (streamed or not); records each request body."""

    def __init__(
        self,
        tokens: int = 8,
        delay_s: float = 0.0,
        port: int = 0,
        model: str = "stream-stub",
        together: int = 0,
        responder: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        self.tokens, self.delay_s, self.model, self.responder = tokens, delay_s, model, responder
        self.requests: list[dict[str, Any]] = []
        self.barrier = threading.Barrier(together) if together > 1 else None
        stub = self

        class Handler(JsonHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._send_models(stub.model)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                prompt = body["messages"][-1]["content"] if body.get("messages") else ""
                found = MARKER.search(prompt if isinstance(prompt, str) else json.dumps(prompt))
                pieces = reply_pieces(found.group(1) if found else "no-marker", stub.tokens)
                if body.get("stream"):
                    self._stream(pieces)
                    return
                time.sleep(stub.delay_s * len(pieces))
                text = stub.responder(body) if stub.responder is not None else "".join(pieces)
                message = {"role": "assistant", "content": text}
                self._send(200, {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                                 "model": stub.model, "choices": [{"index": 0, "message": message,
                                                                   "finish_reason": "stop"}]})  # fmt: skip

            def _stream(self, pieces: list[str]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                if stub.barrier is not None:
                    try:
                        stub.barrier.wait(timeout=30)
                    except threading.BrokenBarrierError:
                        pieces = ["<not-together>"]
                deltas = [{"role": "assistant", "content": ""}, *({"content": piece} for piece in pieces), {}]
                for position, delta in enumerate(deltas):
                    if 0 < position < len(deltas) - 1:
                        time.sleep(stub.delay_s)
                    finish = "stop" if position == len(deltas) - 1 else None
                    chunk = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": stub.model, "choices": [{"index": 0, "delta": delta,
                                                               "finish_reason": finish}]}  # fmt: skip
                    self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self._serve(_Server(("127.0.0.1", port), Handler))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A streaming OpenAI-compatible stub with fixed tokens.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--delay-s", type=float, default=0.01)
    parser.add_argument("--model", default="stream-stub")
    parser.add_argument(
        "--tutor", action="store_true", help="Answer requests that do not stream as the tutor's script."
    )
    options = parser.parse_args()
    responder = tutor_reply if options.tutor else None
    with StreamingStubServer(
        options.tokens, options.delay_s, options.port, options.model, responder=responder
    ) as server:
        print(f"streaming stub at {server.base_url}", flush=True)
        server.thread.join()
