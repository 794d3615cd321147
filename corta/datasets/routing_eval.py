"""The routing evaluation tasks on RoutBench variants: `oracle` (the backbone with each variant's own reference
checker plugged in: it measures the backbone), and the LLM methods `ars` (the router agent), `ars-llm` (the
agent with the LLM choosing every template: the ablation of `corta.agents.router.detect`) and `direct` (the LLM
writes a whole solver program).

Success means the plan visits every customer once, respects capacity and time windows, and passes the variant's
reference checker, which runs in the sandbox like generated code would (and is never shown to the LLM). Optionally
each plan's distance is compared with the backbone given a longer time under the reference checker.
"""

import json
import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corta.agents.router.testing import check_plan, run_tests
from corta.config import Settings
from corta.datasets.routbench import RoutingVariant, instance_path
from corta.errors import ConfigError
from corta.models.llm import LLM
from corta.solvers.routing.instance import read_instance
from corta.solvers.routing.sandboxed import solve_with_code
from corta.solvers.routing.verify import verify

SCORING = (
    "success = the plan visits every customer exactly once, respects capacity, time windows and the fleet, and "
    "passes the variant's reference checker (run in the sandbox)"
)


@dataclass
class RoutingOracleTask:
    """Solve each variant under its reference checker in `seconds` (and, if set, again in `reference_seconds`)."""

    data_root: Path
    seconds: float = 5.0
    seed: int = 0
    reference_seconds: float | None = None
    name: str = "routing-oracle"
    scoring: str = SCORING

    def run(self, item: RoutingVariant) -> dict[str, Any]:
        path = instance_path(self.data_root, item.instance_size)
        outcome = solve_with_code(path, item.checker_code, seconds=self.seconds, seed=self.seed)
        record: dict[str, Any] = {
            "category": f"{item.split}, {item.instance_size} customers",
            "success": outcome.feasible,
            "cost": round(outcome.cost, 3),
            "search_seconds": round(outcome.seconds, 3),
            "iterations": outcome.iterations,
            "families": len(item.families),
            "constraint_errors": outcome.constraint_errors,
            "violations": outcome.violations[:3],
        }
        if outcome.constraint_code_failed:
            record["error_kind"] = outcome.constraint_code_failed
        if self.reference_seconds:
            longer = solve_with_code(path, item.checker_code, seconds=self.reference_seconds, seed=self.seed)
            if longer.feasible and outcome.feasible and longer.cost > 0:
                record["gap_to_longer_run_pct"] = round(100 * (outcome.cost - longer.cost) / longer.cost, 3)
        return record

    def category(self, item: RoutingVariant) -> str:
        return f"{item.split}, {item.instance_size} customers"

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per number of constraint families: how often the plan passed."""
        rows = []
        for families in sorted({record.get("families") for record in records if record.get("families")}):
            group = [record for record in records if record.get("families") == families]
            rows.append(
                {
                    "constraint families": families,
                    "variants": len(group),
                    "success rate": round(sum(bool(r.get("success")) for r in group) / len(group), 4),
                }
            )
        return rows


AGENT_SCORING = (
    "success = the plan visits every customer exactly once, respects capacity, time windows and the fleet (checked "
    "here), and passes the variant's reference checker (run in the sandbox; the LLM never sees it); "
    "code-correct = the generated checker gives the reference's verdict on every test plan (the backbone's plans "
    "with and without the code and under the reference, their one-move neighbours, counterexamples around the named "
    "nodes, random plans, the final plan and the reference run's plan); failure = select (the templates chosen "
    "differ from the variant's sub-variants), parse (right templates, but the parameters read make the code "
    "disagree, or a constraint was dropped), generate (free-form code that disagrees; for direct: no plan printed), "
    "search (the code agrees, the plan still fails; for direct: the printed plan fails)"
)


def expected_templates(item: RoutingVariant) -> list[str]:
    """The database's template for each of the variant's sub-variants (e.g. "VRPSVC" → same_vehicle.together)."""
    from corta.agents.router.constraint_db import TEMPLATES

    by_variant = {name: key for key, template in TEMPLATES.items() for name in template.variants}
    return [by_variant.get(name.split(" - ")[-1], name) for name in item.types]


class ReferenceRuns:
    """The backbone under each variant's reference checker, run once per variant, size, time and seed and kept in
    a JSON-lines file (methods evaluated one after another share them)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._runs: dict[str, dict[str, Any]] = {}
        self._read()

    def _read(self) -> None:
        """Load the runs in the file; the first run of a key wins, so every method is compared with the same one."""
        if not self.path.is_file():
            return
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            self._runs.setdefault(entry["key"], entry)

    def get(self, item: RoutingVariant, instance: Path, seconds: float, seed: int) -> dict[str, Any]:
        """{"routes", "cost", "feasible"} of the reference run; an evaluation running beside this one may have
        added it to the file since it was read."""
        key = f"{item.id}|{item.instance_size}|{seconds:g}|{seed}"
        with self._lock:
            if key not in self._runs:
                self._read()
            if key in self._runs:
                return self._runs[key]
        outcome = solve_with_code(instance, item.checker_code, seconds=seconds, seed=seed)
        entry = {"key": key, "routes": outcome.routes, "cost": outcome.cost, "feasible": outcome.feasible}
        with self._lock:
            self._read()
            if key in self._runs:
                return self._runs[key]
            self._runs[key] = entry
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as sink:
                sink.write(json.dumps(entry) + "\n")
        return entry


