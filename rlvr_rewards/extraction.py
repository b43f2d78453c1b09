"""Final-answer extraction from (untrusted) model completions.

The completion may be adversarial or huge, so every pattern here is linear-time
(bounded or boundary-anchored quantifiers, no nested repetition), brace matching
is iterative, and boxes / marker phrases are only searched in the tail of very
long texts. Nothing here raises on any ``str`` input.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, NamedTuple

from .brackets import brace_pairs, matching_brace, top_level_matches
from .prose import (
    FULL_STOP,
    declines,
    final_statement,
    has_words,
    option_label,
    reduce_statement,
    starts_with_value,
    strip_end_tokens,
)
from .regions import answer_blocks, closing_answer_start, may_have_tags, think_end

__all__ = ["Extraction", "extract_answer", "find_boxed", "split_alternatives"]

# Boxes and marker phrases live near the end; only this many trailing characters
# of a (think-stripped) completion are searched for them.
_TAIL = 50_000
_NEAR = 4_000  # marker phrases are searched in the last _NEAR characters first
_MAYBE_SEP = re.compile(r"[,/]|[oO][rR]")  # split_alternatives can only split where one of these is
# How many marker occurrences (from the end) are tried before giving up.
_MARKER_TRIES = 8
# Extra characters read after a marker beyond ``max_answer_len`` (room for cuts).
_VALUE_SLACK = 500


_BOX = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
_WS = re.compile(r"\s*")
_BRACELESS_ARG = re.compile(r"[^\s${}]+")  # \boxed 5

# Behind a lookahead of the characters a marker can start with, the engine skips other positions
# at once: 9x faster on long prose, the same matches.
_MARKER = re.compile(
    r"(?=[*fFaA#【最正答故应因所])(?:"
    r"(?P<bold_answer>\*\*[ \t]{0,3}(?:final[ \t]{1,3})?answer[ \t]{0,3}"
    r"(?::[ \t]{0,3}\*\*|\*\*[ \t]{0,3}:?))"
    r"|(?P<final_answer>\bfinal[ \t]{1,3}answer(?:[ \t]{0,3}:|[ \t]{1,3}is\b[ \t]{0,3}:?))"
    r"|(?P<the_answer_is>\banswer[ \t]{1,3}is\b[ \t]{0,3}:?)"
    r"|(?P<answer_colon>\banswer[ \t]{0,3}:)"
    r"|(?P<hashes>(?<!#)####(?!#))"  # GSM8K's "#### 72" (veRL's GSM8K prompts ask for it)
    # Chinese: 【答案】, 答案：, 答案是, 最终答案为, 所以答案是, 故答案为, 故选, 答：
    r"|(?P<cn_answer>【[ \t]{0,3}答案[ \t]{0,3}】[ \t]{0,3}[:：]?"
    r"|(?:最终|正确)?答案[ \t]{0,3}(?:应该|应)?(?:[:：]|是|为|選|选)[ \t]{0,3}[:：]?|故选|应选|因此选|所以选|答[ \t]{0,3}[:：]))",
    re.IGNORECASE,
)
_FILLER = re.compile(r"(?:therefore|thus|hence|so|simply|just|clearly)\b[,:]?[ \t]*", re.IGNORECASE)
# Where a marker value ends: sentence end (not a decimal point), ", <word>"
# (2+ letters or an article; not "or"), or a trailing explanation.
_CUT = re.compile(
    FULL_STOP + r"(?=\s|$)|[。；！？]|，(?=[\u4e00-\u9fff])"
    r"|,[ \t]+(?=(?!or\b)[A-Za-z]{2,}\b|an?\b)"
    r"|(?<![ \t])[ \t]+(?i:because|since|which)\b"
)
_SPAN_DELIMS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_SPAN_JOIN = re.compile(r"[ \t]{0,3},?[ \t]{0,3}(?:or|and/or)[ \t]{1,3}", re.IGNORECASE)

_ALT_SEP = re.compile(
    r"\\(?:text|textrm|textnormal|mathrm|mbox)[ \t]{0,3}\{[ \t]{0,3}(?:or|and/or)[ \t]{0,3}\}"
    r"|(?<=\s)(?:or|and/or)(?=\s)",
    re.IGNORECASE,
)
_LETTER_LIST = re.compile(r"[A-J](?:[ \t]*(?:,[ \t]*(?:or[ \t]+)?|or[ \t]+|/[ \t]*)[A-J])+")
_INEQUALITY = re.compile(r"[<>≤≥]|\\(?:le|ge|leq|geq|lt|gt|leqslant|geqslant)(?![A-Za-z])")
_SPACING_TOKENS = ("\\qquad", "\\quad", "\\,", "\\;", "\\:", "\\!", "~", ",")


class Extraction(NamedTuple):
    """Result of :func:`extract_answer` (immutable; a named tuple because it is built per completion).

    ``answer`` is None when no (usable) final answer was found; ``source`` names
    the rule that fired; ``candidates`` are the distinct answers that rule saw
    (or the alternatives of a hedged answer); ``region`` says what was searched.
    """

    answer: str | None
    source: str
    candidates: tuple[str, ...] = ()
    hedge: bool = False
    region: str = ""


def _norm(s: str) -> str:
    """Collapse whitespace so that cosmetic differences do not count as hedges."""
    return " ".join(s.split())


def _distinct(items: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Distinct non-empty whitespace-normalised items, in first-seen order."""
    return tuple(dict.fromkeys(n for n in map(_norm, items) if n))


