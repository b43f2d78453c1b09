"""Shaping rewards: hand-computed values at the boundaries, hypothesis properties, composition,
and (issue 17) the peers' documented examples for think_format, CJK repetition, the overlong
variants, length, reasoning_steps and code_format."""

from __future__ import annotations

import doctest
import math
import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import check, check_batch, check_groups, list_verifiers
from rlvr_rewards.shaping import (
    CodeFormat,
    CosineLength,
    LengthReward,
    LinearOverlong,
    ReasoningSteps,
    RepetitionPenalty,
    SoftOverlong,
    TagCount,
    grade_shaped,
    text_units,
)
from rlvr_rewards.verdict import Outcome
from rlvr_rewards.verifiers import create_verifier
from rlvr_rewards.verifiers.format import ThinkFormat

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
    vs = check_batch(completions, ["42"] * 3, verifier="accuracy + cosine", token_ids=[[0] * 100] * 3)
    assert [v.parts["accuracy"] for v in vs] == [1.0, 0.0, 0.0]
    assert vs[0].parts["cosine"] > 0.9 and vs[1].parts["cosine"] < -0.9 and vs[2].parts["cosine"] < -0.9


# ================================================================ issue 17: peers' rewards
# Expected values come from the peers' documented behaviour (docstrings, released code, tests):
# TRL 1.16 ``trl/rewards``, open-r1 ``src/open_r1/rewards.py``, ms-swift 4.6 ``swift/rewards/orm.py``,
# veRL 0.9 DAPO reward manager, PrimeIntellect verifiers 0.3 ``ThinkParser``.

NEW = ("think_format", "length", "reasoning_steps", "code_format", "overlong_linear", "repetition_words", "repetition_chars")


def _score(text, spec, gold=None, **kw):
    return check(text, gold, verifier=spec, **kw).score


# ---------------------------------------------------------------- think_format (TRL think_format_reward)
@pytest.mark.parametrize(
    "text",
    [
        "<think>\nThis is my reasoning.\n</think>\nThis is my answer.",  # TRL docstring
        "<think>This is my reasoning.</think>This is my answer.",
        "<think>\nThis is\nmy reasoning.\n</think>\nThis is my answer.",
        "<think>\nThis is <some tag> my reasoning.</think>\nThis is my answer.",  # other tags inside
        "<think></think>\nThis is my answer.",  # empty reasoning
        "<think>reasoning</think>",  # TRL: an empty answer is allowed
        "<think>reasoning</think>answer</think>",  # TRL: only a second <think> is refused
    ],
)
def test_think_format_accepts_like_trl(text):
    assert _score(text, "think_format") == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "<think>\nThis is my reasoning.\nThis is my answer.",  # TRL docstring: never closed
        "This is my reasoning. This is my answer.",  # no tags
        "This is my reasoning.</think>\nThis is my answer.",  # no opening tag
        "This<think>is my reasoning.</think>\nThis is my answer.",  # something before <think>
        " <think>reasoning</think>answer",  # even whitespace before <think>
        "<think>This is<think>my reasoning.</think></think>This is my answer.",  # nested
        "<think>a</think>b<think>c</think>d",  # a second block
        "",
    ],
)
def test_think_format_refuses_like_trl(text):
    v = check(text, None, verifier="think_format")
    assert v.score == 0.0 and v.outcome is Outcome.INCORRECT and "think format" in v.detail


TRL_THINK = re.compile(r"^<think>(?!.*<think>)(.*?)</think>.*$", re.DOTALL | re.MULTILINE)  # TRL's documented pattern


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["<think>", "</think>", "<answer>", " ", "\n", "a", "<", ">", "/", "think"]), max_size=12))
def test_think_format_trl_style_is_trls_pattern(pieces):
    text = "".join(pieces)
    assert ThinkFormat().matches(text) == bool(TRL_THINK.match(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>r</think>answer", True),
        ("  <think>r</think>answer", True),  # verifiers strips before startswith
        ("<think>r</think>", False),  # nothing after </think>
        ("<think>r</think>\n", True),  # a newline is something (len(split[-1]) > 0)
        ("<think>r</think>a</think>", False),  # exactly one </think>
        ("x<think>r</think>a", False),
    ],
)
def test_think_format_verifiers_style(text, expected):
    assert ThinkFormat(style="verifiers").matches(text) is expected


