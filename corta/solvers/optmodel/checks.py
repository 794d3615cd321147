"""Deterministic checks of a partial model, run before any LLM judgement: data from the text, names, sense, compiling,
data left unused.

Each finding is a sentence naming the defect, so it can go back to the model as repair feedback, and the findings
lower the node's score (`check_factor`).
"""

import re
from typing import Any

from corta.errors import ModelError
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.levels import to_ir
from corta.solvers.optmodel.schema import load_model

_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "half": 0.5, "twice": 2, "double": 2, "triple": 3, "thousand": 1000, "dozen": 12,
}  # fmt: skip
_MAX_WORDS = (
    "maximize",
    "maximise",
    "maximum",
    "maximizing",
    "maximising",
    "most",
    "largest",
    "highest",
    "greatest",
)
_MIN_WORDS = (
    "minimize",
    "minimise",
    "minimum",
    "minimizing",
    "minimising",
    "least",
    "smallest",
    "lowest",
    "fewest",
)
_OPTIMIZATION_WORDS = (*_MAX_WORDS, *_MIN_WORDS, "optimal", "optimize", "optimise", "best", "profit", "cost")


def numbers_in(text: str) -> set[float]:
    """Every number the text states (digits with thousands separators and percentages, and common number words)."""
    found: set[float] = set()
    for match in _NUMBER.findall(text):
        value = float(match.replace(",", ""))
        found.update({value, value / 100})  # "20%" may be written 0.2
    lowered = text.lower()
    found.update(float(value) for word, value in _WORD_NUMBERS.items() if re.search(rf"\b{word}\b", lowered))
    return found


def looks_like_optimization(question: str) -> str | None:
    """None when the text reads like an optimization problem; else what it lacks, in words."""
    lowered = question.lower()
    missing = []
    if not numbers_in(question):
        missing.append("no numbers (data) are given")
    if not any(word in lowered for word in _OPTIMIZATION_WORDS):
        missing.append("nothing is to be maximised or minimised")
    return " and ".join(missing) if missing else None


def expected_sense(question: str) -> str | None:
    """The sense the question's wording asks for, when only one kind of goal word appears in it."""
    goals = re.sub(r"\b(at|no|not) (least|most)\b", " ", question.lower())  # limits, not goals
    words = set(re.findall(r"[a-z]+", goals))
    wants_max = bool(words & set(_MAX_WORDS)) or "profit" in words or "revenue" in words
    wants_min = bool(words & set(_MIN_WORDS)) or ("cost" in words and not wants_max)
    if wants_max == wants_min:
        return None
    return "max" if wants_max else "min"


def _data_numbers(data: Any) -> list[float]:
    if isinstance(data, list):
        return [number for item in data for number in _data_numbers(item)]
    if isinstance(data, dict):
        return [number for item in data.values() for number in _data_numbers(item)]
    return [float(data)] if isinstance(data, int | float) else []


def check_partial(question: str, partial: dict[str, Any]) -> list[str]:
    """The defects found in a (partial) model, each a sentence; empty when none is found."""
    findings: list[str] = []
    stated = numbers_in(question)
    if "parameters" in partial:
        names = [item["name"] for item in [*partial.get("sets", []), *partial["parameters"]]]
        if len(set(names)) != len(names):
            findings.append("two data items share a name")
        for item in partial["parameters"]:
            foreign = [v for v in _data_numbers(item["data"]) if v not in stated and v not in (0.0, 1.0)]
            if foreign:
                findings.append(
                    f"parameter {item['name']} holds {foreign[0]:g}, which the problem does not state"
                )
    if "variables" in partial:
        for item in partial["variables"]:
            lower, upper = item.get("lower"), item.get("upper")
            if lower is not None and upper is not None and lower > upper:
                findings.append(
                    f"variable {item['name']} has lower bound {lower:g} above its upper bound {upper:g}"
                )
    if "objective" in partial:
        sense = expected_sense(question)
        if sense is not None and partial["objective"]["sense"] != sense:
            findings.append(
                f"the problem asks to {'maximize' if sense == 'max' else 'minimize'}, not the opposite"
            )
        findings.extend(compile_findings(partial))
    return findings


def compile_findings(partial: dict[str, Any]) -> list[str]:
    """What compiling a complete model finds, as sentences: what stops it (unknown names, indices outside their
    sets, …), else data it declares and never uses. Unused data is the trace of a dropped rule or a cost left out
    (a budget written without the prices): none of the 40 gold models has any; on NL4OPT, 10 of the 19 wrong models
    cot compiled have some, and 2 of its 6 right ones (a number written in place of its datum)."""
    try:
        expanded = expand(load_model(to_ir(partial)))
    except ModelError as error:
        return [str(error)]
    if expanded.unused_parameters:
        return [unused_data_finding(expanded.unused_parameters)]
    return []


def unused_data_finding(names: list[str]) -> str:
    """One sentence naming the data no expression uses (the first three names)."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"the data {shown} {'is' if len(names) == 1 else 'are'} never used: a rule or a cost that needs it is missing"


def check_factor(findings: list[str]) -> float:
    """How much the findings lower a node's score: halved per defect."""
    return 0.5 ** len(findings)
