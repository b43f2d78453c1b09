"""``numeric`` and ``fraction``: exact rational arithmetic on numbers, no SymPy.

Integers, decimals (kept exact: ``0.1`` is 1/10), scientific notation, thousands separators,
percents, ``\\frac{a}{b}``, ``a/b`` and mixed numbers all become :class:`fractions.Fraction`, so
comparison takes microseconds and magnitudes of any size compare exactly.
"""

from __future__ import annotations

from fractions import Fraction

from ..config import GradeConfig
from ..parsing.values import Kind, Value
from ..registry import register
from ..sample import Sample
from .base import ValueVerifier


def numbers_equal(a: Value, b: Value, config: GradeConfig) -> bool:
    """Equality of two parsed numbers under the configured tolerance and percent policy."""
    x, y = a.number, b.number
    assert x is not None and y is not None
    candidates = [(x, y)]
    if a.percent != b.percent and config.percent:
        # "50%" equals "50" (the sign dropped) and "0.5" (its value), nothing else.
        candidates.append((x / 100, y) if a.percent else (x, y / 100))
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
    return False


def _round(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(round(value * scale), scale)


@register("numeric")
class NumericVerifier(ValueVerifier):
    """Integers and decimals (with thousands separators, scientific notation, percents)."""

    name = "numeric"
    forms = ("int", "decimal", "sci")

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        if pred.kind is Kind.RELATION and pred.op == "=" and pred.items:
            pred = pred.items[0]
        if gold.kind is Kind.RELATION and gold.op == "=" and gold.items:
            gold = gold.items[0]
        if pred.kind is not Kind.NUMBER or gold.kind is not Kind.NUMBER:
            return None
        if not (pred.form in self.forms or gold.form in self.forms):
            return None
        return numbers_equal(pred, gold, sample.config)


@register("fraction")
class FractionVerifier(NumericVerifier):
    """Exact rationals: ``\\frac{a}{b}``, ``a/b`` and mixed numbers such as ``3\\frac{1}{2}``."""

    name = "fraction"
    forms = ("fraction", "mixed", "int", "decimal", "sci")
