"""The typed result of grading one completion against one gold answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Outcome(str, Enum):
    """What happened when a completion was graded.

    ``bad_gold`` means the *reference* could not be parsed: callers should skip the sample
    (adapters return ``None``), it never scores 1. ``timeout`` is a deadline overrun, never
    dressed up as ``incorrect``.
    """

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"
    BAD_GOLD = "bad_gold"
    TIMEOUT = "timeout"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Decision:
    """What one verifier concluded; ``None`` from a verifier means "cannot decide, ask the next"."""

    outcome: Outcome
    score: float
    detail: str = ""
    by: str = ""  # the verifier that decided (filled in by cascades)
    parts: dict[str, float] | None = None  # per-part scores of a weighted composition


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome, score, the deciding verifier, the extracted answer and the time it took.

    ``score`` lies in [0, 1] for a single verifier; a weighted composition reports the weighted
    sum of its parts (listed in ``parts``).
    """

    outcome: Outcome
    score: float
    verifier: str | None = None
    answer: str | None = None
    gold: str | None = None
    elapsed: float = 0.0
    detail: str = ""
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.outcome is Outcome.CORRECT

    @property
    def reward(self) -> float | None:
        """The score a trainer should use: ``None`` for a bad gold (skip the sample)."""
        return None if self.outcome is Outcome.BAD_GOLD else self.score

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["outcome"] = self.outcome.value
        return d

    def explain(self) -> str:
        """A few lines a person can read: what was extracted, compared with what, and why."""
        lines = [f"outcome:   {self.outcome.value} (score {self.score:g})"]
        lines.append(f"verifier:  {self.verifier or '-'}")
        lines.append(f"answer:    {_short(self.answer)}")
        lines.append(f"gold:      {_short(self.gold)}")
        if self.detail:
            lines.append(f"why:       {self.detail}")
        for name, score in self.parts.items():
            lines.append(f"  part {name}: {score:g}")
        lines.append(f"elapsed:   {self.elapsed * 1e3:.2f} ms")
        return "\n".join(lines)


def _short(text: str | None, limit: int = 200) -> str:
    if text is None:
        return "(none)"
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(text)


_new = object.__new__
_SET = tuple(getattr(Verdict, f).__set__ for f in Verdict.__slots__)  # slot setters, in field order


def make_verdict(
    outcome: Outcome, score: float, verifier: str | None, answer: str | None, gold: str | None,
    elapsed: float, detail: str, parts: dict[str, float],
) -> Verdict:
    """``Verdict(...)`` with every field given, without the frozen dataclass's per-field
    ``object.__setattr__`` calls (the engine builds one per graded sample)."""
    v = _new(Verdict)
    s0, s1, s2, s3, s4, s5, s6, s7 = _SET
    s0(v, outcome)
    s1(v, score)
    s2(v, verifier)
    s3(v, answer)
    s4(v, gold)
    s5(v, elapsed)
    s6(v, detail)
    s7(v, parts)
    return v
