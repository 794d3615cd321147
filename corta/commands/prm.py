"""`corta prm`: train the scorer PRM on solver-verified perturbations of the gold models, and evaluate it held out.

The problems are split by id (seeded): `train` learns from three quarters of them and records the split beside the
weights; `eval` scores every labelled prefix of the held-out quarter and writes a report with the exact commands;
`cv` holds every problem out once (k folds) and reports the pooled scores, which a split of ten problems cannot.
"""

import json
import os
import shlex
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from corta.commands.common import ThreadsOption, load_settings
from corta.commands.reporting import reports_errors

prm_app = typer.Typer(
    help="Train and evaluate the trained process reward model (the scorer).", no_args_is_help=True
)

ModelsOption = Annotated[Path, typer.Option(help="Folder of gold models (IR JSON with answers).")]
DataOption = Annotated[
    Path, typer.Option(help="Benchmark data root, for the questions the models formulate.")
]
EpochsOption = Annotated[int, typer.Option(min=1, help="Passes over the training prefixes.")]
PerOperatorOption = Annotated[int, typer.Option(min=1, help="Perturbations tried per operator and model.")]
MaxLengthOption = Annotated[int, typer.Option(min=32, max=512, help="Tokens the cross-encoder reads.")]
ReportOption = Annotated[Path, typer.Option(help="Report path without suffix: .md and .json are written.")]
DEFAULT_MODELS = Path("tests/fixtures/models")
DEFAULT_DATA = Path("../shared/data/or")
DEFAULT_REPORT = Path("docs/results/prm_scorer")
DEFAULT_CV_REPORT = Path("docs/results/prm_cross_validation")


def _command(context: typer.Context) -> str:
    """The running command as a user types it: `corta prm <name>` and the options given on the command line."""
    parts = ["corta", "prm", context.info_name or ""]
    for parameter in context.command.params:
        source = context.get_parameter_source(parameter.name or "")
        if source is None or source.name != "COMMANDLINE":
            continue
        value = context.params[parameter.name or ""]
        parts += (
            [parameter.opts[0]] if getattr(parameter, "is_flag", False) else [parameter.opts[0], str(value)]
        )
    return shlex.join(parts)


@prm_app.command("train")
@reports_errors
def train(
    context: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Where to save the scorer (default: the cache).")] = None,
    epochs: EpochsOption = 6,
    seed: Annotated[int, typer.Option(help="Seed of the split, the perturbations and training.")] = 0,
    models: ModelsOption = DEFAULT_MODELS,
    data: DataOption = DEFAULT_DATA,
    per_operator: PerOperatorOption = 3,
    max_length: MaxLengthOption = 256,
    threads: ThreadsOption = None,
) -> None:
    """Fine-tune the cross-encoder on the training problems' gold and perturbed prefixes."""
    from corta.models.reward.scorer import ScorerPRM, default_scorer_path
    from corta.models.reward.scorer_training import fit
    from corta.models.reward.training_data import build_examples, load_gold_models, split_by_problem

    settings = load_settings(threads)
    golds = load_gold_models(models, data)
    train_ids, held_out = split_by_problem([gold.id for gold in golds], seed=seed)
    started = time.perf_counter()
    examples = build_examples([gold for gold in golds if gold.id in train_ids], seed, per_operator)
    data_seconds = time.perf_counter() - started
    scorer = ScorerPRM.untrained(max_length)
    scorer.info |= {
        "command": _command(context), "per_operator": per_operator, "train_problems": train_ids,
        "held_out_problems": held_out, "data_seconds": round(data_seconds, 1),
    }  # fmt: skip
    losses = fit(scorer, examples, epochs=epochs, seed=seed, progress=True)
    path = scorer.save(out or default_scorer_path(settings))
    positives = scorer.info["positives"]
    typer.echo(
        f"trained on {len(train_ids)} problems, {scorer.info['examples']} prefixes ({positives} correct) in "
        f"{scorer.info['train_seconds']:.0f} s; loss by epoch {', '.join(f'{loss:.3f}' for loss in losses)}"
    )
    typer.echo(f"saved to {path}; held out: {len(held_out)} problems")


