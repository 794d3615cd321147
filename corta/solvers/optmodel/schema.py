"""The optimization IR: StructuredOR's schema (sets, parameters, variables, objective, constraints) as pydantic models.

The JSON keys are StructuredOR's (`set`, `parameter`, `variable`, `objective`, `constraint`, each a list). Loading is
tolerant of key case, plural keys, a single object where a list is expected, a nested `model` object, and common
spellings of types and senses, so real StructuredOR files, LogiOR-style encodings and the flat models a small LLM
writes (scalar variables, no sets) all load. Parameter data is a number, a list nested like the domain's sets, or
an object keyed by index (`"3"`, `"1,3"`).

Variables are non-negative unless their `lower` bound says otherwise (`null` for a free variable), as word problems
assume.
"""

import itertools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corta.errors import ModelError
from corta.solvers.optmodel.gc_pause import paused_gc

Element = int | str | tuple[int | str, ...]
VariableType = Literal["CONTINUOUS", "INTEGER", "BINARY"]
Sense = Literal["min", "max"]

_TYPE_SPELLINGS = {
    "continuous": "CONTINUOUS", "real": "CONTINUOUS", "float": "CONTINUOUS", "nonnegativereals": "CONTINUOUS",
    "integer": "INTEGER", "int": "INTEGER", "integers": "INTEGER", "nonnegativeintegers": "INTEGER",
    "binary": "BINARY", "bool": "BINARY", "boolean": "BINARY", "0-1": "BINARY",
}  # fmt: skip
_SENSE_SPELLINGS = {
    "min": "min", "minimize": "min", "minimise": "min", "minimum": "min", "minimization": "min",
    "max": "max", "maximize": "max", "maximise": "max", "maximum": "max", "maximization": "max",
}  # fmt: skip
_SECTION_KEYS = {
    "set": "set", "sets": "set", "parameter": "parameter", "parameters": "parameter", "params": "parameter",
    "variable": "variable", "variables": "variable", "vars": "variable", "decision_variables": "variable",
    "objective": "objective", "objectives": "objective", "constraint": "constraint", "constraints": "constraint",
}  # fmt: skip
MAX_SET_COUNT = 1_000_000
"""The largest count a set's data may give (`"data": 8` is the set 1..8); more would exhaust the memory."""
_ANSWER_KEYS = ("answer", "optimal_value", "objective_value", "optimal_objective", "gold", "obj")
_QUESTION_KEYS = ("question", "problem", "description", "en_question", "text")


