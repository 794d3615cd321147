"""Math-Shepherd rollout labels with a scripted LLM: the share of completions that solve to the gold label."""

import pytest

from corta.datasets.optimization import OptProblem
from corta.errors import DatasetError, LLMOutputError
from corta.models.reward.rollouts import rollout_labels
from corta.solvers.optmodel.levels import Level1, Level2, Level3

# max 3x + 2y, x + y <= cap (4), x <= 3: optimum 11 at (3, 1).
PROBLEM = OptProblem(
    id="test/rollout", benchmark="test", question="Maximise 3x + 2y with x + y at most 4 and x at most 3.",
    answer=11.0, status="optimal", source_file="-",
)  # fmt: skip
L1 = Level1(parameters=[{"name": "cap", "data": 4}])
L2 = Level2(variables=[{"name": "x"}, {"name": "y"}])
RIGHT = Level3(
    objective={"sense": "max", "function": "3 x + 2 y"},
    constraints=[{"name": "total", "function": "x + y <= cap"}, {"name": "xcap", "function": "x <= 3"}],
)
WRONG = Level3(
    objective={"sense": "max", "function": "3 x + 2 y"},
    constraints=[{"name": "total", "function": "x + y <= cap"}],
)


class ScriptedLLM:
    """Returns the queued level objects (or raises a queued error) from `json`, recording the calls."""

    def __init__(self, replies: list) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str, type, dict]] = []

    def json(self, prompt: str, schema: type, **options):
        self.calls.append((prompt, schema, options))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        assert isinstance(reply, schema)
        return reply


def test_label_is_the_share_of_completions_that_reach_the_answer():
    llm = ScriptedLLM([RIGHT, WRONG, RIGHT, LLMOutputError("bad", "raw")])
    assert rollout_labels(llm, PROBLEM, [L1, L2], k=4) == 0.5
    prompt, schema, options = llm.calls[0]
    assert schema is Level3 and options["temperature"] == 0.8 and options["purpose"] == "prm:rollout"
    assert PROBLEM.question in prompt and '"cap"' in prompt and "objective and the constraints" in prompt


def test_a_completion_writes_every_missing_level_in_order():
    llm = ScriptedLLM([L2, RIGHT, L2, WRONG])
    assert rollout_labels(llm, PROBLEM, [L1], k=2) == 0.5
    assert [schema for _, schema, _ in llm.calls] == [Level2, Level3, Level2, Level3]


def test_a_model_that_does_not_compile_is_a_miss():
    broken = Level3(objective={"sense": "max", "function": "3 x + 2 z"}, constraints=[])
    assert rollout_labels(ScriptedLLM([broken]), PROBLEM, [L1, L2], k=1) == 0.0


def test_a_complete_model_is_solved_once_and_infeasible_labels_match_by_status():
    llm = ScriptedLLM([])
    assert rollout_labels(llm, PROBLEM, [L1, L2, RIGHT], k=8) == 1.0
    infeasible = PROBLEM.model_copy(update={"answer": None, "status": "infeasible"})
    contradiction = Level3(
        objective={"sense": "max", "function": "x"},
        constraints=[{"name": "c", "function": "x >= 5 + cap"}, {"name": "d", "function": "x <= 3"}],
    )
    assert rollout_labels(llm, infeasible, [L1, L2, contradiction], k=8) == 1.0
    assert llm.calls == []


def test_an_unknown_label_cannot_be_checked():
    unknown = PROBLEM.model_copy(update={"answer": None, "status": "unknown"})
    with pytest.raises(DatasetError, match="no trustworthy label"):
        rollout_labels(ScriptedLLM([]), unknown, [L1], k=2)
