"""The constraint database: its catalogue, the code its templates render (checked by the sandbox's policy, run in
the sandbox), penalties that are 0 exactly when the checker passes and grow with the violation, and compose."""

import ast
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from corta.agents.router.constraint_db import FAMILIES, TEMPLATES, compose, describe_all, templates_for
from corta.agents.router.constraint_db.base import literal
from corta.solvers.routing.instance import read_instance
from corta.solvers.sandbox import check_source
from tests.agents.router import batch
from tests.agents.router.conftest import Oracle, PlanPool
from tests.agents.router.plans import Plan

TEMPLATE_IMPORTS = {"math", "itertools"}

# Parameters beyond RoutBench's (those come from filled_params.json): given capacities, several groups, overrides.
EXTRA_EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    ("capacity.limit", {"capacity": 150}),
    ("capacity.light_routes", {"capacity": 180, "routes": 2, "below": 120}),
    ("capacity.distance_surcharge", {"capacity": 150, "nodes": [19, 2], "factor": 2.5}),
    (
        "capacity.second_product",
        {
            "capacity": 170,
            "deliveries": [{"node": 12, "amount": 70}, {"node": 3, "amount": 45}],
            "product_capacity": 110,
        },
    ),
    ("distance_limit.max_length", {"max_length": 120}),
    ("distance_limit.short_routes", {"max_length": 180, "routes": 2, "below": 100}),
    ("distance_limit.recharge", {"range_limit": 100, "nodes": [17, 20]}),
    ("distance_limit.range_drop", {"range_limit": 160, "nodes": [13, 17], "factor": 0.8}),
    (
        "time_windows.windows",
        {"overrides": [{"node": 13, "window": [0, 200]}, {"node": 4, "window": [700, 800]}]},
    ),
    ("time_windows.delayed_start", {"start_time": 150, "routes": 2}),
    (
        "time_windows.extra_windows",
        {
            "windows": [
                {"node": 4, "window": [900, 950]},
                {"node": 4, "window": [1000, 1020]},
                {"node": 17, "window": [300, 400]},
            ]
        },
    ),
    ("time_windows.growing_service", {"nodes": [18, 12]}),
    (
        "pickup_delivery.mixed",
        {
            "capacity": 150,
            "pickups": [{"node": 24, "amount": 10}, {"node": 20, "amount": 15, "distance_factor": 2}],
        },
    ),
    (
        "pickup_delivery.light_returns",
        {"pickups": [{"node": 24, "amount": 10, "distance_factor": 1}], "routes": 2, "below": 120},
    ),
    (
        "pickup_delivery.two_products",
        {
            "deliveries": [{"node": 12, "amount": 70}, {"node": 14, "amount": 20}],
            "pickups": [
                {"node": 24, "amount": 0, "product_amount": 20},
                {"node": 23, "amount": 5, "product_amount": 0},
            ],
            "product_capacity": 80,
        },
    ),
    ("pickup_delivery.paired", {"pairs": [[13, 23]]}),
    ("pickup_delivery.paired", {"pairs": [[5, 3], [13, 23]]}),
    ("same_vehicle.together", {"groups": [[13, 23], [5, 3]]}),
    ("same_vehicle.consecutive", {"groups": [[7, 10], [13, 17, 18]]}),
    ("same_vehicle.ordered", {"sequences": [[13, 23], [7, 8, 9]]}),
    ("same_vehicle.apart", {"groups": [[7, 8, 9]]}),
    ("priority.strict", {"levels": [[7, 5], [3]]}),
    ("priority.first", {"nodes": [20]}),
    ("priority.d_relaxed", {"levels": [[7], [5], [3], [1]], "d": 2}),
    ("priority.early_position", {"nodes": [8, 13], "positions": 4}),
]


def alone(*routes: list[int]) -> Plan:
    """The given routes, and every other customer of the 25 on a route of its own."""
    used = {customer for route in routes for customer in route}
    return [list(route) for route in routes] + [[c] for c in range(1, 26) if c not in used]


