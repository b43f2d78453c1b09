"""The public entry points, all over one engine (:mod:`rlvr_rewards.engine`).

``grade`` / ``grade_batch`` return floats (notebooks, reward functions); ``check`` /
``check_batch`` / ``check_groups`` return :class:`~rlvr_rewards.verdict.Verdict` objects (what
was extracted, which tier decided, why). Async twins: ``agrade`` / ``acheck``.

Any completion and any gold (None, numbers, bytes, huge or malformed strings) gives a score or a
typed verdict, never an exception. Configuration is different: an unknown verifier name or a bad
spec (:class:`~rlvr_rewards.registry.UnknownVerifierError`, a ``ValueError``), an option of the
wrong type, or a misspelt keyword (``TypeError``) raises at once, because a mistake there would
otherwise score a whole run 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from . import engine, scale
from .config import GradeConfig, Tolerance, make_config
from .protocol import Verifier
from .verdict import Verdict
from .verifiers.specs import build

__all__ = ["acheck", "agrade", "check", "check_batch", "check_groups", "grade", "grade_batch"]


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
    :class:`Verifier`; ``options`` are MCQ option texts; ``timeout`` is the hard deadline in
    seconds. Raises only for configuration (an unknown verifier, a bad ``tolerance`` /
    ``timeout`` / ``config``); any completion and gold give a verdict.

    >>> from rlvr_rewards import check
    >>> v = check("... so the total is $\\\\boxed{\\\\frac{6}{4}}$.", "1.5")
    >>> v.outcome.value, v.score, v.answer
    ('correct', 1.0, '\\\\frac{6}{4}')
    >>> check("The answer is 3 or 4.", "3").outcome.value   # a hedge is never accepted
    'incorrect'
    >>> check("<think>Let me see, 3 + 4 is", "7").outcome.value   # unfinished thinking
    'no_answer'
    """
    # Configuration: raises (a typo in a verifier name must not become a silent 0 for every sample).
    cfg = make_config(config, tolerance=tolerance, timeout=timeout)
    v = _verifier(verifier)
    return engine.check_one(v, completion, gold, cfg, options=options, question=question, token_ids=token_ids)


def grade(completion: Any, gold: Any, **options: Any) -> float:
    """The score of ``completion`` against ``gold`` (1.0 correct, 0.0 otherwise).

    Never raises for any completion and gold; a gold that cannot be parsed scores 0.0 here (use
    :func:`check` to tell it apart). Options are :func:`check`'s keywords: a misspelt one is a
    ``TypeError`` and an unknown verifier a ``ValueError``, at once.

    >>> from rlvr_rewards import grade
    >>> grade("Therefore, the answer is $\\\\boxed{\\\\dfrac{1}{2}}$.", "0.5")
    1.0
    >>> grade("The answer is (B) 60°.", "B", options=["30°", "60°", "90°"])
    1.0
    >>> grade("x = 7", "8")
    0.0
    >>> grade("x = 7", "7", verifier="acuracy")
    Traceback (most recent call last):
    ...
    rlvr_rewards.registry.UnknownVerifierError: unknown verifier 'acuracy' (did you mean 'accuracy'?)...
    """
    return check(completion, gold, **options).score


def check_batch(
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
    Identical answers are graded once; slow work (SymPy, a judge) runs concurrently, each item
    under its own deadline. ``backend="ray"`` spreads the batch over a Ray cluster (the ``ray``
    extra). Never raises for bad items: each gets its own typed verdict. Configuration raises at
    once, as in :func:`check`, and so does an unknown ``backend``.

    >>> from rlvr_rewards import check_batch
    >>> [v.outcome.value for v in check_batch(["\\\\boxed{4}", "\\\\boxed{5}", "<think>4 or"], "4")]
    ['correct', 'incorrect', 'no_answer']
    """
    return scale.run(
        completions, golds, verifier=verifier, options=options, questions=questions, token_ids=token_ids,
        tolerance=tolerance, timeout=timeout, config=config, backend=backend, dedupe=dedupe,
    )


def grade_batch(completions: Sequence[Any], golds: Sequence[Any] | Any, **options: Any) -> list[float]:
    """Scores for ``completions[i]`` against ``golds[i]``: :func:`check_batch`'s scores.

    >>> from rlvr_rewards import grade_batch
    >>> grade_batch(["\\\\boxed{4}", "\\\\boxed{5}", "\\\\boxed{4.0}"], "4")
    [1.0, 0.0, 1.0]
    """
    return [v.score for v in check_batch(completions, golds, **options)]


def check_groups(completions: Sequence[Sequence[Any]], golds: Sequence[Any], **kwargs: Any) -> list[list[Verdict]]:
    """GRPO-shaped input: one gold per group of completions; verdicts per group.

    Group-relative shaping rewards in the verifier (``length``) are computed per group.

    >>> from rlvr_rewards import check_groups
    >>> [[v.score for v in g] for g in check_groups([["\\\\boxed{2}", "\\\\boxed{3}"], ["\\\\boxed{9}"]], ["2", "9"])]
    [[1.0, 0.0], [1.0]]
    """
    flat = [c for group in completions for c in group]
    flat_golds = [g for group, g in zip(completions, golds) for _ in group]
    from .shaping import grade_shaped

    out = grade_shaped(flat, flat_golds, groups=[gi for gi, group in enumerate(completions) for _ in group], **kwargs)
    result, k = [], 0
    for group in completions:
        result.append(out[k : k + len(group)])
        k += len(group)
    return result


async def acheck(completion: Any, gold: Any, **options: Any) -> Verdict:
    """``check`` for asyncio code: runs in a thread so the event loop never blocks."""
    return await asyncio.to_thread(check, completion, gold, **options)


async def agrade(completion: Any, gold: Any, **options: Any) -> float:
    """``grade`` for asyncio code."""
    return (await acheck(completion, gold, **options)).score
