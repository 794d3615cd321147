"""`corta l2s`: the Long-to-Short experiment — grow a System-1 / System-2 pair from a small base on the CPU, merge
it by every method; `corta eval l2s` measures accuracy and response length of the models side by side."""

import shlex
from pathlib import Path
from typing import Annotated

import typer

from corta.commands.common import ThreadsOption, load_settings
from corta.commands.reporting import reports_errors

l2s_app = typer.Typer(help="The Long-to-Short merging experiment on a small model.", no_args_is_help=True)

PairOption = Annotated[Path, typer.Option(help="The pair's folder (system1/, system2/, recipes/, merged/).")]


@l2s_app.command("pair")
@reports_errors
def pair(
    out: PairOption,
    base: Annotated[
        Path | None,
        typer.Option(help="Base model: a Hugging Face folder or GGUF file (default: SmolLM2-135M)."),
    ] = None,
    problems: Annotated[int, typer.Option(min=8, help="Generated training problems.")] = 400,
    short_steps: Annotated[int, typer.Option(min=1, help="Batches of short answers for System 1.")] = 150,
    long_steps: Annotated[int, typer.Option(min=1, help="Batches of long solutions for System 2.")] = 300,
    batch_size: Annotated[int, typer.Option(min=1)] = 8,
    style: Annotated[
        str,
        typer.Option(
            help="answer: System 1 answers only, System 2 works the steps out · steps: System 1 works the steps "
            "out, System 2 also re-checks each one (the paper's kind of pair)."
        ),
    ] = "answer",
    threads: ThreadsOption = None,
) -> None:
    """Fine-tune System 1 (shorter solutions) from the base, then System 2 (longer ones) from System 1."""
    from corta.errors import ConfigError
    from corta.models.merging.l2s_pair import PAIR_STYLES, build_pair
    from corta.models.runtime.catalog import TINY_MODEL

    settings = load_settings(threads)
    source = base or TINY_MODEL.path(settings.cache_dir)
    if style not in PAIR_STYLES:
        raise ConfigError(f"Unknown pair style {style!r}; choose one of {', '.join(PAIR_STYLES)}.")
    reports = build_pair(
        source, out, settings.cache_dir, problems, short_steps, long_steps, batch_size, style=style
    )
    for name, report in reports.items():
        cut = f" ({report.truncated} examples cut at the token limit)" if report.truncated else ""
        typer.echo(
            f"{name}: loss {report.first_loss:.3f} -> {report.last_loss:.3f} in {report.seconds:.0f} s{cut}"
        )
    typer.echo(f"recipes: {out / 'recipes'}")


@l2s_app.command("merge")
@reports_errors
def merge(
    out: PairOption,
    method: Annotated[list[str] | None, typer.Option(help="Only these methods (repeatable).")] = None,
    weight: Annotated[
        list[float] | None,
        typer.Option(
            help="Also task arithmetic with this System-2 weight (repeatable): a sweep between the two."
        ),
    ] = None,
    threads: ThreadsOption = None,
) -> None:
    """Merge the pair by each method of the L2S study (skips merges already made)."""
    from corta.models.merging.l2s_pair import merge_pair, write_weight_sweep

    load_settings(threads)
    swept = [path.stem for path in write_weight_sweep(out, weight)] if weight else []
    for report in merge_pair(out, [*method, *swept] if method else None):
        typer.echo(f"{report.method}: {report.tensors} tensors in {report.seconds:.1f} s -> {report.out_dir}")


@reports_errors
def eval_l2s(
    models: Annotated[list[Path], typer.Argument(help="Model folders: System 1, System 2, then the merges.")],
    out: Annotated[
        Path, typer.Option(help="Output folder: one sub-folder per model, comparison.md (resumable).")
    ],
    problems: Annotated[int, typer.Option(min=1, help="Held-out problems.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the held-out problems (training used 0).")] = 1000,
    max_new_tokens: Annotated[
        int, typer.Option(min=8, help="Token limit of a reply (the steps pair's System 2 writes up to 600).")
    ] = 640,
    batch_size: Annotated[
        int,
        typer.Option(min=1, help="Problems generated together (greedy: the replies do not depend on it)."),
    ] = 8,
    threads: ThreadsOption = None,
) -> None:
    """Accuracy and mean response length of each model on held-out problems, against System 1 and System 2."""
    from corta.datasets.evaluate import run_evaluation, write_report
    from corta.datasets.l2s_eval import L2SModelTask, write_comparison
    from corta.datasets.l2s_problems import generate_problems
    from corta.errors import ConfigError

    if len(models) < 2:
        raise ConfigError("Name System 1 and System 2 first, then the merges to compare.")
    load_settings(threads)
    items = generate_problems(problems, seed=seed)
    command = shlex.join(
        ["corta", "eval", "l2s", *map(str, models), "--out", str(out), "--problems", str(problems), "--seed",
         str(seed), "--max-new-tokens", str(max_new_tokens), "--batch-size", str(batch_size)]
    )  # fmt: skip
    names = [_label(path) for path in models]
    for path, name in zip(models, names, strict=True):
        folder = out / name
        task = L2SModelTask(path, max_new_tokens, batch_size)
        run_evaluation(task, items, folder, workers=batch_size, command=command)
        write_report(folder, f"Long-to-Short: {name}", command, "tokens")
    comparison = write_comparison(out, names[0], names[1], command)
    typer.echo(f"comparison: {comparison}")


def _label(path: Path) -> str:
    """A model's name in the report: its folder, prefixed by its parent when that is `merged`."""
    return f"merged-{path.name}" if path.parent.name == "merged" else path.name
