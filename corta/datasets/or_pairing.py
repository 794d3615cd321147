"""Methods compared item by item: on the items both ran, how often one is right where the other is wrong.

Two methods run on one sample share its items, so their accuracies are paired: what tells them apart is the
discordant items (one right, the other wrong), not the totals. The exact McNemar test (a two-sided sign test on the
discordant items) says how likely a split at least that lopsided is when both methods are equally good; on 30 items a
3-item gap is often noise, and the table says so.
"""

import math
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class PairedComparison:
    """Two methods on the items both ran.

    Parameters
    ----------
    first, second
        The methods' names.
    items
        Items both ran.
    first_only, second_only
        Items only the first (only the second) got right.
    p_value
        Exact two-sided McNemar p-value of the discordant split (1.0 without discordant items).
    """

    first: str
    second: str
    items: int
    first_only: int
    second_only: int
    p_value: float


def mcnemar_exact(first_only: int, second_only: int) -> float:
    """Two-sided exact McNemar p-value: the chance of a discordant split at least this lopsided under a fair coin."""
    discordant = first_only + second_only
    if discordant == 0:
        return 1.0
    tail = sum(math.comb(discordant, k) for k in range(min(first_only, second_only) + 1)) / 2**discordant
    return min(1.0, 2 * tail)


def shared_items(correct_by_method: dict[str, dict[str, bool]]) -> set[str]:
    """The item ids every method ran."""
    id_sets = [set(correct) for correct in correct_by_method.values()]
    return set.intersection(*id_sets) if id_sets else set()


def paired_comparisons(correct_by_method: dict[str, dict[str, bool]]) -> list[PairedComparison]:
    """Every pair of methods (in the given order) on the items both ran; `correct_by_method` maps a method to its
    correctness per item id."""
    comparisons = []
    for first, second in combinations(correct_by_method, 2):
        common = set(correct_by_method[first]) & set(correct_by_method[second])
        first_only = sum(correct_by_method[first][i] and not correct_by_method[second][i] for i in common)
        second_only = sum(correct_by_method[second][i] and not correct_by_method[first][i] for i in common)
        comparisons.append(
            PairedComparison(
                first, second, len(common), first_only, second_only, mcnemar_exact(first_only, second_only)
            )
        )
    return comparisons
