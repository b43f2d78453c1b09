"""Exact evaluation: the rational value of a tree as a ``Fraction``, within size limits.

Integers are capped at ~:data:`MAX_BITS` bits, checked *before* a power or factorial is
computed, so ``10^{10^{10}}`` or ``5000!`` is refused at once (:class:`SizeLimit`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from .tree import Add, Div, Expr, Func, Mul, Neg, Num, Pow, Sym, children

__all__ = ["MAX_BITS", "MAX_FACTORIAL_EXACT", "SizeLimit", "exact_at", "exact_or_limit", "exact_value"]

MAX_BITS = 10_000  # exact: largest numerator/denominator kept (bits)
MAX_FACTORIAL_EXACT = 1_000  # exact: largest n for n!


class SizeLimit(Exception):
    """An exact computation would exceed the size limits."""


def _chk(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
        raise SizeLimit
    return v


def _iroot(n: int, k: int) -> int | None:
    """Exact integer k-th root of ``n >= 0``, or None."""
    if n < 2:
        return n
    if k == 2:
        r = math.isqrt(n)
    else:
        r = 1 << -(-n.bit_length() // k)  # upper bound, then Newton down
        while True:
            s = ((k - 1) * r + n // r ** (k - 1)) // k
            if s >= r:
                break
            r = s
    return r if r**k == n else None


def _ipow(b: Fraction, n: int) -> Fraction:
    if b in (0, 1, -1):
        return b**n  # ZeroDivisionError for 0**-k is handled by the caller
    if max(b.numerator.bit_length(), b.denominator.bit_length()) * abs(n) > MAX_BITS:
        raise SizeLimit
    return b**n


def _rational_power(b: Fraction, x: Fraction) -> Fraction | None:
    if x.denominator == 1:
        return _ipow(b, x.numerator)
    if b < 0 or x.denominator > MAX_BITS:
        return None
    p, q = _iroot(b.numerator, x.denominator), _iroot(b.denominator, x.denominator)
    if p is None or q is None:
        return None
    return _ipow(Fraction(p, q), x.numerator)


def exact_at(e: Expr, env: Mapping[str, Fraction] | None = None) -> Fraction | None:
    """Exact value (symbols from ``env``); None when not rational; raises :class:`SizeLimit` over limits."""
    t = type(e)
    if t is Num:
        return _chk(e.value)
    if t is Sym:
        return None if env is None else env.get(e.name)
    if t in (Add, Mul, Neg, Div, Func, Pow):
        vals = [exact_at(c, env) for c in children(e)]
        if any(v is None for v in vals):
            return None
    else:
        return None
    try:
        if t is Add:
            acc = Fraction(0)
            for v in vals:
                acc = _chk(acc + v)
            return acc
        if t is Mul:
            acc = Fraction(1)
            for v in vals:
                acc = _chk(acc * v)
            return acc
        if t is Neg:
            return -vals[0]
        if t is Div:
            return _chk(vals[0] / vals[1])
        if t is Pow:
            return _rational_power(vals[0], vals[1])
        return _exact_func(e.name, vals)
    except ZeroDivisionError:
        return None


def _exact_func(name: str, vals: list[Fraction]) -> Fraction | None:
    x = vals[0]
    if name == "abs":
        return abs(x)
    if name == "sqrt":
        return _rational_power(x, Fraction(1, 2))
    if name == "root":
        n = vals[1]
        if n.denominator != 1 or n <= 0:
            return None
        if x < 0 and n.numerator % 2:
            r = _rational_power(-x, 1 / n)
            return None if r is None else -r
        return _rational_power(x, 1 / n)
    if name == "factorial":
        if x.denominator != 1 or x < 0:
            return None
        if x > MAX_FACTORIAL_EXACT:
            raise SizeLimit
        return Fraction(math.factorial(x.numerator))
    if name == "binom":
        k = vals[1]
        if x.denominator != 1 or k.denominator != 1 or x < 0:
            return None
        nn, kk = x.numerator, k.numerator
        if kk < 0 or kk > nn:
            return Fraction(0)
        if min(kk, nn - kk) * nn.bit_length() > MAX_BITS:
            raise SizeLimit
        return Fraction(math.comb(nn, kk))
    return None


def exact_or_limit(e: Expr) -> tuple[Fraction | None, bool]:
    """``(exact value or None, whether the size limits refused it)``."""
    try:
        return exact_at(e), False
    except (SizeLimit, RecursionError):
        return None, True


def exact_value(e: Expr) -> Fraction | None:
    """Exact rational value, or None (irrational, symbolic, undefined or over limits).

    Uses only numbers, ``+ - * /``, rational powers with exact roots, ``!``,
    ``binom``, ``abs``, ``sqrt``/``root`` of perfect powers. Integers are capped
    at ~``MAX_BITS`` bits (checked before computing powers/factorials).
    """
    return exact_or_limit(e)[0]
