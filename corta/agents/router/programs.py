"""Constraint programs as source text: filled templates composed with free-form code, renamed to share one file.

A program is a checker source and a penalty source; `check_constraints(state)` and `penalty(state)` are the entry
points, and each part of it (one filled template, or the free-form code) keeps its own pair of functions, so that
the sandbox can tell which part rejects a plan.
"""

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corta.agents.router.constraint_db import TEMPLATES, compose

_CODE_BLOCK = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Part:
    """One part of a program: a label for people and the names of its two functions in the program's source."""

    label: str
    check: str
    penalty: str


@dataclass(frozen=True)
class Program:
    """A checker and a penalty source, and the parts they are made of."""

    check: str
    penalty: str
    parts: tuple[Part, ...]

    @property
    def source(self) -> str:
        """Both sources as one module."""
        return self.check + "\n\n" + self.penalty


def prefixed(source: str, prefix: str) -> str:
    """`source` with its top-level functions, and every use of them, renamed `<prefix><name>`.

    Raises
    ------
    SyntaxError
        When `source` is not Python.
    """
    tree = ast.parse(source)
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            node.name = prefix + node.name
        elif isinstance(node, ast.Name) and node.id in names:
            node.id = prefix + node.id
    return ast.unparse(tree)


def code_block(reply: str) -> str:
    """The Python code of an LLM reply: its first fenced block, or the whole reply when it has none."""
    match = _CODE_BLOCK.search(reply)
    return (match.group(1) if match else reply).strip() + "\n"


def split_functions(source: str) -> tuple[str, str]:
    """A free-form module as a checker source (everything but `penalty`) and a penalty source (everything but
    `check_constraints`), each of which runs on its own.

    Raises
    ------
    SyntaxError
        When `source` is not Python.
    """
    tree = ast.parse(source)

    def without(name: str) -> str:
        kept = [node for node in tree.body if not (isinstance(node, ast.FunctionDef) and node.name == name)]
        return ast.unparse(ast.Module(body=kept, type_ignores=[]))

    return without("penalty") + "\n", without("check_constraints") + "\n"


def defines(source: str, *names: str) -> list[str]:
    """Which of `names` the module does not define at the top level (all of them when it is not Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return list(names)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    return [name for name in names if name not in defined]


def assemble(templates: Sequence[tuple[str, Mapping[str, Any]]], freeform: str | None = None) -> Program:
    """The program of filled templates (by key) and optional free-form code, all of which must pass.

    Raises
    ------
    ValueError
        When there is nothing to assemble.
    pydantic.ValidationError
        When a template's parameters do not fit its model.
    SyntaxError
        When the free-form code is not Python.
    """
    parts = [
        Part(key, f"c{number}_check_constraints", f"c{number}_penalty")
        for number, (key, _) in enumerate(templates, start=1)
    ]
    if templates:
        check, penalty = compose([(TEMPLATES[key], params) for key, params in templates])
        if freeform is None:
            return Program(check, penalty, tuple(parts))
    if freeform is None:
        raise ValueError("No constraint code to assemble.")
    free_check, free_penalty = split_functions(freeform)
    if not templates:
        return Program(free_check, free_penalty, (Part("free-form code", "check_constraints", "penalty"),))
    parts = [Part(part.label, "t_" + part.check, "t_" + part.penalty) for part in parts]
    parts.append(Part("free-form code", "f_check_constraints", "f_penalty"))
    return Program(
        prefixed(check, "t_") + "\n\n" + prefixed(free_check, "f_") + "\n\n\n"
        "def check_constraints(state):\n    return t_check_constraints(state) and f_check_constraints(state)\n",
        prefixed(penalty, "t_") + "\n\n" + prefixed(free_penalty, "f_") + "\n\n\n"
        "def penalty(state):\n    return t_penalty(state) + f_penalty(state)\n",
        tuple(parts),
    )
