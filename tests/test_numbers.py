"""Numbers (issue 12, class 5): decimal comma, percent words, angles, gold-precision rounding,
equation chains; every widening rule with a rejected wrong answer of the same shape."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rlvr_rewards import Outcome, Tolerance, check
from rlvr_rewards.parsing.values import parse_value

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def correct(completion: str, gold: str, **kw) -> bool:
    """The answer in a box, so these tests exercise value parsing and the tiers, not extraction."""
    if "\\boxed" not in completion:
        completion = f"\\boxed{{{completion}}}"
    return check(completion, gold, timeout=5.0, **kw).outcome is Outcome.CORRECT


# ---------------------------------------------------------------- decimal comma


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("3,75", "3.75", True), ("4,50 €", "4.5", True), ("4,5 €", "4.5", True), ("12,5 cm", "12.5", True),
        ("1,000", "1000", True), ("7,425,000", "7425000", True),
        ("3,75", "3.76", False), ("4,50 €", "4.05", False), ("1,000", "1", False), ("1,000", "1.0", False),
    ],
)
def test_decimal_comma_where_unambiguous(completion, gold, ok):
    assert correct(completion, gold) is ok


def test_comma_list_stays_a_list():
    for text in ("1,2", "10,12", "1,2345"):
        v = parse_value(text)
        assert v is not None and v.kind.value == "list", text
    assert correct("1, 2", "1,2")
    assert not correct("1.2", "1,2")


@FAST
@given(st.integers(0, 999), st.integers(0, 99))
def test_decimal_comma_property(whole, cents):
    text = f"{whole},{cents:02d}"
    value = f"{whole}.{cents:02d}"
    if whole < 10:
        assert correct(text, value)
    assert correct(f"{text} €", value)
    assert correct(f"€{text}", value)
    assert not correct(text, f"{whole}.{(cents + 1) % 100:02d}")


# ---------------------------------------------------------------- percent


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("12.5 percent", "12.5", True), ("12.5 percent", "0.125", True), ("12.5 pct", "0.125", True),
        ("12.5 per cent", r"12.5\%", True), ("百分之12.5", "0.125", True), (r"12.5\%", r"\frac{1}{8}", True),
        ("50%", "0.5", True),
        ("12.5 percent", "0.126", False), ("百分之12.5", "0.13", False), (r"12.5\%", r"\frac{1}{7}", False),
        ("50%", "5", False),
    ],
)
def test_percent_words_and_fractions(completion, gold, ok):
    assert correct(completion, gold) is ok


# ---------------------------------------------------------------- degrees against radians


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        (r"\frac{\pi}{4}", r"45^\circ", True), (r"45^\circ", r"\frac{\pi}{4}", True), (r"\frac{2\pi}{3}", "120°", True),
        (r"\pi", r"180^\circ", True), (r"\frac{3}{4}\pi", r"135^\circ", True),
        (r"\frac{\pi}{3}", r"45^\circ", False), (r"45^\circ", r"\frac{\pi}{3}", False),
        (r"\frac{\pi}{4}", "45", False),  # no degree sign: 45 is not an angle in degrees
        ("45", r"\frac{\pi}{4}", False),
    ],
)
def test_degrees_against_radians(completion, gold, ok):
    assert correct(completion, gold) is ok


# ---------------------------------------------------------------- gold precision


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"\frac{22}{7}", "3.14"), (r"\pi", "3.14"), ("3.1416", "3.14"), ("1.6666666666666667", "1.67"), ("2/3", "0.66667"),
        ("1/12", "0.0833"), (r"\frac{1}{6}", "0.16667"), ("1.4142", "1.414"), ("2.8125", "2.812"), ("2.8125", "2.813"),
        (r"\frac{\pi}{2}", "1.57"), ("π / 2", "1.570796"), ("35.785 m", "35.8"), ("1.28 x 10^-6 V/K", "1.28e-06"),
        (r"\frac{1}{3}", "0.33"),
    ],
)
def test_decimal_gold_accepts_a_finer_prediction_that_rounds_to_it(completion, gold):
    assert correct(completion, gold)


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        ("0.49", "0.5"),  # a one-digit gold is exact
        ("0.51", "0.5"), ("3.96", "4.0"), ("11.96", "12.0"),  # an integer-valued gold is exact
        ("0.5", "0.49"),  # never the reverse: a coarser prediction
        ("3.14", r"\pi"), ("3.14", r"\frac{22}{7}"), ("0.368", "0.367879441"), ("1.3", "1.33"),
        ("1.58", "1.57"), ("3.15", "3.14"), ("1.4149", "1.414"), ("2.8135", "2.812"),
        (r"\frac{1}{3}", "0.34"), ("0.99", "1.0"),
        ("9.14", "9.184"),  # within 1%, and does not round to the gold
        ("33.44", "33.36"),
    ],
)
def test_rounding_never_accepts_a_wrong_or_coarser_answer(completion, gold):
    assert not correct(completion, gold)


def test_gold_precision_can_be_switched_off():
    assert not correct(r"\frac{22}{7}", "3.14", tolerance=Tolerance(gold_precision=False))
    assert correct("3.14", "3.14", tolerance=Tolerance(gold_precision=False))


def _decimal(q: Fraction, places: int) -> str:
    scaled = round(q * 10**places)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


@FAST
@given(st.integers(-10**5, 10**5), st.integers(1, 10**4), st.integers(1, 5))
def test_gold_precision_property(p, q, places):
    value = Fraction(p, q)
    gold = _decimal(value, places)
    g = Fraction(gold)
    significant = len(gold.replace("-", "").replace(".", "").lstrip("0").rstrip("0"))
    assume(g.denominator != 1 and significant >= 2)
    ulp = Fraction(1, 10**places)
    assume(ulp > Fraction(1, 10**8) * abs(g))  # beyond the default relative tolerance (1e-9)
    # the exact value and any finer rendering that rounds to the gold are accepted
    assert correct(rf"\frac{{{p}}}{{{q}}}", gold)
    assert correct(_decimal(value, places + 3), gold)
    # one unit in the last place away is never accepted, whatever the rendering
    for wrong in (g + ulp, g - ulp):
        assert not correct(_decimal(wrong, places), gold)
        assert not correct(_decimal(wrong, places + 2), gold)
    # and never the reverse: the gold's exact value does not accept its rounding
    if abs(value - g) > Fraction(1, 10**8) * abs(g):
        assert not correct(gold, rf"\frac{{{p}}}{{{q}}}")


# ---------------------------------------------------------------- equation chains and "≈"


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("A = 1/2 = 0.5", "0.5", True), ("y(0.2) = 2 + 0.2*(-2*2 + 2) = 2.6", "2.6", True), ("x ≈ 2.70", "2.70", True),
        (r"x \approx 2.70", "2.7", True), ("approximately 0.368", "0.368", True),
        ("y(0.2) = 2 + 0.2*(-2*2 + 2) = 2.6", "2.58", False), ("x ≈ 2.70", "2.58", False),
        (r"\cos(1) - 1 \approx -0.46", "-0.459", False), ("approximately 0.368", "0.367879441", False),
    ],
)
def test_final_member_of_an_equation_chain(completion, gold, ok):
    assert correct(completion, gold) is ok


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("2 + 3 = 5", "5", True), ("A_{v} = \\frac{175}{176} = 0.98", "0.98", True), ("x = 3", "3", True),
        ("2x+y-5=0", "x-2y+3=0", False),  # an equation is not the number on its right
        ("0", "2x-y=0", False), ("x=3", "y=3", False), ("2 + 3 = 6", "5", False),
    ],
)
def test_an_equation_is_unwrapped_only_when_it_names_a_value(completion, gold, ok):
    assert correct(completion, gold) is ok


# A number glossed by words in parentheses ("1 (yes)", "0 (transient)": theoremqa rows whose
# gold is 1.0 / 0.0) is that number; words that change it or offer another keep it unread.
@settings(max_examples=200, deadline=None)
@given(
    value=st.integers(-999, 999),
    gloss=st.sampled_from(["yes", "no", "transient", "approximately", "rounded", "exact value", "in total"]),
    delta=st.integers(1, 9),
)
def test_number_with_a_word_gloss(value: int, gloss: str, delta: int) -> None:
    assert check(f"\\boxed{{{value} ({gloss})}}", str(value)).correct
    assert check(f"The answer is {value} ({gloss}).", f"{value}.0").correct
    assert not check(f"\\boxed{{{value} ({gloss})}}", str(value + delta)).correct


@pytest.mark.parametrize("text", ["3 (negative)", "2 (thousand)", "1 (or not)", "4 (squared)", "5 (per hour and more)", "1 (or 2)"])
def test_a_gloss_that_changes_the_number_is_not_dropped(text: str) -> None:
    assert not check(f"\\boxed{{{text}}}", text.split()[0]).correct
