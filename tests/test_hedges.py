"""Hedged answers (several candidate answers at once) must never earn the reward.

Each hedge is graded against every gold it names; the result is ``incorrect`` (``no_answer``
for an empty answer tag) and the score is never 1.
"""

from __future__ import annotations

import pytest

from rlvr_rewards import Outcome, check, check_batch

NUMERIC_HEDGES = [
    (r"\boxed{3 \text{ or } 4}", ("3", "4")),
    (r"\boxed{3 \quad\text{or}\quad 4}", ("3", "4")),
    (r"\boxed{3 or 4}", ("3", "4")),
    ("3 or 4", ("3", "4")),
    ("The answer is 3 or 4.", ("3", "4")),
    ("The answer is $3$ or $4$.", ("3", "4")),
    (r"\boxed{x=3 \text{ or } x=4}", ("3", "4", "x=3", "x=4")),
    (r"\boxed{3} and \boxed{4}", ("3", "4")),
    (r"\boxed{3} \boxed{4}", ("3", "4")),
    ("First \\boxed{3}.\n\nOn reflection \\boxed{4}.", ("3", "4")),
    (r"\boxed{3}, \boxed{4}, \boxed{5}", ("3", "4", "5")),
    (r"\boxed{3, 4}", ("3", "4")),
    (r"\boxed{3,4}", ("3", "4")),
    (r"\boxed{3 \pm 1}", ("2", "3", "4")),
    (r"\boxed{3\pm1}", ("2", "3", "4")),
    (r"\boxed{3 \mp 1}", ("2", "3", "4")),
    (r"<answer>3 or 4</answer>", ("3", "4")),
    (r"<answer>\boxed{3} \boxed{4}</answer>", ("3", "4")),
]


@pytest.mark.parametrize("verifier", ["accuracy", "math"])
@pytest.mark.parametrize(
    ("completion", "golds"), NUMERIC_HEDGES, ids=[c for c, _ in NUMERIC_HEDGES]
)
def test_numeric_hedges_are_incorrect(completion, golds, verifier):
    for gold in golds:
        v = check(completion, gold, verifier=verifier)
        assert v.outcome is Outcome.INCORRECT, (gold, v.explain())
        assert v.score == 0.0, (gold, v.explain())


# A short bare sentence is reduced to its LAST inline math span, dropping the other candidates.
BARE_SPAN_HEDGES = [
    ("$3$ or $4$", ("3", "4")),
    ("Either $3$ or $4$.", ("3", "4")),
    ("It is $3$ or maybe $4$", ("3", "4")),
    (r"\(3\) or \(4\)", ("3", "4")),
    ("$x=3$ or $x=4$", ("3", "4")),
    ("Maybe $3$; maybe $4$.", ("3", "4")),
    ("$A$ or $B$", ("A", "B")),
]


def _span_cases():
    for completion, golds in BARE_SPAN_HEDGES:
        for gold in golds:
            yield pytest.param(completion, gold, id=f"{completion}|{gold}")


@pytest.mark.parametrize(("completion", "gold"), list(_span_cases()))
def test_bare_sentence_with_several_math_spans_is_a_hedge(completion, gold):
    v = check(completion, gold)
    assert v.score == 0.0, v.explain()
    assert v.outcome is Outcome.INCORRECT, v.explain()


def test_same_value_boxed_twice_is_not_a_hedge():
    assert check(r"\boxed{3} so again \boxed{3.0}", "3").score == 1.0


def test_list_answer_is_fine_for_a_list_gold():
    assert check(r"\boxed{3, 4}", "3, 4").score == 1.0


def test_pm_answer_is_fine_for_a_pm_gold():
    assert check(r"\boxed{2 \pm 1}", r"2 \pm 1").score == 1.0


@pytest.mark.parametrize(
    "completion",
    [
        "<answer></answer>",
        "<answer> </answer>",
        "<think>x</think><answer></answer>",
        "<answer>\n</answer>",
    ],
)
def test_empty_answer_tags_are_no_answer(completion):
    for gold in ("3", "B"):
        v = check(completion, gold)
        assert v.outcome is Outcome.NO_ANSWER, v.explain()
        assert v.score == 0.0


# ---------------------------------------------------------------- multiple choice

