"""veRL adapter: ``compute_score`` for ``reward.custom_reward_function``.

    reward.custom_reward_function.path=pkg://rlvr_rewards.integrations.verl
    reward.custom_reward_function.name=compute_score          # or compute_score_async

veRL's reward managers call ``compute_score(data_source=, solution_str=, ground_truth=,
extra_info=, **reward_kwargs)`` once per sample (from a thread pool, or awaited when the function
is a coroutine function) inside Ray workers. The batch reward manager (veRL <= 0.6) calls it once
per batch with plural names (``data_sources=, solution_strs=, ground_truths=, extra_infos=``);
``compute_score`` accepts both, ``compute_score_batch`` is the explicit batched form.

Every call returns a dict with the same keys (:data:`KEYS`), scalar values only: veRL stacks each
key across the batch and raises ``KeyError`` if a sample lacks one.

The verifier is chosen per sample: ``extra_info["verifier"]``, else the ``verifier`` keyword
(``reward_kwargs``), else ``routes[data_source]`` (a ``reward_kwargs`` mapping), else the
data_source (MCQ datasets -> ``mcq``, math datasets -> ``math``), else ``accuracy``.

The ``reward_kwargs`` (``verifier``, ``routes``, ``timeout``) are configuration: they are checked on
the first call and a bad one raises there, stopping the run at its first step with a message that
names it (an unknown verifier lists the valid choices) instead of scoring every sample 0. A bad
``extra_info["verifier"]`` is per-sample data: that sample gets an ``error`` result, logged.
Importing this module starts the worker pool in the background.
All grading goes through :func:`rlvr_rewards.check` / :func:`rlvr_rewards.integrations.common.score_all`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

# Absolute imports: veRL may load this file by path (``custom_reward_function.path=/.../verl.py``),
# i.e. as a top-level module with no parent package.
from rlvr_rewards.api import acheck, check
from rlvr_rewards.columns import OPTION_KEYS, first_present
from rlvr_rewards.config import make_config
from rlvr_rewards.integrations.common import completion_text, option_texts, score_all
from rlvr_rewards.shaping.groups import info_group, language_variant
from rlvr_rewards.verdict import Outcome, Verdict
from rlvr_rewards.verifiers.specs import build
from rlvr_rewards.workers import warmup_in_background

logger = logging.getLogger(__name__)

#: Configuration keywords (veRL's ``reward_kwargs``) this adapter reads; others are passed over.
CONFIG_KWARGS = ("verifier", "routes", "timeout")
_checked: set[str] = set()


def check_config(kwargs: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` / ``TypeError`` for a bad ``verifier``, ``routes`` or ``timeout`` keyword.

    Checked once per distinct configuration (a set lookup on later calls).
    """
    if not kwargs:
        return
    try:
        key = repr(sorted((k, kwargs[k]) for k in CONFIG_KWARGS if k in kwargs))
    except Exception:  # noqa: BLE001 - unorderable / unprintable values: check every time
        key = None
    if key is not None and key in _checked:
        return
    if kwargs.get("verifier"):
        build(kwargs["verifier"])
    routes = kwargs.get("routes")
    if routes is not None:
        if not isinstance(routes, Mapping):
            raise TypeError(f"veRL reward_kwargs: routes must be a mapping data_source -> verifier, not {routes!r:.80}")
        for source, spec in routes.items():
            try:
                build(spec)
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"veRL reward_kwargs: routes[{source!r}]: {exc}") from exc
    if kwargs.get("timeout") is not None:
        make_config(timeout=kwargs["timeout"])
    if key is not None:
        _checked.add(key)


warmup_in_background()

#: The keys of every returned dict, in order.
KEYS = ("score", "acc", "pred", "verifier", "bad_gold", "no_answer", "timeout", "error")

PRED_CHARS = 200

