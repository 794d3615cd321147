"""Test constraint code in the sandbox before the search relies on it, in one sandboxed run per program.

The run makes its own test plans next to the code: the backbone's plan without side constraints and its plan under
the code's own penalty (short, fixed-iteration runs), one-move neighbours of each (near the boundary), random plans,
and counterexamples that move the nodes the description names. On every plan it calls the checker and the penalty
of the whole program and of each part. Then, outside the sandbox:

- the code must run on every plan, the checker return a bool and the penalty a finite float ≥ 0;
- the penalty must be 0 exactly when the checker passes;
- a checker that accepts every plan, or (free-form code) rejects every plan, is rejected: on random plans such
  checkers look good, so the plans are feasible-rich and near the boundary. A template part that rejects every
  plan is only noted, since its code is right by construction and its rule may just be hard to meet;
- with a reference checker (evaluation only), false accepts and false rejects are counted separately.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corta.agents.router.plans import Plan
from corta.agents.router.programs import Program, prefixed
from corta.config import Settings
from corta.solvers.routing.instance import read_instance
from corta.solvers.routing.sandboxed import ROUTING_IMPORTS, matplotlib_cache
from corta.solvers.sandbox import SandboxLimits, SandboxResult, run_code

PROBE_IMPORTS = ROUTING_IMPORTS | {"corta.agents.router.plans"}
ITERATIONS = 25  # backbone iterations of each short run (no PyVRP seed): about a second at 25 customers
NEIGHBOURS = 40  # one-move neighbours of each backbone plan
RANDOM_PLANS = 20
FREE_FORM = "free-form code"

_PRELUDE = """
import random as corta_random
from corta.agents.router.plans import counterexamples as corta_counterexamples
from corta.agents.router.plans import neighbours as corta_neighbours
from corta.agents.router.plans import random_plan as corta_random_plan
from corta.solvers.routing.backbone import solve as corta_backbone_solve
from corta.solvers.routing.constraints import call_checker as corta_call_checker
from corta.solvers.routing.constraints import call_penalty as corta_call_penalty
from corta.solvers.routing.instance import read_instance as corta_read_instance
from corta.solvers.routing.state import VrpState
"""

_ENTRY = """
def corta_probe(instance_path, guides, extra, mentioned, seed, iterations, around, randoms):
    data = corta_read_instance(instance_path)
    rng = corta_random.Random(seed)
    bases = []
    if iterations:
        bases.append(corta_backbone_solve(data, seed=seed, max_iterations=iterations, seed_with_pyvrp=False).routes)
        for name in guides:
            check, penalty = CORTA_FUNCTIONS[name]
            bases.append(
                corta_backbone_solve(
                    data, check=check, penalty=penalty, seed=seed, max_iterations=iterations, seed_with_pyvrp=False
                ).routes
            )
    bases += extra
    plans = []
    for plan in bases:
        plans.append(plan)
        plans += corta_neighbours(rng, plan, around)
    if bases and mentioned:
        plans += corta_counterexamples(bases[1] if iterations and guides else bases[0], mentioned)
    plans += [corta_random_plan(rng, len(data["demand"]) - 1) for _ in range(randoms)]
    rows, problems = {}, {}
    for name, (check, penalty) in CORTA_FUNCTIONS.items():
        found = []
        row = []
        for plan in plans:
            state = VrpState([route[:] for route in plan], data)
            verdict, problem = corta_call_checker(check, state)
            value = None
            if problem is None and penalty is not None:
                value, problem = corta_call_penalty(penalty, state)
            if problem is not None:
                found.append(problem)
            row.append([verdict, value])
        rows[name] = row
        problems[name] = [len(found), found[0] if found else None]
    return {"plans": plans, "bases": bases, "rows": rows, "problems": problems}
