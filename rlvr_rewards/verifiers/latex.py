"""``latex``: structural and numeric comparison of LaTeX answers without SymPy.

Tuples, intervals, sets, lists, matrices and relations are compared element by element; scalar
expressions are parsed by the bounded parser in :mod:`rlvr_rewards.parsing.expr` and decided by
exact rational arithmetic, 50-digit evaluation, or evaluation at random points of both signs for
expressions with variables (see :func:`rlvr_rewards.parsing.expr.equivalent`: only rational and
analytic expressions are ever "equal" from sampling). Anything it cannot read is left to the
``symbolic`` tier.

Relations and sets of reals: an interval, an inequality (``0 < x \\le 2``, ``\\leqslant``, ``≤``),
``x \\in S``, a set-builder ``\\{x \\mid ...\\}``, a union (``\\cup``, "or") and "and" are all read
as unions of intervals, sorted and merged, and compared piece by piece. Equations compare up to
a non-zero factor (two linear equations that are not proportional are different lines); a
function definition ``g(t) = t^2`` may rename its argument; a family of solutions may rename its
integer parameter (``2k\\pi`` / ``2m\\pi``) and shift it by whole steps (``(2k+1)\\pi`` /
``(2k-1)\\pi``) when the parameter is declared (``k \\in \\mathbb{Z}``) or the family has a ``\\pi``.
Matrices in any environment (``pmatrix``, ``bmatrix``, ``\\left[\\begin{array}...\\right]``) compare
by entries, and a column or row vector (or ``\\langle ... \\rangle``) against a tuple.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

from ..brackets import encloses, find_top_level
from ..config import GradeConfig
from ..parsing import expr as ex
from ..parsing.values import MAX_ANSWER_LEN, Kind, Value, as_list, is_symbol, parse_value, split_top
from ..registry import register
from ..sample import Sample
from .base import ValueVerifier
from .numeric import final_value, numbers_equal

_ORDERED = (Kind.TUPLE, Kind.INTERVAL)
_RELATION_CHARS = re.compile(r"[<>=]|\\[lg]e|\\in|\\mid")
_PLAIN = re.compile(r"[A-Za-z0-9 :.,'/-]{1,200}")
_UNORDERED = (Kind.SET, Kind.LIST)
_COLLECTIONS = (Kind.TUPLE, Kind.INTERVAL, Kind.SET, Kind.LIST)


@lru_cache(maxsize=16384)
def _parsed(text: str) -> ex.Expr | None:
    try:
        return ex.parse_expr(text, max_len=MAX_ANSWER_LEN)
    except ex.ExprError:
        return None
    except (RecursionError, MemoryError, OverflowError, ValueError):
        return None


def compare_values(
    pred: Value, gold: Value, config: GradeConfig, depth: int = 0, int_params: bool = False
) -> bool | None:
    """True / False / None (cannot tell) for two parsed values of any kind."""
    if depth > 6:
        return None
    if pred.norm == gold.norm and pred.kind is gold.kind:
        return True
    pk, gk = pred.kind, gold.kind
    if depth == 0 and pk is not Kind.NUMBER and gk is not Kind.NUMBER:
        # "x = 2k\pi, k \in \mathbb{Z}": compare without the clause, renaming k allowed
        texts = pred.text + gold.text
        if "Z" in texts or "integer" in texts or "\u6574\u6570" in texts:
            p2, g2 = _without_integer_clause(pred), _without_integer_clause(gold)
            if p2 is not None or g2 is not None:
                return compare_values(p2 or pred, g2 or gold, config, depth + 1, int_params=True)
    if pk is not Kind.NUMBER or gk is not Kind.NUMBER:
        r = _compare_as_sets(pred, gold)
        if r is not None:
            return r
    if "\\begin{" in pred.norm or "\\begin{" in gold.norm:
        if ("vmatrix" in pred.norm) != ("vmatrix" in gold.norm) and Kind.MATRIX in (pk, gk):
            return None  # a determinant is a number, not the matrix of its entries
        pm, gm = _as_matrix(pred), _as_matrix(gold)
        if pm is not pred or gm is not gold:
            return compare_values(pm, gm, config, depth + 1, int_params)
    if "\\langle" in pred.norm or "\\langle" in gold.norm:
        pv, gv = _as_tuple(pred), _as_tuple(gold)
        if pv is not pred or gv is not gold:
            return compare_values(pv, gv, config, depth + 1, int_params)
    if gk is Kind.RELATION and pk is not Kind.RELATION:
        if gold.op == "=" and is_symbol(gold.lhs) and gold.items:
            r = compare_values(pred, gold.items[0], config, depth + 1, int_params)
            return r if r is True else _bound_variables(pred, gold) or r
        if gold.op == "=" and pk in (Kind.NUMBER, Kind.EXPR) and gold.lhs and "(" not in gold.lhs:
            # a gold equation of a curve or a condition ("x^2/16 + y^2/8 = 1", "2x - y = 0") is never
            # a bare number or expression (a definition "f(x) = ..." is left to SymPy)
            return False
        return None
    if pk is Kind.RELATION and gk is not Kind.RELATION:
        if pred.op == "=" and is_symbol(pred.lhs) and pred.items:
            r = compare_values(pred.items[0], gold, config, depth + 1, int_params)
            return r if r is True else _bound_variables(pred, gold) or r
        if gk is Kind.NUMBER and pred.op in ("<", ">", "<=", ">=", "\\le", "\\ge"):
            # "T \\geq … \\approx 67.7" against 130.4: a bound is not a number, unless the chain
            # goes on to state one ("≈ 67.7", "= 12"), which then decides
            tail = pred.items[0] if pred.items else None
            if tail is not None and tail.kind is Kind.RELATION and tail.op in ("=", "≈"):
                final = final_value(tail)
                if final.kind in (Kind.NUMBER, Kind.EXPR):
                    return compare_values(final, gold, config, depth + 1, int_params)
            return False
        if gk is Kind.NUMBER and pred.op in ("=", "≈"):
            # "\frac{1}{e-1} + 1 = \frac{e}{e-1}", "\pi(4-1) = 3\pi" against a number: the value
            # the chain ends with (the numeric tier reads plain numbers the same way)
            final = final_value(pred)
            if final is not pred and final.kind in (Kind.NUMBER, Kind.EXPR):
                return compare_values(final, gold, config, depth + 1, int_params)
        if gk in _COLLECTIONS and len(gold.items) > 1 and pred.op in ("=", "≈"):
            final = final_value(pred)  # "\frac{4}{-4} = -1" against [-1, 4]: one number is not two
            if final is not pred and final.kind is Kind.NUMBER:
                return False
        return None
    if pk is Kind.RELATION and gk is Kind.RELATION:
        if pred.op == gold.op and pred.lhs == gold.lhs and is_symbol(gold.lhs):
            return compare_values(pred.items[0], gold.items[0], config, depth + 1, int_params)
        if pred.op == "=" and gold.op == "=":
            r = _bound_variables(pred, gold)
            if r is not None:
                return r
            r = _compare_equations(pred, gold)
            if r is not None:
                return r
        if pred.op == gold.op and pred.lhs == gold.lhs:
            return compare_values(pred.items[0], gold.items[0], config, depth + 1, int_params)
        return None
    if ("\\cup" in pred.norm) != ("\\cup" in gold.norm):
        other = pred if "\\cup" in gold.norm else gold
        if other.kind is Kind.NUMBER or (other.kind is Kind.EXPR and not _RELATION_CHARS.search(other.norm)):
            return False  # a union of sets is never a single number or expression
    if gk is Kind.NUMBER and pred.norm.lstrip("+-") in ("\\infty", "∞"):
        return False  # infinity is not a (finite) number gold
    if gk is Kind.TEXT or pk is Kind.TEXT:
        return pred.norm == gold.norm if pk is gk else False
    if gk is Kind.CHOICE or pk is Kind.CHOICE:
        return pred.letter == gold.letter if pk is gk else False
    if gk in _UNORDERED and pk is Kind.NUMBER:
        alt = as_list(pred)
        if alt is not None:
            pred, pk = alt, Kind.LIST
    if gk in _ORDERED and pk in _ORDERED:
        if pred.left != gold.left or pred.right != gold.right:
            return False
        return _sequence(pred.items, gold.items, config, depth, int_params=int_params)
    if gk is Kind.TUPLE and pk is Kind.LIST:
        if not _in_name_order(pred):
            return None  # "y = 1, x = 2" against (2, 1): which entry is which is SymPy's call
        return _sequence(pred.items, gold.items, config, depth, int_params=int_params)
    if gk in _UNORDERED and pk in _UNORDERED:
        return _unordered(pred.items, gold.items, config, depth)
    if gk in _UNORDERED and pk is Kind.TUPLE and len(pred.items) > 1:
        # "(1,3)" against the collection "1, 3": the same members (as SymPy reads it too)
        return _unordered(pred.items, gold.items, config, depth)
    if gk is Kind.MATRIX or pk is Kind.MATRIX:
        if pk is not gk:
            # a column (or row) vector against a tuple: entry by entry
            m, other = (pred, gold) if pk is Kind.MATRIX else (gold, pred)
            vec = _vector(m)
            if vec is None or other.kind not in _ORDERED or len(other.items) < 2:
                return False
            return _sequence(vec, other.items, config, depth) if m is pred else _sequence(other.items, vec, config, depth)
        if len(pred.items) != len(gold.items):
            return False
        return _sequence(pred.items, gold.items, config, depth, rows=True)
    if pk is not gk and gk in _COLLECTIONS and pk in _COLLECTIONS and _members_differ(pred, gold, config, depth):
        return False  # "{0, 1, 2}" / "[0, 1, 3]", "x = 2, y = 1" / [-1, 4]: no reading makes them equal
    if gk in (Kind.INTERVAL, Kind.SET) and pk in (Kind.INTERVAL, Kind.SET):
        return None  # e.g. a union written differently: symbolic decides
    if (gk in _COLLECTIONS) != (pk in _COLLECTIONS):
        return False
    if pk is Kind.NUMBER and gk is Kind.NUMBER:
        return numbers_equal(pred, gold, config)
    return _scalar(pred, gold, config, int_params)


def _sequence(
    a: tuple[Value, ...], b: tuple[Value, ...], config: GradeConfig, depth: int, rows: bool = False, int_params: bool = False
) -> bool | None:
    if len(a) != len(b):
        return False
    unknown = False
    for x, y in zip(a, b):
        if rows:
            r = _sequence(x.items, y.items, config, depth + 1) if len(x.items) == len(y.items) else False
        else:
            r = compare_values(x, y, config, depth + 1, int_params)
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


def _members_differ(pred: Value, gold: Value, config: GradeConfig, depth: int) -> bool:
    """Two collections of numbers written in different brackets (``{0, 1, 2}`` / ``[0, 1, 3]``,
    ``3, 8`` / ``[4, 16, 65536]``): do their distinct members differ? Then they are unequal in any
    reading: as lists (SymPy compares their sets of members), as sets, or with the brackets read
    as an interval (never a finite set of several numbers). A member ``x = 2`` counts as its
    value, as SymPy reads a solution ``x = 2, y = 1``."""
    sides = []
    for side in (pred, gold):
        members = {}
        for v in side.items:
            if v.kind is Kind.RELATION and v.op == "=" and is_symbol(v.lhs) and v.items:
                v = v.items[0]
            if v.kind is not Kind.NUMBER or v.number is None or v.percent:
                return False
            members.setdefault(v.number, v)
        sides.append(tuple(members.values()))
    return _unordered(sides[0], sides[1], config, depth) is False


def _in_name_order(value: Value) -> bool:
    """Are the names of a list of assignments (``x = 2, y = 1``) in alphabetical order, as the
    entries of the tuple they answer are? A list of anything else is in its written order."""
    names = [v.lhs for v in value.items if v.kind is Kind.RELATION]
    return len(names) < len(value.items) or names == sorted(names)


def _unordered(a: tuple[Value, ...], b: tuple[Value, ...], config: GradeConfig, depth: int) -> bool | None:
    if len(a) != len(b) or len(a) > 64:
        return False if len(a) != len(b) else None
    used = [False] * len(a)
    unknown = False
    for y in b:
        found = False
        for i, x in enumerate(a):
            if used[i]:
                continue
            r = compare_values(x, y, config, depth + 1)
            if r:
                used[i] = found = True
                break
            if r is None:
                unknown = True
        if not found and not unknown:
            return False
    return True if all(used) else (None if unknown else False)


def _as_expr(value: Value) -> ex.Expr | None:
    """Numbers keep the exact value parsing gave them (mixed numbers, percents resolved)."""
    if value.kind is Kind.NUMBER and value.number is not None:
        return None if value.percent else ex.Num(value.number)
    return _parsed(value.text)


def _scalar(pred: Value, gold: Value, config: GradeConfig, int_params: bool = False) -> bool | None:
    a = _as_expr(pred)
    b = _as_expr(gold)
    if a is None and b is None and _PLAIN.fullmatch(pred.text) and _PLAIN.fullmatch(gold.text):
        # Neither is mathematics the parser reads, and neither has LaTeX for SymPy to read
        # either ("4:30 p.m."): compare as written.
        return pred.norm.lower() == gold.norm.lower()
    if a is None or b is None:
        return None
    if pred.kind is Kind.NUMBER and pred.decimals is not None or gold.kind is Kind.NUMBER and gold.decimals is not None:
        # A written decimal against an expression: the tolerance policy decides, not 30 digits.
        return _decimal_vs_expr(pred, gold, a, b, config)
    try:
        r = ex.equivalent(a, b)
        if r is True:
            return True
        if a.free_symbols() != b.free_symbols():
            renamed = _rename_integer_parameter(a, b, int_params)
            if renamed is None:
                return r
            a = renamed
            r = ex.equivalent(a, b)
            if r is True:
                return True
        family = _integer_family(a, b, int_params)
        return r if family is None else family
    except (ex.ExprError, ArithmeticError, ValueError, MemoryError, RecursionError):
        return None


def _decimal_vs_expr(pred: Value, gold: Value, a: ex.Expr, b: ex.Expr, config: GradeConfig) -> bool | None:
    dec, other, other_value = (pred, gold, b) if pred.decimals is not None and pred.kind is Kind.NUMBER else (gold, pred, a)
    if other_value.free_symbols():
        return False
    exact = ex.exact_value(other_value)
    if exact is None:
        try:
            v = ex.numeric_value(other_value)
        except (ex.ExprError, ArithmeticError, ValueError):
            return None
        if v is None or abs(v.imag) > 1e-30:
            return None if v is None else False
        exact = Fraction(str(v.real)) if str(v.real) not in ("+inf", "-inf", "nan") else None
        if exact is None:
            return None
    stand_in = Value(Kind.NUMBER, other.raw, other.norm, other.text, exact, None, False, "fraction")
    return numbers_equal(dec, stand_in, config) if dec is pred else numbers_equal(stand_in, dec, config)


@register("latex")
class LatexVerifier(ValueVerifier):
    """Structures element-wise; expressions by exact, 50-digit and random-point evaluation."""

    name = "latex"

    def compare(self, pred: Value, gold: Value, sample: Sample) -> bool | None:
        return compare_values(pred, gold, sample.config)


# --- relations as sets of reals: intervals, inequalities, set-builder, unions ------------------
_INEQ_TOKENS = (
    ("\\leqslant", "<="), ("\\geqslant", ">="), ("\\leq", "<="), ("\\geq", ">="), ("\\le", "<="),
    ("\\ge", ">="), ("\\lt", "<"), ("\\gt", ">"), ("\\neq", "!="), ("\\ne", "!="), ("\\notin", ""),
    ("\\in", "in"), ("<=", "<="), (">=", ">="), ("\u2264", "<="), ("\u2265", ">="), ("\u2a7d", "<="),
    ("\u2a7e", ">="), ("\uff1c", "<"), ("\uff1e", ">"), ("\u2260", "!="), ("\u2208", "in"),
    ("<", "<"), (">", ">"), ("=", "="),
)  # fmt: skip
_INEQ_HINT = re.compile(r"<|>|\\[lg]e|\\[lg]t|\\neq?(?![A-Za-z])|\\in(?![A-Za-z])|\\cup|\\mid|[\u2264\u2265\u2a7d\u2a7e\uff1c\uff1e\u2260\u2208]")
_OR_WORDS = (" or ", "\\lor", "\\vee", "\u6216")
_AND_WORDS = (" and ", "\\land", "\\wedge", "\u4e14")
_INF_POS = frozenset({"\\infty", "+\\infty", "\u221e", "+\u221e", "\\infin", "+\\infin"})
_INF_NEG = frozenset({"-\\infty", "-\u221e", "-\\infin"})
_REALS = frozenset({"\\mathbb{R}", "\\mathbb R", "\\R", "\\mathbf{R}", "R", "\\mathbb{R}^1"})
_SYMBOL = re.compile(r"[A-Za-z](?:_\{?[A-Za-z0-9]{1,3}\}?)?|\\[A-Za-z]{2,12}")
_BUILDER_SEPS = ("\\mid", "|", ":")

# an interval piece: (lo, lo_closed, hi, hi_closed); lo / hi an Expr, "-inf" or "+inf"
_Piece = tuple


def _top_level_find(t: str, words: tuple[str, ...], start: int = 0) -> tuple[int, str] | None:
    """First occurrence of any of ``words`` at bracket depth 0 (``\\{ \\}`` count as brackets)."""
    return find_top_level(t, words, start)


def _split_words(t: str, words: tuple[str, ...]) -> list[str]:
    parts: list[str] = []
    pos = 0
    for _ in range(64):
        hit = _top_level_find(t, words, pos)
        if hit is None:
            break
        parts.append(t[pos : hit[0]])
        pos = hit[0] + len(hit[1])
    parts.append(t[pos:])
    return parts


def _chain(t: str) -> tuple[list[str], list[str]] | None:
    """``a < x \\le b`` → terms ``[a, x, b]``, ops ``['<', '<=']`` (top level only)."""
    terms: list[str] = []
    ops: list[str] = []
    pos = 0
    for _ in range(8):
        hit = _top_level_find(t, tuple(tok for tok, _ in _INEQ_TOKENS), pos)
        if hit is None:
            break
        i, tok = hit
        op = dict(_INEQ_TOKENS)[tok]
        if not op:
            return None
        terms.append(t[pos:i].strip())
        ops.append(op)
        pos = i + len(tok)
    terms.append(t[pos:].strip())
    if not ops or any(not x for x in terms):
        return None
    return terms, ops


def _symbol_name(s: str) -> str | None:
    c = s.replace(" ", "")
    return c if _SYMBOL.fullmatch(c) and c not in _INF_POS and c not in ("\\pi", "\\infty") else None


def _endpoint(s: str) -> ex.Expr | str | None:
    c = s.replace(" ", "")
    if c in _INF_POS:
        return "+inf"
    if c in _INF_NEG:
        return "-inf"
    return _parsed(s.strip())


def _interval_text(s: str) -> list[_Piece] | None:
    """``(a, b]``, ``[a, \\infty)``, ``\\{1, 2\\}`` (points), ``\\mathbb{R}``, ``\\emptyset``."""
    s = s.strip()
    c = s.replace(" ", "")
    if c in _REALS:
        return [("-inf", False, "+inf", False)]
    if c in ("\\emptyset", "\\varnothing", "\\{\\}", "\u2205"):
        return []
    if c.startswith("\\{") and c.endswith("\\}"):
        pts = [_endpoint(p) for p in split_top(s.strip()[2:-2])]
        if any(p is None or isinstance(p, str) for p in pts):
            return None
        return [(p, True, p, True) for p in pts]
    if len(c) >= 5 and c[0] in "([" and c[-1] in ")]" and _one_group(c):
        parts = split_top(s[1:-1])
        if len(parts) != 2:
            return None
        lo, hi = _endpoint(parts[0]), _endpoint(parts[1])
        if lo is None or hi is None or lo == "+inf" or hi == "-inf":
            return None
        klo, khi = _key(lo), _key(hi)
        if klo is not None and khi is not None and (klo > khi or (klo == khi and c[0] + c[-1] != "[]")):
            return None  # "[3, 1]" is a list, not an interval
        return [(lo, c[0] == "[" and lo != "-inf", hi, c[-1] == "]" and hi != "+inf")]
    return None


def _one_group(c: str) -> bool:
    """The bracket opening ``c`` closes at its last character (``(1,2)`` yes, ``(1,2)\\cup(3,4)`` no)."""
    return encloses(c, "([", ")]")


def _union_text(s: str) -> list[_Piece] | None:
    pieces: list[_Piece] = []
    for part in _split_words(s, ("\\cup", "\u222a")):
        p = _interval_text(part)
        if p is None:
            return None
        pieces.extend(p)
    return pieces


def _inequality(t: str) -> tuple[str, list[_Piece]] | None:
    """One chain ``a < x \\le b`` / ``x > a`` / ``x \\ne a`` / ``x \\in S`` → (variable, pieces)."""
    ch = _chain(t)
    if ch is None:
        return None
    terms, ops = ch
    names = [_symbol_name(x) for x in terms]
    if len(terms) == 2 and ops[0] == "in" and names[0]:
        pieces = _union_text(terms[1])
        return None if pieces is None else (names[0], pieces)
    if "in" in ops or "=" in ops:
        return None
    if len(terms) == 2 and ops[0] == "!=":
        var_i = 0 if names[0] else 1 if names[1] else -1
        if var_i < 0 or (names[0] and names[1]):
            return None
        a = _endpoint(terms[1 - var_i])
        if a is None or isinstance(a, str):
            return None
        return names[var_i], [("-inf", False, a, False), (a, False, "+inf", False)]
    if "!=" in ops or len(terms) > 3:
        return None
    if all(o in ("<", "<=") for o in ops):
        up = True
    elif all(o in (">", ">=") for o in ops):
        up = False
    else:
        return None
    if not up:
        terms, ops, names = terms[::-1], [{">": "<", ">=": "<="}[o] for o in ops[::-1]], names[::-1]
    # now terms[0] < terms[1] (< terms[2])
    if len(terms) == 3:
        var = names[1]
        if not var or names[0] == var or names[2] == var:
            return None
        lo, hi = _endpoint(terms[0]), _endpoint(terms[2])
        if lo is None or hi is None or isinstance(lo, str) and lo != "-inf" or isinstance(hi, str) and hi != "+inf":
            return None
        return var, [(lo, ops[0] == "<=" and lo != "-inf", hi, ops[1] == "<=" and hi != "+inf")]
    if names[0] and names[1]:
        return None
    if names[0]:  # x < a
        hi = _endpoint(terms[1])
        if hi is None or isinstance(hi, str):
            return None
        return names[0], [("-inf", False, hi, ops[0] == "<=")]
    if names[1]:  # a < x
        lo = _endpoint(terms[0])
        if lo is None or isinstance(lo, str):
            return None
        return names[1], [(lo, ops[0] == "<=", "+inf", False)]
    return None


def _condition(t: str) -> tuple[str, list[_Piece]] | None:
    """Inequalities joined by "or" (union) and "and" (intersection), one variable."""
    var: str | None = None
    pieces: list[_Piece] = []
    for disj in _split_words(t, _OR_WORDS):
        conj: list[_Piece] | None = None
        for part in _split_words(disj, _AND_WORDS):
            r = _inequality(part.strip())
            if r is None or (var is not None and r[0] != var):
                return None
            var = r[0]
            conj = r[1] if conj is None else _intersect(conj, r[1])
            if conj is None:
                return None
        pieces.extend(conj or [])
    return None if var is None else (var, pieces)


def _real_set(value: Value, tuple_ok: bool) -> tuple[str | None, list[_Piece]] | None:
    """The set of reals a value describes, with its variable (None for a bare interval)."""
    t = value.text.strip()
    if value.kind is Kind.INTERVAL or (tuple_ok and value.kind is Kind.TUPLE and len(value.items) == 2):
        p = _interval_text(t)
        return None if p is None else (None, p)
    c = t.replace(" ", "")
    if c.startswith("\\{") and c.endswith("\\}"):
        inner = t[t.index("\\{") + 2 : t.rindex("\\}")]
        hit = _top_level_find(inner, _BUILDER_SEPS)
        if hit is None:
            return None
        head, cond = inner[: hit[0]].strip(), inner[hit[0] + len(hit[1]) :].strip()
        var = _builder_variable(head)
        r = _condition(cond)
        if var is None or r is None or r[0] != var:
            return None
        return r
    if "\\cup" in c or "\u222a" in c:
        if _top_level_find(t, tuple(tok for tok, _ in _INEQ_TOKENS)) is None:
            p = _union_text(t)
            return None if p is None else (None, p)
    return _condition(t)


def _builder_variable(head: str) -> str | None:
    """``x`` in ``\\{x \\mid ...\\}`` and ``\\{x \\in \\mathbb{R} \\mid ...\\}``; None for other domains."""
    ch = _chain(head)
    if ch is None:
        return _symbol_name(head)
    if ch[1] != ["in"]:
        return None
    (name, domain), ops = ch
    if _interval_text(domain) == [("-inf", False, "+inf", False)]:
        return _symbol_name(name)
    return None


def _key(e: ex.Expr | str) -> Fraction | float | None:
    """A number to order endpoints by (exact when possible), or None for parametric ones."""
    if e == "-inf":
        return float("-inf")
    if e == "+inf":
        return float("inf")
    if isinstance(e, str) or e.free_symbols():
        return None
    x = ex.exact_value(e)
    if x is not None:
        return x
    v = ex.numeric_value(e, dps=30)
    if v is None or v.imag:
        return None
    return Fraction(str(v.real)) if str(v.real) not in ("+inf", "-inf", "nan") else None


def _intersect(a: list[_Piece], b: list[_Piece]) -> list[_Piece] | None:
    """Intersection of two unions of intervals with numeric endpoints (None: parametric)."""
    out: list[_Piece] = []
    for lo1, lc1, hi1, hc1 in a:
        for lo2, lc2, hi2, hc2 in b:
            k = [_key(lo1), _key(lo2), _key(hi1), _key(hi2)]
            if any(x is None for x in k):
                return None
            lo, lc = (lo1, lc1) if k[0] > k[1] else (lo2, lc2) if k[1] > k[0] else (lo1, lc1 and lc2)
            hi, hc = (hi1, hc1) if k[2] < k[3] else (hi2, hc2) if k[3] < k[2] else (hi1, hc1 and hc2)
            out.append((lo, lc, hi, hc))
    return out


def _canonical_pieces(pieces: list[_Piece]) -> list[tuple[_Piece, Fraction | float, Fraction | float]] | None:
    """Sorted, merged, non-empty pieces with their endpoint keys; None when not all numeric."""
    keyed = []
    for p in pieces:
        klo, khi = _key(p[0]), _key(p[2])
        if klo is None or khi is None:
            return None
        if klo > khi or (klo == khi and not (p[1] and p[3])):
            continue  # empty
        keyed.append((p, klo, khi))
    keyed.sort(key=lambda x: (x[1], not x[0][1]))
    merged: list[list] = []
    for p, klo, khi in keyed:
        if merged:
            last = merged[-1]
            if klo < last[2] or (klo == last[2] and (last[0][3] or p[1])):
                if khi > last[2]:
                    last[0] = (last[0][0], last[0][1], p[2], p[3])
                    last[2] = khi
                elif khi == last[2] and p[3] and not last[0][3]:
                    last[0] = (last[0][0], last[0][1], last[0][2], True)
                continue
        merged.append([p, klo, khi])
    return [(m[0], m[1], m[2]) for m in merged]


def _same_endpoint(a: ex.Expr | str, b: ex.Expr | str) -> bool | None:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        return ex.equivalent(a, b)
    except (ex.ExprError, ArithmeticError, ValueError, MemoryError, RecursionError):
        return None


def _compare_real_sets(a: tuple[str | None, list[_Piece]], b: tuple[str | None, list[_Piece]]) -> bool | None:
    if a[0] is not None and b[0] is not None and a[0] != b[0]:
        return None  # different variables: not ours to rename
    ca, cb = _canonical_pieces(a[1]), _canonical_pieces(b[1])
    numeric = ca is not None and cb is not None
    pa = [x[0] for x in ca] if ca is not None else a[1]
    pb = [x[0] for x in cb] if cb is not None else b[1]
    if len(pa) != len(pb):
        return False if numeric else None
    unknown = False
    for (lo1, lc1, hi1, hc1), (lo2, lc2, hi2, hc2) in zip(pa, pb):
        if lc1 != lc2 or hc1 != hc2:
            if numeric:
                return False
            unknown = True
            continue
        for x, y in ((lo1, lo2), (hi1, hi2)):
            r = _same_endpoint(x, y)
            if r is False and numeric:
                return False
            if r is not True:
                unknown = True
    return None if unknown else True


def _inequality_like(v: Value) -> bool:
    """An inequality, ``x \\in S``, a set-builder or a union (cheap textual test)."""
    if v.kind in (Kind.NUMBER, Kind.CHOICE, Kind.MATRIX, Kind.INTERVAL, Kind.TUPLE):
        return False
    if v.kind is Kind.RELATION and v.op == "=" and "\\in" not in v.text and "=" in v.text:
        return False
    return _INEQ_HINT.search(v.text) is not None


def _compare_as_sets(pred: Value, gold: Value) -> bool | None:
    """Interval / inequality / set-builder / union against each other; None: not both sets."""
    pi, gi = _inequality_like(pred), _inequality_like(gold)
    if not (pi or gi):
        return None
    if not (pi or pred.kind in (Kind.INTERVAL, Kind.TUPLE)) or not (gi or gold.kind in (Kind.INTERVAL, Kind.TUPLE)):
        return None
    a, b = _real_set(pred, tuple_ok=True), _real_set(gold, tuple_ok=True)
    if a is None or b is None:
        return None
    return _compare_real_sets(a, b)


# --- equations, renamed parameters and bound variables, matrices ---------------------------
_INT_PARAMS = frozenset({"k", "m", "n", "j", "l"})
_INT_CLAUSE = re.compile(
    r"\s*(?:,|;|\\quad|\\qquad|\\text\{\s*(?:where|for)\s*\}|where|for)?\s*\(?\s*"
    r"(?:[kmnjl](?:\s*,\s*[kmnjl])*)\s*(?:\\in|\u2208)\s*(?:\\mathbb\{Z\}|\\mathbb Z|\\Z|Z|\\mathbf\{Z\})\s*\)?\s*$"
    r"|\s*(?:,|;)?\s*\(?\s*(?:\\text\{\s*)?(?:where\s+)?[kmnjl]\s+(?:is\s+an?\s+)?(?:any\s+)?integers?\s*\}?\s*\)?\s*$"
    r"|\s*(?:,|;|\uff0c)?\s*[(\uff08]?\s*(?:\u5176\u4e2d\s*)?[kmnjl]\s*(?:\u4e3a|\u662f)\s*(?:\u4efb\u610f)?\u6574\u6570\s*[)\uff09]?\s*$"
)  # the last: Chinese "(其中) k 为 / 是 (任意) 整数"
_FUNC_DEF = re.compile(r"([A-Za-z]|\\[A-Za-z]+)\(([A-Za-z](?:,[A-Za-z]){0,3})\)")


def _without_integer_clause(value: Value) -> Value | None:
    """``x = 2k\\pi, k \\in \\mathbb{Z}`` → the value ``x = 2k\\pi`` (the clause names the parameter)."""
    m = _INT_CLAUSE.search(value.text)
    if m is None or m.start() == 0:
        return None
    return parse_value(value.text[: m.start()])


def _rename_integer_parameter(a: ex.Expr, b: ex.Expr, declared: bool) -> ex.Expr | None:
    """``2m\\pi`` against ``2k\\pi``: ``a`` with its one integer parameter renamed to ``b``'s.

    Only for letters used as integer parameters (k, m, n, j, l), one on each side and the rest
    of the symbols shared, and only in a family of solutions: with a ``\\pi`` on both sides or
    an explicit "k ∈ Z" clause.
    """
    fa, fb = a.free_symbols(), b.free_symbols()
    only_a, only_b = fa - fb, fb - fa
    if len(only_a) != 1 or len(only_b) != 1:
        return None
    u, w = next(iter(only_a)), next(iter(only_b))
    if u not in _INT_PARAMS or w not in _INT_PARAMS:
        return None
    if not declared and not (_has_pi(a) and _has_pi(b)):
        return None
    return ex.rename(a, {u: w})


def _integer_family(a: ex.Expr, b: ex.Expr, declared: bool) -> bool | None:
    """``(2k+1)\\pi`` and ``(2k-1)\\pi``: the same set ``{c k + d : k integer}`` written twice.

    For two expressions linear in one integer parameter (declared, or k, m, n, j, l with a
    ``\\pi``): equal as sets exactly when the steps are equal up to sign and the offsets differ
    by a whole number of steps. None when that is not the shape.
    """
    names = a.free_symbols()
    if len(names) != 1 or names != b.free_symbols():
        return None
    k = next(iter(names))
    if k not in _INT_PARAMS or not (declared or (_has_pi(a) and _has_pi(b))):
        return None
    if ex.polynomial_degree(a) != 1 or ex.polynomial_degree(b) != 1:
        return None
    vals = [ex.numeric_value(e, {k: x}, dps=40) for e in (a, b) for x in (0, 1)]
    if any(v is None or abs(v.imag) > 1e-30 * max(1, abs(v)) for v in vals):
        return None
    d1, c1, d2, c2 = vals[0].real, vals[1].real - vals[0].real, vals[2].real, vals[3].real - vals[2].real
    if not c1 or not c2:
        return None
    if abs(abs(c1) - abs(c2)) > 1e-25 * abs(c2):
        return False
    t = (d1 - d2) / c2
    return bool(abs(t - round(t)) < 1e-20)


def _has_pi(e: ex.Expr) -> bool:
    return "@pi" in ex.canonical(e)


def _equation(v: Value) -> tuple[ex.Expr, ex.Expr] | None:
    """Both sides of a single equation ``L = R`` as expressions."""
    if v.kind is not Kind.RELATION or "\\in" in v.text:
        return None
    ch = _chain(v.text)
    if ch is None or ch[1] != ["="]:
        return None
    left, right = _parsed(ch[0][0]), _parsed(ch[0][1])
    return None if left is None or right is None else (left, right)


def _compare_equations(pred: Value, gold: Value) -> bool | None:
    """``x^2/9+y^2/4=1`` vs ``4x^2+9y^2=36``: the same equation up to a non-zero factor.

    Two lines (or planes) are the same only when proportional, so for two linear equations a
    non-proportional pair is decided different; otherwise SymPy decides.
    """
    a, b = _equation(pred), _equation(gold)
    if a is None or b is None:
        return None
    da, db = ex.Add((a[0], ex.Neg(a[1]))), ex.Add((b[0], ex.Neg(b[1])))
    try:
        r = ex.proportional(da, db)
        if r is None and ex.zero_sets_differ(da, db):
            return False  # two circles or conics: a point of one is not on the other
        return r
    except (ex.ExprError, ArithmeticError, ValueError, MemoryError, RecursionError):
        return None


def _bound_variables(pred: Value, gold: Value) -> bool | None:
    """``g(s) = s^2`` vs ``g(t) = t^2``: a function defined with another name for its argument.

    Either side may instead be a bare expression in one variable (``t^2``) against a definition.
    """
    fp, fg = _definition(pred), _definition(gold)
    if fp is not None and fg is not None:
        if fp[0] != fg[0] or len(fp[1]) != len(fg[1]) or fp[1] == fg[1]:
            return None
        if any(w in fp[2].free_symbols() and w not in fp[1] for w in fg[1]):
            return None  # "g(s) = t^2": t is free in the body, renaming s would capture it
        body_p, body_g = ex.rename(fp[2], dict(zip(fp[1], fg[1]))), fg[2]
    elif fp is not None or fg is not None:
        other = gold if fp is not None else pred
        names, body_def = (fp or fg)[1], (fp or fg)[2]  # type: ignore[index]
        body_other = None if other.kind is Kind.RELATION or len(names) != 1 else _as_expr(other)
        if body_other is None:
            return None
        free = body_other.free_symbols()
        if len(free) != 1 or names[0] in free or not body_def.free_symbols() <= {names[0]}:
            return None
        body_def = ex.rename(body_def, {names[0]: next(iter(free))})
        body_p, body_g = (body_def, body_other) if fp is not None else (body_other, body_def)
    else:
        return None
    if body_p.free_symbols() != body_g.free_symbols():
        return None
    try:
        return ex.equivalent(body_p, body_g)
    except (ex.ExprError, ArithmeticError, ValueError, MemoryError, RecursionError):
        return None


def _definition(v: Value) -> tuple[str, tuple[str, ...], ex.Expr] | None:
    """``g(t) = t^2`` → (``g``, (``t``,), ``t^2``)."""
    if v.kind is not Kind.RELATION or v.op != "=" or not v.items:
        return None
    m = _FUNC_DEF.fullmatch(v.lhs)
    if m is None:
        return None
    body = _as_expr(v.items[0])
    if body is None:
        return None
    return m.group(1), tuple(m.group(2).split(",")), body


def _as_matrix(v: Value) -> Value:
    """``\\left[\\begin{array}{cc}…\\end{array}\\right]``: the matrix inside the brackets."""
    if v.kind is Kind.MATRIX or "\\begin{" not in v.norm:
        return v
    t = v.text.strip()
    if len(t) > 2 and t[0] in "([" and t[-1] in ")]":
        inner = parse_value(t[1:-1].strip())
        if inner is not None and inner.kind is Kind.MATRIX:
            return inner
    return v


def _as_tuple(v: Value) -> Value:
    """``\\langle 1, 2, 3 \\rangle``: the vector as the tuple ``(1, 2, 3)``."""
    t = v.text.strip()
    if not (t.startswith("\\langle") and t.endswith("\\rangle")):
        return v
    inner = t[len("\\langle") : -len("\\rangle")].strip()
    if "\\langle" in inner or len(split_top(inner)) < 2:
        return v
    tup = parse_value(f"({inner})")
    return tup if tup is not None and tup.kind in _ORDERED else v


def _vector(m: Value) -> tuple[Value, ...] | None:
    """The entries of a column (n×1) or row (1×n) matrix."""
    rows = m.items
    if rows and all(len(r.items) == 1 for r in rows):
        return tuple(r.items[0] for r in rows)
    if len(rows) == 1:
        return rows[0].items
    return None
