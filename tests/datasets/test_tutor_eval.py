"""Tutoring benchmarks on the real data in ../shared/data/tutor, the hit@3 and leak rules, and the eval tasks on a
scripted LLM."""

import math
import os
from pathlib import Path

import pytest

from corta.agents.tutor.agent import Tutor
from corta.agents.tutor.nodes import TutorNodes
from corta.agents.tutor.reflection import HINT_CODE_PROBLEM
from corta.datasets.tutor_eval import (
    QacpRejudgeTask,
    QacpRetrievalTask,
    QacpTask,
    SocraticTask,
    covers,
    judged_rows,
    leaks_solution,
    summary_rows,
)
from corta.datasets.tutor_judge import judge_correctness, judge_preference
from corta.datasets.tutoring import QacpItem, SocraticItem, load_qacp, load_socratic
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from tests.agents.tutor.scripted import FixedRetriever, Script
from tests.helpers.stub_openai_server import StubServer


def data_root() -> Path:
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "tutor"


needs_data = pytest.mark.skipif(
    not data_root().is_dir() and not os.environ.get("CI"), reason="tutor data not at ../shared/data/tutor"
)

FIBONACCI = SocraticItem(
    id="socratic/0_0_fibonacci",
    problem="Return the nth Fibonacci number.",
    buggy_code="def fibonacci(n):\n    a, b = 0, 1\n    for i in range(0, n):\n        a, b = b, a + b\n    return b",
    bug="The loop runs once too often.",
    fixes=(
        "Replace `range(0, n)` with `range(1, n)` on line 3.",
        "Replace `range(0, n)` with `range(0, n - 1)`.",
    ),
    unit_tests="assert fibonacci(1) == 1\nassert fibonacci(5) == 5\nassert fibonacci(10) == 55",
    opening="My function returns the wrong number.",
)


@needs_data
def test_loaders_read_every_qacp_pair_and_the_socratic_dialogues_with_code():
    qacp = load_qacp(data_root())
    assert len(qacp) == 534 and len({item.knowledge_point for item in qacp}) == 10
    socratic = load_socratic(data_root())
    assert len(socratic) >= 50
    assert all(item.buggy_code and item.unit_tests and item.fixes for item in socratic)
    fibonacci = next(item for item in socratic if item.id == "socratic/0_0_fibonacci")
    assert fibonacci.buggy_code.startswith("def fibonacci(n):") and "range(0, n)" in fibonacci.buggy_code


def test_hit_rule_reads_citations_by_knowledge_point():
    passages = [{"path": "tutorial/controlflow.rst > 4.8 Defining Functions", "title": "Defining Functions"}]
    assert covers("Functions", passages) and covers("Control Flow Structures", passages)
    assert not covers("File Operations", passages) and not covers("Functions", [])


def test_a_reply_leaks_when_its_code_passes_the_tests_or_it_states_the_fix():
    fixed = "```python\ndef fibonacci(n):\n    a, b = 0, 1\n    for i in range(1, n):\n        a, b = b, a + b\n    return b\n```"
    assert leaks_solution(FIBONACCI, fixed) == "passes unit tests"
    assert (
        leaks_solution(FIBONACCI, "Change the loop to `range(0, n - 1)`.") == "states fix 'range(0, n - 1)'"
    )
    hint = "How many times does `range(0, n)` run? Try it with n = 2 in your head."
    assert leaks_solution(FIBONACCI, hint) is None
    still_buggy = "```python\n" + FIBONACCI.buggy_code + "\n```"
    assert leaks_solution(FIBONACCI, still_buggy) is None


def scripted(script: Script) -> StubServer:
    return StubServer(responder=script)


def llm_of(server: StubServer) -> LLM:
    return LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))


def test_qacp_task_scores_draft_and_answer_and_both_retrievals():
    broken, fixed = "Divide:\n```python\nprint(1 / 0)\n```", "Divide:\n```python\nprint(1 / 1)\n```"
    script = Script(
        drafts=[broken], blocks=["```python\nprint(1 / 1)\n```"], judge_scores=[2, 4], preferences=[0.2, 0.6]
    )
    retriever = FixedRetriever()
    with scripted(script) as server:
        llm = llm_of(server)
        record = QacpTask(Tutor(llm, retriever), llm).run(
            QacpItem("qacp/1", "Functions", "函数的默认参数是什么？", "…")
        )
    assert record["hit_at_3"] and record["hit_at_3_raw_question"]
    assert (record["draft_score"], record["final_score"], record["rounds"]) == (2, 4, 1)
    assert record["final_preferred"] == pytest.approx(0.7)  # (0.8 as B, then 0.6 as A) / 2
    assert (record["first_draft"], record["answer"]) == (broken, fixed)
    prefer_prompts = script.prompts_of("prefer")
    # The draft shown first, then last.
    assert prefer_prompts[0].index("1 / 0") < prefer_prompts[0].index("1 / 1")
    assert prefer_prompts[1].index("1 / 1") < prefer_prompts[1].index("1 / 0")
    assert set(record["step_seconds"]) == {"perceive", "draft", "repair"}
    assert retriever.queries == ["default argument values"] * 2 + ["函数的默认参数是什么？"]


def test_a_judge_that_favours_one_position_prefers_neither_reply():
    with scripted(Script(preferences=[0.9])) as server:
        assert judge_preference(llm_of(server), "Q?", "ref", "draft", "answer") == pytest.approx(0.5)
    with scripted(Script(preferences=[0.7, 0.1])) as server:  # the draft is A, then B: it wins both orders
        assert judge_preference(llm_of(server), "Q?", "ref", "draft", "answer") == pytest.approx(0.2)


