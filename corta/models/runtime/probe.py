"""Decode speed of a served model: one warm-up call, then a fixed counting prompt, timed."""

import time

from corta.models.llm import LLM

PROBE_PROMPT = "Count from 1 to 40, separated by spaces."


def decode_speed(llm: LLM) -> tuple[int, float]:
    """(completion tokens, seconds) of the probe prompt after a one-token warm-up.

    Raises
    ------
    corta.errors.LLMUnavailableError
        When the server does not answer.
    """
    llm.chat("Hi", max_tokens=1, purpose="warm-up")
    started = time.perf_counter()
    llm.chat(PROBE_PROMPT, max_tokens=64, purpose="probe")
    return llm.ledger.calls[-1].completion_tokens, time.perf_counter() - started
