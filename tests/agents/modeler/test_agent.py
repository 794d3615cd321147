"""The modeler graph end to end on a scripted policy (a stub OpenAI server): each method's path and bad input."""

from collections.abc import Iterator

import pytest

from corta.agents.modeler.agent import solve_problem
from corta.errors import ConfigError
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from tests.agents.modeler.scripted import (
    BEST,
    CONFLICT,
    MARKET_FLOOR,
    NO_MARKET,
    PROGRAM,
    QUESTION,
    RIGHT,
    WRONG_SENSE,
    KeywordPRM,
    Policy,
    PrefersAWrongMarket,
)
from tests.helpers.stub_openai_server import StubServer


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def llm(policy: Policy) -> Iterator[LLM]:
    with StubServer(responder=policy) as server:
        yield LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))


def test_bpp_keeps_the_maximising_model_and_counts_its_calls(llm: LLM, policy: Policy) -> None:
    result = solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(BEST)
    assert result.values["cakes"] + result.values["pies"] == pytest.approx(27)
    levels = [node["level"] for node in result.tree]
    assert levels.count("L1") == 3 and levels.count("L2") == 6 and levels.count("L3") == 6
    # Every proposal is a policy call, an unparseable one costs its one repair too, and the witness program is one.
    unparsed = sum(1 for node in result.tree if node["error"])
    assert levels.count("program") == 1
    assert result.policy_calls == 15 + unparsed + 1
    assert result.policy_calls <= 21
    assert result.tokens > 0 and result.seconds > 0


def test_the_invented_number_is_found_and_pruned(llm: LLM) -> None:
    result = solve_problem(QUESTION, llm, "beam", prm=KeywordPRM(), seed=0)
    l1 = [node for node in result.tree if node["level"] == "L1"]
    invented = [node for node in l1 if any("17" in finding for finding in node["findings"])]
    assert len(invented) == 1 and not invented[0]["kept"]
    assert all(node["kept"] for node in l1 if node not in invented)


def test_near_tied_finalists_go_to_the_preference_judge(policy: Policy) -> None:
    policy.l3_by_seed = lambda seed: RIGHT  # every finalist scores the same
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        bpp = solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)
        assert policy.count("Answer A or B") == 2  # one pair, both orders
        asked = len(policy.prompts)
        solve_problem(QUESTION, llm, "beam", prm=KeywordPRM(), seed=0)
        assert policy.count("Answer A or B") == 2  # beam has no judge
        assert len(policy.prompts) - asked == 15
    assert bpp.objective == pytest.approx(BEST)


def test_the_witness_program_outranks_a_wrong_reward(policy: Policy) -> None:
    results = {}
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        for method in ("beam", "bpp"):
            replies = iter(
                [MARKET_FLOOR] + [RIGHT] * 20
            )  # the first L3 proposal reads the market cap as a floor
            policy.l3_by_seed = lambda seed, replies=replies: next(replies)
            results[method] = solve_problem(QUESTION, llm, method, prm=PrefersAWrongMarket(), seed=0)
    assert results["beam"].objective == pytest.approx(160)  # the reward alone keeps the model with the floor
    bpp = results["bpp"]
    assert bpp.objective == pytest.approx(BEST)  # the program's 121 confirms the model with it
    assert (bpp.witness, bpp.unwitnessed_objective) == ("confirmed", pytest.approx(160))
    assert results["beam"].witness is None
    finalists = [node for node in bpp.tree if node["status"] is not None and node["level"] == "L3"]
    assert sorted(node["objective"] for node in finalists) == pytest.approx([BEST, 160])
    witness = [node for node in bpp.tree if node["level"] == "program"]
    assert (
        len(witness) == 1
        and witness[0]["objective"] == pytest.approx(BEST)
        and "pyo" in witness[0]["program"]
    )


def test_data_left_unused_overrules_a_reward_that_prefers_a_dropped_rule(policy: Policy) -> None:
    replies = iter(
        [NO_MARKET] + [RIGHT] * 20
    )  # the first L3 proposal drops the market rule, leaving max_pies unused
    policy.l3_by_seed = lambda seed: next(replies)
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "beam", prm=PrefersAWrongMarket(), seed=0)
    assert result.objective == pytest.approx(BEST)
    dropped = next(
        node for node in result.tree if node["level"] == "L3" and node["prm"] == pytest.approx(0.95)
    )
    assert any("max_pies is never used" in finding for finding in dropped["findings"])
    assert dropped["score"] < max(node["score"] for node in result.tree if node["level"] == "L3")


def test_the_witness_answers_when_no_model_solves(policy: Policy) -> None:
    policy.l3_by_seed = lambda seed: CONFLICT
    policy.repair = CONFLICT
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)
    assert (result.status, result.model) == ("optimal", None)
    assert result.objective == pytest.approx(BEST)
    assert "witness" in result.message and "too_many" in result.message
    assert (result.witness, result.unwitnessed_objective) == ("answered", None)