def test_the_qacp_summary_compares_drafts_and_answers_where_reflection_changed_them():
    records = [
        {"draft_score": 4.0, "final_score": 4.5, "final_preferred": 0.7},
        {"draft_score": 3.0, "final_score": 4.0, "final_preferred": 0.6},
        {"draft_score": 5.0, "final_score": 4.0, "final_preferred": 0.3},
        {"draft_score": 5.0, "final_score": 5.0, "final_preferred": None},
    ]
    rows = {row["measure"]: row["value"] for row in judged_rows(records)}
    assert rows["mean draft_score (n=4)"] == pytest.approx(4.25)
    assert rows["mean final_score (n=4)"] == pytest.approx(4.375)
    assert rows["mean draft_score of the revised replies (n=3)"] == pytest.approx(4.0)
    assert rows["mean final_score of the revised replies (n=3)"] == pytest.approx(4.1667, abs=1e-3)
    assert rows["mean final_preferred of the revised replies (n=3)"] == pytest.approx(0.5333, abs=1e-3)
    assert rows["revised answers the judge prefers to their draft"] == 2
    assert rows["revised answers whose draft the judge prefers"] == 1


def test_the_correctness_judge_is_its_expected_score_over_the_digits():
    spread = ("5", {"5": math.log(0.5), "4": math.log(0.3), " 3": math.log(0.1), "Great": math.log(0.1)})
    with scripted(lambda body: spread) as server:
        # 5·0.5 + 4·0.3 + 3·0.1, over the 0.9 the digits hold
        assert judge_correctness(llm_of(server), "Q?", "ref", "reply") == pytest.approx(4.4444, abs=1e-4)
    with scripted(lambda body: ("Great", {"Great": -0.1})) as server:
        assert judge_correctness(llm_of(server), "Q?", "ref", "reply") is None


def test_recorded_replies_are_judged_again_without_the_tutor():
    script = Script(judge_scores=[3, 5], preferences=[0.1, 0.8])
    replies = {"qacp/1": {"first_draft": "draft", "answer": "answer", "rounds": 1}}
    with scripted(script) as server:
        record = QacpRejudgeTask(llm_of(server), replies).run(
            QacpItem("qacp/1", "Functions", "What is def?", "…")
        )
    assert (record["draft_score"], record["final_score"]) == (3.0, 5.0) and record["success"]
    assert record["final_preferred"] == pytest.approx(0.85)
    assert script.kinds() == ["judge", "judge", "prefer", "prefer"]
    assert "What is def?" in script.prompts_of("judge")[0] and "draft" in script.prompts_of("judge")[0]


def test_a_judge_that_names_neither_letter_is_read_as_no_preference():
    with scripted(lambda body: ("Both", {"Both": -0.1, "Neither": -2.0})) as server:
        assert judge_preference(llm_of(server), "Q?", "ref", "draft", "answer") == 0.5


def test_a_reply_reflection_left_alone_is_not_judged_against_itself():
    script = Script(drafts=["only"], judge_scores=[4])
    with scripted(script) as server:
        llm = llm_of(server)
        record = QacpTask(Tutor(llm, FixedRetriever()), llm).run(
            QacpItem("qacp/2", "Functions", "What is def?", "…")
        )
    assert record["final_preferred"] is None and record["draft_score"] == record["final_score"] == 4
    assert script.kinds().count("judge") == 1 and "prefer" not in script.kinds()


def test_retrieval_only_measures_hit_at_3_with_one_perception_call_and_the_tutors_route():
    retriever = FixedRetriever()
    question = QacpItem("qacp/1", "Functions", "函数的默认参数是什么？", "…")
    with scripted(Script()) as server:
        llm = llm_of(server)
        record = QacpRetrievalTask(TutorNodes(llm, retriever)).run(question)
    assert (
        record["hit_at_3"] and record["route"] == "retrieve" and record["query"] == "default argument values"
    )
    assert server.responder.kinds() == ["perceive"]
    off_topic = Script(perception={"intent": "off_topic", "query": "cooking"})
    with scripted(off_topic) as server:
        llm = llm_of(server)
        record = QacpRetrievalTask(TutorNodes(llm, retriever)).run(question)
    assert record["route"] == "off_topic" and record["query_sources"] == [] and not record["hit_at_3"]
    assert record["hit_at_3_raw_question"]  # the raw question still finds the section: perception lost it


def test_socratic_task_counts_a_leak_only_in_what_the_learner_sees():
    leaky = "```python\ndef fibonacci(n):\n    a, b = 0, 1\n    for i in range(1, n):\n        a, b = b, a + b\n    return b\n```"
    script = Script(drafts=[leaky])
    with scripted(script) as server:
        llm = llm_of(server)
        record = SocraticTask(Tutor(llm, FixedRetriever(), max_rounds=0)).run(FIBONACCI)
    assert record["draft_leak"] and not record["leak"] and record["success"]
    assert record["reply_tokens"] > 0 and record["first_review"] == [HINT_CODE_PROBLEM]
    assert record["answer"] and "```" not in record["answer"]  # what the learner saw, kept for reading


def test_summary_reports_rates_percentiles_and_where_the_time_went():
    records = [
        {"leak": False, "answer_seconds": 10.0, "step_seconds": {"draft": 4.0, "reflect": 2.0}},
        {"leak": True, "answer_seconds": 30.0, "step_seconds": {"draft": 6.0}},
    ]
    rows = {row["measure"]: row["value"] for row in summary_rows(records, ["leak"], [])}
    assert rows["rate of leak"] == 0.5 and rows["p50 answer seconds"] == 20.0
    assert rows["mean seconds in draft calls per answer"] == 5.0
    assert rows["mean seconds in reflect calls per answer"] == 1.0
