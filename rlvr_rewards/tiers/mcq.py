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
# "B) 42", "(B) 42", "B. 42" — a letter needs punctuation to lead an answer ("A careful…", "I think…").
_LEAD = re.compile(r"^(?:\(([A-J])\)|([A-J])[.:)])(?:\s|$)")
_ONLY = re.compile(r"^\(?([A-J])\)?[.:]?$")
_SEP = r"(?:\s*(?:,|;|&|/|\band\b|\bor\b)\s*|\s+)"
_LETTER_LIST = re.compile(rf"^\(?[A-J]\)?(?:{_SEP}\(?[A-J]\)?)+[.]?$")
# Cues that name the chosen option. Letters themselves are case-sensitive.
_CUE = re.compile(
    r"(?i:\b(?:answer|option|choice)\s*(?:is|:|would\s+be|should\s+be|=)?|\bmust\s+be|\bwe\s+get"
    r"|\bchoose|\bselect|\bpick|\bgo\s+with)\s*:?\s*\**\s*\(?([A-J])\)?(?![A-Za-z'])"
)
# A letter named in a clause that rules it out: "not B", "eliminating option B and option C".
_NEGATION = re.compile(
    r"(?i:\bnot\b|\bn't\b|eliminat\w*|\brule[sd]?\s+out|\bruling\s+out|exclud\w*|\bexcept\b)[^,.;:!?\n]*$"
)
_WRONG_AFTER = re.compile(
    r"\)?\s*(?i:is\s+(?:wrong|incorrect|false|not|eliminated|ruled\s+out|impossible)|can\s+be\s+(?:eliminated|ruled\s+out)|isn't)"
)
_PAREN_LETTER = re.compile(r"\(([A-J])\)")
_MORE_LETTERS = re.compile(r"\s*(?:,|/|&|\bor\b|\band\b)\s*\(?([A-J])\)?(?![A-Za-z'])")


def letter_of(answer: str, options: list[str] | None = None) -> str | None | bool:
    """The letter an extracted answer names; False for several letters (a hedge); None if none."""
    text = normalize(answer).strip()
    text = text.strip("*").strip()
    if _LETTER_LIST.match(text):
        letters = set(re.findall(r"[A-J]", text))
        return letters.pop() if len(letters) == 1 else False
    m = _ONLY.match(text)
    if m:
        return m.group(1)
    m = _LEAD.match(text)
    if m:
        return m.group(1) or m.group(2)
    if options:
        key = _canon(text)
        for i, option in enumerate(options[: len(LETTERS)]):
            if key and key == _canon(option):
                return LETTERS[i]
    return None


def _canon(text: str) -> str:
    return "".join(normalize(str(text)).lower().split()).rstrip(".")


def _search_tail(text: str) -> str | None | bool:
    """The chosen letter in a completion without a marked answer.

    The last cue ("answer is D", "we get D", "choose D") wins, skipping letters ruled out in
    their clause ("it is not B", "eliminating option B and option C", "B is wrong"). Without a
    cue, lines that hold only letters and a final "(D)" count; two different letters there are
    a hedge (False).
    """
    tail = text[-4000:]
    found: str | None | bool = None
    for m in _CUE.finditer(tail):
        if _NEGATION.search(tail[max(0, m.start() - 80) : m.start(1)]) or _WRONG_AFTER.match(tail, m.end(1)):
            continue
        more = _MORE_LETTERS.match(tail, m.end())
        found = False if more and more.group(1) != m.group(1) else m.group(1)  # "go with A or C"
    if found is not None:
        return found
    letters: set[str] = set()
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    for line in lines:
        clean = line.strip("*").strip()
        if _LETTER_LIST.match(clean) or _ONLY.match(clean):
            letters.update(re.findall(r"[A-J]", clean))
    if lines and re.search(r"\([A-J]\)\s*[.!]?$", lines[-1]):
        letters.update(_PAREN_LETTER.findall(lines[-1]))
    if len(letters) > 1:
        return False
    return letters.pop() if letters else None


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
            parts = [*alternatives, *(ext.candidates if ext.hedge else ())]
            letters = {letter_of(a, sample.options) or _search_tail(a) for a in parts}
            if len(parts) > 1 and None in letters:
                letters.discard(None)
                if letters:  # "I would go with A or C": one part names a letter only by a cue
                    letters.add(False)
            if False in letters or len(letters - {None}) > 1:
                return incorrect("hedge: several options chosen")
            letter = next(iter(letters - {None}), None)
        elif ext.hedge:
            return incorrect("hedge: several different final answers")
        if letter is None and ext.source in ("none", "bare"):
            letter = _search_tail(sample.completion)
            if letter is False:
                return incorrect("hedge: several options chosen")
        if letter is None:
            if ext.answer is not None:
                return incorrect("the answer names no option")
            return Decision(Outcome.NO_ANSWER, 0.0, "no option letter found")
        if letter in golds:
            return correct(f"chose {letter}")
        return incorrect(f"chose {letter}, gold {'/'.join(golds)}")