# ---------------------------------------------------------------- boxes


def _single_box(text: str) -> list[tuple[int, int]] | None:
    """Fast path for the common completion with exactly one ``\\boxed{...}``; None: use the general pass.

    The box is near the end, so ``rfind`` finds it at once; one more scan (counting "box")
    proves it is the only box.
    """
    j = text.rfind("\\boxed")
    if j < 0:
        return None
    i = j + 6
    n = len(text)
    if i < n and text[i].isalpha():
        return None
    while i < n and text[i] in " \t\n\r":
        i += 1
    if i >= n or text[i] != "{":
        return None  # braceless "\\boxed 5": the general pass handles it
    # One scan when "box" occurs only once (it is this box); else two that look for other boxes.
    if text.count("box") != 1 and (text.find("\\boxed", 0, j) >= 0 or "\\fbox" in text):
        return None
    close = matching_brace(text, i)
    return [(i + 1, close)] if close >= 0 else []  # unterminated: ignored


# Up to this many boxes each is matched on its own (cheap: only its content is read); more go
# through one stack pass over the whole text, which stays linear however many are unterminated.
_FEW_BOXES = 8


_UNCHECKED: Any = object()  # _single_box not run yet


def _box_spans(text: str, single: list[tuple[int, int]] | None = _UNCHECKED) -> list[tuple[int, int]]:
    """(start, end) of the content of every top-level box, innermost-unwrapped.

    ``single`` is ``_single_box(text)`` when the caller has it already. A few boxes are matched
    one by one; many are paired in one linear pass with a stack (no recursion), so any nesting
    depth and any number of unterminated boxes cost O(n).
    """
    if single is _UNCHECKED:
        single = _single_box(text)
    if single is not None:
        return single
    macros = list(_BOX.finditer(text))
    if not macros:
        return []
    close_of: dict[int, int] = {}
    if len(macros) <= _FEW_BOXES:
        for m in macros:
            pos = _WS.match(text, m.end()).end()
            if text.startswith("{", pos):
                close = matching_brace(text, pos)
                if close >= 0:
                    close_of[pos] = close
    else:
        close_of = brace_pairs(text, macros[0].end())

    # content span per macro start, for every well-formed box
    spans: dict[int, tuple[int, int]] = {}
    order: list[int] = []
    n = len(text)
    for m in macros:
        pos = _WS.match(text, m.end()).end()
        if pos < n and text[pos] == "{":
            close = close_of.get(pos)
            if close is None:
                continue  # unterminated box: ignored
            spans[m.start()] = (pos + 1, close)
        else:
            arg = _BRACELESS_ARG.match(text, pos)
            if arg is None:
                continue
            end = arg.end()
            while end > arg.start() and text[end - 1] in ".,;:":
                end -= 1  # "\boxed 5." -> "5"
            if end == arg.start():
                continue
            spans[m.start()] = (arg.start(), end)
        order.append(m.start())

    result: list[tuple[int, int]] = []
    covered = -1
    for start in order:
        if start < covered:
            continue  # nested inside an earlier box
        cs, ce = spans[start]
        covered = ce + 1
        # \boxed{\boxed{x}} -> x (iterative, O(1) per level)
        while True:
            s = _WS.match(text, cs, ce).end()
            e = ce
            while e > s and text[e - 1].isspace():
                e -= 1
            inner = spans.get(s)
            if inner is None or inner[1] + (1 if text[inner[0] - 1] == "{" else 0) != e:
                break
            cs, ce = inner
        result.append((cs, ce))
    return result


