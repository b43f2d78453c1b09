"""``mcq``: multiple-choice letters A–J, anchored, case-sensitive, negation-aware.

The letter comes from the extracted final answer (``B``, ``(B)``, ``\\boxed{B}``,
``**Answer:** B``, "The answer is B, a prime number.", "B (no)", "(C): 10°", "答案：D"); with
``options`` given, an answer that states one option's content is that option's letter, and a
letter whose stated content is another option or a different value ("(D) 140°" when D is 20°)
is not accepted. Without a marked answer, anchored patterns are searched from the end of the
completion, skipping letters after "not" and echoed prompts ("answer with the option letter,
e.g., A, B, C, D"). Two or more different letters, or every option listed, are a hedge. The
reading itself lives in :mod:`.mcq_extract`.
"""

from __future__ import annotations

from ..extraction import split_alternatives
from ..letters import gold_letter, reads_completion  # re-exported: the one letter-gold rule
from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from .base import Verifier
from .mcq_extract import (
    CONTRA,
    HEDGE,
    LETTERS,
    clean_options,
    cue_after,
    leads_with_letter,
    read_answer,
    search_text,
)

__all__ = ["LETTERS", "MCQVerifier", "gold_letter", "letter_of", "reads_completion"]

# Extraction sources that mark the final answer; anything else ("none", "bare", an unmarked
# "statement") leaves the choice to the completion's own cues. batch.py keys those on the text.
MARKED = frozenset(
    {"boxed", "answer_tag", "the_answer_is", "final_answer", "answer_colon", "bold_answer", "hashes", "cn_answer"}
)
PHRASE_MARKED = frozenset({"the_answer_is", "final_answer", "answer_colon", "bold_answer", "cn_answer"})


def letter_of(answer: str, options: list[str] | None = None) -> str | None | bool:
    """The letter an extracted answer names; False for several letters (a hedge); None if none."""
    got = read_answer(answer, options)
    return None if got == CONTRA else got


@register("mcq", aliases=("multiple_choice",))
class MCQVerifier(Verifier):
    """Multiple-choice letters A–J: anchored, case-sensitive, option text mapped to its letter."""

    name = "mcq"
    needs_answer = False
    answer_only = False  # reads the completion itself (cues after a box, unmarked answers)

    def decide(self, sample: Sample) -> Decision | None:
        golds = [g for g in (gold_letter(str(v.raw)) for v in sample.golds or ()) if g]
        if not golds:
            return None  # not a letter gold: let a math tier decide
        options = clean_options(sample.options)
        ext = sample.extraction
        letter: str | None | bool = None
        if ext.source not in MARKED:
            # No marked answer ("none", "bare", an unmarked final statement): the completion's own
            # cues and letter lines decide first, the unmarked answer only when they name nothing.
            letter = search_text(sample.completion, options)
            if letter is HEDGE:
                return _incorrect("hedge: several options chosen")
            if letter == CONTRA:
                return _incorrect("the stated option text contradicts its letter")
        if letter is None and ext.answer is not None and leads_with_letter(ext.answer) and (
            not ext.hedge or all(c in ext.answer for c in ext.candidates)
        ):
            # "(B) Does it slide faster with wax or without?": the letter is explicit; an "or" in
            # its option text is no hedge (the content must still agree with the option)
            letter = read_answer(ext.answer, options)
            if letter == CONTRA:
                return _incorrect("the stated option text contradicts its letter")
            if letter is HEDGE:
                return _incorrect("hedge: several options chosen")
        if letter is None and ext.answer is not None:
            alternatives = split_alternatives(ext.answer)
            parts = [*alternatives, *(ext.candidates if ext.hedge else ())]
            letters = set()
            for a in parts:
                got = read_answer(a, options)
                if got is None and ext.source in MARKED:
                    got = search_text(a, options)
                letters.add(got)
            if CONTRA in letters:
                return _incorrect("the stated option text contradicts its letter")
            if len(parts) > 1 and None in letters:
                letters.discard(None)
                if letters:  # "I would go with A or C": one part names a letter only by a cue
                    letters.add(HEDGE)
            if HEDGE in letters or len(letters - {None}) > 1:
                return _incorrect("hedge: several options chosen")
            letter = next(iter(letters - {None}), None)
        elif letter is None and ext.hedge:
            return _incorrect("hedge: several different final answers")
        if letter is None and ext.answer is not None and ext.source in MARKED:
            # A marked answer that names no option ("\\boxed{58} square cm. The answer is B."):
            # a cue after it in the completion decides.
            letter = cue_after(sample.completion, ext.answer, options, anywhere=ext.source in PHRASE_MARKED)
            if letter is HEDGE:
                return _incorrect("hedge: several options chosen")
            if letter == CONTRA:
                return _incorrect("the stated option text contradicts its letter")
        if letter is None:
            if ext.answer is not None:
                return _incorrect("the answer names no option")
            return Decision(Outcome.NO_ANSWER, 0.0, "no option letter found", "mcq")
        if letter in golds:
            return _correct(f"chose {letter}")
        return _incorrect(f"chose {letter}, gold {'/'.join(golds)}")


def _correct(detail: str) -> Decision:
    return Decision(Outcome.CORRECT, 1.0, detail, "mcq")  # by set here: no dataclasses.replace later


def _incorrect(detail: str) -> Decision:
    return Decision(Outcome.INCORRECT, 0.0, detail, "mcq")
