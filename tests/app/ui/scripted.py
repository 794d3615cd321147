"""One scripted LLM for the whole app: each request goes to the tutor's, the modeler's or the router's script,
told apart by the system prompt that the agent sends."""

from typing import Any

from corta.agents.modeler import prompts as modeler_prompts
from corta.agents.router import prompts as router_prompts
from tests.agents.modeler.scripted import Policy as ModelerPolicy
from tests.agents.router.scripted import Policy as RouterPolicy
from tests.agents.tutor.scripted import Script

ROUTER_SYSTEMS = {router_prompts.SYSTEM, router_prompts.CODE_SYSTEM, router_prompts.DIRECT_SYSTEM}
TUTOR_ANSWER = (
    "Give the parameter a default value, like `def greet(name='world')`, and callers may leave it out [1]."
)
ROUTER_SELECT = ["same_vehicle.apart", "priority.strict"]
ROUTER_FILLS = {"same_vehicle.apart": {"groups": [[7, 8]]}, "priority.strict": {"levels": [[7], [5], [3]]}}
"""The filled templates of RoutBench's simple variant 2 (nodes 7 and 8 apart; priority 7 > 5 > 3)."""


class AppScript:
    """Answers every agent: `tutor` (Molly's steps), `modeler` (the bakery problem), `router` (simple variant 2)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Fresh scripts, as a test expects them."""
        self.tutor = Script(drafts=[TUTOR_ANSWER])
        self.modeler = ModelerPolicy()
        self.router = RouterPolicy(ROUTER_SELECT, ROUTER_FILLS)

    def __call__(self, body: dict[str, Any]) -> str | tuple[str, dict[str, float]]:
        system = body["messages"][0]["content"] if body["messages"][0]["role"] == "system" else ""
        if system == modeler_prompts.SYSTEM or "Pyomo" in system:
            return self.modeler(body)
        if system in ROUTER_SYSTEMS:
            return self.router(body)
        return self.tutor(body)
