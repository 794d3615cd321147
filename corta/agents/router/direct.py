"""The `direct` baseline: the LLM writes a whole solver program (no database, no backbone), which runs in the
sandbox with a time limit and prints its routes as JSON; the plan is then verified like any other.

The program finds the instance in a global `problem_data` (plain lists). A program guarded by
`if __name__ == "__main__":` runs as a script would (the sandbox names its module differently).
"""

import ast
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corta.agents.router.programs import code_block
from corta.agents.router.prompts import DIRECT, DIRECT_SYSTEM, DIRECT_TIME_KEYS, DIRECT_TIME_RULE
from corta.config import Settings
from corta.models.llm import LLM
from corta.models.usage import UsageLedger
from corta.solvers.routing.instance import read_instance
from corta.solvers.routing.sandboxed import ROUTING_IMPORTS, matplotlib_cache
from corta.solvers.routing.verify import verify
from corta.solvers.sandbox import SandboxLimits, run_code

_PRELUDE = """
from corta.solvers.routing.instance import read_instance as corta_read_instance


def corta_plain(value):
    return value.tolist() if hasattr(value, "tolist") else value


problem_data = {key: corta_plain(value) for key, value in corta_read_instance(CORTA_INSTANCE).items()}
"""

_ENTRY = """

def corta_direct_entry():
    return None
"""


@dataclass
class DirectResult:
    """The program's plan (empty when it printed none), its verification against the standard part, and cost."""

    routes: list[list[int]]
    cost: float
    violations: list[str]
    program: str
    error: str | None
    calls: int
    tokens: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return bool(self.routes) and not self.violations


def run_as_script(program: str) -> str:
    """`program` with its `if __name__ == "__main__":` guard made always true (unchanged if it is not Python)."""
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return program
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name)
            and node.test.left.id == "__name__"
        ):
            node.test = ast.Constant(True)
    return ast.unparse(tree)


def printed_routes(stdout: str) -> list[list[int]] | None:
    """The last printed line that is a JSON list of lists of integers."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, list) and all(
            isinstance(route, list)
            and all(isinstance(node, int) and not isinstance(node, bool) for node in route)
            for route in value
        ):
            return [route for route in value if route]
    return None


def solve_directly(
    description: str, instance_path: Path, llm: LLM, seconds: float = 5.0, seed: int = 0
) -> DirectResult:
    """Ask for a solver program for the instance and `description`, run it in the sandbox, verify its plan.

    Raises
    ------
    corta.solvers.routing.instance.InstanceError
        If the instance cannot be read.
    """
    started = time.perf_counter()
    data = read_instance(instance_path)
    own = LLM(llm.endpoint, UsageLedger(), llm.timeout_s)
    timed = "time_window" in data
    prompt = DIRECT.format(
        customers=len(data["demand"]) - 1,
        capacity=float(data["capacity"]),
        time_keys=DIRECT_TIME_KEYS if timed else "",
        time_rule=DIRECT_TIME_RULE if timed else "",
        description=description,
        seconds=seconds,
    )
    reply = own.chat(
        prompt, system=DIRECT_SYSTEM, purpose="direct", temperature=0.0, seed=seed, max_tokens=1500
    )
    program = code_block(reply)
    folder = matplotlib_cache(Settings().cache_dir)
    source = "\n".join(
        [f"CORTA_INSTANCE = {str(instance_path.resolve())!r}", _PRELUDE, run_as_script(program), _ENTRY]
    )
    result = run_code(
        source,
        "corta_direct_entry",
        [],
        SandboxLimits(
            cpu_s=math.ceil(seconds) + 5, wall_s=seconds + 15.0, memory_mb=2048, output_chars=200_000
        ),
        ROUTING_IMPORTS,
        read_roots=[str(instance_path.resolve().parent), str(folder)],
        extra_env={"MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg"},
    )
    routes = printed_routes(result.stdout) if result.ok else None
    error = None
    if not result.ok:
        assert result.error is not None
        lines = [line for line in result.error.message.strip().splitlines() if line.strip()]
        error = f"the program failed ({result.error.kind}): {lines[-1] if lines else result.error.message}"
    elif routes is None:
        error = "the program printed no routes as JSON"
    plan = routes or []
    violations = [str(item) for item in verify(plan, data)] if routes is not None else [error or ""]
    calls = own.ledger.calls
    return DirectResult(
        routes=plan,
        cost=_cost(plan, data) if routes is not None and not _invalid(plan, data) else math.inf,
        violations=violations,
        program=program,
        error=error,
        calls=len(calls),
        tokens=sum(call.prompt_tokens + call.completion_tokens for call in calls),
        seconds=time.perf_counter() - started,
    )


def _invalid(plan: list[list[int]], data: Any) -> bool:
    size = len(data["demand"])
    return any(not 0 < node < size for route in plan for node in route)


def _cost(plan: list[list[int]], data: Any) -> float:
    weights = data["edge_weight"]
    return float(sum(weights[a][b] for route in plan for a, b in zip([0, *route], [*route, 0], strict=True)))
