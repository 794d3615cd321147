"""Run the routing search with untrusted constraint code inside the sandbox: one subprocess per solve.

The constraint code (`check_constraints(solution) -> bool`, optionally `penalty(solution) -> float`) is loaded in
the sandbox together with a small entry function that reads the instance and runs the backbone there, so the code
is called thousands of times without leaving the subprocess, and the limits apply to the whole search. When the code
cannot run at all (syntax error, forbidden construct, a loop that exhausts the limits, a crash), the search is run
again without it — only trusted code in this process — and the plan is marked "constraint code failed".
"""

import json
import math
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from corta.config import Settings
from corta.solvers.routing.backbone import solve as solve_in_process
from corta.solvers.routing.instance import read_instance
from corta.solvers.sandbox import DEFAULT_ALLOWED_IMPORTS, SandboxLimits, run_code

ROUTING_IMPORTS = DEFAULT_ALLOWED_IMPORTS | {"numpy", "corta.solvers.routing"}

# RoutBench checkers annotate their argument with VrpState, so it is imported before their code.
_PRELUDE = """
from corta.solvers.routing.backbone import solve as corta_backbone_solve
from corta.solvers.routing.instance import read_instance as corta_read_instance
from corta.solvers.routing.state import VrpState
"""

_ENTRY = """
def corta_routing_entry(instance_path, seconds, seed, max_iterations, with_penalty):
    result = corta_backbone_solve(
        corta_read_instance(instance_path),
        check=check_constraints,
        penalty=penalty if with_penalty else None,
        seconds=seconds,
        seed=seed,
        max_iterations=max_iterations,
    )
    return {
        "routes": result.routes,
        "cost": float(result.cost),
        "feasible": bool(result.feasible),
        "violations": [str(violation) for violation in result.violations],
        "seconds": float(result.seconds),
        "iterations": int(result.iterations),
        "constraint_errors": int(result.constraint_errors),
        "first_constraint_error": result.first_constraint_error,
    }
"""


@dataclass
class RouteOutcome:
    """A routing plan and how it was obtained; `constraint_code_failed` names why the code could not run."""

    routes: list[list[int]]
    cost: float
    feasible: bool
    violations: list[str]
    seconds: float
    iterations: int = 0
    constraint_errors: int = 0
    first_constraint_error: str | None = None
    constraint_code_failed: str | None = None
    notes: list[str] = field(default_factory=list)

    def contract(self) -> dict[str, object]:
        """The documented `corta route solve --json` output."""
        return {
            "routes": self.routes,
            "cost": self.cost,
            "feasible": self.feasible,
            "violations": self.violations,
            "seconds": self.seconds,
        }

    def as_record(self) -> dict[str, object]:
        return asdict(self)


def matplotlib_cache(cache_dir: Path) -> Path:
    """A matplotlib config folder with its font cache built, for the sandbox to read.

    `alns` imports matplotlib, which on a first import in an empty home runs `fc-list` to find fonts; the
    sandbox forbids starting processes, so the cache is built once here, by trusted code.
    """
    folder = cache_dir / "matplotlib"
    if not any(folder.glob("fontlist-*.json")):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-c", "import matplotlib.font_manager"],
            env={**os.environ, "MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg"},
            check=True,
            capture_output=True,
        )
    return folder


def sandbox_limits(seconds: float) -> SandboxLimits:
    """Limits for a whole search of `seconds`: room for imports and PyVRP's seed, not for a runaway checker."""
    return SandboxLimits(
        cpu_s=math.ceil(seconds) + 8, wall_s=seconds + 20.0, memory_mb=3072, output_chars=4096
    )


def solve_with_code(
    instance_path: Path,
    check_code: str | None = None,
    penalty_code: str | None = None,
    seconds: float = 5.0,
    seed: int = 0,
    max_iterations: int | None = None,
) -> RouteOutcome:
    """Solve the instance under the constraint code, the code confined to the sandbox.

    Without code the backbone runs in this process (only trusted code is involved).

    Raises
    ------
    corta.solvers.routing.instance.InstanceError
        If the instance file cannot be read.
    """
    if not check_code and not penalty_code:
        return _in_process(instance_path, seconds, seed, max_iterations)
    source = "\n\n".join(
        [
            _PRELUDE,
            check_code or "def check_constraints(solution):\n    return True",
            penalty_code or "",
            _ENTRY,
        ]
    )
    mpl_folder = matplotlib_cache(Settings().cache_dir)
    result = run_code(
        source,
        "corta_routing_entry",
        [str(instance_path.resolve()), seconds, seed, max_iterations, bool(penalty_code)],
        sandbox_limits(seconds),
        ROUTING_IMPORTS,
        read_roots=[str(instance_path.resolve().parent), str(mpl_folder)],
        extra_env={"MPLCONFIGDIR": str(mpl_folder), "MPLBACKEND": "Agg"},
    )
    if result.ok:
        return RouteOutcome(**result.result)
    assert result.error is not None
    failure = f"constraint code failed ({result.error.kind}): {_first_line(result.error.message)}"
    fallback = _in_process(instance_path, seconds, seed, max_iterations)
    fallback.constraint_code_failed = failure
    fallback.feasible = False
    fallback.violations = [failure, *fallback.violations]
    return fallback


def _in_process(instance_path: Path, seconds: float, seed: int, max_iterations: int | None) -> RouteOutcome:
    result = solve_in_process(
        read_instance(instance_path), seconds=seconds, seed=seed, max_iterations=max_iterations
    )
    return RouteOutcome(
        routes=result.routes,
        cost=float(result.cost),
        feasible=bool(result.feasible),
        violations=[str(violation) for violation in result.violations],
        seconds=float(result.seconds),
        iterations=int(result.iterations),
    )


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else message


def dumps(outcome: RouteOutcome) -> str:
    """The contract as one JSON line."""
    return json.dumps(outcome.contract())
