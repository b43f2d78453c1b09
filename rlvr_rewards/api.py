"""The public entry points: ``grade`` (a float, for notebooks), ``check`` (a Verdict), async twins.

Both never raise: any input (None, numbers, bytes, huge or malformed strings) gives a score or
a typed verdict.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from .compose import build, evaluate
from .config import DEFAULT_CONFIG, GradeConfig, Tolerance
from .sample import Sample
from .tiers.base import Verifier
from .verdict import Outcome, Verdict


def make_config(
    config: GradeConfig | None = None,
    *,
    tolerance: Tolerance | float | None = None,
    timeout: float | None = None,
) -> GradeConfig:
    """Merge keyword options into a :class:`GradeConfig` (``tolerance`` may be a relative float)."""
    cfg = config or DEFAULT_CONFIG
    changes: dict[str, Any] = {}
    if tolerance is not None:
        changes["tolerance"] = tolerance if isinstance(tolerance, Tolerance) else Tolerance(rel=float(tolerance))
    if timeout is not None:
        changes["timeout"] = float(timeout)
    return cfg.replace(**changes) if changes else cfg


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
    """
    start = time.monotonic()
    try:
        cfg = make_config(config, tolerance=tolerance, timeout=timeout)
        v = _verifier(verifier)
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
    """The score of ``completion`` against ``gold`` (1.0 correct, 0.0 otherwise; never raises).

    A gold that cannot be parsed scores 0.0 here; use :func:`check` to tell it apart.
    """
    return check(completion, gold, **options).score


async def acheck(completion: Any, gold: Any, **options: Any) -> Verdict:
    """``check`` for asyncio code: runs in a thread so the event loop never blocks."""
    return await asyncio.to_thread(check, completion, gold, **options)


async def agrade(completion: Any, gold: Any, **options: Any) -> float:
    """``grade`` for asyncio code."""
    return (await acheck(completion, gold, **options)).score
