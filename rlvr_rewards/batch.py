"""Batch grading for trainers and offline rollouts.

Two phases: every sample first runs through the cheap tiers in the calling thread; only the
samples a slow tier must settle are then graded concurrently, so the worker pool sees them all
at once. Identical (gold, extracted answer) pairs — common in GRPO groups — are graded once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .api import _verifier, make_config, verdict_for
from .config import GradeConfig, Tolerance
from .extraction import Extraction, extract_answer
from .guard import get_pool
from .sample import Sample, to_text
from .verdict import Outcome, Verdict
from .verifiers.mcq import reads_completion

logger = logging.getLogger(__name__)

_warm_pid: int | None = None
_warm_lock = threading.Lock()


def warmup_in_background() -> threading.Thread | None:
    """Start the worker pool in a daemon thread and return at once (once per process).

    The trainer adapters and ``rlvr-rewards score`` call this when they are built, so the ~2 s the
    pool takes to start (imports of SymPy and math-verify in the workers) overlaps the trainer's
    own set-up instead of delaying the first slow comparison. ``RLVR_WARMUP=0`` turns it off.
    Returns the thread (None if already started or turned off).
    """
    global _warm_pid
    if os.environ.get("RLVR_WARMUP", "").strip().lower() in ("0", "false", "no", "off"):
        return None
    pid = os.getpid()
    with _warm_lock:
        if _warm_pid == pid:
            return None
        _warm_pid = pid
    from . import guard

    def run() -> None:
        try:
            guard.warmup()
        except Exception as exc:  # noqa: BLE001 - the first slow call retries and reports it in its verdict
            if threading.main_thread().is_alive():  # not the pool shut down by a process that is exiting
                logger.warning("rlvr_rewards: background start of the worker pool failed: %s: %s", type(exc).__name__, exc)

    thread = threading.Thread(target=run, name="rlvr-warmup", daemon=True)
    thread.start()
    return thread


def _key(
    text: str, gold: Any, question: str | None, options: Sequence[str] | None,
    token_ids: Sequence[int] | None, ext: Extraction | None,
) -> tuple[Any, ...] | None:
    """What decides a sample's verdict: equal keys get one shared verdict (None: never shared).

    ``ext`` is given for answer-only verifiers: then the extracted answer stands for the text.
    """
    try:  # a str gold keys as itself; anything else by repr, in a tuple of another length
        gold_key = (gold, question) if type(gold) is str else (repr(gold), type(gold).__name__, question)
    except Exception:  # noqa: BLE001
        return None
    opts = tuple(options) if options else ()
    # A bare or unmarked completion is read again by the mcq tail search: key on all of it.
    # A letter gold lets mcq read the whole completion (its cues, option texts): key on all of it.
    if (
        ext is not None and ext.answer is not None and ext.source not in ("bare", "none", "statement")
        and not reads_completion(gold)
    ):
        return (gold_key, ext.answer, ext.hedge, ext.candidates, opts)
    return (gold_key, text, opts, tuple(token_ids) if token_ids is not None else None)


def grade_batch(
    completions: Sequence[Any],
    golds: Sequence[Any] | Any,
    *,
    verifier: Any = "accuracy",
    options: Sequence[Sequence[str] | None] | None = None,
    questions: Sequence[str | None] | None = None,
    token_ids: Sequence[Sequence[int] | None] | None = None,
    tolerance: Tolerance | float | None = None,
    timeout: float | None = None,
    config: GradeConfig | None = None,
    backend: str = "local",
    dedupe: bool = True,
) -> list[Verdict]:
    """Verdicts for ``completions[i]`` against ``golds[i]`` (a single gold is broadcast).

    ``options[i]`` are MCQ option texts, ``questions[i]`` the prompt (used by the judge) and
    ``token_ids[i]`` the completion's token ids (length-aware shaping rewards count tokens).

    ``backend="ray"`` spreads the batch over a Ray cluster (needs the ``ray`` extra).
    Never raises for bad items: each gets its own typed verdict. Configuration raises at once, as
    in :func:`rlvr_rewards.check`: an unknown verifier (a ``ValueError`` naming the valid
    choices), a bad ``timeout`` / ``tolerance``, an unknown ``backend``.
    """
    n = len(completions)
    if not isinstance(golds, (list, tuple)) or (len(golds) != n and n != 0):
        golds = [golds] * n
    if backend == "ray":
        from .scale import grade_batch_ray

        return grade_batch_ray(
            completions, golds, verifier=verifier, options=options, questions=questions,
            token_ids=token_ids, tolerance=tolerance, timeout=timeout, config=config, dedupe=dedupe,
        )
    if backend != "local":
        raise ValueError(f"unknown backend {backend!r} (use 'local' or 'ray')")
    cfg = make_config(config, tolerance=tolerance, timeout=timeout)
    v = _verifier(verifier)
    answer_only = getattr(v, "answer_only", False)
    verdicts: list[Verdict | None] = [None] * n
    first_of: dict[tuple[Any, ...], int] = {}
    copies: list[tuple[int, int]] = []
    slow: list[tuple[int, Sample]] = []
    monotonic = time.monotonic
    for i in range(n):
        start = monotonic()
        try:
            text, gold = to_text(completions[i]), golds[i]
            opts = options[i] if options else None
            question = questions[i] if questions else None
            toks = token_ids[i] if token_ids else None
            # Duplicates are found before a Sample is built: most of a GRPO group is duplicates.
            ext = extract_answer(text, max_bare_len=cfg.max_bare_len) if dedupe and answer_only else None
            key = _key(text, gold, question, opts, toks, ext) if dedupe else None
            if key is not None:
                j = first_of.get(key)
                if j is not None:
                    copies.append((i, j))
                    continue
                first_of[key] = i
            sample = Sample(text, gold, options=opts, question=question, config=cfg, token_ids=toks, extraction=ext)
        except Exception as exc:  # noqa: BLE001
            verdicts[i] = Verdict(Outcome.ERROR, 0.0, v.name, elapsed=time.monotonic() - start, detail=str(exc)[:300])
            continue
        sample.fast_only = True
        verdict = verdict_for(v, sample, start)
        if sample.needs_slow:
            slow.append((i, sample))
        else:
            verdicts[i] = verdict
    if slow:
        def run(item: tuple[int, Sample]) -> tuple[int, Verdict]:
            i, sample = item
            start = time.monotonic()
            sample.fast_only = False
            sample.deadline = start + cfg.timeout
            return i, verdict_for(v, sample, start)

        # One in flight per worker: an item's deadline then starts when a worker is free for it,
        # so a few runaway items cannot starve the rest of the batch.
        workers = max(1, min(len(slow), get_pool().workers))
        if workers == 1:
            results: Iterable[tuple[int, Verdict]] = map(run, slow)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rlvr-batch") as ex:
                results = list(ex.map(run, slow))
        for i, verdict in results:
            verdicts[i] = verdict
    for i, j in copies:
        verdicts[i] = verdicts[j]
    return [v_ for v_ in verdicts if v_ is not None] if all(x is not None for x in verdicts) else [
        x if x is not None else Verdict(Outcome.ERROR, 0.0, detail="not graded") for x in verdicts
    ]


def grade_groups(completions: Sequence[Sequence[Any]], golds: Sequence[Any], **kwargs: Any) -> list[list[Verdict]]:
    """GRPO-shaped input: one gold per group of completions; returns verdicts per group."""
    flat = [c for group in completions for c in group]
    flat_golds = [g for group, g in zip(completions, golds) for _ in group]
    # grade_batch, plus the group-relative shaping rewards (``length``) computed per group
    from .shaping import grade_shaped

    out = grade_shaped(flat, flat_golds, groups=[gi for gi, group in enumerate(completions) for _ in group], **kwargs)
    result, k = [], 0
    for group in completions:
        result.append(out[k : k + len(group)])
        k += len(group)
    return result
