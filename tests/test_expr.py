"""Tests for rlvr_rewards.parsing.expr."""

from __future__ import annotations

import re
import time
from fractions import Fraction

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards.parsing.expr import (
    Const,
    Div,
    Expr,
    ExprError,
    Num,
    Sym,
    canonical,
    equivalent,
    exact_value,
    numeric_value,
    parse_expr,
)

HANG_GUARD_S = 2.0


def eq(a: str, b: str) -> bool | None:
    return equivalent(parse_expr(a), parse_expr(b))


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except ExprError as exc:
        result = exc
    elapsed = time.perf_counter() - start
    assert elapsed < HANG_GUARD_S, f"took {elapsed:.2f}s"
    return result


# --- equivalence ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        (r"\dfrac{\pi}{2}", "pi/2"),
        (r"e^{16}-1", r"-1+\exp(16)"),
        (r"\frac{\sqrt{3}}{2}", r"\frac{1}{2}\sqrt{3}"),
        (r"2\sqrt{2}", r"\sqrt{8}"),
        (r"x^2+2x+1", r"(x+1)^2"),
        (r"\frac{1}{2}", "0.5"),
        (r"\sin\frac{\pi}{6}", r"\frac12"),
        (r"\log_2 8", "3"),
        (r"5!", "120"),
        (r"\binom{5}{2}", "10"),
        (r"|{-3}|", "3"),
        (r"2^{10}", "1024"),
        (r"1.5\times10^{3}", "1500"),
        (r"\left(\frac{1}{2}\right)^2", r"\frac{1}{4}"),
        (r"\sqrt[3]{27}", "3"),
        (r"\sqrt[3]{-8}", "-2"),
        (r"e^{i\pi}", "-1"),
        (r"\sin^2 x + \cos^2 x", "1"),
        (r"\sin 2x", r"2\sin x\cos x"),
        (r"(x+1)(x-1)", "x^2-1"),
        (r"2(x+1)", "2x+2"),
        (r"xy", "yx"),
        (r"6 \div 3 \cdot 2", "4"),
        (r"a/b", r"\frac{a}{b}"),
        (r"\ln 2", r"\log 2"),
        (r"\log_{10} 1000", "3"),
        (r"\tan\frac{\pi}{4}", "1"),
        (r"\sin(\pi)", "0"),
        (r"\alpha+\theta", r"\theta+\alpha"),
        (r"x_1 + a_{10}", "a_10 + x_1"),
        (r"1{,}000", "1000"),
        (r"\frac{2}{4}", ".5"),
        (r"\sin^{-1} 1", r"\frac{\pi}{2}"),
        (r"\sqrt{4}", "2"),
        (r"e^{100}-e^{100}", "0"),
        (r"\mathrm{e}^{2}", "e^2"),
    ],
)
def test_equivalent_true(a: str, b: str) -> None:
    assert eq(a, b) is True
    assert eq(b, a) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (r"\pi", "3.14"),
        (r"\frac{1}{2^{99}}", r"\frac{1}{2^{98}}"),
        ("2", "2.0001"),
        (r"10^{20}+1", r"10^{20}"),
        ("x+1", "x+2"),
        (r"\sqrt{2}", "1.41421356"),
        (r"e^{100}-e^{100}+1", "0"),
        (r"\frac{\pi}{2^{200}}", "0"),
        ("x^2", "x^3"),
        ("xy", "x+y"),
        ("i", "1"),
        (r"\sin x", r"\cos x"),
    ],
)
def test_equivalent_false(a: str, b: str) -> None:
    assert eq(a, b) is False
    assert eq(b, a) is False


def test_equivalent_exact_path_for_big_rationals() -> None:
    a, b = parse_expr("10^{20}+1"), parse_expr("10^{20}")
    assert exact_value(a) == 10**20 + 1
    assert exact_value(b) == 10**20
    assert equivalent(a, b) is False


def test_equivalent_undefined_is_none() -> None:
    assert eq("1/0", "1") is None
    assert eq(r"\ln 0", "1") is None
    assert eq("x/0", "x") is None
    assert eq(r"10^{10^{10}}", r"10^{10^{10}}+1") is None


