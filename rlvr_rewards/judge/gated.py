"""The format-gated ±1 reward of the veRL vision-language recipe, with a judge fallback.

``format_gated`` (rules only) and ``verl_vlm`` (rules, then a verifier model), per completion:

1. the gold cannot be parsed → ``bad_gold`` (score 0: skip the sample, as everywhere here);
2. the format check fails (default ``format``: ``<think>…</think><answer>…</answer>``) → **−1**;
3. the rules (default ``accuracy``) say correct → **+1**; for ``verl_vlm`` a verifier model
   (``accuracy_judge``: an OpenAI-compatible server) is asked where the rules say incorrect,
   timeout or error, and its "correct" → **+1**;
4. otherwise → **−1** (incorrect, no answer, a hedge, the judge agreeing it is wrong).

A timeout or error that neither the rules nor the judge could resolve scores 0.0 with its
outcome kept (``timeout`` / ``error``): it says nothing about the answer, so it is neither
rewarded nor punished, and it is counted. ``verdict.parts`` has ``format`` and ``accuracy``
(the 0/1 scores behind the ±1).

.. code-block:: python

    check(c, gold, verifier="format_gated")                                   # rules only
    create_verifier("verl_vlm", url="http://127.0.0.1:8000/v1", model="xVerify")  # + judge

``verl_vlm`` reads ``REWARD_MODEL_URL`` / ``REWARD_MODEL_NAME`` when no ``url`` / ``model`` is
given and raises at construction without a URL (``judge=False`` turns the fallback off). In
veRL: ``rlvr_rewards.integrations.verl.compute_score_vlm``.
"""

from __future__ import annotations

from typing import Any

from ..protocol import pending
from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from ..verifiers.base import Verifier, evaluate
from ..verifiers.specs import build
from .verifier import AccuracyJudgeVerifier

CORRECT_SCORE = 1.0
WRONG_SCORE = -1.0


@register("format_gated")
class FormatGatedVerifier(Verifier):
    """+1 when the format holds and the answer is right (rules, then the judge if any), else −1."""

    name = "format_gated"
    needs_gold = True  # a bad gold is bad_gold before the format is looked at
    needs_answer = False  # no answer is a format failure (−1), not a separate outcome
    use_judge = False

    def __init__(
        self,
        url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        rules: str | Verifier = "accuracy",
        format: str | Verifier = "format",  # noqa: A002 - the verifier's name
        judge: bool | None = None,
        correct: float = CORRECT_SCORE,
        wrong: float = WRONG_SCORE,
        **judge_options: Any,
    ) -> None:
        use_judge = self.use_judge if judge is None else bool(judge)
        self.format = build(format)
        if use_judge:
            self.inner: Verifier = AccuracyJudgeVerifier(url, model, api_key, rules=rules, **judge_options)
        else:
            if url or model or api_key or judge_options:
                raise ValueError(f"{self.name}: judge options given but the judge is off (judge=False)")
            self.inner = build(rules)
        self.judged = use_judge
        self.correct, self.wrong = float(correct), float(wrong)

    @property
    def judge(self) -> AccuracyJudgeVerifier | None:
        """The judge verifier (None without one): its ``stats`` count the calls."""
        return self.inner if isinstance(self.inner, AccuracyJudgeVerifier) else None

    def decide(self, sample: Sample) -> Decision | None:
        fmt = evaluate(self.format, sample)
        if fmt.score < 1.0:
            return Decision(Outcome.INCORRECT if fmt.outcome is not Outcome.NO_ANSWER else Outcome.NO_ANSWER,
                            self.wrong, (fmt.detail or "format: not in the required format")[:300],
                            by=fmt.by or "format", parts={"format": fmt.score, "accuracy": 0.0})
        acc = evaluate(self.inner, sample)
        if pending(sample):
            return None  # a slow tier or a judge call is pending: check_batch's second phase
        parts = {"format": fmt.score, "accuracy": acc.score if acc.outcome is Outcome.CORRECT else 0.0}
        if acc.outcome is Outcome.BAD_GOLD:
            return acc
        if acc.outcome is Outcome.CORRECT:
            return Decision(Outcome.CORRECT, self.correct, acc.detail, by=acc.by, parts=parts)
        if acc.outcome in (Outcome.TIMEOUT, Outcome.ERROR):
            return Decision(acc.outcome, 0.0, acc.detail, by=acc.by, parts=parts)
        return Decision(acc.outcome, self.wrong, acc.detail, by=acc.by, parts=parts)

    def close(self) -> None:
        if self.judge is not None:
            self.judge.close()


@register("verl_vlm")
class VerlVLMVerifier(FormatGatedVerifier):
    """format_gated with the judge fallback on (veRL's VLM recipe reward; needs a judge URL)."""

    name = "verl_vlm"
    use_judge = True
