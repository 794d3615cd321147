"""The Evaluate tab: start a batch evaluation in the background and watch it, and read past reports with their plots.

An evaluation runs the same loaders, tasks and runner as `corta eval or|routing|tutor` (`corta.app.jobs.evaluation`)
in the app's job runner; a timer reads its progress from results.jsonl while it runs. Reports are every report.md and
comparison.md under the repository's docs/results and the app's evaluation folder, shown with the plots beside them.
"""

import html
import re
from pathlib import Path
from typing import Any

import gradio as gr
from PIL import Image

from corta.app.jobs.evaluation import (
    DEFAULT_DATA,
    FAMILIES,
    PRM_KINDS,
    benchmarks,
    evaluations_dir,
    methods,
    parse_request,
    plan_evaluation,
)
from corta.app.jobs.runner import JobProgress, JobRunner, JobStatus, runner_for
from corta.app.services import AgentServices
from corta.app.ui.errors import error_markdown
from corta.config import Settings
from corta.errors import ConfigError, CortaError

DOCS_RESULTS = Path(__file__).resolve().parents[3] / "docs" / "results"
REPORT_FILES = ("report.md", "comparison.md")
JOB_KIND = "evaluation"
_IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def report_roots(settings: Settings) -> dict[str, Path]:
    """The folders searched for reports, by the prefix their reports are listed under."""
    return {"evaluations": evaluations_dir(settings), "docs/results": DOCS_RESULTS}


def list_reports(settings: Settings) -> list[tuple[str, str]]:
    """(label, path) of every report: the app's evaluations newest first, then docs/results by path."""
    listed: list[tuple[str, str]] = []
    for prefix, root in report_roots(settings).items():
        found = [path for name in REPORT_FILES for path in root.rglob(name)] if root.is_dir() else []
        if prefix == "evaluations":
            found.sort(key=lambda path: path.stat().st_mtime, reverse=True)
        else:
            found.sort()
        listed += [(f"{prefix}/{path.relative_to(root).as_posix()}", str(path)) for path in found]
    return listed


def read_report(settings: Settings, path: str) -> tuple[str, list[tuple[Image.Image, str]]]:
    """The report's markdown (its image links replaced by a pointer to the plots) and the PNG plots beside it,
    each with its caption: the ones the report shows first, in its order, then the others by name.

    Raises
    ------
    ConfigError
        When `path` is not one of the listed reports.
    """
    if path not in {listed for _, listed in list_reports(settings)}:
        raise ConfigError("Choose one of the listed reports.")
    report = Path(path)
    text = report.read_text(encoding="utf-8", errors="replace")
    linked = {report.parent / target: alt or target for alt, target in _IMAGE_LINK.findall(text)}
    markdown = _IMAGE_LINK.sub(lambda match: f"*(plot below: {match[1] or match[2]})*", text)
    shown = [path for path in linked if path.suffix == ".png" and path.is_file()]
    others = sorted(set(report.parent.glob("*.png")) - set(shown))
    plots = []
    for plot in [*shown, *others]:
        with Image.open(plot) as image:
            plots.append((image.copy(), linked.get(plot, plot.name)))
    return markdown, plots


def progress_bar(progress: JobProgress | None, running: bool) -> str:
    """An HTML progress bar: filled to the fraction done; moving while a job of unknown length runs; else none."""
    fraction = progress.fraction if progress is not None else None
    if fraction is None:
        return '<progress style="width:100%"></progress>' if running else ""
    return f'<progress style="width:100%" value="{fraction:.3f}" max="1"></progress>'


