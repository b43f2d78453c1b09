"""OpenRLHF: a ``reward_func`` for ``--reward.remote_url /path/to/openrlhf_reward.py``.

OpenRLHF (0.11) loads the file given as ``--reward.remote_url`` (a path ending in ``.py``) with
``importlib`` as a module named ``reward_func`` and calls its ``reward_func`` from a thread, once
per generated sample::

    reward_func(queries: list[str], prompts: list[str], labels: list) -> {"rewards": Tensor, "scores": Tensor, "extra_logs": dict}

``queries`` are prompt + response decoded *with* special tokens; the response is
``query[len(prompt):]``. ``labels`` come from ``--data.label_key``. OpenRLHF swallows exceptions
from the reward function (the sample then gets no reward), so nothing here raises.

The shipped file is ``rlvr_rewards/integrations/openrlhf_reward.py`` (``plugin_path()`` gives
its absolute path; ``rlvr-rewards plugin-path openrlhf`` prints it). It grades with the spec in
``$RLVR_VERIFIER`` (default ``accuracy``) under the deadline ``$RLVR_TIMEOUT`` seconds; for
anything else write a two-line file::

    from rlvr_rewards.integrations.openrlhf import make_reward_func
    reward_func = make_reward_func("accuracy + 0.1*format", timeout=3)

Torch is imported only when a reward is returned (lazily); without torch the values come back as
lists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..verdict import Outcome, Verdict
from .common import build_adapter, logger, score_all

__all__ = ["RewardFunc", "from_env", "make_reward_func", "plugin_path", "response_text", "reward_func"]

#: Special tokens a decoded query may carry around the response (chat markers, end of sequence,
#: padding). ``<think>`` / ``<answer>`` tags are content, never stripped.
SPECIAL_TOKEN_RE = re.compile(
    r"<\|[A-Za-z0-9_.:\-]{1,48}\|>"  # <|im_end|>, <|endoftext|>, <|eot_id|>, <|end_of_text|> ...
    r"|<｜[^｜<>]{1,48}｜>"  # DeepSeek's full-width bars: <｜end▁of▁sentence｜>
    r"|</?s>|<(?:eos|bos|pad|unk|mask)>|<(?:start|end)_of_turn>"
)
OUTCOMES = tuple(o.value for o in Outcome)


def plugin_path() -> str:
    """Absolute path of the shipped reward file, for ``--reward.remote_url``."""
    return str(Path(__file__).resolve().with_name("openrlhf_reward.py"))


def strip_special_tokens(text: str) -> str:
    return SPECIAL_TOKEN_RE.sub("", text)


def response_text(query: Any, prompt: Any) -> str:
    """The model's response inside a decoded ``query``: what follows ``prompt``, special tokens removed.

    The query is decoded from token ids, so it normally starts with the prompt exactly; if a
    decode round trip changed the prompt's special tokens or leading space, the prompt is looked
    for without them; failing both, the contract ``query[len(prompt):]`` is applied.
    """
    query = "" if query is None else str(query)
    prompt = "" if prompt is None else str(prompt)
    if query.startswith(prompt):
        response = query[len(prompt):]
    else:
        bare_query, bare_prompt = strip_special_tokens(query).lstrip(), strip_special_tokens(prompt).strip()
        at = bare_query.find(bare_prompt) if bare_prompt else -1
        if at >= 0:
            return bare_query[at + len(bare_prompt):].strip()
        response = query[len(prompt):]
    return strip_special_tokens(response).strip()


def _pad(values: Any, n: int) -> list[Any]:
    values = list(values) if isinstance(values, (list, tuple)) else ([values] * n if n else [])
    return (values + [None] * n)[:n]


def _as_tensor(values: list[float]) -> Any:
    try:
        import torch
    except ImportError:  # torch is OpenRLHF's own dependency; without it (tests), plain lists
        return values
    return torch.tensor(values, dtype=torch.float32)


class RewardFunc:
    """OpenRLHF's ``reward_func(queries, prompts, labels, **kwargs)`` for one verifier or spec.

    Returns ``{"rewards", "scores", "extra_logs"}``: ``rewards`` and ``scores`` are the verdict
    scores (a bad gold scores 0.0: OpenRLHF cannot skip a sample, see ``rlvr/bad_gold``), as
    float32 tensors of shape ``(len(queries),)``; ``extra_logs`` holds one 0/1 tensor per outcome
    (``rlvr/correct``, ``rlvr/incorrect``, ``rlvr/no_answer``, ``rlvr/bad_gold``,
    ``rlvr/timeout``, ``rlvr/error``), which OpenRLHF averages into its logged metrics.

    The configuration is checked here (an unknown verifier raises ``ValueError`` naming the valid
    choices; a misspelt option ``TypeError``), and the worker pool starts in the background.
    """

    def __init__(self, verifier: Any = "accuracy", *, timeout: float | None = None, **check_options: Any) -> None:
        build_adapter(verifier, timeout=timeout, options=check_options, who=f"OpenRLHF RewardFunc({verifier!r:.60})")
        self.verifier = verifier
        self.timeout = timeout
        self.check_options = check_options

    def __repr__(self) -> str:
        return f"RewardFunc({self.verifier!r}, timeout={self.timeout!r})"

    def verdicts(self, queries: Sequence[Any], prompts: Sequence[Any], labels: Sequence[Any]) -> list[Verdict]:
        """Verdicts for a batch (pure Python, no torch)."""
        try:
            queries = list(queries) if isinstance(queries, (list, tuple)) else [queries]
            n = len(queries)
            responses = [response_text(q, p) for q, p in zip(queries, _pad(prompts, n))]
            golds = _pad(labels, n)
        except Exception as exc:  # noqa: BLE001 - OpenRLHF hides exceptions: report them as outcomes, and log
            from .common import failed

            return failed(exc, len(queries) if isinstance(queries, (list, tuple)) else 1, "OpenRLHF reward_func reading its inputs")
        groups = [str(p) for p in _pad(prompts, n)]  # ``length`` is relative to the same prompt's samples
        return score_all(responses, golds, verifier=self.verifier, timeout=self.timeout, groups=groups, **self.check_options)

    def compute(self, queries: Sequence[Any], prompts: Sequence[Any], labels: Sequence[Any]) -> tuple[list[float], dict[str, list[float]]]:
        """``(scores, extra_logs)`` as plain lists: the torch-free core of :meth:`__call__`."""
        verdicts = self.verdicts(queries, prompts, labels)
        scores = [float(v.score) for v in verdicts]
        logs = {f"rlvr/{o}": [1.0 if v.outcome.value == o else 0.0 for v in verdicts] for o in OUTCOMES}
        return scores, logs

    def __call__(self, queries: Sequence[Any], prompts: Sequence[Any] = (), labels: Sequence[Any] = (), **kwargs: Any) -> dict[str, Any]:
        try:
            scores, logs = self.compute(queries, prompts, labels)
        except Exception as exc:  # noqa: BLE001 - never raise into OpenRLHF (it would drop the reward silently)
            logger.error("rlvr_rewards: OpenRLHF reward_func failed: %s: %s", type(exc).__name__, exc, exc_info=exc)
            n = len(queries) if isinstance(queries, (list, tuple)) else 1
            scores = [0.0] * n
            logs = {f"rlvr/{o}": [1.0 if o == "error" else 0.0] * n for o in OUTCOMES}
        try:
            return {
                "rewards": _as_tensor(scores),
                "scores": _as_tensor(list(scores)),
                "extra_logs": {k: _as_tensor(v) for k, v in logs.items()},
            }
        except Exception:  # noqa: BLE001
            return {"rewards": scores, "scores": list(scores), "extra_logs": logs}


def make_reward_func(verifier: Any = "accuracy", *, timeout: float | None = None, **check_options: Any) -> RewardFunc:
    """A ``reward_func`` for any registered verifier or spec (validated now, so a typo fails at start-up)."""
    return RewardFunc(verifier, timeout=timeout, **check_options)


def _env_options() -> tuple[str, float | None]:
    verifier = os.environ.get("RLVR_VERIFIER") or "accuracy"
    raw = os.environ.get("RLVR_TIMEOUT")
    try:
        timeout = float(raw) if raw else None
    except ValueError:
        raise ValueError(f"RLVR_TIMEOUT must be a number of seconds, not {raw!r}") from None
    return verifier, timeout


def from_env() -> RewardFunc:
    """The reward function configured by ``$RLVR_VERIFIER`` (default ``accuracy``) and
    ``$RLVR_TIMEOUT`` (seconds); an unknown spec raises here, when OpenRLHF loads the file."""
    verifier, timeout = _env_options()
    return make_reward_func(verifier, timeout=timeout)


_default: RewardFunc | None = None


def reward_func(queries: Sequence[Any], prompts: Sequence[Any], labels: Sequence[Any], **kwargs: Any) -> dict[str, Any]:
    """The default reward function (``$RLVR_VERIFIER``, default ``accuracy``). Built on the first
    call: an unknown spec in ``$RLVR_VERIFIER`` raises there (configuration); data never raises."""
    global _default
    if _default is None:
        verifier, timeout = _env_options()
        _default = RewardFunc(verifier, timeout=timeout)
    return _default(queries, prompts, labels, **kwargs)