@dataclass
class RoutingAgentTask:
    """An LLM method on RoutBench variants: `ars` (the router agent), `ars-llm` (the agent without reading the
    templates from the wording) or `direct` (the LLM writes a whole solver).

    All are scored alike: base feasibility here, the reference checker in the sandbox; for the agent also whether the
    generated checker agrees with the reference on the test plans (one sandboxed batch), and where it failed.
    """

    data_root: Path
    llm: LLM
    method: str = "ars"
    seconds: float = 5.0
    seed: int = 0
    rounds: int = 3
    reference_seconds: float | None = None
    references: ReferenceRuns | None = None
    prefilter: Callable[[str], list[str]] | None = None
    scoring: str = AGENT_SCORING

    def __post_init__(self) -> None:
        if self.method not in ("ars", "ars-llm", "direct"):
            raise ConfigError(f"Unknown routing method {self.method!r}; use ars, ars-llm, direct or oracle.")

    @property
    def name(self) -> str:
        return f"routing-{self.method}"

    def category(self, item: RoutingVariant) -> str:
        return f"{item.split}, {item.instance_size} customers"

    def run(self, item: RoutingVariant) -> dict[str, Any]:
        path = instance_path(self.data_root, item.instance_size)
        reference = None
        if self.reference_seconds:
            runs = self.references or ReferenceRuns(
                Settings().cache_dir / "routbench" / "reference_runs.jsonl"
            )
            reference = runs.get(item, path, self.reference_seconds, self.seed)
        record = (
            self._run_ars(item, path, reference) if self.method != "direct" else self._run_direct(item, path)
        )
        passes, problem = (
            check_plan(path, item.checker_code, record.pop("routes")) if record["planned"] else (False, None)
        )
        record["reference_passes"] = passes
        if problem:
            record["reference_problem"] = problem[:200]
        record["success"] = record["base_feasible"] and passes
        if record["success"]:
            record["failure"] = "none"
        elif record["failure"] is None:
            record["failure"] = "search"
        if reference is not None:
            record["reference_cost"] = round(reference["cost"], 3)
            if record["success"] and reference["feasible"] and reference["cost"] > 0:
                record["gap_to_reference_pct"] = round(
                    100 * (record["cost"] - reference["cost"]) / reference["cost"], 3
                )
        return record

    def _base(self, item: RoutingVariant, routes: list[list[int]], path: Path) -> dict[str, Any]:
        violations = (
            [str(violation) for violation in verify(routes, read_instance(path))] if routes else ["no plan"]
        )
        return {
            "category": self.category(item),
            "method": self.method,
            "families": len(item.families),
            "routes": routes,
            "planned": bool(routes),
            "base_feasible": not violations,
            "base_violations": violations[:3],
        }

    def _run_ars(self, item: RoutingVariant, path: Path, reference: dict[str, Any] | None) -> dict[str, Any]:
        from corta.agents.router.agent import route_problem
        from corta.agents.router.parse import parse_description
        from corta.agents.router.programs import Part, Program

        result = route_problem(
            item.description, path, self.llm, seconds=self.seconds, seed=self.seed, max_rounds=self.rounds,
            prefilter=self.prefilter, read_wording=self.method == "ars",
        )  # fmt: skip
        routes = result.outcome.routes
        record = self._base(item, routes, path)
        chosen = [entry["template"] for entry in result.constraints]
        expected = expected_templates(item)
        record |= {
            "cost": round(result.outcome.cost, 3),
            "policy_calls": result.calls,
            "tokens": result.tokens,
            "wall_seconds": round(result.seconds, 2),
            "rounds": result.rounds,
            "templates": chosen,
            "selected_by": result.selected_by,
            "readings": result.constraints,
            "expected_templates": expected,
            "unhonoured": result.unhonoured[:3],
        }
        agrees = None
        code = result.check_code
        free_form = bool(code) and ("c1_check_constraints" not in code or "f_check_constraints" in code)
        if result.check_code:
            program = Program(
                result.check_code, result.penalty_code, (Part("program", "check_constraints", "penalty"),)
            )
            extra = [routes] + ([reference["routes"]] if reference and reference["feasible"] else [])
            mentioned = sorted(
                node for node in parse_description(item.description).nodes if node <= item.instance_size
            )
            test = run_tests(
                path, program, mentioned, seed=self.seed, reference_code=item.checker_code, extra_plans=extra
            )
            agrees = test.agrees
            record |= {
                "code_correct": bool(agrees),
                "false_accepts": test.false_accepts,
                "false_rejects": test.false_rejects,
                "test_plans": test.plans,
            }
        else:
            record["code_correct"] = False
        if sorted(chosen) != sorted(expected):
            record["failure"] = "select"
        elif not agrees and (free_form or not chosen):
            record["failure"] = "generate"
        elif not agrees or any(entry["status"] == "dropped" for entry in result.constraints):
            record["failure"] = "parse"
        else:
            record["failure"] = None
        return record

    def _run_direct(self, item: RoutingVariant, path: Path) -> dict[str, Any]:
        from corta.agents.router.direct import solve_directly

        result = solve_directly(item.description, path, self.llm, seconds=self.seconds, seed=self.seed)
        record = self._base(item, result.routes, path)
        record |= {
            "cost": round(result.cost, 3) if math.isfinite(result.cost) else None,
            "policy_calls": result.calls,
            "tokens": result.tokens,
            "wall_seconds": round(result.seconds, 2),
            "failure": "generate" if result.error else None,
        }
        if result.error:
            record["error_kind"] = result.error[:200]
        return record

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Success, code-correctness and the failure categories, over all records."""
        count = len(records) or 1
        rows: list[dict[str, Any]] = [
            {
                "measure": "success rate",
                "value": round(sum(bool(r.get("success")) for r in records) / count, 4),
            }
        ]
        if self.method != "direct":
            rows.append(
                {
                    "measure": "code-correctness rate",
                    "value": round(sum(bool(r.get("code_correct")) for r in records) / count, 4),
                }
            )
        failures = Counter(record.get("failure") or "task_error" for record in records)
        rows += [{"measure": f"failure: {kind}", "value": number} for kind, number in failures.most_common()]
        return rows
