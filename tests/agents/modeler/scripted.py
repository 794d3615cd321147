"""A scripted policy for the modeler's graph tests: the bakery problem, answered by level, with planted mistakes."""

import json
import math
from typing import Any

QUESTION = (
    "A bakery makes cakes and pies. A cake earns $5 profit and a pie $4. A cake needs 2 hours of oven time and a pie "
    "1 hour; 40 oven hours are available. At most 15 pies can be sold. How many of each should be made to maximize "
    "profit?"
)
BEST = 121.0  # 13 cakes and 14 pies (integers)

L1 = {
    "sets": [],
    "parameters": [
        {"name": "profit_cake", "data": 5},
        {"name": "profit_pie", "data": 4},
        {"name": "oven_cake", "data": 2},
        {"name": "oven_pie", "data": 1},
        {"name": "oven_hours", "data": 40},
        {"name": "max_pies", "data": 15},
    ],
}
L2 = {
    "variables": [
        {"name": "cakes", "type": "INTEGER", "lower": 0},
        {"name": "pies", "type": "INTEGER", "lower": 0},
    ]
}
RIGHT = {
    "objective": {"sense": "max", "function": "profit_cake * cakes + profit_pie * pies"},
    "constraints": [
        {"name": "oven", "function": "oven_cake * cakes + oven_pie * pies <= oven_hours"},
        {"name": "market", "function": "pies <= max_pies"},
    ],
}
WRONG_SENSE = {**RIGHT, "objective": {"sense": "min", "function": RIGHT["objective"]["function"]}}
NO_MARKET = {**RIGHT, "constraints": RIGHT["constraints"][:1]}  # the "at most 15 pies" rule dropped: 160
MARKET_FLOOR = {  # "at most 15 pies" read as "at least": 160, and every datum is used, so no check sees it
    **RIGHT,
    "constraints": [RIGHT["constraints"][0], {"name": "market", "function": "pies >= max_pies"}],
}
CONFLICT = {
    **RIGHT,
    "constraints": [*RIGHT["constraints"], {"name": "too_many", "function": "cakes + pies >= 100"}],
}
L1_INVENTED = {"sets": [], "parameters": [*L1["parameters"][:-1], {"name": "max_pies", "data": 17}]}
PROGRAM = """```python
import pyomo.environ as pyo

m = pyo.ConcreteModel()
m.cakes = pyo.Var(within=pyo.NonNegativeIntegers)
m.pies = pyo.Var(within=pyo.NonNegativeIntegers, bounds=(0, 15))
m.oven = pyo.Constraint(expr=2 * m.cakes + m.pies <= 40)
m.profit = pyo.Objective(expr=5 * m.cakes + 4 * m.pies, sense=pyo.maximize)
pyo.SolverFactory("appsi_highs").solve(m)
print("OBJECTIVE:", pyo.value(m.profit))
```"""


def full(l3: dict[str, Any]) -> str:
    return json.dumps({**L1, **L2, **l3})


class Policy:
    """Answers each request from its last user message and its seed; `l3_by_seed` picks the L3 reply."""

    def __init__(
        self, l3_by_seed: Any = None, full_by_seed: Any = None, repair: dict[str, Any] | None = None
    ) -> None:
        self.l3_by_seed = l3_by_seed or (lambda seed: [RIGHT, WRONG_SENSE, None][seed % 3])
        self.full_by_seed = full_by_seed or (lambda seed: RIGHT)
        self.repair = repair or RIGHT
        self.program = PROGRAM  # every program reply, unless `programs` lists them in turn
        self.programs: list[str] = []
        self.program_temperatures: list[float] = []
        self.prompts: list[str] = []

    def __call__(self, body: dict[str, Any]) -> str | tuple[str, dict[str, float]]:
        prompt = body["messages"][-1]["content"]
        self.prompts.append(prompt)
        if "Pyomo" in body["messages"][0]["content"]:
            self.program_temperatures.append(body.get("temperature", 0.0))
            return self.programs.pop(0) if self.programs else self.program
        seed = body.get("seed", 0)
        if "That reply was not valid" in prompt:
            return "still not JSON"
        if "Answer A or B" in prompt:
            return "A", {"A": math.log(0.6), "B": math.log(0.4)}
        if "has a defect" in prompt:
            return full(self.repair) if "(the whole model)" in prompt else json.dumps(self.repair)
        if "Step 1 of 3" in prompt:
            return json.dumps(L1 if seed % 3 else L1_INVENTED)
        if "Step 2 of 3" in prompt:
            return json.dumps(L2)
        if "Step 3 of 3" in prompt:
            reply = self.l3_by_seed(seed)
            return json.dumps(reply) if reply is not None else "not JSON at all"
        if "Write the whole model" in prompt:
            reply = self.full_by_seed(seed)
            return full(reply) if reply is not None else "not JSON at all"
        return "?"

    def count(self, marker: str) -> int:
        return sum(marker in prompt for prompt in self.prompts)


class KeywordPRM:
    """Scores the last step: a maximisation beats a minimisation; data and variables are fine."""

    def __init__(self) -> None:
        self.calls = 0

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        self.calls += 1
        last = steps[-1]
        score = 0.9 if last.startswith("Maximize") else 0.3 if last.startswith("Minimize") else 0.8
        return [0.8] * (len(steps) - 1) + [score]


class PrefersAWrongMarket:
    """Scores a final step whose market rule is dropped or read as a floor highest: the PRM is wrong, the model it
    prefers solves to 160."""

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        wrong = "<= max_pies" not in steps[-1]
        return [0.8] * (len(steps) - 1) + [0.95 if wrong else 0.5]
