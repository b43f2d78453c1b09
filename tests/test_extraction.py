"""Tests for rlvr_rewards.extraction: rule priority, hedges, robustness."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import check
from rlvr_rewards.extraction import Extraction, extract_answer, find_boxed, split_alternatives

HANG_GUARD_S = 5.0  # generous: only catches hangs / quadratic blow-ups, not perf regressions


def ans(text: str, **kw: int) -> str | None:
    return extract_answer(text, **kw).answer


# ---------------------------------------------------------------- find_boxed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\boxed{\frac{1}{\sqrt{2}}}", [r"\frac{1}{\sqrt{2}}"]),
        (r"\fbox{5}", ["5"]),
        (r"so $\boxed 5$", ["5"]),
        (r"\boxed 5.", ["5"]),
        (r"\boxed {x+1}", ["x+1"]),
        (r"\boxed{\{1, 2\}}", [r"\{1, 2\}"]),
        (r"\boxed{a\}b}", [r"a\}b"]),
        (r"\boxed{1} then \fbox{2}", ["1", "2"]),
        (r"\boxed{\boxed{5}}", ["5"]),
        (r"\boxed{3", []),
        (r"\boxed{3} and \boxed{4", ["3"]),
        (r"\boxedx{3}", []),
        ("no boxes here", []),
        (r"\boxed{}", []),  # an empty box is a placeholder, not an answer
        (r"\boxed{\phantom{2}} then \boxed{4}", ["4"]),
    ],
)
def test_find_boxed(text: str, expected: list[str]) -> None:
    assert find_boxed(text) == expected


def test_find_boxed_deep_nesting_is_iterative() -> None:
    deep = "\\boxed{" + "{" * 10_000 + "5" + "}" * 10_000 + "}"
    (content,) = find_boxed(deep)
    assert content == "{" * 10_000 + "5" + "}" * 10_000
    chain = "\\boxed{" * 10_000 + "5" + "}" * 10_000
    assert find_boxed(chain) == ["5"]


# ---------------------------------------------------------------- split_alternatives


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("3 or 4", ["3", "4"]),
        ("A, B or C", ["A", "B", "C"]),
        ("A, B, C", ["A", "B", "C"]),
        ("A, B, or C", ["A", "B", "C"]),
        (r"3 \text{ or } 4", ["3", "4"]),
        (r"3 \text{or} 4", ["3", "4"]),
        (r"3 \quad\text{or}\quad 4", ["3", "4"]),
        ("3 and/or 4", ["3", "4"]),
        ("42", ["42"]),
        ("in order", ["in order"]),
        ("for x", ["for x"]),
        ("(1,2)", ["(1,2)"]),
        ("3, 4", ["3, 4"]),
        (r"\{x \mid x < 0 \text{ or } x > 1\}", [r"\{x \mid x < 0 \text{ or } x > 1\}"]),
        ("x < 0 or x > 1", ["x < 0 or x > 1"]),
        ("or", ["or"]),
    ],
)
def test_split_alternatives(answer: str, expected: list[str]) -> None:
    assert split_alternatives(answer) == expected


# ---------------------------------------------------------------- think region


def test_only_text_after_last_think_close_is_searched() -> None:
    r = extract_answer(r"<think>maybe \boxed{1}</think>The answer is 2.")
    assert (r.answer, r.source, r.region) == ("2", "the_answer_is", "after_think")
    r = extract_answer("<think>a</think> x </think> \\boxed{3}")
    assert (r.answer, r.region) == ("3", "after_think")


def test_think_close_without_open_tag() -> None:
    assert ans(r"reasoning \boxed{1} </think> \boxed{2}") == "2"


def test_unfinished_think_has_no_answer() -> None:
    r = extract_answer(r"<think>so the answer is \boxed{3}")
    assert (r.answer, r.source) == (None, "none")


def test_nothing_after_think_is_none() -> None:
    r = extract_answer(r"<think>\boxed{3}</think>   ")
    assert (r.answer, r.source, r.region) == (None, "none", "after_think")


def test_think_tags_case_insensitive() -> None:
    assert ans(r"<THINK>\boxed{1}</Think>\boxed{2}") == "2"


# ---------------------------------------------------------------- answer tags


def test_answer_tag_basic() -> None:
    r = extract_answer("blah <answer> 42 </answer>")
    assert (r.answer, r.source, r.region, r.hedge) == ("42", "answer_tag", "answer_tag", False)


def test_answer_tag_is_exclusive_over_boxed_elsewhere() -> None:
    assert ans(r"We get \boxed{1}. <answer>2</answer>") == "2"


def test_answer_tag_with_boxed_inside() -> None:
    r = extract_answer(r"<ANSWER>so \boxed{\frac{1}{2}}.</ANSWER>")
    assert (r.answer, r.source) == (r"\frac{1}{2}", "answer_tag")


def test_empty_answer_tag_is_no_answer() -> None:
    for text in ("<answer></answer>", "<answer>  \n </answer>", r"\boxed{3} <answer></answer>"):
        r = extract_answer(text)
        assert (r.answer, r.source) == (None, "answer_tag")


def test_two_different_answer_tags_hedge() -> None:
    r = extract_answer("<answer>3</answer> or maybe <answer>4</answer>")
    assert (r.answer, r.hedge, r.candidates) == ("4", True, ("3", "4"))


def test_two_equal_answer_tags_no_hedge() -> None:
    r = extract_answer("<answer>3</answer> yes <answer> 3 </answer>")
    assert (r.answer, r.hedge) == ("3", False)


def test_unterminated_answer_tag_takes_rest() -> None:
    assert ans("<answer> 17 ") == "17"


def test_stray_answer_tag_mention_is_skipped() -> None:
    assert ans("I will use an <answer> tag: <answer>5</answer>") == "5"


def test_answer_tag_only_after_think() -> None:
    r = extract_answer("<think><answer>1</answer></think> \\boxed{2}")
    assert (r.answer, r.source) == ("2", "boxed")


def test_answer_tag_spam_is_no_answer() -> None:
    r = extract_answer("<answer>1</answer>" * 2000)
    assert (r.answer, r.source) == (None, "answer_tag")


# ---------------------------------------------------------------- boxed rule


def test_boxed_nested() -> None:
    r = extract_answer(r"Thus $\boxed{\frac{1}{\sqrt{2}}}$.")
    assert (r.answer, r.source, r.region) == (r"\frac{1}{\sqrt{2}}", "boxed", "full")


def test_fbox_and_braceless() -> None:
    assert ans(r"\fbox{5}") == "5"
    assert ans(r"so the result is $\boxed 5$") == "5"


def test_boxed_beats_markers() -> None:
    assert ans("The answer is 3.\n\\boxed{4}") == "4"


def test_different_boxes_hedge_last_wins() -> None:
    r = extract_answer(r"\boxed{3} hmm, no: \boxed{4}")
    assert (r.answer, r.hedge, r.candidates) == ("4", True, ("3", "4"))


def test_same_boxes_no_hedge() -> None:
    r = extract_answer(r"\boxed{3} so indeed \boxed{ 3 }")
    assert (r.answer, r.hedge, r.candidates) == ("3", False, ("3",))


def test_or_inside_box_hedges() -> None:
    r = extract_answer(r"\boxed{3 \text{ or } 4}")
    assert (r.hedge, r.candidates) == (True, ("3", "4"))


def test_unterminated_box_is_ignored() -> None:
    r = extract_answer("The answer is 7.\n\\boxed{8")
    assert (r.answer, r.source) == ("7", "the_answer_is")


def test_empty_box_is_ignored() -> None:
    assert ans("Put it in \\boxed{}.\nAnswer: 9") == "9"


def test_tuple_in_box_is_not_hedge() -> None:
    r = extract_answer(r"\boxed{(1, 2)}")
    assert (r.answer, r.hedge) == ("(1, 2)", False)


# ---------------------------------------------------------------- markers


@pytest.mark.parametrize(
    ("text", "answer", "source"),
    [
        ("The answer is B, a prime number.", "B", "the_answer_is"),
        ("**Answer:** B", "B", "bold_answer"),
        ("**Answer**: B", "B", "bold_answer"),
        ("**Final Answer:** 12", "12", "bold_answer"),
        ("**Final Answer**\n\n12", "12", "bold_answer"),
        ("Answer: $\\frac{1}{2}$.", "\\frac{1}{2}", "answer_colon"),
        ("Answer: \\(x+1\\)", "x+1", "answer_colon"),
        ("Final answer:\n\\[ 2\\pi \\]", "2\\pi", "final_answer"),
        ("The final answer is 7,425,000.", "7,425,000", "final_answer"),
        ("The answer is 3.5.", "3.5", "the_answer_is"),
        ("Final answer: (1,2)", "(1,2)", "final_answer"),
        ("the correct answer is: **C**", "C", "the_answer_is"),
        ("The answer is therefore 12, which is even.", "12", "the_answer_is"),
        ("The answer is 12 because 3*4=12.", "12", "the_answer_is"),
        ("The answer is 5. Let me double check.", "5", "the_answer_is"),
        ("Answer: 5 cm.", "5 cm", "answer_colon"),
        ("answer: {red, green}", "{red, green}", "answer_colon"),
        ("Final Answer: The final answer is $5$. I hope it is correct.", "5", "final_answer"),
    ],
)
def test_markers(text: str, answer: str, source: str) -> None:
    r = extract_answer(text)
    assert (r.answer, r.source) == (answer, source)


def test_last_marker_wins() -> None:
    text = "First I thought the answer is 3.\nBut wait.\nFinal answer: 4"
    r = extract_answer(text)
    assert (r.answer, r.source) == ("4", "final_answer")


def test_final_answer_tuple_not_hedge() -> None:
    r = extract_answer("Final answer: (1,2)")
    assert (r.hedge, r.candidates) == (False, ("(1,2)",))


@pytest.mark.parametrize(
    ("text", "cands"),
    [
        ("The answer is 3 or 4", ("3", "4")),
        ("The answer is $3$ or $4$.", ("3", "4")),
        ("The answer is A, B or C.", ("A", "B", "C")),
        ("Answer: A, B, C", ("A", "B", "C")),
    ],
)
def test_marker_hedges(text: str, cands: tuple[str, ...]) -> None:
    r = extract_answer(text)
    assert (r.hedge, r.candidates) == (True, cands)


def test_or_inside_word_is_not_split() -> None:
    r = extract_answer("The answer is in order")
    assert (r.answer, r.hedge) == ("in order", False)
    assert extract_answer("Answer: the factor for x").hedge is False


def test_comma_number_list_is_not_hedge() -> None:
    r = extract_answer("Answer: 3, 4")
    assert (r.answer, r.hedge) == ("3, 4", False)


def test_mixed_span_or_plain_hedges() -> None:
    r = extract_answer("The answer is $3$ or 4.")
    assert (r.hedge, r.candidates) == (True, ("$3$", "4"))


# ---------------------------------------------------------------- bare & none


@pytest.mark.parametrize("text", ["42", "  \\frac{1}{2} ", "B", "$-3$"])
def test_bare(text: str) -> None:
    r = extract_answer(text)
    assert r.source == "bare"
    assert r.answer == text.strip().strip("$")


def test_bare_limits() -> None:
    assert extract_answer("x" * 65).source == "none"
    assert ans("x" * 10, max_bare_len=10) == "x" * 10
    assert extract_answer("4\n2").source == "none"
    assert extract_answer("").source == "none"
    assert extract_answer("   ").answer is None


def test_long_paragraph_without_marker_is_none() -> None:
    text = (
        "We consider the problem carefully. In order to proceed we expand the square "
        "and collect terms, which gives a quadratic with two real roots.\nWe stop here."
    )
    r = extract_answer(text)
    assert r == Extraction(None, "none", (), False, "full")


def test_too_long_answer_is_none_with_source_kept() -> None:
    r = extract_answer("\\boxed{" + "1" * 3000 + "}")
    assert (r.answer, r.source) == (None, "boxed")
    assert ans("\\boxed{" + "1" * 3000 + "}", max_answer_len=5000) == "1" * 3000


def test_non_str_input_does_not_raise() -> None:
    assert extract_answer(None).answer is None  # type: ignore[arg-type]


# ---------------------------------------------------------------- robustness

ADVERSARIAL = {
    "answer_colon": "Answer: " * 50_000,
    "boxed_open": "\\boxed{" * 100_000,
    "braces": "{" * 100_000,
    "close_braces": "}" * 100_000,
    "dollars": "$" * 100_000,
    "answer_is": "The answer is " * 30_000,
    "final": "final " * 50_000,
    "bold": "**" * 100_000,
    "backslashes": "\\" * 100_000,
    "boxed_space": "\\boxed " * 100_000,
    "or": " or " * 100_000,
    "quad": "\\quad" * 100_000,
    "comma_words": "Answer: " + ", aa" * 30_000,
    "dots": "Answer: " + "." * 100_000,
    "ws_before_because": "Answer: 1" + " " * 100_000 + "x",
    "answer_tags": "<answer>" * 100_000,
    "think_close": "</think>" * 100_000,
    "think_open": "<think>" * 100_000,
    "lt": "<" * 100_000,
    "nested_boxes": "\\boxed{" * 10_000 + "5" + "}" * 10_000,
    "deep_braces": "\\boxed{" + "{" * 10_000 + "5" + "}" * 10_000 + "}",
    "span_openers": "Answer: " + "\\[" * 50_000,
    "letters": "Answer: " + "A, " * 30_000 + "B",
    "surrogates": "\ud800\x00\udfff" * 10_000 + "\\boxed{\ud800}",
    "huge_plain": "x" * 10_000_000 + " The answer is 5.",
    "huge_think": "y" * 10_000_000 + "</think>\\boxed{3}",
    "huge_unfinished": "<think>" + "z" * 10_000_000,
    "huge_boxes": "\\boxed{1} " * 1_000_000,
    "huge_tag_first": "<answer>7</answer>" + "w" * 10_000_000,
    "huge_tags": "<answer>1</answer>" * 500_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_complete(name: str) -> None:
    text = ADVERSARIAL[name]
    start = time.perf_counter()
    r = extract_answer(text)
    assert isinstance(r, Extraction)
    find_boxed(text[-200_000:])
    split_alternatives(text[-200_000:])
    assert time.perf_counter() - start < HANG_GUARD_S


def test_huge_inputs_are_still_correct() -> None:
    assert ans(ADVERSARIAL["huge_plain"]) == "5"
    assert ans(ADVERSARIAL["huge_think"]) == "3"
    assert extract_answer(ADVERSARIAL["huge_unfinished"]).source == "none"
    assert ans(ADVERSARIAL["huge_tag_first"]) == "7"
    assert ans(ADVERSARIAL["nested_boxes"]) == "5"


def _nonspace_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle if not ch.isspace())


PIECES = st.sampled_from(
    [
        "\\boxed{", "\\fbox{", "\\boxed ", "{", "}", "\\{", "\\}", "$", "$$", "\\(", "\\)",
        "\\[", "\\]", "<think>", "</think>", "<answer>", "</answer>", "Answer:", "**Answer:**",
        "The answer is ", "Final answer: ", " or ", "\\text{ or }", ", ", ". ", "\n", "3.5",
        "A", "B", "42", "x", " because ", "**", "\\", "\x00", "\ud800",
    ]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300), st.lists(PIECES | st.text(max_size=5), max_size=40).map("".join)
)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_never_raises_and_answer_comes_from_input(text: str) -> None:
    r = extract_answer(text)
    assert isinstance(r, Extraction)
    assert r.source in {
        "answer_tag", "boxed", "final_answer", "the_answer_is",
        "bold_answer", "answer_colon", "bare", "none", "cn_answer", "statement", "hashes",
    }  # fmt: skip
    assert r.region in {"after_think", "full", "answer_tag"}
    if r.answer is None:
        assert not r.hedge and r.candidates == ()
    else:
        assert r.answer == r.answer.strip() and r.answer
        assert len(r.answer) <= 2000
        assert _nonspace_subsequence(r.answer, text)
        assert r.candidates
        assert r.hedge == (len(r.candidates) > 1)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_helpers_never_raise(text: str) -> None:
    for box in find_boxed(text):
        assert box in text
    alts = split_alternatives(text)
    assert alts and all(isinstance(a, str) for a in alts)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789abcxyz+-^", min_size=1, max_size=20))
def test_boxed_roundtrip(content: str) -> None:
    r = extract_answer(f"Some reasoning.\n\\boxed{{{content}}}")
    assert (r.answer, r.source) == (content, "boxed")


# Regression: an escaped dollar inside inline math ended the span early (found by the benchmark).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"The final answer is $\$36$.", r"\$36"),
        (r"The answer is $\$36$", r"\$36"),
        (r"It costs $\$18.90$ in total.", r"\$18.90"),
        (r"so the total is \(\$36\).", r"\$36"),
    ],
)
def test_escaped_dollar_in_math_span(text: str, expected: str) -> None:
    assert extract_answer(text).answer == expected


def test_gsm8k_hashes_marker():
    assert extract_answer("She makes 9 * 2 = 18 dollars.\n#### 18").answer == "18"
    assert extract_answer("so #### 1,000").answer == "1,000"


def test_same_alternative_twice_is_that_answer():
    e = extract_answer(r"\boxed{\frac{1}{2} \text{ or } \frac{1}{2}}")
    assert e.answer == r"\frac{1}{2}" and not e.hedge


_PIECES = st.sampled_from([
    r"\boxed{", r"\boxed", r"\boxed {", r"\fbox{", "{", "}", r"\{", r"\}", "\\", "42", "x", r"\frac{1}{2}", " ",
    "\n", ",", "/", " or ", "or", "?", "_", r"\quad", r"\phantom{2}", "box", "boxes", "The answer is ", ".",
    "$", r"\(", r"\)", "</think>", "<answer>", "<", "**Answer:** ", r"\pi", "-3.5", "R",
])


_CONTENT = st.sampled_from(["42", "x", " ", r"\pi", "-3.5", "?", "_", ".", "~", r"\quad", "or", "R", ",", "\\", "\n"])
_AROUND = st.lists(_PIECES, max_size=6).map("".join)
_ONE_BOX_TEXTS = st.one_of(
    st.lists(_PIECES, max_size=14).map("".join),
    st.tuples(_AROUND, st.lists(_CONTENT, max_size=4).map("".join), _AROUND).map(lambda t: rf"{t[0]}\boxed{{{t[1]}}}{t[2]}"),
)


@settings(max_examples=1500, deadline=None)
@given(_ONE_BOX_TEXTS)
def test_one_box_fast_path_agrees_with_the_general_rules(text):
    """The fast path for "one \\boxed{answer}" must give what the general rules give, or pass."""
    import rlvr_rewards.extraction as ex

    fast, _ = ex._one_plain_box(text, 2000)
    if fast is None:
        return
    original = ex._one_plain_box
    ex._one_plain_box = lambda *_: (None, ex._UNCHECKED)
    try:
        general = extract_answer(text)
    finally:
        ex._one_plain_box = original
    assert fast == general
    assert type(fast) is Extraction


def test_one_box_fast_path_leaves_a_later_braceless_box_to_the_general_rules():
    text = r"first \boxed{3}, then \boxed 4"
    assert extract_answer(text).hedge  # two different boxes: a hedge, not "3"


@pytest.mark.parametrize("lts", [1, 8, 9, 40])
def test_inequalities_do_not_hide_tags_from_the_one_box_path(lts):
    """Many "<" in the maths: the fast path still runs, and still steps aside for real tags."""
    body = "since x < 3 " * lts + r"the answer is \boxed{4}."
    assert extract_answer(body) == Extraction("4", "boxed", ("4",), False, "full")
    assert extract_answer("<think>" + body).answer is None  # unfinished thinking: no answer
    assert extract_answer(body + "<answer>5</answer>").answer == "5"
    assert extract_answer(body + "</think> so \\boxed{6}").answer == "6"


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=18).map("".join))
def test_few_boxes_matched_one_by_one_equal_the_stack_pass(text):
    """Up to _FEW_BOXES boxes are brace-matched one by one: the spans must equal the stack pass's."""
    import rlvr_rewards.extraction as ex

    few = ex._box_spans(text)
    saved = ex._FEW_BOXES
    ex._FEW_BOXES = -1  # force the stack pass over every brace
    try:
        assert ex._box_spans(text) == few
    finally:
        ex._FEW_BOXES = saved


