"""The LLM judge: P("+") from the first token's top log-probabilities, a JSON verdict when neither token shows."""

import math

import pytest

from corta.errors import LLMOutputError
from corta.models.llm import ScoredCompletion, TokenLogprob
from corta.models.reward.judge import JudgePRM, plus_probability


class ScriptedLLM:
    """Answers `chat_with_logprobs` and `json` from queues and records every call."""

    def __init__(
        self, completions: list[ScoredCompletion], verdicts: list[dict | Exception] | None = None
    ) -> None:
        self.completions = list(completions)
        self.verdicts = list(verdicts or [])
        self.calls: list[tuple[str, str, dict]] = []

    def chat_with_logprobs(self, prompt: str, **options) -> ScoredCompletion:
        self.calls.append(("logprobs", prompt, options))
        return self.completions.pop(0)

    def json(self, prompt: str, schema: dict, **options) -> dict:
        self.calls.append(("json", prompt, {**options, "schema": schema}))
        verdict = self.verdicts.pop(0)
        if isinstance(verdict, Exception):
            raise verdict
        return verdict


def completion(token: str, top: dict[str, float]) -> ScoredCompletion:
    return ScoredCompletion(token, [TokenLogprob(token, top.get(token, -0.1), top)])


def test_plus_probability_is_normalised_over_plus_and_minus_with_spaces_ignored():
    scored = completion(
        " +", {" +": math.log(0.5), "+": math.log(0.1), "-": math.log(0.2), "The": math.log(0.2)}
    )
    assert plus_probability(scored) == pytest.approx(0.6 / 0.8)
    assert plus_probability(completion("Yes", {"Yes": -0.1, "No": -2.0})) is None
    assert plus_probability(ScoredCompletion("", [])) is None


def test_one_request_per_prefix_with_the_steps_so_far():
    llm = ScriptedLLM(
        [completion("+", {"+": math.log(0.9), "-": math.log(0.1)}), completion("-", {"-": 0.0})]
    )
    scores = JudgePRM(llm).score_steps(
        "  Maximise profit.  ", ["Data.\nParameter p = 3", "Variables.\nx: integer"]
    )
    assert scores == [pytest.approx(0.9), 0.0]
    first, second = llm.calls[0][1], llm.calls[1][1]
    assert (
        first.startswith("Problem:\nMaximise profit.\n")
        and "Step 1:\nData." in first
        and "Step 2" not in first
    )
    assert "Step 2:\nVariables." in second and second.endswith("Is the last step correct? Answer + or -.")
    assert llm.calls[0][2] == {"purpose": "prm", "top_logprobs": 5, "max_tokens": 1}


def test_falls_back_to_a_json_verdict_when_neither_token_appears():
    llm = ScriptedLLM(
        [completion("Yes", {"Yes": -0.1}), ScoredCompletion("", [])], [{"correct": True}, {"correct": False}]
    )
    assert JudgePRM(llm).score_steps("q", ["a", "b"]) == [1.0, 0.0]
    kinds = [call[0] for call in llm.calls]
    assert kinds == ["logprobs", "json", "logprobs", "json"]
    options = llm.calls[1][2]
    assert options["purpose"] == "prm" and options["schema"]["required"] == ["correct"]
    assert '{"correct": true}' in llm.calls[1][1]


def test_a_verdict_that_never_parses_is_undecided_and_the_next_step_is_still_judged():
    unparsed = LLMOutputError("The model's reply did not match the answer schema: not JSON.", raw="?")
    llm = ScriptedLLM([completion("?", {"?": -0.1}), completion("+", {"+": -0.1})], [unparsed])
    assert JudgePRM(llm).score_steps("q", ["a", "b"]) == [0.5, 1.0]


def test_no_steps_no_requests():
    llm = ScriptedLLM([])
    assert JudgePRM(llm).score_steps("q", []) == []
    assert llm.calls == []
