"""Each step a reward model reads is headed by the findings that first appear at its level, and only those."""

from corta.solvers.optmodel.checked_steps import render_checked_steps
from corta.solvers.optmodel.steps import render_steps
from tests.agents.modeler.scripted import L1, L2, QUESTION, RIGHT, WRONG_SENSE


def test_a_finding_follows_the_step_that_introduced_it() -> None:
    invented = {**L1, "parameters": [*L1["parameters"], {"name": "bogus", "data": 600}]}
    data, variables, formulation = render_checked_steps(QUESTION, {**invented, **L2, **WRONG_SENSE})
    assert data.startswith("Check: parameter bogus holds 600, which the problem does not state\nData.")
    assert "Check:" not in variables
    assert formulation.startswith(
        "Check: the problem asks to maximize, not the opposite\n"
        "Check: the data bogus is never used: a rule or a cost that needs it is missing\nMinimize"
    )
    assert "holds 600" not in formulation


def test_a_clean_model_reads_as_its_plain_steps() -> None:
    partial = {**L1, **L2, **RIGHT}
    assert render_checked_steps(QUESTION, partial) == render_steps(partial)
    assert render_checked_steps(QUESTION, L1) == render_steps(L1)
