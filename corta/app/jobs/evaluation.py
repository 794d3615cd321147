"""An evaluation started from the app: the loaders, tasks, batch runner and reports of `corta eval or|routing|tutor`,
on the app's LLM, written under `<cache_dir>/app/evaluations/<name>` (a modeler method under `<name>/<method>`, so
that methods run under one name are compared side by side in `<name>/comparison.md`).

`plan_evaluation` does what can fail fast (checking the request, loading and sampling the items, making the task
and its reward model), so that a mistake is one sentence before anything runs; the `PlannedEvaluation` it returns
runs in the background and tells how far it is by counting its records in results.jsonl.
"""

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corta.app.jobs.runner import JobProgress
from corta.app.services import AgentServices
from corta.config import Settings
from corta.datasets.corrections import Corrections
from corta.datasets.evaluate import RESULTS_FILE, run_evaluation, write_report
from corta.errors import ConfigError

Family = Literal["or", "routing", "tutor"]

FAMILIES: dict[str, str] = {"or": "OR modeler", "routing": "Routing (RoutBench)", "tutor": "Tutor (Molly)"}
TUTOR_BENCHMARKS: dict[str, str] = {
    "qacp": "QACP (explain mode)",
    "socratic": "Socratic debugging (hint mode)",
}
ROUTING_SPLITS: dict[str, str] = {
    "simple": "RoutBench simple",
    "complex": "RoutBench complex",
    "all": "RoutBench all",
}
ROUTING_METHODS = ("ars", "ars-llm", "direct", "oracle")
PRM_KINDS = ("scorer", "judge", "served")
DEFAULT_DATA: dict[str, Path] = {
    "or": Path("../shared/data/or"),
    "routing": Path("../shared/data/routing/routbench"),
    "tutor": Path("../shared/data/tutor"),
}


def benchmarks(family: str) -> dict[str, str]:
    """The benchmarks of a family (for routing: RoutBench's splits), by name, with a label each."""
    if family == "or":
        from corta.datasets.optimization import VARIANTS

        return {name: name for name in VARIANTS}
    return TUTOR_BENCHMARKS if family == "tutor" else ROUTING_SPLITS


def methods(family: str) -> tuple[str, ...]:
    """The methods a family is evaluated with (the tutor has one: the mode follows the benchmark)."""
    if family == "or":
        from corta.agents.modeler.methods import METHODS

        return tuple(METHODS)
    return ROUTING_METHODS if family == "routing" else ("molly",)


def evaluations_dir(settings: Settings) -> Path:
    """Where the app's evaluations are written."""
    return settings.cache_dir / "app" / "evaluations"


