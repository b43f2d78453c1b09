"""Shaping rewards beside correctness: cosine length scaling, repetition, overlong, tag count.

Registered like verifiers and composed with them by weight, e.g. ``"accuracy + 0.1*format +
cosine"``. Lengths are counted in tokens when the trainer supplies token ids (TRL
``completion_ids``, ms-swift ``response_token_ids``, veRL ``response_length``), otherwise in
characters (``cosine``, ``overlong``) or whitespace-separated words (``repetition``). Formulas
and sources: docs/rewards.md.
"""

from __future__ import annotations

import math

from .compose import evaluate
from .registry import get_verifier, register
from .sample import Sample
from .tiers.base import Verifier
from .verdict import Decision, Outcome


def _outcome(full: bool) -> Outcome:
    return Outcome.CORRECT if full else Outcome.INCORRECT


@register("cosine", aliases=("cosine_length",))
class CosineLength(Verifier):
    """Cosine length-scaled correctness (Demystify Long CoT): short right answers earn most,
    long wrong answers lose least. Correctness comes from ``accuracy`` (computed once)."""

    name = "cosine"
    needs_answer = False

    def __init__(
        self,
        min_value_wrong: float = -1.0,
        max_value_wrong: float = -0.5,
        min_value_correct: float = 0.5,
        max_value_correct: float = 1.0,
        max_len: int = 1000,
        accuracy: str = "accuracy",
    ):
        if max_len <= 0:
            raise ValueError("max_len must be positive")
        self.min_value_wrong, self.max_value_wrong = min_value_wrong, max_value_wrong
        self.min_value_correct, self.max_value_correct = min_value_correct, max_value_correct
        self.max_len = max_len
        self.accuracy = accuracy

    def value(self, correct: bool, length: int) -> float:
        """The formula: ``lo + (hi - lo) * (1 + cos(pi * min(length / max_len, 1))) / 2``."""
        progress = min(max(length, 0) / self.max_len, 1.0)
        cosine = math.cos(progress * math.pi)
        if correct:
            lo, hi = self.min_value_correct, self.max_value_correct
        else:  # swapped: the penalty shrinks as the wrong answer gets longer
            lo, hi = self.max_value_wrong, self.min_value_wrong
        return lo + 0.5 * (hi - lo) * (1.0 + cosine)

    def decide(self, sample: Sample) -> Decision:
        acc = evaluate(get_verifier(self.accuracy), sample)
        if acc.outcome is Outcome.BAD_GOLD:
            return Decision(Outcome.BAD_GOLD, 0.0, acc.detail, by=self.name)
        correct = acc.outcome is Outcome.CORRECT
        score = self.value(correct, sample.length)
        unit = "tokens" if sample.token_ids is not None else "chars"
        return Decision(acc.outcome, score, f"{'correct' if correct else 'wrong'}, length {sample.length} {unit}", by=self.name)


@register("repetition", aliases=("repetition_penalty",))
class RepetitionPenalty(Verifier):
    """n-gram repetition penalty: ``max_penalty * (1 - distinct n-grams / n-grams)``, in [max_penalty, 0]."""

    name = "repetition"
    needs_gold = False
    needs_answer = False

    def __init__(self, ngram_size: int = 3, max_penalty: float = -1.0):
        if ngram_size < 1:
            raise ValueError("ngram_size must be >= 1")
        if max_penalty > 0:
            raise ValueError(f"max_penalty {max_penalty} should not be positive")
        self.ngram_size = ngram_size
        self.max_penalty = max_penalty

    def penalty(self, units: list) -> float:
        n = self.ngram_size
        if len(units) < n:
            return 0.0
        grams = [tuple(units[i : i + n]) for i in range(len(units) - n + 1)]
        return self.max_penalty * (1.0 - len(set(grams)) / len(grams)) + 0.0  # no -0.0

    def decide(self, sample: Sample) -> Decision:
        units = list(sample.token_ids) if sample.token_ids is not None else sample.completion.lower().split()
        score = self.penalty(units)
        return Decision(_outcome(score == 0.0), score, f"{len(units)} {'tokens' if sample.token_ids is not None else 'words'}", by=self.name)


@register("overlong", aliases=("soft_overlong",))
class SoftOverlong(Verifier):
    """DAPO soft overlong punishment: 0 up to ``max_len - buffer``, then linear down to -1 at
    ``max_len``, -1 beyond."""

    name = "overlong"
    needs_gold = False
    needs_answer = False

    def __init__(self, max_len: int = 4096, buffer: int = 1024):
        if not 0 < buffer <= max_len:
            raise ValueError("need 0 < buffer <= max_len")
        self.max_len = max_len
        self.buffer = buffer

    def value(self, length: int) -> float:
        start = self.max_len - self.buffer
        if length <= start:
            return 0.0
        if length <= self.max_len:
            return (start - length) / self.buffer
        return -1.0

    def decide(self, sample: Sample) -> Decision:
        score = self.value(sample.length)
        return Decision(_outcome(score == 0.0), score, f"length {sample.length}", by=self.name)


@register("tag_count", aliases=("tags",))
class TagCount(Verifier):
    """Structure reward (open-r1's tag_count_reward): a quarter per opening/closing think and answer
    tag present exactly once; a duplicated tag earns nothing."""

    name = "tag_count"
    needs_gold = False
    needs_answer = False

    def __init__(self, think_tag: str = "think", answer_tag: str = "answer", newlines: bool = False):
        self.newlines = newlines  # open-r1's exact strings: "<think>\\n", "\\n</think>\\n", "\\n<answer>\\n", "\\n</answer>"
        t, a = think_tag, answer_tag
        self.tags = (
            (f"<{t}>\n", f"\n</{t}>\n", f"\n<{a}>\n", f"\n</{a}>") if newlines else (f"<{t}>", f"</{t}>", f"<{a}>", f"</{a}>")
        )

    def decide(self, sample: Sample) -> Decision:
        text = sample.completion
        ok = [text.count(tag) == 1 for tag in self.tags]
        score = 0.25 * sum(ok)
        return Decision(_outcome(all(ok)), score, f"{sum(ok)}/4 tags once", by=self.name)
