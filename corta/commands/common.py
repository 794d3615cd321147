"""Options and helpers every command group shares."""

import json
from typing import Annotated, Any

import typer

from corta.config import Settings
from corta.log import configure_logging

ModelOption = Annotated[
    str | None, typer.Option("--model", "-m", help="embedded | tiny | vllm | url | an http(s) URL.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ThreadsOption = Annotated[
    int | None, typer.Option(min=1, help="Torch CPU threads (default: torch's choice).")
]


def load_settings(torch_threads: int | None = None) -> Settings:
    """The settings, with logging configured from them (and torch's CPU threads set, when given)."""
    settings = Settings()
    configure_logging(settings.log_level)
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)
    return settings


def print_json(value: Any) -> None:
    """One line of JSON on stdout (non-ASCII text kept readable)."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=None))
