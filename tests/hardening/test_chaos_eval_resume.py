"""Chaos (issue 10): `corta eval routing` SIGKILLed twice at random moments (and a record line torn) and resumed
with the same command: every item once in results.jsonl, and the command, report and run.json count those records."""

import pytest

from tests.hardening.chaos.eval_killed import ROUTBENCH, eval_killed

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.skipif(not ROUTBENCH.is_dir(), reason=f"the shared RoutBench data is not at {ROUTBENCH}"),
]


def test_an_evaluation_killed_twice_and_resumed_counts_every_item_once(tmp_path):
    outcome = eval_killed(tmp_path, items=6, kills=2, seed=10)
    assert outcome.clean, outcome.notes
