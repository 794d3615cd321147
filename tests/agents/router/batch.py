"""Constraint programs (template code, RoutBench's reference checkers) run in the sandbox, many in one process.

Every program is a source that defines `check_constraints(state)` and, optionally, `penalty(state)`. Its top-level
functions get a per-program prefix so that all programs fit in one file; one sandboxed run then evaluates them on
many plans, or runs the backbone under each checker, and pays the start-up once.
"""

from pathlib import Path
from typing import Any

from corta.agents.router.programs import prefixed
from corta.config import Settings
from corta.solvers.routing.sandboxed import ROUTING_IMPORTS, matplotlib_cache
from corta.solvers.sandbox import SandboxLimits, run_code
from tests.agents.router.plans import Plan

_PRELUDE = """
from corta.solvers.routing.instance import read_instance as corta_read_instance
from corta.solvers.routing.state import VrpState
"""

_EVALUATE = """
def corta_evaluate(instance_path, plans, jobs):
    data = corta_read_instance(instance_path)
    results = {}
    for name, indices in jobs.items():
        check, penalty = CORTA_PROGRAMS[name]
        rows = []
        for index in indices:
            state = VrpState([route[:] for route in plans[index]], data)
            verdict = check(state)
            value = None if penalty is None else penalty(state)
            rows.append([
                type(verdict).__name__,
                bool(verdict),
                type(value).__name__,
                None if value is None else float(value),
            ])
        results[name] = rows
    return results
"""

_SOLVE = """
from corta.solvers.routing.backbone import solve as corta_backbone_solve


def corta_solve(instance_path, names, max_iterations, seed):
    data = corta_read_instance(instance_path)
    plans = {}
    for name in names:
        check, penalty = CORTA_PROGRAMS[name]
        result = corta_backbone_solve(
            data, check=check, penalty=penalty, seed=seed, max_iterations=max_iterations, seed_with_pyvrp=False
        )
        plans[name] = result.routes
    return plans
"""


def _program_file(programs: dict[str, tuple[str, str | None]], entry: str) -> str:
    parts, table = [_PRELUDE], []
    for name, (check, penalty) in programs.items():
        parts.append(prefixed(check + "\n\n" + (penalty or ""), f"{name}_"))
        table.append(f"{name!r}: ({name}_check_constraints, {f'{name}_penalty' if penalty else 'None'})")
    parts.append("CORTA_PROGRAMS = {" + ", ".join(table) + "}")
    parts.append(entry)
    return "\n\n".join(parts)


def _run(source: str, entry: str, args: list[Any], instance: Path, cpu_s: int) -> Any:
    folder = matplotlib_cache(Settings().cache_dir)
    result = run_code(
        source,
        entry,
        [str(instance.resolve()), *args],
        SandboxLimits(cpu_s=cpu_s, wall_s=3.0 * cpu_s, memory_mb=3072, output_chars=4096),
        ROUTING_IMPORTS,
        read_roots=[str(instance.resolve().parent), str(folder)],
        extra_env={"MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg"},
    )
    assert result.ok, result.error
    return result.result


def evaluate(
    programs: dict[str, tuple[str, str | None]], plans: list[Plan], jobs: dict[str, list[int]], instance: Path
) -> dict[str, list[tuple[str, bool, str, float | None]]]:
    """For each job (program name: indices of plans), one row per plan: the checker's return type and verdict,
    the penalty's return type and value (None without a penalty)."""
    source = _program_file(programs, _EVALUATE)
    rows = _run(source, "corta_evaluate", [plans, jobs], instance, cpu_s=120)
    return {name: [tuple(row) for row in job] for name, job in rows.items()}


def solve(
    programs: dict[str, tuple[str, str | None]], instance: Path, max_iterations: int, seed: int
) -> dict[str, Plan]:
    """The backbone's plan under each program's checker, guided by its penalty if it has one (a fixed number of
    iterations: reproducible)."""
    source = _program_file(programs, _SOLVE)
    budget = 30 + 2 * len(programs)
    return _run(source, "corta_solve", [list(programs), max_iterations, seed], instance, cpu_s=budget)