"""


@dataclass
class Probe:
    """What one sandboxed run found: the plans, and per function pair one [verdict, penalty] row per plan
    (None where the code failed), with how often it failed and the first failure in words."""

    plans: list[Plan]
    rows: dict[str, list[list[Any]]]
    problems: dict[str, tuple[int, str | None]]
    bases: list[Plan] = field(default_factory=list)
    error: str | None = None

    def verdicts(self, name: str) -> list[bool]:
        return [bool(verdict) for verdict, _ in self.rows[name]]


def run_probe(
    instance_path: Path,
    sources: Sequence[str],
    functions: Mapping[str, tuple[str, str | None]],
    guides: Sequence[str] = (),
    extra_plans: Sequence[Plan] = (),
    mentioned: Sequence[int] = (),
    seed: int = 0,
    iterations: int = ITERATIONS,
    around: int = NEIGHBOURS,
    randoms: int = RANDOM_PLANS,
) -> Probe:
    """Run `functions` (name: (checker function, penalty function or None)), defined by `sources`, on the test
    plans in one sandboxed process; `guides` names the pairs the backbone runs under. A program that cannot run
    at all gives a `Probe` with `error` set and no rows."""
    table = ", ".join(
        f"{name!r}: ({check}, {penalty or 'None'})" for name, (check, penalty) in functions.items()
    )
    source = "\n\n".join([_PRELUDE, *sources, "CORTA_FUNCTIONS = {" + table + "}", _ENTRY])
    folder = matplotlib_cache(Settings().cache_dir)
    customers = len(read_instance(instance_path)["demand"]) - 1
    budget = math.ceil((15 + (3 + len(guides)) * (iterations // 5 + 1)) * max(1.0, customers / 25))
    result: SandboxResult = run_code(
        source,
        "corta_probe",
        [str(instance_path.resolve()), list(guides), [list(map(list, plan)) for plan in extra_plans],
         list(mentioned), seed, iterations, around, randoms],
        SandboxLimits(cpu_s=budget, wall_s=2.0 * budget + 10, memory_mb=3072, output_chars=4096),
        PROBE_IMPORTS,
        read_roots=[str(instance_path.resolve().parent), str(folder)],
        extra_env={"MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg"},
    )  # fmt: skip
    if not result.ok:
        assert result.error is not None
        lines = [line for line in result.error.message.strip().splitlines() if line.strip()]
        return Probe([], {}, {}, error=f"{result.error.kind}: {lines[-1] if lines else result.error.message}")
    reply = result.result
    problems = {name: (count, first) for name, (count, first) in reply["problems"].items()}
    return Probe(reply["plans"], reply["rows"], problems, reply["bases"])


@dataclass
class CodeTest:
    """The verdict on one program: what failed (sentences), per part too, and what the plans showed.

    `false_accepts` and `false_rejects` count plans where the program's checker disagrees with a reference
    checker (known only in evaluations).
    """

    failures: list[str]
    part_failures: list[list[str]] = field(default_factory=list)  # one list per part of the program
    part_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plans: int = 0
    accepted: int = 0
    guided_plan: Plan | None = None
    false_accepts: int | None = None
    false_rejects: int | None = None
    reference_accepted: int | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and not any(self.part_failures)

    @property
    def agrees(self) -> bool | None:
        """Whether the checker gave the reference's verdict on every plan (None without a reference)."""
        if self.false_accepts is None or self.false_rejects is None:
            return None
        return self.plans > 0 and self.false_accepts == 0 and self.false_rejects == 0

    def summary(self) -> str:
        """The failures in one paragraph (the whole program's, then each part's)."""
        lines = list(self.failures)
        lines += [
            f"{label}: {failure}"
            for label, items in zip(self.part_labels, self.part_failures, strict=True)
            for failure in items
        ]
        return "; ".join(lines) if lines else "all tests passed"

    def as_record(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failures": self.failures,
            "part_failures": dict(zip(self.part_labels, self.part_failures, strict=True)),
            "notes": self.notes,
            "plans": self.plans,
            "accepted": self.accepted,
            "false_accepts": self.false_accepts,
            "false_rejects": self.false_rejects,
        }


