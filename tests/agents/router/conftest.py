"""RoutBench data, the hand-filled template parameters of the oracle variants, and plans to test code on.

The RoutBench files are read from ../shared/data/routing/routbench (never copied into the repository); outside CI a
checkout without them skips these tests. The backbone's plans under the reference checkers take a while, so they
are kept in pytest's cache between runs (keyed by the code, the budget and the seed).
"""

import hashlib
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from corta.agents.router.constraint_db import TEMPLATES, compose
from corta.datasets.routbench import RoutingVariant, load_routbench
from tests.agents.router import batch
from tests.agents.router.plans import Plan, neighbours, random_plan

ROUTBENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "routing" / "routbench"
FILLED = Path(__file__).with_name("filled_params.json")
CUSTOMERS = 25
ITERATIONS = 12  # backbone iterations per variant (no PyVRP seed): about half a second each


@dataclass(frozen=True)
class Oracle:
    """A RoutBench variant, its reference checker's program name, and the templates filled from its words."""

    name: str
    variant: RoutingVariant
    constraints: list[tuple[str, dict]]

    def composed(self) -> tuple[str, str]:
        """The checker and penalty of the filled templates."""
        return compose([(TEMPLATES[key], params) for key, params in self.constraints])


@dataclass
class PlanPool:
    """Plans, and which of them were made around each oracle variant's solved plan."""

    plans: list[Plan]
    random: list[int]
    around: dict[str, list[int]]


@pytest.fixture(scope="session")
def instance() -> Path:
    path = ROUTBENCH / f"instance data_{CUSTOMERS}.txt"
    if not path.is_file() and not os.environ.get("CI"):
        pytest.skip(f"RoutBench data not at {ROUTBENCH}")
    return path


@pytest.fixture(scope="session")
def oracles(instance: Path) -> list[Oracle]:
    """The variants of filled_params.json with their reference checkers."""
    variants = {variant.id: variant for variant in load_routbench(instance.parent, "all", CUSTOMERS)}
    filled = json.loads(FILLED.read_text())["variants"]
    return [
        Oracle(
            f"ref{number}",
            variants[entry["id"]],
            [(item["template"], item["params"]) for item in entry["constraints"]],
        )
        for number, entry in enumerate(filled)
    ]


@pytest.fixture(scope="session")
def solved(oracles: list[Oracle], instance: Path, request: pytest.FixtureRequest) -> dict[str, Plan]:
    """The backbone's plan under each reference checker, guided by the filled templates' penalty as the router
    would run it, in the sandbox; cached across runs."""
    programs = {oracle.name: (oracle.variant.checker_code, oracle.composed()[1]) for oracle in oracles}
    digest = hashlib.sha256(json.dumps([programs, ITERATIONS]).encode()).hexdigest()[:16]
    key = f"corta/router/solved-{digest}"
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    plans = cache.get(key, None) if cache else None
    if plans is None:
        plans = batch.solve(programs, instance, max_iterations=ITERATIONS, seed=0)
        if cache:
            cache.set(key, plans)
    return plans


@pytest.fixture(scope="session")
def pool(solved: dict[str, Plan]) -> PlanPool:
    """40 random plans, and each solved plan followed by 160 of its one-move neighbours."""
    rng = random.Random(7)
    plans = [random_plan(rng, CUSTOMERS) for _ in range(40)]
    around = {}
    for name, plan in solved.items():
        nearby = [plan, *neighbours(rng, plan, 160)]
        around[name] = list(range(len(plans), len(plans) + len(nearby)))
        plans += nearby
    return PlanPool(plans, list(range(40)), around)
