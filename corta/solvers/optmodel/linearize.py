"""Exact linearization of products that involve binary variables.

- x·x = x for a binary x;
- a product of binaries b₁…bₙ becomes y with y ≤ bₖ and y ≥ Σbₖ − (n − 1);
- a binary (or product of binaries) b times a bounded variable v ∈ [L, U] becomes y with
  L·b ≤ y ≤ U·b, v − U(1 − b) ≤ y ≤ v − L(1 − b)  (Glover 1975; exact, not a relaxation, because b is 0 or 1).

Anything else of degree > 1 is non-linear and is reported (or left to a non-linear solver by the caller).
"""

from dataclasses import replace

from corta.errors import ModelError
from corta.solvers.optmodel.instance import ExpandedModel, Row, VariableInfo
from corta.solvers.optmodel.polynomial import Monomial, Poly


class _Linearizer:
    def __init__(self, model: ExpandedModel) -> None:
        self.variables = list(model.variables)
        self.rows: list[Row] = []
        self.products: dict[Monomial, int] = {}

    def is_binary(self, var_id: int) -> bool:
        return self.variables[var_id].type == "BINARY"

    def linear(self, poly: Poly, where: str) -> Poly:
        result = Poly()
        for monomial, coef in poly.items():
            monomial = self.reduce(monomial)
            if len(monomial) > 1:
                monomial = (self.product(monomial, where),)
            result[monomial] = result.get(monomial, 0.0) + coef
        return result

    def reduce(self, monomial: Monomial) -> Monomial:
        """Drop repeated binary factors: b·b = b."""
        kept: list[int] = []
        for var_id in monomial:
            if not (self.is_binary(var_id) and var_id in kept):
                kept.append(var_id)
        return tuple(kept)

    def product(self, monomial: Monomial, where: str) -> int:
        if monomial in self.products:
            return self.products[monomial]
        binaries = [v for v in monomial if self.is_binary(v)]
        others = [v for v in monomial if not self.is_binary(v)]
        if len(others) > 1 or not binaries:
            names = " and ".join(self.variables[v].label for v in (others or monomial)[:2])
            raise ModelError(
                f"non-linear model: {where} multiplies {names}; only products with binary variables are linearized"
            )
        gate = binaries[0] if len(binaries) == 1 else self.conjunction(tuple(binaries))
        product = gate if not others else self.gated(gate, others[0], where)
        self.products[monomial] = product
        return product

    def new_variable(self, label: str, lower: float, upper: float, kind: str = "CONTINUOUS") -> int:
        self.variables.append(VariableInfo("aux", (label,), kind, lower, upper))  # type: ignore[arg-type]
        return len(self.variables) - 1

    def conjunction(self, binaries: tuple[int, ...]) -> int:
        if binaries in self.products:
            return self.products[binaries]
        label = "*".join(self.variables[v].label for v in binaries)
        y = self.new_variable(label, 0.0, 1.0)
        for b in binaries:
            self.rows.append(
                Row("aux_and", (label, self.variables[b].label), Poly({(y,): 1.0, (b,): -1.0}), "<=")
            )
        at_least = Poly({(b,): -1.0 for b in binaries})
        at_least[(y,)] = 1.0
        at_least[()] = len(binaries) - 1.0
        self.rows.append(Row("aux_and", (label,), at_least, ">="))
        self.products[binaries] = y
        return y

    def gated(self, gate: int, var_id: int, where: str) -> int:
        info = self.variables[var_id]
        if info.lower is None or info.upper is None:
            raise ModelError(
                f"non-linear model: {where} multiplies the binary {self.variables[gate].label} by {info.label}, "
                f"which needs finite bounds to be linearized"
            )
        low, high = info.lower, info.upper
        label = f"{self.variables[gate].label}*{info.label}"
        y = self.new_variable(label, min(0.0, low), max(0.0, high))
        self.rows += [
            Row("aux_mccormick", (label, 1), Poly({(y,): 1.0, (gate,): -high}), "<="),
            Row("aux_mccormick", (label, 2), Poly({(y,): 1.0, (gate,): -low}), ">="),
            Row(
                "aux_mccormick", (label, 3), Poly({(y,): 1.0, (var_id,): -1.0, (gate,): -low, (): low}), "<="
            ),
            Row(
                "aux_mccormick",
                (label, 4),
                Poly({(y,): 1.0, (var_id,): -1.0, (gate,): -high, (): high}),
                ">=",
            ),
        ]
        return y


def linearize(model: ExpandedModel) -> ExpandedModel:
    """The same model with every product involving binaries replaced by an exact linear encoding.

    Raises
    ------
    ModelError
        "non-linear model: …" naming the first product that cannot be linearized.
    """
    if model.degree <= 1:
        return model
    work = _Linearizer(model)
    objective = work.linear(model.objective, "the objective")
    rows = [replace(row, poly=work.linear(row.poly, f"the constraint {row.label}")) for row in model.rows]
    return replace(model, variables=work.variables, objective=objective, rows=rows + work.rows)
