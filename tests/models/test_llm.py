"""The LLM client: structured output, the one repair, error translation, the usage ledger."""

import json

import pytest
from pydantic import BaseModel

from corta.errors import LLMOutputError, LLMRequestError, LLMUnavailableError
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from corta.models.runtime.health import choose_port


class Point(BaseModel):
    x: int
    y: int


def stub_llm(stub, structured_output="openai") -> LLM:
    return LLM(Endpoint(stub.base_url, stub.model, structured_output=structured_output), timeout_s=10)


def test_json_returns_validated_model_and_sends_openai_schema(stub):
    stub.replies = ['{"x": 1, "y": 2}']
    point = stub_llm(stub).json("a point", Point)
    assert point == Point(x=1, y=2)
    response_format = stub.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"]["required"] == ["x", "y"]


def test_json_sends_llama_cpp_schema_form(stub):
    stub.replies = ['{"x": 1, "y": 2}']
    stub_llm(stub, "llama_cpp").json("a point", Point)
    assert stub.requests[0]["response_format"] == {"type": "json_object", "schema": Point.model_json_schema()}


def test_json_repairs_once_with_the_validation_error(stub):
    stub.replies = ['{"x": "one"}', '```json\n{"x": 1, "y": 2}\n```']
    llm = stub_llm(stub)
    assert llm.json("a point", Point) == Point(x=1, y=2)
    repair_messages = stub.requests[1]["messages"]
    assert repair_messages[-2] == {"role": "assistant", "content": '{"x": "one"}'}
    assert "not valid" in repair_messages[-1]["content"] and "y" in repair_messages[-1]["content"]
    assert [call.purpose for call in llm.ledger.calls] == ["json", "json:repair"]


def test_json_gives_up_after_one_repair_with_the_raw_text(stub):
    stub.replies = ["not json at all", '{"x": 1}']
    with pytest.raises(LLMOutputError) as caught:
        stub_llm(stub).json("a point", Point)
    assert caught.value.raw == '{"x": 1}'
    assert "Point" in str(caught.value)
    assert len(stub.requests) == 2


def test_json_validates_against_a_plain_json_schema(stub):
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}, "required": ["n"]}
    stub.replies = ['{"n": -4}', '{"n": 4}']
    assert stub_llm(stub).json("a count", schema) == {"n": 4}
    assert (
        "minimum" in stub.requests[1]["messages"][-1]["content"]
        or "-4" in stub.requests[1]["messages"][-1]["content"]
    )


def test_sample_tops_up_when_the_server_returns_one_choice(stub):
    stub.replies = ["a", "b", "c"]
    assert stub_llm(stub).sample("say a letter", 3, seed=5) == ["a", "b", "c"]
    assert [request.get("seed") for request in stub.requests] == [5, 6, 7]


def test_unreachable_server_is_one_clear_sentence():
    endpoint = Endpoint(f"http://127.0.0.1:{choose_port(1)}/v1", "none")
    with pytest.raises(LLMUnavailableError, match="cannot be reached"):
        LLM(endpoint, timeout_s=5).chat("hello")


def test_recover_hook_gets_one_retry(stub):
    dead = f"http://127.0.0.1:{choose_port(1)}/v1"
    endpoint = Endpoint(dead, stub.model)
    recoveries = []

    def recover() -> str:
        recoveries.append(1)
        return stub.base_url

    endpoint.recover = recover
    llm = LLM(endpoint, timeout_s=5)
    stub.replies = ["back"]
    assert llm.chat("hello") == "back"
    assert recoveries == [1]
    assert llm.endpoint.base_url == stub.base_url


def test_http_error_becomes_request_error_and_is_recorded(stub):
    stub.replies = [500]
    llm = stub_llm(stub)
    with pytest.raises(LLMRequestError, match="HTTP 500"):
        llm.chat("hello")
    assert llm.ledger.summary()["failed_calls"] == 1


def test_ledger_records_tokens_latency_and_purpose(stub, tmp_path):
    stub.replies = ["one two three"]
    llm = stub_llm(stub)
    llm.ledger.path = tmp_path / "usage.jsonl"
    llm.chat("hello", purpose="greet")
    (call,) = llm.ledger.calls
    assert (call.purpose, call.prompt_tokens, call.completion_tokens, call.ok) == ("greet", 7, 3, True)
    assert call.latency_s > 0
    assert json.loads((tmp_path / "usage.jsonl").read_text())["purpose"] == "greet"


def test_tiny_model_plumbing_chat_stream_json_logprobs(tiny_endpoint):
    """Real llama.cpp server: constrained decoding makes even a 135M model emit schema-valid JSON."""
    llm = LLM(tiny_endpoint, timeout_s=120)
    assert llm.chat("Say hello.", max_tokens=8).strip()
    pieces = list(llm.stream("Count to five.", max_tokens=8))
    assert len(pieces) > 1
    assert isinstance(llm.json("Give a point.", Point, max_tokens=40), Point)
    scored = llm.chat_with_logprobs("Is 1+1=2? Answer + or -.", top_logprobs=3)
    assert scored.tokens and scored.tokens[0].logprob <= 0 and len(scored.tokens[0].top) == 3
    summary = llm.ledger.summary()
    assert summary["calls"] == 4 and summary["completion_tokens"] > 0 and summary["failed_calls"] == 0


def test_a_stream_is_read_as_event_lines_until_done_and_bad_events_are_one_sentence():
    from corta.models.llm import _streamed_text

    lines = [
        ": keep-alive",
        'data: {"choices": [{"delta": {"role": "assistant", "content": ""}}]}',
        "",
        'data: {"choices": [{"delta": {"content": "Hel"}}]}',
        'data: {"choices": [{"delta": {"content": "lo"}}]}',
        'data: {"choices": [{"delta": {}, "finish_reason": "stop"}]}',
        "data: [DONE]",
        'data: {"choices": [{"delta": {"content": "after the end"}}]}',
    ]
    assert list(_streamed_text(iter(lines), "http://llm/v1")) == ["Hel", "lo"]
    with pytest.raises(LLMRequestError, match=r"stopped the stream: .*context length"):
        list(
            _streamed_text(iter(['data: {"error": {"message": "context length exceeded"}}']), "http://llm/v1")
        )
    with pytest.raises(LLMRequestError, match=r"not JSON: \{broken"):
        list(_streamed_text(iter(["data: {broken"]), "http://llm/v1"))


def test_a_stream_through_a_streaming_server_arrives_in_its_pieces():
    from tests.helpers.streaming_stub_server import StreamingStubServer, reply_pieces

    with StreamingStubServer(tokens=5) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        pieces = list(llm.stream("Say it [marker:m-7]"))
    assert pieces == reply_pieces("m-7", 5)
    assert llm.ledger.calls[-1].completion_tokens == len(pieces) and llm.ledger.calls[-1].ok
