"""The value-verifier base and the gates every answer-checking verifier runs first.

The protocol itself (:class:`Verifier`, :class:`Deferred`) is in :mod:`rlvr_rewards.protocol`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..brackets import last_side as _last_side
from ..parsing.values import Kind, Value
from ..prose import is_collection, several_values
from ..protocol import CORRECT, INCORRECT, Deferred, FunctionVerifier, Verifier, ask, pending  # noqa: F401  (re-exported)
from ..sample import Sample
from ..verdict import Decision, Outcome


def correct(detail: str = "") -> Decision:
    return Decision(Outcome.CORRECT, 1.0, detail)


def incorrect(detail: str = "") -> Decision:
    return Decision(Outcome.INCORRECT, 0.0, detail)


class ValueVerifier(Verifier):
    """A verifier that compares the parsed answer with each parsed gold alternative.

    ``compare`` returns True (equal), False (provably different) or None (cannot tell). Any
    alternative equal → correct; all provably different → incorrect; otherwise undecided.
    """

    answer_only = True
    _decisions: tuple[str, Decision, Decision] | None = None  # (name, correct, incorrect), built once

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        raise NotImplementedError

    def decide(self, sample: Sample) -> Decision | None:
        pred = sample.pred
        golds = sample.golds
        if pred is None or not golds:
            return None
        undecided = False
        for gold in golds:
            r = self.compare(pred, gold, sample)
            if r:
                return self._decision(True)
            if r is None:
                undecided = True
        return None if undecided else self._decision(False)

    def _decision(self, correct: bool) -> Decision:
        """The shared (immutable) correct / incorrect decision of this verifier."""
        made = self._decisions
        if made is None or made[0] != self.name:  # a renamed instance gets its own
            made = self._decisions = (
                self.name, Decision(Outcome.CORRECT, 1.0, "", self.name), Decision(Outcome.INCORRECT, 0.0, "", self.name),
            )
        return made[1] if correct else made[2]


def gate(verifier: Verifier, sample: Sample) -> Decision | None:
    """The checks before any comparison: bad gold, no answer, hedges, unparseable answers."""
    if verifier.needs_gold and not sample.golds:
        return Decision(Outcome.BAD_GOLD, 0.0, "the gold answer could not be parsed", by="gold")
    if not verifier.needs_answer:
        return None
    golds = sample.golds or ()
    ext = sample.extraction
    answer = ext.answer
    if answer is None:
        if ext.hedge:
            return _rejected("hedge: several different final answers")
        return Decision(Outcome.NO_ANSWER, 0.0, f"no final answer found ({ext.source})", by="extraction")
    if ext.hedge and not same_candidates(ext.candidates) and not is_collection(golds):
        # several answers are a hedge, unless the gold itself is a collection ("1, 3"): then they
        # are compared as one (Sample.pred joins them)
        return _rejected(f"hedge: several different final answers {list(ext.candidates)[:5]}")
    if several_values(answer) and not is_collection(golds):
        return _rejected("hedge: several different values in one answer")
    if ("\\pm" in answer or "\\mp" in answer) and not any(
        "\\pm" in g.raw or "\\mp" in g.raw or g.kind in (Kind.LIST, Kind.SET) for g in golds
    ):
        return _rejected("hedge: ± gives two answers")
    pred = sample.pred
    if pred is None:
        return _rejected("the answer could not be parsed")
    kind = pred.kind
    if kind is Kind.NUMBER:
        return None  # the checks below concern answers that are not a plain number
    if kind is Kind.LIST and golds and all(g.is_scalar for g in golds):
        return _rejected("hedge: a list of answers for a single-valued gold")
    if pred.raw.rstrip().endswith(_DANGLING):
        return _rejected("the answer is cut off: it ends with an operator")  # "154 +"
    if golds and all(g.kind in (Kind.NUMBER, Kind.EXPR) for g in golds) and _words_only(pred):
        return _rejected("the answer is words, the gold mathematics")  # "题目信息不足", "the first one"
    if golds and all(g.kind is Kind.NUMBER for g in golds) and _unevaluated(_last_side(pred.raw)):
        # "\\int_0^1 F(t)dt", "\\sum_{k=1}^\\infty …" against 0.5: the work is left undone, and
        # SymPy would spend seconds (or the whole deadline) doing it
        return _rejected("the answer is not evaluated: it still holds an integral, sum, product or limit")
    return None


def evaluate(verifier: Verifier, sample: Sample) -> Decision:
    """Run the gates then ``verifier`` on ``sample``; an undecided result is "incorrect".

    Memoised per sample, so composed parts that need the same verdict (``cosine`` reads the
    ``accuracy`` verdict) compute it once.
    """
    key = id(verifier)
    memo = sample._memo.get(key)
    if memo is not None:
        return memo
    decision = gate(verifier, sample) or ask(verifier, sample)
    if decision is None:
        decision = Decision(Outcome.INCORRECT, 0.0, "no verifier could establish equivalence", by=verifier.name)
    elif not decision.by:
        decision = replace(decision, by=verifier.name)
    if not pending(sample):  # a provisional result (slow work deferred) is not kept
        sample._memo[key] = decision
    return decision


def _words_only(pred: Value) -> bool:
    """An answer of words with no digit ("the first one", "题目信息不足"): never a number."""
    raw = pred.raw
    if any(c.isdigit() for c in raw) or _NUMBER_WORDS.search(raw):
        return False  # "twelve", "三分之一": a number in words is left to SymPy or the judge
    if pred.kind is Kind.TEXT:
        return True
    return "\\" not in raw and sum(1 for c in raw if c.isalpha() and ord(c) >= 0x600) >= 2


_NUMBER_WORDS = re.compile(
    r"(?i:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|third|quarter|dozen|none)"
    r"|[零一二两三四五六七八九十百千万亿半]"
)
_DANGLING = ("+", "-", "*", "/", "=", "^", "\\times", "\\cdot", "\\div")
_UNEVALUATED = re.compile(r"\\(?:i{0,3}int|oint|lim|partial)(?![A-Za-z])|[∫∬∭∮∂]|\blim(?:\b|_)")
_SERIES = re.compile(r"\\(?:sum|prod)(?![A-Za-z])|[∑∏]")


def _unevaluated(text: str) -> bool:
    """An integral, limit or derivative, or an infinite series: work left undone. A finite sum
    (``\\sum_{k=1}^{10} k``) is cheap for SymPy and is left to it."""
    if _UNEVALUATED.search(text):
        return True
    return _SERIES.search(text) is not None and ("infty" in text or "∞" in text)


def _rejected(detail: str) -> Decision:
    return Decision(Outcome.INCORRECT, 0.0, detail, by="extraction")


def same_candidates(candidates: tuple[str, ...]) -> bool:
    """Several answers that all give the same number (``3`` and ``3.0``; "0.1814 or 18.14%": a
    value and its percentage) are not a hedge."""
    from ..parsing.values import parse_value

    values = [parse_value(c) for c in candidates]
    if len(values) < 2 or any(v is None or v.kind is not Kind.NUMBER or v.number is None for v in values):
        return False
    numbers = [v.number / 100 if v.percent else v.number for v in values]  # type: ignore[union-attr, operator]
    return all(x == numbers[0] for x in numbers)