def test_equivalent_size_limited_equal_is_none() -> None:
    # exact refuses 2^20000; numerically equal to 30 digits, so "cannot tell"
    assert eq(r"2^{20000}+1", r"2^{20000}") is None
    assert eq(r"2^{20000}", r"2^{20000}+2^{19990}") is False


# --- exact / numeric values ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", Fraction(3)),
        ("1.25", Fraction(5, 4)),
        (r"\frac{1}{2^{99}}", Fraction(1, 2**99)),
        ("5!", Fraction(120)),
        (r"\binom{10}{3}", Fraction(120)),
        (r"\binom{3}{5}", Fraction(0)),
        ("|-7|", Fraction(7)),
        (r"\left(\frac{2}{3}\right)^{-2}", Fraction(9, 4)),
        (r"\sqrt{\frac{9}{4}}", Fraction(3, 2)),
        (r"8^{\frac{2}{3}}", Fraction(4)),
        ("2^{-3}", Fraction(1, 8)),
        ("0^0", Fraction(1)),
        ("-2^2", Fraction(-4)),
        ("(-2)^2", Fraction(4)),
        ("2^3^2", Fraction(512)),
        ("a/b/c".replace("a", "8").replace("b", "2").replace("c", "2"), Fraction(2)),
    ],
)
def test_exact_value(text: str, value: Fraction) -> None:
    assert exact_value(parse_expr(text)) == value


@pytest.mark.parametrize(
    "text", [r"\pi", r"\sqrt{2}", "x", "1/0", "0^{-1}", r"\sin 0", "(-8)^{1/3}", "(-1)!", "i"]
)
def test_exact_value_none(text: str) -> None:
    assert exact_value(parse_expr(text)) is None


def test_numeric_value() -> None:
    v = numeric_value(parse_expr(r"\frac{\sqrt{3}}{2}"))
    assert v is not None and abs(v - 3**0.5 / 2) < 1e-15
    v = numeric_value(parse_expr("x^2+y"), {"x": 3, "y": 1})
    assert v is not None and abs(v - 10) < 1e-40
    v = numeric_value(parse_expr(r"\sqrt{-4}"))
    assert v is not None and abs(v - 2j) < 1e-40
    assert numeric_value(parse_expr("x+1")) is None  # unbound symbol
    assert numeric_value(parse_expr("1/0")) is None
    assert numeric_value(parse_expr(r"\ln 0")) is None
    assert numeric_value(parse_expr("2^{10^7}")) is None  # exponent > 10^6
    assert numeric_value(parse_expr("10^{200000}")) is None  # > 10^(10^5)
    assert numeric_value(parse_expr("20000!")) is None
    assert numeric_value(parse_expr("(-3)!")) is None


def test_numeric_value_fast_after_first_call() -> None:
    e = parse_expr(r"\frac{\sqrt{3}}{2}+\pi")
    numeric_value(e)
    start = time.perf_counter()
    for _ in range(50):
        numeric_value(e)
    assert (time.perf_counter() - start) / 50 < 0.05  # hang guard only


# --- limits -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", [r"2^{3^{4^{5}}}", r"10^{10^{10}}+1", r"(10^{8})!", r"\binom{10^{9}}{10^{8}}"]
)
def test_huge_values_refused_fast(text: str) -> None:
    e = parse_expr(text)
    assert timed(exact_value, e) is None
    assert timed(numeric_value, e) is None
    assert timed(equivalent, e, parse_expr("1")) is None


def test_huge_integer_string() -> None:
    s = "1" * 100_000
    assert isinstance(timed(parse_expr, s), ExprError)
    assert isinstance(timed(parse_expr, s, max_len=10**6), ExprError)  # literal-digit cap
    assert exact_value(parse_expr("9" * 400)) == 10**400 - 1


