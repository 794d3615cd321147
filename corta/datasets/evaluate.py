"""One batch runner for every evaluation: a task scores items on a thread pool, one JSON line per item, resumable.

An `EvalTask` turns one item (anything with an `id`) into a record: `category`, `success` (or `correct`) and any
numbers (cost, calls, tokens, seconds). `run_evaluation` runs the items not yet recorded in
`out_dir/results.jsonl`, appending each finished record there (flushed and fsynced, so a crash loses only the items
in flight), and writes `out_dir/run.json`; `write_report` turns both into `report.md` with PNG plots beside it.

An out_dir holds one evaluation: its summary and report cover every record in `results.jsonl`. A task that raises
on an item gives a failed record with `error` set; the run goes on. The runner measures `seconds` (the wall time of
`task.run`) unless the task reports its own.

Every other file (run.json, report.md, the plots, a cleaned results.jsonl) is written beside its final name and renamed
over it once complete, so a full disk or a kill leaves the previous version whole; the failure is a `ReportError`.
"""

import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corta.errors import ConfigError, ReportError

log = logging.getLogger(__name__)

RESULTS_FILE, RUN_FILE, REPORT_FILE = "results.jsonl", "run.json", "report.md"
CATEGORY_PLOT = "success_by_category.png"
UNCATEGORISED = "uncategorised"


class Item(Protocol):
    """Anything evaluated: its id keys the results file."""

    @property
    def id(self) -> str: ...


ItemT_contra = TypeVar("ItemT_contra", bound=Item, contravariant=True)


class EvalTask(Protocol[ItemT_contra]):
    """A method scored on a benchmark, one item at a time (called from worker threads).

    `run(item)` returns the record's fields: `category` (str), `success` or `correct` (bool) and any numbers.
    Optional methods, used where the task defines them: `summarize(records) -> list[dict]` (extra report rows,
    from all records as plain dicts) and `category(item) -> str` (the category of an item whose `run` raised; else
    "uncategorised"). An optional `scoring` string (the scoring rule) is printed beside the numbers.
    """

    name: str

    def run(self, item: ItemT_contra) -> dict[str, Any]: ...


