"""The static policy: what is allowed and what is refused on the AST."""

import ast

from corta.solvers.sandbox.policy import check_source, is_allowed_module


def violations(source: str, allowed=("math", "numpy")) -> list[str]:
    return [violation.message for violation in check_source(ast.parse(source), allowed)]


def test_allowed_modules_and_their_submodules():
    assert is_allowed_module("numpy.linalg", ["numpy"])
    assert not is_allowed_module("numpyx", ["numpy"])
    assert violations("import math\nimport numpy.linalg as la\nfrom numpy import array") == []


def test_ordinary_code_passes():
    source = """
class Plan:
    def __init__(self, routes):
        self.routes = routes
    def __len__(self):
        return len(self.routes)
def check(plan):
    return getattr(plan, "routes") and type(plan).__name__ == "Plan"
"""
    assert violations(source) == []


def test_each_escape_is_named_with_its_line():
    found = check_source(
        ast.parse("x = 1\nimport os\ny = eval('2')\nz = x.__dict__\nw = getattr(x, name)"), ["math"]
    )
    assert [(v.line, v.message) for v in found] == [
        (2, "import of os is not allowed"),
        (3, "use of eval is not allowed"),
        (4, "access to the attribute __dict__ is not allowed"),
        (5, "getattr is allowed only with a literal public attribute name"),
    ]
