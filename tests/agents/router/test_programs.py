"""Programs: filled templates and free-form code in one module, each part keeping its own pair of functions."""

import ast

import pytest

from corta.agents.router.programs import assemble, code_block, defines, split_functions

FREE = """
LIMIT = 3


def too_long(route):
    return len(route) > LIMIT


def check_constraints(state):
    return not any(too_long(route) for route in state.routes)


def penalty(state):
    return float(sum(max(0, len(route) - LIMIT) for route in state.routes))
"""


def run(program_source: str, routes: list[list[int]]) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(program_source, namespace)  # trusted test code
    state = type("State", (), {"routes": routes, "problem_data": {}})()
    return {name: namespace[name](state) for name in ("check_constraints", "penalty")}  # type: ignore[operator]


def test_templates_and_free_form_code_are_all_required_and_their_penalties_add_up() -> None:
    program = assemble([("same_vehicle.apart", {"groups": [[7, 8]]})], FREE)
    assert [part.label for part in program.parts] == ["same_vehicle.apart", "free-form code"]
    assert [part.check for part in program.parts] == ["t_c1_check_constraints", "f_check_constraints"]
    assert run(program.source, [[7, 1], [8, 2]]) == {"check_constraints": True, "penalty": 0.0}
    assert run(program.source, [[7, 8, 1, 2, 3]]) == {"check_constraints": False, "penalty": 3.0}
    assert "f_too_long" in program.check and "def f_penalty" not in program.check
    for source in (program.check, program.penalty):
        ast.parse(source)


def test_free_form_alone_and_templates_alone() -> None:
    alone = assemble([], FREE)
    assert run(alone.check + alone.penalty, [[1, 2, 3, 4]]) == {"check_constraints": False, "penalty": 1.0}
    templates = assemble([("priority.first", {"nodes": [5]})])
    assert [part.check for part in templates.parts] == ["c1_check_constraints"]
    with pytest.raises(ValueError, match="No constraint code"):
        assemble([])


def test_code_comes_from_the_first_fenced_block_and_its_functions_split() -> None:
    assert code_block("Here:\n```python\nx = 1\n```\nand ```py\ny = 2\n```") == "x = 1\n"
    assert code_block("x = 1") == "x = 1\n"
    check, penalty = split_functions(FREE)
    assert "def penalty" not in check and "def check_constraints" not in penalty and "def too_long" in penalty
    assert defines(FREE, "check_constraints", "penalty") == []
    assert defines("def check_constraints(s): return True", "check_constraints", "penalty") == ["penalty"]
    assert defines("def (", "penalty") == ["penalty"]
