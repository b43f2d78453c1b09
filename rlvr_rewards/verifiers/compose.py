"""Composition: cascades (first decisive verifier wins), weighted sums, ``math`` and ``accuracy``.

Spec strings that build these (``"exact > numeric"``, ``"accuracy + 0.1*format"``) are parsed by
:mod:`rlvr_rewards.verifiers.specs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..letters import gold_letter, leading_letter
from ..parsing.values import Kind
from ..protocol import ask
from ..registry import get_verifier, register
from ..sample import Sample
from ..verdict import Decision, Outcome
from .base import Verifier, evaluate, gate

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
            d = ask(v, sample)
            if d is not None:
                return d if d.by else replace(d, by=v.name)
            if sample._pending:
                return None  # slow work deferred (a batch's fast phase): later tiers wait for it
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
        if _letter_golds(sample.golds, sample):
            d = ask(self.mcq, sample)
            if d is not None:
                return d if d.by else replace(d, by="mcq")
        return gate(self.math, sample) or ask(self.math, sample)


def _letter_golds(golds: Sequence[Any] | None, sample: Sample) -> bool:
    """Every gold alternative names an option letter (``B``, ``(B) 60°``): the mcq path."""
    if not golds:
        return False
    for g in golds:
        kind = g.kind
        if kind is not Kind.CHOICE and (kind is Kind.NUMBER or not _letter_with_content(g.raw, sample)):
            return False
    return True


def _letter_with_content(gold: str, sample: Sample) -> bool:
    """A gold written "(B) 60°" is the letter B; "B. 60°" / "B) 60" only when options are given
    (without them "E. coli" is a text answer)."""
    if leading_letter(gold.lstrip(), paren_only=True) is not None:
        return True
    return bool(sample.options) and gold_letter(gold) is not None


class Weighted(Verifier):
    """A weighted sum of verifiers plus a constant: each part is graded on its own, scores added.

    ``Weighted([(2, "accuracy")], constant=-1)`` is DAPO's ±1 reward (``"2*accuracy - 1"``). The
    outcome (and detail, and deciding verifier) is that of the *correctness term*, wherever it
    stands: the first part that grades the answer against the gold (see :func:`grades_gold`;
    ``"0.1*format + accuracy"`` and ``"accuracy + 0.1*format"`` have the same outcome), else the
    first part. A bad gold there gives ``bad_gold`` (score 0), never a format bonus. ``parts``
    keeps each part's score (and those of a product's factors) so trainers can log them.
    """

    needs_gold = False
    needs_answer = False

    def __init__(
        self, parts: Sequence[tuple[float, Verifier | str]], name: str | None = None, *, constant: float = 0.0,
    ):
        self.parts = [(float(w), get_verifier(v) if isinstance(v, str) else v) for w, v in parts]
        if not self.parts:
            raise ValueError("a weighted composition needs at least one part")
        self.constant = float(constant)
        self.name = name or _sum_name(self.parts, self.constant)
        self.answer_only = all(v.answer_only for _, v in self.parts)
        self.main = next((i for i, (_, v) in enumerate(self.parts) if grades_gold(v)), 0)

    def decide(self, sample: Sample) -> Decision:
        total = self.constant
        scores: dict[str, float] = {}
        main: Decision | None = None
        for i, (w, v) in enumerate(self.parts):
            d = evaluate(v, sample)
            if i == self.main:
                main = d
            _log_part(scores, v, d)
            total += w * d.score
        assert main is not None
        if main.outcome is Outcome.BAD_GOLD:
            return replace(main, score=0.0, parts=scores)
        return Decision(main.outcome, total + 0.0, main.detail, by=main.by, parts=scores)  # no -0.0


class Product(Verifier):
    """The product of its factors' scores, e.g. ``"format*accuracy_judge"``: a gate.

    Factors are evaluated in order and evaluation stops at the first that scores 0 (the product
    is 0 whatever follows), so ``format * accuracy_judge`` never asks the judge when the format
    fails. A bad gold is ``bad_gold`` when any factor grades against the gold. The outcome is
    that of the factor that scored 0 (``incorrect`` rather than ``correct``), else that of the
    correctness factor (the first that grades the gold), else of the first factor.
    """

    needs_answer = False

    def __init__(self, factors: Sequence[Verifier | str], name: str | None = None):
        self.verifiers = [get_verifier(v) if isinstance(v, str) else v for v in factors]
        if not self.verifiers:
            raise ValueError("a product needs at least one factor")
        self.name = name or "*".join(_operand_name(v) for v in self.verifiers)
        self.needs_gold = any(grades_gold(v) for v in self.verifiers)
        self.answer_only = all(v.answer_only for v in self.verifiers)
        self.main = next((i for i, v in enumerate(self.verifiers) if grades_gold(v)), 0)

    def decide(self, sample: Sample) -> Decision:
        if self.needs_gold and not sample.golds:  # also when a cascade calls decide() directly
            return Decision(Outcome.BAD_GOLD, 0.0, "the gold answer could not be parsed", by="gold")
        score = 1.0
        scores: dict[str, float] = {}
        main: Decision | None = None
        for i, v in enumerate(self.verifiers):
            d = evaluate(v, sample)
            _log_part(scores, v, d)
            if d.outcome is Outcome.BAD_GOLD:
                return replace(d, score=0.0, parts=scores)
            if i == self.main or main is None:
                main = d
            if d.score == 0.0:  # the product is 0: the rest (a judge call, say) is not asked
                outcome = Outcome.INCORRECT if d.outcome is Outcome.CORRECT else d.outcome
                return Decision(outcome, 0.0, d.detail, by=d.by, parts=scores)
            score *= d.score
        assert main is not None
        return Decision(main.outcome, score, main.detail, by=main.by, parts=scores)


def grades_gold(v: Verifier) -> bool:
    """Whether ``v`` grades the answer against the gold: the rule that picks the correctness term
    of a :class:`Weighted` sum or a :class:`Product`.

    A verifier does when its ``needs_gold`` is true (``accuracy``, the tiers, ``mcq``, the
    judges, and the shaping rewards that scale correctness, ``cosine`` / ``length``, whose
    outcome is the accuracy outcome); the format and shaping checks that ignore the gold
    (``format``, ``repetition``, ``overlong``, …) do not. A composite does when any part does.
    """
    if isinstance(v, Weighted):
        return any(grades_gold(p) for _, p in v.parts)
    if isinstance(v, (Product, Cascade)):
        return any(grades_gold(p) for p in v.verifiers)
    return bool(getattr(v, "needs_gold", True))


def _log_part(scores: dict[str, float], v: Verifier, d: Decision) -> None:
    scores[v.name] = d.score
    if d.parts and isinstance(v, (Weighted, Product)):
        for k, s in d.parts.items():
            scores.setdefault(k, s)


def _operand_name(v: Verifier) -> str:
    """``v.name`` as an operand of ``*``: sums and cascades in parentheses."""
    if isinstance(v, Cascade) and " > " in v.name or isinstance(v, Weighted) and (" + " in v.name or " - " in v.name):
        return f"({v.name})"
    return v.name


def _sum_name(parts: Sequence[tuple[float, Verifier]], constant: float) -> str:
    out = ""
    for w, v in parts:
        name = f"({v.name})" if isinstance(v, Cascade) and " > " in v.name else v.name
        term = (name if w > 0 else _operand_name(v)) if abs(w) == 1 else f"{abs(w):g}*{_operand_name(v)}"
        out += (" - " if w < 0 else " + ") + term if out else ("-" if w < 0 else "") + term
    if constant:
        out += f" {'-' if constant < 0 else '+'} {abs(constant):g}"
    return out
