"""``numeric`` and ``fraction``: exact rational arithmetic on numbers, no SymPy.

Integers, decimals (kept exact: ``0.1`` is 1/10), scientific notation, thousands separators,
percents, ``\\frac{a}{b}``, ``a/b`` and mixed numbers all become :class:`fractions.Fraction`, so
comparison takes microseconds and magnitudes of any size compare exactly.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..config import GradeConfig
from ..parsing.normalize import scale_of, units_compatible
from ..parsing.values import Kind, Value, is_symbol
from ..registry import register
from ..sample import Sample
from .base import ValueVerifier

_HALF = Fraction(1, 2)


def numbers_equal(a: Value, b: Value, config: GradeConfig) -> bool:
    """Equality of two parsed numbers under the configured tolerance and percent policy.

    ``a`` is the prediction and ``b`` the gold: the gold-precision rule is one-directional.
    """
    x, y = a.number, b.number
    assert x is not None and y is not None
    if (a.unit or b.unit) and not units_compatible(a.unit, b.unit):
        return False
    candidates = [(x, y)]
    if a.percent != b.percent and config.percent:
        # "50%" equals "50" (the sign dropped) and "0.5" (its value), nothing else.
        candidates.append((x / 100, y) if a.percent else (x, y / 100))
    if a.unit != b.unit:  # "660 billion": as written (a unit) and as the number it names
        sa, sb = scale_of(a.unit), scale_of(b.unit)
        if sa is not None and sb is None:
            candidates.append((x * sa, y))
        elif sb is not None and sa is None:
            candidates.append((x, y * sb))
    tol = config.tolerance
    for p, q in candidates:
        if p == q:
            return True
        inexact_p, inexact_q = a.decimals is not None, b.decimals is not None
        if (inexact_p or inexact_q) and tol.close(p, q):
            return True
        if tol.round_to_decimal and inexact_p != inexact_q:
            places = a.decimals if inexact_p else b.decimals
            exact, written = (q, p) if inexact_p else (p, q)
            if _round(exact, places or 0) == written:
                return True
        if tol.gold_precision and inexact_q and q is y and _rounds_to_gold(p, a, q, b):
            return True
    return False


def _round(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(round(value * scale), scale)


def significant_digits(gold: Value) -> int:
    """Significant digits of a written decimal gold, trailing zeros not counted (``0.0830`` → 2)."""
    digits = gold.norm.lstrip("+-")
    for marker in ("e", "E", "\\times", "*10^", "\\cdot"):
        k = digits.find(marker)
        if k > 0:
            digits = digits[:k]
    digits = "".join(c for c in digits if c.isdigit()).lstrip("0").rstrip("0")
    return len(digits)


def _rounds_to_gold(p: Fraction, pred: Value, q: Fraction, gold: Value) -> bool:
    """A decimal gold accepts an exact or more precise prediction that rounds to it.

    ``3.14`` accepts ``22/7`` and ``3.1416``; ``0.0833`` accepts ``1/12``. Never the reverse: a
    prediction written with no more places than the gold (``0.5`` against ``0.49``) is compared
    as written. The gold must carry at least two significant digits and a non-zero fractional
    part: ``0.5``, ``4.0`` or ``3e8`` are read as exact values, not as roundings, so ``0.49`` is not
    ``0.5`` and ``3.96`` is not ``4.0``. A tie (``2.8125`` for ``2.812``) rounds either way.
    """
    places = (gold.decimals or 0) - gold.exponent
    if pred.decimals is not None:
        pred_places = pred.decimals - pred.exponent
        if pred_places <= places:
            return False
    if q.denominator == 1 or significant_digits(gold) < 2:
        return False
    return abs(p - q) * 10**places <= _HALF if places >= 0 else abs(p - q) <= _HALF * Fraction(10) ** -places


def final_value(value: Value) -> Value:
    """The value an answer's equation chain states: ``y(0.2) = 2 + 0.2 \\cdot 1 = 2.2`` → ``2.2``,
    ``rank(B) = 0`` → ``0``. Used on the prediction against a gold that is not an equation (a gold
    equation such as ``2x-y=0`` is never reduced to its right side, see ``compare``)."""
    for _ in range(8):
        if value.kind is Kind.RELATION and value.op in ("=", "≈") and value.items:
            value = value.items[0]
        else:
            break
    return value


_PI_MULTIPLE = re.compile(r"(-?)(?:\\frac\{(\d{0,6})\\pi\}\{(\d{1,6})\}|(\d{0,6})\\pi(?:/(\d{1,6}))?|\\frac\{(\d{1,6})\}\{(\d{1,6})\}\\pi)")


def pi_multiple(value: Value) -> Fraction | None:
    """``\\frac{\\pi}{4}`` → 1/4, ``2\\pi/3`` → 2/3, ``\\frac{3}{4}\\pi`` → 3/4; None otherwise."""
    if value.kind is not Kind.EXPR or "\\pi" not in value.norm or value.unit:
        return None
    m = _PI_MULTIPLE.fullmatch(value.norm)
    if m is None:
        return None
    sign, n1, d1, n2, d2, n3, d3 = m.groups()
    if d1 is not None:
        num, den = int(n1 or 1), int(d1)
    elif n3 is not None:
        num, den = int(n3), int(d3)
    else:
        num, den = int(n2 or 1), int(d2 or 1)
    if den == 0:
        return None
    return Fraction(-num if sign else num, den)


def angle_equal(pred: Value, gold: Value) -> bool | None:
    """Degrees against radians when one side writes the degree sign: ``45^\\circ`` = ``\\frac{\\pi}{4}``."""
    for deg, rad in ((pred, gold), (gold, pred)):
        if deg.kind is Kind.NUMBER and deg.unit == "deg" and deg.number is not None:
            k = pi_multiple(rad)
            if k is not None:
                return deg.number == k * 180
    return None


@register("numeric")
class NumericVerifier(ValueVerifier):
    """Integers and decimals (with thousands separators, scientific notation, percents)."""

    name = "numeric"
    forms = ("int", "decimal", "sci")

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        if pred.kind is Kind.RELATION and gold.kind is Kind.RELATION:
            return None  # two equations: the latex tier compares operators and sides
        if pred.kind is Kind.RELATION:
            pred = final_value(pred)
        if gold.kind is Kind.RELATION and gold.op == "=" and gold.items and is_symbol(gold.lhs):
            gold = gold.items[0]
        if pred.kind is not Kind.NUMBER or gold.kind is not Kind.NUMBER:
            if pred.kind is Kind.EXPR or gold.kind is Kind.EXPR:
                return angle_equal(pred, gold) or None
            return None
        if not (pred.form in self.forms or gold.form in self.forms):
            return None
        return numbers_equal(pred, gold, sample.config)


@register("fraction")
class FractionVerifier(NumericVerifier):
    """Exact rationals: ``\\frac{a}{b}``, ``a/b`` and mixed numbers such as ``3\\frac{1}{2}``."""

    name = "fraction"
    forms = ("fraction", "mixed", "int", "decimal", "sci")
