"""``latex``: structural and numeric comparison of LaTeX answers without SymPy.

Tuples, intervals, sets, lists, matrices and relations are compared element by element; scalar
expressions are parsed by the bounded parser in :mod:`rlvr_rewards.parsing.expr` and decided by
exact rational arithmetic, 50-digit evaluation, or evaluation at random points for expressions
with variables. Anything it cannot read is left to the ``symbolic`` tier.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..config import GradeConfig
from ..parsing import expr as ex
from ..parsing.values import MAX_ANSWER_LEN, Kind, Value, as_list
from ..registry import register
from ..sample import Sample
from .base import ValueVerifier
from .exact import _is_symbol
from .numeric import numbers_equal

_ORDERED = (Kind.TUPLE, Kind.INTERVAL)
_RELATION_CHARS = re.compile(r"[<>=]|\\[lg]e|\\in|\\mid")
_PLAIN = re.compile(r"[A-Za-z0-9 :.,'/-]{1,200}")
_UNORDERED = (Kind.SET, Kind.LIST)


@lru_cache(maxsize=16384)
def _parsed(text: str) -> ex.Expr | None:
    try:
        return ex.parse_expr(text, max_len=MAX_ANSWER_LEN)
    except ex.ExprError:
        return None
    except (RecursionError, MemoryError, OverflowError, ValueError):
        return None


def compare_values(pred: Value, gold: Value, config: GradeConfig, depth: int = 0) -> bool | None:
    """True / False / None (cannot tell) for two parsed values of any kind."""
    if depth > 6:
        return None
    if pred.norm == gold.norm and pred.kind is gold.kind:
        return True
    pk, gk = pred.kind, gold.kind
    if gk is Kind.RELATION and pk is not Kind.RELATION:
        if gold.op == "=" and _is_symbol(gold.lhs) and gold.items:
            return compare_values(pred, gold.items[0], config, depth + 1)
        return None
    if pk is Kind.RELATION and gk is not Kind.RELATION:
        if pred.op == "=" and _is_symbol(pred.lhs) and pred.items:
            return compare_values(pred.items[0], gold, config, depth + 1)
        return None
    if pk is Kind.RELATION and gk is Kind.RELATION:
        if pred.op == gold.op and pred.lhs == gold.lhs:
            return compare_values(pred.items[0], gold.items[0], config, depth + 1)
        return None
    if ("\\cup" in pred.norm) != ("\\cup" in gold.norm):
        other = pred if "\\cup" in gold.norm else gold
        if other.kind is Kind.NUMBER or (other.kind is Kind.EXPR and not _RELATION_CHARS.search(other.norm)):
            return False  # a union of sets is never a single number or expression
    if gk is Kind.TEXT or pk is Kind.TEXT:
        return pred.norm == gold.norm if pk is gk else False
    if gk is Kind.CHOICE or pk is Kind.CHOICE:
        return pred.letter == gold.letter if pk is gk else False
    if gk in _UNORDERED and pk is Kind.NUMBER:
        alt = as_list(pred)
        if alt is not None:
            pred, pk = alt, Kind.LIST
    if gk in _ORDERED and pk in _ORDERED:
        if pred.left != gold.left or pred.right != gold.right:
            return False
        return _sequence(pred.items, gold.items, config, depth)
    if gk is Kind.TUPLE and pk is Kind.LIST:
        return _sequence(pred.items, gold.items, config, depth)
    if gk in _UNORDERED and pk in _UNORDERED:
        return _unordered(pred.items, gold.items, config, depth)
    if gk is Kind.MATRIX or pk is Kind.MATRIX:
        if pk is not gk or len(pred.items) != len(gold.items):
            return False
        return _sequence(pred.items, gold.items, config, depth, rows=True)
    if gk in (Kind.INTERVAL, Kind.SET) and pk in (Kind.INTERVAL, Kind.SET):
        return None  # e.g. a union written differently: symbolic decides
    structured = (Kind.TUPLE, Kind.INTERVAL, Kind.SET, Kind.LIST)
    if (gk in structured) != (pk in structured):
        return False
    if pk is Kind.NUMBER and gk is Kind.NUMBER:
        return numbers_equal(pred, gold, config)
    return _scalar(pred, gold, config)


def _sequence(a: tuple[Value, ...], b: tuple[Value, ...], config: GradeConfig, depth: int, rows: bool = False) -> bool | None:
    if len(a) != len(b):
        return False
    unknown = False
    for x, y in zip(a, b):
        if rows:
            r = _sequence(x.items, y.items, config, depth + 1) if len(x.items) == len(y.items) else False
        else:
            r = compare_values(x, y, config, depth + 1)
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


def _unordered(a: tuple[Value, ...], b: tuple[Value, ...], config: GradeConfig, depth: int) -> bool | None:
    if len(a) != len(b) or len(a) > 64:
        return False if len(a) != len(b) else None
    used = [False] * len(a)
    unknown = False
    for y in b:
        found = False
        for i, x in enumerate(a):
            if used[i]:
                continue
            r = compare_values(x, y, config, depth + 1)
            if r:
                used[i] = found = True
                break
            if r is None:
                unknown = True
        if not found and not unknown:
            return False
    return True if all(used) else (None if unknown else False)


def _as_expr(value: Value) -> ex.Expr | None:
    """Numbers keep the exact value parsing gave them (mixed numbers, percents resolved)."""
    if value.kind is Kind.NUMBER and value.number is not None:
        return None if value.percent else ex.Num(value.number)
    return _parsed(value.text)


def _scalar(pred: Value, gold: Value, config: GradeConfig) -> bool | None:
    a = _as_expr(pred)
    b = _as_expr(gold)
    if a is None and b is None and _PLAIN.fullmatch(pred.text) and _PLAIN.fullmatch(gold.text):
        # Neither is mathematics the parser reads, and neither has LaTeX for SymPy to read
        # either ("4:30 p.m."): compare as written.
        return pred.norm.lower() == gold.norm.lower()
    if a is None or b is None:
        return None
    if pred.kind is Kind.NUMBER and pred.decimals is not None or gold.kind is Kind.NUMBER and gold.decimals is not None:
        # A written decimal against an expression: the tolerance policy decides, not 30 digits.
        return _decimal_vs_expr(pred, gold, a, b, config)
    try:
        return ex.equivalent(a, b)
    except (ex.ExprError, ArithmeticError, ValueError, MemoryError, RecursionError):
        return None


def _decimal_vs_expr(pred: Value, gold: Value, a: ex.Expr, b: ex.Expr, config: GradeConfig) -> bool | None:
    from fractions import Fraction

    dec, other, other_value = (pred, gold, b) if pred.decimals is not None and pred.kind is Kind.NUMBER else (gold, pred, a)
    if other_value.free_symbols():
        return False
    exact = ex.exact_value(other_value)
    if exact is None:
        try:
            v = ex.numeric_value(other_value)
        except (ex.ExprError, ArithmeticError, ValueError):
            return None
        if v is None or abs(v.imag) > 1e-30:
            return None if v is None else False
        exact = Fraction(str(v.real)) if str(v.real) not in ("+inf", "-inf", "nan") else None
        if exact is None:
            return None
    stand_in = Value(Kind.NUMBER, other.raw, other.norm, other.text, exact, None, False, "fraction")
    return numbers_equal(dec, stand_in, config) if dec is pred else numbers_equal(stand_in, dec, config)


@register("latex")
class LatexVerifier(ValueVerifier):
    """Structures element-wise; expressions by exact, 50-digit and random-point evaluation."""

    name = "latex"

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        return compare_values(pred, gold, sample.config)
