"""Solve a model with HiGHS — directly from its rows, or through Pyomo's solver interface — and report the outcome."""

import logging
import math
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from corta.solvers.optmodel.instance import ExpandedModel, VariableInfo, expand
from corta.solvers.optmodel.linearize import linearize
from corta.solvers.optmodel.schema import OptModel
from corta.solvers.optmodel.to_highs import to_highs
from corta.solvers.optmodel.to_pyomo import to_pyomo

log = logging.getLogger(__name__)
Status = Literal["optimal", "infeasible", "unbounded", "time_limit", "error"]

_STATUS = {
    TerminationCondition.convergenceCriteriaSatisfied: "optimal",
    TerminationCondition.provenInfeasible: "infeasible",
    TerminationCondition.locallyInfeasible: "infeasible",
    TerminationCondition.unbounded: "unbounded",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.iterationLimit: "time_limit",
}


@dataclass
class SolveResult:
    """What the solver found: status, objective, values by variable label, time, and a sentence for people."""

    status: Status
    objective: float | None = None
    solve_seconds: float = 0.0
    message: str = ""
    point: list[float] | None = None  # values by variable id of the expanded model, for verification
    variables: list[VariableInfo] = field(default_factory=list, repr=False)

    @cached_property
    def values(self) -> dict[str, float]:
        """The solution by variable label (`x[1,2]`), built on first use: large models have many labels."""
        if self.point is None:
            return {}
        return {info.label: self.point[var_id] for var_id, info in enumerate(self.variables)}

    def contract(self, max_violation: float | None) -> dict[str, object]:
        """The documented `--json` output of `corta model solve`."""
        return {
            "status": self.status,
            "objective": self.objective,
            "values": self.values,
            "max_violation": max_violation,
            "message": self.message,
        }


def solve_expanded(
    expanded: ExpandedModel, time_limit_s: float = 60.0, via: Literal["highs", "pyomo"] = "highs"
) -> SolveResult:
    """Linearize and solve with HiGHS: fed arrays directly (`via="highs"`), or through a Pyomo model.

    Both routes solve the same linearized model; the direct one skips building a Python object per term, which
    dominates the time of large LPs (benchmarks/solve_overhead.py measures both).

    Raises
    ------
    ModelError
        If the model is non-linear beyond what `linearize` handles.
    """
    started = time.perf_counter()
    if expanded.violated_constants:
        return SolveResult(
            "infeasible",
            message=f"The constraint {expanded.violated_constants[0]} has no variables and is false.",
            solve_seconds=time.perf_counter() - started,
        )
    linear = linearize(expanded)
    status, objective, point = (_via_highs if via == "highs" else _via_pyomo)(linear, time_limit_s)
    result = SolveResult(status, solve_seconds=time.perf_counter() - started)  # type: ignore[arg-type]
    if objective is not None and point is not None and status in ("optimal", "time_limit"):
        result.point, result.objective = point, float(objective)
        result.variables = linear.variables[: len(expanded.variables)]
    result.message = _message(result, time_limit_s)
    return result


def solve(
    model: OptModel, time_limit_s: float = 60.0, via: Literal["highs", "pyomo"] = "highs"
) -> SolveResult:
    """Expand and solve a model; a malformed model raises, a model that cannot be solved returns its status.

    Raises
    ------
    ModelError
        If the model is malformed (unknown names, bad indices, …) or non-linear beyond binary products.
    """
    return solve_expanded(expand(model), time_limit_s, via)


Outcome = tuple[str, float | None, list[float] | None]

_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "time_limit",
}


def _via_highs(linear: ExpandedModel, time_limit_s: float) -> Outcome:
    solver = to_highs(linear, time_limit_s)
    solver.run()
    status = _HIGHS_STATUS.get(solver.getModelStatus(), "error")
    if status == "infeasible_or_unbounded":
        # Presolve may say only this much: with a zero objective, a feasible model is unbounded, else infeasible.
        count = len(linear.variables)
        solver.changeColsCost(count, np.arange(count, dtype=np.int32), np.zeros(count))
        solver.clearSolver()
        solver.run()
        return (
            ("unbounded" if solver.getModelStatus() == highspy.HighsModelStatus.kOptimal else "infeasible"),
            None,
            None,
        )
    info = solver.getInfo()
    if status not in ("optimal", "time_limit") or info.primal_solution_status != 2:  # 2: a feasible point
        if status == "error":
            log.info("HiGHS ended with %s", solver.getModelStatus())
        return status, None, None
    sign = 1.0 if linear.sense == "min" else -1.0
    return status, sign * info.objective_function_value, list(solver.getSolution().col_value)


def _via_pyomo(linear: ExpandedModel, time_limit_s: float) -> Outcome:
    model, variables = to_pyomo(linear)
    status, objective = _run_highs(model, time_limit_s)
    if status == "infeasible_or_unbounded":
        status = _disambiguate(model, time_limit_s)
    if objective is None:
        return status, None, None
    # A variable that appears nowhere is not sent to the solver: any value within its bounds is optimal.
    point = [
        float(value)
        if value is not None
        else _free_value(linear.variables[i].lower, linear.variables[i].upper)
        for i, value in enumerate(pyo.value(var, exception=False) for var in variables)
    ]
    return status, objective, point


def _free_value(lower: float | None, upper: float | None) -> float:
    """The value nearest zero within the bounds (whole, so it suits integer variables too)."""
    if lower is not None and lower > 0:
        return float(math.ceil(lower))
    if upper is not None and upper < 0:
        return float(math.floor(upper))
    return 0.0


def _run_highs(model: pyo.ConcreteModel, time_limit_s: float) -> tuple[str, float | None]:
    solver = Highs()
    results = solver.solve(
        model,
        time_limit=time_limit_s,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        tee=False,
    )
    condition = results.termination_condition
    if condition == TerminationCondition.infeasibleOrUnbounded:
        return "infeasible_or_unbounded", None
    status = _STATUS.get(condition)
    if status is None:
        log.info("HiGHS (through Pyomo) ended with %s", condition)
        return "error", None
    objective = results.incumbent_objective
    if objective is not None:
        results.solution_loader.load_vars()
    return status, objective


def _disambiguate(model: pyo.ConcreteModel, time_limit_s: float) -> str:
    """HiGHS's presolve may say only 'infeasible or unbounded': a feasibility solve decides which."""
    objective = next(model.component_objects(pyo.Objective, active=True))
    objective.deactivate()
    model.corta_feasibility = pyo.Objective(expr=0.0)
    try:
        status, _ = _run_highs(model, time_limit_s)
    finally:
        model.del_component(model.corta_feasibility)
        objective.activate()
    return "unbounded" if status == "optimal" else "infeasible"


def _message(result: SolveResult, time_limit_s: float) -> str:
    if result.status == "optimal":
        return f"Optimal objective {result.objective:.10g}."
    if result.status == "infeasible":
        return "The model is infeasible: no assignment satisfies every constraint."
    if result.status == "unbounded":
        return "The model is unbounded: the objective can improve without limit."
    if result.status == "time_limit":
        found = (
            f"; best found {result.objective:.10g}" if result.objective is not None else "; no solution found"
        )
        return f"Stopped at the time limit of {time_limit_s:g} s{found}."
    return "HiGHS stopped without a usable answer."
