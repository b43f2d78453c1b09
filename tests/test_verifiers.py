"""Unit tests per verifier, each called by name through ``check(..., verifier=...)``.

Covers equivalent forms, negative cases every math tier must reject, gold shapes, bad golds,
the tolerance policy, the strict R1 format verifier and the multiple-choice verifier.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from rlvr_rewards import Outcome, Tolerance, check, grade
from rlvr_rewards.verifiers import create_verifier

MATH_VERIFIERS = ("exact", "numeric", "fraction", "latex", "symbolic", "math", "accuracy")
ALL_VERIFIERS = (*MATH_VERIFIERS, "mcq", "format")


def assert_correct(completion, gold, **kw):
    v = check(completion, gold, **kw)
    assert v.outcome is Outcome.CORRECT, v.explain()
    assert v.score == 1.0, v.explain()
    return v


def assert_not_correct(completion, gold, **kw):
    v = check(completion, gold, **kw)
    assert v.outcome is not Outcome.CORRECT, v.explain()
    assert v.score == 0.0, v.explain()
    return v


# ---------------------------------------------------------------- every verifier by name


@pytest.mark.parametrize("name", ALL_VERIFIERS)
def test_every_verifier_runs_by_name_and_reports_itself(name):
    v = check(r"<think>x</think><answer>\boxed{3}</answer>", "3", verifier=name)
    assert isinstance(v.outcome, Outcome)
    assert 0.0 <= v.score <= 1.0
    assert v.verifier  # the deciding tier is named
    assert v.elapsed >= 0.0


# ---------------------------------------------------------------- negative cases

NEGATIVE = [
    pytest.param(r"\boxed{3}", "4", id="different-integers"),
    pytest.param(r"\boxed{-7}", "7", id="sign"),
    pytest.param(r"\boxed{(1,2)}", "[1,2]", id="tuple-vs-interval"),
    pytest.param(r"\boxed{[1,2]}", "(1,2)", id="interval-vs-tuple"),
    pytest.param(r"\boxed{(2,1)}", "(1,2)", id="ordered-pair-swapped"),
    pytest.param(r"\boxed{2}", "2.0001", id="2-vs-2.0001"),
    pytest.param(r"\boxed{2.0001}", "2", id="2.0001-vs-2"),
    pytest.param(r"\boxed{50}", "0.5", id="50-vs-0.5"),
    pytest.param(r"\boxed{0.5}", "50", id="0.5-vs-50"),
    pytest.param(r"\boxed{3.14}", r"\pi", id="3.14-vs-pi"),
    pytest.param(r"\boxed{\frac{1}{2^{99}}}", r"\frac{1}{2^{98}}", id="2^-99-vs-2^-98"),
    pytest.param(r"\boxed{10^{20}+1}", "10^{20}", id="1e20+1-vs-1e20"),
    pytest.param(r"\boxed{100000000000000000001}", "100000000000000000000", id="huge-int-literals"),
    pytest.param(r"\boxed{x^2+2x+1}", "x^2+2x+2", id="polynomials"),
]

@pytest.mark.parametrize("name", MATH_VERIFIERS)
@pytest.mark.parametrize(("completion", "gold"), NEGATIVE)
def test_negative_cases_are_never_correct(name, completion, gold):
    # Regression: math-verify rounds to 6 decimals, so the symbolic tier once said 2^-99 == 2^-98.
    v = assert_not_correct(completion, gold, verifier=name)
    assert v.outcome in (Outcome.INCORRECT, Outcome.NO_ANSWER), v.explain()


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"\boxed{\frac{1}{\lceil 2^{99} \rceil}}", "2^{-98}"),
        (r"\boxed{\frac{\lfloor 1.5 \rfloor}{2^{99}}}", r"\frac{1}{2^{98}}"),
    ],
)
def test_tiny_magnitudes_through_symbolic_with_default_verifier(completion, gold):
    assert_not_correct(completion, gold)


def test_pi_is_not_a_decimal_approximation_under_any_tolerance_default():
    assert grade(r"\boxed{3.14159}", r"\pi") == 0.0


# ---------------------------------------------------------------- equivalent forms (accuracy)

EQUIVALENT = [
    (r"\boxed{\dfrac{\pi}{2}}", "pi/2"),
    (r"\boxed{e^{16}-1}", r"-1+\exp(16)"),
    (r"\boxed{7,425,000}", "7425000"),
    (r"\boxed{5\text{ cm}}", "5"),
    (r"\boxed{30^\circ}", "30"),
    (r"\boxed{x=3}", "3"),
    (r"\boxed{\left(3,\frac{\pi}{2}\right)}", r"(3,\frac{\pi}{2})"),
    (r"\boxed{(-\infty,-5)}", "k<-5"),
    (r"\boxed{\{1,2\}}", r"\{2,1\}"),
    (r"\boxed{\text{(A)}}", "A"),
    ("140°", "<answer>140</answer>"),
    ("The answer is 140°.", "<answer>140</answer>"),
]


@pytest.mark.parametrize(("completion", "gold"), EQUIVALENT)
def test_equivalent_forms_with_default_accuracy(completion, gold):
    assert_correct(completion, gold)
    assert grade(completion, gold) == 1.0


# ---------------------------------------------------------------- per-tier positives


@pytest.mark.parametrize(
    ("name", "completion", "gold"),
    [
        ("exact", r"\boxed{5\text{ cm}}", "5"),
        ("exact", r"\boxed{x=3}", "3"),
        ("exact", r"\boxed{\left(3,\frac{\pi}{2}\right)}", r"(3,\frac{\pi}{2})"),
        ("exact", r"\boxed{Evelyn}", "evelyn"),
        ("numeric", r"\boxed{7,425,000}", "7425000"),
        ("numeric", r"\boxed{2.50}", "2.5"),
        ("numeric", r"\boxed{1.5e3}", "1500"),
        ("numeric", r"\boxed{50\%}", "50"),
        ("fraction", r"\boxed{\frac{6}{4}}", "3/2"),
        ("fraction", r"\boxed{1\frac{1}{2}}", "3/2"),
        ("fraction", r"\boxed{\frac{6}{4}}", "1.5"),
        ("latex", r"\boxed{\dfrac{\pi}{2}}", "pi/2"),
        ("latex", r"\boxed{\{1,2\}}", r"\{2,1\}"),
        ("latex", r"\boxed{x^2+2x+1}", "(x+1)^2"),
        ("latex", r"\boxed{\sqrt{8}}", r"2\sqrt{2}"),
        ("symbolic", r"\boxed{(-\infty,-5)}", "k<-5"),
        ("symbolic", r"\boxed{\sum_{k=1}^{10} k}", "55"),
        ("symbolic", r"\boxed{\sqrt{8}}", r"2\sqrt{2}"),
        ("mcq", r"\boxed{(B)}", "B"),
        ("math", r"\boxed{e^{16}-1}", r"-1+\exp(16)"),
        ("math", r"\boxed{x^2+2x+1}", "(x+1)^2"),
        ("accuracy", r"\boxed{B}", r"\text{(B)}"),
    ],
)
def test_tier_positive(name, completion, gold):
    v = assert_correct(completion, gold, verifier=name)
    if name not in ("math", "accuracy"):
        assert v.verifier == name


def test_cascade_reports_the_deciding_tier():
    assert check(r"\boxed{3}", "3").verifier == "exact"
    assert check(r"\boxed{3.0}", "3").verifier == "numeric"
    assert check(r"\boxed{(-\infty,-5)}", "k<-5").verifier == "latex"  # intervals vs inequalities
    assert check(r"\boxed{2\sqrt{x}}", r"\sqrt{4x}").verifier == "symbolic"  # roots: SymPy decides equal


# ---------------------------------------------------------------- gold shapes


@pytest.mark.parametrize(
    "gold",
    [
        "3",
        "$3$",
        r"\[3\]",
        r"\boxed{3}",
        "<answer> 3 </answer>",
        3,
        3.0,
        Fraction(3, 1),
        np.int64(3),
        np.float64(3.0),
        ["4", "3"],
        ("3",),
        "['3', '4']",
        "['4', '3']",
        b"3",
    ],
    ids=repr,
)
def test_gold_shapes(gold):
    v = assert_correct(r"The answer is \boxed{3}.", gold)
    assert v.gold is not None


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        (r"\boxed{0.5}", 0.5),
        (r"\boxed{\frac{1}{2}}", Fraction(1, 2)),
        (r"\boxed{1/2}", np.float32(0.5)),
        (r"\boxed{4}", "['3', '4']"),
    ],
    ids=repr,
)
def test_gold_shapes_non_integer(completion, gold):
    assert_correct(completion, gold)


def test_list_of_alternatives_does_not_accept_others():
    assert_not_correct(r"\boxed{5}", ["3", "4"])
    assert_not_correct(r"\boxed{5}", "['3', '4']")


@pytest.mark.parametrize("completion", [r"\boxed{0.5}", r"\boxed{\frac{1}{2}}"])
def test_numpy_float64_gold(completion):
    assert_correct(completion, np.float64(0.5))


def test_numpy_float32_gold():
    assert_correct(r"\boxed{0.1}", np.float32(0.1))


@pytest.mark.parametrize(
    "gold",
    [None, "", "   ", r"\frac{1}{", r"\boxed{", "x" * 5000, "1" * 5000, float("nan"), [], "None", "nan", "NaN", "null"],
    ids=lambda g: repr(g)[:20],
)
@pytest.mark.parametrize("completion", [r"\boxed{3}", "3", "x" * 5000, ""])
def test_bad_gold_is_bad_gold_and_never_one(gold, completion):
    v = check(completion, gold)
    assert v.outcome is Outcome.BAD_GOLD, v.explain()
    assert v.score == 0.0
    assert v.reward is None
    assert grade(completion, gold) == 0.0


@pytest.mark.parametrize("name", [*MATH_VERIFIERS, "mcq"])
def test_bad_gold_per_verifier(name):
    v = check(r"\boxed{3}", None, verifier=name)
    assert v.outcome is Outcome.BAD_GOLD, v.explain()
    assert v.score == 0.0


# ---------------------------------------------------------------- tolerance policy


def test_rounded_gold_needs_round_to_decimal():
    # by default a decimal gold accepts a more precise answer that rounds to it (gold precision)
    assert check(r"\boxed{\frac{1}{3}}", "0.33").outcome is Outcome.CORRECT
    assert check(r"\boxed{\frac{1}{3}}", "0.33", tolerance=Tolerance(gold_precision=False)).outcome is Outcome.INCORRECT
    assert_correct(r"\boxed{\frac{1}{3}}", "0.33", tolerance=Tolerance(round_to_decimal=True))
    assert_correct(r"\boxed{0.33}", r"\frac{1}{3}", tolerance=Tolerance(round_to_decimal=True))
    # only the value that rounds to the written decimal
    assert_not_correct(r"\boxed{0.34}", r"\frac{1}{3}", tolerance=Tolerance(round_to_decimal=True))


def test_relative_tolerance():
    assert_correct(r"\boxed{100.0}", "101", tolerance=Tolerance(rel=0.02))
    assert_correct(r"\boxed{100.0}", "101", tolerance=0.02)  # a bare float means rel
    assert_not_correct(r"\boxed{100.0}", "103", tolerance=Tolerance(rel=0.02))
    assert_not_correct(r"\boxed{100.0}", "101")  # default rel is tiny
    # integers and exact rationals always compare exactly
    assert_not_correct(r"\boxed{100}", "101", tolerance=Tolerance(rel=0.02))


def test_absolute_tolerance():
    assert_correct(r"\boxed{0.001}", "0", tolerance=Tolerance(abs=0.01))
    assert_not_correct(r"\boxed{0.1}", "0", tolerance=Tolerance(abs=0.01))


def test_percent_policy():
    assert_correct(r"\boxed{50\%}", "50")
    assert_correct(r"\boxed{50\%}", "0.5")
    assert_not_correct(r"\boxed{50}", "0.5")


# ---------------------------------------------------------------- format verifier

FORMAT_OK = [
    "<think>abc</think><answer>3</answer>",
    "<think>line 1\nline 2\n\nline 3</think>\n<answer>3</answer>",
    "  <think>a</think> \n <answer>3</answer>\n",
]
FORMAT_BAD = [
    ("<think>a</think><answer>3</answer> trailing", "trailing-text"),
    ("<think>a</think><answer>3</answer><answer>4</answer>", "second-answer"),
    ("<think></think><answer>3</answer>", "empty-think"),
    ("<think>  </think><answer>3</answer>", "blank-think"),
    ("<think>a</think><answer></answer>", "empty-answer"),
    ("<think>a</think><answer> </answer>", "blank-answer"),
    ("the answer is 3", "no-tags"),
    ("<think>a</think>3", "no-answer-tags"),
    ("<answer>3</answer>", "no-think-tags"),
    ("<answer>3</answer><think>a</think>", "wrong-order"),
    ("preamble <think>a</think><answer>3</answer>", "leading-text"),
    ("<think>a</think>between<answer>3</answer>", "text-between"),
    ("<think>a<think>b</think><answer>3</answer>", "two-think-open"),
]


@pytest.mark.parametrize("completion", FORMAT_OK)
def test_format_ok(completion):
    v = assert_correct(completion, "3", verifier="format")
    assert v.verifier == "format"


def test_format_does_not_need_gold_or_correct_answer():
    assert_correct("<think>a</think><answer>4</answer>", "3", verifier="format")
    assert_correct("<think>a</think><answer>4</answer>", None, verifier="format")


@pytest.mark.parametrize(("completion", "case"), FORMAT_BAD, ids=[c for _, c in FORMAT_BAD])
def test_format_bad(completion, case):
    v = check(completion, "3", verifier="format")
    assert v.outcome is Outcome.INCORRECT, v.explain()
    assert v.score == 0.0


@pytest.mark.parametrize(("completion", "case"), FORMAT_BAD, ids=[c for _, c in FORMAT_BAD])
def test_format_partial_credit(completion, case):
    partial = create_verifier("format", partial=True)
    v = check(completion, "3", verifier=partial)
    assert v.outcome is Outcome.INCORRECT
    assert 0.0 <= v.score < 1.0
    assert v.score in (0.0, 0.25, 0.5, 0.75)


def test_format_partial_credit_values():
    partial = create_verifier("format", partial=True)
    assert check("<think>a</think><answer>3</answer>", "3", verifier=partial).score == 1.0
    assert check("<think>a</think><answer>3</answer> tail", "3", verifier=partial).score == 0.75
    assert check("<think></think><answer>3</answer>", "3", verifier=partial).score == 0.75
    assert check("no tags at all", "3", verifier=partial).score == 0.0
    # some credit strictly between 0 and 1 for a near miss
    assert 0.0 < check("<answer>3</answer>", "3", verifier=partial).score < 1.0


def test_format_custom_tags():
    custom = create_verifier("format", think_tag="reasoning", answer_tag="final")
    assert_correct("<reasoning>x</reasoning><final>3</final>", "3", verifier=custom)
    assert_not_correct("<think>x</think><answer>3</answer>", "3", verifier=custom)


# ---------------------------------------------------------------- mcq verifier


@pytest.mark.parametrize("name", ["mcq", "accuracy"])
@pytest.mark.parametrize(
    "completion",
    [
        "(B)",
        "B",
        r"\boxed{B}",
        r"\boxed{(B)}",
        r"\boxed{\text{B}}",
        "**Answer:** B",
        "**B**",
        "Answer: B",
        "The answer is B, a prime number.",
        "The answer is (B).",
        "The correct answer is **B**",
        "Option C is wrong; the answer is B",
    ],
)
def test_mcq_letter_forms(name, completion):
    v = assert_correct(completion, "B", verifier=name)
    assert v.verifier == "mcq"


@pytest.mark.parametrize("name", ["mcq", "accuracy"])
def test_mcq_negation(name):
    v = check("it is not B, the answer is D", "B", verifier=name)
    assert v.outcome is Outcome.INCORRECT
    assert v.score == 0.0
    assert_correct("it is not B, the answer is D", "D", verifier=name)


@pytest.mark.parametrize("name", ["mcq", "accuracy"])
@pytest.mark.parametrize("completion", ["b", r"\boxed{b}", "The answer is b"])
def test_mcq_lowercase_is_not_the_letter(name, completion):
    assert_not_correct(completion, "B", verifier=name)


OPTIONS = ["Paris", "London", "Berlin", "Rome"]


def test_mcq_option_text_maps_to_letter():
    assert_correct(r"\boxed{London}", "B", options=OPTIONS)
    assert_correct("The answer is London.", "B", options=OPTIONS, verifier="mcq")
    assert_not_correct(r"\boxed{Paris}", "B", options=OPTIONS)


@pytest.mark.parametrize("name", ["mcq", "accuracy"])
@pytest.mark.parametrize(
    "completion",
    [
        r"\boxed{B, C}",
        "A, B or C",
        "The answer is B or C",
        r"\boxed{B}\boxed{C}",
        "The answer is A, B, C, D",
        r"\boxed{A,B,C,D}",
        "A or B or C or D",
        "A/B/C/D",
    ],
)
def test_mcq_several_letters_are_incorrect(name, completion):
    for gold in "ABCD":
        v = check(completion, gold, verifier=name)
        assert v.outcome is Outcome.INCORRECT, (gold, v.explain())
        assert v.score == 0.0


@pytest.mark.parametrize(
    ("completion", "gold"),
    [("I think it's B", "I"), ("A careful reading gives B", "A"), ("I believe (B)", "I")],
)
def test_mcq_pronoun_or_article_is_not_a_letter(completion, gold):
    assert_not_correct(completion, gold)


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        ("Answer B is wrong, so it must be D.", "B"),
        ("Option B is wrong; D is right.", "B"),
        ("Eliminating option B and option C, we get D", "C"),
    ],
)
def test_mcq_letter_called_wrong_is_not_the_choice(completion, gold):
    assert_not_correct(completion, gold)


# Cheap tiers decide what used to need SymPy (regressions from the benchmark's slow pairs).
@pytest.mark.parametrize(
    ("completion", "gold", "correct"),
    [
        (r"\boxed{3+2\sqrt{2}, 3-2\sqrt{2}}", r"3 \pm 2 \sqrt{2}", True),
        (r"\boxed{3 \pm 2\sqrt2}", r"3 \pm 2 \sqrt{2}", True),
        (r"\boxed{\pm 3}", "3,-3", True),
        (r"\boxed{x=1 \pm \sqrt{2}}", r"1\pm\sqrt2", True),
        (r"\boxed{\sqrt{53}}", r"3 \pm 2 \sqrt{2}", False),
        (r"\boxed{3}", r"\pm 3", False),  # one root of two
        (r"\boxed{4210_{5}}", "4210_5", True),
        (r"\boxed{4210_{5}}", "16", False),
        (r"\boxed{555}", "4210_5", False),  # the value in base 10 is not the numeral asked for
        (r"\boxed{1+2i}", r"(0,9) \cup (9,36)", False),
        (r"\boxed{4:30 \text{ p.m.}}", "4:30 p.m.", True),
        (r"\boxed{4:30 \text{ p.m.}}", "4:30p..", False),
    ],
)
def test_cheap_tiers_decide_without_sympy(completion, gold, correct):
    v = check(completion, gold)
    assert v.correct is correct, v.explain()
    assert v.verifier != "symbolic", v.explain()


def test_na_gold_is_bad_gold():
    v = check(r"\boxed{1}", "N/A")
    assert v.outcome is Outcome.BAD_GOLD and v.reward is None
