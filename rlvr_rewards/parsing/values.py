"""Parse an answer or gold string into a typed :class:`Value`.

The kinds mirror what math answers are: numbers (integers, decimals, exact rationals, percents),
expressions, tuples and intervals, sets, unordered lists, matrices, relations, multiple-choice
letters and plain text. Parsing is pure string work bounded by ``MAX_ANSWER_LEN``; expressions
are only tokenised later, by the tier that needs them.
"""

from __future__ import annotations

import re
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from ..brackets import (
    braces_balanced,
    depth_delta,
    encloses,
    find_top_level,
    matching_brace,
    split_top_level,
)
from ..letters import bare_letter
from .normalize import (
    compact,
    normalize,
    normalize_unit,
    strip_wrappers,
)

MAX_ANSWER_LEN = 1000


class Kind(str, Enum):
    """What a parsed answer is: a number, an expression, a tuple, interval, set, list, matrix or
    relation, a choice letter, or plain text (a ``str`` enum: compares equal to its value)."""

    NUMBER = "number"
    EXPR = "expr"
    TUPLE = "tuple"
    INTERVAL = "interval"
    SET = "set"
    LIST = "list"
    MATRIX = "matrix"
    RELATION = "relation"
    CHOICE = "choice"
    TEXT = "text"


class Value(NamedTuple):
    """A typed answer. ``norm`` is the whitespace-free normalised string used for exact matching.

    Immutable and hashable; a named tuple rather than a frozen dataclass because answers are
    built per completion and a frozen dataclass costs several times more to construct.
    """

    kind: Kind
    raw: str
    norm: str
    text: str = ""  # normalised, spacing kept (what the expression parser reads)
    number: Fraction | None = None
    decimals: int | None = None  # digits written after the point (None: integer or fraction form)
    percent: bool = False
    form: str = ""  # "int" | "decimal" | "fraction" | "mixed" | "sci" for numbers
    items: tuple[Value, ...] = ()
    left: str = ""
    right: str = ""
    op: str = ""
    lhs: str = ""
    letter: str = ""
    unit: str = ""  # canonical unit the answer named ("cm", "m/s^2", "$"), "" when none
    exponent: int = 0  # power of ten written in scientific notation ("1.28e-6": -6)

    @property
    def is_scalar(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.EXPR)


_NUM = re.compile(
    r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:(?:[eE]|\\times\s*10\^|\*10\^|\\cdot\s*10\^)\{?[-+]?\d{1,4}\}?)?"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_FRAC_NUM = re.compile(r"([-+]?)\\frac\{\s*([-+]?\d{1,50})\s*\}\{\s*([-+]?\d{1,50})\s*\}")
_FRAC_SHORT = re.compile(r"([-+]?)\\frac(\d)(\d)")
_SLASH = re.compile(r"([-+]?\d{1,50})\s*/\s*(\d{1,50})")
_MIXED = re.compile(r"([-+]?\d{1,20})\s*\\frac\{\s*(\d{1,20})\s*\}\{\s*(\d{1,20})\s*\}")
_BASE_NUM = re.compile(r"([0-9A-Fa-f]{1,40})_\{?(\d{1,2})\}?")
_TEXTY = re.compile(r"[A-Za-z]{3,}")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln exp sqrt frac dfrac tfrac "
    "pi infty cdot times div binom pmatrix bmatrix matrix begin end left right text mathrm le leq "
    "ge geq neq cup cap emptyset varnothing alpha beta gamma delta theta lambda sigma omega phi "
    "circ deg mathbf mbox operatorname mid det max min gcd lcm mod pmod".split()
)
_RELATIONS = (
    ("\\leq", "<="), ("\\le", "<="), ("\\geq", ">="), ("\\ge", ">="), ("\\neq", "!="),
    ("\\ne", "!="), ("\\lt", "<"), ("\\gt", ">"), ("≤", "<="), ("≥", ">="), ("<=", "<="),
    ("\\approx", "≈"), ("≈", "≈"),
    (">=", ">="), ("\\in", "="), ("=", "="), ("<", "<"), (">", ">"),
)