# data_source -> verifier. Tokens are the data_source split on non-alphanumerics, lower-cased.
MCQ_SUBSTRINGS = (
    "mmlu", "gpqa", "mcq", "multiple_choice", "multiplechoice", "multiple-choice", "medmcqa", "medqa",
    "hellaswag", "commonsense_qa", "commonsenseqa", "openbookqa", "sciq", "agieval", "logiqa",
    "ai2_arc", "arc_challenge", "arc-challenge", "arc_easy", "arc-easy", "mathqa", "math_qa",
    "ceval", "c-eval", "cmmlu", "truthfulqa_mc",
)
MCQ_TOKENS = frozenset({"race", "piqa", "siqa", "csqa", "obqa", "winogrande", "qasc"})
MATH_SUBSTRINGS = (
    "math", "gsm8k", "aime", "amc", "numina", "olympiad", "deepscaler", "dapo", "minerva",
    "geometry3k", "geo3k",
)

_TOKEN = re.compile(r"[a-z0-9]+")


def route(data_source: Any) -> str:
    """The verifier spec for a ``data_source``: ``mcq``, ``math`` or ``accuracy`` (gold-type dispatch)."""
    name = str(data_source or "").lower()
    if not name:
        return "accuracy"
    tokens = set(_TOKEN.findall(name))
    if tokens & MCQ_TOKENS or any(s in name for s in MCQ_SUBSTRINGS):
        return "mcq"
    if any(s in name for s in MATH_SUBSTRINGS):
        return "math"
    return "accuracy"


def select_verifier(data_source: Any, extra_info: Any = None, kwargs: Mapping[str, Any] | None = None) -> Any:
    """``extra_info["verifier"]`` > ``verifier`` keyword > ``routes[data_source]`` > :func:`route`."""
    kwargs = kwargs or {}
    info = extra_info if isinstance(extra_info, Mapping) else {}
    for candidate in (info.get("verifier"), kwargs.get("verifier")):
        if candidate:
            return candidate
    routes = kwargs.get("routes")
    if isinstance(routes, Mapping):
        try:
            spec = routes.get(str(data_source))
        except Exception:  # noqa: BLE001
            spec = None
        if spec:
            return spec
    return route(data_source)


def _timeout(extra_info: Any, kwargs: Mapping[str, Any]) -> float | None:
    info = extra_info if isinstance(extra_info, Mapping) else {}
    value = info.get("timeout") if info.get("timeout") is not None else kwargs.get("timeout")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _options(extra_info: Any) -> list[str] | None:
    if not isinstance(extra_info, Mapping):
        return None
    return option_texts(first_present(extra_info, OPTION_KEYS))  # "options", else "choices"


def result(verdict: Verdict) -> dict[str, Any]:
    """veRL's dict for one verdict: the same keys, scalar values, every time.

    ``score`` is the reward (0.0 for a bad gold, which ``bad_gold`` flags); ``acc`` is 1.0 only for
    ``correct``; ``pred`` is the extracted answer (veRL's majority-vote key), ``""`` if none;
    ``verifier`` names the tier that decided; the outcome flags are 0.0 / 1.0.
    """
    outcome = verdict.outcome
    try:
        score = float(verdict.score) if outcome is not Outcome.BAD_GOLD else 0.0
    except (TypeError, ValueError):
        score = 0.0
    if score != score:  # NaN
        score = 0.0
    return {
        "score": score,
        "acc": 1.0 if outcome is Outcome.CORRECT else 0.0,
        "pred": (verdict.answer or "")[:PRED_CHARS],
        "verifier": verdict.verifier or "",
        "bad_gold": 1.0 if outcome is Outcome.BAD_GOLD else 0.0,
        "no_answer": 1.0 if outcome is Outcome.NO_ANSWER else 0.0,
        "timeout": 1.0 if outcome is Outcome.TIMEOUT else 0.0,
        "error": 1.0 if outcome is Outcome.ERROR else 0.0,
    }


def _error(exc: BaseException) -> dict[str, Any]:
    logger.warning("rlvr_rewards veRL compute_score failed: %s: %s", type(exc).__name__, exc)
    return result(Verdict(Outcome.ERROR, 0.0, detail=f"{type(exc).__name__}: {exc}"[:300]))


