"""Explain a model to people: LaTeX for the UI and students, LP/MPS files, and the constraints that conflict."""

import tempfile
from dataclasses import replace
from pathlib import Path

from corta.solvers.optmodel.expressions import (
    Binding,
    BinOp,
    Comparison,
    Condition,
    Expr,
    Member,
    Neg,
    Num,
    Range,
    Ref,
    Sum,
    parse_constraint,
    parse_domain,
    parse_expression,
)
from corta.solvers.optmodel.instance import ExpandedModel
from corta.solvers.optmodel.linearize import linearize
from corta.solvers.optmodel.schema import OptModel
from corta.solvers.optmodel.solve import solve_expanded
from corta.solvers.optmodel.to_pyomo import to_pyomo

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 3}
_RELATION = {"<=": r"\leq", ">=": r"\geq", "==": "=", "!=": r"\neq", "<": "<", ">": ">"}
_TYPE_SETS = {"CONTINUOUS": r"\mathbb{R}", "INTEGER": r"\mathbb{Z}", "BINARY": r"\{0, 1\}"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _name(name: str) -> str:
    base, _, rest = name.partition("_")
    return (
        f"{base}_{{{rest}}}"
        if rest and len(base) == 1
        else (r"\mathit{" + name.replace("_", r"\_") + "}" if len(name) > 1 else name)
    )


def latex_expr(node: Expr, parent: int = 0) -> str:
    """An expression as LaTeX, with only the parentheses precedence needs."""
    if isinstance(node, Num):
        return _number(node.value)
    if isinstance(node, Ref):
        if not node.indices:
            return _name(node.name)
        subscript = ",".join(
            index.name if isinstance(index, Ref) and not index.indices else latex_expr(index)
            for index in node.indices
        )
        return f"{node.name}_{{{subscript}}}"
    if isinstance(node, Neg):
        return "-" + latex_expr(node.operand, 3)
    if isinstance(node, Sum):
        body = latex_expr(node.body, 2)
        return rf"\sum_{{{latex_bindings(node.bindings)}}} {body}"
    assert isinstance(node, BinOp)
    own = _PRECEDENCE[node.op]
    if node.op == "/":
        text = rf"\frac{{{latex_expr(node.left)}}}{{{latex_expr(node.right)}}}"
    elif node.op == "^":
        text = f"{latex_expr(node.left, 4)}^{{{latex_expr(node.right)}}}"
    else:
        symbol = {"*": r" \cdot ", "+": " + ", "-": " - "}[node.op]
        right_parent = own + (1 if node.op in "-" else 0)
        text = f"{latex_expr(node.left, own)}{symbol}{latex_expr(node.right, right_parent)}"
    return f"\\left({text}\\right)" if own < parent and node.op != "/" else text


def latex_bindings(bindings: tuple[Binding, ...]) -> str:
    parts = []
    for binding in bindings:
        if isinstance(binding, Member):
            target = binding.names[0] if len(binding.names) == 1 else f"({','.join(binding.names)})"
            parts.append(rf"{target} \in {binding.set_name}")
        elif isinstance(binding, Range):
            parts.append(f"{binding.name} = {latex_expr(binding.start)}..{latex_expr(binding.stop)}")
        elif isinstance(binding, Condition):
            parts.append(f"{latex_expr(binding.left)} {_RELATION[binding.op]} {latex_expr(binding.right)}")
    return ", ".join(parts)


def _latex_comparison(comparison: Comparison) -> str:
    pieces = [latex_expr(comparison.terms[0])]
    for op, term in zip(comparison.ops, comparison.terms[1:], strict=True):
        pieces += [_RELATION[op], latex_expr(term)]
    return " ".join(pieces)


def to_latex(model: OptModel) -> str:
    """The model as a LaTeX `aligned` block: objective, constraints with their domains, variable domains."""
    objective = parse_expression(model.objective.function)
    lines = [rf"\{model.objective.sense} \quad & {latex_expr(objective)} \\"]
    for position, constraint in enumerate(model.constraints):
        text = parse_constraint(constraint.function)
        domain = parse_domain(constraint.domain) + text.domain
        suffix = rf" & \forall {latex_bindings(domain)}" if domain else ""
        label = r"\text{s.t.} \quad" if position == 0 else ""
        lines.append(rf"{label} & {_latex_comparison(text.comparison)}{suffix} \\")
    for variable in model.variables:
        domain = parse_domain(variable.domain)
        name = (
            _name(variable.name)
            if not domain
            else f"{variable.name}_{{{','.join(n for b in domain if isinstance(b, Member) for n in b.names)}}}"
        )
        where = rf" & \forall {latex_bindings(domain)}" if domain else ""
        kind = _TYPE_SETS[variable.type]
        bounds = ""
        if variable.type != "BINARY" and variable.lower is not None:
            bounds = rf", {name} \geq {_number(variable.lower)}"
        if variable.type != "BINARY" and variable.upper is not None:
            bounds += rf", {name} \leq {_number(variable.upper)}"
        lines.append(rf"& {name} \in {kind}{bounds}{where} \\")
    return "\\begin{aligned}\n" + "\n".join(lines) + "\n\\end{aligned}"


def write_model_file(expanded: ExpandedModel, path: Path) -> Path:
    """Write the (linearized) model as an LP or MPS file, by the suffix of `path`."""
    model, _ = to_pyomo(linearize(expanded))
    model.write(str(path), io_options={"symbolic_solver_labels": True})  # the format follows the suffix
    return path


def lp_text(expanded: ExpandedModel) -> str:
    """The LP file as text (for a download button)."""
    with tempfile.TemporaryDirectory() as folder:
        return write_model_file(expanded, Path(folder) / "model.lp").read_text()


def conflicting_constraints(
    expanded: ExpandedModel, time_limit_s: float = 10.0, max_groups: int = 60
) -> list[str]:
    """A minimal set of declared constraints that is infeasible on its own (with the variables' bounds and types).

    Deletion filtering over the model's named constraints: drop each in turn and keep it out if the rest stays
    infeasible. The names are the model's own, so the answer reads as 'capacity and demand conflict'. Works for MILPs,
    unlike LP-only irreducible infeasible subsystems. Returns [] if the model is feasible.
    """
    names = list(dict.fromkeys(row.constraint for row in expanded.rows))[:max_groups]

    def infeasible(kept: list[str]) -> bool:
        rows = [row for row in expanded.rows if row.constraint in kept]
        return solve_expanded(replace(expanded, rows=rows), time_limit_s).status == "infeasible"

    if not infeasible(names):
        return []
    needed = list(names)
    for name in names:
        trial = [kept for kept in needed if kept != name]
        if infeasible(trial):
            needed = trial
    return needed