def span(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


# Plans or parameters that violate more and more: the penalty must rise at every step (and the checker fail).
GROWTH: list[tuple[str, list[tuple[dict[str, Any], Plan]]]] = [
    ("capacity.limit", [({"capacity": 60}, alone(span(1, k))) for k in (6, 7, 8)]),
    (
        "capacity.light_routes",
        [
            ({"routes": 3, "below": 100}, plan)
            for plan in (
                [span(1, 8), span(9, 15), [16], span(17, 24), [25]],
                [span(1, 8), span(9, 16), span(17, 24), [25]],
                [span(1, 8), span(9, 16), span(17, 25)],
            )
        ],
    ),
    (
        "capacity.distance_surcharge",
        [({"capacity": 60, "nodes": [19], "factor": 5}, alone([*span(1, k), 19])) for k in (4, 5, 6)],
    ),
    (
        "capacity.second_product",
        [
            (
                {
                    "deliveries": [{"node": n, "amount": a} for n, a in ((12, 70), (14, 80), (16, 50))],
                    "product_capacity": 100,
                },
                alone(route),
            )
            for route in ([12, 14], [12, 14, 16])
        ],
    ),
    ("distance_limit.max_length", [({"max_length": 40}, alone(span(1, k))) for k in (3, 6, 9)]),
    (
        "distance_limit.short_routes",
        [
            ({"max_length": 1000, "routes": 3, "below": 40}, plan)
            for plan in (
                [[20], [21], span(1, 19) + span(22, 25)],
                [[20], span(1, 19) + span(21, 25)],
                [span(1, 25)],
            )
        ],
    ),
    (
        "distance_limit.recharge",
        [({"range_limit": r, "nodes": [5]}, alone(span(1, 9))) for r in (30, 20, 10)],
    ),
    (
        "distance_limit.range_drop",
        [({"range_limit": r, "nodes": [5], "factor": 0.5}, alone(span(1, 9))) for r in (60, 40, 20)],
    ),
    (
        "time_windows.windows",
        [({"overrides": [{"node": 13, "window": [0, e]}]}, alone()) for e in (20, 10, 0)],
    ),
    ("time_windows.delayed_start", [({"start_time": s, "routes": 1}, alone()) for s in (1150, 1200, 1300)]),
    (
        "time_windows.extra_windows",
        [({"windows": [{"node": 13, "window": [a, a + 10]}]}, alone([22, 13])) for a in (950, 1000, 1100)],
    ),
    (
        "time_windows.growing_service",
        [({"nodes": nodes}, alone([20, 13, 17, 15, 9])) for nodes in ([20], [20, 13], [20, 13, 17])],
    ),
    (
        "pickup_delivery.mixed",
        [({"pickups": [{"node": 24, "amount": a}]}, alone([24, 1, 2])) for a in (10, 20, 30)],
    ),
    (
        "pickup_delivery.light_returns",
        [
            ({"pickups": [{"node": 24, "amount": 10}], "routes": 3, "below": 100}, plan)
            for plan in (
                [span(1, 8), span(9, 15), [16], span(17, 23), [25], [24]],
                [span(1, 8), span(9, 16), span(17, 23), [25], [24]],
                [span(1, 8), span(9, 16), span(17, 25)],
            )
        ],
    ),
    (
        "pickup_delivery.two_products",
        [
            (
                {
                    "deliveries": [{"node": 12, "amount": 70}],
                    "pickups": [{"node": 24, "amount": 10, "product_amount": a}],
                    "product_capacity": 100,
                },
                alone([24, 12]),
            )
            for a in (20, 40, 60)
        ],
    ),
    (
        "pickup_delivery.paired",
        [
            ({"pairs": [[1, 2], [3, 4], [5, 6]]}, alone(route))
            for route in ([2, 1, 3, 4, 5, 6], [2, 1, 4, 3, 5, 6], [2, 1, 4, 3, 6, 5])
        ],
    ),
    (
        "same_vehicle.together",
        [({"groups": [[1, 2, 3, 4]]}, alone(*routes)) for routes in ([[1, 2, 3]], [[1, 2]], [])],
    ),
    (
        "same_vehicle.consecutive",
        [
            ({"groups": [[1, 2, 3]]}, alone(route))
            for route in ([1, 9, 2, 3], [1, 9, 10, 2, 3], [1, 9, 10, 2])
        ],
    ),
    (
        "same_vehicle.ordered",
        [
            ({"sequences": [[1, 2, 3, 4]]}, alone(route))
            for route in ([1, 2, 4, 3], [1, 4, 3, 2], [4, 3, 2, 1])
        ],
    ),
    (
        "same_vehicle.apart",
        [({"groups": [[1, 2, 3, 4]]}, alone(route)) for route in ([1, 2], [1, 2, 3], [1, 2, 3, 4])],
    ),
    (
        "priority.strict",
        [({"levels": [[7], [5], [3]]}, alone(route)) for route in ([20, 3], [20, 5], [20, 7])],
    ),
    ("priority.first", [({"nodes": [5, 7]}, alone(*routes)) for routes in ([[20, 5]], [[20, 5], [21, 7]])]),
    (
        "priority.d_relaxed",
        [
            ({"levels": [[7], [5], [3]], "d": 1}, alone(*routes))
            for routes in ([[20, 5]], [[20, 7]], [[20, 7], [21, 5]])
        ],
    ),
    (
        "priority.early_position",
        [
            ({"nodes": [8], "positions": 3}, alone(route))
            for route in ([1, 2, 3, 8], [1, 2, 3, 4, 8], [1, 2, 3, 4, 5, 8])
        ],
    ),
]


def examples(oracles: list[Oracle]) -> list[tuple[str, dict[str, Any]]]:
    """RoutBench's parameters (each once) and the extra ones."""
    filled = {repr(item): item for oracle in oracles for item in oracle.constraints}
    return [*filled.values(), *EXTRA_EXAMPLES]


def test_every_family_has_two_to_four_templates() -> None:
    assert len(TEMPLATES) == 24
    for family in FAMILIES:
        templates = templates_for(family)
        assert 2 <= len(templates) <= 4
        assert all(
            template.key.startswith(family + ".") and template.family == family for template in templates
        )
    with pytest.raises(KeyError, match="known: capacity"):
        templates_for("fleet size")


def test_the_catalogue_lists_every_template_with_its_parameters() -> None:
    catalogue = describe_all()
    for key, template in TEMPLATES.items():
        line = next(line for line in catalogue.splitlines() if line.startswith(f"- {key} "))
        assert template.description in line
        assert all(name in line for name in template.parameters.model_fields)
    assert sum(line.startswith("- ") for line in catalogue.splitlines()) == len(TEMPLATES)


def test_every_parameter_is_described_for_the_llm() -> None:
    for template in TEMPLATES.values():
        schema = template.parameters.model_json_schema()
        assert schema["additionalProperties"] is False
        for name, field in schema["properties"].items():
            assert field.get("description"), f"{template.key}.{name} has no description"


def test_rendered_code_passes_the_sandbox_policy_and_defines_the_two_functions(oracles: list[Oracle]) -> None:
    for key, params in examples(oracles):
        for prefix in ("", "c7_"):
            check, penalty = TEMPLATES[key].render(params, prefix=prefix)
            for source, name in ((check, "check_constraints"), (penalty, "penalty")):
                tree = ast.parse(source)
                assert check_source(tree, TEMPLATE_IMPORTS) == [], key
                assert [node.name for node in tree.body if isinstance(node, ast.FunctionDef)] == [
                    prefix + name
                ]
                assert not any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("capacity.limit", {"capacity": -5}),
        ("capacity.limit", {"capacity": 100, "fleet": 3}),
        ("capacity.limit", {"capacity": "200); import os; ("}),
        ("same_vehicle.together", {"groups": [[13]]}),
        ("same_vehicle.apart", {"groups": [[7, 7]]}),
        ("priority.strict", {"levels": [[7], [5, 7]]}),
        ("priority.early_position", {"nodes": [0], "positions": 3}),
        ("time_windows.extra_windows", {"windows": [{"node": 4, "window": [950, 900]}]}),
        (
            "time_windows.windows",
            {"overrides": [{"node": 4, "window": [1, 2]}, {"node": 4, "window": [3, 4]}]},
        ),
        ("pickup_delivery.mixed", {"pickups": [{"node": 24, "amount": 10}, {"node": 24, "amount": 5}]}),
        ("distance_limit.range_drop", {"range_limit": 200, "nodes": [17], "factor": 1.5}),
        ("distance_limit.max_length", {"max_length": math.inf}),
    ],
)
def test_parameters_that_do_not_fit_are_refused(key: str, params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TEMPLATES[key].render(params)


def test_only_numbers_are_written_into_the_code() -> None:
    assert literal({7: 3, 5: (1.5, 2)}) == "{7: 3, 5: (1.5, 2)}"
    assert literal([(4,), None, True]) == "[(4,), None, True]"
    for value in ("x", math.nan, object(), [1, "2"]):
        with pytest.raises(TypeError):
            literal(value)
    with pytest.raises(ValueError, match="identifier"):
        TEMPLATES["capacity.limit"].render({}, prefix="a b")


def test_penalty_is_zero_exactly_when_the_checker_passes(
    oracles: list[Oracle], pool: PlanPool, instance: Path
) -> None:
    plans = pool.random + [index for indices in pool.around.values() for index in indices[:12]]
    cases = examples(oracles)
    programs = {f"t{number}": TEMPLATES[key].render(params) for number, (key, params) in enumerate(cases)}
    rows = batch.evaluate(programs, pool.plans, dict.fromkeys(programs, plans), instance)

    outcomes: dict[str, set[bool]] = {key: set() for key in TEMPLATES}
    for number, (key, params) in enumerate(cases):
        for check_type, passes, penalty_type, value in rows[f"t{number}"]:
            assert (check_type, penalty_type) == ("bool", "float"), key
            assert value >= 0 and passes == (value == 0.0), (key, params, passes, value)
            outcomes[key].add(passes)
    assert all(seen == {True, False} for seen in outcomes.values()), outcomes


def test_a_limit_at_the_plan_passes_and_a_hair_below_fails_with_a_tiny_penalty(
    pool: PlanPool, instance: Path
) -> None:
    data = read_instance(instance)
    weights, demand = data["edge_weight"], data["demand"]
    programs, jobs, expected = {}, {}, []
    for number, indices in enumerate(list(pool.around.values())[:4]):
        plan = pool.plans[indices[0]]
        load = max(sum(demand[node] for node in route) for route in plan)
        tours = [[0, *route, 0] for route in plan]
        length = max(sum(weights[a][b] for a, b in pairwise(tour)) for tour in tours)
        for suffix, key, params, bound in (  # bound: the largest penalty a failing plan may get
            ("a", "capacity.limit", {"capacity": float(load)}, 0.0),
            ("b", "capacity.limit", {"capacity": load - 0.5}, 0.5 * len(plan)),
            ("c", "distance_limit.max_length", {"max_length": float(length)}, 0.0),
            ("d", "distance_limit.max_length", {"max_length": math.nextafter(float(length), 0)}, 1e-9),
        ):
            programs[f"b{number}{suffix}"] = TEMPLATES[key].render(params)
            jobs[f"b{number}{suffix}"] = [indices[0]]
            expected.append((f"b{number}{suffix}", bound))
    rows = batch.evaluate(programs, pool.plans, jobs, instance)
    for name, bound in expected:
        (_, verdict, _, value) = rows[name][0]
        assert verdict == (bound == 0.0) and (value == 0.0 if verdict else 0 < value <= bound), (name, value)


def test_the_penalty_grows_with_the_violation(instance: Path) -> None:
    assert {key for key, _ in GROWTH} == set(TEMPLATES)
    plans, programs, jobs = [], {}, {}
    for number, (key, steps) in enumerate(GROWTH):
        for step, (params, plan) in enumerate(steps):
            programs[f"g{number}_{step}"] = TEMPLATES[key].render(params)
            jobs[f"g{number}_{step}"] = [len(plans)]
            plans.append(plan)
    rows = batch.evaluate(programs, plans, jobs, instance)
    for number, (key, steps) in enumerate(GROWTH):
        results = [rows[f"g{number}_{step}"][0] for step in range(len(steps))]
        assert not any(row[1] for row in results), key
        values = [row[3] for row in results]
        assert all(0 < a < b for a, b in pairwise(values)), (key, values)


def test_compose_ands_the_checkers_and_adds_the_penalties(pool: PlanPool, instance: Path) -> None:
    parts = [
        (TEMPLATES["time_windows.windows"], {}),
        (TEMPLATES["same_vehicle.together"], {"groups": [[13, 23]]}),
        (TEMPLATES["same_vehicle.together"], {"groups": [[5, 3]]}),
        (TEMPLATES["priority.strict"], {"levels": [[7], [5], [3]]}),
    ]
    check, penalty = compose(parts)
    for source in (check, penalty):
        assert check_source(ast.parse(source), TEMPLATE_IMPORTS) == []
    assert "def c4_check_constraints(state)" in check and "def c4_penalty(state)" in penalty
    programs = {"whole": (check, penalty)}
    programs |= {f"part{number}": template.render(params) for number, (template, params) in enumerate(parts)}
    plans = pool.random + [index for indices in pool.around.values() for index in indices[:4]]
    rows = batch.evaluate(programs, pool.plans, dict.fromkeys(programs, plans), instance)
    for position, (_, passes, _, value) in enumerate(rows["whole"]):
        parts_at = [rows[f"part{number}"][position] for number in range(len(parts))]
        assert passes == all(row[1] for row in parts_at)
        assert value == sum((row[3] for row in parts_at[1:]), parts_at[0][3])
    assert {row[1] for row in rows["whole"]} == {True, False}
    with pytest.raises(ValueError, match="No constraint"):
        compose([])
