"""Hand an expanded, linear model to HiGHS through highspy's array API: columns, then rows in CSR form.

This is the path `solve` takes by default: it skips building Python objects per term, which is what an LP of
10⁴ variables spends most of its time on in Pyomo. `to_pyomo` builds the same model for export and extension.
"""

import highspy
import numpy as np

from corta.errors import ModelError
from corta.solvers.optmodel.instance import ExpandedModel


def to_highs(expanded: ExpandedModel, time_limit_s: float) -> highspy.Highs:
    """A `highspy.Highs` holding the model (minimisation; a max objective is negated), ready to `run()`.

    Raises
    ------
    ModelError
        If the model still has products of variables (call `linearize` first).
    """
    if expanded.degree > 1:
        raise ModelError("non-linear model: to_highs needs a linear model; linearize it first")
    inf = highspy.kHighsInf
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("time_limit", float(time_limit_s))
    count = len(expanded.variables)
    lower = np.array([-inf if v.lower is None else v.lower for v in expanded.variables], dtype=float)
    upper = np.array([inf if v.upper is None else v.upper for v in expanded.variables], dtype=float)
    solver.addVars(count, lower, upper)
    sign = 1.0 if expanded.sense == "min" else -1.0
    costs = np.zeros(count)
    for monomial, coef in expanded.objective.items():
        if monomial:
            costs[monomial[0]] += sign * coef
    solver.changeColsCost(count, np.arange(count, dtype=np.int32), costs)
    solver.changeObjectiveOffset(sign * expanded.objective.constant())
    integers = np.array(
        [i for i, v in enumerate(expanded.variables) if v.type != "CONTINUOUS"], dtype=np.int32
    )
    if len(integers):
        solver.changeColsIntegrality(len(integers), integers, [highspy.HighsVarType.kInteger] * len(integers))
    if expanded.rows:
        polys = [row.poly for row in expanded.rows]
        # Comprehensions, not append loops: this runs once per non-zero of the model.
        columns = np.fromiter((m[0] for poly in polys for m in poly if m), dtype=np.int32)
        values = np.fromiter((c for poly in polys for m, c in poly.items() if m), dtype=float)
        counts = np.fromiter((len(poly) - (() in poly) for poly in polys), dtype=np.int32, count=len(polys))
        starts = np.zeros(len(polys), dtype=np.int32)
        np.cumsum(counts[:-1], out=starts[1:])
        bounds = np.fromiter((-poly.get((), 0.0) for poly in polys), dtype=float, count=len(polys))
        senses = [row.sense for row in expanded.rows]
        lower_rows = np.where([sense != "<=" for sense in senses], bounds, -inf)
        upper_rows = np.where([sense != ">=" for sense in senses], bounds, inf)
        solver.addRows(len(polys), lower_rows, upper_rows, len(columns), starts, columns, values)
    return solver
