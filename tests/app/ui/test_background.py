"""A long call watched from a generator: its steps in order, then its result, or its exception in the caller."""

import pytest

from corta.app.ui.background import BackgroundCall, StepCallback
from corta.errors import ConfigError


def test_the_steps_come_in_order_then_the_result() -> None:
    def work(on_step: StepCallback) -> int:
        for step in ("perceive", "retrieve", "draft"):
            on_step(step)
        return 42

    call = BackgroundCall(work)
    assert list(call.steps()) == ["perceive", "retrieve", "draft"]
    assert call.result() == 42


def test_the_calls_exception_is_raised_in_the_caller() -> None:
    def work(on_step: StepCallback) -> int:
        on_step("perceive")
        raise ConfigError("Unknown tutor mode 'shout': use explain or hint.")

    call = BackgroundCall(work)
    assert list(call.steps()) == ["perceive"]
    with pytest.raises(ConfigError, match="shout"):
        call.result()
