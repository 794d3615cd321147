"""The served PRM against a scripted pooling server: the Qwen PRM conversation, P(good) per step tag, errors."""

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from corta.errors import LLMRequestError, LLMUnavailableError
from corta.models.reward.served import ServedPRM, prm_conversation, step_scores
from corta.models.runtime.health import choose_port


class PoolingStub:
    """Serves POST /pooling with each scripted (status, body) in turn and records the requests."""

    def __init__(self, replies: list[tuple[int, Any]]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(
                    self.rfile.read(int(self.headers["Content-Length"]))
                )})  # fmt: skip
                status, body = stub.replies.pop(0) if stub.replies else (404, {"error": "no reply"})
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@pytest.fixture
def pooling() -> Iterator[PoolingStub]:
    stub = PoolingStub([])
    stub.thread.start()
    yield stub
    stub.httpd.shutdown()
    stub.httpd.server_close()


def pooling_body(data: Any) -> dict[str, Any]:
    return {
        "id": "pool-1",
        "object": "list",
        "model": "prm",
        "data": [{"index": 0, "object": "pooling", "data": data}],
    }


def test_posts_the_qwen_prm_conversation_and_reads_p_good_per_step(pooling):
    pooling.replies = [(200, pooling_body([[0.2, 0.8], [0.9, 0.1]]))]
    prm = ServedPRM(pooling.base_url, "Qwen/Qwen2.5-Math-PRM-7B", api_key="secret")
    assert prm.score_steps("How many?", ["Data.", "Variables."]) == [pytest.approx(0.8), pytest.approx(0.1)]
    request = pooling.requests[0]
    assert request["path"] == "/pooling"
    assert request["headers"]["Authorization"] == "Bearer secret"
    assert request["body"]["model"] == "Qwen/Qwen2.5-Math-PRM-7B"
    text = request["body"]["input"]
    assert text.startswith(
        "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}."
    )
    assert "<|im_start|>user\nHow many?<|im_end|>" in text
    assert "<|im_start|>assistant\nData.<extra_0>Variables.<extra_0><|im_end|>" in text


def test_prm_conversation_ends_every_step_with_the_tag():
    assert prm_conversation("q", ["a", "b"], step_tag="<tag>").count("<tag>") == 2


def test_logits_scalars_and_classify_probs_are_read_too():
    assert step_scores(pooling_body([[0.0, 2.0]]), 1) == [pytest.approx(1 / (1 + math.exp(-2)))]
    assert step_scores(pooling_body([0.7, -1000.0]), 2) == [pytest.approx(0.7), pytest.approx(0.0)]
    classify = {"data": [{"index": 0, "label": "1", "probs": [0.25, 0.75], "num_classes": 2}]}
    assert step_scores(classify, 1) == [pytest.approx(0.75)]
    with pytest.raises(ValueError, match="3 scores for 2 steps"):
        step_scores(pooling_body([[0.5, 0.5]] * 3), 2)
    with pytest.raises(ValueError, match="no data"):
        step_scores({"object": "error"}, 1)


def test_server_errors_become_one_sentence(pooling):
    pooling.replies = [
        (400, {"error": {"message": "model is not a pooling model"}}),
        (200, pooling_body([[0.5, 0.5]])),
    ]
    prm = ServedPRM(pooling.base_url, "m")
    with pytest.raises(LLMRequestError, match=r"refused the request \(HTTP 400\)"):
        prm.score_steps("q", ["a"])
    with pytest.raises(LLMRequestError, match="1 scores for 2 steps"):
        prm.score_steps("q", ["a", "b"])


def test_an_unreachable_server_is_unavailable():
    prm = ServedPRM(f"http://127.0.0.1:{choose_port(18990)}", "m", timeout_s=2)
    with pytest.raises(LLMUnavailableError, match="cannot be reached"):
        prm.score_steps("q", ["a"])
    assert prm.score_steps("q", []) == []
