"""Solving: statuses, exact linearization of binary products, independent verification, explanations."""

import itertools
from dataclasses import replace

import highspy
import pytest

from corta.solvers.optmodel.explain import conflicting_constraints, to_latex, write_model_file
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.polynomial import evaluate
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve, solve_expanded
from corta.solvers.optmodel.verify import verify

FLAT = {
    "variable": [{"name": "x", "type": "integer"}, {"name": "y"}],
    "objective": {"sense": "max", "function": "3x + 2y"},
    "constraint": [
        {"name": "a", "function": "x + y <= 4"},
        {"name": "b", "function": "x + 3y <= 6"},
        {"name": "c", "function": "0 <= x <= 3"},
    ],
}


def test_flat_milp_is_solved_and_verified():
    expanded = expand(load_model(FLAT))
    result = solve_expanded(expanded)
    assert (result.status, result.objective, result.values) == ("optimal", 11.0, {"x": 3.0, "y": 1.0})
    assert verify(expanded, result.point).max_violation <= 1e-9


def test_infeasible_and_unbounded_are_statuses_not_errors():
    infeasible = load_model(
        {**FLAT, "constraint": [*FLAT["constraint"], {"name": "d", "function": "x + y >= 9"}]}
    )
    assert solve(infeasible).status == "infeasible"
    unbounded = load_model(
        {"variable": [{"name": "x", "lower": None}], "objective": {"sense": "min", "function": "x"}}
    )
    result = solve(unbounded)
    assert result.status == "unbounded" and result.objective is None and "unbounded" in result.message


def test_conflicting_constraints_are_a_minimal_infeasible_set():
    model = load_model({**FLAT, "constraint": [*FLAT["constraint"], {"name": "d", "function": "x + y >= 9"}]})
    expanded = expand(model)
    conflict = conflicting_constraints(expanded)
    assert "d" in conflict and len(conflict) == 2  # d with a or with b: both are minimal

    def status(kept):
        return solve_expanded(
            replace(expanded, rows=[r for r in expanded.rows if r.constraint in kept])
        ).status

    assert status(conflict) == "infeasible"
    assert all(status([c for c in conflict if c != dropped]) != "infeasible" for dropped in conflict)
    assert conflicting_constraints(expand(load_model(FLAT))) == []


QUADRATIC = {
    "set": [{"name": "I", "data": [1, 2, 3, 4]}],
    "parameter": [
        {"name": "v", "domain": "i in I", "data": [5, 4, 3, 6]},
        {
            "name": "q",
            "domain": "i in I, k in I",
            "data": [[0, 3, -4, 1], [3, 0, 2, -6], [-4, 2, 0, 5], [1, -6, 5, 0]],
        },
    ],
    "variable": [{"name": "b", "domain": "i in I", "type": "binary"}, {"name": "t", "upper": 2.5}],
    "objective": {
        "sense": "max",
        "function": "sum_{i in I} v_i b_i + sum_{i in I} sum_{k in I: k > i} q_{i,k} b_i b_k + 2 b_1 t - t",
    },
    "constraint": [{"name": "count", "function": "sum_{i in I} b_i <= 3"}],
}


def test_binary_products_are_linearized_exactly():
    """The MILP optimum equals the best of all 2^4 binary choices (t is then at a bound), found by enumeration."""
    expanded = expand(load_model(QUADRATIC))
    result = solve_expanded(expanded)
    best = -float("inf")
    for choice in itertools.product([0, 1], repeat=4):
        if sum(choice) <= 3:
            for t in (0.0, 2.5):
                best = max(best, evaluate(expanded.objective, [*map(float, choice), t]))
    assert result.status == "optimal" and result.objective == pytest.approx(best, abs=1e-9)
    assert verify(expanded, result.point).max_violation <= 1e-6


def test_products_of_continuous_variables_are_reported_as_non_linear():
    model = load_model({"variable": [{"name": "x"}, {"name": "y"}], "objective": {"sense": "max", "function": "x * y"},
                        "constraint": [{"name": "c", "function": "x + y <= 2"}]})  # fmt: skip
    with pytest.raises(Exception, match="non-linear model: the objective multiplies x and y"):
        solve(model)


def test_lp_file_reproduces_the_objective_in_highs(tmp_path):
    expanded = expand(load_model(QUADRATIC))
    path = write_model_file(expanded, tmp_path / "model.lp")
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.readModel(str(path))
    solver.run()
    assert solver.getInfo().objective_function_value == pytest.approx(solve_expanded(expanded).objective)


def test_latex_shows_the_model():
    latex = to_latex(load_model(QUADRATIC))
    assert latex.startswith("\\begin{aligned}\n\\max")
    assert r"\sum_{k \in I, k > i}" in latex and r"b_{i} \in \{0, 1\}" in latex
    assert r"t \leq 2.5" in latex
