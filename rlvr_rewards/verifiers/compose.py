"""Composition: cascades (first decisive verifier wins), weighted sums, ``math`` and ``accuracy``.

Spec strings that build these (``"exact > numeric"``, ``"accuracy + 0.1*format"``) are parsed by
:mod:`rlvr_rewards.verifiers.specs`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..parsing.values import Kind
from ..registry import get_verifier, register
from ..sample import Sample
from ..verdict import Decision, Outcome
from .base import Verifier, evaluate, gate
from .mcq import gold_letter

MATH_TIERS = ("exact", "numeric", "fraction", "latex", "symbolic")

class Cascade(Verifier):
    """Ask each verifier in turn; the first decisive answer wins (cheapest first)."""

    def __init__(self, verifiers: Sequence[Verifier | str], name: str | None = None):
        self.verifiers = [get_verifier(v) if isinstance(v, str) else v for v in verifiers]
        self.name = name or " > ".join(v.name for v in self.verifiers)
        self.needs_gold = any(v.needs_gold for v in self.verifiers)
        self.needs_answer = any(v.needs_answer for v in self.verifiers)
        self.answer_only = all(v.answer_only for v in self.verifiers)

    def decide(self, sample: Sample) -> Decision | None:
        for v in self.verifiers:
            d = v.decide(sample)
            if d is not None:
                return d if d.by else replace(d, by=v.name)
        return None


@register("math")
class MathVerifier(Cascade):
    """The math cascade: exact > numeric > fraction > latex > symbolic."""

    def __init__(self, tiers: Sequence[str] = MATH_TIERS):
        super().__init__(list(tiers), name="math")


@register("accuracy", aliases=("auto", "correctness"))
class AccuracyVerifier(Verifier):
    """Gold-type dispatch: a letter A–J gold → mcq; anything else → the math cascade."""

    name = "accuracy"
    answer_only = True
    needs_answer = False  # the mcq path finds letters itself; the math path is gated below

    def __init__(self) -> None:
        self.mcq = get_verifier("mcq")
        self.math = get_verifier("math")

    def decide(self, sample: Sample) -> Decision | None:
        golds = sample.golds or ()
        if golds and all(
            g.kind is Kind.CHOICE or (g.kind is not Kind.NUMBER and _letter_with_content(g.raw, sample)) for g in golds
        ):
            d = self.mcq.decide(sample)
            if d is not None:
                return d if d.by else replace(d, by="mcq")
        return gate(self.math, sample) or self.math.decide(sample)


_LABELLED = re.compile(r"^\s*\(([A-J])\)\s*\S")


def _letter_with_content(gold: str, sample: Sample) -> bool:
    """A gold written "(B) 60°" is the letter B; "B. 60°" / "B) 60" only when options are given
    (without them "E. coli" is a text answer)."""
    if _LABELLED.match(gold):
        return True
    return bool(sample.options) and gold_letter(gold) is not None


class Weighted(Verifier):
    """A weighted sum of verifiers: each part is graded on its own, scores are added.

    The outcome is that of the first part (the correctness term); ``parts`` keeps each part's
    score so trainers can log them.
    """

    needs_gold = False
    needs_answer = False

    def __init__(self, parts: Sequence[tuple[float, Verifier | str]], name: str | None = None):
        self.parts = [(float(w), get_verifier(v) if isinstance(v, str) else v) for w, v in parts]
        if not self.parts:
            raise ValueError("a weighted composition needs at least one part")
        self.name = name or " + ".join(f"{w:g}*{v.name}" if w != 1 else v.name for w, v in self.parts)
        self.answer_only = all(v.answer_only for _, v in self.parts)

    def decide(self, sample: Sample) -> Decision:
        total = 0.0
        scores: dict[str, float] = {}
        first: Decision | None = None
        for w, v in self.parts:
            d = evaluate(v, sample)
            first = first or d
            scores[v.name] = d.score
            total += w * d.score
        assert first is not None
        if first.outcome is Outcome.BAD_GOLD:
            return replace(first, parts=scores)
        return Decision(first.outcome, total, first.detail, by=first.by, parts=scores)


