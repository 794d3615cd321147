"""The `code` baseline end to end on a scripted model: real programs, the real sandbox, real Pyomo and HiGHS."""

import pytest

from corta.agents.modeler.program import PROGRAM_PROMPT, extract_program, read_answer, solve_by_program

# maximise 3x + 5y s.t. x + 2y <= 14, 3x - y >= 0, x - y <= 2: the optimum is x = 6, y = 4, objective 38.
SMALL_LP = """\
import pyomo.environ as pyo


def main():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.y = pyo.Var(domain=pyo.NonNegativeReals)
    m.obj = pyo.Objective(expr=3 * m.x + 5 * m.y, sense=pyo.maximize)
    m.c1 = pyo.Constraint(expr=m.x + 2 * m.y <= 14)
    m.c2 = pyo.Constraint(expr=3 * m.x - m.y >= 0)
    m.c3 = pyo.Constraint(expr=m.x - m.y <= 2)
    pyo.SolverFactory("appsi_highs").solve(m)
    print(f"OBJECTIVE: {pyo.value(m.obj)}")


if __name__ == "__main__":
    main()
"""
INVENTED_API = """\
import pyomo.environ as pyo
m = pyo.ConcreteModel()
m.x = pyo.Var(domain=pyo.NonNegativeIntegers)
m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
m.c = pyo.Constraint(expr=m.x <= 3)
pyo.SolverFactory("appsi_highs").solve_model(m)
print(f"OBJECTIVE: {pyo.value(m.obj)}")
"""
INFEASIBLE = """\
import pyomo.environ as pyo
m = pyo.ConcreteModel()
m.x = pyo.Var(domain=pyo.NonNegativeIntegers)
m.obj = pyo.Objective(expr=m.x, sense=pyo.minimize)
m.c = pyo.Constraint(expr=m.x <= -1)
result = pyo.SolverFactory("appsi_highs").solve(m, load_solutions=False)
if result.solver.termination_condition == pyo.TerminationCondition.infeasible:
    print("STATUS: infeasible")
"""

# The same LP at module level, solved, its optimum printed in words rather than on an OBJECTIVE line.
UNASKED_FORM = (
    SMALL_LP.replace("def main():\n", "")
    .replace("\n    ", "\n")
    .replace('print(f"OBJECTIVE: {pyo.value(m.obj)}")', 'print("The best profit is", pyo.value(m.obj))')
    .split("if __name__")[0]
)


