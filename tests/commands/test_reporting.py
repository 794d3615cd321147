"""A command's errors reach the user as one sentence and an exit code: corta's own, and the file system's."""

import errno

import typer
from typer.testing import CliRunner

from corta.commands.reporting import reports_errors
from corta.errors import ModelError


def _app(error: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @reports_errors
    def fail() -> None:
        raise error

    return app


def test_a_full_disk_is_one_sentence_and_exit_1() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/data/run/report.md")
    result = CliRunner().invoke(_app(full), [])
    assert result.exit_code == 1
    assert (
        result.stderr.strip() == "error: cannot read or write /data/run/report.md: No space left on device."
    )
    assert "Traceback" not in result.output


def test_a_malformed_model_exits_2_with_its_sentence() -> None:
    result = CliRunner().invoke(_app(ModelError("In the objective: unknown name 'x'.")), [])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: In the objective: unknown name 'x'."
