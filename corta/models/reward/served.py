"""A process reward model served by vLLM's pooling API, in the Qwen2.5-Math-PRM convention.

The conversation (a fixed system prompt, the question, and the steps each followed by the step tag `<extra_0>`) is
written in Qwen's chat format and posted to `{server}/pooling`. vLLM's step pooler classifies the hidden state at each
tag into (bad, good) and returns one pair per tag; the score of a step is P(good). Pairs that are logits rather than
probabilities are put through a softmax, and a `/classify`-style `probs` field is read as well.
Served with e.g. `vllm serve Qwen/Qwen2.5-Math-PRM-7B --runner pooling`.
"""

import math
from typing import Any

import httpx

from corta.errors import LLMRequestError, LLMUnavailableError

SYSTEM_PROMPT = "Please reason step by step, and put your final answer within \\boxed{}."
_CHAT = "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n{answer}<|im_end|>\n"


def prm_conversation(question: str, steps: list[str], step_tag: str = "<extra_0>") -> str:
    """The text a Qwen2.5-Math-PRM reads: its chat format, the steps joined by the step tag and ending with it."""
    answer = step_tag.join(steps) + step_tag
    return _CHAT.format(system=SYSTEM_PROMPT, question=question, answer=answer)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _good_probability(value: Any) -> float:
    """P(good) from a [bad, good] pair (probabilities or logits), or from one number (a probability or a logit)."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        bad, good = float(value[0]), float(value[1])
        if 0.0 <= bad <= 1.0 and 0.0 <= good <= 1.0 and abs(bad + good - 1.0) < 1e-3:
            return good
        return _sigmoid(good - bad)  # the softmax of two logits
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if 0.0 <= value <= 1.0 else _sigmoid(float(value))
    raise ValueError(f"not a score: {value!r}")


def step_scores(body: Any, count: int) -> list[float]:
    """The P(good) of each of `count` steps in a pooling (`data[0].data`) or classify (`data[0].probs`) response.

    Raises
    ------
    ValueError
        If the body holds no scores, or a number of them other than `count`.
    """
    item = body["data"][0] if isinstance(body, dict) and body.get("data") else None
    values = item.get("data", item.get("probs")) if isinstance(item, dict) else None
    if not isinstance(values, list):
        raise ValueError("no data[0].data or data[0].probs in the response")
    if count == 1 and len(values) == 2 and all(isinstance(v, int | float) for v in values):
        values = [values]  # one sequence's [bad, good], as /classify returns it
    if len(values) != count:
        raise ValueError(f"{len(values)} scores for {count} steps")
    return [_good_probability(value) for value in values]


class ServedPRM:
    """A PRM behind an OpenAI-compatible vLLM server's pooling endpoint.

    Parameters
    ----------
    base_url
        The server, with or without its `/v1` suffix (the pooling API lives at the root).
    model
        The served model's name.
    step_tag
        The token that closes each step (`<extra_0>` for Qwen2.5-Math-PRM).
    api_key
        Sent as a bearer token when given.
    timeout_s
        Limit of one request.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        step_tag: str = "<extra_0>",
        api_key: str | None = None,
        timeout_s: float = 60.0,
    ) -> None:
        self.url = base_url.rstrip("/").removesuffix("/v1") + "/pooling"
        self.model = model
        self.step_tag = step_tag
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout_s = timeout_s

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        """One score per step: score i judges steps[: i + 1] (the model reads them causally, in one request).

        Raises
        ------
        LLMUnavailableError
            If the server cannot be reached or does not answer in time.
        LLMRequestError
            If it refuses the request or its reply holds no score per step.
        """
        if not steps:
            return []
        body = {"model": self.model, "input": prm_conversation(question, steps, self.step_tag)}
        try:
            response = httpx.post(self.url, json=body, headers=self.headers, timeout=self.timeout_s)
        except httpx.TimeoutException:
            raise LLMUnavailableError(
                f"The PRM at {self.url} did not answer within {self.timeout_s:.0f} s."
            ) from None
        except httpx.TransportError:
            raise LLMUnavailableError(
                f"The PRM at {self.url} cannot be reached; is its server running?"
            ) from None
        if response.status_code >= 400:
            raise LLMRequestError(
                f"The PRM at {self.url} refused the request (HTTP {response.status_code}): {response.text[:200]}"
            )
        try:
            return step_scores(response.json(), len(steps))
        except ValueError as error:
            raise LLMRequestError(
                f"The PRM at {self.url} returned no score per step ({error}); is it a step-pooling reward model?"
            ) from None
