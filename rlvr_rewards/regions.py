"""The one ``</think>`` / ``<answer>`` region finder.

A completion's final region is the text after its last ``</think>`` (unfinished thinking has
none); its answer blocks are the contents of its ``<answer>`` tags. Tags are matched
case-insensitively with optional spaces before ``>``. Cheap substring tests come first: most
completions hold no tag, and the case-insensitive regexes are the slowest part of extraction.
Linear-time on any input.
"""

from __future__ import annotations

import re

__all__ = ["MAX_ANSWER_TAGS", "answer_blocks", "closing_answer_start", "final_region", "may_have_tags", "think_end"]

# More opening <answer> tags than this is tag spam and yields no answer.
MAX_ANSWER_TAGS = 1000

# Greedy prefix: one backwards scan finds the LAST closing tag in O(n).
_LAST_THINK_CLOSE = re.compile(r"(?s:.*)</think\s*>", re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think\s*>", re.IGNORECASE)
_ANS_OPEN = re.compile(r"<answer\s*>", re.IGNORECASE)
_ANS_CLOSE = re.compile(r"</answer\s*>", re.IGNORECASE)

_TAG_STARTS = "tTaA/"
_TAG_PREFIXES = tuple("<" + c for c in _TAG_STARTS)


def may_have_tags(text: str) -> bool:
    """Could ``text`` hold a think or answer tag? ("x < 3" cannot: a tag starts "<t", "<a" or "</".)"""
    k = text.find("<")
    for _ in range(8):
        if k < 0:
            return False
        if text[k + 1 : k + 2] in _TAG_STARTS:  # "" (a "<" at the very end) counts as maybe
            return True
        k = text.find("<", k + 1)
    return k >= 0 and any(tag in text for tag in _TAG_PREFIXES)  # many "<": five scans instead


def think_end(text: str) -> int:
    """Where the final region of ``text`` starts: just after the last ``</think>``; 0 when there is
    no think tag at all; -1 for unfinished thinking (an opening ``<think>`` never closed)."""
    if "<t" not in text and "<T" not in text and "</t" not in text and "</T" not in text:
        return 0
    last_close = _LAST_THINK_CLOSE.match(text)
    if last_close is not None:
        return last_close.end()
    return -1 if _THINK_OPEN.search(text) else 0


def final_region(text: str) -> str | None:
    """The text after the last ``</think>`` (all of ``text`` without think tags); None for
    unfinished thinking (no final part)."""
    end = think_end(text)
    if end < 0:
        return None
    return text[end:] if end else text


def closing_answer_start(text: str) -> int:
    """Where the ``<answer>`` block that closes ``text`` opens: the last opening tag, when its
    ``</answer>`` is followed by nothing but whitespace; -1 otherwise.

    Thinking left open and then an answer block that ends the completion (``<think>… <answer>45
    </answer>``) is a finished answer with a missing ``</think>``; a completion cut off mid-thought
    never ends with a closed answer block.
    """
    if "<a" not in text and "<A" not in text:
        return -1
    last = None
    for count, m in enumerate(_ANS_OPEN.finditer(text)):
        if count == MAX_ANSWER_TAGS:
            return -1
        last = m
    if last is None:
        return -1
    close = _ANS_CLOSE.search(text, last.end())
    if close is None or text[close.end() :].strip():
        return -1
    return last.start()


def answer_blocks(text: str) -> list[str] | None:
    """Contents of ``<answer>`` blocks (None when there is no opening tag).

    An opening tag followed by another opening tag before any closing tag is a
    stray mention and skipped; an unterminated last tag runs to the end of text.
    More than ``MAX_ANSWER_TAGS`` opening tags is tag spam: no blocks at all.
    """
    if "<a" not in text and "<A" not in text:
        return None
    opens: list[tuple[int, int]] = []
    for m in _ANS_OPEN.finditer(text):
        if len(opens) == MAX_ANSWER_TAGS:
            return []
        opens.append(m.span())
    if not opens:
        return None
    blocks: list[str] = []
    close: re.Match[str] | None = None
    exhausted = False
    for i, (_, open_end) in enumerate(opens):
        if not exhausted and (close is None or close.start() < open_end):
            close = _ANS_CLOSE.search(text, open_end)  # each region is scanned once
            exhausted = close is None
        next_open = opens[i + 1][0] if i + 1 < len(opens) else len(text) + 1
        if close is not None and close.start() < next_open:
            blocks.append(text[open_end : close.start()])
        elif i + 1 == len(opens):
            blocks.append(text[open_end:])
    return blocks