@pytest.mark.parametrize("max_len", [500, 10**6])
@pytest.mark.parametrize("max_depth", [60, 10**6])
def test_deep_nesting(max_len: int, max_depth: int) -> None:
    for s in (
        "(" * 10_000 + "1" + ")" * 10_000,
        "-" * 10_000 + "1",
        "2^" * 10_000 + "2",
        r"\frac1" * 10_000 + "1",
    ):
        assert isinstance(timed(parse_expr, s, max_len=max_len, max_depth=max_depth), ExprError)


def test_depth_within_limit_ok() -> None:
    s = "(" * 50 + "1" + ")" * 50
    assert exact_value(parse_expr(s)) == 1
    with pytest.raises(ExprError):
        parse_expr("(" * 61 + "1" + ")" * 61)


def test_long_sum() -> None:
    s = "+".join(["1"] * 5000)
    assert isinstance(timed(parse_expr, s), ExprError)  # max_len
    e = timed(parse_expr, s, max_len=10**5)
    assert timed(exact_value, e) == 5000
    v = timed(numeric_value, e)
    assert v is not None and abs(v - 5000) < 1e-30


# --- syntax -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "",
        "x=1",
        "x<2",
        r"x \le 2",
        r"x \ge 2",
        "1,2",
        "(1,2)",
        r"\{1,2\}",
        r"A \cup B",
        r"\infty",
        r"-\infty",
        r"50\%",
        r"\text{cm}",
        r"5\mathrm{m}",
        r"\pm 1",
        "5!!",
        "2 3",
        r"\frac{1}",
        "|x",
        "(x",
        "x)",
        "yes",
        "none",
        "3.",
        r"\sin",
        "^2",
        r"\cdot 2",
        "[0,1]",
        r"30^\circ",
        r"\cot^{2}",
        r"\sinh^{-1} x",
        "x'",
        r"1 \\ 2",
    ],
)
def test_unsupported_syntax_raises(text: str) -> None:
    with pytest.raises(ExprError):
        parse_expr(text)


def test_parse_structure() -> None:
    assert parse_expr("3") == Num(Fraction(3))
    assert parse_expr(r"\pi") == Const("pi")
    assert parse_expr("e") == Const("e")
    assert parse_expr(r"\alpha") == Sym("alpha")
    assert parse_expr("a_{10}") == Sym("a_10")
    assert parse_expr(r"\frac12") == Div(Num(Fraction(1)), Num(Fraction(2)))
    assert parse_expr(r"x^2+\theta y_1").free_symbols() == frozenset({"x", "theta", "y_1"})
    assert parse_expr(r"\pi e i").free_symbols() == frozenset()
    assert isinstance(parse_expr("x"), Expr)
    assert hash(parse_expr("x+1")) == hash(parse_expr("x+1"))


def test_expr_is_immutable() -> None:
    e = parse_expr("x")
    with pytest.raises(AttributeError):
        e.name = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (r"\dfrac{\pi}{2}", r"\frac{\pi}{ 2 }"),
        (r"\frac{\pi}{2}", "pi/2"),
        (r"\tfrac12", r"\frac{1}{2}"),
        (r"\left(x+1\right)^{2}", "(x + 1)^2"),
        (r"2\cdot x", r"2 \times x"),
        (r"\exp(x)", "e^{x}"),
        (r"1\,000", "1{,}000"),
        ("x+1", "1+x"),
        (r"\sin 2x", r"\sin(2x)"),
        (r"\sqrt{2}", r"\sqrt2"),
    ],
)
def test_canonical_same(a: str, b: str) -> None:
    assert canonical(parse_expr(a)) == canonical(parse_expr(b))


def test_canonical_differs() -> None:
    assert canonical(parse_expr("x-1")) != canonical(parse_expr("1-x"))
    assert canonical(parse_expr("2^3")) != canonical(parse_expr("3^2"))
    assert canonical(parse_expr("e")) != canonical(parse_expr("x"))


