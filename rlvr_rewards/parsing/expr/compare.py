"""Comparison: are two expressions equal, proportional, or zero on different sets?

With variables, only rational and analytic expressions are decided *equal* from random points
(of both signs; exactly, at rational points, for rational functions); ``|x|``, roots,
logarithms and non-integer powers of a variable are only ever found *different*.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from .exact import SizeLimit, exact_at, exact_or_limit, exact_value
from .numeric import GUARD_DPS, NO_ERR, close, context, numeric_bounded
from .tree import Add, Const, Div, Expr, Func, Mul, Neg, Num, Pow, Sym, children, has_imaginary

__all__ = [
    "ANALYTIC",
    "CONSTANT",
    "OTHER",
    "RATIONAL",
    "equivalent",
    "expression_class",
    "polynomial_degree",
    "proportional",
    "zero_sets_differ",
]


# Expression classes for comparisons with free symbols (see ``expression_class``).
CONSTANT, RATIONAL, ANALYTIC, OTHER = 0, 1, 2, 3
# meromorphic on C, or (arctan) real-analytic on the whole real line
_ENTIRE_FUNCS = frozenset({"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "arctan"})


def expression_class(e: Expr) -> int:
    """How an expression depends on its free symbols.

    ``CONSTANT``: no symbols. ``RATIONAL``: numbers and constants combined with symbols by
    ``+ - * /`` and integer powers. ``ANALYTIC``: also trigonometric / hyperbolic functions,
    ``\\arctan`` and powers ``c^x`` of a positive constant (analytic in every symbol on the real
    line, so agreeing on an interval means agreeing everywhere). ``OTHER``: anything with ``|x|``, roots, logarithms,
    inverse trigonometric functions, factorials or non-integer powers of a symbol, whose
    agreement at positive points says nothing about negative ones (``\\sqrt{x^2}`` vs ``x``).
    """
    t = type(e)
    if t is Num or t is Const:
        return CONSTANT
    if t is Sym:
        return RATIONAL
    if t is Add or t is Mul:
        return max(expression_class(c) for c in e.args)
    if t is Neg:
        return expression_class(e.arg)
    if t is Div:
        return max(expression_class(e.num), expression_class(e.den))
    if t is Pow:
        cb, cx = expression_class(e.base), expression_class(e.exp)
        if cx == CONSTANT:
            if cb == CONSTANT:
                return CONSTANT
            x = exact_value(e.exp)
            return cb if x is not None and x.denominator == 1 else OTHER
        if cb == CONSTANT:
            b = exact_value(e.base)
            if e.base == Const("e") or (b is not None and b > 0):
                return max(ANALYTIC, cx)
        return OTHER
    if t is Func:
        c = max(expression_class(a) for a in e.args)
        if c == CONSTANT:
            return CONSTANT
        return max(ANALYTIC, c) if e.name in _ENTIRE_FUNCS else OTHER
    return OTHER


def _sign_pattern(k: int, n: int, rng: random.Random) -> list[float]:
    """Point ``k`` of a comparison: all positive, all negative, alternating, then random signs."""
    if k == 0:
        return [1.0] * n
    if k == 1:
        return [-1.0] * n
    if k == 2 and n > 1:
        return [(-1.0) ** i for i in range(n)]
    return [rng.choice((-1.0, 1.0)) for _ in range(n)]


def equivalent(
    a: Expr, b: Expr, *, rel_tol_digits: int = 30, points: int = 3, seed: int = 0
) -> bool | None:
    """Decide whether two expressions are equal: True, False or None (cannot tell).

    Without symbols: exact Fraction comparison when both are rational, otherwise 50-digit
    evaluation (relative tolerance ``10**-rel_tol_digits``, or the propagated rounding error
    for values that cancel to 0). When an exact evaluation was refused for size, a numeric
    "equal" becomes None.

    With symbols, at ``points`` seeded random points of both signs:

    - rational functions with rational coefficients are evaluated exactly at rational points
      (equal at all of them: True; one difference: False);
    - other rational and analytic expressions (``\\sin``, ``e^x``) numerically: True / False;
    - anything else (``|x|``, roots, logs, non-integer powers) over the reals only: False when
      the two differ at a point where both are real, otherwise None (SymPy decides), so
      ``\\sqrt{x^2}`` is never "equal" to ``x``.
    """
    xa, la = exact_or_limit(a)
    xb, lb = exact_or_limit(b)
    if xa is not None and xb is not None:
        return xa == xb
    if a == b:
        return True  # the same tree, e.g. ``\\tan^{-1} x`` and ``\\arctan x``
    limited = la or lb
    dps = max(50, rel_tol_digits + 20)
    names = sorted(a.free_symbols() | b.free_symbols())
    if not names:
        ra, rb = numeric_bounded(a, None, dps), numeric_bounded(b, None, dps)
        if ra is None or rb is None:
            return None
        same = close(ra, rb, rel_tol_digits, dps)
        return None if same and limited else same
    cls = max(expression_class(a), expression_class(b))
    rng = random.Random(seed)
    if cls == RATIONAL and not limited:
        r = _equal_at_rational_points(a, b, names, points, rng)
        if r is not None:
            return r
    real = cls == OTHER
    if real and (has_imaginary(a) or has_imaginary(b)):
        return None
    defined = False
    # Sign-dependent expressions get six more points, both signs in each of the magnitude bands
    # 0.1-1, 1-10 and 10-100, so that a sign change away from the origin (|x - 7| vs x - 7) is
    # found too.
    for k in range(points + 6 if real else points):
        if k < points:
            signs = _sign_pattern(k, len(names), rng)
            env = {s: sg * rng.uniform(0.5, 2.5) for s, sg in zip(names, signs)}
        else:
            j = k - points  # bands j // 2 = 0, 1, 2; all + / all - (one symbol: + / -), else mixed
            pattern = j % 2 if j < 2 or len(names) == 1 else 2 + j
            signs = _sign_pattern(pattern, len(names), rng)
            env = {s: sg * 10 ** (j // 2 - 1 + rng.random()) for s, sg in zip(names, signs)}
        ra, rb = numeric_bounded(a, env, dps, real), numeric_bounded(b, env, dps, real)
        if ra is None or rb is None:
            continue
        if not close(ra, rb, rel_tol_digits, dps):
            return False
        defined = True
    if not defined or limited or real:
        if not limited and (_depends_on_own_variable(a, b, dps) or _depends_on_own_variable(b, a, dps)):
            return False
        return None
    return True


def _depends_on_own_variable(a: Expr, b: Expr, dps: int) -> bool:
    """Does ``a`` change with a variable that ``b`` does not have? Then they are different
    functions (``b`` is the same at two points where ``a`` is not), whatever their class.

    ``a`` is evaluated over the reals at two points that differ only in that variable, the other
    variables at small integers (so ``(-2)^{n-1}`` is real)."""
    own = sorted(a.free_symbols() - b.free_symbols())
    if not own:
        return False
    names = sorted(a.free_symbols())
    for var in own[:3]:
        for base in (2, 3):
            env = {n: Fraction(base) for n in names}
            lo = numeric_bounded(a, {**env, var: Fraction(2)}, dps, True)
            hi = numeric_bounded(a, {**env, var: Fraction(5)}, dps, True)
            if lo is not None and hi is not None and not close(lo, hi, 30, dps):
                return True
    return False


def _equal_at_rational_points(
    a: Expr, b: Expr, names: list[str], points: int, rng: random.Random
) -> bool | None:
    """Exact comparison of two rational functions at random rational points (Schwartz-Zippel).

    None when the coefficients are not rational (``\\pi x``), a point is a pole of either side
    at every try, or the values grow past the size limits.
    """
    defined = 0
    for k in range(points * 2):
        if defined >= points:
            break
        env = _rational_point(names, k % points, rng)
        try:
            va, vb = exact_at(a, env), exact_at(b, env)
        except (SizeLimit, RecursionError):
            return None
        if va is None or vb is None:
            if _has_non_rational_coefficient(a) or _has_non_rational_coefficient(b):
                return None
            continue  # a pole of one side at this point
        if va != vb:
            return False
        defined += 1
    return True if defined >= points else None


def _has_non_rational_coefficient(e: Expr) -> bool:
    """A constant part (``\\pi``, ``\\sqrt{2}``) that is not a rational number."""
    stack: list[Expr] = [e]
    while stack:
        node = stack.pop()
        if not node.free_symbols():
            if exact_value(node) is None:
                return True
        else:
            stack.extend(children(node))
    return False


def polynomial_degree(e: Expr) -> int | None:
    """Total degree when ``e`` is written as a polynomial in its symbols (structurally), else None."""
    t = type(e)
    if not e.free_symbols():
        return 0
    if t is Sym:
        return 1
    if t is Neg:
        return polynomial_degree(e.arg)
    if t is Add or t is Mul:
        ds = [polynomial_degree(c) for c in e.args]
        if any(d is None for d in ds):
            return None
        return max(ds) if t is Add else sum(ds)  # type: ignore[arg-type, type-var]
    if t is Div:
        return polynomial_degree(e.num) if not e.den.free_symbols() else None
    if t is Pow and not e.exp.free_symbols():
        n = exact_value(e.exp)
        d = polynomial_degree(e.base)
        if n is None or n.denominator != 1 or n < 0 or d is None or n > 64:
            return None
        return d * int(n)
    return None


def zero_sets_differ(a: Expr, b: Expr) -> bool:
    """Do the curves ``a = 0`` and ``b = 0`` differ? Only for polynomials of degree <= 2 in one or
    two variables (lines, circles, conics); True when a real point of one is not on the other.

    Points are found exactly: for a few rational values of one variable the other solves a
    quadratic; the other polynomial is evaluated there at 60 digits. Never decides "the same".
    """
    names = sorted(a.free_symbols() | b.free_symbols())
    if not 1 <= len(names) <= 2:
        return False
    for e in (a, b):
        d = polynomial_degree(e)
        if d is None or d > 2:
            return False
    M = context()
    for p, q in ((a, b), (b, a)):
        for solve_for in names:
            others = [n for n in names if n != solve_for]
            for x in (Fraction(0), Fraction(1), Fraction(-1), Fraction(2), Fraction(1, 2), Fraction(3)):
                env = {o: x for o in others}
                try:
                    c = exact_at(p, {**env, solve_for: Fraction(0)})
                    s1 = exact_at(p, {**env, solve_for: Fraction(1)})
                    s2 = exact_at(p, {**env, solve_for: Fraction(-1)})
                except (SizeLimit, ArithmeticError, ValueError):
                    return False
                if c is None or s1 is None or s2 is None:
                    return False  # irrational coefficients: not for this test
                qa, qb = (s1 + s2) / 2 - c, (s1 - s2) / 2
                if qa == 0:
                    roots = [-c / qb] if qb != 0 else []
                else:
                    disc = qb * qb - 4 * qa * c
                    if disc < 0:
                        continue
                    with M.workdps(60):
                        r = M.sqrt(M.mpf(disc.numerator) / disc.denominator)
                        roots = [(-M.mpf(qb.numerator) / qb.denominator + sg * r) / (2 * M.mpf(qa.numerator) / qa.denominator) for sg in (1, -1)]
                for y in roots:
                    point = {**{o: M.mpf(x.numerator) / x.denominator for o in others}, solve_for: y if not isinstance(y, Fraction) else M.mpf(y.numerator) / y.denominator}
                    value = numeric_bounded(q, point, 60, True)
                    if value is not None and abs(value[0]) > M.mpf(10) ** -20:
                        return True
    return False


def proportional(a: Expr, b: Expr, *, points: int = 4, seed: int = 0) -> bool | None:
    """Is ``a = c * b`` for a non-zero constant ``c``? (``a = 0`` and ``b = 0`` the same equation.)

    True when the ratio is the same non-zero number at every random point (exactly, at
    rational points, for rational functions with rational coefficients; at 50 digits for
    analytic ones). False only when both are polynomials of degree 1 (two lines or planes are
    the same only when proportional). None otherwise: ``x^2 = 0`` and ``x = 0`` have the same
    solutions without being proportional, so SymPy decides.
    """
    names = sorted(a.free_symbols() | b.free_symbols())
    if not names:
        return None
    cls = max(expression_class(a), expression_class(b))
    if cls == OTHER:
        return None
    affine = polynomial_degree(a) == 1 and polynomial_degree(b) == 1
    rng = random.Random(seed)
    same = None
    if cls == RATIONAL and not (_has_non_rational_coefficient(a) or _has_non_rational_coefficient(b)):
        same = _ratio_constant_exact(a, b, names, points, rng)
    if same is None:
        same = _ratio_constant_numeric(a, b, names, points, rng)
    if same is False:
        return False if affine else None
    return same


def _rational_point(names: list[str], pattern: int, rng: random.Random) -> dict[str, Fraction]:
    """A random rational point whose coordinates have the signs of ``_sign_pattern(pattern)``."""
    signs = _sign_pattern(pattern, len(names), rng)
    return {s: Fraction(int(sg) * rng.randint(1, 10**6), rng.randint(1, 10**3)) for s, sg in zip(names, signs)}


def _ratio_constant_exact(a: Expr, b: Expr, names: list[str], points: int, rng: random.Random) -> bool | None:
    ratio: Fraction | None = None
    defined = 0
    for k in range(points * 2):
        if defined >= points:
            break
        env = _rational_point(names, k % 3, rng)
        try:
            va, vb = exact_at(a, env), exact_at(b, env)
        except (SizeLimit, RecursionError):
            return None
        if va is None or vb is None:
            continue
        if vb == 0 or va == 0:
            if va != vb:
                return False
            continue
        r = va / vb
        if ratio is None:
            ratio = r
        elif r != ratio:
            return False
        defined += 1
    return True if defined >= points else None


def _ratio_constant_numeric(a: Expr, b: Expr, names: list[str], points: int, rng: random.Random) -> bool | None:
    M = context()
    dps = 50
    ratio: Any = None
    defined = 0
    for k in range(points * 2):
        if defined >= points:
            break
        signs = _sign_pattern(k % 3, len(names), rng)
        env = {s: sg * rng.uniform(0.5, 2.5) for s, sg in zip(names, signs)}
        ra, rb = numeric_bounded(a, env, dps), numeric_bounded(b, env, dps)
        if ra is None or rb is None:
            continue
        za = close(ra, (M.mpc(0), NO_ERR), 30, dps)
        zb = close(rb, (M.mpc(0), NO_ERR), 30, dps)
        if za or zb:
            if za != zb:
                return False
            continue
        with M.workdps(dps + GUARD_DPS):
            r = ra[0] / rb[0]
            err = max(ra[1] - M.mag(rb[0]), M.mag(r) + rb[1] - M.mag(rb[0])) + 4
        if ratio is None:
            ratio = (r, err)
        elif not close((r, err), ratio, 30, dps):
            return False
        defined += 1
    return True if defined >= points else None
