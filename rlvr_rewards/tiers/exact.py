"""``exact``: normalised string equality (delimiters, spacing, ``\\left``, units, degrees removed)."""

from __future__ import annotations

from ..parsing.values import Kind, Value
from ..registry import register
from ..sample import Sample
from .base import ValueVerifier


@register("exact")
class ExactVerifier(ValueVerifier):
    """Normalised string equality; decides "incorrect" only for text and choice answers."""

    name = "exact"

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        if pred.norm == gold.norm and pred.kind is gold.kind:
            return True
        if gold.kind is Kind.RELATION and pred.kind is not Kind.RELATION and gold.op == "=":
            if gold.items and gold.items[0].norm == pred.norm and _is_symbol(gold.lhs):
                return True
        if pred.kind is Kind.RELATION and gold.kind is not Kind.RELATION and pred.op == "=":
            if pred.items and pred.items[0].norm == gold.norm and _is_symbol(pred.lhs):
                return True
        if gold.kind is Kind.TEXT and pred.kind is Kind.TEXT:
            return pred.norm == gold.norm
        if gold.kind is Kind.CHOICE and pred.kind is Kind.CHOICE:
            return pred.letter == gold.letter
        return None


def _is_symbol(lhs: str) -> bool:
    """``x``, ``y_1``, ``\\theta``, ``f(x)``: the name of what the answer gives a value to."""
    if not lhs or len(lhs) > 12:
        return False
    if lhs.isalpha() and len(lhs) <= 2:
        return True
    if lhs.startswith("\\") and lhs[1:].isalpha():
        return True
    if "_" in lhs:
        head = lhs.split("_", 1)[0]
        return head.isalpha() and len(head) == 1
    return lhs[0].isalpha() and lhs[1:2] == "(" and lhs.endswith(")")