_PLACEHOLDER = re.compile(
    r"\\[hv]?phantom\{[^{}]{0,40}\}|\\(?:quad|qquad|square|Box|blacksquare|ldots|dots|cdots)|\\[ ,;:!]|[\s?_.~]"
)
_PLACEHOLDERS_ONLY = re.compile(r"(?:" + _PLACEHOLDER.pattern + r")*")  # fails at the first other character


def _is_placeholder(box: str) -> bool:
    r"""``\boxed{\phantom{2}}``, ``\boxed{?}``, ``\boxed{\quad}``: a blank to fill in, not an answer."""
    if "\\" not in box:  # no LaTeX command: only blanks and "?_.~" make a placeholder
        return not box.strip(" \t\r\n?_.~")
    return len(box) <= 80 and _PLACEHOLDERS_ONLY.fullmatch(box) is not None


def find_boxed(text: str) -> list[str]:
    r"""Stripped contents of every top-level ``\boxed{...}`` / ``\fbox{...}`` in order.

    Braces are balanced (``\{``/``\}`` are literal), ``\boxed 5`` and ``\boxed {x}``
    are accepted, unterminated boxes are skipped, ``\boxed{\boxed{x}}`` gives x, and
    placeholder boxes (``\boxed{\phantom{2}}``, ``\boxed{?}``) are dropped.
    """
    return _boxes(text, _box_spans(text))


def _boxes(text: str, spans: list[tuple[int, int]]) -> list[str]:
    boxes = []
    for s, e in spans:
        box = text[s:e].strip()
        if not _is_placeholder(box):
            boxes.append(box)
    return boxes


# ---------------------------------------------------------------- alternatives


def _strip_spacing(s: str) -> str:
    """Strip whitespace, LaTeX spacing macros and stray commas from both ends."""
    i, j = 0, len(s)
    changed = True
    while changed:
        changed = False
        while i < j and s[i].isspace():
            i += 1
        while j > i and s[j - 1].isspace():
            j -= 1
        for tok in _SPACING_TOKENS:
            if s.startswith(tok, i, j):
                i += len(tok)
                changed = True
            if j - i >= len(tok) and s.endswith(tok, i, j):
                j -= len(tok)
                changed = True
    return s[i:j]


def split_alternatives(answer: str) -> list[str]:
    r"""Split a hedged answer into its alternatives; a single answer gives ``[answer]``.

    Separators are " or ", "\text{ or }", "\quad\text{or}\quad", " and/or " at bracket
    depth 0 (so set-builder conditions are kept whole); "A, B or C" / "A, B, C" of
    single letters A-J is also split. Plain commas are not separators, and a union
    of inequalities ("x < 0 or x > 1") is one answer, not a hedge.
    """
    s = answer.strip()
    if "or" not in s and "OR" not in s and "Or" not in s and "oR" not in s and "," not in s and "/" not in s:
        return [answer]  # no separator can match: the common case, decided without regexes
    if len(s) <= 80 and _LETTER_LIST.fullmatch(s):
        return [c for c in s if "A" <= c <= "J"]
    parts: list[str] = []
    prev = 0
    for m in top_level_matches(_ALT_SEP, s):
        parts.append(s[prev : m.start()])
        prev = m.end()
    if not parts:
        return [answer]
    parts.append(s[prev:])
    alts = [p for p in map(_strip_spacing, parts) if p]
    if len(alts) < 2 or all(_INEQUALITY.search(a) for a in alts):
        return [answer]  # "x < 0 or x > 1" describes one solution set
    return alts


