"""Batch-level shaping: group-relative rewards (``length``) and per-sample options (``code_format``'s
language column), on top of :func:`rlvr_rewards.check_batch`.

``check_batch`` grades samples one by one. Two shaping rewards need more than one sample:

- ``length`` (Kimi 1.5 / open-r1 ``len_reward``) compares each completion with the others of its
  group: :func:`apply_groups` fills it in after grading, per group (``groups[i]`` is any hashable
  key: the prompt, a prompt id; ``None`` for all means one group, the whole batch, as open-r1).
- ``code_format`` reads the sample's language: :func:`grade_shaped` grades each language's samples
  with a ``code_format`` for that language.

A spec without either costs one cached look-up here and goes straight to ``check_batch``.
Group rewards are filled in where they stand alone or as a term of a top-level sum
(``"accuracy + 0.5*length"``); nested deeper (inside a cascade or parentheses) they stay 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..sample import to_text
from ..verdict import Outcome, Verdict
from ..verifiers.base import Verifier

_CACHE_MAX = 512
_PLANS: dict[int, tuple[Verifier, list[tuple[float | None, Any]], bool]] = {}


def _plan(v: Verifier) -> tuple[list[tuple[float | None, Any]], bool]:
    """(group-level parts as (weight or None for standalone, part), whether a part takes a language)."""
    cached = _PLANS.get(id(v))
    if cached is not None and cached[0] is v:
        return cached[1], cached[2]
    from ..verifiers.compose import Weighted

    if getattr(v, "group_level", False):
        parts: list[tuple[float | None, Any]] = [(None, v)]
    elif isinstance(v, Weighted):
        parts = [(w, p) for w, p in v.parts if getattr(p, "group_level", False)]
    else:
        parts = []
    langs = _has_language(v)
    if len(_PLANS) >= _CACHE_MAX:  # verifiers built per call (create_verifier in a loop) must not pile up
        _PLANS.clear()
    _PLANS[id(v)] = (v, parts, langs)
    return parts, langs


def _has_language(v: Any) -> bool:
    if getattr(v, "language_option", False):
        return True
    subs = [p for _, p in getattr(v, "parts", ())] + list(getattr(v, "verifiers", ()))
    return any(_has_language(s) for s in subs)


_VARIANTS: dict[tuple[int, str], tuple[Verifier, Verifier]] = {}


def with_language(v: Verifier, language: str) -> Verifier:
    """``v`` with every ``code_format`` part checking ``language`` (built once per pair)."""
    key = (id(v), language)
    hit = _VARIANTS.get(key)
    if hit is not None and hit[0] is v:
        return hit[1]
    out = _rebuild(v, language)
    if len(_VARIANTS) >= _CACHE_MAX:
        _VARIANTS.clear()
    _VARIANTS[key] = (v, out)
    return out


def _rebuild(v: Any, language: str) -> Any:
    from ..verifiers.compose import Cascade, Product, Weighted

    if getattr(v, "language_option", False):
        return v.with_language(language)
    if isinstance(v, Weighted) and _has_language(v):
        return Weighted([(w, _rebuild(p, language)) for w, p in v.parts], name=v.name, constant=v.constant)
    if isinstance(v, (Cascade, Product)) and _has_language(v):
        return type(v)([_rebuild(p, language) for p in v.verifiers], name=v.name)
    return v


def grade_shaped(
    completions: Sequence[Any],
    golds: Sequence[Any] | Any,
    *,
    verifier: Any = "accuracy",
    groups: Sequence[Hashable | None] | None = None,
    languages: Sequence[str | None] | None = None,
    **kwargs: Any,
) -> list[Verdict]:
    """:func:`~rlvr_rewards.check_batch` plus the batch-level shaping rewards.

    ``groups[i]``: the group of completion ``i`` for ``length`` (default: the whole batch is one
    group). ``languages[i]``: the language ``code_format`` looks for (default: its own option).
    Other keywords go to ``check_batch``. The adapters call this for every batch.

    >>> vs = grade_shaped(["\\\\boxed{7}", "so \\\\boxed{7}", "it is \\\\boxed{7}"], "7", verifier="length")
    >>> [v.score for v in vs]
    [0.5, 0.0, -0.5]
    """
    from ..scale import run as check_batch
    from ..verifiers.specs import build

    v = build(verifier)
    parts, has_language = _plan(v)
    n = len(completions)
    if not isinstance(golds, (list, tuple)) or (len(golds) != n and n != 0):
        golds = [golds] * n
    if has_language and languages is not None and len(languages) == n and any(languages):
        verdicts: list[Verdict | None] = [None] * n
        by_lang: dict[str, list[int]] = {}
        for i, lang in enumerate(languages):
            by_lang.setdefault(str(lang).strip().lower() if lang else "", []).append(i)
        for lang, idx in by_lang.items():
            sub = with_language(v, lang) if lang else v
            sub_kwargs = {k: ([val[i] for i in idx] if k in _PER_SAMPLE and val is not None else val) for k, val in kwargs.items()}
            out = check_batch([completions[i] for i in idx], [golds[i] for i in idx], verifier=sub, **sub_kwargs)
            for i, verdict in zip(idx, out):
                verdicts[i] = verdict
        graded = [x if x is not None else Verdict(Outcome.ERROR, 0.0, detail="not graded") for x in verdicts]
    else:
        graded = check_batch(completions, golds, verifier=verifier, **kwargs)  # the spec as given (ray pickles it)
    if not parts:
        return graded
    return apply_groups(v, graded, completions, golds, groups=groups, token_ids=kwargs.get("token_ids"), grade_kwargs=kwargs)


_PER_SAMPLE = ("options", "questions", "token_ids")


def apply_groups(
    verifier: Any,
    verdicts: Sequence[Verdict],
    completions: Sequence[Any],
    golds: Sequence[Any] | Any = None,
    *,
    groups: Sequence[Hashable | None] | None = None,
    token_ids: Sequence[Sequence[int] | None] | None = None,
    grade_kwargs: Mapping[str, Any] | None = None,
) -> list[Verdict]:
    """Fill the group-relative parts (``length``) of ``verdicts`` in, group by group.

    Lengths are token counts where ``token_ids[i]`` is given, else characters. Correctness is the
    standalone verdict's outcome, or the spec's own ``accuracy`` part, or (neither present) a
    separate ``check_batch`` with the part's ``accuracy`` verifier. Bad-gold verdicts keep their
    reward ``None``; their lengths still count in the group's range (open-r1 counts every
    completion of the batch).
    """
    from ..verifiers.specs import build

    v = build(verifier)
    parts, _ = _plan(v)
    verdicts = list(verdicts)
    n = len(verdicts)
    if not parts or not n:
        return verdicts
    if not isinstance(golds, (list, tuple)) or len(golds) != n:
        golds = [golds] * n
    lengths = [
        len(token_ids[i]) if token_ids is not None and i < len(token_ids) and token_ids[i] is not None else len(to_text(completions[i]))
        for i in range(n)
    ]
    members: dict[Any, list[int]] = {}
    keys = list(groups) if groups is not None and len(groups) == n else [None] * n
    for i, key in enumerate(keys):
        try:
            hash(key)
        except TypeError:
            key = repr(key)
        members.setdefault(key, []).append(i)
    scores = [x.score for x in verdicts]
    new_parts = [dict(x.parts) for x in verdicts]
    for weight, part in parts:
        correct = _correctness(weight, part, verdicts, completions, golds, token_ids, grade_kwargs or {})
        values = [0.0] * n
        for idx in members.values():
            for i, val in zip(idx, part.group_values([lengths[i] for i in idx], [correct[i] for i in idx])):
                values[i] = val
        for i in range(n):
            if verdicts[i].outcome is Outcome.BAD_GOLD:
                continue
            if weight is None:
                scores[i] = values[i]
            else:
                scores[i] += weight * (values[i] - verdicts[i].parts.get(part.name, 0.0))
                new_parts[i][part.name] = values[i]
    return [
        x if x.outcome is Outcome.BAD_GOLD else replace(x, score=scores[i], parts=new_parts[i])
        for i, x in enumerate(verdicts)
    ]


def _correctness(
    weight: float | None, part: Any, verdicts: Sequence[Verdict], completions: Sequence[Any], golds: Sequence[Any],
    token_ids: Any, grade_kwargs: Mapping[str, Any],
) -> list[bool]:
    if weight is None:
        return [x.outcome is Outcome.CORRECT for x in verdicts]
    acc = getattr(part, "accuracy", "accuracy")
    if isinstance(acc, str) and all(acc in x.parts or x.outcome is Outcome.BAD_GOLD for x in verdicts):
        return [x.parts.get(acc, 0.0) >= 1.0 for x in verdicts]
    from ..scale import run as check_batch

    kwargs = {k: val for k, val in grade_kwargs.items() if k != "verifier"}
    return [x.outcome is Outcome.CORRECT for x in check_batch(list(completions), list(golds), verifier=acc, **kwargs)]


def prompt_key(prompt: Any) -> Hashable | None:
    """A hashable group key for a prompt (a string, or a conversation): completions of the same
    prompt are one group."""
    if prompt is None:
        return None
    if isinstance(prompt, str):
        return prompt
    try:
        return repr(prompt)
    except Exception:  # noqa: BLE001
        return None


def info_group(extra_info: Any, fallback: Any = None) -> Hashable | None:
    """veRL's group key for a sample: ``extra_info["uid"]``, ``["index"]`` or ``["question"]``,
    else ``fallback`` (the ground truth: completions of one problem share it)."""
    if isinstance(extra_info, Mapping):
        for k in ("uid", "index", "question", "problem"):
            if extra_info.get(k) is not None:
                return prompt_key(extra_info[k]) if not isinstance(extra_info[k], (int, str)) else extra_info[k]
    return prompt_key(fallback)


def column(columns: Mapping[str, Any], key: str, n: int) -> list[Any] | None:
    """A per-sample column of ``n`` values, or None when absent (a scalar is broadcast)."""
    value = columns.get(key)
    if value is None or isinstance(value, Mapping):
        return None
    if isinstance(value, (str, bytes)):
        return [value] * n
    try:
        items = list(value)
    except TypeError:
        return [value] * n
    return items if len(items) == n else None


def language_variant(spec: Any, language: Any) -> Any:
    """``spec`` with its ``code_format`` parts checking ``language`` (for one-sample paths such as
    veRL's ``compute_score``); ``spec`` itself when there is no language or no such part."""
    if not language or not isinstance(language, str):
        return spec
    from ..verifiers.specs import build

    v = build(spec)
    return with_language(v, language.strip().lower()) if _plan(v)[1] else spec