def test_a_crashing_witness_leaves_the_search_its_answer(policy: Policy) -> None:
    policy.l3_by_seed = lambda seed: [RIGHT, MARKET_FLOOR][seed % 2]
    policy.program = "```python\nimport pyomo.environ as pyo\nraise ValueError('no idea')\n```"
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "bpp", prm=PrefersAWrongMarket(), seed=0)
    assert result.objective == pytest.approx(160) and result.witness == "failed"
    witness = next(node for node in result.tree if node["level"] == "program")
    assert witness["status"] == "error" and "no idea" in witness["error"]


def test_two_agreeing_witnesses_outvote_finalists_that_both_missed_a_rule(policy: Policy) -> None:
    policy.l3_by_seed = lambda seed: NO_MARKET  # every finalist drops the market rule: 160
    policy.repair = NO_MARKET
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)
    assert (result.objective, result.model) == (pytest.approx(BEST), None)
    assert (result.witness, result.unwitnessed_objective) == ("answered", pytest.approx(160))
    assert "Two witness programs agree on 121" in result.message
    assert [node["objective"] for node in result.tree if node["level"] == "program"] == [BEST, BEST]
    assert policy.program_temperatures == [0.0, 0.7]  # the second program is sampled, not the first again


def test_a_disagreeing_witness_that_the_second_does_not_back_is_overruled(policy: Policy) -> None:
    policy.l3_by_seed = lambda seed: NO_MARKET
    policy.repair = NO_MARKET
    policy.programs = [PROGRAM, "```python\nraise ValueError('lost')\n```"]
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)
    assert (result.objective, result.witness) == (pytest.approx(160), "overruled")
    assert result.model is not None
    assert [node["status"] for node in result.tree if node["level"] == "program"] == ["optimal", "error"]


def test_a_witness_that_confirms_a_finalist_is_not_written_twice(llm: LLM) -> None:
    result = solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)
    assert result.witness == "confirmed"
    assert sum(node["level"] == "program" for node in result.tree) == 1


def test_cot_is_one_call(llm: LLM, policy: Policy) -> None:
    result = solve_problem(QUESTION, llm, "cot")
    assert (result.status, result.policy_calls) == ("optimal", 1)
    assert result.objective == pytest.approx(BEST)
    assert result.model is not None and result.model["objective"]["sense"] == "max"
    assert result.latex and "\\max" in result.latex


def test_self_consistency_votes_on_the_objective(policy: Policy) -> None:
    policy.full_by_seed = lambda seed: WRONG_SENSE if seed % 5 in (1, 3) else RIGHT
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "sc", seed=0)
    assert result.policy_calls == 5
    assert result.objective == pytest.approx(BEST)  # three of five say 121, two say 0


def test_tot_prunes_without_a_reward_model(llm: LLM) -> None:
    result = solve_problem(QUESTION, llm, "tot", seed=3)
    assert result.status in ("optimal", "error")
    assert all(node["prm"] is None for node in result.tree)
    assert sum(node["kept"] for node in result.tree if node["level"] == "L2") <= 2


def test_reward_methods_need_a_reward_model(llm: LLM) -> None:
    with pytest.raises(ConfigError, match="process reward model"):
        solve_problem(QUESTION, llm, "beam")
    with pytest.raises(ConfigError, match="Unknown method"):
        solve_problem(QUESTION, llm, "magic")


def test_a_question_that_is_not_a_problem_is_refused_without_calls(llm: LLM, policy: Policy) -> None:
    result = solve_problem("What is the capital of France?", llm, "bpp", prm=KeywordPRM())
    assert result.status == "refused"
    assert "not read as an optimization problem" in result.message and "numbers" in result.message
    assert policy.prompts == []


def test_output_that_never_parses_ends_in_a_reason_not_a_crash(policy: Policy) -> None:
    policy.full_by_seed = lambda seed: None
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "cot")
    assert result.status == "error"
    assert "No complete model" in result.message and "not JSON" in result.message


def test_an_infeasible_finalist_is_repaired_from_the_named_conflict(policy: Policy) -> None:
    policy.full_by_seed = lambda seed: CONFLICT
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "cot")
    repairs = [prompt for prompt in policy.prompts if "has a defect" in prompt]
    assert len(repairs) == 1
    assert "infeasible" in repairs[0] and "too_many" in repairs[0] and "oven" in repairs[0]
    assert result.objective == pytest.approx(BEST)
    assert result.policy_calls == 2


def test_an_infeasible_model_is_reported_with_its_conflict(policy: Policy) -> None:
    policy.full_by_seed = lambda seed: CONFLICT
    policy.repair = CONFLICT
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        result = solve_problem(QUESTION, llm, "cot")
    assert result.status == "infeasible"
    assert "too_many" in result.message


def test_code_runs_the_written_program_in_the_sandbox(llm: LLM) -> None:
    result = solve_problem(QUESTION, llm, "code")
    assert (result.status, result.policy_calls) == ("optimal", 1)
    assert result.objective == pytest.approx(BEST)
