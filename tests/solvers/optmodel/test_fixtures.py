"""Every hand-written model in tests/fixtures/models reproduces its benchmark's gold objective (or status)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve_expanded
from corta.solvers.optmodel.verify import verify

FIXTURES = sorted((Path(__file__).parents[2] / "fixtures" / "models").glob("*.json"))


@pytest.mark.parametrize("via", ["highs", "pyomo"])
@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_fixture_reproduces_its_gold_answer(path, via):
    """Both routes to HiGHS — arrays directly, and the Pyomo model — reproduce every gold answer."""
    data = json.loads(path.read_text())
    expanded = expand(load_model(data))
    result = solve_expanded(expanded, time_limit_s=120, via=via)
    assert result.status == data["status"], result.message
    if data["status"] == "optimal":
        gold = data["answer"]
        assert abs(result.objective - gold) <= 1e-6 * max(1.0, abs(gold)), (result.objective, gold)
        assert verify(expanded, result.point).max_violation <= 1e-6


def test_the_fixture_set_covers_the_benchmarks_the_issue_names():
    data = [json.loads(path.read_text()) for path in FIXTURES]
    benchmarks = Counter(item["id"].split("/")[0] for item in data)
    assert len(data) >= 40
    assert benchmarks["nl4opt"] >= 10 and benchmarks["logior"] >= 10
    assert benchmarks["mamo_easy"] + benchmarks["mamo_complex"] >= 10 and benchmarks["mamo_complex"] >= 5
    statuses = Counter(item["status"] for item in data)
    assert statuses["infeasible"] >= 1 and statuses["unbounded"] >= 1
    with_products = [item["id"] for item in data if expand(load_model(item)).degree > 1]
    assert len(with_products) >= 3, with_products
