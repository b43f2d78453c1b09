"""The one bracket scanner (rlvr_rewards.brackets) against simple reference implementations."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import brackets as B
from rlvr_rewards.extraction import find_boxed, split_alternatives
from rlvr_rewards.parsing.normalize import braces_balanced, find_matching_brace
from rlvr_rewards.parsing.values import split_top

# -- references: the plain character loops the scanner replaced -----------------------------------


def ref_matching_brace(text: str, i: int) -> int:
    if text[i : i + 1] != "{":
        return -1
    depth, k = 0, i
    while k < len(text):
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    return -1


def ref_braces_balanced(text: str) -> bool:
    depth, k = 0, 0
    while k < len(text):
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        k += 1
    return depth == 0


def ref_brace_pairs(text: str, start: int) -> dict[int, int]:
    out, stack, k = {}, [], start
    while k < len(text):
        c = text[k]
        if c == "\\" and text[k + 1 : k + 2] in ("\\", "{", "}"):
            k += 2
            continue
        if c == "{":
            stack.append(k)
        elif c == "}" and stack:
            out[stack.pop()] = k
        k += 1
    return out


def ref_find_top_level(text: str, needles: tuple[str, ...], start: int, escapes: bool) -> tuple[int, str] | None:
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if escapes and c == "\\" and i + 1 < len(text):
            depth += {"{": 1, "}": -1}.get(text[i + 1], 0)
            i += 2
            continue
        if depth == 0:
            for w in needles:
                after = text[i + len(w) : i + len(w) + 1]
                if text.startswith(w, i) and not (w[0] == "\\" and w[-1].isalpha() and after.isalpha()):
                    return i, w
        depth += 1 if c in "([{" else -1 if c in ")]}" else 0
        i += 1
    return None


def ref_split(text: str, sep: str, escapes: bool) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if escapes and c == "\\" and i + 1 < len(text):
            depth += {"{": 1, "}": -1}.get(text[i + 1], 0)
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i = i + len(sep)
            continue
        i += 1
    return [*parts, text[start:]]


def ref_encloses(text: str, openers: str, closers: str) -> bool:
    depth = 0
    for i, c in enumerate(text):
        if c in openers:
            depth += 1
        elif c in closers:
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return depth == 0


def ref_depth_before(text: str, index: int) -> int:
    return sum(1 if c in "([{" else -1 if c in ")]}" else 0 for c in text[:index])


def ref_last_side(text: str) -> str:
    if "=" not in text and "approx" not in text and "≈" not in text:
        return text
    depth, start, i = 0, 0, 0
    while i < len(text):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and text[i] in "=≈":
            start = i + 1
        elif depth == 0 and text.startswith("\\approx", i) and not text[i + 7 : i + 8].isalpha():
            start = i + 7
        i += 1
    return text[start:]


# Texts made of the characters that matter, so brackets, escapes and separators collide often.
texts = st.text(alphabet="{}()[]\\,=≈ ab<leftcup", max_size=40)
positions = st.integers(min_value=0, max_value=40)


@settings(max_examples=400, deadline=None)
@given(texts, positions)
def test_braces_match_the_reference(text: str, i: int) -> None:
    i = min(i, len(text))
    assert B.matching_brace(text, i) == ref_matching_brace(text, i)
    assert find_matching_brace(text, i) == ref_matching_brace(text, i)
    assert B.braces_balanced(text) is ref_braces_balanced(text)
    assert braces_balanced(text) is ref_braces_balanced(text)
    assert B.brace_pairs(text, i) == ref_brace_pairs(text, i)


@settings(max_examples=400, deadline=None)
@given(texts, positions, st.booleans())
def test_top_level_search_matches_the_reference(text: str, start: int, escapes: bool) -> None:
    start = min(start, len(text))
    for needles in ((",",), ("=",), ("\\le", "<"), ("\\cup", "a"), ("\\left", "\\le", "=")):
        assert B.find_top_level(text, needles, start, escapes=escapes) == ref_find_top_level(text, needles, start, escapes)
    for sep in (",", "="):
        assert B.split_top_level(text, sep, escapes=escapes) == ref_split(text, sep, escapes)
    assert split_top(text) == ref_split(text, ",", True)
    assert B.encloses(text) is ref_encloses(text, "([{", ")]}")
    assert B.encloses(text, "([", ")]") is ref_encloses(text, "([", ")]")
    assert B.depth_delta(text) == ref_depth_before(text, len(text))
    assert B.last_side(text) == ref_last_side(text)
    sep = re.compile(r",|=")
    got = [m.start() for m in B.top_level_matches(sep, text)]
    assert got == [m.start() for m in sep.finditer(text) if ref_depth_before(text, m.start()) <= 0]


def test_matching_brace_examples() -> None:
    assert B.matching_brace("{42}", 0) == 3
    assert B.matching_brace("x{a{b}c}d", 1) == 7
    assert B.matching_brace("{a\\}b}", 0) == 5  # an escaped brace is literal
    assert B.matching_brace("{a\\\\}b}", 0) == 4  # "\\\\" is a backslash, the brace after it is real
    assert B.matching_brace("{unterminated", 0) == -1
    assert B.matching_brace("a{b}", 0) == -1  # not at a brace
    assert B.matching_brace("", 0) == -1


def test_deep_nesting_is_iterative() -> None:
    text = "{" * 50_000 + "}" * 50_000
    assert B.matching_brace(text, 0) == len(text) - 1
    assert B.braces_balanced(text)
    assert len(B.brace_pairs(text)) == 50_000
    assert B.find_top_level("(" * 50_000 + "," + ")" * 50_000 + ",", (",",)) == (100_001, ",")


def test_top_level_examples() -> None:
    assert B.split_top_level("(1,2),3") == ["(1,2)", "3"]
    assert B.split_top_level("\\{1,2\\},3") == ["\\{1,2\\}", "3"]
    assert B.split_top_level("1\\,000,2") == ["1\\,000", "2"]  # "\\," is spacing, not a comma
    assert B.split_top_level("a,b,c", limit=1) == ["a", "b,c"]
    assert B.find_top_level("\\left(x\\right) \\le 3", ("\\le",)) == (15, "\\le")  # \\left is no \\le
    assert B.encloses("(1,2)") and not B.encloses("(1)(2)") and not B.encloses("(1,2")
    assert B.last_side("\\lim_{x} f = 0") == " 0"
    assert B.last_side("\\sum_{k=1}^n x") == "\\sum_{k=1}^n x"


def test_callers_keep_their_behaviour() -> None:
    assert find_boxed("\\boxed{\\frac{1}{2}} and \\boxed{a\\}b}") == ["\\frac{1}{2}", "a\\}b"]
    assert split_alternatives("\\{x \\mid x<0 or x>1\\} or 3") == ["\\{x \\mid x<0 or x>1\\}", "3"]
    assert split_alternatives("f(a or b)") == ["f(a or b)"]
