"""The engine: how a verifier is run on samples, for ``check``, the batch functions and Ray.

One place for what every entry point shares:

* :func:`verdict` — gates, the verifier, an undecided result counted incorrect, wrapped into a
  :class:`~rlvr_rewards.verdict.Verdict` (an exception inside a verifier becomes an ``error``
  verdict, never a raise);
* :func:`check_one` — one sample, everything at once, under its deadline;
* :func:`run_batch` — two phases: every sample first runs in the calling thread with slow work
  only noted (:mod:`rlvr_rewards.protocol`); then the samples with slow work run concurrently,
  one thread per worker of the pool, each under its own deadline, which starts when a thread is
  free for it. Identical samples (same gold and, for answer-only verifiers, the same extracted
  answer — most of a GRPO group) are graded once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .config import GradeConfig
from .extraction import Extraction, extract_answer
from .letters import reads_completion
from .protocol import FAST, SLOW, Verifier
from .sample import MAX_COMPLETION_CHARS, Sample, to_text
from .verdict import Outcome, Verdict, make_verdict
from .verifiers.base import evaluate

_NOTHING = object()


def verdict(verifier: Verifier, sample: Sample, start: float) -> Verdict:
    """Evaluate ``verifier`` on ``sample`` and wrap the decision into a Verdict (never raises)."""
    try:
        d = evaluate(verifier, sample)
        answer = sample.extraction.answer if verifier.needs_answer or d.by != "format" else None
    except Exception as exc:  # noqa: BLE001
        return Verdict(Outcome.ERROR, 0.0, verifier.name, None, _gold(sample), time.monotonic() - start, f"{type(exc).__name__}: {exc}"[:300])
    score = 0.0 if d.outcome is Outcome.BAD_GOLD else float(d.score)
    return make_verdict(d.outcome, score, d.by or verifier.name, answer, _gold(sample), time.monotonic() - start, d.detail, dict(d.parts) if d.parts else {})


def _gold(sample: Sample) -> str | None:
    try:
        return sample.gold_text
    except Exception:  # noqa: BLE001
        return None


def error_verdict(start: float, exc: BaseException, verifier: str | None = None) -> Verdict:
    return Verdict(Outcome.ERROR, 0.0, verifier, None, None, time.monotonic() - start, f"{type(exc).__name__}: {exc}"[:300])


def check_one(
    verifier: Verifier, completion: Any, gold: Any, cfg: GradeConfig, *,
    options: Sequence[str] | None = None, question: str | None = None, token_ids: Sequence[int] | None = None,
) -> Verdict:
    """One sample, slow work included, under ``cfg.timeout`` from now."""
    start = time.monotonic()
    try:
        sample = Sample(
            completion, gold, options=options, question=question, config=cfg,
            deadline=start + cfg.timeout, token_ids=token_ids,
        )
        return verdict(verifier, sample, start)
    except Exception as exc:  # noqa: BLE001 - grading must never raise into a trainer
        return error_verdict(start, exc)


def gold_key(gold: Any, question: str | None) -> tuple[tuple[Any, ...], bool] | None:
    """The gold's part of a dedupe key, and whether the verdict may read the whole completion
    (a letter gold: ``mcq`` reads cues and option texts anywhere). None: never shared."""
    try:  # a str gold keys as itself; anything else by repr, in a tuple of another length
        key = (gold, question) if type(gold) is str else (repr(gold), type(gold).__name__, question)
    except Exception:  # noqa: BLE001
        return None
    return key, reads_completion(gold)


def dedupe_key(
    gold_part: tuple[tuple[Any, ...], bool], text: str, options: Sequence[str] | None,
    token_ids: Sequence[int] | None, ext: Extraction | None,
) -> tuple[Any, ...]:
    """What decides a sample's verdict: equal keys get one shared verdict.

    ``ext`` is given for answer-only verifiers: then the extracted answer stands for the text,
    unless the completion may be read again (a bare or unmarked completion is read again by the
    mcq tail search; a letter gold lets mcq read all of it).
    """
    key, reads_all = gold_part
    opts = tuple(options) if options else ()
    if ext is not None and not reads_all and ext.answer is not None and ext.source not in _READ_AGAIN:
        return (key, ext.answer, ext.hedge, ext.candidates, opts)
    return (key, text, opts, tuple(token_ids) if token_ids is not None else None)


_READ_AGAIN = frozenset({"bare", "none", "statement"})


def _same(a: Any, b: Any) -> bool:
    """The same object, or equal strings (each row of a dataset holds its own copy of the gold)."""
    return a is b or (type(a) is str and type(b) is str and a == b)


def run_batch(
    verifier: Verifier,
    completions: Sequence[Any],
    golds: Sequence[Any],
    cfg: GradeConfig,
    *,
    options: Sequence[Sequence[str] | None] | None = None,
    questions: Sequence[str | None] | None = None,
    token_ids: Sequence[Sequence[int] | None] | None = None,
    dedupe: bool = True,
    workers: int | None = None,
) -> list[Verdict]:
    """Verdicts for ``completions[i]`` against ``golds[i]`` (same lengths), in two phases.

    ``workers`` is how many samples' slow work runs at once (default: the pool's workers).
    """
    n = len(completions)
    extract = dedupe and verifier.answer_only
    max_bare = cfg.max_bare_len
    verdicts: list[Verdict | None] = [None] * n
    first_of: dict[tuple[Any, ...], int] = {}
    copies: list[tuple[int, int]] = []
    slow: list[tuple[int, Sample]] = []
    monotonic = time.monotonic
    last_gold: Any = _NOTHING
    last_question: Any = _NOTHING
    gold_part: tuple[tuple[Any, ...], bool] | None = None
    for i in range(n):
        start = monotonic()
        try:
            c = completions[i]
            text = c if type(c) is str and len(c) <= MAX_COMPLETION_CHARS and c.isascii() else to_text(c)
            gold = golds[i]
            opts = options[i] if options else None
            question = questions[i] if questions else None
            toks = token_ids[i] if token_ids else None
            # Duplicates are found before a Sample is built: most of a GRPO group is duplicates.
            ext = extract_answer(text, max_bare_len=max_bare) if extract else None
            key = None
            if dedupe:
                if not (_same(gold, last_gold) and _same(question, last_question)):  # a GRPO group shares one gold
                    gold_part, last_gold, last_question = gold_key(gold, question), gold, question
                if gold_part is not None:
                    key = dedupe_key(gold_part, text, opts, toks, ext)
            if key is not None:
                j = first_of.get(key)
                if j is not None:
                    copies.append((i, j))
                    continue
                first_of[key] = i
            sample = Sample(text, gold, options=opts, question=question, config=cfg, token_ids=toks, extraction=ext)
        except Exception as exc:  # noqa: BLE001
            verdicts[i] = error_verdict(start, exc, verifier.name)
            continue
        sample._phase = FAST
        v = verdict(verifier, sample, start)
        if sample._pending:
            slow.append((i, sample))
        else:
            verdicts[i] = v
    if slow:
        for i, v in _run_slow(verifier, slow, cfg, workers):
            verdicts[i] = v
    for i, j in copies:
        verdicts[i] = verdicts[j]
    return [v if v is not None else Verdict(Outcome.ERROR, 0.0, detail="not graded") for v in verdicts]


def _run_slow(
    verifier: Verifier, items: list[tuple[int, Sample]], cfg: GradeConfig, workers: int | None,
) -> Iterable[tuple[int, Verdict]]:
    """The slow phase: each pending sample graded again, slow work included, concurrently."""

    def run(item: tuple[int, Sample]) -> tuple[int, Verdict]:
        i, sample = item
        start = time.monotonic()
        sample._phase = SLOW
        sample._pending = False
        sample._deadline = start + cfg.timeout
        return i, verdict(verifier, sample, start)

    if workers is None:
        from .guard import get_pool

        workers = get_pool().workers
    # One in flight per worker: an item's deadline then starts when a worker is free for it,
    # so a few runaway items cannot starve the rest of the batch.
    workers = max(1, min(len(items), workers))
    if workers == 1:
        return list(map(run, items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rlvr-batch") as ex:
        return list(ex.map(run, items))
