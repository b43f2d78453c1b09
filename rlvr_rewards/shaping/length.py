"""Length-aware shaping: cosine length scaling, overlong punishment, group-relative length (Kimi 1.5).

Lengths are token counts when the trainer supplies token ids, characters otherwise
(``Sample.length``); every ``max_len`` is in that unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..registry import get_verifier, register
from ..sample import Sample
from ..verdict import Decision, Outcome
from ..verifiers.base import Verifier, evaluate


def _outcome(full: bool) -> Outcome:
    return Outcome.CORRECT if full else Outcome.INCORRECT


def _unit(sample: Sample) -> str:
    return "tokens" if sample.token_ids is not None else "chars"


@register("cosine", aliases=("cosine_length",))
class CosineLength(Verifier):
    """Cosine length-scaled correctness (Demystify Long CoT): short right answers earn most,
    long wrong answers lose least. Correctness comes from ``accuracy`` (computed once).

    >>> c = CosineLength(max_len=100)
    >>> c.value(True, 50), c.value(False, 50), c.value(True, 1000)
    (0.75, -0.75, 0.5)
    """

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
        return Decision(acc.outcome, score, f"{'correct' if correct else 'wrong'}, length {sample.length} {_unit(sample)}", by=self.name)


@register("overlong", aliases=("soft_overlong",))
class SoftOverlong(Verifier):
    """DAPO soft overlong punishment: 0 up to ``max_len - buffer``, then linear down to -1 at
    ``max_len``, -1 beyond (TRL's ``get_soft_overlong_punishment``, open-r1's).

    ``buffer=0`` is a hard cut-off: 0 up to ``max_len``, -1 past it (as TRL and open-r1 accept).
    ``floor=False`` drops the -1 floor: ``min(-(L - (max_len - buffer)) / buffer, 0)`` keeps
    falling past ``max_len`` (ms-swift's ``soft_overlong``, veRL's DAPO reward manager; registered
    as ``overlong_linear``). ``penalty_factor`` scales the penalty (veRL's
    ``overlong_buffer.penalty_factor``). Unfloored, the penalty still stops at ``min_value``
    (default -10, ``None`` for none): trainers truncate at their maximum length, so the peers never
    go that far, but a character count of a runaway completion would (-94 for 100,000 characters
    with the defaults).

    >>> o = SoftOverlong(max_len=100, buffer=20)
    >>> o.value(80), o.value(90), o.value(100), o.value(150)
    (0.0, -0.5, -1.0, -1.0)
    >>> SoftOverlong(max_len=100, buffer=0).value(100), SoftOverlong(max_len=100, buffer=0).value(101)
    (0.0, -1.0)
    >>> SoftOverlong(max_len=100, buffer=20, floor=False).value(120)
    -2.0
    """

    name = "overlong"
    needs_gold = False
    needs_answer = False

    def __init__(
        self, max_len: int = 4096, buffer: int = 1024, floor: bool = True, penalty_factor: float = 1.0,
        min_value: float | None = -10.0,
    ):
        if not 0 <= buffer <= max_len:
            raise ValueError(f"need 0 <= buffer <= max_len (got buffer={buffer}, max_len={max_len})")
        if buffer == 0 and not floor:
            raise ValueError("floor=False needs buffer > 0 (the penalty is -(L - (max_len - buffer)) / buffer)")
        if penalty_factor < 0:
            raise ValueError(f"penalty_factor {penalty_factor} should not be negative")
        self.max_len = max_len
        self.buffer = buffer
        self.floor = floor
        self.penalty_factor = penalty_factor
        self.min_value = min_value

    def value(self, length: int) -> float:
        start = self.max_len - self.buffer
        if length <= start:
            return 0.0
        if not self.floor:
            value = -(length - start) / self.buffer * self.penalty_factor
            return value if self.min_value is None else max(value, self.min_value)
        if length <= self.max_len:  # buffer > 0 here: start < length <= max_len
            return (start - length) / self.buffer * self.penalty_factor
        return -1.0 * self.penalty_factor

    def decide(self, sample: Sample) -> Decision:
        score = self.value(sample.length) + 0.0  # no -0.0
        return Decision(_outcome(score == 0.0), score, f"length {sample.length} {_unit(sample)}", by=self.name)


@register("overlong_linear", aliases=("overlong_unfloored",))
class LinearOverlong(SoftOverlong):
    """Overlong punishment without the -1 floor (ms-swift ``soft_overlong``, veRL DAPO manager):
    ``min(-(L - (max_len - buffer)) / buffer * penalty_factor, 0)``, stopping at ``min_value`` (-10).

    >>> LinearOverlong(max_len=100, buffer=20).value(90), LinearOverlong(max_len=100, buffer=20).value(110)
    (-0.5, -1.5)
    """

    name = "overlong_linear"

    def __init__(
        self, max_len: int = 4096, buffer: int = 1024, floor: bool = False, penalty_factor: float = 1.0,
        min_value: float | None = -10.0,
    ):
        super().__init__(max_len=max_len, buffer=buffer, floor=floor, penalty_factor=penalty_factor, min_value=min_value)


@register("length", aliases=("len_reward", "kimi_length"))
class LengthReward(Verifier):
    """Group-relative length reward (Kimi 1.5; open-r1's ``len_reward``).

    Within a group of completions with lengths ``L`` (tokens if given, else characters)::

        lam = 0.5 - (L - min_len) / (max_len - min_len)      # in [-0.5, 0.5]
        correct: lam        wrong: min(0, lam)               # all lengths equal: 0 for all

    The reward needs the whole group, so it is filled in by the batch paths
    (:func:`rlvr_rewards.shaping.grade_shaped`, ``check_groups``, the trainer adapters); a
    single :func:`~rlvr_rewards.check` is a group of one and scores 0.

    >>> LengthReward.group_values([10, 20, 30], [True, True, False])
    [0.5, 0.0, -0.5]
    >>> LengthReward.group_values([5, 5], [True, False])
    [0.0, 0.0]
    """

    name = "length"
    needs_answer = False
    group_level = True  # the batch paths call group_values() over each group

    def __init__(self, accuracy: str = "accuracy"):
        self.accuracy = accuracy

    @staticmethod
    def group_values(lengths: Sequence[int], correct: Sequence[bool]) -> list[float]:
        """The Kimi 1.5 length reward of each member of one group."""
        if not lengths:
            return []
        lo, hi = min(lengths), max(lengths)
        if hi == lo:
            return [0.0] * len(lengths)
        out = []
        for length, ok in zip(lengths, correct):
            lam = 0.5 - (length - lo) / (hi - lo)
            out.append((lam if ok else min(0.0, lam)) + 0.0)
        return out

    def decide(self, sample: Sample) -> Decision:
        acc = evaluate(get_verifier(self.accuracy), sample)
        if acc.outcome is Outcome.BAD_GOLD:
            return Decision(Outcome.BAD_GOLD, 0.0, acc.detail, by=self.name)
        return Decision(acc.outcome, 0.0, f"length {sample.length} {_unit(sample)} (group of one: 0)", by=self.name)
