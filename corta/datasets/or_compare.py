"""Methods side by side: the runs of several modeler methods on one sample, in one table and one plot.

Runs cut short (a resumable run reported part-way) cover fewer items than the others; the totals are then not
comparable, so the methods are also shown on the items every method ran, and every pair item by item
(`or_pairing.py`).
"""

import statistics
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from corta.datasets.evaluate import RESULTS_FILE, read_results
from corta.datasets.or_eval import TOLERANCES
from corta.datasets.or_pairing import paired_comparisons, shared_items

COMPARISON_FILE = "comparison.md"
PLOT_FILE = "accuracy_vs_calls.png"
STRICT = "1e-6"


def method_records(root: Path) -> dict[str, list[dict[str, Any]]]:
    """The records of each method folder under `root` (each holding a results.jsonl), by folder name."""
    records_by_method = {}
    for folder in sorted(path.parent for path in root.glob(f"*/{RESULTS_FILE}")):
        records = [record.model_dump() for record in read_results(folder)]
        if records:
            records_by_method[folder.name] = records
    return records_by_method


def method_row(method: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One method's accuracy at every tolerance, mean cost per problem and failure counts."""
    row: dict[str, Any] = {"method": method, "items": len(records)}
    for label in TOLERANCES:
        row[f"accuracy {label}"] = sum(bool(r.get(f"correct_{label}")) for r in records) / len(records)
    for field in ("policy_calls", "tokens", "wall_seconds"):
        values = [r[field] for r in records if isinstance(r.get(field), int | float)]
        row[f"mean {field}"] = statistics.fmean(values) if values else float("nan")
    row["failures"] = ", ".join(
        f"{kind} {sum(r.get('failure') == kind for r in records)}"
        for kind in sorted({r.get("failure") or "task_error" for r in records} - {"correct"})
    )
    return row


def write_comparison(root: Path, title: str) -> Path:
    """Write `root/comparison.md` and its plot (accuracy at 1e-6 against policy calls per problem)."""
    records_by_method = method_records(root)
    rows = [method_row(method, records) for method, records in records_by_method.items()]
    lines = [
        f"# {title}",
        "",
        *_table(rows),
        "",
        "Each method's own report (command, per-item results) is in its folder.",
        "",
    ]
    correct = {
        method: {r["id"]: bool(r.get(f"correct_{STRICT}")) for r in records}
        for method, records in records_by_method.items()
    }
    common = shared_items(correct)
    if common and any(set(ids) != common for ids in correct.values()):
        shared_rows = [
            method_row(method, [r for r in records if r["id"] in common])
            for method, records in records_by_method.items()
        ]
        lines += [f"## On the {len(common)} items every method ran", "", *_table(shared_rows), ""]
    if len(correct) > 1:
        lines += [
            f"## Item by item (accuracy at {STRICT})",
            "",
            "Right only by the first method, right only by the second, on the items both ran; p is the exact McNemar "
            "test of that split (small p: the gap is unlikely to be chance).",
            "",
            "| first | second | items | right only by first | right only by second | p |",
            "|---|---|---|---|---|---|",
        ]
        for pair in paired_comparisons(correct):
            lines.append(
                f"| {pair.first} | {pair.second} | {pair.items} | {pair.first_only} | {pair.second_only} | "
                f"{pair.p_value:.3f} |"
            )
        lines.append("")
    if rows:
        _plot(rows, root / PLOT_FILE)
        lines += [f"![Accuracy against policy calls]({PLOT_FILE})", ""]
    path = root / COMPARISON_FILE
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _table(rows: list[dict[str, Any]]) -> list[str]:
    header = list(rows[0]) if rows else ["method"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(row[key]) for key in header) + " |" for row in rows]


def _plot(rows: list[dict[str, Any]], path: Path) -> None:
    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    for row in rows:
        axes.scatter(row["mean policy_calls"], row[f"accuracy {STRICT}"], s=40)
        axes.annotate(row["method"], (row["mean policy_calls"], row[f"accuracy {STRICT}"]), xytext=(4, 4),
                      textcoords="offset points")  # fmt: skip
    axes.set_xlabel("policy calls per problem (mean)")
    axes.set_ylabel(f"accuracy at {STRICT}")
    axes.set_ylim(0, 1)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