# ---------------------------------------------------------------- markers


def _tidy(s: str) -> str:
    """Strip trailing punctuation and wrapping ``**``, ``$``, ``\\( \\)`` and markdown code ticks.

    A code span around the answer ("`1`" gives "1") goes, and so does a lone tick at either end:
    the other end of a span that opened before the marker ("`the answer is 1`" gives "1`").
    """
    prev = None
    while s != prev:
        prev = s
        s = s.strip().rstrip(".,;:").rstrip()
        if "`" in s and (s[0] == "`" or s[-1] == "`") and "`" not in s.strip("`"):
            s = s.strip("`")
        if s.startswith("**"):
            s = s.lstrip("*")
        if s.endswith("**"):
            s = s.rstrip("*")
        if len(s) >= 2 and s[0] == "$" and s[-1] == "$":
            s = s.strip("$")
        if s.startswith("\\(") and s.endswith("\\)"):
            s = s[2:-2]
    return s


def _find_closer(s: str, closer: str, start: int) -> int:
    r"""Index of ``closer`` at or after ``start``, skipping escaped dollars (``\$36``)."""
    end = s.find(closer, start)
    while end > 0 and closer[0] == "$" and s[end - 1] == "\\":
        end = s.find(closer, end + 1)
    return end


# Pandoc's rule: no space just inside either dollar and no digit after the closing one, so the
# currency of "$7 - $5 = $2" is not math.
_INLINE_MATH = re.compile(r"(?<!\\)\$(?!\s)((?:[^$\\]|\\.){1,200}?)(?<![\s\\])\$(?!\d)|\\\((.{1,200}?)\\\)")


def _last_inline_math(s: str) -> str | None:
    """Content of the one ``$…$`` / ``\\(…\\)`` span in a short sentence.

    None when there is none or several different ones ("$3$ or $4$" stays a hedge).
    """
    spans = {(m.group(1) if m.group(1) is not None else m.group(2)).strip() for m in _INLINE_MATH.finditer(s)}
    spans.discard("")
    return spans.pop() if len(spans) == 1 else None


def _math_spans(s: str) -> list[str] | None:
    r"""Contents of leading math spans ("$a$ or $b$" -> [a, b]).

    None when s does not start with a complete span, or when an "or" is not
    followed by one ("$3$ or 4"): the caller then falls back to line rules.
    """
    parts: list[str] = []
    pos = 0
    while True:
        for opener, closer in _SPAN_DELIMS:
            if s.startswith(opener, pos):
                end = _find_closer(s, closer, pos + len(opener))
                if end == -1:
                    return None
                parts.append(s[pos + len(opener) : end].strip())
                pos = end + len(closer)
                break
        else:
            return None
        join = _SPAN_JOIN.match(s, pos)
        if join is None:
            return parts
        pos = join.end()


def _cut(line: str) -> str:
    """Cut a marker value at the first top-level sentence end / clause boundary."""
    for m in top_level_matches(_CUT, line):
        return line[: m.start()]
    return line


_MATH_CLOSE = re.compile(r"\\\]|\\\)|\$")