LETTER_HEDGES = [
    "A, B or C",
    "A, B, C or D",
    "A, B, C, D",
    "The answer is A, B, C, or D.",
    r"\boxed{A, B, C, D}",
    r"\boxed{A,B,C,D}",
    r"\boxed{A \text{ or } B \text{ or } C \text{ or } D}",
    r"\boxed{A}, \boxed{B}, \boxed{C}, \boxed{D}",
    "A or B or C or D",
    "A/B/C/D",
    "The answer is (A) or (B) or (C) or (D)",
    r"\boxed{(A), (B), (C), (D)}",
]

# Space-separated letter lists are read as their first letter, so gold A scores 1.
SPACE_HEDGES = ["(A) (B) (C) (D)", r"\boxed{(A) (B) (C) (D)}", "A B C D", r"\boxed{A B C D}"]

# Without a marked answer the tail search takes the LAST anchored letter, so listing every option
# (one per line, or in a short bare line) or "(A) or (D)" scores 1 when the gold is the last one.
TAIL_HEDGES = [
    "A\nB\nC\nD",
    "(A)\n(B)\n(C)\n(D)",
    "Let me think.\n(A)\n(B)\n(C)\n(D)",
    "Let me see... (A) (B) (C) (D)",
    "Long reasoning.\nMore reasoning.\n(A) or (D)",
]


def _letter_cases():
    for completion in LETTER_HEDGES:
        for gold in "ABCD":
            yield pytest.param(completion, gold, id=f"{completion}|{gold}")
    for completion in SPACE_HEDGES:
        for gold in "ABCD":
            yield pytest.param(completion, gold, id=f"{completion}|{gold}")
    for completion in TAIL_HEDGES:
        for gold in "ABCD":
            yield pytest.param(completion, gold, id=f"{completion!r}|{gold}")


@pytest.mark.parametrize("verifier", ["accuracy", "mcq"])
@pytest.mark.parametrize(("completion", "gold"), list(_letter_cases()))
def test_every_option_listed_is_incorrect(completion, gold, verifier):
    v = check(completion, gold, verifier=verifier)
    assert v.score == 0.0, v.explain()
    assert v.outcome is Outcome.INCORRECT, v.explain()


OPTIONS = ["Paris", "London", "Berlin", "Rome"]


@pytest.mark.parametrize(
    "completion", [r"\boxed{Paris or London}", "Paris or London or Berlin or Rome"]
)
def test_option_texts_hedge_is_incorrect(completion):
    for gold in "ABCD":
        v = check(completion, gold, options=OPTIONS)
        assert v.outcome is Outcome.INCORRECT, v.explain()
        assert v.score == 0.0


def test_all_option_texts_with_commas_is_incorrect():
    for gold in "ABCD":
        v = check(r"\boxed{Paris, London, Berlin, Rome}", gold, options=OPTIONS)
        assert v.score == 0.0
        assert v.outcome is Outcome.INCORRECT, v.explain()


def test_option_texts_with_commas_never_score():
    for gold in "ABCD":
        assert check(r"\boxed{Paris, London, Berlin, Rome}", gold, options=OPTIONS).score == 0.0


# ---------------------------------------------------------------- the same through batches and composed rewards


def test_hedges_never_score_in_a_batch():
    completions = [c for c, _ in NUMERIC_HEDGES] + LETTER_HEDGES
    golds = [g[0] for _, g in NUMERIC_HEDGES] + ["A"] * len(LETTER_HEDGES)
    for verdict in check_batch(completions, golds):
        assert verdict.score == 0.0, verdict.explain()
        assert verdict.outcome is Outcome.INCORRECT, verdict.explain()


def test_hedge_in_r1_format_gets_format_credit_only():
    v = check("<think>hmm</think><answer>3 or 4</answer>", "3", verifier="r1")
    assert v.outcome is Outcome.INCORRECT
    assert v.parts.get("accuracy") == 0.0
    assert v.score == pytest.approx(0.1)


def test_cue_letter_with_alternative_is_a_hedge():
    # Regression: "go with A or C" was split into "I would go with A" (no letter) and "C" -> C.
    for gold in "AC":
        assert check("I would go with A or C.", gold).score == 0.0
        assert check("<think>\nB is out.\n</think>\nI would go with (A) or (C).", gold).score == 0.0
    assert check("I would go with C.", "C").score == 1.0
