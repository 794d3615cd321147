"""Time of corta's IR → HiGHS (and of the route through Pyomo) against the same model built in highspy, in one run.

Random sparse packing models (maximise c·x subject to A·x ≤ b, x ≥ 0; every column in at least one row), written in
the IR as indexed sets and parameters — `forall i in I: sum_{(i,j) in E} a_{i,j} * x_j <= b_i` — so the whole path is
measured: validation, parsing, expansion, Pyomo build, the solver interface and reading the solution back. The
direct side builds the same rows with highspy's array API and solves. The objectives must agree.

    .venv/bin/python benchmarks/solve_overhead.py [--sizes 1000 10000] [--reps 3] [--integer-share 0.1]

Writes docs/results/solve_overhead.{json,md}; target: ratio ≤ 1.5 at 10⁴ variables.
"""

import argparse
import gc
import json
import os
import random
import statistics
import time
from pathlib import Path

import highspy
import numpy as np

from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve_expanded

RESULTS = Path(__file__).parents[1] / "docs" / "results"
ROUTES = ("highspy", "highs", "pyomo")


def random_instance(n: int, integer_share: float, seed: int, per_row: int = 6) -> dict:
    """A feasible, bounded packing model with n variables and n/2 rows of `per_row` non-zeros each."""
    rng = random.Random(seed)
    rows = max(1, n // 2)
    entries: dict[tuple[int, int], float] = {}
    for j in range(1, n + 1):
        entries[(1 + (j - 1) % rows, j)] = float(rng.randint(1, 9))  # every column is constrained
    for i in range(1, rows + 1):
        for j in rng.sample(range(1, n + 1), per_row - 2):
            entries[(i, j)] = float(rng.randint(1, 9))
    integers = set(rng.sample(range(1, n + 1), int(integer_share * n)))
    return {
        "n": n,
        "rows": rows,
        "entries": sorted(entries.items()),
        "b": [float(rng.randint(20, 60)) for _ in range(rows)],
        "c": [float(rng.randint(1, 20)) for _ in range(n)],
        "integers": sorted(integers),
    }


def as_ir(instance: dict) -> dict:
    n, rows = instance["n"], instance["rows"]
    integers = set(instance["integers"])
    continuous = [j for j in range(1, n + 1) if j not in integers]
    variables = [{"name": "x", "domain": "j in J", "type": "CONTINUOUS"}]
    sets = [
        {"name": "I", "data": list(range(1, rows + 1))},
        {"name": "J", "data": continuous},
        {"name": "E", "data": [list(key) for key, _ in instance["entries"]]},
    ]
    objective = "sum_{j in J} c_j * x_j"
    if integers:
        sets.append({"name": "K", "data": sorted(integers)})
        variables.append({"name": "z", "domain": "k in K", "type": "INTEGER"})
        objective += " + sum_{k in K} d_k * z_k"
    # A column is either continuous (x) or integer (z); each row sums over the entries of both kinds.
    a_x = {f"{i},{j}": value for (i, j), value in instance["entries"] if j not in integers}
    a_z = {f"{i},{j}": value for (i, j), value in instance["entries"] if j in integers}
    ex = [[i, j] for (i, j), _ in instance["entries"] if j not in integers]
    ez = [[i, j] for (i, j), _ in instance["entries"] if j in integers]
    sets[2] = {"name": "E", "data": ex}
    sets.append({"name": "F", "data": ez})
    c = instance["c"]
    parameters = [
        {"name": "a", "domain": "(i,j) in E", "data": [a_x[f"{i},{j}"] for i, j in ex]},
        {"name": "g", "domain": "(i,k) in F", "data": [a_z[f"{i},{k}"] for i, k in ez]},
        {"name": "b", "domain": "i in I", "data": instance["b"]},
        {"name": "c", "domain": "j in J", "data": [c[j - 1] for j in continuous]},
    ]
    row = "sum_{(i,j) in E} a_{i,j} * x_j"
    if integers:
        parameters.append({"name": "d", "domain": "k in K", "data": [c[k - 1] for k in sorted(integers)]})
        row += " + sum_{(i,k) in F} g_{i,k} * z_k"
    return {
        "set": sets,
        "parameter": parameters,
        "variable": variables,
        "objective": {"name": "value", "sense": "max", "function": objective},
        "constraint": [{"name": "capacity", "domain": "i in I", "function": f"{row} <= b_i"}],
    }


def through_corta(model_json: dict, via: str) -> tuple[float, float, dict[str, float]]:
    """The whole path, timed end to end and by phase: validate, expand, then linearize + build + HiGHS."""
    started = time.perf_counter()
    model = load_model(model_json)
    loaded = time.perf_counter()
    expanded = expand(model)
    expanded_at = time.perf_counter()
    result = solve_expanded(expanded, time_limit_s=300, via=via)  # type: ignore[arg-type]
    finished = time.perf_counter()
    assert result.status == "optimal", result.message
    phases = {
        "validate": loaded - started,
        "expand": expanded_at - loaded,
        "build_and_solve": finished - expanded_at,
    }
    return finished - started, result.objective, phases  # type: ignore[return-value]


def direct(instance: dict) -> tuple[float, float]:
    started = time.perf_counter()
    n, rows = instance["n"], instance["rows"]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    h.addVars(n, np.zeros(n), np.full(n, inf))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -np.asarray(instance["c"]))  # highspy minimises
    if instance["integers"]:
        columns = np.asarray(instance["integers"], dtype=np.int32) - 1
        h.changeColsIntegrality(len(columns), columns, np.full(len(columns), highspy.HighsVarType.kInteger))
    by_row: list[list[tuple[int, float]]] = [[] for _ in range(rows)]
    for (i, j), value in instance["entries"]:
        by_row[i - 1].append((j - 1, value))
    starts = np.cumsum([0] + [len(r) for r in by_row[:-1]]).astype(np.int32)
    index = np.asarray([j for r in by_row for j, _ in r], dtype=np.int32)
    values = np.asarray([v for r in by_row for _, v in r])
    h.addRows(rows, np.full(rows, -inf), np.asarray(instance["b"]), len(index), starts, index, values)
    h.run()
    objective = -h.getInfo().objective_function_value
    h.getSolution()
    return time.perf_counter() - started, objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--integer-share", type=float, default=0.1)
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    report = {"command": "python benchmarks/solve_overhead.py " + " ".join(
        ["--sizes", *map(str, options.sizes), "--reps", str(options.reps), "--integer-share", str(options.integer_share)]
    ), "runs": []}  # fmt: skip
    for n in options.sizes:
        for kind, share in (("LP", 0.0), ("MILP", options.integer_share)):
            instance = random_instance(n, share, seed=n)
            model_json = as_ir(instance)
            # HiGHS stops a MILP at a relative gap of 1e-4 by default: both sides are optimal within that.
            tolerance = 1e-6 if kind == "LP" else 1e-4
            times: dict[str, list[float]] = {route: [] for route in ROUTES}
            phases: dict[str, list[dict[str, float]]] = {route: [] for route in ROUTES}
            objectives: dict[str, float] = {}
            for _ in range(options.reps):  # the three routes alternate, so load drifts hit all of them
                for route in ROUTES:
                    gc.collect()  # every route starts from a clean heap, not from the previous route's garbage
                    if route == "highspy":
                        seconds, objectives[route] = direct(instance)
                    else:
                        seconds, objectives[route], phase = through_corta(model_json, route)
                        phases[route].append(phase)
                    times[route].append(seconds)
            for route in ("highs", "pyomo"):
                assert abs(objectives[route] - objectives["highspy"]) <= tolerance * max(
                    1, abs(objectives["highspy"])
                )
            baseline = statistics.median(times["highspy"])
            run = {
                "variables": n, "rows": instance["rows"], "kind": kind, "nonzeros": len(instance["entries"]),
                "objective": objectives["highspy"],
                "seconds": {route: [round(t, 4) for t in times[route]] for route in ROUTES},
                "ratio": {route: round(statistics.median(times[route]) / baseline, 3) for route in ("highs", "pyomo")},
                "phases_s": {route: {key: round(statistics.median(p[key] for p in phases[route]), 4) for key in phases[route][0]}
                             for route in ("highs", "pyomo")},
            }  # fmt: skip
            report["runs"].append(run)
            print(
                f"{kind:4s} n={n:6d}: highspy {baseline:7.3f} s | corta {statistics.median(times['highs']):7.3f} s "
                f"(ratio {run['ratio']['highs']:.2f}) | corta via Pyomo {statistics.median(times['pyomo']):7.3f} s "
                f"(ratio {run['ratio']['pyomo']:.2f})"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "solve_overhead.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"| {r['kind']} | {r['variables']} | {r['rows']} | {r['nonzeros']} | {statistics.median(r['seconds']['highspy']):.3f} | "
        f"{statistics.median(r['seconds']['highs']):.3f} | **{r['ratio']['highs']}** | "
        f"{statistics.median(r['seconds']['pyomo']):.3f} | **{r['ratio']['pyomo']}** | "
        + " / ".join(f"{v:.3f}" for v in r["phases_s"]["highs"].values()) + " |"
        for r in report["runs"]
    ]  # fmt: skip
    (RESULTS / "solve_overhead.md").write_text(
        "# Solve overhead: corta's IR → HiGHS vs the same model built directly in highspy\n\n"
        f"`{report['command']}` — median of the repetitions; the three routes alternate within each repetition. "
        "Target: ratio ≤ 1.5 at 10⁴ variables.\n\n"
        "- **corta**: `solve()` as users call it — validate the JSON, expand, linearize, hand the rows to HiGHS as arrays.\n"
        "- **corta via Pyomo**: the same, but through the Pyomo `ConcreteModel` and Pyomo's HiGHS interface "
        '(`solve(..., via="pyomo")`).\n\n'
        "| kind | variables | rows | non-zeros | highspy s | corta s | ratio | corta via Pyomo s | ratio | "
        "corta phases: validate / expand / build + solve (s) |\n|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(lines)
        + f"\n\nMachine: {os.cpu_count()} CPUs, 1-minute load average {load_before:.2f} when the run began.\n"
    )


if __name__ == "__main__":
    main()
