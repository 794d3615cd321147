"""What the policy model writes at each level of the search, as compact schemas, and how the levels add up to a model.

L1 sets + parameters → L2 variables → L3 objective + constraints (BPP-Search's three levels). The schemas are small
on purpose: a compact model fills short, flat schemas well. Sets are optional, so a word problem with a handful of
numbers becomes named scalar parameters and scalar variables (a flat model), which the IR accepts as it is.
"""

from typing import Any, Literal

from pydantic import BaseModel, Field

LevelName = Literal["L1", "L2", "L3"]
LEVELS: tuple[LevelName, ...] = ("L1", "L2", "L3")


class SetSpec(BaseModel):
    name: str = Field(min_length=1)
    description: str = ""
    elements: list[str | int]


class ParameterSpec(BaseModel):
    name: str = Field(min_length=1)
    description: str = ""
    domain: str = ""  # e.g. "i in I"; empty for a scalar
    data: float | list[float] | list[list[float]]


class Level1(BaseModel):
    """Sets and parameters: the data of the problem, every number taken from the question."""

    sets: list[SetSpec] = []
    parameters: list[ParameterSpec]


class VariableSpec(BaseModel):
    """A non-negative decision variable; other bounds are written as constraints (a small model fumbles bound
    fields, e.g. -1 for "none")."""

    name: str = Field(min_length=1)
    description: str = ""
    domain: str = ""
    unit: str = ""  # what one of it is: a thing counted ("bottle") or a measure ("acre"); settles the type
    type: Literal["CONTINUOUS", "INTEGER", "BINARY"] = "CONTINUOUS"


class Level2(BaseModel):
    """The decision variables."""

    variables: list[VariableSpec] = Field(min_length=1)


class ObjectiveSpec(BaseModel):
    sense: Literal["min", "max"]
    function: str = Field(min_length=1)


class ConstraintSpec(BaseModel):
    name: str = Field(min_length=1)
    description: str = ""
    domain: str = ""  # e.g. "i in I" for one constraint per element
    function: str = Field(min_length=1)


class Level3(BaseModel):
    """The objective and the constraints, written over the names of L1 and L2."""

    objective: ObjectiveSpec
    constraints: list[ConstraintSpec] = []


class FullModel(Level1, Level2, Level3):
    """All three levels in one object: what one-pass methods (cot, sc) ask for."""


LEVEL_SCHEMAS: dict[LevelName, type[BaseModel]] = {"L1": Level1, "L2": Level2, "L3": Level3}


def merge_levels(levels: list[BaseModel]) -> dict[str, Any]:
    """The partial model the levels built so far add up to, as plain data (keys: sets, parameters, variables, …)."""
    merged: dict[str, Any] = {}
    for level in levels:
        merged.update(level.model_dump())
    return merged


def to_ir(partial: dict[str, Any]) -> dict[str, Any]:
    """A complete partial model in the IR's JSON shape (what `load_model` reads)."""
    return {
        "set": [
            {"name": s["name"], "description": s["description"], "data": s["elements"]}
            for s in partial["sets"]
        ],
        "parameter": partial["parameters"],
        "variable": partial["variables"],
        "objective": {"name": "objective", **partial["objective"]},
        "constraint": partial.get("constraints", []),
    }


def from_ir(model: dict[str, Any]) -> dict[str, Any]:
    """The partial-model shape of an IR model (the inverse of `to_ir`; used to render gold models as steps)."""
    objective = model["objective"][0] if isinstance(model["objective"], list) else model["objective"]
    return {
        "sets": [
            {"name": s["name"], "description": s.get("description", ""), "elements": s["data"]}
            for s in model.get("set", [])
        ],
        "parameters": [
            {
                "name": p["name"],
                "description": p.get("description", ""),
                "domain": p.get("domain", ""),
                "data": p["data"],
            }
            for p in model.get("parameter", [])
        ],
        "variables": [
            {
                "name": v["name"],
                "description": v.get("description", ""),
                "domain": v.get("domain", ""),
                "type": v.get("type", "CONTINUOUS"),
                "lower": v.get("lower", 0.0),
                "upper": v.get("upper"),
            }
            for v in model["variable"]
        ],
        "objective": {"sense": objective["sense"], "function": objective["function"]},
        "constraints": [
            {
                "name": c.get("name", f"c{n}"),
                "description": c.get("description", ""),
                "domain": c.get("domain", ""),
                "function": c["function"],
            }
            for n, c in enumerate(model.get("constraint", []), start=1)
        ],
    }