def test_think_format_options():
    assert ThinkFormat(think_tag="reasoning").matches("<reasoning>r</reasoning>a")
    with pytest.raises(ValueError):
        ThinkFormat(style="open-r1")
    # format (R1 think+answer) and think_format differ exactly where TRL users notice
    text = "<think>r</think>The answer is 42."
    assert (_score(text, "format"), _score(text, "think_format")) == (0.0, 1.0)


# ---------------------------------------------------------------- repetition in unspaced scripts
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这个这个这个这个这个", -0.75),  # 10 characters, 8 trigrams, 2 distinct
        ("我们今天去公园玩", 0.0),  # no repeated trigram
        ("これはペンですこれはペンです", -1.0 * (1 - 7 / 12)),  # kana per character
        ("the the the the 好好好好", -1.0 * (1 - 4 / 6)),  # mixed: 4 words + 4 characters
        ("ok ok ok ok ok", -1.0 * (1 - 1 / 3)),  # spaced text: words, unchanged
    ],
)
def test_repetition_segments_unspaced_scripts(text, expected):
    assert _score(text, "repetition") == pytest.approx(expected)


def test_repetition_units_are_an_option():
    cjk = "这个这个这个这个这个"
    assert _score(cjk, "repetition_words") == 0.0  # one "word": ms-swift / open-r1 en behaviour
    assert _score(cjk, "repetition_chars") == pytest.approx(-0.75)
    assert _score("ab ab ab", "repetition_chars") == pytest.approx(-1.0 * (1 - 2 / 4))
    ids = [1, 2, 3, 4, 5, 6]
    assert _score(cjk, "repetition", token_ids=ids) == 0.0  # token ids win by default
    assert _score(cjk, "repetition_tokens", token_ids=ids) == 0.0
    assert _score(cjk, "repetition_chars", token_ids=ids) == pytest.approx(-0.75)  # chars: ids ignored
    words = create_verifier("repetition", unit="words", ngram_size=2)
    assert check("a b a b", None, verifier=words, token_ids=[1, 2, 3]).score == pytest.approx(-1.0 * (1 - 2 / 3))
    with pytest.raises(ValueError):
        create_verifier("repetition", unit="bytes")


def test_repetition_custom_segmenter():
    r = create_verifier("repetition", ngram_size=2, segmenter=lambda t: t.split("|"))
    assert check("a|b|a|b", None, verifier=r).score == pytest.approx(-1.0 * (1 - 2 / 3))
    with pytest.raises(ValueError):
        create_verifier("repetition", segmenter=42)


def test_repetition_jieba_segmenter_when_installed():
    jieba = pytest.importorskip("jieba")
    r = create_verifier("repetition", ngram_size=2, segmenter="jieba")
    text = "我喜欢苹果我喜欢苹果"
    units = list(jieba.cut(text))
    grams = list(zip(units, units[1:]))
    assert check(text, None, verifier=r).score == pytest.approx(-1.0 * (1 - len(set(grams)) / len(grams)))


def test_text_units_detail_names_the_unit():
    assert "words/CJK chars" in check("这个", None, verifier="repetition").detail
    assert "tokens" in check("x", None, verifier="repetition", token_ids=[1]).detail
    assert text_units("Ｈｉ，世界") == ["ｈ", "ｉ", "，", "世", "界"]


