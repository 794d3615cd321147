"""`corta tutor ask`: one turn with Molly on the knowledge base; threads continue across runs (SQLite)."""

from pathlib import Path
from typing import Annotated, Any

import typer

from corta.commands.common import JsonOption, ModelOption, load_settings, print_json
from corta.commands.reporting import reports_errors
from corta.errors import ConfigError

tutor_app = typer.Typer(help="Molly, the Python tutor.", no_args_is_help=True)
ModelReviewOption = Annotated[
    str,
    typer.Option(
        help="The modes whose first draft the model's rubric reviews besides the code checks: hint, explain,hint, "
        "or none."
    ),
]


@tutor_app.command("ask")
@reports_errors
def ask(
    question: Annotated[str, typer.Argument(help="The learner's question (English or Chinese).")],
    mode: Annotated[
        str, typer.Option(help="explain | hint (progressive hints, never a full solution).")
    ] = "explain",
    code: Annotated[Path | None, typer.Option(help="A file with the learner's code.")] = None,
    error: Annotated[str, typer.Option(help="The error message or traceback the learner got.")] = "",
    thread: Annotated[
        str | None, typer.Option(help="Continue this conversation (printed by earlier turns).")
    ] = None,
    rounds: Annotated[int, typer.Option(min=0, help="Revision rounds after reflection, at most.")] = 2,
    model_review: ModelReviewOption = "hint",
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a Python question with sources from the documentation, after checking the draft (and its code)."""
    from corta.agents.tutor.agent import Tutor
    from corta.agents.tutor.memory import sqlite_checkpointer
    from corta.models.llm import LLM
    from corta.models.runtime.connect import connect
    from corta.models.usage import UsageLedger
    from corta.retrieval.knowledge_base import KnowledgeBase

    settings = load_settings()
    reviewed = _modes(model_review)
    source = ""
    if code is not None:
        try:
            source = code.read_text(encoding="utf-8", errors="replace")
        except OSError as problem:
            raise ConfigError(f"Cannot read the code file {code}: {problem.strerror}.") from None
    knowledge_base = KnowledgeBase.load(settings.knowledge_base_dir())
    checkpointer = sqlite_checkpointer(settings.cache_dir / "tutor" / "conversations.sqlite")
    with connect(settings, model) as endpoint:
        llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
        tutor = Tutor(llm, knowledge_base, checkpointer, max_rounds=rounds, model_review=reviewed)
        result = tutor.ask(question, mode=mode, code=source, error=error, thread=thread)
    if as_json:
        print_json(result.contract())
        return
    typer.echo(result.answer)
    if result.sources:
        typer.echo("\nSources:")
        for number, passage in enumerate(result.sources, start=1):
            typer.echo(f"  [{number}] {passage['path']} (score {passage['score']:.2f})")
    typer.echo(
        f"\n({result.intent or 'question'}, {result.mode} mode, {result.rounds} revisions, {result.calls} LLM calls, "
        f"{result.seconds:.0f} s; continue with --thread {result.thread})"
    )


@reports_errors
def eval_tutor(
    bench: Annotated[str, typer.Option(help="qacp (explain mode) | socratic (hint mode, solution leaks).")],
    out: Annotated[Path, typer.Option(help="Output folder: results.jsonl, report.md, plots (resumable).")],
    data: Annotated[Path, typer.Option(help="The tutor data folder (qacp/, socratic_debugging/).")] = Path(
        "../shared/data/tutor"
    ),
    sample_size: Annotated[
        int | None, typer.Option("--sample", help="A seeded sample of this many items.")
    ] = None,
    sample_seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    rounds: Annotated[int, typer.Option(min=0, help="Revision rounds after reflection, at most.")] = 2,
    model_review: ModelReviewOption = "hint",
    limit: Annotated[int | None, typer.Option(min=0, help="Only the first N items (of the sample).")] = None,
    retrieval_only: Annotated[
        bool, typer.Option(help="qacp: perception and retrieval only (hit@3 in a fraction of the time).")
    ] = False,
    rejudge: Annotated[
        Path | None,
        typer.Option(
            help="qacp: judge again the drafts and answers recorded in this run folder (no tutor calls)."
        ),
    ] = None,
    model: ModelOption = None,
) -> None:
    """Evaluate Molly: hit@3, judged correctness of draft and answer, and latency (qacp); solution leaks in hint
    mode (socratic). Resumable; the report holds the command."""
    import sys

    from corta.agents.tutor.agent import Tutor
    from corta.agents.tutor.nodes import TutorNodes
    from corta.datasets.evaluate import run_evaluation, write_report
    from corta.datasets.sampling import sample
    from corta.datasets.tutor_eval import QacpRejudgeTask, QacpRetrievalTask, QacpTask, SocraticTask
    from corta.datasets.tutoring import load_qacp, load_socratic
    from corta.models.llm import LLM
    from corta.models.runtime.connect import connect
    from corta.models.usage import UsageLedger
    from corta.retrieval.knowledge_base import KnowledgeBase

    if bench not in ("qacp", "socratic"):
        raise ConfigError(f"Unknown tutor benchmark {bench!r}: use qacp or socratic.")
    if retrieval_only and bench != "qacp":
        raise ConfigError("--retrieval-only measures hit@3, which only the qacp benchmark has.")
    if rejudge is not None and (bench != "qacp" or retrieval_only):
        raise ConfigError(
            "--rejudge scores a qacp run's replies again, and cannot be combined with --retrieval-only."
        )
    settings = load_settings()
    reviewed = _modes(model_review)
    items = load_qacp(data) if bench == "qacp" else load_socratic(data)
    if sample_size is not None:
        items = sample(items, sample_size, seed=sample_seed)
    replies = {}
    if rejudge is not None:
        replies = _recorded_replies(rejudge, items)
        items = [item for item in items if item.id in replies]
    command = "corta " + " ".join(sys.argv[1:])
    with connect(settings, model) as endpoint:
        llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
        if replies:
            task: Any = QacpRejudgeTask(llm, replies)
        else:
            knowledge_base = KnowledgeBase.load(settings.knowledge_base_dir())
            if retrieval_only:
                task = QacpRetrievalTask(TutorNodes(llm, knowledge_base))
            else:
                tutor = Tutor(llm, knowledge_base, max_rounds=rounds, model_review=reviewed)
                task = QacpTask(tutor, llm) if bench == "qacp" else SocraticTask(tutor)
        run_evaluation(task, items, out, workers=1, limit=limit, command=command)
    if retrieval_only:
        title, timing = f"{bench}: Molly tutor, perception and retrieval only", "perceive_seconds"
    elif replies:
        title, timing = f"{bench}: Molly tutor, judged again from {rejudge}", "final_score"
    else:
        title, timing = f"{bench}: Molly tutor", "answer_seconds"
    report = write_report(out, title, command, timing)
    typer.echo(f"report: {report}")


def _modes(listed: str) -> tuple[str, ...]:
    """The modes named in a comma-separated option ("none" for none), checked before any model starts."""
    from corta.agents.tutor.agent import MODES

    modes = tuple(mode.strip() for mode in listed.split(",") if mode.strip() and mode.strip() != "none")
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        raise ConfigError(
            f"--model-review names modes ({', '.join(MODES)} or none), not {', '.join(unknown)}."
        )
    return modes


def _recorded_replies(run_dir: Path, items: list[Any]) -> dict[str, dict[str, Any]]:
    """The records of `run_dir` that hold a first draft and an answer, by id, for `items`.

    Raises
    ------
    ConfigError
        If none of `items` has such a record there.
    """
    from corta.datasets.evaluate import read_results

    wanted = {item.id for item in items}
    replies = {
        record.id: record.model_dump()
        for record in read_results(run_dir)
        if record.id in wanted and {"first_draft", "answer"} <= set(record.model_extra or {})
    }
    if not replies:
        raise ConfigError(
            f"{run_dir} records no first draft for these items: run the qacp evaluation there first."
        )
    return replies
