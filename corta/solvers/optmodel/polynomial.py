"""Polynomials over decision variables: the values that model expressions evaluate to.

A `Poly` maps a monomial — a sorted tuple of variable ids, `()` for the constant — to its coefficient. Pure numbers
stay plain floats, so parameter arithmetic costs nothing extra.
"""

from collections.abc import Iterable

Monomial = tuple[int, ...]


class Poly(dict[Monomial, float]):
    """A polynomial in the model's variables."""

    @classmethod
    def variable(cls, var_id: int) -> "Poly":
        return cls({(var_id,): 1.0})

    def degree(self) -> int:
        return max(map(len, self), default=0)

    def constant(self) -> float:
        return self.get((), 0.0)


Value = float | Poly


def as_poly(value: Value) -> Poly:
    return value if isinstance(value, Poly) else Poly({(): float(value)})


def add(left: Value, right: Value, sign: float = 1.0) -> Value:
    """left + sign * right."""
    if not isinstance(left, Poly) and not isinstance(right, Poly):
        return left + sign * right
    result = Poly(as_poly(left))
    accumulate(result, right, sign)
    return result


def accumulate(total: Poly, value: Value, sign: float = 1.0) -> None:
    """total += sign * value, in place (sums over large sets stay linear in their size)."""
    if isinstance(value, Poly):
        for monomial, coef in value.items():
            total[monomial] = total.get(monomial, 0.0) + sign * coef
    elif value:
        total[()] = total.get((), 0.0) + sign * value


def multiply(left: Value, right: Value) -> Value:
    if not isinstance(left, Poly) and not isinstance(right, Poly):
        return left * right
    if not isinstance(left, Poly) or not isinstance(right, Poly):
        scale, poly = (left, right) if not isinstance(left, Poly) else (right, left)
        return Poly({monomial: coef * scale for monomial, coef in poly.items()}) if scale else 0.0
    result = Poly()
    for left_monomial, left_coef in left.items():
        for right_monomial, right_coef in right.items():
            monomial = tuple(sorted(left_monomial + right_monomial))
            result[monomial] = result.get(monomial, 0.0) + left_coef * right_coef
    return result


def evaluate(poly: Value, values: "Iterable[float] | list[float]") -> float:
    """The polynomial's value at the given variable values (indexed by variable id)."""
    if not isinstance(poly, Poly):
        return float(poly)
    point = values if isinstance(values, list) else list(values)
    total = 0.0
    for monomial, coef in poly.items():
        term = coef
        for var_id in monomial:
            term *= point[var_id]
        total += term
    return total
