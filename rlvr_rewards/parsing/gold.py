"""Gold answers: accept every shape datasets use and parse each alternative once (LRU cached)."""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .values import MAX_ANSWER_LEN, Value, parse_value

GOLD_CACHE_SIZE = 16384


def gold_texts(gold: Any) -> tuple[str, ...] | None:
    """The gold as alternative strings: any one of them matching counts as correct.

    Accepts plain text, ``$…$``, ``\\[…\\]``, ``\\boxed{}``, ``<answer> 3 </answer>``, numbers
    (int, float, Fraction, Decimal, numpy scalars), bytes, lists / tuples / numpy arrays of
    alternatives, and stringified lists (Skywork-OR1 style ``"['3', '4']"``). ``None`` when the
    gold is missing or unusable.
    """
    if gold is None or isinstance(gold, bool):
        return None
    if isinstance(gold, bytes):
        gold = gold.decode("utf-8", errors="replace")
    if isinstance(gold, str):
        s = gold.strip()
        if s in _MISSING:
            return None
        if s.startswith("[") and s.endswith("]") and ("'" in s or '"' in s) and len(s) < 10_000:
            try:
                parsed = ast.literal_eval(s)  # literals only: never executes code
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                parsed = None
            if isinstance(parsed, list):
                return gold_texts(parsed)
        if ("或" in s or "\\#" in s) and len(s) < 2000:
            # "$A$ 或 $B$" (Chinese "or" between whole answers), "$\\frac{3}{10} \\# \\# 0.3$"
            # (GAOKAO-Bench's alternatives): any one of them is the answer
            parts = [p.strip() for p in _ALTERNATIVES.split(s)]
            parts = [p for p in parts if p.strip("$ ")]
            if len(parts) > 1:
                return tuple(p if p.count("$") % 2 == 0 else p.strip("$").strip() for p in parts)
        return (gold,) if s else None
    if hasattr(gold, "dtype") and getattr(gold, "ndim", None) == 0:
        return _numpy_scalar(gold)
    if isinstance(gold, (int, Fraction)):
        return (str(gold),)
    if isinstance(gold, float):
        if not math.isfinite(gold):
            return None
        return (repr(float(gold)) if not gold.is_integer() else str(int(gold)),)
    ravel = getattr(gold, "ravel", None)
    if callable(ravel):  # numpy arrays: each element keeps its dtype (see _numpy_scalar)
        try:
            return gold_texts(list(ravel()[:64]))
        except Exception:  # noqa: BLE001
            return None
    if isinstance(gold, Sequence) or isinstance(gold, (set, frozenset)):
        out: list[str] = []
        for item in list(gold)[:64]:
            texts = gold_texts(item)
            if texts:
                out.extend(texts)
        return tuple(out) if out else None
    text = str(gold)  # Decimal and other number-likes
    return (text,) if text.strip() else None


# Missing values as pandas and JSON exports spell them: a missing gold, not the text answer "None".
_MISSING = frozenset({"None", "none", "nan", "NaN", "NAN", "null", "NULL", "<NA>", "NaT", "N/A", "n/a"})


def _numpy_scalar(gold: Any) -> tuple[str, ...] | None:
    """A numpy scalar as the number it shows: ``str(np.float32(0.1))`` is "0.1", not 0.10000000149…."""
    kind = gold.dtype.kind
    if kind in "iub":
        return (str(int(gold)),)
    if kind == "f":
        return (str(gold),) if math.isfinite(float(gold)) else None
    try:
        return gold_texts(gold.item())
    except Exception:  # noqa: BLE001
        return None


_ALTERNATIVES = re.compile(r"(?<=\$)\s*或\s*(?=\$)|\s*\\#\s*\\#\s*")
_AND_LIST = re.compile(r"\s*(?:和|与|及|、|\band\b)\s*")


def reduce_gold(text: str) -> str:
    r"""The final answer a gold states.

    A worked solution (MATH-style text ending in ``\boxed{}``, or a GSM8K rationale ending in
    ``#### 72``) gives the answer it marks; ``1 和 3`` / ``1 and 3`` (a collection written in words)
    gives ``1, 3``. Anything else is returned unchanged.
    """
    s = text.strip()
    if len(s) > 1 and s[-1] in ".。" and (s[-2].isdigit() or s[-2] in "$}"):
        s = text = s[:-1].rstrip()  # "4.", "0.216.": the full stop of a sentence, not a decimal point
    note = _NOTE.search(s) if len(s) <= 400 and not s.isascii() else None
    if note is not None and note.start() > 0:
        s = text = s[: note.start()].rstrip()  # "2 (满足 $1<e \leq \sqrt{5}$ 皆可)": a remark, not the answer
    if len(s) > 40 and ("\\boxed" in s or "\\fbox" in s or "####" in s):
        from ..extraction import extract_answer  # the same rules as for completions

        answer = extract_answer(s, max_bare_len=0).answer
        if answer:
            return answer
    if ("和" in s or "与" in s or "、" in s or " and " in s) and len(s) <= 200:
        parts = _AND_LIST.split(s)
        if len(parts) > 1 and all(p and len(p) <= 40 and not _HAS_WORD.search(p) for p in parts):
            return ", ".join(parts)
    return text


# A trailing remark in parentheses written in Chinese ("(满足 … 皆可)", "（答案不唯一）").
_NOTE = re.compile(r"\s*[（(](?=[^()（）]*[\u4e00-\u9fff])[^()（）]{1,200}[)）]\s*[.。]?\s*$")
_HAS_WORD = re.compile(r"[A-Za-z]{3,}|[\u4e00-\u9fff]")


@lru_cache(maxsize=GOLD_CACHE_SIZE)
def _parse_gold_text(text: str) -> Value | None:
    return parse_value(reduce_gold(text))


def parse_gold(gold: Any) -> tuple[Value, ...] | None:
    """Parsed gold alternatives, or ``None`` when no alternative parses (the ``bad_gold`` case)."""
    if type(gold) is str and len(gold) <= MAX_ANSWER_LEN:
        return _parse_gold_str(gold)  # the common case, one cached look-up (values are immutable)
    return _parse_gold_any(gold)


@lru_cache(maxsize=GOLD_CACHE_SIZE)
def _parse_gold_str(gold: str) -> tuple[Value, ...] | None:
    return _parse_gold_any(gold)


def _parse_gold_any(gold: Any) -> tuple[Value, ...] | None:
    texts = gold_texts(gold)
    if not texts:
        return None
    values = []
    for t in texts:
        if len(t) > MAX_ANSWER_LEN:
            continue
        v = _parse_gold_text(t)
        if v is not None:
            values.append(v)
    return tuple(values) or None


def gold_cache_info() -> Any:
    """Hit/miss counters of the parsed-gold cache."""
    return _parse_gold_text.cache_info()