def _marker_value(text: str, pos: int, max_answer_len: int) -> tuple[str | None, list[str]]:
    """The answer following a marker phrase that ends at ``pos``, and the several values a
    sentence there states ("The answer is between 2 and 3": a hedge), if more than one."""
    start = _WS.match(text, pos).end()
    in_math = text.startswith("}", start)  # "\[ \text{The answer is } 42 \]": the marker is text in math
    if in_math:
        start = _WS.match(text, start + 1).end()
    filler = _FILLER.match(text, start)
    if filler is not None:
        start = filler.end()
    window = text[start : start + max_answer_len + _VALUE_SLACK]
    if in_math:
        window = _MATH_CLOSE.split(window, 1)[0]  # the value ends where that math does
    spans = _math_spans(window)
    if spans is not None:
        value = " or ".join(p for p in spans if p)
    else:
        value = _cut(window.split("\n", 1)[0])
    value = _tidy(value)
    if "\\boxed" in value or "\\fbox" in value:
        boxes = [b for b in find_boxed(value) if b]
        if boxes:
            value = boxes[-1]
    if value and not option_label(value) and (has_words(value, 2) or (has_words(value, 1) and not starts_with_value(value))):
        # ("5 cm", "8kHz": a value with its unit is left whole for the parser)
        # "Final Answer: The smallest such $k$ is 12." / "解方程得到n=8": the value the sentence states
        stated = reduce_statement(value)
        if not stated and spans is None:
            # "the answer is: if the individual buys full insurance, …, ln(15000) ≈ 9.615": the
            # first clause names no value; the whole line may
            stated = reduce_statement(_tidy(window.split("\n", 1)[0]))
        if not stated and "\n" in text[pos:start]:
            # "【答案】\n首先，…\n…得到$S_{10}=100$。": a worked answer block after the marker; its
            # last statement holds the value
            block = final_statement(window)
            stated = reduce_statement(block) if block is not None else []
        if stated:
            return stated[0], stated if len(stated) > 1 else []
    return value or None, []


# ---------------------------------------------------------------- main entry


_new_extraction = partial(tuple.__new__, Extraction)  # skips the named tuple's Python-level __new__


def _one_plain_box(text: str, max_answer_len: int, has_lt: bool = True) -> tuple[Extraction | None, Any]:
    """The commonest completion, one ``\\boxed{answer}`` and no tags, decided by a few C scans.

    Returns (the extraction the general rules would give, or None when they must run, and
    ``_single_box(text)`` for them to reuse, or ``_UNCHECKED``). None: several boxes, an
    unterminated one, a separator that may make a hedge, a placeholder, a text longer than the
    searched tail, or something that may be a tag.
    """
    if len(text) > _TAIL or (has_lt and may_have_tags(text)):  # has_lt False: the caller saw no "<"
        return None, _UNCHECKED
    single = _single_box(text)
    if not single:
        return None, single
    box = text[single[0][0] : single[0][1]].strip()
    if not box or len(box) > max_answer_len or _may_split(box) or _is_placeholder(box):
        return None, single
    return _new_extraction((box, "boxed", (_norm(box),), False, "full")), single


def _may_split(answer: str) -> bool:
    """Could ``answer`` hold a separator ("," "/" "or") that makes it a hedge? Substring tests first."""
    return "," in answer or "/" in answer or (("r" in answer or "R" in answer) and _MAYBE_SEP.search(answer) is not None)


def _finish(
    answer: str | None, source: str, cands: list[str], region: str, max_answer_len: int
) -> Extraction:
    """Apply the length limit and hedge detection, and build the result."""
    answer = answer.strip() if answer is not None else None
    if not answer or len(answer) > max_answer_len:
        return Extraction(None, source, (), False, region)
    if len(cands) <= 1 and not _may_split(answer):  # one answer, nothing to split: fast path
        return Extraction(answer, source, (_norm(answer),), False, region)
    found = _distinct(cands) or (_norm(answer),)
    if len(found) > 1:
        return Extraction(answer, source, found, True, region)
    parts = split_alternatives(answer)
    alts = _distinct(parts)
    if len(alts) > 1:
        return Extraction(answer, source, alts, True, region)
    if len(parts) > 1 and alts:  # "\frac12 or \frac12": the same answer twice is that answer
        return Extraction(alts[0], source, alts, False, region)
    return Extraction(answer, source, found, False, region)