# --- hypothesis ------------------------------------------------------------------------
@st.composite
def arith(draw: st.DrawFn, depth: int = 3) -> tuple[str, str, Fraction | None]:
    """(latex, plain, value) for a random small rational expression; None = undefined."""
    if depth == 0 or draw(st.booleans()):
        n = draw(st.integers(-20, 20))
        s = str(n) if n >= 0 else f"({n})"
        return s, s, Fraction(n)
    op = draw(st.sampled_from(["+", "-", "cdot", "times", "frac", "pow", "neg", "abs", "paren"]))
    la, pa, va = draw(arith(depth - 1))
    if op in ("neg", "abs", "paren"):
        if op == "neg":
            return f"-({la})", f"-({pa})", None if va is None else -va
        if op == "abs":
            return f"|{la}|", f"abs({pa})", None if va is None else abs(va)
        return rf"\left({la}\right)", f"({pa})", va
    if op == "pow":
        k = draw(st.integers(0, 3))
        v = None if va is None or (va == 0 and k < 0) else va**k
        return f"({la})^{{{k}}}", f"({pa})^{k}", v
    lb, pb, vb = draw(arith(depth - 1))
    if op == "frac":
        v = None if va is None or vb is None or vb == 0 else va / vb
        return rf"\frac{{{la}}}{{{lb}}}", f"({pa})/({pb})", v
    if va is None or vb is None:
        v = None
    else:
        v = va + vb if op == "+" else va - vb if op == "-" else va * vb
    sym = {"+": "+", "-": "-", "cdot": r"\cdot", "times": r"\times"}[op]
    psym = {"+": "+", "-": "-"}.get(op, "*")
    return f"({la}){sym}({lb})", f"({pa}){psym}({pb})", v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arith())
def test_random_arithmetic_matches_fraction(case: tuple[str, str, Fraction | None]) -> None:
    latex, plain, value = case
    for text in (latex, plain):
        e = parse_expr(text)
        assert exact_value(e) == value
        if value is not None:
            v = numeric_value(e)
            assert v is not None
            with mpmath.workdps(60):
                exact = mpmath.mpf(value.numerator) / value.denominator
                assert abs(v - exact) <= mpmath.mpf(10) ** -30 * max(1, abs(exact))
            assert equivalent(e, Num(value)) is True


@settings(max_examples=100, deadline=None)
@given(arith())
def test_canonical_spacing_invariant(case: tuple[str, str, Fraction | None]) -> None:
    latex, plain, _ = case
    spaced = re.sub(r"([-+(){}|^]|\\[a-z]+)", r" \1  ", latex)
    dfrac = latex.replace(r"\frac", r"\dfrac")
    c = canonical(parse_expr(latex))
    assert canonical(parse_expr(dfrac)) == c
    assert canonical(parse_expr(spaced)) == c
    assert canonical(parse_expr(plain)) == canonical(parse_expr(plain.replace("*", " * ")))


_ALPHABET = st.sampled_from(
    list("0123456789+-*/^_!()[]{}|.,=<> xyzeinpi\\")
    + [
        r"\frac",
        r"\sqrt",
        r"\sin",
        r"\log",
        r"\pi",
        r"\left",
        r"\right",
        r"\cdot",
        r"\binom",
        "{,}",
        r"\,",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_ALPHABET, max_size=40).map("".join)))
def test_arbitrary_text_only_raises_expr_error(text: str) -> None:
    start = time.perf_counter()
    try:
        e = parse_expr(text)
    except ExprError:
        return
    exact_value(e)
    numeric_value(e, {s: 1.5 for s in e.free_symbols()})
    equivalent(e, e)
    canonical(e)
    assert time.perf_counter() - start < HANG_GUARD_S


def test_a_power_zero_is_exactly_one_even_of_an_inexact_base() -> None:
    # Regression (found by test_random_arithmetic_matches_fraction): 0^0 = 1 carried a rounding
    # error, so (-1 + 0^0)^0 had a base indistinguishable from 0 and was "undefined".
    for text, value in (("(((0)-(1))+((0)^{0}))^{0}", 1), (r"(\pi-\pi)^0", 1), ("(-1+0^0)^0+1", 2)):
        v = numeric_value(parse_expr(text))
        assert v is not None and v == value, text
    assert eq("(-1+0^0)^0", "1") is True
