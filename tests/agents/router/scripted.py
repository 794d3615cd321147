"""A scripted LLM for the router's graph tests: answers each request by what it asks (choose, fill, code)."""

import json
import re
from collections.abc import Callable
from typing import Any

Reply = str | Callable[[int], str]

SOLVER_PROGRAM = """```python
import json

demand = problem_data["demand"]
capacity = problem_data["capacity"]
routes, route, load = [], [], 0
for node in range(1, len(demand)):
    if load + demand[node] > capacity:
        routes.append(route)
        route, load = [], 0
    route.append(node)
    load += demand[node]
routes.append(route)
print(json.dumps(routes))
```"""


class Policy:
    """`select`: the entries chosen; `fills`: per template key, the parameters (a dict), a raw reply, or a
    function of the request's seed; `code`: the free-form code reply; `program`: the direct baseline's reply."""

    def __init__(
        self,
        select: list[str] | str,
        fills: dict[str, dict[str, Any] | Reply] | None = None,
        code: Reply = "```python\ndef check_constraints(state):\n    return True\n```",
        program: str = SOLVER_PROGRAM,
    ) -> None:
        self.select = select
        self.fills = fills or {}
        self.code = code
        self.program = program
        self.requests: list[dict[str, Any]] = []

    def __call__(self, body: dict[str, Any]) -> str:
        self.requests.append(body)
        prompt = body["messages"][-1]["content"]
        seed = body.get("seed", 0)
        if "That reply was not valid" in prompt:
            return "still not JSON"
        if "Which entries does the text ask for" in prompt:
            return self.select if isinstance(self.select, str) else json.dumps({"entries": self.select})
        entry = re.search(r"^Entry (\S+):", prompt, re.MULTILINE)
        if entry:
            reply = self.fills[entry.group(1)]
            if callable(reply):
                return reply(seed)
            return reply if isinstance(reply, str) else json.dumps(reply)
        if "Write check_constraints and penalty" in prompt:
            return self.code(seed) if callable(self.code) else self.code
        if "print(json.dumps(routes))" in prompt:
            return self.program
        return "?"

    def asked(self, marker: str) -> list[dict[str, Any]]:
        """The requests whose last message contains `marker`."""
        return [body for body in self.requests if marker in body["messages"][-1]["content"]]