class EvalRecord(BaseModel):
    """One line of results.jsonl: the runner's fields plus whatever numbers and labels the task adds."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    category: str
    success: bool
    seconds: float | None = None
    error: str | None = None


class RunInfo(BaseModel):
    """run.json: how the latest invocation on an out_dir was started, and (once done) when it finished."""

    task: str
    command: str | None = None
    scoring: str | None = None
    started: datetime
    finished: datetime | None = None
    workers: int
    items: int
    resumed: int = Field(description="items of this invocation already in results.jsonl when it started")
    extra_rows: list[dict[str, Any]] = []


@dataclass(frozen=True)
class Mean:
    """The mean of a numeric field over the `count` records holding a finite number in it."""

    value: float
    count: int


@dataclass(frozen=True)
class Group:
    """The records of one category, or of the whole run."""

    name: str
    items: int
    successes: int
    errors: int
    means: dict[str, Mean]

    @property
    def success_rate(self) -> float:
        return self.successes / self.items if self.items else 0.0


@dataclass(frozen=True)
class EvalSummary:
    """An out_dir's records, overall and per category, with the task's extra rows."""

    task: str
    overall: Group
    categories: list[Group]
    records: list[EvalRecord]
    extra_rows: list[dict[str, Any]]

    @property
    def failed(self) -> list[EvalRecord]:
        """The records whose task raised."""
        return [record for record in self.records if record.error is not None]


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _group(name: str, records: list[EvalRecord]) -> Group:
    values: dict[str, list[float]] = {}
    for record in records:
        for field, value in record.model_dump().items():
            number = _number(value)
            if number is not None:
                values.setdefault(field, []).append(number)
    return Group(
        name=name,
        items=len(records),
        successes=sum(record.success for record in records),
        errors=sum(record.error is not None for record in records),
        means={field: Mean(sum(numbers) / len(numbers), len(numbers)) for field, numbers in values.items()},
    )


def summarize(
    task: str, records: list[EvalRecord], extra_rows: list[dict[str, Any]] | None = None
) -> EvalSummary:
    """Group `records` overall and by category (sorted by name)."""
    categories = sorted({record.category for record in records})
    return EvalSummary(
        task=task,
        overall=_group("all", records),
        categories=[_group(name, [r for r in records if r.category == name]) for name in categories],
        records=records,
        extra_rows=extra_rows or [],
    )


def _parse_results(path: Path) -> tuple[list[EvalRecord], bool]:
    """The first record of each id in `path`, and whether the file held exactly those lines, newline-ended."""
    if not path.exists():
        return [], True
    text = path.read_text(encoding="utf-8")
    records: dict[str, EvalRecord] = {}
    clean = not text or text.endswith("\n")
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            record = EvalRecord.model_validate_json(line)
        except ValidationError:
            log.warning("%s: dropped unreadable line %d (an interrupted write?)", path, number)
            clean = False
            continue
        if record.id in records:
            log.warning("%s: dropped a second record of %s on line %d", path, record.id, number)
            clean = False
            continue
        records[record.id] = record
    return list(records.values()), clean


def read_results(out_dir: Path) -> list[EvalRecord]:
    """The records of `out_dir/results.jsonl`, one per id; unreadable lines are skipped with a warning.

    Raises
    ------
    ConfigError
        If `out_dir` holds no results.jsonl.
    """
    path = Path(out_dir) / RESULTS_FILE
    if not path.is_file():
        raise ConfigError(f"No {RESULTS_FILE} in {out_dir}; run the evaluation there first.")
    return _parse_results(path)[0]


def _sync(sink: Any) -> None:
    sink.flush()
    os.fsync(sink.fileno())


def _unwritable(path: Path, error: OSError, kept: str) -> ReportError:
    reason = (error.strerror or str(error)).rstrip(".")
    return ReportError(f"Cannot write {path}: {reason[:1].lower() + reason[1:]}; {kept}.")


def _write_whole(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write `path` through `write` into a `.partial` sibling, renamed over `path` once complete and synced.

    Raises
    ------
    ReportError
        When writing fails (the partial file is removed; `path` keeps what it held).
    """
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as sink:
            write(sink)
            _sync(sink)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise _unwritable(path, error, f"the previous {path.name} is left as it was") from None


