"""Mend misspelt names in a model's functions before it compiles: the deterministic repair of the commonest defect.

A compact model declares `vintage_bottle_volume` and writes `vinage_bottle_volume`, or declares `chocolate_cakes` and
writes `chocolate`. Each unknown name the compiler reports is replaced, as a whole word, by the one declared name it
clearly means (a close spelling, or the only declared name it is a word of); a name with no clear match is left for
the repair round, which is told the defect in words.
"""

import difflib
import logging
import re
from typing import Any

from corta.agents.modeler.repeated_names import mend_repeated_names
from corta.errors import ModelError
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.levels import to_ir
from corta.solvers.optmodel.schema import load_model

log = logging.getLogger(__name__)

_UNKNOWN = re.compile(r"unknown name '([^']+)'")
_MAX_MENDS = 8
_CLOSE = 0.8


def mend_unknown_names(partial: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`partial` with misspelt names replaced, and one note per replacement ("vinage_x → vintage_x")."""
    if "objective" not in partial:
        return partial, []
    variables = [item["name"] for item in partial.get("variables", [])]
    declared = [item["name"] for key in ("sets", "parameters") for item in partial.get(key, [])] + variables
    notes: list[str] = []
    for _ in range(_MAX_MENDS):
        unknown = _first_unknown_name(partial)
        meant = _meant_name(unknown, declared, variables) if unknown else None
        if unknown is None or meant is None:
            break
        partial = _replace_name(partial, unknown, meant)
        notes.append(f"{unknown} → {meant}")
    return partial, notes


def mended(partial: dict[str, Any]) -> dict[str, Any]:
    """`partial` with each name declared once (see `mend_repeated_names`) and misspelt names mended (see
    `mend_unknown_names`); each mend is logged."""
    partial, repeats = mend_repeated_names(partial)
    partial, notes = mend_unknown_names(partial)
    notes = repeats + notes
    if notes:
        log.info("mended names: %s", ", ".join(notes))
    return partial


def _first_unknown_name(partial: dict[str, Any]) -> str | None:
    try:
        expand(load_model(to_ir(partial)))
    except ModelError as error:
        found = _UNKNOWN.search(str(error))
        return found.group(1) if found else None
    return None


def _meant_name(unknown: str, declared: list[str], variables: list[str]) -> str | None:
    """The declared name spelt closest to `unknown`, else the only one holding it as a word (a variable first: a
    shortened name is most often a variable's, `chocolate` for `chocolate_cakes` beside `chocolate_price`)."""
    close = difflib.get_close_matches(unknown, declared, n=2, cutoff=_CLOSE)
    if len(close) == 1 or (
        len(close) == 2 and _similarity(unknown, close[0]) > _similarity(unknown, close[1])
    ):
        return close[0]
    for names in (variables, declared):
        containing = [name for name in names if unknown in name.split("_")]
        if containing:
            return containing[0] if len(containing) == 1 else None
    return None


def _similarity(first: str, second: str) -> float:
    return difflib.SequenceMatcher(None, first, second).ratio()


def _replace_name(partial: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    word = re.compile(rf"(?<![\w.]){re.escape(old)}(?!\w)")
    objective = {**partial["objective"], "function": word.sub(new, partial["objective"]["function"])}
    constraints = [
        {**item, "function": word.sub(new, item["function"])} for item in partial.get("constraints", [])
    ]
    return {**partial, "objective": objective, "constraints": constraints}
