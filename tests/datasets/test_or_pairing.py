"""Methods compared item by item: discordant counts and the exact McNemar test."""

import math

import pytest

from corta.datasets.or_pairing import mcnemar_exact, paired_comparisons, shared_items


def test_the_exact_test_is_a_two_sided_sign_test_on_the_discordant_items() -> None:
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(5, 0) == pytest.approx(2 / 2**5)
    assert mcnemar_exact(0, 5) == mcnemar_exact(5, 0)
    # 4 against 1 of 5 discordant: P(X <= 1) = (1 + 5) / 32, doubled.
    assert mcnemar_exact(4, 1) == pytest.approx(12 / 32)
    assert mcnemar_exact(20, 2) < 0.001 < mcnemar_exact(6, 3)


def test_pairs_count_only_the_items_both_methods_ran() -> None:
    correct = {
        "bpp": {"a": True, "b": True, "c": False, "d": True},
        "cot": {"a": True, "b": False, "c": True, "d": False},
        "tot": {"a": False, "b": False},
    }
    assert shared_items(correct) == {"a", "b"}
    pairs = {(pair.first, pair.second): pair for pair in paired_comparisons(correct)}
    assert list(pairs) == [("bpp", "cot"), ("bpp", "tot"), ("cot", "tot")]
    bpp_cot = pairs["bpp", "cot"]
    assert (bpp_cot.items, bpp_cot.first_only, bpp_cot.second_only) == (4, 2, 1)
    assert bpp_cot.p_value == pytest.approx(1.0)
    bpp_tot = pairs["bpp", "tot"]
    assert (bpp_tot.items, bpp_tot.first_only, bpp_tot.second_only) == (2, 2, 0)
    assert math.isclose(bpp_tot.p_value, 0.5)
    assert shared_items({}) == set()
