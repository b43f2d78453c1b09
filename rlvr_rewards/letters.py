"""The one set of option-letter rules: is a gold a letter, does a text open with an option label.

* :func:`bare_letter`: a text that is only a letter A–J (``B``, ``(B)``, ``B.``, ``(B):``);
* :func:`leading_letter`: a text that opens with a letter and goes on (``(B) 60°``, ``B. 60°``);
* :func:`gold_letter`: the letter a gold names, by either rule after normalisation (``mcq``, the
  ``accuracy`` dispatch, batch dedupe and the VLM tools all ask this one function);
  :func:`reads_completion`: whether a gold is a letter gold, so ``mcq`` reads the completion;
* :func:`option_label` / :func:`strip_option_label`: an option label (lower case too) in front of
  a stated answer (``(d) 0.5θ^-2``);
* :func:`own_label`: the label an option text carries itself (``A. 3``, ``(B) 4``);
* :func:`is_label_gold`, :func:`answer_label`, :func:`labelled_content`: the ``exact`` tier's
  label gold ``(d)``, the label an answer opens with, and what it states after it.

Every pattern is anchored and bounded, so linear-time on any text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .parsing.normalize import normalize

__all__ = [
    "LETTERS", "answer_label", "bare_letter", "gold_letter", "is_label_gold", "labelled_content", "leading_letter",
    "option_label", "own_label", "reads_completion", "strip_option_label",
]

LETTERS = "ABCDEFGHIJ"

_NO_LETTER = re.compile(r"[^A-J]*")
_BARE = re.compile(r"\(?([A-J])\)?[.:]?")
_BARE_NO_COLON = re.compile(r"\(?([A-J])\)?\.?")
# "(B) 60°", "B. 60°", "B) 60": a letter, then the option text.
_LEAD = re.compile(r"(?:\(([A-J])\)|([A-J])[.:)])\s*\S")
_LEAD_PAREN = re.compile(r"\(([A-J])\)\s*\S")


def bare_letter(text: str, *, colon: bool = True) -> str | None:
    """The letter of a text that is only an option letter: ``B``, ``(B)``, ``B.``, ``(B):``
    (``colon=False``: no trailing colon). The text is read as given: strip it first."""
    m = (_BARE if colon else _BARE_NO_COLON).fullmatch(text)
    return m.group(1) if m else None


def leading_letter(text: str, *, paren_only: bool = False) -> str | None:
    """The letter a text opens with when option text follows it: ``(B) 60°``, ``B. 60°``, ``B) 60``
    (``paren_only``: only ``(B) …``, since "E. coli" may be a text answer)."""
    m = (_LEAD_PAREN if paren_only else _LEAD).match(text)
    if m is None:
        return None
    return m.group(1) or m.groups()[-1]


@lru_cache(maxsize=1024)
def gold_letter(gold: str) -> str | None:
    """The option letter a gold names ("B", "(B)", "(B) 60°"), None for other golds."""
    gold = str(gold)
    if gold.isascii() and _NO_LETTER.fullmatch(gold):
        return None  # "42", "\\frac{1}{2}": no letter A-J to name (only full-width ones normalise to one)
    text = normalize(gold).strip()
    return bare_letter(text) or leading_letter(text)


def reads_completion(gold: object) -> bool:
    """Whether ``mcq`` may read the whole completion for this gold, not only the extracted
    answer: always for a letter gold (batch dedupe must then key on the completion's text)."""
    if isinstance(gold, str):
        return gold_letter(gold) is not None
    if isinstance(gold, (list, tuple)):
        return any(isinstance(g, str) and gold_letter(g) is not None for g in gold)
    return False


# -- labels in front of an answer (lower case too) -----------------------------------------------
_OPTION_LABEL = re.compile(r"^\(?([a-jA-J])\)\s*(?=\S)|^([a-jA-J])[.)]\s+(?=\S)")
_LABEL_ONLY = re.compile(r"^\s*\(([a-jA-J])\)\s*$")


def option_label(value: str) -> str | None:
    """``(b)`` for a text that is or starts with an option label ``(b)``; None otherwise."""
    m = _LABEL_ONLY.match(value) or _OPTION_LABEL.match(value)
    if m is None:
        return None
    letter = next(g for g in m.groups() if g)
    return f"({letter})"


def strip_option_label(value: str) -> str:
    """``(d) 0.5θ^-2`` -> ``0.5θ^-2``: an option label in front of the stated value."""
    m = _OPTION_LABEL.match(value)
    return value[m.end() :] if m else value


# -- the exact tier: a lower-case label gold "(d)", and the label an answer opens with -----------
_LABEL_GOLD = re.compile(r"\([a-j]\)")
_LEADING_LABEL = re.compile(r"\(([A-Ja-j])\)(?:$|[\s:.,])")
_LABELLED_CONTENT = re.compile(r"\(([A-Ja-j])\)\s+(\S.{0,200})")


def is_label_gold(norm: str) -> bool:
    """A gold that is a lower-case option label, ``(d)`` (normalised, as written)."""
    return _LABEL_GOLD.fullmatch(norm) is not None


def answer_label(answer: str) -> str | None:
    """The letter of the label ``(d)`` / ``(D)`` an answer opens with, as written (``(d): 25``,
    ``(D)``); None when it opens with none."""
    m = _LEADING_LABEL.match(answer)
    return m.group(1) if m else None


def labelled_content(raw: str) -> str | None:
    """What an answer states after its option label: ``(B) no`` -> ``no`` (``(x)``, a space, at
    most 201 characters); None for any other text."""
    if not raw.startswith("(") or raw[2:3] != ")":
        return None
    m = _LABELLED_CONTENT.fullmatch(raw)
    return m.group(2) if m else None


# -- the label an option text carries itself -----------------------------------------------------
_OWN_LABEL = re.compile(r"^\s{0,3}\(?([A-J])\)?[.:)]\s{0,3}|^\s{0,3}\(([A-J])\)\s{0,3}")


def own_label(option: str) -> tuple[str, int] | None:
    """(letter, end of the label) of an option text that opens with a label (``A. 3``, ``(B) 4``,
    ``C: 5``); None when it does not."""
    m = _OWN_LABEL.match(option)
    if m is None:
        return None
    return (m.group(1) or m.group(2)), m.end()