class ScriptedLLM:
    """Answers every chat with one fixed reply and records how it was asked."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[dict] = []

    def chat(
        self, prompt, *, system=None, purpose="chat", temperature=0.0, max_tokens=512, stop=None, seed=None
    ):
        self.calls.append({"prompt": prompt, "system": system, "purpose": purpose, "max_tokens": max_tokens})
        return self.reply


def fenced(code: str) -> str:
    return f"Here is the model.\n```python\n{code}```\nIt prints the optimum."


def test_a_correct_program_reports_its_optimum() -> None:
    llm = ScriptedLLM(fenced(SMALL_LP))
    outcome = solve_by_program(llm, "Maximise 3x + 5y ...", seed=3)
    assert (outcome.status, outcome.error) == ("optimal", None)
    assert outcome.objective == pytest.approx(38.0)
    assert outcome.code == SMALL_LP.strip()
    assert llm.calls == [
        {
            "prompt": "Maximise 3x + 5y ...",
            "system": PROGRAM_PROMPT,
            "purpose": "policy-program",
            "max_tokens": 1024,
        }
    ]


def test_invented_api_is_an_error_naming_the_exception() -> None:
    outcome = solve_by_program(ScriptedLLM(fenced(INVENTED_API)), "question")
    assert outcome.status == "error" and outcome.objective is None
    assert outcome.error.startswith("the program crashed: AttributeError:")
    assert "solve_model" in outcome.error


def test_a_forbidden_import_is_named() -> None:
    outcome = solve_by_program(ScriptedLLM(fenced("import os\nprint(os.listdir('/'))\n")), "question")
    assert (outcome.status, outcome.error) == ("error", "the program used a forbidden import: os")


def test_an_endless_program_times_out_within_the_wall_limit() -> None:
    outcome = solve_by_program(
        ScriptedLLM(fenced("x = 0\nwhile True:\n    x += 1\n")), "question", time_limit_s=2
    )
    assert outcome.status == "error" and outcome.error.startswith("the program timed out")
    assert outcome.seconds < 2 + 20


def test_an_infeasible_model_reports_infeasible() -> None:
    outcome = solve_by_program(ScriptedLLM(fenced(INFEASIBLE)), "question")
    assert (outcome.status, outcome.objective, outcome.error) == ("infeasible", None, None)


def test_a_model_the_solver_finds_infeasible_is_infeasible_even_when_pyomo_raises() -> None:
    raising = INFEASIBLE.replace(", load_solutions=False", "")
    outcome = solve_by_program(ScriptedLLM(fenced(raising)), "question")
    assert (outcome.status, outcome.objective, outcome.error) == ("infeasible", None, None)


def test_without_an_objective_line_the_solved_model_s_objective_is_read() -> None:
    outcome = solve_by_program(ScriptedLLM(fenced(UNASKED_FORM)), "question")
    assert (outcome.status, outcome.error) == ("optimal", None)
    assert outcome.objective == pytest.approx(38.0)


def test_an_unsolved_model_without_an_objective_line_is_still_an_error() -> None:
    unsolved = UNASKED_FORM.replace('pyo.SolverFactory("appsi_highs").solve(m)', "")
    unsolved = unsolved.replace('print("The best profit is", pyo.value(m.obj))', 'print("done")')
    outcome = solve_by_program(ScriptedLLM(fenced(unsolved)), "question")
    assert (outcome.status, outcome.error) == ("error", "the program printed no OBJECTIVE line")


def test_a_model_name_rebound_to_something_else_does_not_hide_the_printed_answer() -> None:
    rebound = SMALL_LP.replace("def main():", "m = pyo.ConcreteModel()\nm = 3\n\n\ndef main():")
    outcome = solve_by_program(ScriptedLLM(fenced(rebound)), "question")
    assert (outcome.status, outcome.error) == ("optimal", None)
    assert outcome.objective == pytest.approx(38.0)


def test_a_syntax_error_gives_the_programs_own_line() -> None:
    outcome = solve_by_program(ScriptedLLM("x = 1\ny = (2\n"), "question")
    assert outcome.status == "error" and outcome.error.startswith("the program has a syntax error: line 2")


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("```python\na = 1\n```\n```\nOBJECTIVE: 1\n```", "a = 1"),
        ("text\n```\nb = 2\n```", "b = 2"),
        ("```py\nc = 3\n", "c = 3"),
        ("d = 4\n", "d = 4"),
    ],
)
def test_the_program_is_the_first_python_block(reply: str, code: str) -> None:
    assert extract_program(reply) == code


@pytest.mark.parametrize(
    ("stdout", "answer"),
    [
        ("solving\nOBJECTIVE: 12.5\n", ("optimal", 12.5, None)),
        ("OBJECTIVE: 1\nOBJECTIVE: 2\n", ("optimal", 2.0, None)),
        ("STATUS: unbounded\n", ("unbounded", None, None)),
        ("optimal\n", ("error", None, "the program printed no OBJECTIVE line")),
        (
            "OBJECTIVE: $40\n",
            ("error", None, "the program printed an OBJECTIVE that is not a finite number: '$40'"),
        ),
        ("STATUS: optimal\n", ("error", None, "the program printed an unknown status: 'optimal'")),
    ],
)
def test_the_last_answer_line_counts(stdout: str, answer: tuple) -> None:
    assert read_answer(stdout) == answer
