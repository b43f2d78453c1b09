"""Composition: cascades (first decisive verifier wins), weighted sums, and named specs.

A *spec* is a string users can put in a config file::

    "accuracy"                       # gold-type dispatch: letters → mcq, else the math cascade
    "exact > numeric > symbolic"     # a cascade, cheapest first
    "accuracy + 0.1*format"          # a weighted sum (TRL-style reward weights)

Named specs (``register_spec``) give such strings a short name, e.g. ``"r1"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .parsing.values import Kind
from .registry import get_verifier, register
from .sample import Sample
from .tiers.base import Verifier, gate
from .tiers.mcq import gold_letter
from .verdict import Decision, Outcome

MATH_TIERS = ("exact", "numeric", "fraction", "latex", "symbolic")

_SPECS: dict[str, str] = {
    "r1": "accuracy + 0.1*format",
    "math_format": "math + 0.1*format",
}


def register_spec(name: str, spec: str) -> None:
    """Give a composed spec string a short name usable wherever a verifier name is."""
    _build_text(spec)  # validate now, not at training time
    _SPECS[name] = spec
    _BUILT.clear()


def list_specs() -> dict[str, str]:
    return dict(_SPECS)


def evaluate(verifier: Verifier, sample: Sample) -> Decision:
    """Run the gates then ``verifier`` on ``sample``; an undecided result is "incorrect".

    Memoised per sample, so composed parts that need the same verdict (``cosine`` reads the
    ``accuracy`` verdict) compute it once.
    """
    key = id(verifier)
    memo = sample.memo.get(key)
    if memo is not None:
        return memo
    decision = gate(verifier, sample) or verifier.decide(sample)
    if decision is None:
        decision = Decision(Outcome.INCORRECT, 0.0, "no verifier could establish equivalence", by=verifier.name)
    elif not decision.by:
        decision = replace(decision, by=verifier.name)
    if not sample.fast_only or not sample.needs_slow:
        sample.memo[key] = decision
    return decision


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


_WEIGHT = re.compile(r"^\s*([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*\*\s*(.+)$")


def build(spec: str | Verifier | Sequence[Any]) -> Verifier:
    """A verifier from a name, a spec string, a verifier, or a list (a cascade).

    Spec strings are built once and cached (verifiers are stateless), so passing a string on
    every call costs a dictionary lookup.
    """
    if isinstance(spec, Verifier):
        return spec
    if isinstance(spec, str):
        v = _BUILT.get(spec)
        if v is None:
            v = _BUILT[spec] = _build_text(spec)
        return v
    if isinstance(spec, (list, tuple)) and spec:
        return Cascade([build(s) for s in spec])
    raise TypeError(
        f"verifier must be a registered name, a spec string, a Verifier or a non-empty list of those, "
        f"not {type(spec).__name__} ({spec!r:.80})"
    )


_BUILT: dict[str, Verifier] = {}


def _build_text(spec: str) -> Verifier:
    text = spec.strip()
    if text in _SPECS:
        v = _build_text(_SPECS[text])
        if isinstance(v, (Weighted, Cascade)) and any(op in _SPECS[text] for op in "+>"):
            v.name = text  # a fresh composite: safe to name; a shared registry instance is not
        return v
    terms = _split_plus(text)
    if len(terms) > 1 or _WEIGHT.match(text):
        parts = []
        for term in terms:
            m = _WEIGHT.match(term)
            weight, sub = (float(m.group(1)), m.group(2)) if m else (1.0, term)
            parts.append((weight, build(sub)))
        return Weighted(parts, name=text)
    if ">" in text:
        return Cascade([build(s) for s in text.split(">")], name=text)
    if text.startswith("(") and text.endswith(")"):
        return build(text[1:-1])
    return get_verifier(text)


def _split_plus(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "+" and depth == 0 and i > 0 and text[i - 1] not in "eE*":
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return [t for t in out if t]
