"""Whether a decision variable counts whole things, read from the unit the model names for it.

A compact model names the unit of a quantity reliably ("bottle", "acre") but often leaves a count CONTINUOUS, and the
optimum of the relaxation is then wrong (142.86 bottles for 142). So the model names the unit and this code settles
the type: a measure stays CONTINUOUS, a thing counted becomes INTEGER, and an unclear unit keeps the declared type.
"""

import re

from pydantic import BaseModel

from corta.solvers.optmodel.levels import VariableSpec

_MEASURE_WORDS = (
    "acre hectare square cubic meter metre kilometer km mile foot feet inch yard centimeter cm millimeter mm "
    "second minute hour day week month year "
    "gram g kilogram kg tonne ton pound lb ounce oz "
    "liter litre l milliliter millilitre ml gallon quart pint cup tablespoon teaspoon barrel "
    "dollar usd euro yuan cent money budget investment percent percentage fraction proportion share ratio rate "
    "kwh kilowatt watt megawatt calorie kcal joule "
    "amount quantity volume weight mass area length "
    "water steel flour sugar fertilizer concrete oil gas fuel milk juice paint sand medicine chemical feed "
    "electricity energy power land time labor labour"
)
MEASURES = frozenset(_MEASURE_WORDS.split())
_COUNT_WORDS = ("number", "count")
_WORD = re.compile(r"[a-z]+")


def counts_whole_things(unit: str) -> bool | None:
    """True for a thing counted (bottle, van, pair of shoes), False for a measure (acre, hour, kg of flour), None when
    the unit says nothing ("unit", or no unit)."""
    words = _WORD.findall(unit.lower())
    if "$" in unit or "%" in unit:
        return False
    if len(words) > 2 and words[0] in _COUNT_WORDS and words[1] == "of":
        words = words[2:]  # "number of hours" is a measure, "number of vans" a count
    if not words or _singular(words[0]) == "unit":
        return None
    return _singular(words[0]) not in MEASURES and words[0] not in MEASURES


def settle_types(reply: BaseModel) -> BaseModel:
    """`reply` with each variable's type settled from its unit (BINARY and unit-less variables are left alone)."""
    variables: list[VariableSpec] | None = getattr(reply, "variables", None)
    if not variables:
        return reply
    settled = []
    for variable in variables:
        whole = counts_whole_things(variable.unit) if variable.type != "BINARY" else None
        kind = variable.type if whole is None else ("INTEGER" if whole else "CONTINUOUS")
        settled.append(variable if kind == variable.type else variable.model_copy(update={"type": kind}))
    return reply.model_copy(update={"variables": settled})


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        return word[:-1]
    return word