def status_text(status: JobStatus | None) -> str:
    """One line on a job: running with its progress, done with its counts, or failed with its sentence."""
    if status is None:
        return ""
    what = html.escape(
        " / ".join(str(status.params[key]) for key in ("bench", "method") if key in status.params)
    )
    seconds = f" ({status.seconds:.0f} s)" if status.seconds is not None else ""
    progress = status.progress.text if status.progress is not None else ""
    if status.state == "running":
        return f"**Running** {what}{seconds}: {progress or 'starting'}."
    if status.state == "failed":
        return f"**Failed** {what}{seconds}: {html.escape(status.error or 'no reason recorded.')}"
    result = status.result or {}
    if not progress and result:
        progress = f"{result.get('items')} items, {result.get('successes')} succeeded"
    return f"**Done** {what}{seconds}: {progress}. Report: `{result.get('report', '')}`"


def start_evaluation(
    services: AgentServices, runner: JobRunner, fields: dict[str, Any]
) -> tuple[str, str, str, bool]:
    """Check the form, plan the evaluation and start it: (run id, progress bar, status line, whether to watch).

    A mistake (an unknown benchmark, missing data, a busy runner) comes back as the status line."""
    fields = {key: value for key, value in fields.items() if value not in (None, "")}
    if "name" not in fields:
        fields["name"] = _default_name(fields)
    try:
        request = parse_request(fields)
        runner.ensure_idle()
        planned = plan_evaluation(request, services)
        params = {
            **request.model_dump(mode="json"),
            "out_dir": str(planned.out_dir),
            "command": planned.command,
        }
        run_id = runner.submit(JOB_KIND, params, planned.run, planned.progress)
    except CortaError as error:
        return "", "", error_markdown(error), False
    status = runner.status(run_id)
    return run_id, progress_bar(status.progress if status else None, True), status_text(status), True


