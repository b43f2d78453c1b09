"""The one think/answer region finder, the one set of letter rules, the one column list."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards.columns import OPTION_KEYS, first_present
from rlvr_rewards.extraction import extract_answer
from rlvr_rewards.judge.prompt import final_region as judge_final_region
from rlvr_rewards.letters import (
    bare_letter,
    gold_letter,
    leading_letter,
    option_label,
    own_label,
    strip_option_label,
)
from rlvr_rewards.parsing.values import Kind, parse_value
from rlvr_rewards.regions import (
    MAX_ANSWER_TAGS,
    answer_blocks,
    final_region,
    may_have_tags,
    think_end,
)
from rlvr_rewards.verifiers.mcq import gold_letter as mcq_gold_letter
from rlvr_rewards.verifiers.mcq_extract import clean_options

# -- regions ---------------------------------------------------------------------------------------

_CLOSE = re.compile(r"(?s:.*)</think\s*>", re.IGNORECASE)
_OPEN = re.compile(r"<think\s*>", re.IGNORECASE)


def ref_final_region(text: str) -> str | None:
    m = _CLOSE.match(text)
    if m is not None:
        return text[m.end() :]
    return None if _OPEN.search(text) else text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["<think>", "</think>", "<THINK >", "</Think>", "<answer>", "</answer>", "x", " ", "<t", "\n"]), max_size=12))
def test_final_region_matches_the_reference(parts: list[str]) -> None:
    text = "".join(parts)
    assert final_region(text) == ref_final_region(text)
    assert judge_final_region(text) == ref_final_region(text)
    end = think_end(text)
    assert (end < 0) == (ref_final_region(text) is None)


def test_regions_examples() -> None:
    assert final_region("<think>r</think> 42") == " 42"
    assert final_region("<think>a</think>b</think >c") == "c"  # the last closing tag
    assert final_region("<think>unfinished") is None
    assert final_region("x < 3") == "x < 3"
    assert think_end("plain") == 0
    assert answer_blocks("no tags") is None
    assert answer_blocks("<answer> 3 </answer> then <ANSWER>4") == [" 3 ", "4"]
    assert answer_blocks("<answer>stray <answer>5</answer>") == ["5"]
    assert answer_blocks("<answer>" * (MAX_ANSWER_TAGS + 1)) == []
    assert may_have_tags("x<answer>") and not may_have_tags("x < 3 and y < 4")
    assert extract_answer("<think>3</think><answer>4</answer>").answer == "4"


# -- letters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gold, letter",
    [("B", "B"), ("(B)", "B"), ("B.", "B"), ("(B):", "B"), (" (C) 60° ", "C"), ("D) 6", "D"), ("$\\boxed{E}$", "E"),
     ("b", None), ("42", None), ("BC", None), ("K", None), ("E. coli", "E")],
)
def test_gold_letter(gold: str, letter: str | None) -> None:
    assert gold_letter(gold) == letter
    assert mcq_gold_letter(gold) == letter  # the mcq module re-exports the same rule


def test_bare_and_leading_letters() -> None:
    assert bare_letter("(A)") == "A" and bare_letter("A:") == "A" and bare_letter("A:", colon=False) is None
    assert bare_letter(" A") is None  # read as given
    assert leading_letter("(B) 60°") == "B" and leading_letter("B. 60") == "B"
    assert leading_letter("B. 60", paren_only=True) is None and leading_letter("(B) x", paren_only=True) == "B"
    assert parse_value("(C)").kind is Kind.CHOICE and parse_value("(C)").letter == "C"


def test_option_labels() -> None:
    assert option_label("(b) 0.5") == "(b)" and option_label(" (c) ") == "(c)" and option_label("b) x") == "(b)"
    assert option_label("b.5") is None and option_label("word") is None
    assert strip_option_label("(d) 0.5θ^-2") == "0.5θ^-2"
    assert own_label("A. 3") == ("A", 3) and own_label("(B) 4") == ("B", 4) and own_label("plain") is None
    assert clean_options(["A. 3", "(B) 4", "C 5", "A) x"]) == ["3", "4", "C 5", "A) x"]


# -- columns -------------------------------------------------------------------------------------


def test_first_present_option_column() -> None:
    assert first_present({"choices": ["a"]}, OPTION_KEYS) == ["a"]
    assert first_present({"options": ["x"], "choices": ["a"]}, OPTION_KEYS) == ["x"]
    assert first_present({"options": None, "choices": ["a"]}, OPTION_KEYS) is None  # present wins, as before
    assert first_present({}, OPTION_KEYS) is None


def test_exact_tier_label_rules() -> None:
    from rlvr_rewards.letters import answer_label, is_label_gold, labelled_content

    assert is_label_gold("(d)") and not is_label_gold("(D)") and not is_label_gold("(d) x")
    assert answer_label("(D)") == "D" and answer_label("(d): 25") == "d" and answer_label("(d)x") is None
    assert labelled_content("(B) no") == "no" and labelled_content("(B)no") is None
    assert labelled_content("B) no") is None and labelled_content("(B) " + "x" * 202) is None


def test_reads_completion_is_the_letter_gold_rule() -> None:
    from rlvr_rewards.letters import reads_completion
    from rlvr_rewards.verifiers.mcq import reads_completion as mcq_reads_completion

    assert mcq_reads_completion is reads_completion
    assert reads_completion("B") and reads_completion(["42", "(C) 6"]) and not reads_completion("42")
    assert not reads_completion(3) and not reads_completion([3, "x"])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKabcxyz0123456789 ().:{}\\$^_-+,", max_size=24))
def test_gold_letter_fast_path_agrees_with_the_rules(text: str) -> None:
    """A gold with no letter A-J skips normalisation; the answer must be what the rules give."""
    from rlvr_rewards.parsing.normalize import normalize

    norm = normalize(text).strip()
    assert gold_letter.__wrapped__(text) == (bare_letter(norm) or leading_letter(norm))
