"""Shaping rewards: hand-computed values at the boundaries, hypothesis properties, composition."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import check, create_verifier, grade_batch
from rlvr_rewards.shaping import CosineLength, RepetitionPenalty, SoftOverlong, TagCount
from rlvr_rewards.verdict import Outcome

R1 = "<think>\nshort\n</think>\n<answer>\n42\n</answer>"


# ---------------------------------------------------------------- cosine
@pytest.mark.parametrize(
    ("correct", "length", "expected"),
    [
        (True, 0, 1.0), (True, 500, 0.75), (True, 1000, 0.5), (True, 5000, 0.5),
        (False, 0, -1.0), (False, 500, -0.75), (False, 1000, -0.5), (False, 5000, -0.5),
    ],
)
def test_cosine_values(correct, length, expected):
    assert CosineLength(max_len=1000).value(correct, length) == pytest.approx(expected)


def test_cosine_uses_tokens_when_given_and_chars_otherwise():
    v = check(r"\boxed{42}", "42", verifier="cosine", token_ids=list(range(250)))
    assert v.score == pytest.approx(0.5 + 0.25 * (1 + math.cos(math.pi / 4)))
    assert "tokens" in v.detail
    chars = check(r"\boxed{42}", "42", verifier="cosine")
    assert chars.score == pytest.approx(CosineLength().value(True, len(r"\boxed{42}")))
    wrong = check(r"\boxed{41}", "42", verifier="cosine", token_ids=[1] * 1000)
    assert wrong.score == pytest.approx(-0.5) and wrong.outcome is Outcome.INCORRECT


def test_cosine_bad_gold_is_bad_gold():
    v = check(r"\boxed{42}", r"\frac{1}{", verifier="cosine")
    assert v.outcome is Outcome.BAD_GOLD and v.reward is None


@settings(max_examples=200, deadline=None)
@given(st.booleans(), st.integers(0, 3000), st.integers(0, 3000), st.integers(1, 2000))
def test_cosine_bounded_and_monotonic(correct, a, b, max_len):
    c = CosineLength(max_len=max_len)
    lo, hi = sorted((a, b))
    va, vb = c.value(correct, lo), c.value(correct, hi)
    assert -1.0 <= va <= 1.0 and -1.0 <= vb <= 1.0
    if correct:
        assert vb <= va + 1e-12  # shorter right answers earn more
        assert 0.5 - 1e-12 <= va <= 1.0 + 1e-12
    else:
        assert vb >= va - 1e-12  # longer wrong answers lose less
        assert -1.0 - 1e-12 <= va <= -0.5 + 1e-12


# ---------------------------------------------------------------- overlong
@pytest.mark.parametrize(
    ("length", "expected"), [(0, 0.0), (80, 0.0), (81, -0.05), (90, -0.5), (100, -1.0), (101, -1.0), (10**6, -1.0)]
)
def test_overlong_values(length, expected):
    assert SoftOverlong(max_len=100, buffer=20).value(length) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000), st.integers(1, 2000), st.integers(1, 2000))
def test_overlong_bounded_and_monotonic(a, b, buffer, extra):
    o = SoftOverlong(max_len=buffer + extra, buffer=buffer)
    lo, hi = sorted((a, b))
    assert -1.0 <= o.value(hi) <= o.value(lo) <= 0.0


def test_overlong_counts_tokens():
    o = create_verifier("overlong", max_len=100, buffer=20)
    assert check("x", None, verifier=o, token_ids=[0] * 90).score == pytest.approx(-0.5)
    assert check("x" * 90, None, verifier=o).score == pytest.approx(-0.5)  # characters otherwise


# ---------------------------------------------------------------- repetition
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0.0), ("a b", 0.0), ("a b c", 0.0), ("a b c a b c", -0.25),
        ("the cat sat on the mat", 0.0), ("go go go go go", -1.0 * (1 - 1 / 3)),
    ],
)
def test_repetition_values_on_words(text, expected):
    assert check(text, None, verifier="repetition").score == pytest.approx(expected)


def test_repetition_on_token_ids():
    r = create_verifier("repetition", ngram_size=2, max_penalty=-0.5)
    assert check("ignored words here", None, verifier=r, token_ids=[1, 2, 1, 2, 1]).score == pytest.approx(-0.5 * (1 - 2 / 4))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=60), st.integers(1, 5), st.floats(-2.0, 0.0))
def test_repetition_bounded(tokens, n, max_penalty):
    value = RepetitionPenalty(ngram_size=n, max_penalty=max_penalty).penalty(tokens)
    assert max_penalty - 1e-12 <= value <= 0.0


def test_invalid_options_are_clear_errors():
    with pytest.raises(ValueError):
        RepetitionPenalty(max_penalty=1.0)
    with pytest.raises(ValueError):
        SoftOverlong(max_len=10, buffer=20)
    with pytest.raises(ValueError):
        CosineLength(max_len=0)


# ---------------------------------------------------------------- tag count
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (R1, 1.0),
        ("<think>x</think><answer>4</answer>", 1.0),
        ("<think>x</think><answer>4", 0.75),
        ("<think>x</think><think>y</think><answer>4</answer>", 0.5),
        ("<answer>1</answer><answer>2</answer>", 0.0),
        ("no tags", 0.0),
    ],
)
def test_tag_count_values(text, expected):
    assert check(text, None, verifier="tag_count").score == pytest.approx(expected)


def test_tag_count_open_r1_newlines():
    t = TagCount(newlines=True)
    assert check(R1, None, verifier=t).score == 1.0
    assert check("<think>x</think><answer>4</answer>", None, verifier=t).score == 0.0


# ---------------------------------------------------------------- composition
def test_composed_spec_is_the_weighted_sum_of_its_parts():
    spec = "accuracy + 0.1*format + 0.5*cosine + repetition + overlong + tag_count"
    tokens = list(range(300))
    v = check(R1, "42", verifier=spec, token_ids=tokens)
    parts = v.parts
    expected = parts["accuracy"] + 0.1 * parts["format"] + 0.5 * parts["cosine"] + parts["repetition"] + parts["overlong"] + parts["tag_count"]
    assert v.score == pytest.approx(expected)
    assert parts["cosine"] == pytest.approx(CosineLength().value(True, 300))
    assert v.outcome is Outcome.CORRECT


def test_cosine_reuses_the_accuracy_verdict_in_a_batch():
    completions = [R1, R1.replace("42", "41"), r"\boxed{42} or \boxed{43}"]
    vs = grade_batch(completions, ["42"] * 3, verifier="accuracy + cosine", token_ids=[[0] * 100] * 3)
    assert [v.parts["accuracy"] for v in vs] == [1.0, 0.0, 0.0]
    assert vs[0].parts["cosine"] > 0.9 and vs[1].parts["cosine"] < -0.9 and vs[2].parts["cosine"] < -0.9
