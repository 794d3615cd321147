"""How a command reports a `CortaError`: one sentence on stderr and an exit code, never a traceback."""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from corta.errors import CortaError, ModelError

CommandT = TypeVar("CommandT", bound=Callable[..., Any])


def reports_errors(command: CommandT) -> CommandT:
    """Exit 1 (2 for a malformed model) with the error's sentence, or the file error's; 130 when interrupted."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CortaError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2 if isinstance(error, ModelError) else 1) from None
        except OSError as error:  # a full disk, a read-only folder: the edge says so in one sentence
            reason = error.strerror or str(error)
            where = f" {error.filename}" if error.filename else ""
            typer.echo(f"error: cannot read or write{where}: {reason}.", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]
