"""The public entry points: ``grade`` (a float, for notebooks), ``check`` (a Verdict), async twins.

Any completion and any gold (None, numbers, bytes, huge or malformed strings) gives a score or a
typed verdict, never an exception. Configuration is different: an unknown verifier name or a bad
spec (:class:`~rlvr_rewards.registry.UnknownVerifierError`, a ``ValueError``), an option of the
wrong type, or a misspelt keyword (``TypeError``) raises at once, here as in ``grade_batch``,
because a mistake there would otherwise score a whole run 0.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from .config import DEFAULT_CONFIG, GradeConfig, Tolerance
from .sample import Sample
from .verdict import Outcome, Verdict
from .verifiers.base import Verifier, evaluate
from .verifiers.specs import build


def make_config(
    config: GradeConfig | None = None,
    *,
    tolerance: Tolerance | float | None = None,
    timeout: float | None = None,
) -> GradeConfig:
    """Merge keyword options into a :class:`GradeConfig` (``tolerance`` may be a relative float)."""
    if config is None and tolerance is None and timeout is None:
        return DEFAULT_CONFIG
    if config is not None and not isinstance(config, GradeConfig):
        raise TypeError(f"config must be a GradeConfig, not {type(config).__name__}")
    cfg = config or DEFAULT_CONFIG
    changes: dict[str, Any] = {}
    if tolerance is not None:
        if isinstance(tolerance, Tolerance):
            changes["tolerance"] = tolerance
        else:
            changes["tolerance"] = Tolerance(rel=_number("tolerance", tolerance, "a Tolerance or a relative tolerance >= 0", 0.0))
    if timeout is not None:
        changes["timeout"] = _number("timeout", timeout, "a number of seconds > 0", None)
    return cfg.replace(**changes) if changes else cfg


def _number(name: str, value: Any, what: str, minimum: float | None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {what}, not {value!r}") from None
    if x != x or x == float("inf") or (x < minimum if minimum is not None else x <= 0):
        raise ValueError(f"{name} must be {what}, not {value!r}")
    return x


def _verifier(verifier: Any) -> Verifier:
    return build(verifier if verifier is not None else "accuracy")


def check(
    completion: Any,
    gold: Any,
    *,
    verifier: Any = "accuracy",
    options: Sequence[str] | None = None,
    question: str | None = None,
    token_ids: Sequence[int] | None = None,
    tolerance: Tolerance | float | None = None,
    timeout: float | None = None,
    config: GradeConfig | None = None,
) -> Verdict:
    """Grade one completion against a gold answer and return the full :class:`Verdict`.

    ``verifier`` is a registered name, a spec string (``"accuracy + 0.1*format"``) or a
    :class:`Verifier`. ``timeout`` is the hard per-item deadline in seconds.

    Raises only for configuration (an unknown verifier, a bad ``tolerance`` / ``timeout`` /
    ``config``); any completion and gold give a verdict.
    """
    start = time.monotonic()
    # Configuration: raises (a typo in a verifier name must not become a silent 0 for every sample).
    cfg = make_config(config, tolerance=tolerance, timeout=timeout)
    v = _verifier(verifier)
    try:
        sample = Sample(
            completion, gold, options=options, question=question, config=cfg,
            deadline=start + cfg.timeout, token_ids=token_ids,
        )
        return verdict_for(v, sample, start)
    except Exception as exc:  # noqa: BLE001 - grading must never raise into a trainer
        return Verdict(Outcome.ERROR, 0.0, None, None, None, time.monotonic() - start, f"{type(exc).__name__}: {exc}"[:300])


def verdict_for(verifier: Verifier, sample: Sample, start: float) -> Verdict:
    """Evaluate and wrap into a Verdict (errors inside verifiers become ``error`` verdicts)."""
    try:
        d = evaluate(verifier, sample)
        answer = sample.extraction.answer if verifier.needs_answer or d.by != "format" else None
    except Exception as exc:  # noqa: BLE001
        return Verdict(Outcome.ERROR, 0.0, verifier.name, None, _gold(sample), time.monotonic() - start, f"{type(exc).__name__}: {exc}"[:300])
    score = 0.0 if d.outcome is Outcome.BAD_GOLD else float(d.score)
    return Verdict(d.outcome, score, d.by or verifier.name, answer, _gold(sample), time.monotonic() - start, d.detail, dict(d.parts or {}))


def _gold(sample: Sample) -> str | None:
    try:
        return sample.gold_text
    except Exception:  # noqa: BLE001
        return None


def grade(completion: Any, gold: Any, **options: Any) -> float:
    """The score of ``completion`` against ``gold`` (1.0 correct, 0.0 otherwise).

    Never raises for any completion and gold; a gold that cannot be parsed scores 0.0 here (use
    :func:`check` to tell it apart). Options are :func:`check`'s keywords: a misspelt one is a
    ``TypeError`` and an unknown verifier a ``ValueError``, at once.
    """
    return check(completion, gold, **options).score


async def acheck(completion: Any, gold: Any, **options: Any) -> Verdict:
    """``check`` for asyncio code: runs in a thread so the event loop never blocks."""
    return await asyncio.to_thread(check, completion, gold, **options)


async def agrade(completion: Any, gold: Any, **options: Any) -> float:
    """``grade`` for asyncio code."""
    return (await acheck(completion, gold, **options)).score
