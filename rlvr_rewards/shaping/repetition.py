"""n-gram repetition penalty over tokens, words or characters.

Units, in order of preference for the default ``unit="auto"``: the trainer's token ids when it
supplies them (TRL ``completion_ids``, ms-swift ``response_token_ids``); otherwise the text,
split into lower-cased whitespace-separated words, except that scripts written without spaces
(Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar, CJK punctuation) count one unit per
character — so ``这个这个这个这个这个`` is penalised although it is a single "word". An optional
``segmenter`` (a callable ``text -> list[str]``, or ``"jieba"`` as open-r1's ``language="zh"``)
replaces the text segmentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from ..verifiers.base import Verifier

UNITS = ("auto", "tokens", "words", "chars")

#: Scripts written without spaces between words: one unit per character.
UNSPACED = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi
    "\u3000-\u303f"  # CJK symbols and punctuation (。、「」)
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u31f0-\u31ff"  # Katakana extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff00-\uffef"  # full-width forms (，！？)
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_MIXED = re.compile(rf"[{UNSPACED}]|[^\s{UNSPACED}]+")


def text_units(text: str, unit: str = "auto") -> list[str]:
    """The units repetition is counted over when there are no token ids.

    ``"words"``: lower-cased whitespace-separated words (TRL/ms-swift/open-r1 on text);
    ``"chars"``: every non-space character; ``"auto"`` (and ``"tokens"`` without ids): words,
    with each character of an unspaced script a unit of its own.

    >>> text_units("The cat THE cat")
    ['the', 'cat', 'the', 'cat']
    >>> text_units("这个这个 ok")
    ['这', '个', '这', '个', 'ok']
    >>> text_units("这个这个 ok", "words"), text_units("a b", "chars")
    (['这个这个', 'ok'], ['a', 'b'])
    """
    text = text.lower()
    if unit == "words":
        return text.split()
    if unit == "chars":
        return [c for c in text if not c.isspace()]
    if text.isascii():
        return text.split()
    return _MIXED.findall(text)


def _jieba(text: str) -> list[str]:
    import jieba  # optional: pip install jieba

    return list(jieba.cut(text))


def repetition_value(units: Sequence[Any], ngram_size: int = 3, max_penalty: float = -1.0) -> float:
    """``max_penalty * (1 - distinct n-grams / n-grams)``; 0 with fewer than ``ngram_size`` units.

    >>> repetition_value([1, 2, 3, 4], 2), repetition_value([5, 5, 5, 5, 5], 2)
    (0.0, -0.75)
    """
    n = ngram_size
    if len(units) < n:
        return 0.0
    total = len(units) - n + 1
    distinct = len({tuple(units[i : i + n]) for i in range(total)})
    return max_penalty * (1.0 - distinct / total) + 0.0  # no -0.0


@register("repetition", aliases=("repetition_penalty", "repetition_tokens"))
class RepetitionPenalty(Verifier):
    """n-gram repetition penalty: ``max_penalty * (1 - distinct n-grams / n-grams)``, in [max_penalty, 0].

    ``unit``: ``"auto"`` / ``"tokens"`` (token ids when given, else words with unspaced scripts
    per character), ``"words"`` (always whitespace words, as ms-swift and open-r1 on text) or
    ``"chars"`` (always characters). ``repetition_words`` and ``repetition_chars`` are the
    registered variants, so spec strings and adapters can choose.

    >>> r = RepetitionPenalty(ngram_size=3)
    >>> r.penalty(r.units_of("这个这个这个这个这个"))
    -0.75
    >>> RepetitionPenalty(unit="words").penalty(text_units("这个这个这个这个这个", "words"))
    0.0
    """

    name = "repetition"
    needs_gold = False
    needs_answer = False
    default_unit = "auto"

    def __init__(
        self,
        ngram_size: int = 3,
        max_penalty: float = -1.0,
        unit: str | None = None,
        segmenter: str | Callable[[str], Sequence[str]] | None = None,
    ):
        if ngram_size < 1:
            raise ValueError("ngram_size must be >= 1")
        if max_penalty > 0:
            raise ValueError(f"max_penalty {max_penalty} should not be positive")
        unit = unit or self.default_unit
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        if segmenter == "jieba":
            import jieba  # noqa: F401  (fail at set-up, not during training)

            segmenter = _jieba
        elif segmenter is not None and not callable(segmenter):
            raise ValueError(f"segmenter must be a callable or 'jieba', not {segmenter!r}")
        self.ngram_size = ngram_size
        self.max_penalty = max_penalty
        self.unit = unit
        self.segmenter = segmenter

    def penalty(self, units: Sequence[Any]) -> float:
        return repetition_value(units, self.ngram_size, self.max_penalty)

    def units_of(self, text: str, token_ids: Sequence[int] | None = None) -> list[Any]:
        """The units of one completion (token ids, or text segmented by ``unit`` / ``segmenter``)."""
        if token_ids is not None and self.unit in ("auto", "tokens"):
            return list(token_ids)
        if self.segmenter is not None:
            return list(self.segmenter(text))
        return text_units(text, self.unit)

    def unit_name(self, sample: Sample) -> str:
        if sample.token_ids is not None and self.unit in ("auto", "tokens"):
            return "tokens"
        if self.segmenter is not None:
            return "segments"
        return {"words": "words", "chars": "chars"}.get(self.unit, "words/CJK chars")

    def decide(self, sample: Sample) -> Decision:
        units = self.units_of(sample.completion, sample.token_ids)
        score = self.penalty(units)
        outcome = Outcome.CORRECT if score == 0.0 else Outcome.INCORRECT
        return Decision(outcome, score, f"{len(units)} {self.unit_name(sample)}", by=self.name)


@register("repetition_words")
class RepetitionWords(RepetitionPenalty):
    """Repetition over lower-cased whitespace words, token ids ignored (ms-swift, open-r1 ``en``)."""

    name = "repetition_words"
    default_unit = "words"


@register("repetition_chars")
class RepetitionChars(RepetitionPenalty):
    """Repetition over characters (spaces skipped), token ids ignored: any script, no segmenter."""

    name = "repetition_chars"
    default_unit = "chars"
