"""The templates against RoutBench's reference checkers: filled from each variant's words, the composed checker
gives the reference checker's verdict on every plan, and the composed penalty is 0 exactly there (all of it run in
the sandbox).

Plans per variant: the backbone's plan under the reference checker (feasible, as a rule), 160 of its one-move neighbours
(many feasible, many just over the boundary), 40 random plans and 60 plans made around other variants.
"""

import random
from collections import Counter
from pathlib import Path

from corta.agents.router.constraint_db import TEMPLATES
from corta.datasets.routbench import family_of
from tests.agents.router import batch
from tests.agents.router.conftest import Oracle, PlanPool


def test_the_filled_variants_cover_every_routbench_sub_variant(oracles: list[Oracle]) -> None:
    simple = [oracle for oracle in oracles if oracle.variant.split == "simple"]
    assert len(simple) >= 30
    sub_variants = Counter(name.split(" - ")[1] for oracle in oracles for name in oracle.variant.types)
    assert len(sub_variants) == 24
    # One template per constraint type, of its family ("pickup & delivery" is pickup_delivery).
    for oracle in oracles:
        families = [family_of(name).replace(" & ", "_").replace(" ", "_") for name in oracle.variant.types]
        assert [TEMPLATES[key].family for key, _ in oracle.constraints] == families


def test_composed_templates_agree_with_the_reference_checkers(
    oracles: list[Oracle], pool: PlanPool, instance: Path
) -> None:
    rng = random.Random(11)
    programs, jobs = {}, {}
    for oracle in oracles:
        elsewhere = [
            index for name, indices in pool.around.items() if name != oracle.name for index in indices
        ]
        plans = pool.around[oracle.name] + pool.random + rng.sample(elsewhere, 60)
        template_name = oracle.name.replace("ref", "tpl")
        programs[oracle.name] = (oracle.variant.checker_code, None)
        programs[template_name] = oracle.composed()
        jobs[oracle.name] = jobs[template_name] = plans
    rows = batch.evaluate(programs, pool.plans, jobs, instance)

    report, disagreements = [], []
    for oracle in oracles:
        reference = [row[1] for row in rows[oracle.name]]
        ours = [row[1] for row in rows[oracle.name.replace("ref", "tpl")]]
        penalties = [row[3] for row in rows[oracle.name.replace("ref", "tpl")]]
        agree = sum(a == b == (value == 0.0) for a, b, value in zip(reference, ours, penalties, strict=True))
        report.append(f"{oracle.variant.id}: {agree}/{len(reference)} agree, {sum(reference)} feasible")
        if agree < len(reference):
            disagreements.append(report[-1])
        assert len(reference) >= 200 and 0 < sum(reference) < len(reference), report[-1]
    print("\n".join(report))
    assert not disagreements, disagreements