@settings(max_examples=1500, deadline=None)
@given(_ONE_BOX_TEXTS)
def test_extraction_is_the_same_with_the_fast_path_off(text):
    """Whatever the fast path decides or hands on (its box scan) leaves the result unchanged."""
    import rlvr_rewards.extraction as ex

    with_fast = extract_answer(text)
    original = ex._one_plain_box
    ex._one_plain_box = lambda *_: (None, ex._UNCHECKED)
    try:
        assert extract_answer(text) == with_fast
    finally:
        ex._one_plain_box = original


def test_placeholder_rule_is_token_cover():
    """A box is a placeholder exactly when placeholder tokens cover it (fullmatch = the old sub rule)."""
    import random

    from rlvr_rewards.extraction import _PLACEHOLDER, _is_placeholder

    toks = ["\\phantom{2}", "\\hphantom{ab}", "\\quad", "\\qquad", "\\square", "\\Box", "\\Boxed", "\\ldots",
            "\\cdots", "\\ ", "\\,", "\\!", " ", "?", "_", ".", "~", "x", "2", "\\frac{1}{2}", "{", "}", "\\"]
    rng = random.Random(7)
    for _ in range(20000):
        s = "\\" + "".join(rng.choice(toks) for _ in range(rng.randint(1, 6)))
        assert _is_placeholder(s) == (len(s) <= 80 and not _PLACEHOLDER.sub("", s)), s