@prm_app.command("eval")
@reports_errors
def evaluate(
    context: typer.Context,
    model: Annotated[Path | None, typer.Option(help="The saved scorer (default: the cache).")] = None,
    models: ModelsOption = DEFAULT_MODELS,
    data: DataOption = DEFAULT_DATA,
    report: ReportOption = DEFAULT_REPORT,
    threads: ThreadsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Step-level accuracy, F1 and ROC AUC on the problems the scorer was not trained on."""
    from corta.models.reward.evaluation import evaluate_prm
    from corta.models.reward.scorer import ScorerPRM, default_scorer_path
    from corta.models.reward.training_data import build_examples, load_gold_models

    settings = load_settings(threads)
    path = model or default_scorer_path(settings)
    scorer = ScorerPRM.load(path)
    held_out = set(scorer.info.get("held_out_problems", []))
    golds = [gold for gold in load_gold_models(models, data) if gold.id in held_out]
    examples = build_examples(golds, scorer.info.get("seed", 0), scorer.info.get("per_operator", 3))
    started = time.perf_counter()
    metrics = evaluate_prm(scorer, examples)
    record = {
        "command": _command(context),
        "train_command": scorer.info.get("command"),
        "model": str(path),
        "train_problems": scorer.info.get("train_problems", []),
        "held_out_problems": sorted(held_out),
        "metrics": metrics.to_json(),
        "eval_seconds": round(time.perf_counter() - started, 1),
        "training": {
            key: value
            for key, value in scorer.info.items()
            if key not in ("train_problems", "held_out_problems")
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "threads": threads,
        },
    }
    _write_report(report, record)
    if as_json:
        typer.echo(json.dumps(record))
        return
    levels = " / ".join(f"{auc:.3f}" for auc in metrics.roc_auc_by_level.values())
    typer.echo(
        f"held out: {len(golds)} problems, {metrics.examples} prefixes ({metrics.positives} correct)\n"
        f"accuracy {metrics.accuracy:.3f}  F1 {metrics.f1:.3f}  F1 (wrong) {metrics.f1_wrong:.3f}  "
        f"ROC AUC {metrics.roc_auc:.3f}  (within L1 / L2 / L3: {levels}; pairwise {metrics.pairwise_accuracy:.3f})\n"
        f"report: {report.parent / f'{report.name}.md'}"
    )


@prm_app.command("cv")
@reports_errors
def cross_validate_scorer(
    context: typer.Context,
    folds: Annotated[int, typer.Option(min=2, help="Folds of problems; each is held out once.")] = 4,
    epochs: EpochsOption = 6,
    seed: Annotated[int, typer.Option(help="Seed of the folds, the perturbations and training.")] = 0,
    models: ModelsOption = DEFAULT_MODELS,
    data: DataOption = DEFAULT_DATA,
    per_operator: PerOperatorOption = 3,
    max_length: MaxLengthOption = 256,
    report: ReportOption = DEFAULT_CV_REPORT,
    threads: ThreadsOption = None,
) -> None:
    """Train a scorer per fold on the other folds' problems and score the fold: every gold problem held out once."""
    from corta.models.reward.cross_validation import cross_validate
    from corta.models.reward.scorer import ScorerPRM
    from corta.models.reward.scorer_training import fit
    from corta.models.reward.training_data import StepExample, build_examples, load_gold_models

    load_settings(threads)
    examples = build_examples(load_gold_models(models, data), seed, per_operator)

    def train(fold_examples: list[StepExample]) -> ScorerPRM:
        scorer = ScorerPRM.untrained(max_length)
        fit(scorer, fold_examples, epochs=epochs, seed=seed, progress=True)
        return scorer

    started = time.perf_counter()
    result = cross_validate(examples, train, folds, seed)
    record = {
        "command": _command(context),
        "folds": result.folds,
        "fold_metrics": [metrics.to_json() for metrics in result.fold_metrics],
        "pooled": result.pooled.to_json(),
        "seconds": round(time.perf_counter() - started, 1),
        "training": {"epochs": epochs, "max_length": max_length, "per_operator": per_operator, "seed": seed},
        "machine": {"cpus": os.cpu_count(), "threads": threads},
    }
    _write_cv_report(report, record)
    pooled = record["pooled"]
    fold_aucs = ", ".join(_number(metrics["roc_auc"]) for metrics in record["fold_metrics"])
    typer.echo(
        f"{sum(map(len, result.folds))} problems in {folds} folds, {pooled['examples']} prefixes: pooled ROC AUC "
        f"{_number(pooled['roc_auc'])} (per fold {fold_aucs}), pairwise {_number(pooled['pairwise_accuracy'])}\n"
        f"report: {report.parent / f'{report.name}.md'}"
    )


def _write_cv_report(path: Path, record: dict[str, Any]) -> None:
    """`path`.json (the record) and `path`.md (the command, the pooled and per-fold metrics)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / f"{path.name}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    rows = [("pooled", record["pooled"], sum(map(len, record["folds"])))]
    rows += [
        (f"fold {i + 1}", m, len(ids))
        for i, (m, ids) in enumerate(zip(record["fold_metrics"], record["folds"], strict=True))
    ]
    lines = [
        "# PRM scorer: cross-validated over problems",
        "",
        f"`{record['command']}`",
        "",
        f"Every gold problem is held out once: a scorer is trained on the other folds' problems "
        f"({record['training']['epochs']} epochs, {record['training']['max_length']} tokens) and scores the fold's "
        f"labelled prefixes; the pooled row measures all folds' scores together. {record['seconds']} s on "
        f"{record['machine']['cpus']} CPUs, torch threads {record['machine']['threads'] or 'default'}.",
        "",
        "| | problems | prefixes | ROC AUC | AUC within L1 / L2 / L3 | pairwise accuracy | accuracy |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {problems} | {m['examples']} | {_number(m['roc_auc'])} | "
            f"{' / '.join(map(_number, m['roc_auc_by_level'].values()))} | {_number(m['pairwise_accuracy'])} | "
            f"{m['accuracy']:.3f} |"
            for name, m, problems in rows
        ),
        "",
        *(f"Fold {i + 1}: {', '.join(ids)}." for i, ids in enumerate(record["folds"])),
        "",
    ]
    (path.parent / f"{path.name}.md").write_text("\n".join(lines), encoding="utf-8")


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _write_report(path: Path, record: dict[str, Any]) -> None:
    """`path`.json (the record) and `path`.md (the commands, the metrics, the scores by origin)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / f"{path.name}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    metrics, training = record["metrics"], record["training"]
    lines = [
        "# PRM scorer: step-level quality on held-out problems",
        "",
        f"`{training.get('command')}` then `{record['command']}`",
        "",
        f"Each labelled prefix of a held-out problem's gold model (correct) and of its solver-verified perturbations "
        f"(wrong) is one decision; a prefix is predicted correct when its score is at least {metrics['threshold']}. "
        f"{len(record['held_out_problems'])} held-out problems, {metrics['examples']} prefixes, "
        f"{metrics['positives']} of them correct.",
        "",
        "| accuracy | F1 (correct) | F1 (wrong) | ROC AUC | AUC within L1 / L2 / L3 | pairwise accuracy |",
        "|---|---|---|---|---|---|",
        f"| {metrics['accuracy']:.3f} | {metrics['f1']:.3f} | {metrics['f1_wrong']:.3f} | "
        f"**{_number(metrics['roc_auc'])}** | {' / '.join(map(_number, metrics['roc_auc_by_level'].values()))} | "
        f"{_number(metrics['pairwise_accuracy'])} |",
        "",
        "The overall AUC mixes levels, and wrong prefixes are commoner at later levels; the AUC within each level and "
        "the pairwise accuracy (the correct prefix above each wrong one of the same problem and level, what a beam "
        "search compares) show whether the scorer tells a mistake from its correction.",
        "",
        "| origin | prefixes | mean score | accuracy |",
        "|---|---|---|---|",
        *(
            f"| {origin} | {row['count']} | {row['mean_score']:.3f} | {row['accuracy']:.3f} |"
            for origin, row in metrics["by_origin"].items()
        ),
        "",
        f"Training: {training.get('examples')} prefixes ({training.get('positives')} correct) from "
        f"{len(record['train_problems'])} problems, {training.get('epochs')} epochs, "
        f"{training.get('train_seconds')} s; embeddings and the lowest {training.get('frozen_layers')} layers frozen, "
        f"{training.get('max_length')} tokens. Scoring took {record['eval_seconds']} s.",
        f"Machine: {record['machine']['cpus']} CPUs, torch threads {record['machine']['threads'] or 'default'}, "
        f"1-minute load average {record['machine']['load_average_1min']} when scoring ended.",
        "",
        f"Held-out problems: {', '.join(record['held_out_problems'])}.",
        "",
    ]
    (path.parent / f"{path.name}.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    prm_app()
