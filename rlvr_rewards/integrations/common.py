"""Shared translation helpers for the trainer adapters (no grading logic)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..batch import grade_batch
from ..verdict import Verdict

GOLD_KEYS = ("solution", "answer", "ground_truth", "gold", "label", "reward_model")


def message_text(message: Any) -> str:
    """Text of one chat message; TRL's split-out ``reasoning_content`` is put back as ``<think>``."""
    if isinstance(message, Mapping):
        content = message.get("content", "")
        if isinstance(content, list):  # content blocks: keep the text ones
            content = "".join(
                str(b.get("text", "")) for b in content if isinstance(b, Mapping) and b.get("type", "text") == "text"
            )
        reasoning = message.get("reasoning_content") or message.get("reasoning") or message.get("thinking")
        text = "" if content is None else str(content)
        if reasoning:
            text = f"<think>{reasoning}</think>{text}"
        return text
    return "" if message is None else str(message)


def completion_text(completion: Any) -> str:
    """A completion as text: a string as is; a conversation → its assistant turns joined.

    Tool-call and tool turns may follow the assistant's answer; the final answer is read from the
    assistant messages in order, so the last assistant text counts.
    """
    if isinstance(completion, (str, bytes)) or completion is None:
        return completion if isinstance(completion, str) else ("" if completion is None else completion.decode("utf-8", "replace"))
    if isinstance(completion, Mapping):
        return message_text(completion)
    if isinstance(completion, Sequence):
        turns = [m for m in completion if not isinstance(m, Mapping) or m.get("role", "assistant") == "assistant"]
        return "\n".join(message_text(m) for m in turns)
    return str(completion)


def find_golds(columns: Mapping[str, Any], n: int, key: str | None = None) -> list[Any]:
    """The gold column for ``n`` samples: ``key`` if given, else the first of ``GOLD_KEYS``.

    A missing column gives ``None`` golds (graded ``bad_gold``, never rewarded).
    """
    keys = (key,) if key else GOLD_KEYS
    for k in keys:
        if k in columns and columns[k] is not None:
            value = columns[k]
            if isinstance(value, (list, tuple)) and len(value) == n:
                return [_unwrap_reward_model(v) if k == "reward_model" else v for v in value]
            return [value] * n
    return [None] * n


def _unwrap_reward_model(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value.get("ground_truth")
    return value


def option_texts(value: Any) -> list[str] | None:
    """MCQ option texts of one sample: a list of strings, or ARC's ``{"label": [...], "text": [...]}``."""
    if isinstance(value, Mapping):
        value = value.get("text")
    if value is None or isinstance(value, (str, bytes, Mapping)):
        return None
    try:
        items = [str(x) for x in value]
    except TypeError:
        return None
    return items or None


def option_column(value: Any, n: int) -> list[list[str] | None] | None:
    """Per-sample option texts from a dataset column of ``n`` rows (``None`` when there are none)."""
    if not isinstance(value, (list, tuple)) or len(value) != n:
        return None
    out = [option_texts(v) for v in value]
    return out if any(o is not None for o in out) else None


def rewards(verdicts: Sequence[Verdict]) -> list[float | None]:
    """Trainer rewards: the score, or ``None`` where the gold was unusable (skip the sample)."""
    return [v.reward for v in verdicts]


def outcome_counts(verdicts: Sequence[Verdict]) -> dict[str, int]:
    """Counts per outcome (for trainer metrics: bad golds and timeouts must be visible)."""
    c = Counter(v.outcome.value for v in verdicts)
    return {k: c.get(k, 0) for k in ("correct", "incorrect", "no_answer", "bad_gold", "timeout", "error")}


def score_all(completions: Sequence[Any], golds: Sequence[Any], *, verifier: Any, timeout: float | None = None, **kwargs: Any) -> list[Verdict]:
    """Grade a trainer's batch; never raises (a failure gives ``error`` verdicts)."""
    try:
        return grade_batch([completion_text(c) for c in completions], list(golds), verifier=verifier, timeout=timeout, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a reward function must never crash a training step
        from ..verdict import Outcome

        return [Verdict(Outcome.ERROR, 0.0, detail=f"{type(exc).__name__}: {exc}"[:300]) for _ in completions]