# Markdown code spans around the answer (theoremqa-1598, theoremqa_bare-1218: "`the answer is 1`"
# left "1`", which nothing could parse).
CODE_SPANS = [
    "`{v}`",
    "{v}`",
    "`{v}",
    "```{v}```",
    "Therefore, the answer is: \n`the answer is {v}`",
    "So the answer is `{v}`.",
    "`therefore, the answer is {v}.`",
]


@settings(max_examples=200, deadline=None)
@given(value=st.integers(-999, 999), template=st.sampled_from(CODE_SPANS), delta=st.integers(1, 50))
def test_code_ticks_around_the_answer_are_dropped(value: int, template: str, delta: int) -> None:
    text = template.format(v=value)
    assert extract_answer(text).answer == str(value)
    assert check(text, str(value)).correct
    assert not check(text, str(value + delta)).correct  # a wrong value in the same span is still wrong


def test_ticks_inside_an_answer_stay() -> None:
    assert extract_answer("`1` and `2`").answer == "`1` and `2`"  # two spans: not one wrapped answer
    assert not check("`1` and `2`", "1").correct


# Thinking left open, then an answer block that ends the completion: a finished answer with a
# missing </think> (ocean_mathvision-84, -289, -427, … "<think>… <answer>\n45\n</answer>").
@settings(max_examples=200, deadline=None)
@given(
    v=st.integers(-999, 999),
    delta=st.integers(1, 9),
    reasoning=st.sampled_from(["so the area is 45", "x = 3, hence", r"we get \boxed{7} then", "<answer>1</answer> draft"]),
    end=st.sampled_from(["", "\n", "\n<|im_end|>", "</s>"]),
)
def test_open_think_then_a_closing_answer_block(v: int, delta: int, reasoning: str, end: str) -> None:
    text = f"<think>\n{reasoning}\n\n<answer>\n{v}\n</answer>{end}"
    assert extract_answer(text).answer == str(v)
    assert check(text, str(v)).correct
    assert not check(text, str(v + delta)).correct
    # cut off after the block: the answer block is a draft inside the thinking
    assert extract_answer(f"<think>\n{reasoning}\n<answer>{v}</answer> but wait, let me").answer is None
    assert not check(f"<think>\n{reasoning}\n<answer>{v}</answer> but wait, let me", str(v)).correct


# A marker written as text inside math: "\[ \text{The answer is } 42 \]" gave "} 42 \]"
# (theoremqa-2883: "\text{the answer is }n=3" could not be parsed).
@settings(max_examples=150, deadline=None)
@given(
    v=st.integers(-999, 999),
    delta=st.integers(1, 9),
    template=st.sampled_from([
        "\\[ \\text{{The answer is }} {v} \\]",
        "$\\text{{the answer is }}n={v}$",
        "so $\\text{{Final answer: }} {v}$.",
        "\\( \\text{{answer: }} {v} \\) and that is all",
        "\\begin{{align*}} x &= 7\\\\ \\therefore,&\\quad\\text{{the answer is }}n={v}. \\end{{align*}}",
    ]),
)
def test_a_marker_in_math_text(v: int, delta: int, template: str) -> None:
    text = template.format(v=v)
    assert check(text, str(v)).correct, text
    assert not check(text, str(v + delta)).correct