@pytest.mark.parametrize(
    ("text", "n", "penalty", "expected"),
    [  # open-r1's repetition tests (language "en": lower-cased whitespace words)
        ("this is a test sentence", 2, -1.0, 0.0),
        ("this this this this this", 2, -1.0, -0.75),
        ("this is a this is a test", 2, -1.0, -1 / 3),
        ("test test test test", 2, -1.0, -2 / 3),
        ("", 2, -1.0, 0.0),
        ("this is a this is a test", 3, -2.0, -0.4),
        ("This is A Test", 2, -1.0, 0.0),
        ("word", 3, -1.0, 0.0),
        ("word word word word", 3, -1.0, -0.5),
        ("one two one two", 3, -1.0, 0.0),
        ("A B C A B C", 3, -1.0, -0.25),
        ("A B C A B C E F G A B C A B C", 3, -1.0, -0.3846),
        ("A B C D E F G H I", 3, -1.0, 0.0),
    ],
)
def test_repetition_open_r1_cases(text, n, penalty, expected):
    r = create_verifier("repetition_words", ngram_size=n, max_penalty=penalty)
    assert check(text, None, verifier=r).score == pytest.approx(expected, abs=1e-4)


# ---------------------------------------------------------------- overlong variants
@pytest.mark.parametrize(("length", "expected"), [(0, 0.0), (100, 0.0), (101, -1.0), (10**6, -1.0)])
def test_overlong_zero_buffer_is_a_hard_cut_off(length, expected):
    assert SoftOverlong(max_len=100, buffer=0).value(length) == expected
    assert check("x", None, verifier=create_verifier("overlong", max_len=100, buffer=0), token_ids=[0] * length).score == expected


@pytest.mark.parametrize(("length", "expected"), [(50, 0.0), (80, 0.0), (90, -0.5), (100, -1.0), (110, -1.5), (200, -6.0)])
def test_overlong_linear_is_swift_and_verl_form(length, expected):
    # ms-swift: min(-(L - (max - cache)) / cache, 0); veRL DAPO: the same times penalty_factor
    assert LinearOverlong(max_len=100, buffer=20).value(length) == pytest.approx(expected)
    assert check("x", None, verifier=create_verifier("overlong_linear", max_len=100, buffer=20), token_ids=[0] * length).score == pytest.approx(expected)
    assert LinearOverlong(max_len=100, buffer=20, penalty_factor=0.5).value(length) == pytest.approx(expected * 0.5)


def test_overlong_linear_stops_at_min_value():
    assert LinearOverlong(max_len=100, buffer=20).value(10**6) == -10.0  # a runaway character count
    assert LinearOverlong(max_len=100, buffer=20, min_value=None).value(1000) == pytest.approx(-46.0)  # the peers' form


def test_overlong_variant_validation():
    with pytest.raises(ValueError):
        LinearOverlong(max_len=100, buffer=0)  # the unfloored form divides by the buffer
    with pytest.raises(ValueError):
        SoftOverlong(max_len=100, buffer=-1)
    with pytest.raises(ValueError):
        SoftOverlong(max_len=100, buffer=10, penalty_factor=-1)
    assert SoftOverlong(max_len=100, buffer=100).value(50) == pytest.approx(-0.5)


# ---------------------------------------------------------------- length (Kimi 1.5 / open-r1 len_reward)
SHORT_RIGHT = r"\boxed{\frac{63}{400}}"
LONG_RIGHT = SHORT_RIGHT + " " + "x" * 10
SHORT_WRONG = r"\boxed{\frac{64}{400}}"
LONG_WRONG = SHORT_WRONG + " " + "x" * 10
GOLD_LEN = r"\frac{63}{400}"


@pytest.mark.parametrize(
    ("completions", "expected"),
    [  # open-r1's len_reward tests
        ([SHORT_RIGHT, SHORT_RIGHT], [0.0, 0.0]),  # same length
        ([SHORT_RIGHT, LONG_RIGHT], [0.5, -0.5]),
        ([SHORT_WRONG, LONG_WRONG], [0.0, -0.5]),
        ([SHORT_RIGHT, LONG_RIGHT, SHORT_WRONG, LONG_WRONG], [0.5, -0.5, 0.0, -0.5]),
    ],
)
def test_length_open_r1_cases(completions, expected):
    vs = grade_shaped(completions, GOLD_LEN, verifier="length")
    assert [v.score for v in vs] == pytest.approx(expected)


