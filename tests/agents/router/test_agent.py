"""The router graph end to end on a scripted LLM (a stub OpenAI server): templates chosen and filled, code tested
in the sandbox, the plan searched and verified; and the free-form fallback repaired by sampling."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from corta.agents.router.agent import route_problem
from corta.agents.router.testing import check_plan
from corta.datasets.routbench import RoutingVariant, load_routbench
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from tests.agents.router.scripted import Policy
from tests.helpers.stub_openai_server import StubServer

SAME_ROUTE = """```python
def check_constraints(state):
    return any(5 in route and 7 in route for route in state.routes)


def penalty(state):
    return 0.0 if check_constraints(state) else 1.0
```"""


@pytest.fixture(scope="module")
def variant(instance: Path) -> RoutingVariant:
    """Two constraints: nodes 7 and 8 apart, and strict priority 7 > 5 > 3."""
    variants = {item.id: item for item in load_routbench(instance.parent, "simple", 25)}
    return variants["routbench/simple/2"]


def llm_for(policy: Policy) -> Iterator[LLM]:
    with StubServer(responder=policy) as server:
        yield LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))


@pytest.fixture
def right() -> Policy:
    return Policy(
        ["same_vehicle.apart", "priority.strict"],
        {"same_vehicle.apart": {"groups": [[7, 8]]}, "priority.strict": {"levels": [[7], [5], [3]]}},
    )


@pytest.mark.parametrize("read_wording", [True, False])
def test_the_right_templates_filled_give_a_plan_that_passes_the_reference_checker(
    right: Policy, variant: RoutingVariant, instance: Path, read_wording: bool
) -> None:
    for llm in llm_for(right):
        result = route_problem(variant.description, instance, llm, seconds=1.0, read_wording=read_wording)
    assert result.feasible and result.rounds == 0 and result.unhonoured == []
    assert [(item["template"], item["status"]) for item in result.constraints] == [
        ("same_vehicle.apart", "ok"),
        ("priority.strict", "ok"),
    ]
    assert (
        "def c2_check_constraints(state)" in result.check_code and "def penalty(state)" in result.penalty_code
    )
    # Read from the wording, no call chooses; otherwise one call chooses. Then one fill per template.
    assert result.selected_by == ("wording" if read_wording else "llm")
    assert len(right.asked("Which entries does the text ask for")) == (0 if read_wording else 1)
    assert result.calls == (2 if read_wording else 3) and result.tokens > 0
    assert sorted(node for route in result.outcome.routes for node in route) == list(range(1, 26))
    assert check_plan(instance, variant.checker_code, result.outcome.routes) == (True, None)
    # The fill asks with the template's parameter model as the response schema; the reference is never shown.
    fills = right.asked("Fill this entry's parameters")
    assert fills[0]["response_format"]["json_schema"]["schema"]["additionalProperties"] is False
    # Each reading shows the entry's worked example; read from the wording, it sees only its rule's sentences.
    first = fills[0]["messages"][-1]["content"]
    assert "Example for this entry" in first and ("priority" in first.split("Entry")[0]) is not read_wording
    assert not any(
        "priority_levels" in message["content"] for body in right.requests for message in body["messages"]
    )
    assert result.versions[0]["test"]["passed"] and result.versions[0]["test"]["plans"] > 100


def test_free_form_code_that_accepts_everything_is_rejected_and_rewritten_by_sampling(instance: Path) -> None:
    def code(seed: int) -> str:
        return (
            "```python\ndef check_constraints(state):\n    return True\n\ndef penalty(state):\n    return 0.0\n```"
            if seed == 0
            else SAME_ROUTE
        )

    policy = Policy(["other"], code=code)
    for llm in llm_for(policy):
        result = route_problem("Customers 5 and 7 ride in one van.", instance, llm, seconds=1.0, max_rounds=2)
    asked = policy.asked("Write check_constraints and penalty")
    assert len(asked) == 2 and result.rounds == 1
    first, second = asked
    assert first["temperature"] == 0.0 and second["temperature"] > 0 and second["seed"] != first["seed"]
    assert "accepts all" in second["messages"][-1]["content"]
    assert "return True" not in second["messages"][-1]["content"]  # the old code is not shown
    assert result.feasible and "5 in route and 7 in route" in result.check_code
    assert any(route for route in result.outcome.routes if 5 in route and 7 in route)
    tests = [version["test"] for version in result.versions]
    assert [test["passed"] for test in tests] == [False, True]
