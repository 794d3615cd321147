"""The Models tab: what serves the agents (engine, model, base URL; its decode speed on demand), what the LLM calls
have cost, and merging a recipe in the background.

The speed probe is `corta llm info --probe`'s: one warm-up token, then a short count timed. A merge runs
`corta merge`'s `run_merge` in the app's job runner (`corta.app.jobs.merge`); a timer shows the megabytes written
until the merge report (or the error's sentence) appears.
"""

import html
import json
from pathlib import Path
from typing import Any

import gradio as gr

from corta.app.jobs.merge import SHIPPED_RECIPES, plan_merge, read_recipe, shipped_recipes
from corta.app.jobs.runner import JobRunner, JobStatus, runner_for
from corta.app.services import AgentServices
from corta.app.ui.errors import error_markdown
from corta.app.ui.evaluate_tab import progress_bar
from corta.config import Settings
from corta.errors import CortaError
from corta.models.llm import LLM
from corta.models.runtime.health import served_models
from corta.models.runtime.probe import decode_speed
from corta.models.usage import CallUsage, UsageLedger

JOB_KIND = "merge"
USAGE_HEADERS = ["purpose", "calls", "prompt_tokens", "completion_tokens", "latency_s"]


def serving_text(services: AgentServices) -> str:
    """The engine, model and base URL the agents call."""
    endpoint = services.endpoint
    return (
        f"- engine: `{endpoint.engine}`\n- model: `{endpoint.model}`\n- base URL: `{endpoint.base_url}`\n"
        f"- structured output: `{endpoint.structured_output}`"
    )


def probe_speed(services: AgentServices) -> str:
    """The models the server lists and its decode speed on a short count, as markdown.

    Raises
    ------
    corta.errors.LLMUnavailableError
        When the server does not answer.
    """
    endpoint = services.endpoint
    listed = served_models(endpoint.base_url, endpoint.api_key)
    llm = LLM(endpoint, timeout_s=services.settings.llm_timeout_s)  # its own ledger: probes are not usage
    tokens, seconds = decode_speed(llm)
    models = ", ".join(f"`{name}`" for name in listed) if listed else "(no listing)"
    return (
        f"**{tokens / seconds:.1f} tokens/s** ({tokens} tokens in {seconds:.2f} s) · served models: {models}"
    )


def usage_rows(ledger: UsageLedger) -> list[list[Any]]:
    """One row per purpose and a total row: calls, tokens and latency."""
    rows = [
        [purpose, *(totals[key] for key in USAGE_HEADERS[1:])]
        for purpose, totals in ledger.by_purpose().items()
    ]
    summary = ledger.summary()
    return [*rows, ["all", *(summary[key] for key in USAGE_HEADERS[1:])]] if rows else []


def ledger_file_rows(settings: Settings) -> tuple[str, list[list[Any]]]:
    """A line on the usage ledger file (`usage_ledger`) and its totals per purpose over every run that wrote it."""
    path = settings.usage_ledger
    if path is None:
        return "No usage ledger file is configured (set `usage_ledger` to keep one across runs).", []
    if not path.is_file():
        return f"The usage ledger `{path}` holds no calls yet.", []
    ledger = UsageLedger()
    skipped = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            ledger.calls.append(CallUsage(**json.loads(line)))
        except (ValueError, TypeError):
            skipped += 1
    note = f" ({skipped} unreadable lines skipped)" if skipped else ""
    return f"All runs in the usage ledger `{path}`{note}:", usage_rows(ledger)


def merge_status_text(status: JobStatus | None) -> str:
    """One line on a merge: running with the megabytes written, its report, or the error's sentence."""
    if status is None:
        return ""
    seconds = f" ({status.seconds:.0f} s)" if status.seconds is not None else ""
    if status.state == "running":
        written = status.progress.text if status.progress is not None else "starting"
        return f"**Merging**{seconds}: {written}."
    if status.state == "failed":
        return f"**Merge failed**{seconds}: {html.escape(status.error or 'no reason recorded.')}"
    report = status.result or {}
    lines = [
        f"**Merged** with `{report.get('method')}`: {report.get('tensors')} tensors, "
        f"{report.get('parameters', 0) / 1e6:.1f}M parameters ({report.get('dtype')}) in {report.get('seconds')} s "
        f"→ `{report.get('out_dir')}`"
    ]
    lines += [f"- warning: {html.escape(warning)}" for warning in report.get("warnings", [])]
    return "\n".join(lines)


