"""The function and domain parser: the notations models are written in, and errors with positions."""

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corta.errors import ModelError
from corta.solvers.optmodel.expressions import (
    BinOp,
    Condition,
    Member,
    Num,
    Range,
    Ref,
    Sum,
    normalize,
    parse_constraint,
    parse_domain,
    parse_expression,
)


def without_positions(tree: object) -> str:
    """Positions differ between spellings; the structure must not."""
    return re.sub(r"position=\d+", "", repr(tree))


def test_sum_body_is_the_following_product():
    tree = parse_expression("sum_{i in I} c_i * x_i + 5")
    assert isinstance(tree, BinOp) and tree.op == "+" and tree.right == Num(5.0)
    assert isinstance(tree.left, Sum) and tree.left.bindings == (Member(("i",), "I", 7),)


def test_latex_and_plain_spellings_parse_to_the_same_tree():
    latex = parse_constraint(r"\sum_{j \in J} w_{j} \cdot x_{i,j} \leq C_{i}, \quad \forall i \in I")
    plain = parse_constraint("sum_{j in J} w_{j} * x_{i,j} <= C_{i}, forall i in I")
    assert [type(b) for b in latex.domain] == [Member] and latex.comparison.ops == ("<=",)
    assert without_positions(latex) == without_positions(plain)


def test_domains_in_front_with_conditions_and_unicode():
    text = parse_constraint("∀ t ∈ T, t >= 2: s_{t} = s_{t-1} + p_t")
    assert text.domain[0] == Member(("t",), "T", text.domain[0].position)
    assert isinstance(text.domain[1], Condition) and text.domain[1].op == ">="
    (shifted,) = text.comparison.terms[1].left.indices
    assert shifted == BinOp("-", Ref("t", (), shifted.left.position), Num(1.0))


def test_indexing_forms():
    tree = parse_expression("x[i][j] + y[i,j] + z_{(i,j)}")
    refs = [tree.left.left, tree.left.right, tree.right]
    assert all(len(ref.indices) == 2 for ref in refs)


def test_strict_filters_stay_strict_and_ranges_parse():
    member, condition = parse_domain("i in I, j in J: i < j")[1:]
    assert member.set_name == "J" and condition.op == "<"
    total = parse_expression("sum_{t=1}^{T} x_t")
    assert isinstance(total.bindings[0], Range)


def test_chains_juxtaposition_powers_and_fractions():
    text = parse_constraint("0 <= 2x + \\frac{1}{2} y^2 <= 10")
    assert text.comparison.ops == ("<=", "<=") and len(text.comparison.terms) == 3


def test_names_that_start_like_keywords_are_names():
    tree = parse_expression("index + inv_t + sum_x + summary")
    names = []
    while isinstance(tree, BinOp):
        names.append(tree.right.name)
        tree = tree.left
    assert sorted([*names, tree.name]) == ["index", "inv_t", "sum_x", "summary"]


def test_normalize_keeps_original_positions():
    text, origin = normalize(r"x \leq 5")
    assert text.startswith("x <=") and origin[text.index("5")] == 7


@pytest.mark.parametrize(
    ("text", "position"),
    [("x + ", 2), ("x <= 5 )", 7), (r"x \leq \leq 5", 7), ("3 * * y", 4)],
)
def test_errors_carry_the_original_text_and_position(text, position):
    with pytest.raises(ModelError) as caught:
        parse_constraint(text) if "<" in text or "leq" in text else parse_expression(text)
    assert caught.value.text == text and caught.value.position == position
    assert repr(text) in str(caught.value)


VALID = [
    "sum_{i in I} c_i * x_i",
    r"\sum_{i \in I} \sum_{j \in J} r_i \cdot x_{ij} + \sum_{(i,k) \in P} s_{ik} x_{ij} x_{kj}",
    "forall t in T, t >= 2: s_{t} = s_{t-1} + p_t - d_t",
    "3x + 2y <= 12",
    "x[i][j] - y_{i,j} >= \\frac{1}{2}",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list("xyij_{}[](),+-*/^<=>∑∀∈ \\sumforalin0123456789.IJ:|")), max_size=60
    )
)
def test_random_text_only_raises_model_error(text):
    for parse in (parse_expression, parse_constraint, parse_domain):
        with contextlib.suppress(ModelError):
            parse(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID), st.integers(0, 200), st.integers(0, 200), st.text(max_size=3))
def test_mutated_valid_functions_only_raise_model_error(base, start, length, insert):
    start %= len(base) + 1
    mutated = base[:start] + insert + base[start + length % 4 :]
    for parse in (parse_expression, parse_constraint):
        with contextlib.suppress(ModelError):
            parse(mutated)


def test_one_pair_of_braces_around_the_whole_text_is_dropped():
    assert without_positions(parse_constraint("{3*x + y <= 4}")) == without_positions(
        parse_constraint("3*x + y <= 4")
    )
    assert without_positions(parse_expression("{a} + {b}")) == without_positions(parse_expression("a + b"))
    with pytest.raises(ModelError, match="position 16"):
        parse_constraint("{3 * s} >= j / 3}")


def test_python_sums_read_as_the_grammar_s_sums():
    generator = parse_expression("sum(c[i]*x[i] for i in I) + 5")
    written = parse_expression("sum_{i in I} (c[i]*x[i]) + 5")
    assert without_positions(generator) == without_positions(written)
    around_plain = parse_expression("sum(a*x + b*y)")
    assert without_positions(around_plain) == without_positions(parse_expression("a*x + b*y"))


def test_a_domain_over_consecutive_numbers_is_a_range_and_other_literals_ask_for_a_set():
    (binding,) = parse_constraint("first_dose >= 0 for all i in {1,2}").domain
    assert binding == Range("i", Num(1.0), Num(2.0))
    with pytest.raises(ModelError, match=r"Declare a set for \{1, 3\}"):
        parse_domain("i in {1, 3}")