def test_length_group_values_bounded():
    vals = LengthReward.group_values([3, 9, 5, 7], [True, False, True, False])
    assert vals == pytest.approx([0.5, -0.5, 0.5 - 2 / 6, min(0.0, 0.5 - 4 / 6)])
    assert LengthReward.group_values([], []) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.booleans()), min_size=1, max_size=16))
def test_length_properties(members):
    lengths, correct = [m[0] for m in members], [m[1] for m in members]
    vals = LengthReward.group_values(lengths, correct)
    assert all(-0.5 <= x <= 0.5 for x in vals)
    assert all(x <= 0.0 for x, ok in zip(vals, correct) if not ok)  # a wrong answer never gains
    for (la, ca, va), (lb, cb, vb) in zip(zip(lengths, correct, vals), zip(lengths[1:], correct[1:], vals[1:])):
        if ca and cb and la < lb:
            assert va > vb  # shorter right answers earn more


def test_length_is_per_group_and_tokens_count():
    completions = [r"\boxed{7}", r"so \boxed{7}", r"\boxed{3}", r"it is \boxed{3}"]
    per_group = grade_shaped(completions, ["7", "7", "3", "3"], verifier="length", groups=["a", "a", "b", "b"])
    assert [v.score for v in per_group] == pytest.approx([0.5, -0.5, 0.5, -0.5])
    whole = grade_shaped(completions, ["7", "7", "3", "3"], verifier="length")  # one group: open-r1's batch
    assert [v.score for v in whole] == pytest.approx([0.5, 0.5 - 3 / 6, 0.5, -0.5])
    toks = grade_shaped(completions, ["7", "7", "3", "3"], verifier="length", groups=[1, 1, 2, 2], token_ids=[[0] * 9, [0] * 3, [0], [0]])
    assert [v.score for v in toks] == pytest.approx([-0.5, 0.5, 0.0, 0.0])
    nested = check_groups([completions[:2], completions[2:]], ["7", "3"], verifier="length")
    assert [v.score for g in nested for v in g] == pytest.approx([0.5, -0.5, 0.5, -0.5])


def test_length_composes_and_single_check_is_zero():
    completions = [r"\boxed{7}", r"so it is \boxed{7}", r"\boxed{8}"]
    vs = grade_shaped(completions, "7", verifier="accuracy + 0.5*length + format")
    lam = [0.5, -0.5, min(0.0, 0.5 - 0 / 9)]
    for v, acc, ln in zip(vs, [1.0, 1.0, 0.0], lam):
        assert v.parts["length"] == pytest.approx(ln)
        assert v.score == pytest.approx(acc + 0.5 * ln + v.parts["format"])
    # the part's own accuracy when the spec has none
    vs = grade_shaped(completions, "7", verifier="format + length")
    assert [v.parts["length"] for v in vs] == pytest.approx(lam)
    single = check(r"\boxed{7}", "7", verifier="length")
    assert single.score == 0.0 and single.outcome is Outcome.CORRECT and "group of one" in single.detail


def test_length_bad_gold_stays_none():
    vs = grade_shaped([r"\boxed{7}", r"so \boxed{7}"], r"\frac{1}{", verifier="length")
    assert [v.reward for v in vs] == [None, None]
    vs = grade_shaped([r"\boxed{7}", r"so \boxed{7}"], [r"\frac{1}{", "7"], verifier="accuracy + length")
    assert vs[0].reward is None and vs[1].score == pytest.approx(1.0 - 0.5)