def _judge(probe: Probe, name: str, strict_constant: bool) -> tuple[list[str], list[str]]:
    """Failures and notes of one function pair on the probe's plans."""
    rows, (count, first) = probe.rows[name], probe.problems[name]
    failures, notes = [], []
    if count:
        failures.append(f"it failed on {count} of {len(rows)} test plans ({first})")
    judged = [(verdict, value) for verdict, value in rows if verdict is not None]
    wrong_zero = sum(1 for verdict, value in judged if value is not None and (value == 0.0) != verdict)
    if wrong_zero:
        failures.append(
            f"its penalty is 0 exactly when the checker passes on only {len(judged) - wrong_zero} of "
            f"{len(judged)} test plans"
        )
    verdicts = {bool(verdict) for verdict, _ in judged}
    if judged and verdicts == {True}:
        failures.append(
            f"its checker accepts all {len(judged)} test plans, including plans that break the rule "
            "(random plans, nodes moved apart, reordered, or to the end of a route)"
        )
    elif judged and verdicts == {False}:
        sentence = (
            f"its checker rejects all {len(judged)} test plans, the search's best plan under it included"
        )
        (failures if strict_constant else notes).append(sentence)
    return failures, notes


def run_tests(
    instance_path: Path,
    program: Program,
    mentioned: Sequence[int] = (),
    seed: int = 0,
    reference_code: str | None = None,
    extra_plans: Sequence[Plan] = (),
    iterations: int = ITERATIONS,
) -> CodeTest:
    """Run the tests on `program`; with `reference_code` (a RoutBench checker) also count its disagreements."""
    functions: dict[str, tuple[str, str | None]] = {"program": ("check_constraints", "penalty")}
    multi = len(program.parts) > 1
    if multi:
        functions |= {f"part{n}": (part.check, part.penalty) for n, part in enumerate(program.parts)}
    sources = [program.source]
    guides = ["program"]
    if reference_code is not None:
        sources.append(prefixed(reference_code, "reference_"))
        functions["reference"] = ("reference_check_constraints", None)
        guides.append("reference")
    probe = run_probe(
        instance_path, sources, functions, guides, extra_plans, mentioned, seed, iterations=iterations
    )
    if probe.error:
        return CodeTest([f"the code did not run ({probe.error})"])
    free = [part.label == FREE_FORM for part in program.parts]
    failures, notes = _judge(probe, "program", strict_constant=any(free))
    part_failures: list[list[str]] = [[] for _ in program.parts]
    if multi:
        for n, part in enumerate(program.parts):
            found, noted = _judge(probe, f"part{n}", strict_constant=free[n])
            part_failures[n] = found
            notes += [f"{part.label}: {note}" for note in noted]
        if any(part_failures):
            failures = []  # the parts explain them
    elif not any(free):
        part_failures[0], failures = failures, []
        notes = [f"{program.parts[0].label}: {note}" for note in notes]
    verdicts = probe.verdicts("program")
    test = CodeTest(
        failures,
        part_failures,
        [part.label for part in program.parts],
        notes,
        plans=len(probe.plans),
        accepted=sum(verdicts),
        guided_plan=probe.bases[1] if len(probe.bases) > 1 else None,
    )
    if reference_code is not None:
        reference = probe.verdicts("reference")
        test.false_accepts = sum(
            ours and not theirs for ours, theirs in zip(verdicts, reference, strict=True)
        )
        test.false_rejects = sum(
            theirs and not ours for ours, theirs in zip(verdicts, reference, strict=True)
        )
        test.reference_accepted = sum(reference)
    return test


def evaluate_parts(instance_path: Path, program: Program, plan: Plan) -> list[tuple[bool, float | None]]:
    """Each part's checker verdict and penalty on one plan, in order (a failing function counts as a
    rejection)."""
    functions = {str(n): (part.check, part.penalty) for n, part in enumerate(program.parts)}
    probe = run_probe(
        instance_path, [program.source], functions, extra_plans=[plan], iterations=0, around=0, randoms=0
    )
    if probe.error:
        return [(False, None) for _ in program.parts]
    return [(bool(probe.rows[str(n)][0][0]), probe.rows[str(n)][0][1]) for n in range(len(program.parts))]


def check_plan(instance_path: Path, checker_code: str, plan: Plan) -> tuple[bool, str | None]:
    """A checker's verdict on one plan, run in the sandbox, and what went wrong when it has none."""
    probe = run_probe(
        instance_path,
        [prefixed(checker_code, "reference_")],
        {"reference": ("reference_check_constraints", None)},
        extra_plans=[plan],
        iterations=0,
        around=0,
        randoms=0,
    )
    if probe.error:
        return False, probe.error
    return bool(probe.rows["reference"][0][0]), probe.problems["reference"][1]
