"""The static half of the sandbox: an import allow-list and a ban on introspection, checked on the AST.

The runtime half (restricted builtins, audit hook, resource limits) lives in the child harness; either one alone
would stop the hostile snippets in the tests, together they leave fewer gaps.
"""

import ast
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_ALLOWED_IMPORTS: frozenset[str] = frozenset(
    {
        "abc", "array", "bisect", "cmath", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
        "fractions", "functools", "heapq", "itertools", "json", "math", "numbers", "operator", "random", "re",
        "statistics", "string", "textwrap", "typing",
    }
)  # fmt: skip

# Names that reach the interpreter's machinery: code execution, frames, the real builtins and import system.
FORBIDDEN_NAMES: frozenset[str] = frozenset(
    {
        "__builtins__", "__import__", "__loader__", "__spec__", "breakpoint", "compile", "eval", "exec", "exit",
        "globals", "help", "input", "locals", "quit", "vars",
    }
)  # fmt: skip
SAFE_DUNDER_ATTRIBUTES: frozenset[str] = frozenset({"__init__", "__name__", "__doc__", "__qualname__"})
_ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "setattr", "delattr", "hasattr"})


@dataclass(frozen=True)
class PolicyViolation:
    """One forbidden construct and where it is."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def is_allowed_module(name: str, allowed: Iterable[str]) -> bool:
    """True when `name` is an allowed module or inside one (`numpy.linalg` under `numpy`)."""
    return any(name == entry or name.startswith(entry + ".") for entry in allowed)


def check_source(
    tree: ast.AST, allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS
) -> list[PolicyViolation]:
    """Every forbidden import, name, dunder attribute and dynamic attribute access in `tree`."""
    allowed = frozenset(allowed_imports)
    violations: list[PolicyViolation] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        for message in _node_violations(node, allowed):
            violations.append(PolicyViolation(line, message))
    return sorted(violations, key=lambda violation: violation.line)


def _node_violations(node: ast.AST, allowed: frozenset[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [
            f"import of {alias.name} is not allowed"
            for alias in node.names
            if not is_allowed_module(alias.name, allowed)
        ]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return ["relative imports are not allowed"]
        return (
            []
            if is_allowed_module(node.module or "", allowed)
            else [f"import from {node.module} is not allowed"]
        )
    if isinstance(node, ast.Name) and (
        node.id in FORBIDDEN_NAMES or (_is_dunder(node.id) and node.id != "__name__")
    ):
        return [f"use of {node.id} is not allowed"]
    if isinstance(node, ast.Attribute) and _is_dunder(node.attr) and node.attr not in SAFE_DUNDER_ATTRIBUTES:
        return [f"access to the attribute {node.attr} is not allowed"]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _ATTRIBUTE_FUNCTIONS
    ):
        name = node.args[1] if len(node.args) > 1 else None
        if not (
            isinstance(name, ast.Constant) and isinstance(name.value, str) and not name.value.startswith("_")
        ):
            return [f"{node.func.id} is allowed only with a literal public attribute name"]
    return []


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4
