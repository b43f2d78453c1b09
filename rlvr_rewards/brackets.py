r"""The one bracket scanner: matching braces, bracket depth, and search or split at depth 0.

Every function here is linear-time and iterative (no recursion), so it is safe on untrusted text
of any size and any nesting depth. Two tokenisations exist, chosen by the caller:

* **braces** (:func:`matching_brace`, :func:`brace_pairs`, :func:`braces_balanced`): only ``{``
  and ``}`` count, and the escapes ``\{``, ``\}`` and ``\\`` are literal characters. A regex jumps
  from brace to brace, and the commonest case (no nested brace) is one ``str.find``.
* **brackets** (:func:`depth_delta`, :func:`top_level_matches`, :func:`find_top_level`,
  :func:`split_top_level`, :func:`encloses`): ``( [ {`` open and ``) ] }`` close. With
  ``escapes=True`` a backslash and the character after it are one token (``\,`` is never a
  comma) and ``\{`` / ``\}`` still open and close; with ``escapes=False`` every bracket character
  counts wherever it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "CLOSERS",
    "OPENERS",
    "brace_pairs",
    "braces_balanced",
    "depth_delta",
    "encloses",
    "find_top_level",
    "last_side",
    "matching_brace",
    "split_top_level",
    "top_level_matches",
]

OPENERS = "([{"
CLOSERS = ")]}"

_BRACE_TOKEN = re.compile(r"\\[\\{}]|[{}]")  # escaped braces and "\\" are matched, then skipped


# ---------------------------------------------------------------- braces


def matching_brace(text: str, i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``i`` (escaped braces skipped), or -1.

    -1 also when ``text[i]`` is not ``{``.
    """
    close = text.find("}", i + 1)
    if close < 0 or i < 0 or text[i] != "{":
        return -1
    if text.find("{", i + 1, close) < 0 and text[close - 1] != "\\":
        return close  # "{42}", "{\\pi}": no nested brace, "}" not escaped — no regex needed
    depth = 0
    for m in _BRACE_TOKEN.finditer(text, i):  # jumps from brace to brace
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def brace_pairs(text: str, start: int = 0) -> dict[int, int]:
    """``{open index: close index}`` of every matched brace pair from ``start`` on, in one stack
    pass (unmatched braces are left out)."""
    close_of: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE_TOKEN.finditer(text, start):
        tok = m.group()
        if tok == "{":
            stack.append(m.start())
        elif tok == "}" and stack:
            close_of[stack.pop()] = m.start()
    return close_of


def braces_balanced(text: str) -> bool:
    """True when every unescaped ``{`` has its ``}`` and no ``}`` closes nothing."""
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for m in _BRACE_TOKEN.finditer(text):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_LAST_SIDE = re.compile(r"=|\\approx(?![A-Za-z])|≈|[{}]")


def last_side(text: str) -> str:
    """What an equation chain ends with (``\\lim_{x\\to c} f(x) = 0`` -> `` 0``): the text after
    the last ``=`` / ``\\approx`` / ``≈`` outside braces (``\\sum_{k=1}`` does not split; a stray
    ``}`` never makes the depth negative). The text itself when there is none."""
    if "=" not in text and "approx" not in text and "≈" not in text:
        return text
    depth, start = 0, 0
    for m in _LAST_SIDE.finditer(text):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            start = m.end()
    return text[start:]


# ---------------------------------------------------------------- brackets


def depth_delta(s: str, openers: str = OPENERS, closers: str = CLOSERS) -> int:
    """Net bracket depth change over ``s`` (every bracket character counts, escaped or not)."""
    return sum(s.count(c) for c in openers) - sum(s.count(c) for c in closers)


def top_level_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` in ``text`` that start at bracket depth 0 or below (counted over
    the text before each match, every bracket character counting)."""
    depth = last = 0
    for m in pattern.finditer(text):
        depth += depth_delta(text[last : m.start()])
        last = m.start()
        if depth <= 0:
            yield m


_FIRST_CHARS: dict[tuple[str, ...], frozenset[str]] = {}


def find_top_level(
    text: str, needles: tuple[str, ...], start: int = 0, *, escapes: bool = False
) -> tuple[int, str] | None:
    """First ``(index, needle)`` where one of ``needles`` starts at bracket depth 0, from ``start``.

    Needles are tried in order at each position (put ``\\leq`` before ``\\le``); a command needle
    (``\\le``, ``\\cup``) does not match the start of a longer command (``\\left``). With
    ``escapes`` a backslash and the character after it are one token that no needle matches;
    ``\\{`` and ``\\}`` still open and close.
    """
    first = _FIRST_CHARS.get(needles)
    if first is None:
        first = _FIRST_CHARS[needles] = frozenset(w[0] for w in needles)
    depth = 0
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if escapes and c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "{":
                depth += 1
            elif nxt == "}":
                depth -= 1
            i += 2
            continue
        if depth == 0 and c in first:
            for w in needles:
                if text.startswith(w, i) and not (
                    w[0] == "\\" and w[-1].isalpha() and text[i + len(w) : i + len(w) + 1].isalpha()
                ):
                    return i, w
        if c in OPENERS:
            depth += 1
        elif c in CLOSERS:
            depth -= 1
        i += 1
    return None


def split_top_level(text: str, sep: str = ",", *, escapes: bool = True, limit: int = -1) -> list[str]:
    """``text`` split on ``sep`` at bracket depth 0 (at most ``limit`` splits when >= 0)."""
    if sep not in text:
        return [text]
    parts: list[str] = []
    pos = 0
    needles = (sep,)
    while limit < 0 or len(parts) < limit:
        hit = find_top_level(text, needles, pos, escapes=escapes)
        if hit is None:
            break
        parts.append(text[pos : hit[0]])
        pos = hit[0] + len(sep)
    parts.append(text[pos:])
    return parts


def encloses(text: str, openers: str = OPENERS, closers: str = CLOSERS) -> bool:
    """True when the bracket opening ``text`` closes at its very end and depth ends at 0
    (``(1,2)`` yes, ``(1)(2)`` no; every bracket character counts)."""
    depth = 0
    last = len(text) - 1
    for i, c in enumerate(text):
        if c in openers:
            depth += 1
        elif c in closers:
            depth -= 1
            if depth == 0 and i != last:
                return False
    return depth == 0