class EvaluationRequest(BaseModel):
    """What the Evaluate tab asks for: a benchmark of a family, a method, a sample, and the output's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: Family
    bench: str = Field(
        description="An OR benchmark, a tutor benchmark (qacp | socratic), or a RoutBench split."
    )
    method: str = Field(description="A modeler method, a routing method; ignored for the tutor.")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$", description="The output folder's name.")
    data: Path
    sample_size: int | None = Field(None, ge=1)
    sample_seed: int = 0
    workers: int = Field(1, ge=1, le=32)
    prm: str = "scorer"
    customers: int = 25
    seconds: float = Field(5.0, gt=0, le=600)
    rounds: int = Field(2, ge=0, le=10)


def parse_request(fields: dict[str, Any]) -> EvaluationRequest:
    """Check what the form holds.

    Raises
    ------
    ConfigError
        When a field is missing or out of range, or the benchmark or method is not one of the family's.
    """
    try:
        request = EvaluationRequest.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "request"
        if where == "name":
            raise ConfigError(
                "The output name must be one folder name: letters, digits, '.', '_' or '-' (at most 80)."
            ) from None
        raise ConfigError(f"The evaluation's {where.replace('_', ' ')} is invalid: {first['msg']}.") from None
    if request.bench not in benchmarks(request.family):
        known = ", ".join(benchmarks(request.family))
        raise ConfigError(f"Unknown {FAMILIES[request.family]} benchmark {request.bench!r}; known: {known}.")
    if request.family != "tutor" and request.method not in methods(request.family):
        known = ", ".join(methods(request.family))
        raise ConfigError(f"Unknown {FAMILIES[request.family]} method {request.method!r}; known: {known}.")
    if request.family == "or" and request.prm not in PRM_KINDS:
        raise ConfigError(f"Unknown reward model {request.prm!r}; known: {', '.join(PRM_KINDS)}.")
    return request


@dataclass
class PlannedEvaluation:
    """An evaluation ready to run: its items, task, output folder and the equivalent command line."""

    request: EvaluationRequest
    out_dir: Path
    items: list[Any]
    task: Any
    title: str
    plot_field: str
    command: str
    workers: int = 1
    corrections: Corrections | None = None

    def run(self) -> dict[str, Any]:
        """Run the items not yet recorded (resuming a folder that holds some), then write the report (and, for a
        modeler method, the label corrections and the methods' comparison); returns where they are and the
        counts."""
        summary = run_evaluation(
            self.task, self.items, self.out_dir, workers=self.workers, progress=False, command=self.command
        )
        report = write_report(self.out_dir, self.title, self.command, self.plot_field)
        result: dict[str, Any] = {
            "report": str(report),
            "items": summary.overall.items,
            "successes": summary.overall.successes,
            "errors": summary.overall.errors,
        }
        if self.corrections is not None:
            from corta.datasets.or_compare import write_comparison

            corrected = self.corrections.report(self.items)
            with report.open("a", encoding="utf-8") as handle:
                handle.write(f"\n## Label corrections applied ({len(corrected)})\n\n")
                handle.writelines(f"- {json.dumps(entry, ensure_ascii=False)}\n" for entry in corrected)
            title = f"{self.request.bench}: modeler methods side by side"
            result["comparison"] = str(write_comparison(self.out_dir.parent, title))
        return result

    def progress(self) -> JobProgress:
        """How many of the items have a record in results.jsonl, and how many of those succeeded."""
        wanted = {item.id for item in self.items}
        records: dict[str, dict[str, Any]] = {}
        path = self.out_dir / RESULTS_FILE
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the line being written right now
            if isinstance(record, dict) and record.get("id") in wanted:
                records.setdefault(record["id"], record)
        successes = sum(bool(record.get("success")) for record in records.values())
        errors = sum(record.get("error") is not None for record in records.values())
        text = f"{len(records)}/{len(self.items)} done, {successes} succeeded"
        if errors:
            text += f", {errors} stopped on an error"
        return JobProgress(len(records), len(self.items), text)


def plan_evaluation(request: EvaluationRequest, services: AgentServices) -> PlannedEvaluation:
    """Load and sample the items, make the task on the app's LLM, and choose the output folder.

    Raises
    ------
    ConfigError
        When the method's reward model or the tutor's knowledge base is missing, or a setting is out of range.
    corta.errors.DatasetError
        When the benchmark's files are missing or unreadable.
    """
    from corta.datasets.sampling import sample

    root = evaluations_dir(services.settings) / request.name
    planners = {"or": _plan_or, "routing": _plan_routing, "tutor": _plan_tutor}
    planned = planners[request.family](request, services, root)
    if request.sample_size is not None:
        planned.items = sample(planned.items, request.sample_size, seed=request.sample_seed)
    if not planned.items:
        raise ConfigError(f"{request.bench} holds no items to evaluate in {request.data}.")
    planned.out_dir.mkdir(parents=True, exist_ok=True)
    sample_ids = json.dumps([item.id for item in planned.items], indent=1) + "\n"
    (planned.out_dir / "sample_ids.json").write_text(sample_ids, encoding="utf-8")
    return planned


def _command(words: list[str], request: EvaluationRequest, services: AgentServices) -> str:
    """The command line that runs the same evaluation from a shell."""
    if request.sample_size is not None:
        words += ["--sample", str(request.sample_size), "--sample-seed", str(request.sample_seed)]
    return shlex.join(["corta", "eval", *words, "--model", services.endpoint.base_url])


def _plan_or(request: EvaluationRequest, services: AgentServices, root: Path) -> PlannedEvaluation:
    from corta.agents.modeler.prm_choice import prm_for_method
    from corta.datasets.optimization import load_benchmark
    from corta.datasets.or_eval import ModelerTask

    corrections = Corrections.load()
    problems = load_benchmark(request.bench, request.data, corrections=corrections)
    problems = [problem for problem in problems if problem.status != "unknown"]
    llm = services.llm
    task = ModelerTask(
        llm, request.method, prm_for_method(request.prm, request.method, llm, services.settings)
    )
    out_dir = root / request.method
    words = ["or", "--bench", request.bench, "--data", str(request.data), "--out", str(out_dir)]
    words += ["--method", request.method, "--prm", request.prm, "--workers", str(request.workers)]
    title = f"{request.bench}: modeler method {request.method}"
    command = _command(words, request, services)
    return PlannedEvaluation(
        request, out_dir, list(problems), task, title, "wall_seconds", command, request.workers, corrections
    )


def _plan_routing(request: EvaluationRequest, services: AgentServices, root: Path) -> PlannedEvaluation:
    from corta.datasets.routbench import load_routbench
    from corta.datasets.routing_eval import ReferenceRuns, RoutingAgentTask, RoutingOracleTask

    variants = load_routbench(request.data, request.bench, request.customers)  # type: ignore[arg-type]
    task: Any
    if request.method == "oracle":
        task = RoutingOracleTask(request.data, seconds=request.seconds)
        title = f"RoutBench with reference checkers ({request.bench}, {request.customers} customers)"
    else:
        from corta.agents.router.prefilter import Prefilter

        task = RoutingAgentTask(
            request.data, services.llm, request.method, seconds=request.seconds, rounds=request.rounds,
            references=ReferenceRuns(root.parent / "reference_runs.jsonl"),
            prefilter=Prefilter() if request.method != "direct" else None,
        )  # fmt: skip
        title = f"RoutBench, method {request.method} ({request.bench}, {request.customers} customers)"
    words = ["routing", "--data", str(request.data), "--out", str(root), "--method", request.method]
    words += ["--split", request.bench, "--size", str(request.customers), "--seconds", f"{request.seconds:g}"]
    words += ["--rounds", str(request.rounds), "--workers", str(request.workers)]
    command = _command(words, request, services)
    return PlannedEvaluation(request, root, list(variants), task, title, "cost", command, request.workers)


def _plan_tutor(request: EvaluationRequest, services: AgentServices, root: Path) -> PlannedEvaluation:
    from corta.agents.tutor.agent import Tutor
    from corta.datasets.tutor_eval import QacpTask, SocraticTask
    from corta.datasets.tutoring import load_qacp, load_socratic

    items: list[Any] = list(
        load_qacp(request.data) if request.bench == "qacp" else load_socratic(request.data)
    )
    tutor = Tutor(services.llm, services.tutor.retriever, max_rounds=request.rounds)
    task = QacpTask(tutor, services.llm) if request.bench == "qacp" else SocraticTask(tutor)
    words = ["tutor", "--bench", request.bench, "--out", str(root), "--data", str(request.data)]
    words += ["--rounds", str(request.rounds)]
    title = f"{request.bench}: Molly tutor"  # one item at a time, as `corta eval tutor` runs them
    return PlannedEvaluation(
        request, root, items, task, title, "answer_seconds", _command(words, request, services)
    )
