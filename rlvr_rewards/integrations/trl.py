"""Reward functions for TRL's ``GRPOTrainer`` and ``RLOOTrainer`` (``reward_funcs=[...]``).

TRL calls each reward function with keyword arguments only::

    f(prompts=..., completions=..., completion_ids=..., <every dataset column>=...,
      trainer_state=..., log_extra=..., log_metric=...)

and expects one ``float`` (or ``None``: "not applicable, ignore this sample") per completion.
``completions`` is ``list[str]`` for a standard dataset and ``list[list[message]]`` for a
conversational one (``reasoning_content`` put back as ``<think>``, tool-call turns skipped: see
:func:`rlvr_rewards.integrations.common.completion_text`).

Ready to use::

    from rlvr_rewards.integrations.trl import accuracy_reward, format_reward
    GRPOTrainer(..., reward_funcs=[accuracy_reward, format_reward], args=GRPOConfig(reward_weights=[1.0, 0.1]))

or from the command line: ``trl grpo --reward_funcs rlvr_rewards.integrations.trl.accuracy_reward``.
Any registered verifier or spec string: ``make_reward("accuracy + 0.1*format", gold_key="answer")``.

All grading goes through :func:`rlvr_rewards.integrations.common.score_all` (``check_batch``);
this module only translates arguments in and rewards out, and never raises during a step.
TRL itself is never imported.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from ..columns import OPTION_KEYS
from ..verdict import Verdict
from .common import (
    build_adapter,
    failed,
    find_golds,
    message_text,
    option_column,
    outcome_counts,
    rewards,
    score_all,
)

__all__ = [
    "AsyncRewardFunction",
    "RewardFunction",
    "accuracy_reward",
    "accuracy_reward_async",
    "format_reward",
    "format_reward_async",
    "make_reward",
    "mcq_reward",
    "mcq_reward_async",
]

#: Keyword arguments TRL adds that are not dataset columns.
TRAINER_KWARGS = ("prompts", "completion_ids", "trainer_state", "log_extra", "log_metric", "environments")
# MCQ option texts are read from the first present of ``OPTION_KEYS`` when ``options_key`` is not
# given (:data:`rlvr_rewards.columns.OPTION_KEYS`, shared with the CLI and the other adapters).


def default_name(verifier: Any) -> str:
    """A metric-friendly name for a verifier spec: ``"accuracy + 0.1*format"`` → ``accuracy_0_1_format_reward``."""
    text = verifier if isinstance(verifier, str) else getattr(verifier, "name", type(verifier).__name__)
    slug = re.sub(r"[^0-9A-Za-z]+", "_", str(text)).strip("_") or "rlvr"
    return f"{slug}_reward"


class RewardFunction:
    """A TRL reward function that grades every completion with one verifier or spec.

    Instances are plain picklable objects (TRL's async GRPO pickles reward functions into a
    spawned process) and carry ``__name__``, under which TRL logs ``rewards/<name>/mean``.

    Args:
        verifier: a registered verifier name or spec string (``"accuracy"``, ``"mcq"``,
            ``"accuracy + 0.1*format"``, ``"r1"``), or a :class:`~rlvr_rewards.Verifier`.
        name: the ``__name__`` TRL logs under (default derived from ``verifier``).
        gold_key: the dataset column holding the gold answer. Default: the first present of
            ``solution``, ``answer``, ``ground_truth``, ``gold``, ``label``, ``reward_model``
            (:data:`rlvr_rewards.columns.GOLD_KEYS`, the order ``rlvr-rewards score`` uses too).
        options_key: the dataset column with MCQ option texts (lists of strings), so an answer
            given as option text counts. Default: ``options`` or ``choices`` if present.
        timeout: hard per-completion deadline in seconds (default: the library's, 5 s).
        log_metrics: report the fraction of each outcome through TRL's ``log_metric``
            (``rewards/<name>/correct``, ``.../bad_gold``, ``.../timeout``, ...).
        log_columns: add ``<name>/answer`` and ``<name>/outcome`` columns to TRL's
            completions table through ``log_extra``.
        **check_options: passed on to :func:`rlvr_rewards.check_batch` (``tolerance``, ``config``,
            ``backend``, ``dedupe``).

    The configuration is checked here, when the reward function is built: an unknown verifier
    (``RewardFunction("acuracy")``) raises ``ValueError`` naming the valid choices, a misspelt
    option raises ``TypeError``; never a reward of 0 for every sample of a run. Building one also
    starts the worker pool in the background, so the first training step does not wait for it.
    """

    def __init__(
        self,
        verifier: Any = "accuracy",
        *,
        name: str | None = None,
        gold_key: str | None = None,
        options_key: str | None = None,
        timeout: float | None = None,
        log_metrics: bool = True,
        log_columns: bool = True,
        **check_options: Any,
    ) -> None:
        build_adapter(verifier, timeout=timeout, keys={"gold_key": gold_key, "options_key": options_key, "name": name},
                      options=check_options, who=f"RewardFunction({verifier!r:.60})")
        self.verifier = verifier
        self.__name__ = name or default_name(verifier)
        self.gold_key = gold_key
        self.options_key = options_key
        self.timeout = timeout
        self.log_metrics = log_metrics
        self.log_columns = log_columns
        self.check_options = check_options

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.verifier!r}, name={self.__name__!r})"

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickled in a fresh process (TRL's async GRPO): start that process's pool as well.
        self.__dict__.update(state)
        from ..workers import warmup_in_background

        warmup_in_background()

    # -- grading -----------------------------------------------------------------------------

    def verdicts(self, completions: Sequence[Any], completion_ids: Any = None, **columns: Any) -> list[Verdict]:
        """The full Verdicts for a batch (``columns`` are TRL's dataset-column kwargs).

        ``completion_ids`` (TRL's token ids per completion) make length-aware shaping rewards
        (``cosine``, ``overlong``, ``repetition``) count tokens instead of characters.
        """
        completions = list(completions or [])
        n = len(completions)
        try:
            golds = find_golds(columns, n, self.gold_key)
            kwargs = dict(self.check_options)
            questions = columns.pop("_rlvr_questions", None)
            if questions is not None:
                kwargs["questions"] = questions
            if isinstance(completion_ids, (list, tuple)) and len(completion_ids) == n:
                kwargs["token_ids"] = [list(ids) if ids is not None else None for ids in completion_ids]
            keys = (self.options_key,) if self.options_key else OPTION_KEYS
            for key in keys:
                options = option_column(columns.get(key), n)
                if options is not None:
                    kwargs["options"] = options
                    break
            from ..shaping.groups import column

            if questions is not None:  # one GRPO group per prompt: ``length`` is group-relative
                kwargs["groups"] = questions
            languages = column(columns, "language", n)  # ``code_format``: the sample's language
            if languages is not None:
                kwargs["languages"] = languages
        except Exception as exc:  # noqa: BLE001 - a reward function must never crash a training step
            return failed(exc, n, f"TRL reward {self.__name__!r} reading its columns")
        return score_all(completions, golds, verifier=self.verifier, timeout=self.timeout, **kwargs)

    def _score(self, completions: Sequence[Any] | None, kwargs: dict[str, Any], completion_ids: Any = None) -> list[float | None]:
        log_metric = kwargs.get("log_metric")
        log_extra = kwargs.get("log_extra")
        columns = {k: v for k, v in kwargs.items() if k not in TRAINER_KWARGS}
        prompts = kwargs.get("prompts")
        if isinstance(prompts, (list, tuple)) and len(prompts) == len(completions or []):
            columns["_rlvr_questions"] = [prompt_text(p) for p in prompts]  # for the judge fallback
        verdicts = self.verdicts(completions or [], completion_ids, **columns)
        self._report(verdicts, log_metric, log_extra)
        return rewards(verdicts)

    def _report(self, verdicts: list[Verdict], log_metric: Any, log_extra: Any) -> None:
        n = len(verdicts)
        if not n:
            return
        try:
            if self.log_metrics and callable(log_metric):
                for outcome, count in outcome_counts(verdicts).items():
                    log_metric(f"rewards/{self.__name__}/{outcome}", count / n)
            if self.log_columns and callable(log_extra):
                log_extra(f"{self.__name__}/answer", [v.answer for v in verdicts])
                log_extra(f"{self.__name__}/outcome", [v.outcome.value for v in verdicts])
        except Exception:  # noqa: BLE001 - logging is best effort, never worth a crashed step
            pass

    def __call__(self, prompts: Any = None, completions: Any = None, completion_ids: Any = None, **kwargs: Any) -> list[float | None]:
        """One reward per completion: the verdict's score, ``None`` where the gold is unusable."""
        return self._score(completions, {**kwargs, "prompts": prompts}, completion_ids)


def prompt_text(prompt: Any) -> str | None:
    """The question a prompt asks: a string as is, or the last user message of a conversation."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (list, tuple)):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return message_text(users[-1])
    return None


class AsyncRewardFunction(RewardFunction):
    """The ``async def`` twin of :class:`RewardFunction`: TRL gathers async reward functions
    concurrently on its event loop; grading runs in a thread so the loop never blocks."""

    async def __call__(self, prompts: Any = None, completions: Any = None, completion_ids: Any = None, **kwargs: Any) -> list[float | None]:  # type: ignore[override]
        return await asyncio.to_thread(self._score, completions, {**kwargs, "prompts": prompts}, completion_ids)


def make_reward(verifier: Any = "accuracy", *, asynchronous: bool = False, **options: Any) -> RewardFunction:
    """A TRL reward function for any registered verifier or composed spec.

    ``make_reward("accuracy + 0.1*format", name="r1", gold_key="answer", timeout=3)``; with
    ``asynchronous=True`` an ``async def`` one. The spec is validated now (an unknown name
    raises here, at set-up, never during training). Other options: see :class:`RewardFunction`.
    """
    cls = AsyncRewardFunction if asynchronous else RewardFunction
    return cls(verifier, **options)


#: Accuracy against the gold column: letter golds graded as MCQ, everything else by the math cascade.
accuracy_reward = RewardFunction("accuracy", name="accuracy_reward")
#: 1.0 for the strict ``<think>…</think><answer>…</answer>`` layout (no gold needed).
format_reward = RewardFunction("format", name="format_reward")
#: Multiple choice: the chosen letter (or option text, with an ``options`` column) against a letter gold.
mcq_reward = RewardFunction("mcq", name="mcq_reward")

accuracy_reward_async = AsyncRewardFunction("accuracy", name="accuracy_reward_async")
format_reward_async = AsyncRewardFunction("format", name="format_reward_async")
mcq_reward_async = AsyncRewardFunction("mcq", name="mcq_reward_async")

#: Shaping rewards (docs/rewards.md), token-aware through ``completion_ids``.
cosine_reward = RewardFunction("cosine", name="cosine_reward")
repetition_reward = RewardFunction("repetition", name="repetition_reward")
overlong_reward = RewardFunction("overlong", name="overlong_reward")
tag_count_reward = RewardFunction("tag_count", name="tag_count_reward")
#: TRL's ``think_format_reward``: one leading ``<think>…</think>``, then the answer as plain text.
think_format_reward = RewardFunction("think_format", name="think_format_reward")
#: open-r1's ``len_reward`` (Kimi 1.5), relative to the other completions of the same prompt.
length_reward = RewardFunction("length", name="length_reward")
#: open-r1's ``reasoning_steps_reward``: min(1, step markers / 3).
reasoning_steps_reward = RewardFunction("reasoning_steps", name="reasoning_steps_reward")
#: open-r1's code format reward: a fenced block of the ``language`` column's language in ``<answer>``.
code_format_reward = RewardFunction("code_format", name="code_format_reward")
#: ms-swift / veRL overlong punishment, without the -1 floor.
overlong_linear_reward = RewardFunction("overlong_linear", name="overlong_linear_reward")
