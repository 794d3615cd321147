"""Fill a chosen template's parameters from the description (one schema-constrained call with the entry's worked
example), then check them against the text and the instance without any model: nodes must exist and be named in
the text, numbers must be ones the text gives, and amounts that no plan could meet are named. When the rule's own
sentences are known (`detect`), the reading sees only them, and every node they name must be in it."""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from corta.agents.router.constraint_db import ConstraintTemplate, Parameters
from corta.agents.router.fill_examples import EXAMPLES
from corta.agents.router.parse import Parsed
from corta.agents.router.prompts import FILL, HINT, SYSTEM
from corta.models.llm import LLM

NODE_FIELDS = frozenset({"node", "nodes", "groups", "sequences", "pairs", "levels"})
# Limits the text must state in digits or words: 0 and 1, plausible elsewhere (a factor, a count), are no limits.
# Seen here: in 3 of 20 RoutBench runs the capacity read for "must not exceed the vehicle capacity" broke every plan
# (penalty 240–250) though the text states no number, which only 0 or 1 could have passed the old check.
STATED_FIELDS = frozenset(
    {"capacity", "max_length", "range_limit", "product_capacity", "start_time", "below"}
)


@dataclass
class Constraint:
    """One chosen template and its parameters as read so far.

    `status`: pending (not read yet), ok, retry (read again: `problem` says why; `params` may hold the last
    usable reading), dropped (cannot be honoured: `problem` says why).
    """

    key: str
    params: dict[str, Any] | None = None
    status: str = "pending"
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    readings: list[dict[str, Any]] = field(default_factory=list)  # every reading: params or error
    evidence: str | None = None  # the rule's own sentences, when known; else the whole description is read

    def as_record(self) -> dict[str, Any]:
        return {"template": self.key, "params": self.params, "status": self.status, "problem": self.problem}


def read_parameters(
    llm: LLM,
    description: str,
    template: ConstraintTemplate,
    hint: str | None = None,
    temperature: float = 0.0,
    seed: int | None = None,
) -> Parameters:
    """The template's parameters as the LLM reads them from the description.

    Raises
    ------
    LLMOutputError
        When the reply and its repair do not fit the template's parameter model.
    """
    example_text, example_params = EXAMPLES[template.key]
    prompt = FILL.format(
        description=description,
        key=template.key,
        entry=template.description,
        example_text=example_text,
        example_params=json.dumps(example_params),
        hint=HINT.format(feedback=hint) if hint else "",
    )
    return llm.json(
        prompt, template.parameters, system=SYSTEM, purpose=f"fill:{template.key}", temperature=temperature,
        seed=seed, max_tokens=400,
    )  # fmt: skip


def _leaves(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    if isinstance(value, Mapping):
        for name, item in value.items():
            yield from _leaves(item, name)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item, key)
    else:
        yield key, value


def node_ids(params: Mapping[str, Any]) -> list[int]:
    """The node ids in filled parameters, in order of appearance."""
    return [value for key, value in _leaves(params) if key in NODE_FIELDS and isinstance(value, int)]


def _numbers(params: Mapping[str, Any]) -> Iterator[tuple[str, float]]:
    for key, value in _leaves(params):
        if key not in NODE_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
            yield str(key), float(value)


@dataclass(frozen=True)
class Review:
    """What is wrong with a reading: `fatal` (the text itself asks for what cannot be: drop the constraint),
    `fixable` (the reading strays from the text: read again) and `notes` (worth saying, no action)."""

    fatal: list[str]
    fixable: list[str]
    notes: list[str]


def without_repeats(params: dict[str, Any]) -> dict[str, Any]:
    """`params` with exact repeats dropped from its lists ({"groups": [[13, 23], [13, 23]]} → [[13, 23]])."""
    return {
        name: [item for index, item in enumerate(value) if item not in value[:index]]
        if isinstance(value, list)
        else value
        for name, value in params.items()
    }


def review_parameters(
    params: Mapping[str, Any],
    parsed: Parsed,
    data: Mapping[str, Any],
    rule: Parsed | None = None,
    example: Mapping[str, Any] | None = None,
) -> Review:
    """Check a reading against the text (`parsed`), the rule's own sentences (`rule`, when known) and the
    instance (`data`); a number taken from the worked example (`example`'s parameters) is named as such."""
    customers = len(data["demand"]) - 1
    fatal, fixable, notes = [], [], []
    if rule is not None:
        read = set(node_ids(params))
        for node in rule.nodes:
            if 0 < node <= customers and node not in read:
                fixable.append(f"the text names node {node} for this rule, but the reading leaves it out")
        parsed = rule
    for node in dict.fromkeys(node_ids(params)):
        if node > customers:
            where = "" if node in parsed.nodes else ", and the text does not name it"
            (fatal if node in parsed.nodes else fixable).append(
                f"node {node} does not exist in this {customers}-customer instance{where}"
            )
        elif parsed.nodes and node not in parsed.nodes:
            fixable.append(f"node {node} is not named in the text")
    copied = {value for _, value in _numbers(example or {})}
    for key, value in _numbers(params):
        if not parsed.gives(value) or (key in STATED_FIELDS and float(value) not in parsed.numbers):
            hint = "; null keeps the instance's" if key == "capacity" else ""
            if value in copied:
                hint += "; it is the example's number: take this text's"
            fixable.append(f"{key} = {value:g} is not a number the text gives{hint}")
    capacity = params.get("capacity")
    demand = [float(amount) for amount in data["demand"]]
    if isinstance(capacity, int | float) and capacity < max(demand):
        node = demand.index(max(demand))
        notes.append(
            f"a capacity of {capacity:g} is below node {node}'s demand of {demand[node]:g}: no plan meets it"
        )
    length = params.get("max_length")
    if isinstance(length, int | float):
        weights = data["edge_weight"]
        trips = [float(weights[0][node] + weights[node][0]) for node in range(1, customers + 1)]
        far = max(range(customers), key=lambda index: trips[index])
        if trips[far] > length:
            notes.append(
                f"a route length of at most {length:g} cannot reach node {far + 1} ({trips[far]:.1f} there and back)"
            )
    return Review(fatal, fixable, notes)