def parse_number(text: str) -> tuple[Fraction, int | None, bool, str] | None:
    """``text`` (normalised) as an exact number: (value, decimals, percent, form) or None.

    Decimals are kept exact (``0.1`` is 1/10), so huge and tiny magnitudes compare exactly.
    """
    t = text.replace(" ", "")
    percent = False
    if t.endswith("\\%"):
        t, percent = t[:-2], True
    elif t.endswith("%"):
        t, percent = t[:-1], True
    if not t or len(t) > 400:
        return None
    m = _FRAC_NUM.fullmatch(t) or _FRAC_SHORT.fullmatch(t)
    if m:
        sign, num, den = m.groups()
        if int(den) == 0:
            return None
        value = Fraction(int(num), int(den))
        return (-value if sign == "-" else value), None, percent, "fraction"
    m = _MIXED.fullmatch(t)
    if m:
        whole, num, den = m.groups()
        if int(den) == 0:
            return None
        w = int(whole)
        frac = Fraction(int(num), int(den))
        value = w - frac if whole.startswith("-") else w + frac
        return value, None, percent, "mixed"
    m = _SLASH.fullmatch(t)
    if m:
        if int(m.group(2)) == 0:
            return None
        return Fraction(int(m.group(1)), int(m.group(2))), None, percent, "fraction"
    if not _NUM.fullmatch(t) or not any(c.isdigit() for c in t):
        return None
    exponent = 0
    form = "int"
    for marker in ("\\times10^", "*10^", "\\cdot10^", "e", "E"):
        idx = t.find(marker)
        if idx > 0:
            exp_text = t[idx + len(marker) :].strip("{}")
            try:
                exponent = int(exp_text)
            except ValueError:
                return None
            t = t[:idx]
            form = "sci"
            break
    mantissa = t.replace(",", "") if _THOUSANDS.search(t) else t
    if "," in mantissa:
        return None
    try:
        value = Fraction(mantissa)
    except (ValueError, ZeroDivisionError):
        return None
    decimals = None
    if "." in mantissa:
        decimals = len(mantissa.split(".", 1)[1])
        form = "decimal" if form == "int" else form
    if exponent:
        value *= Fraction(10) ** exponent
    return value, decimals, percent, form


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` at bracket depth 0 (``\\{ \\}`` count as brackets, other escapes are one token)."""
    return split_top_level(text, sep, escapes=True)


def _split_pm(t: str) -> tuple[str, str] | None:
    """``a \\pm b`` → (``a+(b)``, ``a-(b)``) when one top-level ``\\pm`` is the only relation-free split."""
    if t.count("\\pm") != 1 or "\\mp" in t or _find_relation(t) is not None or split_top(t)[1:]:
        return None
    i = t.index("\\pm")
    if depth_delta(t[:i]) != 0:
        return None
    left, right = t[:i].strip(), t[i + 3 :].strip()
    if not right:
        return None
    if not left:
        return f"({right})", f"-({right})"
    return f"{left}+({right})", f"{left}-({right})"


_RELATION_START = frozenset(tok[0] for tok, _ in _RELATIONS)


_RELATION_TOKENS = tuple(tok for tok, _ in _RELATIONS)
_RELATION_OP = dict(_RELATIONS)


def _find_relation(t: str) -> tuple[str, str, str] | None:
    """(left side, operator, right side) at the first top-level relation (``\\le`` is not ``\\left``)."""
    if not any(c in t for c in _RELATION_START):
        return None
    hit = find_top_level(t, _RELATION_TOKENS)
    if hit is None:
        return None
    i, token = hit
    return t[:i].strip(), _RELATION_OP[token], t[i + len(token) :].strip()


_AND = re.compile(r"\s+and\s+")


def _assignments(t: str, depth: int) -> tuple[Value, ...] | None:
    """``x = 2, y = 1`` (or ``x = 2 and y = 1``) as the relations ``x = 2`` and ``y = 1``: every
    part gives a value to a different name. None otherwise (``x = 1, 2``: one name, two values)."""
    parts = [q for p in split_top(t) for q in _AND.split(p)]
    if len(parts) < 2:
        return None
    names = set()
    items = []
    for part in parts:
        rel = _find_relation(part)
        if rel is None or rel[1] != "=" or not is_symbol(rel[0]) or not rel[2] or rel[0] in names:
            return None
        names.add(rel[0])
        value = parse_value(part, depth + 1)
        if value is None or value.kind is not Kind.RELATION:
            return None
        items.append(value)
    return tuple(items)


def _matrix_rows(t: str) -> list[list[str]] | None:
    for env in ("pmatrix", "bmatrix", "matrix", "vmatrix", "array"):
        begin = "\\begin{" + env + "}"
        end = "\\end{" + env + "}"
        if t.startswith(begin) and t.endswith(end):
            body = t[len(begin) : -len(end)]
            if env == "array" and body.startswith("{"):
                close = matching_brace(body, 0)
                body = body[close + 1 :]
            rows = [r for r in body.split("\\\\") if r.strip()]
            return [[c.strip() for c in r.split("&")] for r in rows]
    return None


def parse_value(text: str, _depth: int = 0) -> Value | None:
    """Parse one answer; ``None`` when it is empty, unbalanced or too long to be an answer.

    Results are cached (values are immutable): a GRPO group repeats answers, a gold repeats
    across a whole epoch.
    """
    if not isinstance(text, str) or len(text) > MAX_ANSWER_LEN or _depth > 8:
        return None
    return _parse_cached(text, _depth)


_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,30})?")  # ASCII digits only
_PLAIN_FRAC = re.compile(r"(-?)\\frac\{(-?[0-9]{1,30})\}\{([0-9]{1,30})\}")


def _parse_fast(text: str) -> Value | None:
    """The commonest answers (``42``, ``-3.5``, ``\\frac{3}{4}``) without normalisation.

    Gives exactly what the general parser gives (a property test holds the two equal); None
    means "not one of these shapes", never "unparseable".
    """
    plain = text.strip()
    if _PLAIN_NUMBER.fullmatch(plain):
        dot = plain.find(".")
        if dot < 0:  # Fraction(int) is several times faster than Fraction(str)
            return Value(Kind.NUMBER, plain, plain, plain, Fraction(int(plain)), None, False, "int")
        decimals = len(plain) - dot - 1
        exact = Fraction(int(plain[:dot] + plain[dot + 1 :]), 10**decimals)
        return Value(Kind.NUMBER, plain, plain, plain, exact, decimals, False, "decimal")
    m = _PLAIN_FRAC.fullmatch(plain)
    if m is not None and int(m.group(3)) != 0:
        exact = Fraction(int(m.group(2)), int(m.group(3)))
        return Value(Kind.NUMBER, plain, plain, plain, -exact if m.group(1) else exact, None, False, "fraction")
    return None


# A number glossed by words in parentheses: letters only (no digit, no command), two or more.
_GLOSS = re.compile(r"\(\s*([A-Za-z][A-Za-z' -]*[A-Za-z])\s*\)")
# ... unless the words change the value or offer another ("3 (negative)", "2 (thousand)", "1 (or not)").
_GLOSS_CHANGES = re.compile(
    r"(?i:\b(?:negative|minus|opposite|inverse|reciprocal|squared|cubed|times|per|percent|hundreds?|thousands?|"
    r"millions?|billions?|trillions?|dozens?|half|double|twice|triple|or|not|nor|and|plus|over|except|than)\b)"
)


@lru_cache(maxsize=16384)
def _parse_cached(text: str, _depth: int) -> Value | None:
    return _parse_fast(text) or _parse_general(text, _depth)


def _parse_general(text: str, _depth: int) -> Value | None:
    raw = strip_wrappers(text)
    if not raw or not braces_balanced(raw):
        return None
    t, unit = normalize_unit(raw, stripped=True)
    if not t:
        return None
    if "," in t:
        t = _decimal_comma(t, unit)
    norm = compact(t)
    num = parse_number(t)
    if num is None and t.endswith(")"):
        k = t.rfind("(")  # "1 (yes)", "0 (transient)": a number, then words about it
        gloss = _GLOSS.fullmatch(t, k) if k > 0 else None
        if gloss is not None and not _GLOSS_CHANGES.search(gloss.group(1)):
            num = parse_number(t[:k].rstrip())
            if num is not None:
                t = t[:k].rstrip()
                norm = compact(t)
    if num is not None:
        value, decimals, percent, form = num
        exponent = _exponent_of(norm) if form == "sci" else 0
        return Value(Kind.NUMBER, raw, norm, t, value, decimals, percent, form, unit=unit, exponent=exponent)
    letter = bare_letter(norm)
    if letter:
        return Value(Kind.CHOICE, raw, letter, t, letter=letter)
    m = _BASE_NUM.fullmatch(norm)
    if m:  # "2516_8": a numeral in another base compares as written, not by value
        return Value(Kind.TEXT, raw, f"{m.group(1).lower()}_{m.group(2)}", t)
    pm = _split_pm(t)
    if pm is not None:  # "3 \pm 2\sqrt{2}": the two values it stands for
        items = tuple(parse_value(x, _depth + 1) for x in pm)
        if any(i is None for i in items):
            return None
        return Value(Kind.LIST, raw, norm, t, items=items)  # type: ignore[arg-type]
    rows = _matrix_rows(norm)
    if rows is not None:
        row_values = []
        for row in rows:
            cells = tuple(parse_value(c, _depth + 1) for c in row)
            if any(c is None for c in cells):
                return None
            row_values.append(Value(Kind.TUPLE, " & ".join(row), "&".join(row), " & ".join(row), items=cells))  # type: ignore[arg-type]
        return Value(Kind.MATRIX, raw, norm, t, items=tuple(row_values))
    if norm.startswith("\\{") and norm.endswith("\\}"):
        inner = t.strip()[2:-2]
        items = _parse_items(inner, _depth)
        if items is None:
            return None
        return Value(Kind.SET, raw, norm, t, items=items)
    if norm[0] == "{" and matching_brace(norm, 0) == len(norm) - 1 and len(split_top(norm[1:-1])) >= 2:
        # "{1, -1}": a set written in plain text (unescaped braces), read as "\{1, -1\}" is
        inner = t.strip()[1:-1]
        items = _parse_items(inner, _depth)
        if items is None:
            return None
        return Value(Kind.SET, raw, norm, t, items=items)
    if len(norm) >= 2 and norm[0] in "([" and norm[-1] in ")]" and encloses(norm):
        inner = t.strip()[1:-1]
        parts = split_top(inner)
        if len(parts) >= 2:
            items = _parse_items(inner, _depth)
            if items is None:
                return None
            kind = Kind.INTERVAL if (norm[0] + norm[-1] in ("(]", "[)", "[]") or "\\infty" in norm) else Kind.TUPLE
            return Value(kind, raw, norm, t, items=items, left=norm[0], right=norm[-1])
    if "\\cup" in norm or "\\cap" in norm:
        return Value(Kind.EXPR, raw, norm, t)
    rel = _find_relation(t)
    if rel is not None and ("," in rel[2] or " and " in rel[2]):
        assigned = _assignments(t, _depth)
        if assigned is not None:  # "x = 2, y = 1": a solution of a system, one value per name
            return Value(Kind.LIST, raw, norm, t, items=assigned)
    if rel is not None:
        lhs, op, rhs = rel
        rhs_value = parse_value(rhs, _depth + 1) if rhs else None
        if not lhs or rhs_value is None:
            return Value(Kind.EXPR, raw, norm, t)
        return Value(Kind.RELATION, raw, norm, t, items=(rhs_value,), op=op, lhs=compact(lhs))
    parts = split_top(t)
    if len(parts) >= 2:
        items = _parse_items(t, _depth)
        if items is None:
            return None
        return Value(Kind.LIST, raw, norm, t, items=items)
    if _is_text(t):
        return Value(Kind.TEXT, raw, " ".join(t.lower().split()), t, unit=unit)
    return Value(Kind.EXPR, raw, norm, t, unit=unit)


_COMMA_DECIMAL = re.compile(r"([-+]?\d),(\d{2})|([-+]?\d+),(\d{1,2}|\d{4,})")
_SCI_EXPONENT = re.compile(r"(?:[eE]|10\^)\{?([-+]?\d{1,4})\}?$")


def _decimal_comma(t: str, unit: str) -> str:
    """``3,75`` and ``4,50 €`` are decimals; ``1,000`` stays a thousand and ``1,2`` a list.

    A bare comma number is a decimal only as one digit, a comma and exactly two digits (``3,75``;
    ``10,12`` may be a pair and stays a list); with a unit or currency, any digit count other
    than three (``12,5 cm``, ``1234,5 €``).
    """
    m = _COMMA_DECIMAL.fullmatch(t)
    if m is None:
        return t
    if m.group(1) is not None:
        return f"{m.group(1)}.{m.group(2)}"
    return f"{m.group(3)}.{m.group(4)}" if unit else t


def _exponent_of(norm: str) -> int:
    m = _SCI_EXPONENT.search(norm)
    return int(m.group(1)) if m else 0


def _parse_items(inner: str, depth: int) -> tuple[Value, ...] | None:
    parts = [p.strip() for p in split_top(inner)]
    if any(not p for p in parts):
        return None
    items = tuple(parse_value(p, depth + 1) for p in parts)
    if any(i is None for i in items):
        return None
    return items  # type: ignore[return-value]


_COMMAND = re.compile(r"\\[A-Za-z]+")


def _is_text(t: str) -> bool:
    """Words that are not LaTeX commands or function names: a text answer such as ``Evelyn``."""
    words = _TEXTY.findall(_COMMAND.sub(" ", t))
    if any(w.lower() not in _MATH_WORDS for w in words):
        return True
    # "分层抽样" (stratified sampling): a CJK word with no digit (math in CJK, "根号3", "3分之1",
    # was rewritten before this point; "第3名" keeps its number)
    return not t.isascii() and _CJK_WORD.search(t) is not None and not any(c.isdigit() for c in t)


def as_list(value: Value) -> Value | None:
    """Re-read a thousands-separated number such as ``1,000`` as the list ``1, 000`` when the gold is a list."""
    if value.kind is Kind.NUMBER and "," in value.raw:
        items = _parse_items(normalize(value.raw), 0)
        if items:
            return Value(Kind.LIST, value.raw, value.norm, value.text, items=items)
    return None


def is_symbol(lhs: str) -> bool:
    """``x``, ``y_1``, ``\\theta``, ``f(x)``: the name of what the answer gives a value to."""
    if not lhs or len(lhs) > 12:
        return False
    if lhs.isalpha() and len(lhs) <= 2:
        return True
    if lhs.startswith("\\") and lhs[1:].isalpha():
        return True
    if "_" in lhs:
        head = lhs.split("_", 1)[0]
        return head.isalpha() and len(head) == 1
    return lhs[0].isalpha() and lhs[1:2] == "(" and lhs.endswith(")")
