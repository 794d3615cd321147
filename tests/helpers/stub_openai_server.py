"""A scripted OpenAI-compatible server for tests of client logic (repairs, errors) and of server launchers.

In-process: `StubServer(replies)` serves each queued reply text in turn and records the requests it got;
`StubServer(responder=f)` answers each request with `f(body)`: a text, or a (text, logprobs) pair where logprobs maps
each candidate first token to its log-probability (for judges reading P('+') or P('A')).
As a program: `python stub_openai_server.py --port P --model NAME [--delay S]` stands in for `vllm serve`.
"""

import argparse
import json
import time
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from tests.helpers.http_stub import JsonHandler, ThreadedStub


class StubServer(ThreadedStub):
    """Serves /v1/models and /v1/chat/completions; each completion takes the next scripted reply."""

    def __init__(
        self,
        replies: list[str | int] | None = None,
        model: str = "stub-model",
        port: int = 0,
        responder: "Callable[[dict[str, Any]], str | tuple[str, dict[str, float]]] | None" = None,
    ) -> None:
        self.replies = list(replies or [])
        self.responder = responder
        self.model = model
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                self._send_models(stub.model)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                if stub.responder is not None:
                    answer = stub.responder(body)
                    text, logprobs = answer if isinstance(answer, tuple) else (answer, None)
                    self._send(200, completion(stub.model, text, logprobs))
                    return
                reply = stub.replies.pop(0) if stub.replies else "ok"
                if isinstance(reply, int):
                    self._send(reply, {"error": {"message": f"scripted status {reply}"}})
                    return
                self._send(200, completion(stub.model, reply))

        self._serve(ThreadingHTTPServer(("127.0.0.1", port), Handler))


def completion(model: str, text: str, logprobs: dict[str, float] | None = None) -> dict[str, Any]:
    """A chat.completion body with one choice and a usage block (and first-token logprobs when given)."""
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": text},
        "finish_reason": "stop",
    }
    if logprobs is not None:
        top = [{"token": token, "logprob": value, "bytes": None} for token, value in logprobs.items()]
        choice["logprobs"] = {
            "content": [
                {"token": text, "logprob": logprobs.get(text, -20.0), "bytes": None, "top_logprobs": top}
            ]
        }
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": {
            "prompt_tokens": 7,
            "completion_tokens": len(text.split()),
            "total_tokens": 7 + len(text.split()),
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    options = parser.parse_args()
    time.sleep(options.delay)
    with StubServer(model=options.model, port=options.port) as server:
        server.thread.join()
