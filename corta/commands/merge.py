"""`corta merge RECIPE OUT_DIR`: run a merge recipe (mergekit's YAML schema, plus corta's aim, sens and lore)."""

from pathlib import Path
from typing import Annotated

import typer

from corta.commands.common import JsonOption, load_settings, print_json
from corta.commands.reporting import reports_errors


@reports_errors
def merge_command(
    recipe: Annotated[
        Path, typer.Argument(help="YAML recipe: merge_method, base_model, models, parameters, dtype.")
    ],
    out_dir: Annotated[
        Path, typer.Argument(help="New folder for the merged model (safetensors, config, tokenizer).")
    ],
    device: Annotated[str, typer.Option(help="Where tensors are merged: cpu or cuda.")] = "cpu",
    shard_size: Annotated[float, typer.Option(min=0.01, help="Largest output shard, in GB.")] = 5.0,
    as_json: JsonOption = False,
) -> None:
    """Merge the recipe's models tensor by tensor into OUT_DIR, with a progress bar."""
    from corta.models.merging.recipe import load_recipe
    from corta.models.merging.run import run_merge

    settings = load_settings()
    report = run_merge(
        load_recipe(recipe),
        out_dir,
        device=device,
        cache_dir=settings.cache_dir,
        progress=not as_json,
        max_shard_bytes=int(shard_size * 1e9),
    )
    if as_json:
        print_json(
            {
                "out_dir": str(report.out_dir),
                "method": report.method,
                "tensors": report.tensors,
                "parameters": report.parameters,
                "seconds": round(report.seconds, 2),
                "dtype": report.dtype,
                "warnings": report.warnings,
            }
        )
        return
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(
        f"{report.method}: {report.tensors} tensors, {report.parameters / 1e6:.1f}M parameters ({report.dtype}) "
        f"in {report.seconds:.1f} s -> {report.out_dir}"
    )
