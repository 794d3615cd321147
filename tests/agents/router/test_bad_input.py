"""The router on bad input, with a scripted LLM: a node that does not exist, parameters that never parse,
contradictory constraints. It says which constraint it could not honour, returns the best plan with its
violations, and stops after the allowed rounds."""

from collections.abc import Iterator
from pathlib import Path

from corta.agents.router.agent import route_problem
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from tests.agents.router.scripted import Policy
from tests.helpers.stub_openai_server import StubServer


def llm_for(policy: Policy) -> Iterator[LLM]:
    with StubServer(responder=policy) as server:
        yield LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))


def every_customer_once(routes: list[list[int]]) -> bool:
    return sorted(node for route in routes for node in route) == list(range(1, 26))


def test_a_node_that_does_not_exist_is_named_and_the_plan_comes_with_the_violation(instance: Path) -> None:
    policy = Policy(["same_vehicle.together"], {"same_vehicle.together": {"groups": [[13, 31]]}})
    for llm in llm_for(policy):
        result = route_problem("Nodes [13, 31] must be on the same route.", instance, llm, seconds=0.5)
    assert not result.feasible and every_customer_once(result.outcome.routes)
    [sentence] = result.unhonoured
    assert (
        "same_vehicle.together" in sentence
        and "node 31 does not exist in this 25-customer instance" in sentence
    )
    assert sentence in result.contract()["violations"]
    assert result.calls == 1 and result.rounds == 0  # the text itself asks for it: reading again cannot help


def test_parameters_that_never_parse_stop_after_the_rounds_with_a_sentence(instance: Path) -> None:
    policy = Policy(["priority.first"], {"priority.first": "not JSON"})
    for llm in llm_for(policy):
        result = route_problem("Nodes [5, 7] are priority points.", instance, llm, seconds=0.5, max_rounds=2)
    assert result.rounds == 2 and not result.feasible and every_customer_once(result.outcome.routes)
    [sentence] = result.unhonoured
    assert sentence.startswith("Could not honour priority.first") and "did not fit the parameters" in sentence
    fills = policy.asked("Fill this entry's parameters")
    assert len(fills) == 3  # the first reading and one per round (each with its own repair of the JSON)
    assert [body["temperature"] for body in fills] == [0.0, 0.7, 0.7]
    assert len({body["seed"] for body in fills}) == 3
    assert "An earlier reading was wrong" in fills[1]["messages"][-1]["content"]
    assert result.calls == 2 * 3  # the template is read from the wording: no call chooses it


def test_contradictory_constraints_name_the_one_the_plan_breaks(instance: Path) -> None:
    text = "Nodes [7, 8] must be on the same route. Nodes [7, 8] must not be on the same route."
    policy = Policy(
        ["same_vehicle.together", "same_vehicle.apart"],
        {"same_vehicle.together": {"groups": [[7, 8]]}, "same_vehicle.apart": {"groups": [[7, 8]]}},
    )
    for llm in llm_for(policy):
        result = route_problem(text, instance, llm, seconds=0.5, max_rounds=1)
    assert not result.feasible and every_customer_once(result.outcome.routes)
    assert result.rounds == 1  # one more search, with a new seed and twice the time
    [sentence] = result.unhonoured
    assert (
        sentence.startswith("Could not honour same_vehicle.") and "the best plan found breaks it" in sentence
    )
    assert "the constraint checker rejects the plan" in " ".join(result.outcome.violations)


def test_free_form_code_that_never_passes_is_left_out_and_named(instance: Path) -> None:
    policy = Policy(["other"])  # its code never defines a penalty
    for llm in llm_for(policy):
        result = route_problem("Customers 5 and 7 ride in one van.", instance, llm, seconds=0.5, max_rounds=1)
    assert len(policy.asked("Write check_constraints and penalty")) == 2 and result.rounds == 1
    assert not result.feasible and result.check_code == "" and every_customer_once(result.outcome.routes)
    [sentence] = result.unhonoured
    assert (
        sentence.startswith("Could not honour the rule no template covers")
        and "does not define penalty" in sentence
    )