def start_merge(
    services: AgentServices, runner: JobRunner, shipped: str | None, pasted: str, out_dir: str
) -> tuple[str, str, bool]:
    """Check the recipe (`shipped`: one of `shipped_recipes()`, as the tab's dropdown ensures) and the output
    folder, and start the merge: (run id, status line, whether to watch).

    A mistake (a bad recipe, an output folder in use, a busy runner) comes back as the status line."""
    try:
        recipe = read_recipe(Path(shipped) if shipped else None, pasted or "")
        runner.ensure_idle()
        planned = plan_merge(recipe, out_dir or "", services.settings.cache_dir)
        params = {
            "recipe": shipped or "(pasted)",
            "method": recipe.merge_method,
            "out_dir": str(planned.out_dir),
        }
        run_id = runner.submit(JOB_KIND, params, planned.run, planned.progress)
    except CortaError as error:
        return "", error_markdown(error), False
    return run_id, merge_status_text(runner.status(run_id)), True


def build_models_tab(services: AgentServices) -> None:
    """The Models tab's components and events (inside the caller's `gr.Tab`)."""
    runner = runner_for(services.store)
    settings = services.settings
    gr.Markdown("### What is serving")
    gr.Markdown(serving_text(services), elem_id="models-serving")
    probe_button = gr.Button("Probe speed", elem_id="models-probe")
    probe_text = gr.Markdown(elem_id="models-probe-result")
    gr.Markdown("### LLM usage")
    session_usage = gr.Dataframe(
        headers=USAGE_HEADERS, label="This app, since it started", interactive=False, elem_id="models-usage"
    )
    file_note = gr.Markdown()
    file_usage = gr.Dataframe(headers=USAGE_HEADERS, label="Usage ledger file", interactive=False)
    refresh_usage = gr.Button("Refresh usage")
    gr.Markdown("### Merge a recipe")
    with gr.Row():
        recipe = gr.Dropdown(
            [(str(path.relative_to(SHIPPED_RECIPES.parent)), str(path)) for path in shipped_recipes()],
            label="Shipped recipe",
            value=None,
            scale=2,
            elem_id="models-recipe",
        )
        out_dir = gr.Textbox(label="Output folder (new)", scale=2, elem_id="models-out")
    pasted = gr.Code(
        language="yaml",
        label="Recipe YAML (a shipped recipe shows here; edit it or paste your own — relative model paths are "
        "read from the shipped recipe's folder, else from the app's working folder)",
        elem_id="models-yaml",
    )
    merge_button = gr.Button("Merge", variant="primary", elem_id="models-merge")
    run_id = gr.Textbox(label="Run", interactive=False, elem_id="models-merge-run")
    bar = gr.HTML(elem_id="models-merge-progress")
    status = gr.Markdown(elem_id="models-merge-status")
    timer = gr.Timer(1.0, active=False)

    def probe() -> str:
        try:
            return probe_speed(services)
        except CortaError as error:
            return error_markdown(error)

    def usage() -> tuple[Any, ...]:
        note, rows = ledger_file_rows(settings)
        return usage_rows(services.llm.ledger), note, rows

    def choose(shipped: str | None) -> tuple[str, str]:
        if not shipped:  # the dropdown only takes the shipped recipes
            return "", ""
        path = Path(shipped)
        return path.read_text(encoding="utf-8"), str(settings.cache_dir / "app" / "merges" / path.stem)

    def start(shipped: str | None, yaml_text: str, folder: str) -> tuple[Any, ...]:
        new_run, line, watch = start_merge(services, runner, shipped, yaml_text, folder)
        shown = progress_bar(None, watch)
        return new_run, shown, line, gr.Timer(active=watch)

    def watch(watched: str) -> tuple[Any, ...]:
        job = runner.status(watched) if watched else None
        running = job is not None and job.state == "running"
        shown = progress_bar(job.progress if job else None, running)
        return shown, merge_status_text(job), gr.Timer(active=running)

    def resume() -> tuple[Any, ...]:
        job = runner.running()
        if job is None or job.kind != JOB_KIND:
            return gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False)
        return job.run_id, progress_bar(job.progress, True), merge_status_text(job), gr.Timer(active=True)

    probe_button.click(probe, None, probe_text, api_name="models_probe")
    refresh_usage.click(usage, None, [session_usage, file_note, file_usage], api_name="models_usage")
    gr.on(None, usage, None, [session_usage, file_note, file_usage], api_visibility="private")
    recipe.change(choose, recipe, [pasted, out_dir], api_name="models_recipe")
    merge_button.click(
        start, [recipe, pasted, out_dir], [run_id, bar, status, timer], api_name="models_merge"
    )
    timer.tick(
        watch,
        run_id,
        [bar, status, timer],
        api_name="models_merge_status",
        show_progress="hidden",
        concurrency_limit=None,
    )
    gr.on(None, resume, None, [run_id, bar, status, timer], api_visibility="private")
