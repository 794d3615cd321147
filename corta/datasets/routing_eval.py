"""The routing evaluation task: the backbone on RoutBench variants, each with its own reference checker plugged in.

This measures the backbone itself (the router agent, which writes the constraint code, comes later): success means
the plan visits every customer once, respects capacity and time windows, and passes the variant's reference checker,
which runs in the sandbox like generated code would. Optionally each plan's distance is compared with the same
backbone given a longer time on the same variant.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corta.datasets.routbench import RoutingVariant, instance_path
from corta.solvers.routing.sandboxed import solve_with_code

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
