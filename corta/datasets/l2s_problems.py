"""Generated problems for the Long-to-Short experiment: multi-step arithmetic and small integer programs in words,
each with its exact answer and three styles of solution:

- short: the answer only;
- long: every step worked out once, then the answer (a concise chain of thought, as Qwen2.5-Math writes);
- reflective: the same steps, each re-checked, and the question re-read before the answer (the redundant
  self-verification of a long-reasoning model such as DeepSeek-R1's distillations, which L2S merging is meant to cut).

Seeded, so training and held-out sets are reproducible and disjoint by seed.
"""

import random
from dataclasses import dataclass
from typing import Literal

Kind = Literal["arithmetic", "program"]
ANSWER_PREFIX = "The answer is"
RECHECK = "Wait, let me check that step again:"
"""How a reflective solution opens the re-check of a step (the evaluation counts the replies that do)."""


@dataclass(frozen=True)
class L2SProblem:
    """A problem, its exact integer answer, and the three styles of solution."""

    id: str
    kind: Kind
    question: str
    answer: int
    short: str
    long: str
    reflective: str


def _arithmetic(rng: random.Random, index: int) -> L2SProblem:
    name = rng.choice(["Mia", "Omar", "Lena", "Ravi", "Sofia", "Jonas", "Aiko", "Tariq"])
    thing = rng.choice(["marbles", "stickers", "apples", "books", "coins", "stamps"])
    start, bags, per_bag, given = (
        rng.randint(10, 60),
        rng.randint(2, 6),
        rng.randint(3, 12),
        rng.randint(2, 15),
    )
    shared = rng.choice([2, 3, 4])
    bought = bags * per_bag
    after = start + bought - given
    after -= after % shared  # keeps the last division exact
    start = after - bought + given
    each = after // shared
    question = (
        f"{name} has {start} {thing}. {name} buys {bags} bags with {per_bag} {thing} each, then gives {given} "
        f"{thing} away. {name} shares the rest equally among {shared} friends. How many {thing} does each friend get?"
    )
    steps = [
        f"{name} starts with {start} {thing}.",
        f"The {bags} bags hold {bags} × {per_bag} = {bought} {thing}.",
        f"After buying them: {start} + {bought} = {start + bought}.",
        f"After giving {given} away: {start + bought} − {given} = {after}.",
        f"Shared among {shared} friends: {after} ÷ {shared} = {each}.",
    ]
    return _problem(f"arithmetic/{index}", "arithmetic", question, each, steps)


def _program(rng: random.Random, index: int) -> L2SProblem:
    maker = rng.choice(["A bakery", "A workshop", "A print shop", "A kitchen"])
    big, small = rng.choice(
        [("cakes", "pies"), ("tables", "chairs"), ("posters", "cards"), ("stews", "soups")]
    )
    big_profit, small_profit = rng.randint(6, 15), rng.randint(2, 7)
    big_time, small_time = rng.randint(4, 9), rng.randint(1, 4)
    hours, most_big = rng.randint(20, 45), rng.randint(1, 4)
    question = (
        f"{maker} makes {big} and {small}. Each of the {big} earns {big_profit} dollars and takes {big_time} hours; "
        f"each of the {small} earns {small_profit} dollars and takes {small_time} hours. There are {hours} hours "
        f"and at most {most_big} {big} can be sold. What is the largest total profit in dollars?"
    )
    steps = [f"Try each number of {big} from 0 to {most_big}; the hours left go to {small}."]
    best = 0
    for count in range(0, min(most_big, hours // big_time) + 1):
        left = hours - count * big_time
        extra = left // small_time
        profit = count * big_profit + extra * small_profit
        best = max(best, profit)
        steps.append(
            f"{count} {big}: {left} hours left, {extra} {small}, profit {count} × {big_profit} + {extra} × "
            f"{small_profit} = {profit}."
        )
    steps.append(f"The largest profit is {best}.")
    return _problem(f"program/{index}", "program", question, best, steps)


def _problem(problem_id: str, kind: Kind, question: str, answer: int, steps: list[str]) -> L2SProblem:
    final = f"{ANSWER_PREFIX} {answer}."
    checked = [line for step in steps for line in (step, f"{RECHECK} {step} Yes, it holds.")]
    review = (
        "Let me re-read the question to be sure nothing is missed. "
        f"Every number in it was used, and the result is {answer}. Everything checks out."
    )
    return L2SProblem(
        problem_id,
        kind,
        question,
        answer,
        final,
        "\n".join([*steps, final]),
        "\n".join([*checked, review, final]),
    )


def generate_problems(count: int, seed: int) -> list[L2SProblem]:
    """`count` problems, alternating the two kinds, from `seed` (use different seeds for training and held out)."""
    rng = random.Random(seed)
    makers = (_arithmetic, _program)
    return [makers[index % 2](rng, index) for index in range(count)]
