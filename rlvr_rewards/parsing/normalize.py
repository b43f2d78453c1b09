"""String normalisation shared by gold and prediction: strip wrappers, spacing, units, degrees.

Everything here is linear-time string work (no regex with nested quantifiers), so it is safe
on untrusted text of any size; callers cap the length first anyway.
"""

from __future__ import annotations

import re

_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)"))
_SPACING = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\\displaystyle|\\textstyle|~")
_LEFT_RIGHT = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![A-Za-z])")
_FRAC = re.compile(r"\\[dt]frac(?![A-Za-z])")
_DEGREE = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree(?![A-Za-z])|\^\s*\{\s*\\degree\s*\}")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{")
_DOLLAR_SIGN = re.compile(r"\\\$|(?<![\\])\$")
_WS = re.compile(r"\s+")
_UNIT_WORDS = (
    "cm|mm|km|m|meters?|metres?|centimeters?|inches|inch|in|feet|foot|ft|yards?|miles?|mph|"
    "units?|sq|square|cubic|degrees?|dollars?|cents?|hours?|hrs?|minutes?|mins?|seconds?|secs?|"
    "days?|weeks?|months?|years?|kg|g|grams?|pounds?|lbs?|ounces?|oz|liters?|litres?|ml|L|"
    "gallons?|students?|people|persons?|apples?|marbles?|eggs?|points?|ways?|times?|pages?|books?"
)
_TRAILING_UNIT = re.compile(r"(?<=[0-9}])\s+(?:" + _UNIT_WORDS + r")(?:\^\{?[23]\}?)?\s*$")


def _brace_scan(text: str, start: int, stop_at_close: bool) -> int:
    """Walk braces from ``start`` (escaped ones skipped). ``stop_at_close``: index of the ``}``
    that returns the depth to 0, or -1. Otherwise: 0 when balanced, -1 when not."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if stop_at_close and depth == 0:
                return i
            if depth < 0:
                return -1
        i += 1
    return -1 if stop_at_close or depth else 0


def find_matching_brace(text: str, open_index: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``open_index`` (escaped braces skipped), or -1."""
    return _brace_scan(text, open_index, True)


def braces_balanced(text: str) -> bool:
    """True when every unescaped ``{`` has its ``}`` (the minimum for a parseable LaTeX answer)."""
    return _brace_scan(text, 0, False) == 0


def unwrap_command(text: str, command: str) -> str:
    """``\\boxed{X}`` → ``X`` when the command wraps the whole string; otherwise unchanged."""
    t = text.strip()
    prefix = "\\" + command
    if not t.startswith(prefix):
        return text
    j = len(prefix)
    while j < len(t) and t[j] == " ":
        j += 1
    if j >= len(t) or t[j] != "{":
        return text
    end = find_matching_brace(t, j)
    if end == len(t) - 1:
        return t[j + 1 : end]
    return text


def strip_wrappers(text: str) -> str:
    """Remove math delimiters, ``\\boxed{}``, ``<answer>`` tags and a trailing full stop."""
    t = text.strip()
    for _ in range(4):
        before = t
        low = t.lower()
        if low.startswith("<answer>") and low.endswith("</answer>"):
            t = t[8:-9].strip()
        for left, right in _WRAPPERS:
            if len(t) >= len(left) + len(right) and t.startswith(left) and t.endswith(right):
                inner = t[len(left) : len(t) - len(right)]
                if left == "$" and "$" in inner:
                    continue
                t = inner.strip()
                break
        for cmd in ("boxed", "fbox"):
            t = unwrap_command(t, cmd).strip()
        if t.endswith(".") and not t[-2:-1].isdigit():
            t = t[:-1].rstrip()
        if t == before:
            break
    return t


def _strip_text_commands(t: str) -> str:
    """``\\text{ cm}`` and friends → their content (units are stripped afterwards)."""
    out = []
    pos = 0
    for _ in range(1000):
        m = _TEXT_CMD.search(t, pos)
        if not m:
            break
        end = find_matching_brace(t, m.end() - 1)
        if end < 0:
            break
        out.append(t[pos : m.start()])
        inner = t[m.end() : end]
        out.append(" " + inner + " " if inner.strip() else "")
        pos = end + 1
    out.append(t[pos:])
    return "".join(out)


def normalize(text: str, *, stripped: bool = False) -> str:
    """Canonical string for comparison: no delimiters, spacing commands, sizing, degrees, units.

    ``stripped=True`` when the caller already ran :func:`strip_wrappers`.
    """
    t = text if stripped else strip_wrappers(text)
    t = _SPACING.sub(" ", t)
    t = _LEFT_RIGHT.sub("", t)
    t = _FRAC.sub(r"\\frac", t)
    t = _DEGREE.sub("", t)
    t = _strip_text_commands(t)
    t = _DOLLAR_SIGN.sub("", t)
    t = t.replace("{,}", ",")
    t = _WS.sub(" ", t).strip()
    t = _TRAILING_UNIT.sub("", t).strip()
    if t.endswith(".") and not t[-2:-1].isdigit():
        t = t[:-1].rstrip()
    return t


def compact(text: str) -> str:
    """Whitespace-free form of a normalised string, for exact comparison."""
    return text.replace(" ", "")
