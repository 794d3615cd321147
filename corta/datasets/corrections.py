"""Gold labels known to be wrong, each overridden by id with its reason and the evidence it rests on.

The entries ship in `corrections/optimization.json`: `{"id", "answer", "status", "reason", "source"}`, one per
benchmark item. Ids are exact and name a variant (`optibench/clean/4`), so an entry corrects only the file it was
checked against. Every evaluation report prints `report(problems)` beside its numbers.
"""

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corta.datasets.optimization import OptProblem, Status
from corta.errors import DatasetError

DEFAULT_FILE = Path(__file__).with_name("corrections") / "optimization.json"


class Correction(BaseModel):
    """One overridden label and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    answer: float | None
    status: Status
    reason: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _label_is_consistent(self) -> "Correction":
        if (self.status == "optimal") != (self.answer is not None and math.isfinite(self.answer)):
            raise ValueError(f"{self.id}: an optimal status needs a finite answer, any other status none")
        return self


class Corrections(BaseModel):
    """A set of corrections, at most one per id."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[Correction, ...] = ()

    @model_validator(mode="after")
    def _ids_are_unique(self) -> "Corrections":
        ids = [entry.id for entry in self.entries]
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        if duplicates:
            raise ValueError(f"corrected more than once: {', '.join(duplicates)}")
        return self

    @classmethod
    def load(cls, path: Path = DEFAULT_FILE) -> "Corrections":
        """Read a corrections file: a JSON list of entries.

        Raises
        ------
        DatasetError
            If the file is missing, is not JSON, or an entry is invalid; the message names the file.
        """
        try:
            return cls(entries=json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise DatasetError(f"Cannot read the corrections file {path}: {error.strerror}.") from None
        except (json.JSONDecodeError, ValidationError) as error:
            raise DatasetError(f"Invalid corrections file {path}: {error}") from None

    def apply(self, problems: list[OptProblem]) -> list[OptProblem]:
        """Return `problems` with the corrected labels replaced and `correction` set to the reason."""
        by_id = {entry.id: entry for entry in self.entries}
        return [
            problem.model_copy(update=_override(by_id[problem.id])) if problem.id in by_id else problem
            for problem in problems
        ]

    def report(self, problems: list[OptProblem]) -> list[dict[str, Any]]:
        """The corrections that concern `problems`, in their order, as plain dicts for a report."""
        by_id = {entry.id: entry for entry in self.entries}
        return [by_id[problem.id].model_dump() for problem in problems if problem.id in by_id]


def _override(entry: Correction) -> dict[str, Any]:
    return {"answer": entry.answer, "status": entry.status, "correction": entry.reason}
