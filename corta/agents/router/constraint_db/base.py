"""A constraint template: the words the LLM reads to choose it, the JSON it fills, and the code that JSON becomes.

A template's code is fixed; only parameter literals vary. `render` validates the parameters with the template's
pydantic model, writes each value as a Python literal (numbers and containers of numbers, nothing else) and
substitutes it into the code, so no text from the LLM ever reaches the generated source. The code reads the plan
as RoutBench's checkers do (`state.routes`, `state.problem_data["edge_weight"]`, …) and imports nothing, so it
runs as it is in the sandbox.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from string import Template
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def distinct(nodes: list[int]) -> list[int]:
    """`nodes`, when no node id repeats.

    Raises
    ------
    ValueError
        When one does.
    """
    if len(set(nodes)) < len(nodes):
        raise ValueError(f"the node ids {nodes} repeat")
    return nodes


NodeId = Annotated[int, Field(ge=1, description="A customer's node id (the depot is 0).")]
NodeList = Annotated[list[NodeId], Field(min_length=1), AfterValidator(distinct)]
NodeGroup = Annotated[list[NodeId], Field(min_length=2), AfterValidator(distinct)]
Amount = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Capacity = Annotated[
    Amount | None, Field(description="Load limit of every vehicle; null for the instance's capacity.")
]


class Parameters(BaseModel):
    """The JSON an LLM fills for one template; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeAmount(Parameters):
    """An amount of goods at one node."""

    node: NodeId
    amount: Amount = Field(description="Units of goods.")


def distinct_nodes(items: list[Any]) -> list[Any]:
    """`items` (with a `node` each), when no two are at the same node.

    Raises
    ------
    ValueError
        When two are.
    """
    distinct([item.node for item in items])
    return items


NodeAmounts = Annotated[list[NodeAmount], Field(min_length=1), AfterValidator(distinct_nodes)]


class Fragment(str):
    """A piece of code a template module chooses (never text from the parameters), substituted as it is."""


INSTANCE_CAPACITY = Fragment('state.problem_data["capacity"]')


def capacity_code(capacity: float | None) -> Fragment | float:
    """The capacity given in the parameters, or the code that reads the instance's."""
    return INSTANCE_CAPACITY if capacity is None else capacity


def literal(value: Any) -> str:
    """`value` as Python source, when it is a finite number, a bool, None, or a list, tuple or dict of those.

    Raises
    ------
    TypeError
        For anything else (a string, an object): only numbers reach the generated code.
    """
    if isinstance(value, Fragment):
        return str(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{value} is not a finite number")
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(literal, value)) + "]"
    if isinstance(value, tuple):
        items = ", ".join(map(literal, value))
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(key)}: {literal(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"a {type(value).__name__} cannot be written into constraint code")


@dataclass(frozen=True)
class ConstraintTemplate:
    """One entry of the constraint database.

    Parameters
    ----------
    key
        "family.name", e.g. "priority.d_relaxed".
    family
        One of RoutBench's six families: capacity, distance_limit, time_windows, pickup_delivery, same_vehicle,
        priority.
    description
        What the constraint means, in plain words: what the LLM reads when it chooses.
    parameters
        The pydantic model of the JSON the LLM fills (its Field descriptions say what each value is).
    check_code, penalty_code
        The sources of `check_constraints(state) -> bool` and `penalty(state) -> float`, with `$p` before every
        top-level name and `$name` where a value goes.
    values
        The values to substitute, from validated parameters.
    variants
        The VRP variants (usual acronyms) the template models.
    """

    key: str
    family: str
    description: str
    parameters: type[Parameters]
    check_code: str
    penalty_code: str
    values: Callable[[Any], Mapping[str, Any]]
    variants: tuple[str, ...] = ()

    def validate(self, params: Parameters | Mapping[str, Any]) -> Parameters:
        """The parameters as this template's model.

        Raises
        ------
        pydantic.ValidationError
            When they do not fit the model (a missing or unknown field, a negative amount, …).
        """
        data = params.model_dump() if isinstance(params, BaseModel) else params
        return self.parameters.model_validate(data)

    def render(self, params: Parameters | Mapping[str, Any], prefix: str = "") -> tuple[str, str]:
        """The checker's and the penalty's source, their functions named `<prefix>check_constraints` and
        `<prefix>penalty`.

        Raises
        ------
        pydantic.ValidationError
            When the parameters do not fit the template's model.
        ValueError
            When `prefix` is not empty and not an identifier.
        """
        if prefix and not prefix.isidentifier():
            raise ValueError(f"The prefix {prefix!r} is not a Python identifier.")
        values = {name: literal(value) for name, value in self.values(self.validate(params)).items()}
        return (
            Template(self.check_code).substitute(values, p=prefix),
            Template(self.penalty_code).substitute(values, p=prefix),
        )