def build_evaluate_tab(services: AgentServices) -> None:
    """The Evaluate tab's components and events (inside the caller's `gr.Tab`)."""
    from corta.models.reward.scorer import default_scorer_path

    runner = runner_for(services.store)
    settings = services.settings
    trained = default_scorer_path(settings).is_dir()
    gr.Markdown(
        "Run a benchmark in the background with the served model, watch it, and read the reports. "
        f"Evaluations are written to `{evaluations_dir(settings)}/<name>` and resume where they stopped."
    )
    with gr.Row():
        family = gr.Radio(
            [(label, key) for key, label in FAMILIES.items()],
            value="or",
            label="Benchmark family",
            elem_id="evaluate-family",
        )
        bench = gr.Dropdown(
            _choices(benchmarks("or")), value="nl4opt", label="Benchmark", elem_id="evaluate-bench"
        )
        method = gr.Dropdown(list(methods("or")), value="cot", label="Method", elem_id="evaluate-method")
    with gr.Row():
        sample = gr.Number(
            20, label="Sample size (empty: every item)", precision=0, minimum=1, elem_id="evaluate-sample"
        )
        seed = gr.Number(0, label="Sample seed", precision=0)
        workers = gr.Number(1, label="Workers", precision=0, minimum=1, maximum=32)
        name = gr.Textbox(
            label="Output name",
            placeholder="default: from the benchmark (and routing method)",
            elem_id="evaluate-name",
        )
    data = gr.Textbox(str(DEFAULT_DATA["or"]), label="Data folder", elem_id="evaluate-data")
    with gr.Accordion("Method settings", open=False), gr.Row():
        prm = gr.Dropdown(
            list(PRM_KINDS), value="scorer" if trained else "judge", label="Reward model (beam, bpp)"
        )
        customers = gr.Dropdown([25, 50, 100], value=25, label="Customers", visible=False)
        seconds = gr.Number(5.0, label="Search seconds per variant", minimum=0.1, visible=False)
        rounds = gr.Number(2, label="Repair or revision rounds", precision=0, minimum=0, visible=False)
    start_button = gr.Button("Start evaluation", variant="primary", elem_id="evaluate-start")
    run_id = gr.Textbox(label="Run", interactive=False, elem_id="evaluate-run")
    bar = gr.HTML(elem_id="evaluate-progress")
    status = gr.Markdown(elem_id="evaluate-status")
    timer = gr.Timer(1.0, active=False)
    gr.Markdown("### Reports")
    with gr.Row():
        report = gr.Dropdown(
            list_reports(settings),
            label="Report",
            allow_custom_value=True,
            scale=4,
            value=None,
            elem_id="evaluate-report",
        )
        refresh = gr.Button("Refresh list", scale=1, elem_id="evaluate-refresh")
    report_text = gr.Markdown(elem_id="evaluate-report-text")
    plots = gr.Gallery(
        label="Plots", format="png", columns=2, height=420, object_fit="contain", elem_id="evaluate-plots"
    )

    def change_family(chosen: str) -> tuple[Any, ...]:
        choices = _choices(benchmarks(chosen))
        tried = list(methods(chosen))
        return (
            gr.Dropdown(choices=choices, value=choices[0][1]),
            gr.Dropdown(choices=tried, value=tried[0], visible=chosen != "tutor"),
            str(DEFAULT_DATA[chosen]),
            gr.Dropdown(visible=chosen == "or"),
            gr.Dropdown(visible=chosen == "routing"),
            gr.Number(visible=chosen == "routing"),
            gr.Number(visible=chosen != "or"),
        )

    family.change(
        change_family,
        family,
        [bench, method, data, prm, customers, seconds, rounds],
        api_name="evaluate_family",
    )

    form = [family, bench, method, name, data, sample, seed, workers, prm, customers, seconds, rounds]
    keys = [
        "family", "bench", "method", "name", "data", "sample_size", "sample_seed", "workers", "prm",
        "customers", "seconds", "rounds",
    ]  # fmt: skip

    def start(*values: Any) -> tuple[Any, ...]:
        fields = dict(zip(keys, values, strict=True))
        new_run, shown_bar, line, watch = start_evaluation(services, runner, fields)
        return new_run, shown_bar, line, gr.Timer(active=watch)

    def watch(watched: str) -> tuple[Any, ...]:
        job = runner.status(watched) if watched else None
        running = job is not None and job.state == "running"
        shown = progress_bar(job.progress if job else None, running)
        if job is None or job.state != "done":
            return shown, status_text(job), gr.Timer(active=running), gr.skip(), gr.skip(), gr.skip()
        finished = (job.result or {}).get("report")
        text, images = show(finished)
        listed = gr.Dropdown(choices=list_reports(settings), value=finished)
        return shown, status_text(job), gr.Timer(active=False), listed, text, images

    def resume() -> tuple[Any, ...]:
        listed = gr.Dropdown(choices=list_reports(settings))
        job = runner.running()
        if job is None or job.kind != JOB_KIND:
            return gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False), listed
        return job.run_id, progress_bar(job.progress, True), status_text(job), gr.Timer(active=True), listed

    def show(path: str | None) -> tuple[str, list[tuple[Image.Image, str]]]:
        if not path:
            return "", []
        try:
            return read_report(settings, path)
        except CortaError as error:
            return error_markdown(error), []

    start_button.click(start, form, [run_id, bar, status, timer], api_name="evaluate_start")
    timer.tick(
        watch, run_id, [bar, status, timer, report, report_text, plots],
        api_name="evaluate_status", show_progress="hidden", concurrency_limit=None,
    )  # fmt: skip
    gr.on(None, resume, None, [run_id, bar, status, timer, report], api_visibility="private")
    report.input(show, report, [report_text, plots], api_name="evaluate_report", concurrency_limit=None)
    refresh.click(
        lambda: gr.Dropdown(choices=list_reports(settings)), None, report, api_name="evaluate_reports"
    )


def _default_name(fields: dict[str, Any]) -> str:
    """A modeler method goes under `<name>/<method>` already; a routing method is in the name itself."""
    bench = str(fields.get("bench", ""))
    return f"routbench-{bench}-{fields.get('method', '')}" if fields.get("family") == "routing" else bench


def _choices(named: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, key) for key, label in named.items()]
