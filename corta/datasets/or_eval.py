"""The OR modeling evaluation task: a modeler method on benchmark word problems, scored strictly.

Correct when |pred − gold| ≤ 1e-6·max(1, |gold|) (also reported at 1e-4 and 5 %), failures of every kind counting as
wrong; an infeasible or unbounded gold is matched only by that status. Per item the record keeps the prediction,
status, policy calls, tokens and wall time, so methods compare on accuracy and on cost; a structured answer keeps its
model, and a wrong value its diagnosis (`or_diagnosis.py`).
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from corta.agents.modeler.agent import solve_problem
from corta.agents.modeler.scoring import StepScorer
from corta.datasets.optimization import OptProblem
from corta.datasets.or_diagnosis import diagnose_wrong_value
from corta.models.llm import LLM

TOLERANCES = {"1e-6": 1e-6, "1e-4": 1e-4, "5%": 0.05}
SCORING = (
    "correct = |prediction − gold| ≤ 1e-6·max(1, |gold|) (also reported at 1e-4 and 5%); an infeasible/unbounded "
    "gold needs that status; every failure (no model, crash, refusal, time limit) counts as wrong"
)


def is_correct(problem: OptProblem, status: str, objective: float | None, tolerance: float) -> bool:
    """Strict scoring of one prediction against the gold label."""
    if problem.status != "optimal":
        return status == problem.status
    if status != "optimal" or objective is None or problem.answer is None:
        return False
    return abs(objective - problem.answer) <= tolerance * max(1.0, abs(problem.answer))


def failure_kind(problem: OptProblem, status: str, objective: float | None) -> str:
    """Why a prediction is wrong, in a word the report counts: wrong_value, infeasible, no_model, …."""
    if is_correct(problem, status, objective, TOLERANCES["1e-6"]):
        return "correct"
    if status == "optimal":
        return "wrong_value"
    return {"error": "no_model", "refused": "refused"}.get(status, status)


@dataclass
class ModelerTask:
    """One method of the modeler (cot, sc, tot, beam, bpp, code) on `OptProblem`s."""

    llm: LLM
    method: str
    prm: StepScorer | None = None
    children: int | None = None
    width: int | None = None
    seed: int = 0
    time_limit_s: float = 30.0
    scoring: str = SCORING

    @property
    def name(self) -> str:
        return f"or-{self.method}"

    def run(self, item: OptProblem) -> dict[str, Any]:
        result = solve_problem(
            item.question, self.llm, self.method, prm=self.prm, children=self.children, width=self.width,
            seed=self.seed, time_limit_s=self.time_limit_s,
        )  # fmt: skip
        record: dict[str, Any] = {
            "category": item.benchmark,
            "success": is_correct(item, result.status, result.objective, TOLERANCES["1e-6"]),
            "gold": item.answer if item.status == "optimal" else item.status,
            "prediction": result.objective,
            "status": result.status,
            "failure": failure_kind(item, result.status, result.objective),
            "policy_calls": result.policy_calls,
            "tokens": result.tokens,
            "wall_seconds": round(result.seconds, 2),
            "message": result.message[:300],
        }
        for label, tolerance in TOLERANCES.items():
            record[f"correct_{label}"] = is_correct(item, result.status, result.objective, tolerance)
        if result.model is not None:
            record["model"] = result.model
            if record["failure"] == "wrong_value" and item.answer is not None:
                record["diagnosis"] = diagnose_wrong_value(
                    result.model,
                    lambda objective: is_correct(item, "optimal", objective, TOLERANCES["1e-6"]),
                    self.time_limit_s,
                )
        if result.witness is not None:
            # The same search's answer without the witness (its best-scored solved finalist): an ablation for free.
            unwitnessed = result.unwitnessed_objective
            record["witness"] = result.witness
            record["correct_without_witness"] = is_correct(
                item, "optimal" if unwitnessed is not None else "error", unwitnessed, TOLERANCES["1e-6"]
            )
        return record

    def category(self, item: OptProblem) -> str:
        return item.benchmark

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Accuracy at each tolerance and the failure kinds, over all records."""
        count = len(records) or 1
        rows: list[dict[str, Any]] = [
            {"measure": f"accuracy at {label}", "value": round(sum(bool(r.get(f"correct_{label}")) for r in records) / count, 4)}
            for label in TOLERANCES
        ]  # fmt: skip
        kinds = Counter(record.get("failure", "task_error") for record in records)
        rows += [{"measure": f"outcome: {kind}", "value": number} for kind, number in kinds.most_common()]
        diagnoses = Counter(record["diagnosis"] for record in records if "diagnosis" in record)
        rows += [
            {"measure": f"wrong value, fixed by changing: {diagnosis}" if diagnosis != "meaning" else
             "wrong value: a wrong meaning", "value": number}
            for diagnosis, number in diagnoses.most_common()
        ]  # fmt: skip
        witnessed = [record for record in records if "witness" in record]
        if witnessed:
            without = sum(bool(record["correct_without_witness"]) for record in witnessed) / len(witnessed)
            rows.append(
                {
                    "measure": "accuracy at 1e-6 without the witness (best-scored finalist)",
                    "value": round(without, 4),
                }
            )
            roles = Counter(record["witness"] for record in witnessed)
            for role, number in roles.most_common():
                right = sum(bool(record["success"]) for record in witnessed if record["witness"] == role)
                rows.append({"measure": f"witness {role} (correct)", "value": f"{number} ({right})"})
        return rows
