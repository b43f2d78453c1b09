"""``exact``: normalised string equality (delimiters, spacing, ``\\left``, units, degrees removed)."""

from __future__ import annotations

from ..letters import answer_label, is_label_gold, labelled_content
from ..parsing.normalize import units_compatible
from ..parsing.values import Kind, Value, is_symbol, parse_value
from ..registry import register
from ..sample import Sample
from .base import ValueVerifier


@register("exact")
class ExactVerifier(ValueVerifier):
    """Normalised string equality; decides "incorrect" only for text and choice answers.

    Two answers that name different units (``7 cm``, ``7 m``) are decided incorrect here: no
    later tier sees the units, and no conversion is attempted.
    """

    name = "exact"

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        if (pred.unit or gold.unit) and not units_compatible(pred.unit, gold.unit):
            return False
        if pred.norm == gold.norm and pred.kind is gold.kind:
            return True
        if gold.kind is Kind.RELATION and pred.kind is not Kind.RELATION and gold.op == "=":
            if gold.items and gold.items[0].norm == pred.norm and is_symbol(gold.lhs):
                return True
        if pred.kind is Kind.RELATION and gold.kind is not Kind.RELATION and pred.op in ("=", "≈"):
            if pred.items and pred.items[0].norm == gold.norm and is_symbol(pred.lhs):
                return True
        if is_label_gold(gold.norm):  # a gold "(d)": the answer's own option label decides
            answer = sample.extraction.answer or pred.raw  # the label as written, before any stripping
            label = answer_label(answer.strip())
            if label is not None:
                return label.lower() == gold.norm[1].lower()
        if gold.kind is not Kind.CHOICE and pred.kind is not Kind.CHOICE:
            stated = _option_content(pred)
            if stated is not None:
                from .latex import compare_values  # latex imports this module

                if compare_values(stated, gold, sample.config):
                    return True
        if gold.kind is Kind.TEXT and pred.kind is Kind.TEXT:
            return pred.norm == gold.norm
        if gold.kind is Kind.CHOICE and pred.kind is Kind.CHOICE:
            return pred.letter == gold.letter
        return None


def _option_content(pred: Value) -> Value | None:
    """``(B) no`` → the value ``no``: what an answer states after its option label."""
    content = labelled_content(pred.raw.strip())  # "(B) no", "(C) Thursday", "(c) 25"
    return parse_value(content) if content is not None else None
