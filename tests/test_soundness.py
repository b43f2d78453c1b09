"""Soundness of the expression tiers: what must never be accepted (issue 12, "Soundness").

- Random-point comparison decides *equal* only for rational (and analytic) expressions, at
  points of both signs; ``|x|``, roots, logs and non-integer powers of a variable are never
  "equal" from sampling, so ``|x| = x`` and ``\\sqrt{x^2} = x`` are rejected.
- Tiny values compare by ratio, never with an absolute tolerance: ``1/1000!`` is not ``1/1001!``.
- Two different lines are different, and an equation is not its right-hand side.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards import Outcome, check
from rlvr_rewards.parsing.expr import (
    ANALYTIC,
    OTHER,
    RATIONAL,
    equivalent,
    expression_class,
    parse_expr,
    polynomial_degree,
    proportional,
)
from rlvr_rewards.verifiers.symbolic import _numerically_apart, symbolic_equal


def eq(a: str, b: str) -> bool | None:
    return equivalent(parse_expr(a), parse_expr(b))


def latex(completion: str, gold: str) -> Outcome:
    return check(rf"\boxed{{{completion}}}", gold, verifier="latex").outcome


# --- random points: sign-dependent expressions are never "equal" -------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("|x|", "x"),
        (r"\sqrt{x^2}", "x"),
        (r"\frac{x}{|x|}", "1"),
        (r"\sqrt{x^2-2x+1}", "x-1"),
        (r"|x|y", "xy"),
        (r"\sqrt{x^2 y^2}", "xy"),
        (r"|x-1|", "x-1"),
    ],
)
def test_sign_dependent_expressions_are_different(a: str, b: str) -> None:
    assert eq(a, b) is False
    assert eq(b, a) is False
    assert latex(a, b) is Outcome.INCORRECT
    assert check(rf"\boxed{{{a}}}", b).outcome is Outcome.INCORRECT


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (r"\ln(x^2)", r"2\ln x"),  # equal for x > 0 only
        (r"\sqrt{x}\sqrt{x}", "|x|"),  # equal wherever the left side is real
        (r"\sqrt{x^2-2x+1}", "|x-1|"),
        ("x^{1/3}", r"\sqrt[3]{x}"),  # principal vs real cube root
        (r"\sqrt{xy}", r"\sqrt{x}\sqrt{y}"),
    ],
)
def test_roots_logs_and_abs_are_left_to_sympy(a: str, b: str) -> None:
    """Never "equal" from sampling: undecided, so the symbolic tier decides."""
    assert eq(a, b) is None
    assert eq(b, a) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("x^2-1", "(x-1)(x+1)"),
        (r"\frac{x^2-1}{x-1}", "x+1"),
        (r"\frac{1}{x}+\frac{1}{y}", r"\frac{x+y}{xy}"),
        ("(x-y)^3", "x^3-3x^2y+3xy^2-y^3"),
        (r"\pi x + x", r"x(1+\pi)"),  # irrational coefficients: 50-digit evaluation
        (r"\sqrt{2}x", r"\frac{2x}{\sqrt{2}}"),
        (r"\sin 2x", r"2\sin x\cos x"),  # analytic functions of a variable
        (r"e^{x}e^{y}", r"e^{x+y}"),
        (r"\tan^{-1} x", r"\arctan x"),
        (r"x^{-2}", r"\frac{1}{x^2}"),
    ],
)
def test_rational_and_analytic_identities_still_hold(a: str, b: str) -> None:
    assert eq(a, b) is True
    assert eq(b, a) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("x+10^{-40}", "x"),  # exact evaluation at rational points: no 30-digit blur
        ("x^2-1", "(x-1)(x+2)"),
        (r"\frac{x}{x+1}", r"\frac{x+1}{x+2}"),
        (r"\sin x", r"\sin(-x)"),
    ],
)
def test_rational_differences_are_found(a: str, b: str) -> None:
    assert eq(a, b) is False


def test_expression_classes() -> None:
    assert expression_class(parse_expr(r"\frac{x^2+1}{x-\pi}")) == RATIONAL
    assert expression_class(parse_expr(r"\sin x + 2^x")) == ANALYTIC
    for text in ("|x|", r"\sqrt{x}", r"\ln x", "x^{1/2}", "x!", r"\arcsin x", "x^x", "(-2)^x"):
        assert expression_class(parse_expr(text)) == OTHER, text


# --- tiny and huge values ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        (r"\frac{1}{1000!}", r"\frac{1}{1001!}"),
        (r"\frac{1}{2000!}", r"\frac{1}{2001!}"),  # past the exact factorial limit: 50 digits
        (r"\frac{\pi}{1000!}", r"\frac{\pi}{1001!}"),
        (r"10^{-500}", r"2 \cdot 10^{-500}"),
        (r"e^{-1000}", r"e^{-1001}"),
        (r"\frac{\sqrt{2}}{10^{300}}", "0"),
    ],
)
def test_tiny_values_compare_by_ratio(a: str, b: str) -> None:
    assert eq(a, b) is False
    assert latex(a, b) is Outcome.INCORRECT
    assert check(rf"\boxed{{{a}}}", b).outcome is Outcome.INCORRECT


def test_cancellation_to_zero_is_still_zero() -> None:
    assert eq(r"e^{100}-e^{100}", "0") is True
    assert eq(r"\sin(\pi)", "0") is True
    assert eq(r"\sqrt{2}^{2}-2", "0") is True
    assert eq(r"\frac{1}{\sqrt{2}^{2}-2}", "1") is None  # a denominator that is 0 up to rounding
    assert eq(r"\frac{\pi}{2^{200}}", "0") is False


def test_identical_tiny_values_are_not_wrongly_rejected() -> None:
    assert latex(r"\frac{1}{1001!}", r"\frac{1}{1001!}") is Outcome.CORRECT
    assert eq(r"\frac{1}{2000!}", r"\frac{1}{2000!}") is True


def test_symbolic_tier_compares_tiny_values_by_ratio() -> None:
    import sympy as sp

    f = sp.factorial
    assert _numerically_apart(1 / f(1000), 1 / f(1001))
    assert not _numerically_apart(1 / f(1000), 1 / f(1000))
    assert symbolic_equal(r"\frac{1}{1000!}", (r"\frac{1}{1001!}",)) is False
    assert symbolic_equal(r"\frac{1}{1000!}", (r"\frac{1}{1000!}",)) is True


# --- equations -------------------------------------------------------------------------------
def test_two_different_lines_are_different_in_the_latex_tier() -> None:
    assert latex("2x+y-5=0", "x-2y+3=0") is Outcome.INCORRECT
    assert latex("y=2x+1", "y=2x-1") is Outcome.INCORRECT
    assert latex("x=1", "y=1") is Outcome.INCORRECT
    assert latex("y=2x+1", "2x-y+1=0") is Outcome.CORRECT  # the same line rearranged
    assert latex("6x+3y=15", "2x+y-5=0") is Outcome.CORRECT


def test_equation_gold_is_not_its_right_hand_side_in_the_latex_tier() -> None:
    assert latex("0", "2x-y=0") is not Outcome.CORRECT
    assert latex("5", "2x+y=5") is not Outcome.CORRECT


@pytest.mark.parametrize(
    ("completion", "gold"),
    [("2x+y-5=0", "x-2y+3=0"), ("0", "2x-y=0"), ("5", "2x+y=5"), ("4x^2+9y^2=37", r"\frac{x^2}{9}+\frac{y^2}{4}=1")],
)
def test_equations_through_the_default_cascade(completion: str, gold: str) -> None:
    """No tier may compare an equation by its right-hand side alone."""
    assert check(rf"\boxed{{{completion}}}", gold).outcome is Outcome.INCORRECT


def test_same_equation_through_the_default_cascade() -> None:
    assert check(r"\boxed{4x^2+9y^2=36}", r"\frac{x^2}{9}+\frac{y^2}{4}=1").outcome is Outcome.CORRECT


def test_proportional() -> None:
    def d(text: str):  # L = R  ->  L - R
        left, right = text.split("=")
        return parse_expr(f"({left})-({right})")

    assert proportional(d(r"\frac{x^2}{9}+\frac{y^2}{4}=1"), d("4x^2+9y^2=36")) is True
    assert proportional(d(r"\frac{x^2}{9}+\frac{y^2}{4}=1"), d("4x^2+9y^2=37")) is None  # SymPy
    assert proportional(d("2x+y-5=0"), d("x-2y+3=0")) is False  # two lines
    assert proportional(d("x^2=0"), d("x=0")) is None  # same solutions, not proportional
    assert proportional(d(r"y=\pi x"), d(r"2y=2\pi x")) is True
    assert polynomial_degree(parse_expr(r"\frac{2x+y}{3}-5")) == 1
    assert polynomial_degree(parse_expr(r"\frac{1}{x}")) is None


# --- properties ----------------------------------------------------------------------------------
PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
nonzero = st.integers(-9, 9).filter(bool)


@PROPS
@given(nonzero, st.integers(-9, 9), st.sampled_from(["x", "y", "t"]))
def test_sign_dependent_forms_are_never_equal(a, b, v):
    """``\\sqrt{(ax+b)^2}`` and ``|ax+b|`` are never "equal" to ``ax+b`` (both signs are sampled)."""
    lin = f"({a}{v}+({b}))"
    for other in (rf"\sqrt{{{lin}^2}}", rf"\left|{lin}\right|"):
        assert eq(other, lin) is not True
        assert eq(lin, other) is not True
        if abs(b) <= 9 * abs(a):  # the sign change lies among the sampled points: found
            assert eq(other, lin) is False
    assert eq(rf"\sqrt{{{lin}^2}}", rf"\left|{lin}\right|") is not False  # equal over the reals


@PROPS
@given(st.integers(1, 3000))
def test_neighbouring_tiny_factorials_differ(n):
    assert eq(rf"\frac{{1}}{{{n}!}}", rf"\frac{{1}}{{{n + 1}!}}") is False
    assert eq(rf"\frac{{1}}{{{n}!}}", rf"\frac{{{n + 1}}}{{{n + 1}!}}") is not False


@PROPS
@given(st.integers(1, 3000), st.integers(2, 9))
def test_tiny_powers_compare_by_ratio(k, c):
    assert eq(f"10^{{-{k}}}", f"{c} \\cdot 10^{{-{k}}}") is False
    assert eq(f"e^{{-{k}}}", f"e^{{-{k + 1}}}") is False
