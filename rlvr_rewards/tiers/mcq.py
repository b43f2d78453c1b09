"""``mcq``: multiple-choice letters A–J, anchored, case-sensitive, negation-aware.

The letter comes from the extracted final answer (``B``, ``(B)``, ``\\boxed{B}``,
``**Answer:** B``, "The answer is B, a prime number."); when the answer is the text of an option
it is mapped to that option's letter. Without a marked answer, anchored patterns are searched
from the end of the completion, skipping letters after "not". Two or more different letters are
a hedge.
"""

from __future__ import annotations

import re

from ..extraction import split_alternatives
from ..parsing.normalize import normalize
from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from .base import Verifier, correct, incorrect

LETTERS = "ABCDEFGHIJ"
_LEAD = re.compile(r"^\(?([A-J])\)?(?:[.:)]|\s|$)")
_ONLY = re.compile(r"^\(?([A-J])\)?[.:]?$")
_LETTER_LIST = re.compile(r"^\(?[A-J]\)?(?:\s*(?:,|and|or|&|/)\s*\(?[A-J]\)?)+$")
_ANCHORED = re.compile(
    r"(?:answer|option|choice)\s*(?:is|:|would be|=)?\s*:?\s*\**\s*\(?([A-J])\)?(?![A-Za-z])"
    r"|\(([A-J])\)\s*$|^\s*\(?([A-J])\)?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_NOT = re.compile(r"\bnot\s*\(?$", re.IGNORECASE)


def letter_of(answer: str, options: list[str] | None = None) -> str | None | bool:
    """The letter an extracted answer names; False for several letters (a hedge); None if none."""
    text = normalize(answer).strip()
    text = text.strip("*").strip()
    if _LETTER_LIST.match(text):
        letters = set(re.findall(r"[A-J]", text))
        return letters.pop() if len(letters) == 1 else False
    m = _ONLY.match(text) or _LEAD.match(text)
    if m:
        return m.group(1)
    if options:
        key = _canon(text)
        for i, option in enumerate(options[: len(LETTERS)]):
            if key and key == _canon(option):
                return LETTERS[i]
    return None


def _canon(text: str) -> str:
    return "".join(normalize(str(text)).lower().split()).rstrip(".")


def _search_tail(text: str) -> str | None:
    """Last anchored letter in the completion, skipping negated ones ("not B")."""
    tail = text[-4000:]
    found = None
    for m in _ANCHORED.finditer(tail):
        letter = m.group(1) or m.group(2) or m.group(3)
        if letter is None or letter not in LETTERS:
            continue
        if _NOT.search(tail[max(0, m.start() - 12) : m.start() + (m.group(0).find(letter))]):
            continue
        found = letter
    return found


def gold_letter(gold: str) -> str | None:
    m = _ONLY.match(normalize(str(gold)).strip())
    return m.group(1) if m else None


@register("mcq", aliases=("multiple_choice",))
class MCQVerifier(Verifier):
    """Multiple-choice letters A–J: anchored, case-sensitive, option text mapped to its letter."""

    name = "mcq"
    needs_answer = False
    answer_only = True  # without an extracted answer the batch key is the whole completion

    def decide(self, sample: Sample) -> Decision | None:
        golds = [g for g in (gold_letter(v.raw) for v in sample.golds or ()) if g]
        if not golds:
            return None  # not a letter gold: let a math tier decide
        ext = sample.extraction
        letter: str | None | bool = None
        if ext.answer is not None:
            alternatives = split_alternatives(ext.answer)
            letters = {letter_of(a, sample.options) for a in alternatives}
            if ext.hedge:
                letters |= {letter_of(c, sample.options) for c in ext.candidates}
            if False in letters or len(letters - {None}) > 1:
                return incorrect("hedge: several options chosen")
            letter = next(iter(letters - {None}), None)
        elif ext.hedge:
            return incorrect("hedge: several different final answers")
        if letter is None and ext.source in ("none", "bare"):
            letter = _search_tail(sample.completion)
        if letter is None:
            return Decision(Outcome.NO_ANSWER, 0.0, "no option letter found")
        if letter in golds:
            return correct(f"chose {letter}")
        return incorrect(f"chose {letter}, gold {'/'.join(golds)}")
