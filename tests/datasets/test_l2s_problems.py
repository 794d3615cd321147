"""The generated Long-to-Short problems: reproducible, disjoint across seeds, and every worked step true."""

import re

import pytest

from corta.datasets.l2s_problems import ANSWER_PREFIX, generate_problems

EQUATION = re.compile(r"(\d[\d ×+−÷]*\d) = (\d+)")  # the longest arithmetic run before "= result"
PYTHON = str.maketrans({"×": "*", "−": "-", "÷": "/"})


def test_the_same_seed_gives_the_same_problems_and_another_seed_others() -> None:
    assert generate_problems(20, seed=3) == generate_problems(20, seed=3)
    questions = {p.question for p in generate_problems(200, seed=0)}
    assert not questions & {p.question for p in generate_problems(100, seed=1000)}
    assert [p.kind for p in generate_problems(4, seed=0)] == ["arithmetic", "program"] * 2


@pytest.mark.parametrize("seed", [0, 1000])
def test_every_step_of_every_long_solution_is_true_and_ends_in_the_answer(seed: int) -> None:
    for problem in generate_problems(200, seed=seed):
        equations = EQUATION.findall(problem.long)
        assert equations, problem.long
        for expression, result in equations:
            assert eval(expression.translate(PYTHON)) == int(result), (
                expression,
                problem.long,
            )  # digits and operators only
        assert problem.short == f"{ANSWER_PREFIX} {problem.answer}."
        assert problem.long.endswith(problem.short) and len(problem.long) > 4 * len(problem.short)


def test_a_reflective_solution_is_the_long_one_with_every_step_checked_again() -> None:
    for problem in generate_problems(40, seed=5):
        steps = problem.long.splitlines()[:-1]
        lines = problem.reflective.splitlines()
        assert lines[0::2][: len(steps)] == steps  # the same steps, in order
        assert all(
            line.startswith("Wait, let me check") and step in line
            for step, line in zip(steps, lines[1 : 2 * len(steps) : 2], strict=True)
        )
        assert problem.reflective.endswith(problem.short) and len(problem.reflective) > 2 * len(problem.long)


def test_program_answers_are_the_best_integer_plan() -> None:
    numbers = re.compile(r"\d+")
    for problem in generate_problems(60, seed=7)[1::2]:
        big_profit, big_time, small_profit, small_time, hours, most = map(
            int, numbers.findall(problem.question)
        )
        best = max(
            x * big_profit + y * small_profit
            for x in range(most + 1)
            for y in range(hours + 1)
            if x * big_time + y * small_time <= hours
        )
        assert problem.answer == best, problem.question
