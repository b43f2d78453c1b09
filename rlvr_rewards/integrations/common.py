"""Shared translation helpers for the trainer adapters (no grading logic)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..api import check_batch  # noqa: F401  (re-exported; score_all grades through shaping.grade_shaped)
from ..columns import GOLD_KEYS, unwrap_gold
from ..columns import option_texts as option_texts
from ..sample import message_text, to_text  # noqa: F401  (message_text: re-exported for the adapters)
from ..verdict import Verdict

logger = logging.getLogger("rlvr_rewards.integrations")

#: ``check_batch`` keywords an adapter passes on as is (anything else is a misspelt option).
BATCH_OPTIONS = ("tolerance", "config", "backend", "dedupe")


def build_adapter(verifier: Any, *, timeout: Any = None, keys: dict[str, Any] | None = None,
                  options: dict[str, Any] | None = None, who: str = "reward function") -> Any:
    """Check an adapter's configuration when it is built, and start the worker pool.

    The verifier name or spec is built now (an unknown name raises ``ValueError`` naming the valid
    choices), ``timeout`` must be a positive number, column ``keys`` strings, and ``options`` known
    ``check_batch`` keywords: a mistake raises here, at set-up, never as a silent 0 during
    training. The worker pool then starts in a background thread (no training step waits for it).
    Returns the built verifier.
    """
    from ..config import make_config
    from ..verifiers.specs import build
    from ..workers import warmup_in_background

    built = build(verifier)
    for name, value in (keys or {}).items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{who}: {name} must be a column name (a string), not {value!r}")
    opts = dict(options or {})
    bad = sorted(set(opts) - set(BATCH_OPTIONS))
    if bad:
        raise TypeError(f"{who}: unknown option(s) {', '.join(bad)}; valid: {', '.join(BATCH_OPTIONS)}")
    if opts.get("backend", "local") not in ("local", "ray"):
        raise ValueError(f"{who}: backend must be 'local' or 'ray', not {opts['backend']!r}")
    make_config(opts.get("config"), tolerance=opts.get("tolerance"), timeout=timeout)
    warmup_in_background()
    return built


def completion_text(completion: Any) -> str:
    """A completion as text: the core's role-aware :func:`rlvr_rewards.sample.to_text`.

    A string as is; a conversation gives its assistant turns joined (user, system and tool turns
    are never graded); ``reasoning_content`` is put back as ``<think>``.
    """
    return to_text(completion)


def find_golds(columns: Mapping[str, Any], n: int, key: str | None = None) -> list[Any]:
    """The gold column for ``n`` samples: ``key`` if given, else the first of ``GOLD_KEYS``.

    A missing column gives ``None`` golds (graded ``bad_gold``, never rewarded).
    """
    keys = (key,) if key else GOLD_KEYS
    for k in keys:
        if k in columns and columns[k] is not None:
            value = columns[k]
            if isinstance(value, (list, tuple)) and len(value) == n:
                return [unwrap_gold(k, v) for v in value]
            return [unwrap_gold(k, value)] * n
    return [None] * n


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
    """Grade a trainer's batch (conversations read by the role-aware ``to_text`` in ``check_batch``).

    Per-sample problems are typed verdicts already; an exception here is a bug, never silent: it
    is logged with its traceback and every sample gets an ``error`` verdict (counted in the
    trainer's ``error`` metric) instead of crashing the training step.
    """
    try:
        # grade_shaped: check_batch plus the batch-level shaping rewards (``length`` per group via
        # ``groups=``, ``code_format``'s ``languages=`` column); plain specs go straight to check_batch.
        from ..shaping import grade_shaped

        return grade_shaped(list(completions), list(golds), verifier=verifier, timeout=timeout, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a reward function must never crash a training step
        return failed(exc, len(completions), "grading a batch")


def failed(exc: BaseException, n: int, what: str) -> list[Verdict]:
    """``n`` ``error`` verdicts for an unexpected exception, logged loudly with its traceback."""
    from ..verdict import Outcome

    logger.error("rlvr_rewards: %s failed, %d samples get an error verdict: %s: %s", what, n,
                 type(exc).__name__, exc, exc_info=exc)
    return [Verdict(Outcome.ERROR, 0.0, detail=f"{type(exc).__name__}: {exc}"[:300]) for _ in range(n)]