def compute_score(
    data_source: Any = None,
    solution_str: Any = None,
    ground_truth: Any = None,
    extra_info: Any = None,
    *,
    data_sources: Sequence[Any] | None = None,
    solution_strs: Sequence[Any] | None = None,
    ground_truths: Sequence[Any] | None = None,
    extra_infos: Sequence[Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any] | list[dict[str, Any]]:
    """Score one sample (veRL's per-sample managers), or a batch when called with plural names.

    ``ground_truth`` may be a string, a number, a list / numpy array (any element counts as
    correct). Never raises: a failure gives ``score`` 0.0 with ``error`` 1.0.
    """
    if solution_strs is not None:
        return compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos, **kwargs)
    check_config(kwargs)  # configuration raises (once, at the first step), data never does
    try:
        return result(check(completion_text(solution_str), ground_truth, **_check_options(data_source, extra_info, kwargs)))
    except Exception as exc:  # noqa: BLE001 - a reward function must never crash a training step
        return _error(exc)


def _check_options(data_source: Any, extra_info: Any, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The ``check`` keywords for one sample: routed verifier, MCQ options, question, deadline."""
    return {
        "verifier": language_variant(  # ``code_format`` checks ``extra_info["language"]``
            select_verifier(data_source, extra_info, kwargs),
            extra_info.get("language") if isinstance(extra_info, Mapping) else None,
        ),
        "options": _options(extra_info),
        "question": _question(extra_info),
        "timeout": _timeout(extra_info, kwargs),
    }


def _question(extra_info: Any) -> str | None:
    """The problem text for the judge fallback, when the dataset put it in ``extra_info``."""
    if isinstance(extra_info, Mapping):
        q = extra_info.get("question") or extra_info.get("problem")
        return q if isinstance(q, str) else None
    return None


async def compute_score_async(
    data_source: Any = None,
    solution_str: Any = None,
    ground_truth: Any = None,
    extra_info: Any = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """``compute_score`` as a coroutine function (veRL awaits it on the reward manager's loop)."""
    check_config(kwargs)
    try:
        options = _check_options(data_source, extra_info, kwargs)
        return result(await acheck(completion_text(solution_str), ground_truth, **options))
    except Exception as exc:  # noqa: BLE001
        return _error(exc)


def compute_score_batch(
    data_sources: Sequence[Any] | None,
    solution_strs: Sequence[Any],
    ground_truths: Sequence[Any] | None,
    extra_infos: Sequence[Any] | None = None,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """The batch reward manager's call: one dict per sample, in order.

    Samples are grouped by verifier and timeout and each group is graded with ``check_batch``
    (identical answers graded once, slow tiers run concurrently).
    """
    check_config(kwargs)
    try:
        n = len(solution_strs)
    except Exception:  # noqa: BLE001
        return []
    try:
        sources = _column(data_sources, n)
        golds = _column(ground_truths, n)
        infos = _column(extra_infos, n)
        groups: dict[tuple[str, float | None], list[int]] = {}
        specs: dict[tuple[str, float | None], Any] = {}
        for i in range(n):
            spec = select_verifier(sources[i], infos[i], kwargs)
            key = (repr(spec), _timeout(infos[i], kwargs))
            groups.setdefault(key, []).append(i)
            specs[key] = spec
        out: list[dict[str, Any] | None] = [None] * n
        for key, idx in groups.items():
            options = [_options(infos[i]) for i in idx]
            verdicts = score_all(
                [solution_strs[i] for i in idx],
                [golds[i] for i in idx],
                verifier=specs[key],
                timeout=key[1],
                options=options if any(options) else None,
                groups=[info_group(infos[i], golds[i]) for i in idx],  # ``length``: one group per problem
                languages=[infos[i].get("language") if isinstance(infos[i], Mapping) else None for i in idx],
            )
            for i, verdict in zip(idx, verdicts):
                out[i] = result(verdict)
        return [r if r is not None else _error(RuntimeError("not graded")) for r in out]
    except Exception as exc:  # noqa: BLE001
        return [_error(exc) for _ in range(n)]


def _column(values: Any, n: int) -> list[Any]:
    """A per-sample column as a list of ``n`` (numpy arrays and tuples included; None -> Nones)."""
    if values is None:
        return [None] * n
    if isinstance(values, (str, bytes, Mapping)):
        return [values] * n
    try:
        items = list(values)
    except TypeError:
        return [values] * n
    return items if len(items) == n else [values] * n


# ----------------------------------------------------------------------------- the VLM recipe's reward
# veRL's vision-language recipe: a format-gated ±1 reward with a reward-model fallback, as one name
# (rlvr_rewards.judge.gated: ``verl_vlm``, or ``format_gated`` without the judge):
#   reward.custom_reward_function.name=compute_score_vlm
#   +reward.custom_reward_function.reward_kwargs.judge_url=http://127.0.0.1:8000/v1   (or a reward model:
#    veRL then passes its router address, used when judge_url is not set; or REWARD_MODEL_URL)
#   +reward.custom_reward_function.reward_kwargs.judge_model=xVerify-0.5B-I

#: ``reward_kwargs`` read by :func:`compute_score_vlm` (others are passed over).
VLM_KWARGS = ("judge_url", "judge_model", "judge_api_key", "judge", "rules", "format", "timeout")
_VLM_VERIFIERS: dict[str, Any] = {}


def vlm_verifier(
    *,
    judge_url: str | None = None,
    judge_model: str | None = None,
    judge_api_key: str | None = None,
    judge: bool = True,
    rules: str = "accuracy",
    format: str = "format",  # noqa: A002 - the verifier's name
    reward_router_address: str | None = None,
) -> Any:
    """The ``verl_vlm`` verifier for these settings (``format_gated`` when ``judge`` is false),
    built once per distinct configuration. The judge URL is ``judge_url``, else veRL's reward
    router address (``host:port``, a reward model veRL serves), else ``REWARD_MODEL_URL``; none of
    them raises ``ValueError`` here, i.e. at the first training step."""
    if isinstance(judge, str):
        judge = judge.strip().lower() not in ("0", "false", "no", "off", "")
    url = (judge_url or reward_router_address or None) if judge else None
    key = repr((url, judge_model, judge_api_key, bool(judge), rules, format))
    v = _VLM_VERIFIERS.get(key)
    if v is None:
        from rlvr_rewards.verifiers import create_verifier

        if judge:
            v = create_verifier("verl_vlm", url=url, model=judge_model, api_key=judge_api_key, rules=rules, format=format)
        else:
            v = create_verifier("format_gated", rules=rules, format=format, judge=False)
        _VLM_VERIFIERS[key] = v
    return v


def compute_score_vlm(
    data_source: Any = None,
    solution_str: Any = None,
    ground_truth: Any = None,
    extra_info: Any = None,
    *,
    reward_router_address: str | None = None,
    reward_model_tokenizer: Any = None,
    judge_url: str | None = None,
    judge_model: str | None = None,
    judge_api_key: str | None = None,
    judge: bool = True,
    rules: str = "accuracy",
    format: str = "format",  # noqa: A002
    timeout: float | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """veRL's VLM recipe reward: format fails → −1; right by the rules, or by the judge where the
    rules say no → +1; else −1; a bad gold 0.0 with ``bad_gold`` 1.0 (see ``rlvr_rewards.judge.gated``).

    The same keys as :func:`compute_score`. Configuration (judge URL, ``rules``, ``format``,
    ``timeout``) raises on the first call; sample data never does. ``extra_info["verifier"]`` is
    not read: the recipe's reward is the point of this function.
    """
    verifier = vlm_verifier(judge_url=judge_url, judge_model=judge_model, judge_api_key=judge_api_key, judge=judge,
                            rules=rules, format=format, reward_router_address=reward_router_address)
    if timeout is not None:
        make_config(timeout=timeout)
    try:
        return result(check(
            completion_text(solution_str), ground_truth, verifier=verifier, options=_options(extra_info),
            question=_question(extra_info), timeout=_timeout(extra_info, {"timeout": timeout}),
        ))
    except Exception as exc:  # noqa: BLE001 - a reward function must never crash a training step
        return _error(exc)


async def compute_score_vlm_async(data_source: Any = None, solution_str: Any = None, ground_truth: Any = None,
                                  extra_info: Any = None, **kwargs: Any) -> dict[str, Any]:
    """:func:`compute_score_vlm` awaited on veRL's loop (grading, and the judge call, in a worker thread)."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: compute_score_vlm(data_source, solution_str, ground_truth, extra_info, **kwargs))
