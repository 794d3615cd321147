"""Check a solution against the model itself, independently of the solver and of the linearization."""

from dataclasses import dataclass

from corta.solvers.optmodel.instance import ExpandedModel
from corta.solvers.optmodel.polynomial import evaluate


@dataclass(frozen=True)
class Verification:
    """The largest violation of any constraint, bound or integrality, and the worst offenders by label."""

    max_violation: float
    worst: list[tuple[str, float]]
    objective: float

    def feasible(self, tolerance: float = 1e-6) -> bool:
        return self.max_violation <= tolerance


def verify(expanded: ExpandedModel, point: list[float], report: int = 5) -> Verification:
    """Substitute `point` (values by variable id) into every original row, bound and integrality requirement."""
    violations: list[tuple[str, float]] = []
    for row in expanded.rows:
        value = evaluate(row.poly, point)
        excess = {"<=": value, ">=": -value, "==": abs(value)}[row.sense]
        violations.append((row.label, max(0.0, excess)))
    for var_id, info in enumerate(expanded.variables):
        value = point[var_id]
        below = (info.lower - value) if info.lower is not None else 0.0
        above = (value - info.upper) if info.upper is not None else 0.0
        fractional = abs(value - round(value)) if info.type != "CONTINUOUS" else 0.0
        violations.append((info.label, max(0.0, below, above, fractional)))
    violations.sort(key=lambda item: -item[1])
    worst = [item for item in violations[:report] if item[1] > 0]
    return Verification(violations[0][1] if violations else 0.0, worst, evaluate(expanded.objective, point))