def _element(value: Any) -> Element:
    if isinstance(value, list | tuple):
        return tuple(_element(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ValueError(f"a set element must be a number, a string or a tuple, not {value!r}")
    return value  # type: ignore[return-value]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _lower_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {str(key).lower(): value for key, value in data.items()}
            if data.get("description") is None:
                data["description"] = ""
        return data


class SetDecl(_Item):
    """A named, ordered collection of elements (numbers, strings, or tuples for a set of pairs)."""

    data: tuple[Element, ...]

    @field_validator("data", mode="plain")
    @classmethod
    def _elements(cls, value: Any) -> tuple[Element, ...]:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            if value > MAX_SET_COUNT:
                raise ValueError(f"a set's data counts too many elements (at most {MAX_SET_COUNT:,})")
            return tuple(range(1, value + 1))  # "data": 8 is the set 1..8
        if not isinstance(value, list | tuple):
            raise ValueError("a set's data must be a list of elements")
        # The common shapes are recognised at C speed, without a Python call per element.
        scalar = {int, str}
        kinds = set(map(type, value))
        if kinds <= scalar:
            elements = tuple(value)
        elif kinds <= {list, tuple} and set(map(type, itertools.chain.from_iterable(value))) <= scalar:
            elements = tuple(map(tuple, value))
        else:
            elements = tuple(_element(item) for item in value)
        if len(set(elements)) != len(elements):
            raise ValueError("a set's elements must be distinct")
        return elements


class ParameterDecl(_Item):
    """A number, or numbers indexed by the sets of `domain` (nested lists in domain order, or an object by index)."""

    domain: str = ""
    data: float | list[Any] | dict[str, Any]


class VariableDecl(_Item):
    """A decision variable, scalar or indexed by `domain`."""

    domain: str = ""
    type: VariableType = "CONTINUOUS"
    lower: float | None = 0.0
    upper: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _bounds_and_type(cls, data: Any) -> Any:
        data = cls._lower_keys(data)
        if not isinstance(data, dict):
            return data
        if isinstance(data.get("bounds"), list | tuple) and len(data["bounds"]) == 2:
            data.setdefault("lower", data["bounds"][0])
            data.setdefault("upper", data["bounds"][1])
        for short, full in (
            ("lb", "lower"),
            ("ub", "upper"),
            ("lower_bound", "lower"),
            ("upper_bound", "upper"),
        ):
            if short in data:
                data.setdefault(full, data[short])
        kind = data.get("type")
        if isinstance(kind, str):
            key = kind.strip().lower().replace(" ", "").replace("_", "")
            data["type"] = _TYPE_SPELLINGS.get(key, kind.strip().upper())
        return data


class ObjectiveDecl(_Item):
    """What to minimise or maximise."""

    name: str = "objective"
    sense: Sense
    function: str = Field(min_length=1)

    @field_validator("sense", mode="before")
    @classmethod
    def _sense(cls, value: Any) -> str:
        if not isinstance(value, str) or value.strip().lower() not in _SENSE_SPELLINGS:
            raise ValueError(f"the sense must be min or max, not {value!r}")
        return _SENSE_SPELLINGS[value.strip().lower()]


class ConstraintDecl(_Item):
    """One constraint, or a family of them over `domain` (which may also be written inside `function`)."""

    domain: str = ""
    function: str = Field(min_length=1)


class OptModel(BaseModel):
    """A whole optimization model, with the question and its gold answer when they are known."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    id: str | None = None
    question: str | None = None
    answer: float | None = None
    status: Literal["optimal", "infeasible", "unbounded"] | None = None
    sets: tuple[SetDecl, ...] = Field((), alias="set")
    parameters: tuple[ParameterDecl, ...] = Field((), alias="parameter")
    variables: tuple[VariableDecl, ...] = Field(alias="variable", min_length=1)
    objective: ObjectiveDecl
    constraints: tuple[ConstraintDecl, ...] = Field((), alias="constraint")

    @model_validator(mode="before")
    @classmethod
    def _tolerant_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        lowered = {str(key).lower(): value for key, value in data.items()}
        if isinstance(lowered.get("model"), dict):
            lowered = {**lowered, **{str(k).lower(): v for k, v in lowered.pop("model").items()}}
        result: dict[str, Any] = {}
        for key, value in lowered.items():
            section = _SECTION_KEYS.get(key)
            if section:
                result[section] = [value] if isinstance(value, dict) else value
        objectives = result.get("objective")
        if isinstance(objectives, list):
            if len(objectives) != 1:
                raise ValueError(f"a model needs exactly one objective, found {len(objectives)}")
            result["objective"] = objectives[0]
        result["id"] = lowered.get("id", lowered.get("problem_id"))
        result["question"] = next(
            (lowered[k] for k in _QUESTION_KEYS if isinstance(lowered.get(k), str)), None
        )
        result["answer"] = next(
            (lowered[k] for k in _ANSWER_KEYS if isinstance(lowered.get(k), int | float)), None
        )
        result["status"] = lowered.get("status")
        if result["id"] is not None:
            result["id"] = str(result["id"])
        return result

    def to_json(self) -> dict[str, Any]:
        """The StructuredOR-shaped dict (singular section keys, lists)."""
        data = self.model_dump(by_alias=True)
        for key in ("id", "question", "answer", "status"):
            if data[key] is None:
                del data[key]
        data["objective"] = [data["objective"]]
        return data


def load_model(data: Any) -> OptModel:
    """Validate a model dict, turning every schema problem into one `ModelError` sentence.

    Raises
    ------
    ModelError
        Naming the first offending item (e.g. `variable 2 (x): type: Input should be 'CONTINUOUS', …`).
    """
    try:
        with paused_gc():
            return OptModel.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = _describe_location(data, first["loc"])
        raise ModelError(f"Invalid model: {where}: {first['msg']}.", item=where) from None


def _describe_location(data: Any, location: tuple[Any, ...]) -> str:
    if not location:
        return "the model"
    section = str(location[0])
    if len(location) >= 2 and isinstance(location[1], int):
        name = None
        try:
            lowered = {str(k).lower(): v for k, v in data.items()}
            entries = lowered.get(section) or lowered.get(section + "s") or []
            name = entries[location[1]].get("name") if isinstance(entries, list) else None
        except (AttributeError, IndexError, TypeError):
            pass
        rest = ".".join(str(part) for part in location[2:])
        label = f"{section} {location[1] + 1}" + (f" ({name})" if name else "")
        return f"{label}: {rest}" if rest else label
    return ".".join(str(part) for part in location)
