"""Relations, sets, vectors and matrices in the ``latex`` tier (issue 12, classes 6 and 7).

Every rule that widens acceptance has a test that a wrong answer of the same shape is still
rejected, and property tests render one random object several ways.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards import Outcome, check

PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def latex(completion: str, gold: str) -> Outcome:
    return check(rf"\boxed{{{completion}}}", gold, verifier="latex").outcome


def assert_same(completion: str, gold: str) -> None:
    v = check(rf"\boxed{{{completion}}}", gold, verifier="latex")
    assert v.outcome is Outcome.CORRECT, v.explain()
    assert check(rf"\boxed{{{completion}}}", gold).outcome is Outcome.CORRECT


def assert_different(completion: str, gold: str) -> None:
    assert latex(completion, gold) is not Outcome.CORRECT, (completion, gold)
    assert check(rf"\boxed{{{completion}}}", gold).outcome is not Outcome.CORRECT, (completion, gold)


# --- intervals, inequalities, set-builder, unions -----------------------------------------------
SAME_SETS = [
    (r"(0,2]", r"0<x\le 2"),
    (r"0<x\le 2", r"(0,2]"),
    (r"\{x \mid 0<x\le 2\}", r"(0,2]"),
    (r"\{x\in\mathbb{R} \mid 0<x\le 2\}", r"0 < x \leq 2"),
    (r"\{x : x > 0 \text{ and } x \le 2\}", r"(0,2]"),
    (r"\{x | 2 \ge x > 0\}", r"(0,2]"),
    (r"0<x\leqslant 2", r"(0,2]"),
    (r"0<x≤2", r"(0,2]"),
    (r"x \ge 2", r"[2,\infty)"),
    (r"[2,+\infty)", r"x\geq 2"),
    (r"2<x", r"x>2"),
    (r"x<-1 \text{ or } x>2", r"(-\infty,-1)\cup(2,\infty)"),
    (r"x\le-1 \text{ or } x\ge 2", r"(-\infty,-1]\cup[2,+\infty)"),
    (r"x \in [1,3]", r"[1,3]"),
    (r"x \in (0,1)\cup(2,3)", r"(0,1)\cup(2,3)"),
    (r"(2,3)\cup(0,1)", r"(0,1)\cup(2,3)"),  # order of a union
    (r"(0,2]\cup[2,3)", r"(0,3)"),  # touching pieces merge
    (r"x \neq 1", r"(-\infty,1)\cup(1,\infty)"),
    (r"-\sqrt{2}<x<\sqrt{2}", r"(-\sqrt{2},\sqrt{2})"),
    (r"\frac{1}{2} \le x < 3", r"[0.5, 3)"),
    (r"(0,2)", r"0<x<2"),  # an open interval written as a pair
    (r"a<x<b", r"(a,b)"),  # symbolic endpoints
]

DIFFERENT_SETS = [
    (r"(0,2]", r"0<x<2"),
    (r"0<x<2", r"(0,2]"),
    (r"\{x \mid 0<x\le 2\}", r"(0,3]"),
    (r"x > 2", r"[2,\infty)"),
    (r"x\le-1 \text{ or } x\ge 3", r"(-\infty,-1]\cup[2,+\infty)"),
    (r"x<-1 \text{ or } x>2", r"(-\infty,-1)\cup[2,\infty)"),
    (r"x \in [1,3)", r"[1,3]"),
    (r"(0,1)\cup(2,3)", r"(0,3)"),
    (r"x \neq 1", r"(-\infty,1)\cup(2,\infty)"),
    (r"x>0 \text{ and } x<2", r"(0,3)"),
    (r"-\sqrt{2}<x<\sqrt{2}", r"(-\sqrt{3},\sqrt{2})"),
]


@pytest.mark.parametrize(("completion", "gold"), SAME_SETS)
def test_same_set_of_reals(completion: str, gold: str) -> None:
    assert_same(completion, gold)


@pytest.mark.parametrize(("completion", "gold"), DIFFERENT_SETS)
def test_different_sets_of_reals(completion: str, gold: str) -> None:
    assert_different(completion, gold)
    assert latex(completion, gold) is Outcome.INCORRECT  # decided without SymPy


def test_different_variables_are_not_renamed() -> None:
    assert latex("0<t<2", "0<x<2") is not Outcome.CORRECT


# --- equations up to a factor ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"4x^2+9y^2=36", r"\frac{x^2}{9}+\frac{y^2}{4}=1"),
        (r"\frac{x^2}{9}+\frac{y^2}{4}=1", r"4x^2+9y^2=36"),
        ("y=2x+1", "2x-y+1=0"),
        ("6x+3y=15", "2x+y-5=0"),
        (r"y=\frac{1}{2}x+3", "x-2y+6=0"),
    ],
)
def test_equations_equal_up_to_a_factor(completion: str, gold: str) -> None:
    v = check(rf"\boxed{{{completion}}}", gold, verifier="latex")
    assert v.outcome is Outcome.CORRECT, v.explain()


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"4x^2+9y^2=37", r"\frac{x^2}{9}+\frac{y^2}{4}=1"),
        (r"9x^2+4y^2=36", r"\frac{x^2}{9}+\frac{y^2}{4}=1"),
        ("2x+y-5=0", "x-2y+3=0"),
        ("y=2x+1", "y=2x-1"),
        ("x^2=4", "x=2"),
    ],
)
def test_different_equations(completion: str, gold: str) -> None:
    assert latex(completion, gold) is not Outcome.CORRECT


# --- renamed integer parameters and bound variables ---------------------------------------------------
@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"2m\pi", r"2k\pi"),
        (r"x=2m\pi", r"x=2k\pi"),
        (r"x=\frac{\pi}{4}+n\pi, n\in\mathbb{Z}", r"x=\frac{\pi}{4}+k\pi"),
        (r"x = 2k\pi+\frac{\pi}{2}", r"x=\frac{\pi}{2}+2n\pi, n \in \mathbb{Z}"),
        (r"2n+1, n\in\mathbb{Z}", r"2k+1"),  # declared integer parameter, no pi needed
        (r"x=2m\pi \; (m \in \mathbb{Z})", r"x=2k\pi"),
        (r"x = k\pi \text{ where } k \text{ is an integer}", r"x=n\pi"),
        ("x=2m\\pi\uff0c\u5176\u4e2dm\u4e3a\u6574\u6570", r"x=2k\pi"),  # x=2mπ，其中m为整数
        (r"g(s)=s^2", r"g(t)=t^2"),
        (r"f(u)=\frac{1}{u+1}", r"f(x)=\frac{1}{1+x}"),
        (r"f(s)=s^2", r"t^2"),
        (r"\tan^{-1} x", r"\arctan x"),
    ],
)
def test_renamed_parameters_and_bound_variables(completion: str, gold: str) -> None:
    v = check(rf"\boxed{{{completion}}}", gold, verifier="latex")
    assert v.outcome is Outcome.CORRECT, v.explain()


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"k\pi", r"2k\pi"),
        (r"m\pi", r"2k\pi"),
        (r"x=m\pi, m\in\mathbb{Z}", r"x=2k\pi"),
        ("x=m\\pi\uff0cm\u4e3a\u6574\u6570", r"x=2k\pi"),
        (r"2n+1", r"2k+1"),  # not declared and no pi: n may be the problem's variable
        (r"g(s)=s^3", r"g(t)=t^2"),
        (r"g(s)=t^2", r"g(t)=t^2"),
        (r"h(s)=s^2", r"g(t)=t^2"),
        (r"\tan x", r"\arctan x"),
    ],
)
def test_renaming_keeps_wrong_answers_wrong(completion: str, gold: str) -> None:
    assert latex(completion, gold) is not Outcome.CORRECT


# --- vectors and matrices --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{bmatrix}1&2\\3&4\end{bmatrix}"),
        (r"\left[\begin{array}{cc}1&2\\3&4\end{array}\right]", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}"),
        (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\left[\begin{array}{cc}1&2\\3&4\end{array}\right]"),
        (r"\begin{pmatrix}1\\2\\3\end{pmatrix}", "(1,2,3)"),
        ("(1,2,3)", r"\begin{pmatrix}1\\2\\3\end{pmatrix}"),
        (r"\begin{bmatrix}1\\\frac{1}{2}\end{bmatrix}", "(1, 0.5)"),
        (r"\begin{pmatrix}1&2&3\end{pmatrix}", "(1,2,3)"),
    ],
)
def test_matrix_and_vector_renderings(completion: str, gold: str) -> None:
    assert_same(completion, gold)


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"\begin{pmatrix}1\\2\\3\end{pmatrix}", "(1,2,4)"),
        (r"\begin{pmatrix}1\\2\end{pmatrix}", "(1,2,3)"),
        (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", "(1,2,3,4)"),
        (r"\left[\begin{array}{cc}1&2\\3&5\end{array}\right]", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}"),
        (r"\begin{pmatrix}2\\1\end{pmatrix}", "(1,2)"),
    ],
)
def test_different_matrices_and_vectors(completion: str, gold: str) -> None:
    assert latex(completion, gold) is Outcome.INCORRECT


# --- properties ------------------------------------------------------------------------------------
def _num(q: Fraction) -> str:
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return rf"{sign}\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


fractions = st.builds(Fraction, st.integers(-50, 50), st.integers(1, 6))


@st.composite
def intervals(draw):
    lo = draw(fractions)
    hi = lo + draw(st.builds(Fraction, st.integers(1, 40), st.integers(1, 6)))
    return lo, draw(st.booleans()), hi, draw(st.booleans())


def renderings(lo: Fraction, lc: bool, hi: Fraction, hc: bool) -> list[str]:
    a, b = _num(lo), _num(hi)
    le1, le2 = ("\\le" if lc else "<"), ("\\le" if hc else "<")
    ge1, ge2 = ("\\ge" if hc else ">"), ("\\ge" if lc else ">")
    interval = f"{'[' if lc else '('}{a}, {b}{']' if hc else ')'}"
    return [
        interval,
        f"{a} {le1} x {le2} {b}",
        f"{b} {ge1} x {ge2} {a}",
        rf"\{{x \mid {a} {le1} x {le2} {b}\}}",
        rf"x \in {interval}",
        rf"x {ge2} {a} \text{{ and }} x {le2} {b}",
    ]


@PROPS
@given(intervals(), st.data())
def test_interval_renderings_compare_equal(iv, data):
    forms = renderings(*iv)
    a = data.draw(st.sampled_from(forms))
    b = data.draw(st.sampled_from(forms))
    v = check(rf"\boxed{{{a}}}", b, verifier="latex")
    assert v.outcome is Outcome.CORRECT, v.explain()


@PROPS
@given(intervals(), st.data(), st.sampled_from(["lo", "hi", "lc", "hc"]), st.builds(Fraction, st.integers(1, 9), st.integers(1, 4)))
def test_changed_interval_never_compares_equal(iv, data, what, delta):
    lo, lc, hi, hc = iv
    changed = {
        "lo": (lo - delta, lc, hi, hc),
        "hi": (lo, lc, hi + delta, hc),
        "lc": (lo, not lc, hi, hc),
        "hc": (lo, lc, hi, not hc),
    }[what]
    a = data.draw(st.sampled_from(renderings(*iv)))
    b = data.draw(st.sampled_from(renderings(*changed)))
    v = check(rf"\boxed{{{a}}}", b, verifier="latex")
    assert v.outcome is Outcome.INCORRECT, v.explain()


@PROPS
@given(intervals(), st.builds(Fraction, st.integers(1, 20), st.integers(1, 3)), st.booleans())
def test_union_renderings(iv, gap, swap):
    lo, lc, hi, hc = iv
    lo2, hi2 = hi + gap, hi + gap + 5
    first = f"{'[' if lc else '('}{_num(lo)}, {_num(hi)}{']' if hc else ')'}"
    second = f"[{_num(lo2)}, {_num(hi2)})"
    union = rf"{second} \cup {first}" if swap else rf"{first} \cup {second}"
    le1, le2 = ("\\le" if lc else "<"), ("\\le" if hc else "<")
    ineq = rf"{_num(lo)} {le1} x {le2} {_num(hi)} \text{{ or }} {_num(lo2)} \le x < {_num(hi2)}"
    assert latex(union, ineq) is Outcome.CORRECT
    assert latex(ineq, union) is Outcome.CORRECT
    shifted = rf"{first} \cup [{_num(lo2)}, {_num(hi2 + 1)})"
    assert latex(shifted, ineq) is Outcome.INCORRECT


coefficients = st.integers(-9, 9)


@PROPS
@given(coefficients, coefficients.filter(bool), coefficients, coefficients.filter(bool), coefficients)
def test_rational_function_factored_vs_expanded(a, b, c, d, k):
    """``(bx+a)(dx+c)`` against its expansion; a changed constant term is different."""
    factored = f"({b}x+({a}))({d}x+({c}))"
    expanded = f"{b * d}x^2+({a * d + b * c})x+({a * c})"
    assert latex(factored, expanded) is Outcome.CORRECT
    assert latex(expanded, factored) is Outcome.CORRECT
    assert latex(f"{b * d}x^2+({a * d + b * c})x+({a * c + 1})", factored) is Outcome.INCORRECT
    if k:
        ratio = rf"\frac{{({b}x+({a}))({d}x+({c}))}}{{{d}x+({c})}}"
        assert latex(ratio, f"{b}x+({a})") is Outcome.CORRECT


@PROPS
@given(coefficients.filter(bool), coefficients, coefficients, st.integers(-5, 5).filter(bool))
def test_scaled_linear_equation(a, b, c, k):
    """``ax + by = c`` and ``k(ax + by) = kc`` are one line; ``c+1`` is a parallel one."""
    gold = f"{a}x+({b})y={c}"
    scaled = f"{k * a}x+({k * b})y={k * c}"
    moved = f"{k * a}x+({k * b})y-({k * c})=0"
    assert latex(scaled, gold) is Outcome.CORRECT
    assert latex(moved, gold) is Outcome.CORRECT
    assert latex(f"{a}x+({b})y={c + 1}", gold) is Outcome.INCORRECT


# --- integer-parameter families as sets, angle-bracket vectors, determinants ----------------------------
@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"(2k-1)\pi", r"(2k+1)\pi"),
        (r"2k\pi+\pi", r"(2m-1)\pi"),
        (r"-k\pi", r"k\pi"),
        (r"\frac{5\pi}{4}+k\pi", r"\frac{\pi}{4}+k\pi"),
        (r"2k+1, k\in\mathbb{Z}", "2k-1"),
        (r"x = 2k\pi + 2\pi", r"x=2k\pi"),
    ],
)
def test_same_family_of_solutions(completion: str, gold: str) -> None:
    v = check(rf"\boxed{{{completion}}}", gold, verifier="latex")
    assert v.outcome is Outcome.CORRECT, v.explain()


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"(2k+1)\pi", r"2k\pi"),  # offset half a step
        (r"\frac{\pi}{4}+2k\pi", r"\frac{\pi}{4}+k\pi"),  # half the solutions
        (r"\frac{\pi}{2}+k\pi", r"\frac{\pi}{4}+k\pi"),
        ("2k+1", "2k-1"),  # k not declared an integer and no pi: compared as expressions
    ],
)
def test_different_families_of_solutions(completion: str, gold: str) -> None:
    assert latex(completion, gold) is Outcome.INCORRECT


def test_angle_bracket_vectors() -> None:
    assert_same(r"\langle 1,2,3\rangle", "(1,2,3)")
    assert_same(r"\langle 1,2,3\rangle", r"\begin{pmatrix}1\\2\\3\end{pmatrix}")
    assert latex(r"\langle 1,2,4\rangle", "(1,2,3)") is Outcome.INCORRECT
    assert latex(r"\langle 2,1\rangle", r"\begin{pmatrix}1\\2\end{pmatrix}") is Outcome.INCORRECT


def test_a_determinant_is_not_its_matrix() -> None:
    det, mat = r"\begin{vmatrix}1&2\\3&4\end{vmatrix}", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}"
    assert latex(det, mat) is not Outcome.CORRECT
    assert check(rf"\boxed{{{det}}}", mat).outcome is not Outcome.CORRECT


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        (r"(x-2)^2+y^2=8", r"(x-2)^{2}+(y-3)^{2}=13"),
        (r"x^2+y^2=1", r"x^2+y^2=2"),
        (r"y=x^2", r"y=x^2+1"),
        (r"x^2=4", r"x=2"),  # x = -2 lies on one and not the other
    ],
)
def test_different_conics_are_decided_without_sympy(pred: str, gold: str) -> None:
    v = check(f"\\boxed{{{pred}}}", gold)
    assert not v.correct and v.verifier == "latex"


def test_the_same_conic_written_another_way() -> None:
    assert check(r"\boxed{(x-2)^2+y^2=8}", r"x^2-4x+y^2=4").correct
    assert check(r"\boxed{x^2+y^2=2}", r"2x^2+2y^2=4").correct