def extract_answer(
    completion: str, *, max_bare_len: int = 64, max_answer_len: int = 2000
) -> Extraction:
    r"""Extract the final answer of a completion.

    Priority: text after the last ``</think>`` (unfinished thinking -> no answer, unless an
    ``<answer>`` block ends the completion),
    ``<answer>`` tags (exclusive), ``\boxed``/``\fbox``, marker phrases (last one
    wins), then a short bare completion. Several different answers set ``hedge``.
    """
    if not isinstance(completion, str):
        return Extraction(None, "none", (), False, "full")
    has_lt = "<" in completion
    if has_lt:
        completion = strip_end_tokens(completion)  # "4.</s>", "…<|im_start|>user …": the turn ends there
    found, single = _one_plain_box(completion, max_answer_len, has_lt)  # the commonest completion first
    if found is not None:
        return found
    text, region = completion, "full"
    # Cheap substring tests first (no call at all for the many completions without tags); the
    # regions helpers repeat them, so they are only a shortcut here.
    has_lt = "<" in text
    if has_lt and ("<t" in text or "<T" in text or "</t" in text or "</T" in text):
        end = think_end(text)
        if end > 0:
            text, region = text[end:], "after_think"
        elif end < 0:
            start = closing_answer_start(text)  # "<think>… <answer>45</answer>": </think> left out
            if start < 0:
                return Extraction(None, "none", (), False, region)  # unfinished thinking
            text = text[start:]

    blocks = answer_blocks(text) if has_lt and ("<a" in text or "<A" in text) else None
    if blocks is not None:
        answer: str | None = None
        cands: list[str] = []
        for block in blocks:
            boxes = [b for b in find_boxed(block[-_TAIL:]) if b]
            if boxes:
                cands.extend(boxes)
                answer = boxes[-1]
            elif block.strip():
                cands.append(block)
                answer = block
        return _finish(answer, "answer_tag", cands, "answer_tag", max_answer_len)

    tail = text[-_TAIL:]
    if tail is not completion:
        single = _UNCHECKED  # computed on another text (never happens: no tags means no cut)
    boxes = [b for b in _boxes(tail, _box_spans(tail, single)) if b]  # no box: rfind + one regex scan
    if boxes:
        return _finish(boxes[-1], "boxed", boxes, region, max_answer_len)

    markers: list[re.Match[str]] = []
    if "nswer" in tail or "NSWER" in tail or "####" in tail or "答" in tail or "选" in tail:  # every marker has one
        # Markers are read from the end: look in the last few thousand characters first and
        # scan the whole tail only when nothing usable is there.
        near = len(tail) - _NEAR if len(tail) > _NEAR else 0
        for start in ((near, 0) if near else (0,)):
            markers = list(_MARKER.finditer(tail, start))
            for m in reversed(markers[-_MARKER_TRIES:]):
                value, several = _marker_value(tail, m.end(), max_answer_len)
                if value:
                    return _finish(value, m.lastgroup or "answer_colon", several, region, max_answer_len)

    bare = text.strip()
    if not markers and bare and len(bare) <= max_bare_len and "\n" not in bare:
        # "It costs $\$18.90$ in total." — a short sentence around one math answer.
        math = _last_inline_math(bare) if any(c.isalpha() for c in bare.replace("\\", "")) else None
        if math is None and (has_words(bare, 2) or (has_words(bare, 1) and not starts_with_value(bare))):
            stated = reduce_statement(_tidy(bare))  # "The line is about 1 centimeter long."
            if stated:
                return _finish(stated[0], "statement", stated, region, max_answer_len)
            if declines(bare) or has_words(bare, 5):
                return Extraction(None, "none", (), False, region)  # a sentence that states no value
        return _finish(math or _tidy(bare), "bare", [], region, max_answer_len)
    # No marked answer: the value stated by the last statement ("So there are 3 items …").
    statement = final_statement(tail)
    if statement is not None:
        stated = reduce_statement(statement)
        if stated:
            return _finish(stated[-1] if len(stated) == 1 else stated[0], "statement", stated, region, max_answer_len)
    return Extraction(None, "none", (), False, region)