# ---------------------------------------------------------------- reasoning steps (open-r1)
@pytest.mark.parametrize(
    ("text", "expected"),
    [  # open-r1's reasoning_steps_reward tests
        ("Step 1: First step\nStep 2: Second step\nStep 3: Third step", 1.0),
        ("First, we do this.\nSecond, we do that.\nFinally, we conclude.", 1.0),
        ("Step 1: Only step", 1 / 3),
        ("First, we do this.\nFinally, we conclude.", 2 / 3),
        ("Just plain text without any clear steps", 0.0),
        ("Intro\n- one\n- two\n* three\n* four", 1.0),  # bullets
        ("1. a\n2. b\n3. c", 1 / 3),  # open-r1's regex has no MULTILINE: only the first "1."
    ],
)
def test_reasoning_steps_open_r1(text, expected):
    assert _score(text, "reasoning_steps") == pytest.approx(expected)


def test_reasoning_steps_options():
    assert ReasoningSteps(per_line=True).score("1. a\n2. b\n3. c") == 1.0
    assert ReasoningSteps(min_steps=1).score("Step 1: x") == 1.0
    with pytest.raises(ValueError):
        ReasoningSteps(min_steps=0)


# ---------------------------------------------------------------- code format (open-r1)
CODE_OK = "<think>\nSome reasoning\n</think>\n<answer>\n```python\nprint('Hello, world!')\n```\n</answer>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # open-r1's get_code_format_reward(language="python") tests
        (CODE_OK, 1.0),
        ("<think>\nSome reasoning\n</think>\n<answer>\nA solution:\n```python\nprint('Hello, world!')\n```\n</answer>", 1.0),
        ("<think>\nSome reasoning\n</think>\n<answer>\nprint('Hello, world!')\n</answer>", 0.0),  # no code block
        ("<think>\nSome reasoning\n</think>\n```python\nprint('Hello, world!')\n```", 0.0),  # no answer tags
        ("```python\nprint('Hello, world!')\n```", 0.0),  # no think / answer
        ("<think>\nSome reasoning\n</think>\n<answer>\n```javascript\nconsole.log('Hello, world!');\n```\n</answer>", 0.0),
        ("<answer>\n```python\nx\n```\n</answer>", 0.0),  # the think block is required
    ],
)
def test_code_format_open_r1(text, expected):
    assert _score(text, "code_format") == expected


def test_code_format_language_from_a_column_or_option():
    js = CODE_OK.replace("```python", "```javascript")
    vs = grade_shaped([CODE_OK, js, js], None, verifier="code_format", languages=["python", "javascript", "python"])
    assert [v.score for v in vs] == [1.0, 1.0, 0.0]
    vs = grade_shaped([CODE_OK, js], None, verifier="0.5*code_format + tag_count", languages=["python", "js"])
    assert [v.parts["code_format"] for v in vs] == [1.0, 1.0] and vs[0].score == pytest.approx(0.5 + 1.0)
    assert _score(js, create_verifier("code_format", language="javascript")) == 1.0
    assert _score(CODE_OK.replace("```python", "```py"), "code_format") == 1.0  # alias
    assert CodeFormat(think=False).matches("<answer>```python\nx\n```</answer>")
    assert "fences: 'javascript'" in check(js, None, verifier="code_format").detail


# ---------------------------------------------------------------- registry, composition, pickling, doctests
def test_new_rewards_are_registered_and_compose():
    names = set(list_verifiers())
    assert set(NEW) <= names
    spec = " + ".join(f"0.1*{n}" for n in NEW)
    v = check(CODE_OK, "42", verifier=spec)
    assert set(v.parts) == set(NEW)
    assert v.score == pytest.approx(sum(0.1 * s for s in v.parts.values()))


@pytest.mark.parametrize("name", NEW)
def test_new_rewards_pickle(name):
    v = create_verifier(name)
    assert pickle.loads(pickle.dumps(v)).name == v.name == name


def test_doctests_of_the_shaping_modules():
    import rlvr_rewards.shaping.groups as groups
    import rlvr_rewards.shaping.length as length
    import rlvr_rewards.shaping.repetition as repetition
    import rlvr_rewards.shaping.structure as structure
    import rlvr_rewards.verifiers.format as fmt

    for module in (groups, length, repetition, structure, fmt):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