def write_whole_text(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (a `.partial` sibling renamed over it).

    Raises
    ------
    ReportError
        When writing fails; `path` keeps what it held.
    """
    _write_whole(path, lambda sink: sink.write(text.encode("utf-8")))


def _rewrite(path: Path, records: list[EvalRecord]) -> None:
    write_whole_text(path, "".join(record.model_dump_json() + "\n" for record in records))


def _resume(path: Path, retry_errors: bool) -> list[EvalRecord]:
    records, clean = _parse_results(path)
    kept = [record for record in records if not (retry_errors and record.error is not None)]
    if not clean or len(kept) < len(records):
        _rewrite(path, kept)
    return kept


def _record(item: Item, fields: dict[str, Any], seconds: float) -> EvalRecord:
    if fields.get("id", item.id) != item.id:
        raise ValueError(f"the task returned a record for {fields['id']!r}")
    if "success" not in fields and "correct" not in fields:
        raise ValueError("the task's record has neither `success` nor `correct`")
    success = fields.get("success", fields.get("correct"))
    return EvalRecord.model_validate({"seconds": seconds, **fields, "id": item.id, "success": success})


def _category(task: EvalTask[Any], item: Item) -> str:
    categorize: Callable[[Item], str] | None = getattr(task, "category", None)
    if not callable(categorize):
        return UNCATEGORISED
    try:
        return str(categorize(item))
    except Exception:  # already recording this item's failure; a second one must not end the run
        return UNCATEGORISED


def _run_one(task: EvalTask[Any], item: Item) -> tuple[EvalRecord, str]:
    started = time.perf_counter()
    try:
        record = _record(item, task.run(item), time.perf_counter() - started)
        return record, record.model_dump_json()
    except Exception as error:  # the runner's edge: one item's failure is a result, never the end of the run
        log.warning("%s: %s failed: %s: %s", task.name, item.id, type(error).__name__, error)
        record = EvalRecord(
            id=item.id,
            category=_category(task, item),
            success=False,
            seconds=time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}",
        )
        return record, record.model_dump_json()


def _write_run_info(out_dir: Path, info: RunInfo) -> None:
    write_whole_text(out_dir / RUN_FILE, info.model_dump_json(indent=2) + "\n")


def _selected(items: Sequence[Item], limit: int | None) -> list[Item]:
    if limit is not None and limit < 0:
        raise ConfigError(f"The item limit must be at least 0, not {limit}.")
    selected = list(items)[:limit]
    ids = [item.id for item in selected]
    if len(set(ids)) < len(ids):
        duplicate = next(item for item in ids if ids.count(item) > 1)
        raise ConfigError(f"Item ids must be unique; {duplicate!r} appears more than once.")
    return selected


def run_evaluation(
    task: EvalTask[Any],
    items: Sequence[Item],
    out_dir: Path,
    workers: int = 1,
    limit: int | None = None,
    progress: bool = True,
    command: str | None = None,
    retry_errors: bool = False,
) -> EvalSummary:
    """Run `task` on the first `limit` `items` (all when None) not yet in `out_dir/results.jsonl`, `workers` at once.

    On start, unreadable lines (a write cut by a kill) and repeated ids are dropped from results.jsonl, as are
    records with an error when `retry_errors` is set, so that those items run again. `command` (the command line)
    is kept in run.json for the report.

    Raises
    ------
    ConfigError
        If `workers` is below 1, `limit` is negative, or two items share an id.
    ReportError
        If a file cannot be written (a full disk): the records written so far are kept, and a new run resumes.
    """
    if workers < 1:
        raise ConfigError(f"At least one worker is needed, not {workers}.")
    selected = _selected(items, limit)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS_FILE
    done = {record.id: record for record in _resume(results, retry_errors)}
    pending = [item for item in selected if item.id not in done]
    info = RunInfo(
        task=task.name,
        command=command,
        scoring=getattr(task, "scoring", None),
        started=datetime.now(UTC),
        workers=workers,
        items=len(selected),
        resumed=len(selected) - len(pending),
    )
    _write_run_info(out_dir, info)
    successes = sum(done[item.id].success for item in selected if item.id in done)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[successes]} ok"),
        TimeElapsedColumn(),
    )
    try:
        with (
            results.open("a", encoding="utf-8") as sink,
            Progress(*columns, disable=not progress) as bar,
            ThreadPoolExecutor(max_workers=workers) as pool,
        ):
            shown = bar.add_task(task.name, total=len(selected), completed=info.resumed, successes=successes)
            futures = [pool.submit(_run_one, task, item) for item in pending]
            try:
                for future in as_completed(futures):
                    record, line = future.result()
                    sink.write(line + "\n")
                    _sync(sink)
                    successes += record.success
                    bar.update(shown, advance=1, successes=successes)
            except BaseException:
                # an interrupt or a full disk: wait only for the items in flight
                pool.shutdown(cancel_futures=True)
                raise
    except OSError as error:  # a line cut short by a full disk is dropped when the run resumes
        raise _unwritable(
            results, error, "the items recorded before it are kept; run again to resume"
        ) from None
    records = _parse_results(results)[0]
    extra: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = getattr(task, "summarize", None)
    extra_rows = extra([record.model_dump() for record in records]) if callable(extra) else []
    _write_run_info(
        out_dir, info.model_copy(update={"finished": datetime.now(UTC), "extra_rows": extra_rows})
    )
    return summarize(task.name, records, extra_rows)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]


def _mean_cell(group: Group, field: str) -> str:
    mean = group.means.get(field)
    if mean is None:
        return ""
    return f"{mean.value:.4g}" + ("" if mean.count == group.items else f" (n={mean.count})")


def _group_rows(groups: list[Group], fields: list[str]) -> list[list[object]]:
    return [
        [group.name, group.items, group.successes, f"{group.success_rate:.1%}", group.errors]
        + [_mean_cell(group, field) for field in fields]
        for group in groups
    ]


def _plot_success_by_category(summary: EvalSummary, path: Path) -> None:
    from matplotlib.figure import Figure  # imported here: slow to import, and only reports need it

    groups = summary.categories
    figure = Figure(figsize=(7, 1.2 + 0.3 * len(groups)), layout="constrained")
    axes = figure.subplots()
    axes.barh(
        [group.name for group in groups], [100 * group.success_rate for group in groups], color="#4c72b0"
    )
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("success rate (%)")
    axes.set_title(f"{summary.task}: success rate by category")
    _write_whole(path, lambda sink: figure.savefig(sink, format="png", dpi=120))


def _plot_distribution(summary: EvalSummary, field: str, path: Path) -> bool:
    values = [
        number for record in summary.records if (number := _number(getattr(record, field, None))) is not None
    ]
    if not values:
        return False
    from matplotlib.figure import Figure  # imported here: slow to import, and only reports need it

    figure = Figure(figsize=(8, 3.5), layout="constrained")
    histogram, box = figure.subplots(1, 2, width_ratios=(3, 1))
    histogram.hist(values, bins=min(30, max(5, len(values) // 3)), color="#4c72b0", edgecolor="white")
    histogram.set_xlabel(field)
    histogram.set_ylabel("items")
    box.boxplot(values)
    box.set_xticks([1], [field])
    figure.suptitle(f"{summary.task}: {field} over {len(values)} items")
    _write_whole(path, lambda sink: figure.savefig(sink, format="png", dpi=120))
    return True


def write_report(out_dir: Path, title: str, command: str | None = None, plot_field: str = "seconds") -> Path:
    """Write `out_dir/report.md`: the command, summary and per-category tables, errors, and PNG plots beside it.

    `command` defaults to the one run.json holds; `plot_field` names the numeric field whose distribution is
    plotted (a histogram and a box plot), such as "cost".

    Raises
    ------
    ConfigError
        If `out_dir` holds no results.jsonl.
    ReportError
        If a file cannot be written (a full disk): each file keeps its previous version.
    """
    out_dir = Path(out_dir)
    records = read_results(out_dir)
    run_path = out_dir / RUN_FILE
    info = RunInfo.model_validate_json(run_path.read_text(encoding="utf-8")) if run_path.is_file() else None
    summary = summarize(info.task if info else out_dir.name, records, info.extra_rows if info else [])
    command = command or (info.command if info else None)
    lines = [f"# {title}", "", "Command:", "", "```", command or "(not recorded)", "```", ""]
    if info:
        finished = (
            f"finished {info.finished.isoformat(timespec='seconds')}" if info.finished else "not finished"
        )
        lines += [
            f"Task `{info.task}`, {info.items} items, {info.workers} workers; latest run started "
            f"{info.started.isoformat(timespec='seconds')}, {finished}, {info.resumed} items resumed.",
            "",
        ]
        if info.scoring:
            lines += [f"Scoring: {info.scoring}", ""]
    fields = list(summary.overall.means)
    header = ["", "items", "successes", "success rate", "errors", *(f"mean {field}" for field in fields)]
    lines += ["## Summary", "", *_table(header, _group_rows([summary.overall], fields)), ""]
    header[0] = "category"
    lines += ["## By category", "", *_table(header, _group_rows(summary.categories, fields)), ""]
    if summary.extra_rows:
        keys = list(dict.fromkeys(key for row in summary.extra_rows for key in row))
        rows = [[row.get(key, "") for key in keys] for row in summary.extra_rows]
        lines += ["## Task summary", "", *_table(keys, rows), ""]
    lines += ["## Plots", ""]
    if summary.categories:
        _plot_success_by_category(summary, out_dir / CATEGORY_PLOT)
        lines += [f"![Success rate by category]({CATEGORY_PLOT})", ""]
    distribution = f"{plot_field}_distribution.png"
    if _plot_distribution(summary, plot_field, out_dir / distribution):
        lines += [f"![Distribution of {plot_field}]({distribution})", ""]
    else:
        lines += [f"No `{plot_field}` values to plot.", ""]
    failed = summary.failed
    lines += [f"## Errors ({len(failed)})", ""]
    if failed:
        lines += _table(["id", "category", "error"], [[r.id, r.category, r.error] for r in failed])
    else:
        lines.append("None.")
    path = out_dir / REPORT_FILE
    write_whole_text(path, "\n".join(lines) + "\n")
    return path
