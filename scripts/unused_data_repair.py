"""What the repair of a solved model that leaves data unused does, measured on a recorded `cot` run.

Takes every model a `cot` run recorded that solved in one call (the repair round still unspent), finds the data it
never uses, and gives it the repair the modeler now gives (`finalize.defect_to_repair`: a sampled repair told which
data is unused, taking the model's place unless it breaks it). Writes a table of each such item's answer before and
after, scored strictly against the gold, to OUT (markdown).

    .venv/bin/python scripts/unused_data_repair.py docs/results/or/nl4opt/cot docs/results/or/nl4opt/unused_data_repair.md
"""

import json
import sys
import time
from pathlib import Path

from corta.agents.modeler.finalize import defect_to_repair, repair_node, solve_node, solved
from corta.agents.modeler.tree import SearchTree
from corta.commands.common import load_settings
from corta.commands.prm import DEFAULT_DATA
from corta.datasets.corrections import Corrections
from corta.datasets.optimization import load_benchmark
from corta.datasets.or_eval import ModelerTask, is_correct
from corta.models.llm import LLM
from corta.models.runtime.connect import connect
from corta.solvers.optmodel.checks import check_partial, is_unused_data_finding
from corta.solvers.optmodel.levels import from_ir

REPAIR_SEED_OFFSET = 500  # the seed `ModelerNodes.finalize` gives the first finalist's first repair


def main(run_dir: str, out: str) -> None:
    """Repair each recorded one-call model that leaves data unused; write the before/after table."""
    records = [json.loads(line) for line in (Path(run_dir) / "results.jsonl").read_text().splitlines()]
    problems = {
        problem.id: problem for problem in load_benchmark("nl4opt", DEFAULT_DATA, None, Corrections.load())
    }
    settings = load_settings()
    task = ModelerTask(None, "cot")  # type: ignore[arg-type]  # its seed and time limit
    rows = []
    started = time.perf_counter()
    with connect(settings, None) as endpoint:
        llm = LLM(endpoint, None, settings.llm_timeout_s)
        for record in records:
            if not record.get("model") or record["policy_calls"] != 1:
                continue
            problem = problems[record["id"]]
            tree = SearchTree()
            node = tree.add(tree.nodes[0], "full", from_ir(record["model"]))
            solve_node(node, task.time_limit_s)
            node.findings = check_partial(problem.question, node.partial)
            defect = defect_to_repair(node)
            if not solved(node) or defect is None or not is_unused_data_finding(defect):
                continue
            before = is_correct(problem, node.status, node.objective, 1e-6)
            repaired = repair_node(
                llm, problem.question, tree, node, defect, task.seed + REPAIR_SEED_OFFSET, task.time_limit_s
            )
            final = repaired if repaired is not None and solved(repaired) else node
            after = is_correct(problem, final.status, final.objective, 1e-6)
            rows.append((record["id"], defect, node.objective, before, repaired, final.objective, after))
            print(record["id"], before, "->", after, flush=True)
    lines = [
        "# The repair of a solved model that leaves data unused, on a recorded cot run",
        "",
        f"Command: `.venv/bin/python scripts/unused_data_repair.py {run_dir} {out}`; {len(rows)} items, "
        f"{time.perf_counter() - started:.0f} s. Gold and scoring as in `corta eval or` (1e-6).",
        "",
        f"Right before: {sum(row[3] for row in rows)}; right after: {sum(row[6] for row in rows)}.",
        "",
        "| item | finding | objective before | right | repair | objective after | right |",
        "|---|---|---|---|---|---|---|",
    ]
    for item, finding, objective, before, repaired, final_objective, after in rows:
        repair = "no reply" if repaired is None else repaired.status or "?"
        lines.append(
            f"| {item} | {finding} | {objective:g} | {before} | {repair} | {final_objective:g} | {after} |"
        )
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
