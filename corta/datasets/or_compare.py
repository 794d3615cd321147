"""Methods side by side: the runs of several modeler methods on one sample, in one table and one plot."""

import statistics
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from corta.datasets.evaluate import RESULTS_FILE, read_results
from corta.datasets.or_eval import TOLERANCES

COMPARISON_FILE = "comparison.md"
PLOT_FILE = "accuracy_vs_calls.png"


def method_rows(root: Path) -> list[dict[str, Any]]:
    """One row per method folder under `root` (each holding a results.jsonl): accuracy and mean cost per problem."""
    rows = []
    for folder in sorted(path.parent for path in root.glob(f"*/{RESULTS_FILE}")):
        records = [record.model_dump() for record in read_results(folder)]
        if not records:
            continue
        row: dict[str, Any] = {"method": folder.name, "items": len(records)}
        for label in TOLERANCES:
            row[f"accuracy {label}"] = sum(bool(r.get(f"correct_{label}")) for r in records) / len(records)
        for field in ("policy_calls", "tokens", "wall_seconds"):
            values = [r[field] for r in records if isinstance(r.get(field), int | float)]
            row[f"mean {field}"] = statistics.fmean(values) if values else float("nan")
        row["failures"] = ", ".join(
            f"{kind} {sum(r.get('failure') == kind for r in records)}"
            for kind in sorted({r.get("failure") or "task_error" for r in records} - {"correct"})
        )
        rows.append(row)
    return rows


def write_comparison(root: Path, title: str) -> Path:
    """Write `root/comparison.md` and its plot (accuracy at 1e-6 against policy calls per problem)."""
    rows = method_rows(root)
    header = list(rows[0]) if rows else ["method"]
    lines = [f"# {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row[key]) for key in header) + " |")
    lines += ["", "Each method's own report (command, per-item results) is in its folder.", ""]
    if rows:
        figure = Figure(figsize=(6, 4))
        axes = figure.subplots()
        for row in rows:
            axes.scatter(row["mean policy_calls"], row["accuracy 1e-6"], s=40)
            axes.annotate(row["method"], (row["mean policy_calls"], row["accuracy 1e-6"]), xytext=(4, 4),
                          textcoords="offset points")  # fmt: skip
        axes.set_xlabel("policy calls per problem (mean)")
        axes.set_ylabel("accuracy at 1e-6")
        axes.set_ylim(0, 1)
        axes.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(root / PLOT_FILE, dpi=120)
        lines += [f"![Accuracy against policy calls]({PLOT_FILE})", ""]
    path = root / COMPARISON_FILE
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
