"""Safe, bounded parser and evaluator for math answers in LaTeX or plain text.

No ``eval``/``exec``/SymPy: a recursive-descent parser with explicit length and
depth limits builds a tiny immutable AST, which can be evaluated exactly
(:func:`exact_value`, ``Fraction``) or numerically (:func:`numeric_value`,
mpmath, imported lazily), and two ASTs compared with :func:`equivalent`.

Numeric evaluation carries a running error bound node by node, so a value that cancels to 0
(``e^{100}-e^{100}``) is 0 and a tiny value (``1/1000!``) is never within an absolute tolerance of
another. With variables, only rational and analytic expressions are decided *equal* from random
points (of both signs; exactly, at rational points, for rational functions); ``|x|``, roots,
logarithms and non-integer powers of a variable are only ever found *different*.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import mpmath

__all__ = [
    "Add",
    "Const",
    "Div",
    "Expr",
    "ExprError",
    "Func",
    "Mul",
    "Neg",
    "Num",
    "Pow",
    "Sym",
    "canonical",
    "equivalent",
    "exact_value",
    "numeric_value",
    "expression_class",
    "parse_expr",
    "polynomial_degree",
    "proportional",
    "rename",
]

# --- limits -----------------------------------------------------------------
MAX_BITS = 10_000  # exact: largest numerator/denominator kept (bits)
MAX_NUM_DIGITS = 3_000  # parser: longest number literal (~MAX_BITS bits)
MAX_FACTORIAL_EXACT = 1_000  # exact: largest n for n!
MAX_FACTORIAL_NUMERIC = 10_000  # numeric: largest |x| for x!
MAX_EXPONENT = 10**6  # numeric: largest |exponent|
MAX_MAG_BITS = 332_193  # numeric: |log2 value| bound, ~10^5 decimal digits
MAX_TRIG_ARG_BITS = 2_000  # numeric: periodic functions of huge args
MAX_EXP_ARG = 200_000  # numeric: sinh/cosh/tanh argument bound
GUARD_DPS = 10  # numeric: guard digits on top of the requested dps


class ExprError(ValueError):
    """Unsupported syntax, or input over the parser's limits."""


# --- AST --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Expr:
    """Base class of immutable expression nodes."""

    def free_symbols(self) -> frozenset[str]:
        """Names of all :class:`Sym` nodes in the tree."""
        out: set[str] = set()
        stack: list[Expr] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, Sym):
                out.add(node.name)
            else:
                stack.extend(_children(node))
        return frozenset(out)


@dataclass(frozen=True, slots=True)
class Num(Expr):
    """Rational literal (integers and decimals are exact)."""

    value: Fraction


@dataclass(frozen=True, slots=True)
class Const(Expr):
    """Mathematical constant: ``'pi'``, ``'e'`` (Euler) or ``'i'`` (imaginary unit)."""

    name: str


@dataclass(frozen=True, slots=True)
class Sym(Expr):
    """Free symbol, e.g. ``x``, ``alpha``, ``a_10``."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    """Unary minus."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Add(Expr):
    """Sum of two or more terms (subtraction is ``Add`` of a ``Neg``)."""

    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Mul(Expr):
    """Product of two or more factors."""

    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Div(Expr):
    """Quotient ``num / den``."""

    num: Expr
    den: Expr


@dataclass(frozen=True, slots=True)
class Pow(Expr):
    """Power ``base ** exp`` (``\\exp(x)`` is ``Pow(Const('e'), x)``)."""

    base: Expr
    exp: Expr


@dataclass(frozen=True, slots=True)
class Func(Expr):
    """Function application.

    Names: trig/hyperbolic (``sin`` ... ``arccsc``, ``sinh``, ``cosh``, ``tanh``),
    ``ln`` (natural log, also bare ``\\log``), ``log`` (args ``(x, base)``),
    ``sqrt``, ``root`` (args ``(x, n)``), ``abs``, ``factorial``, ``binom`` (``(n, k)``).
    """

    name: str
    args: tuple[Expr, ...]


def _children(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, (Add, Mul, Func)):
        return e.args
    if isinstance(e, Neg):
        return (e.arg,)
    if isinstance(e, Div):
        return (e.num, e.den)
    if isinstance(e, Pow):
        return (e.base, e.exp)
    return ()


def _neg(e: Expr) -> Expr:
    return Num(-e.value) if isinstance(e, Num) else Neg(e)


def _add(terms: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.args if isinstance(t, Add) else (t,))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def _mul(a: Expr, b: Expr) -> Expr:
    return Mul(
        (*(a.args if isinstance(a, Mul) else (a,)), *(b.args if isinstance(b, Mul) else (b,)))
    )


# --- tokenizer ----------------------------------------------------------------
Token = tuple[str, str]  # (kind, value); kinds: num, let, cmd, op, end

_TRIG_INVERSE = {
    "sin": "arcsin", "cos": "arccos", "tan": "arctan",
    "cot": "arccot", "sec": "arcsec", "csc": "arccsc",
}  # fmt: skip
_CHAIN_FUNCS = frozenset(
    {*_TRIG_INVERSE, *_TRIG_INVERSE.values(), "sinh", "cosh", "tanh", "ln", "log", "exp"}
)
_GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
    "mu nu xi omicron rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
_CMD_ALIASES = {
    "dfrac": "frac", "tfrac": "frac", "cfrac": "frac", "dbinom": "binom", "tbinom": "binom",
}  # fmt: skip
_CMD_OPS = {
    "cdot": "*",
    "times": "*",
    "ast": "*",
    "div": "/",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
}
_ATOM_CMDS = frozenset({"pi", "frac", "binom", "sqrt", "abs", *_CHAIN_FUNCS, *_GREEK})
_SKIP_CMDS = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr "
    "displaystyle textstyle quad qquad limits".split()
)
_DECORATIONS = frozenset("vec overrightarrow overleftarrow bar hat tilde overline widehat widetilde dot ddot".split())
_TEXT_CMDS = frozenset(
    "text mathrm textrm mathit textit mathbf textbf mathsf mbox operatorname".split()
)
_PLAIN_WORDS = sorted(
    (
        "pi",
        "sqrt",
        "abs",
        "exp",
        "ln",
        "log",
        "sinh",
        "cosh",
        "tanh",
        *_TRIG_INVERSE,
        *_TRIG_INVERSE.values(),
    ),
    key=len,
    reverse=True,
)
_OP_CHARS = frozenset("+-*/^_!(){}[]|")
_UNICODE = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/",
            "\u03c0": "\\pi ", "\u221a": "\\sqrt ", "\u221e": "\\infty "}  # fmt: skip


def _isdigit(c: str) -> bool:
    return "0" <= c <= "9"


def _isletter(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


def _scan_number(s: str, i: int) -> tuple[str, int]:
    """Read digits with ``{,}`` / ``\\,`` thousands groups and an optional decimal part."""
    n = len(s)
    j = i
    while j < n and _isdigit(s[j]):
        j += 1
    parts = [s[i:j]]
    while j > i:
        for sep in ("{,}", "\\,"):
            k = j + len(sep)
            if (
                s.startswith(sep, j)
                and k + 3 <= n
                and all(_isdigit(c) for c in s[k : k + 3])
                and (k + 3 == n or not _isdigit(s[k + 3]))
            ):
                parts.append(s[k : k + 3])
                j = k + 3
                break
        else:
            break
    if j < n and s[j] == "." and j + 1 < n and _isdigit(s[j + 1]):
        k = j + 1
        while k < n and _isdigit(s[k]):
            k += 1
        parts.append(s[j:k])
        j = k
    return "".join(parts), j


def _read_braced(s: str, i: int) -> tuple[str, int]:
    """Raw content of a ``{...}`` group starting at ``s[i] == '{'``."""
    if i >= len(s) or s[i] != "{":
        raise ExprError("expected '{'")
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1 : j], j + 1
    raise ExprError("unbalanced braces")


def _split_word(run: str, out: list[Token]) -> None:
    """Split a plain-text letter run into known words and single-letter symbols."""
    k = streak = 0
    while k < len(run):
        for w in _PLAIN_WORDS:
            if run.startswith(w, k):
                out.append(("cmd", w))
                k += len(w)
                streak = 0
                break
        else:
            out.append(("let", run[k]))
            k += 1
            streak += 1
            if streak >= 3:
                raise ExprError(f"unsupported word {run!r}")


def _tokenize(text: str) -> list[Token]:
    s = "".join(_UNICODE.get(c, c) for c in text)
    out: list[Token] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in " \t\n\r~":
            i += 1
        elif c == "\\":
            j = i + 1
            while j < n and _isletter(s[j]):
                j += 1
            name = s[i + 1 : j]
            if not name:
                if j < n and s[j] in ",;:! ":
                    i = j + 1
                    continue
                raise ExprError(f"unsupported escape {s[i : i + 2]!r}")
            i = j
            if name in _SKIP_CMDS:
                if name in ("left", "right") and i < n and s[i] == ".":
                    i += 1
            elif name in _TEXT_CMDS:
                while i < n and s[i] == " ":
                    i += 1
                body, i = _read_braced(s, i)
                body = body.strip()
                if not body:
                    continue
                if body in ("e", "i") and name != "operatorname":
                    out.append(("let", body))
                elif body in _PLAIN_WORDS and body != "pi":
                    out.append(("cmd", body))
                else:
                    raise ExprError(f"unsupported \\{name}{{{body}}}")
            elif name in _DECORATIONS:
                # \vec{b}, \overrightarrow{AB}, \bar{x}: a name of its own (|\vec{b}| is a quantity)
                while i < n and s[i] == " ":
                    i += 1
                body, i = _read_braced(s, i)
                body = body.strip()
                if not body or not body.isalnum() or len(body) > 8:
                    raise ExprError(f"unsupported \\{name}{{{body}}}")
                out.append(("let", f"{name}:{body}"))
            elif name in _CMD_OPS:
                out.append(("op", _CMD_OPS[name]))
            else:
                name = _CMD_ALIASES.get(name, name)
                if name not in _ATOM_CMDS:
                    raise ExprError(f"unsupported command \\{name}")
                out.append(("cmd", name))
        elif _isdigit(c) or (c == "." and i + 1 < n and _isdigit(s[i + 1])):
            num, i = _scan_number(s, i)
            out.append(("num", num))
        elif _isletter(c):
            j = i
            while j < n and _isletter(s[j]):
                j += 1
            if j - i == 1:
                out.append(("let", c))
            else:
                _split_word(s[i:j], out)
            i = j
        elif c == "*" and s.startswith("**", i):
            out.append(("op", "^"))
            i += 2
        elif c in _OP_CHARS:
            out.append(("op", c))
            i += 1
        else:
            raise ExprError(f"unsupported character {c!r}")
    out.append(("end", ""))
    return out


# --- parser -------------------------------------------------------------------
def _num(s: str) -> Num:
    if len(s) > MAX_NUM_DIGITS:
        raise ExprError(f"number literal longer than {MAX_NUM_DIGITS} digits")
    whole, _, frac = s.partition(".")
    scale = 10 ** len(frac)
    return Num(Fraction(int(whole or "0") * scale + int(frac or "0"), scale))


class _Parser:
    __slots__ = ("toks", "pos", "depth", "max_depth", "abs_depth")

    def __init__(self, toks: list[Token], max_depth: int) -> None:
        self.toks = toks
        self.pos = 0
        self.depth = 0
        self.max_depth = max_depth
        self.abs_depth = 0

    # helpers
    def peek(self) -> Token:
        return self.toks[self.pos]

    def advance(self) -> Token:
        tok = self.toks[self.pos]
        if tok[0] != "end":
            self.pos += 1
        return tok

    def is_op(self, chars: str) -> bool:
        kind, val = self.toks[self.pos]
        return kind == "op" and val in chars

    def expect(self, char: str) -> None:
        if not self.is_op(char):
            raise ExprError(f"expected {char!r} at token {self.pos}")
        self.pos += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise ExprError("expression nested too deeply")

    def starts_atom(self, in_chain: bool = False) -> bool:
        kind, val = self.toks[self.pos]
        if kind in ("num", "let"):
            return True
        if kind == "cmd":
            return not (in_chain and val in _CHAIN_FUNCS)
        return kind == "op" and (val in "({" or (val == "|" and self.abs_depth == 0))

    def group(self, close: str) -> Expr:
        saved, self.abs_depth = self.abs_depth, 0
        e = self.sum()
        self.expect(close)
        self.abs_depth = saved
        return e

    # grammar
    def sum(self) -> Expr:
        terms = [self.term()]
        while self.is_op("+-"):
            sign = self.advance()[1]
            t = self.term()
            terms.append(_neg(t) if sign == "-" else t)
        return _add(terms)

    def term(self) -> Expr:
        acc = self.factor()
        while True:
            if self.is_op("*"):
                self.pos += 1
                acc = _mul(acc, self.factor())
            elif self.is_op("/"):
                self.pos += 1
                acc = Div(acc, self.factor())
            elif self.starts_atom():
                if self.peek()[0] == "num" and self.toks[self.pos - 1][0] == "num":
                    raise ExprError("two adjacent numbers")
                acc = _mul(acc, self.power())
            else:
                return acc

    def factor(self) -> Expr:
        if self.is_op("+-"):
            self.enter()
            sign = self.advance()[1]
            e = self.factor()
            self.depth -= 1
            return _neg(e) if sign == "-" else e
        return self.power()

    def power(self) -> Expr:
        base = self.postfix()
        if self.is_op("^"):
            self.pos += 1
            return Pow(base, self.exponent())
        return base

    def postfix(self) -> Expr:
        e = self.atom()
        while self.is_op("!"):
            self.pos += 1
            if self.is_op("!"):
                raise ExprError("double factorial unsupported")
            e = Func("factorial", (e,))
        return e

    def exponent(self) -> Expr:
        """Superscript / subscript operand: a group or a single token (right-assoc ``^``)."""
        self.enter()
        kind, val = self.peek()
        if kind == "op" and val in "+-":
            self.pos += 1
            e = self.exponent()
            e = _neg(e) if val == "-" else e
        elif kind == "op" and val in "({":
            self.pos += 1
            e = self.group(")" if val == "(" else "}")
        elif kind == "num":
            self.pos += 1
            e = _num(val)
        elif kind == "let":
            self.pos += 1
            e = self.letter(val)
        elif kind == "cmd":
            e = self.atom()
        else:
            raise ExprError(f"bad exponent at token {self.pos}")
        if self.is_op("^"):
            self.pos += 1
            e = Pow(e, self.exponent())
        self.depth -= 1
        return e

    def arg(self) -> Expr:
        """Argument of ``\\frac``, ``\\sqrt``, ``\\binom``: a group or one token (``\\frac12``)."""
        self.enter()
        kind, val = self.peek()
        if kind == "op" and val in "({":
            self.pos += 1
            e = self.group(")" if val == "(" else "}")
        elif kind == "num":
            if len(val) > 1 and val[0] != ".":
                self.toks[self.pos] = ("num", val[1:])  # LaTeX: one digit only
                e = Num(Fraction(int(val[0])))
            else:
                self.pos += 1
                e = _num(val)
        elif kind == "let":
            self.pos += 1
            e = self.letter(val)
        elif kind == "cmd" and val not in _CHAIN_FUNCS:
            e = self.atom()
        else:
            raise ExprError(f"bad argument at token {self.pos}")
        self.depth -= 1
        return e

    def sub_name(self) -> str:
        kind, val = self.advance()
        if kind in ("num", "let"):
            return val
        if kind == "cmd" and val in _GREEK:
            return val
        if (kind, val) == ("op", "{"):
            # a subscript is a name, whatever it holds: a_{12}, x_{ij}, a_{n-1} (a sequence term)
            parts: list[str] = []
            depth = 1
            while len(parts) < 40:
                kind, val = self.advance()
                if kind == "end":
                    break
                if (kind, val) == ("op", "{"):
                    depth += 1
                elif (kind, val) == ("op", "}"):
                    depth -= 1
                    if depth == 0:
                        if parts:
                            return "".join(parts)
                        break
                parts.append(val)
        raise ExprError("bad subscript")

    def letter(self, val: str) -> Expr:
        if self.is_op("_"):
            self.pos += 1
            return Sym(f"{val}_{self.sub_name()}")
        if val in ("e", "i"):
            return Const(val)
        return Sym(val)

    def atom(self) -> Expr:
        self.enter()
        kind, val = self.advance()
        if kind == "num":
            e: Expr = _num(val)
        elif kind == "let":
            e = self.letter(val)
        elif kind == "op" and val in "({":
            e = self.group(")" if val == "(" else "}")
        elif kind == "op" and val == "|":
            self.abs_depth += 1
            e = Func("abs", (self.sum(),))
            self.expect("|")
            self.abs_depth -= 1
        elif kind == "cmd":
            e = self.command(val)
        else:
            raise ExprError(f"unexpected {val or 'end of input'!r} at token {self.pos}")
        self.depth -= 1
        return e

    def command(self, name: str) -> Expr:
        if name == "pi":
            return Const("pi")
        if name in _GREEK:
            return self.letter(name)
        if name == "frac":
            num = self.arg()
            return Div(num, self.arg())
        if name == "binom":
            n = self.arg()
            return Func("binom", (n, self.arg()))
        if name == "sqrt":
            if self.is_op("["):
                self.pos += 1
                index = self.group("]")
                return Func("root", (self.arg(), index))
            return Func("sqrt", (self.arg(),))
        if name == "abs":
            self.expect("(")
            return Func("abs", (self.group(")"),))
        return self.function(name)

    def function(self, name: str) -> Expr:
        base: Expr | None = None
        power: Expr | None = None
        for _ in range(2):
            if name == "log" and base is None and self.is_op("_"):
                self.pos += 1
                base = self.exponent()
            elif power is None and self.is_op("^"):
                self.pos += 1
                power = self.exponent()
        if power == Num(Fraction(-1)):
            if name not in _TRIG_INVERSE:
                raise ExprError(f"ambiguous \\{name}^{{-1}}")
            name, power = _TRIG_INVERSE[name], None
        if self.is_op("({"):
            close = ")" if self.advance()[1] == "(" else "}"
            arg = self.group(close)
        else:
            arg = self.chain()
        if name == "exp":
            f: Expr = Pow(Const("e"), arg)
        elif name == "log":
            f = Func("ln", (arg,)) if base is None else Func("log", (arg, base))
        else:
            f = Func(name, (arg,))
        return f if power is None else Pow(f, power)

    def chain(self) -> Expr:
        """Brace-less function argument: implicit product up to an operator/function."""
        self.enter()
        negate = False
        while self.is_op("+-"):
            negate ^= self.advance()[1] == "-"
        acc = self.power()
        while self.starts_atom(in_chain=True):
            if self.peek()[0] == "num" and self.toks[self.pos - 1][0] == "num":
                raise ExprError("two adjacent numbers")
            acc = _mul(acc, self.power())
        self.depth -= 1
        return _neg(acc) if negate else acc


def parse_expr(text: str, *, max_len: int = 500, max_depth: int = 60) -> Expr:
    """Parse a normalised LaTeX / plain-text math answer into an :class:`Expr`.

    Raises :class:`ExprError` for unsupported syntax (relations, tuples, sets,
    ``\\infty``, ``\\%``, text, ...), inputs longer than ``max_len`` characters or
    nested deeper than ``max_depth`` levels.
    """
    if not isinstance(text, str):
        raise ExprError("input must be a string")
    if len(text) > max_len:
        raise ExprError(f"input longer than {max_len} characters")
    try:
        parser = _Parser(_tokenize(text), max_depth)
        e = parser.sum()
        if parser.peek()[0] != "end":
            raise ExprError(f"unexpected {parser.peek()[1]!r} at token {parser.pos}")
        return e
    except ExprError:
        raise
    except (RecursionError, ValueError, ArithmeticError, IndexError) as exc:
        raise ExprError(f"cannot parse: {exc}") from exc


# --- exact evaluation -----------------------------------------------------------
class _Limit(Exception):
    """An exact computation would exceed the size limits."""


def _chk(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
        raise _Limit
    return v


def _iroot(n: int, k: int) -> int | None:
    """Exact integer k-th root of ``n >= 0``, or None."""
    if n < 2:
        return n
    if k == 2:
        r = math.isqrt(n)
    else:
        r = 1 << -(-n.bit_length() // k)  # upper bound, then Newton down
        while True:
            s = ((k - 1) * r + n // r ** (k - 1)) // k
            if s >= r:
                break
            r = s
    return r if r**k == n else None


def _ipow(b: Fraction, n: int) -> Fraction:
    if b in (0, 1, -1):
        return b**n  # ZeroDivisionError for 0**-k is handled by the caller
    if max(b.numerator.bit_length(), b.denominator.bit_length()) * abs(n) > MAX_BITS:
        raise _Limit
    return b**n


def _rational_power(b: Fraction, x: Fraction) -> Fraction | None:
    if x.denominator == 1:
        return _ipow(b, x.numerator)
    if b < 0 or x.denominator > MAX_BITS:
        return None
    p, q = _iroot(b.numerator, x.denominator), _iroot(b.denominator, x.denominator)
    if p is None or q is None:
        return None
    return _ipow(Fraction(p, q), x.numerator)


def _exact(e: Expr, env: Mapping[str, Fraction] | None = None) -> Fraction | None:
    """Exact value (symbols from ``env``); None when not rational; raises :class:`_Limit` over limits."""
    t = type(e)
    if t is Num:
        return _chk(e.value)
    if t is Sym:
        return None if env is None else env.get(e.name)
    if t in (Add, Mul, Neg, Div, Func, Pow):
        vals = [_exact(c, env) for c in _children(e)]
        if any(v is None for v in vals):
            return None
    else:
        return None
    try:
        if t is Add:
            acc = Fraction(0)
            for v in vals:
                acc = _chk(acc + v)
            return acc
        if t is Mul:
            acc = Fraction(1)
            for v in vals:
                acc = _chk(acc * v)
            return acc
        if t is Neg:
            return -vals[0]
        if t is Div:
            return _chk(vals[0] / vals[1])
        if t is Pow:
            return _rational_power(vals[0], vals[1])
        return _exact_func(e.name, vals)
    except ZeroDivisionError:
        return None


def _exact_func(name: str, vals: list[Fraction]) -> Fraction | None:
    x = vals[0]
    if name == "abs":
        return abs(x)
    if name == "sqrt":
        return _rational_power(x, Fraction(1, 2))
    if name == "root":
        n = vals[1]
        if n.denominator != 1 or n <= 0:
            return None
        if x < 0 and n.numerator % 2:
            r = _rational_power(-x, 1 / n)
            return None if r is None else -r
        return _rational_power(x, 1 / n)
    if name == "factorial":
        if x.denominator != 1 or x < 0:
            return None
        if x > MAX_FACTORIAL_EXACT:
            raise _Limit
        return Fraction(math.factorial(x.numerator))
    if name == "binom":
        k = vals[1]
        if x.denominator != 1 or k.denominator != 1 or x < 0:
            return None
        nn, kk = x.numerator, k.numerator
        if kk < 0 or kk > nn:
            return Fraction(0)
        if min(kk, nn - kk) * nn.bit_length() > MAX_BITS:
            raise _Limit
        return Fraction(math.comb(nn, kk))
    return None


def _exact_or_limit(e: Expr) -> tuple[Fraction | None, bool]:
    try:
        return _exact(e), False
    except (_Limit, RecursionError):
        return None, True


def exact_value(e: Expr) -> Fraction | None:
    """Exact rational value, or None (irrational, symbolic, undefined or over limits).

    Uses only numbers, ``+ - * /``, rational powers with exact roots, ``!``,
    ``binom``, ``abs``, ``sqrt``/``root`` of perfect powers. Integers are capped
    at ~``MAX_BITS`` bits (checked before computing powers/factorials).
    """
    return _exact_or_limit(e)[0]


# --- numeric evaluation ---------------------------------------------------------
_MPMATH: Any = None
_MP_FUNCS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec", "csc": "csc",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot", "arcsec": "asec",
    "arccsc": "acsc", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "ln": "ln",
}  # fmt: skip
_PERIODIC = frozenset({"sin", "cos", "tan", "cot", "sec", "csc"})
_NO_ERR = -(10**9)  # error exponent of an exactly known value
_EXACT = _NO_ERR // 2  # error exponents below this: still exact (a few bits added by sums)
_ERR_SLACK = 16  # bits of safety on top of the propagated error bounds


# mpmath's working precision is process-global: evaluations hold this lock so that a thread
# restoring the precision can never truncate another thread's 50-digit comparison.
_MP_LOCK = threading.RLock()


class _Undefined(Exception):
    """Numeric evaluation undefined or over limits."""


def _mpmath() -> Any:
    global _MPMATH
    if _MPMATH is None:
        import mpmath

        _MPMATH = mpmath
    return _MPMATH


def _numeric(
    e: Expr, env: Mapping[str, Any] | None, dps: int, real: bool = False
) -> tuple[Any, int] | None:
    """(value, err) with ``|error| <~ 2**err``: a running error bound propagated node by node.

    Every rounding adds ``|v| * 2**-prec``; sums add their terms' errors (so cancellation is
    seen: ``e^{100}-e^{100}`` is 0 within ``2**(144-prec)``), products and quotients scale them,
    functions multiply by a bound of their derivative. ``real=True`` evaluates over the reals:
    any non-real intermediate (``\\sqrt{-1}``, ``\\ln(-2)``) makes the point undefined.
    """
    M = _mpmath()
    mag, isfinite, mpc = M.mag, M.isfinite, M.mpc

    def mg(v: Any) -> int:
        return mag(v) if v else _NO_ERR

    def check(v: Any) -> Any:
        if not isfinite(v):
            raise _Undefined
        if not v:
            return v
        m = mag(v)
        if abs(m) > MAX_MAG_BITS:
            raise _Undefined
        if type(v) is mpc:  # flush a part far below working precision
            cut = m - M.mp.prec - 32
            if v.real and mag(v.real) < cut:
                v = mpc(0, v.imag)
            elif v.imag and mag(v.imag) < cut:
                v = mpc(v.real, 0)
            if real and v.imag:
                raise _Undefined
        return v

    def rnd(v: Any) -> int:
        return mg(v) - prec

    def ev(e: Expr) -> tuple[Any, int]:
        t = type(e)
        if t is Num:
            x = e.value
            if x.denominator == 1:
                v = M.mpf(x.numerator)
                return v, (_NO_ERR if x.numerator.bit_length() <= prec else rnd(v))
            v = M.mpf(x.numerator) / x.denominator
            return v, rnd(v) + 1
        if t is Const:
            if e.name == "pi":
                v = +M.pi
            elif e.name == "e":
                v = +M.e
            elif e.name == "i":
                if real:
                    raise _Undefined
                return M.mpc(0, 1), _NO_ERR
            else:
                raise _Undefined
            return v, rnd(v)
        if t is Sym:
            if env is None or e.name not in env:
                raise _Undefined
            x = env[e.name]
            if isinstance(x, Fraction):
                v = M.mpf(x.numerator) / x.denominator
                return check(v), rnd(v) + 1
            return check(M.mpmathify(x)), _NO_ERR
        if t is Neg:
            v, err = ev(e.arg)
            return -v, err
        if t is Add:
            pairs = [ev(a) for a in e.args]
            v = check(M.fsum([p[0] for p in pairs]))
            err = max(p[1] for p in pairs) + len(pairs).bit_length()
            return v, max(err, rnd(v)) + 1
        if t is Mul:
            v, err = ev(e.args[0])
            for a in e.args[1:]:
                w, f = ev(a)
                p = check(v * w)
                err = max(mg(v) + f, mg(w) + err, err + f, rnd(p)) + 2
                v = p
            return v, err
        if t is Div:
            (n, en), (d, ed) = ev(e.num), ev(e.den)
            if not d or ed >= mg(d) - 4:
                raise _Undefined  # a denominator indistinguishable from 0
            q = check(n / d)
            md = mg(d)
            return q, max(en - md + 1, mg(q) + ed - md + 2, rnd(q)) + 2
        if t is Pow:
            (b, eb), (x, ex_) = ev(e.base), ev(e.exp)
            v = check(power(b, x))
            mb = mg(b)
            err = rnd(v)
            if eb > _EXACT:
                if b and eb < mb - 4:
                    err = max(err, mg(v) + mg(x) + eb - mb + 2)
                elif ex_ <= _EXACT and not M.im(x) and M.re(x) > 0 and eb + 2 < 0:
                    # a base indistinguishable from 0: |a^x - b^x| <= |a - b|^min(x, 1) (scaled)
                    xr = float(M.re(x))
                    err = max(err, math.ceil((eb + 2) * min(xr, 1.0)) + (mg(x) if xr > 1 else 0))
                else:
                    raise _Undefined
            if ex_ > _EXACT and v:
                lnb = max((abs(mb) + 1).bit_length(), 2)
                err = max(err, mg(v) + lnb + ex_)
            return v, err + 2
        if t is Func:
            args = [ev(a) for a in e.args]
            v = check(func(e.name, [a[0] for a in args]))
            return v, func_err(e.name, args, v)
        raise _Undefined

    def power(b: Any, x: Any) -> Any:
        ax = abs(x)
        if ax > MAX_EXPONENT or (b and ax * max(abs(mag(b)), 1) > MAX_MAG_BITS):
            raise _Undefined
        if not b and M.re(x) <= 0:
            if x:
                raise _Undefined
            return M.mpf(1)
        return b**x

    def func(name: str, args: list[Any]) -> Any:
        x = args[0]
        if name in _MP_FUNCS:
            if name in _PERIODIC and x and mag(x) > MAX_TRIG_ARG_BITS:
                raise _Undefined
            if name in ("sinh", "cosh", "tanh") and abs(x) > MAX_EXP_ARG:
                raise _Undefined
            fn: Callable[[Any], Any] = getattr(M, _MP_FUNCS[name])
            return fn(x)
        if name == "sqrt":
            return M.sqrt(x)
        if name == "abs":
            return abs(x)
        if name == "log":
            lb = M.ln(args[1])
            if not lb:
                raise _Undefined
            return M.ln(x) / lb
        if name == "root":
            n = args[1]
            if not n:
                raise _Undefined
            if M.im(n) == 0 and M.im(x) == 0 and M.re(x) < 0 and M.re(n) % 2 == 1:
                return -power(-M.re(x), 1 / M.re(n))  # real odd root
            return power(x, 1 / n)
        if name == "factorial":
            if abs(x) > MAX_FACTORIAL_NUMERIC:
                raise _Undefined
            return M.factorial(x)
        if name == "binom":
            if abs(x) > MAX_EXPONENT or abs(args[1]) > MAX_EXPONENT:
                raise _Undefined
            return M.binomial(x, args[1])
        raise _Undefined

    def func_err(name: str, args: list[tuple[Any, int]], v: Any) -> int:
        """Error exponent of ``name(args) = v``: derivative bound times the argument error."""
        x, ex_ = args[0]
        base = rnd(v) + 2
        errs = [a[1] for a in args]
        if max(errs) <= _EXACT:
            return base
        mx, mv = mg(x), mg(v)
        if name in ("sin", "cos", "sinh", "cosh"):
            d = max(1, mv + 1)
        elif name in ("tan", "cot", "tanh", "sec", "csc"):
            d = max(1, 2 * mv + 2)
        elif name in ("ln", "log"):
            if ex_ >= mx - 4:
                raise _Undefined  # argument indistinguishable from 0
            d = 2 - mx
            if name == "log":
                b, eb = args[1]
                lb = M.ln(b)
                if eb > _EXACT and (eb >= mg(b) - 4 or not lb):
                    raise _Undefined
                d -= mg(lb) - 1
                if eb > _EXACT:
                    return max(base, d + ex_, mv + eb - mg(b) - mg(lb) + 4)
        elif name == "abs":
            return max(base, ex_)
        elif name in ("sqrt", "root"):
            n = 2 if name == "sqrt" else args[1][0]
            if name == "root" and (args[1][1] > _EXACT or M.im(n) or M.re(n) < 1 or M.re(n) != int(M.re(n))):
                raise _Undefined
            k = int(M.re(n))
            holder = ex_ // k + 2  # |a^(1/k) - b^(1/k)| <= |a - b|^(1/k)
            lip = mv + ex_ - mx + 2 if x else holder
            return max(base, min(holder, lip))
        elif name in ("arcsin", "arccos", "arcsec", "arccsc"):
            w = 1 - x * x if name in ("arcsin", "arccos") else x * x * (x * x - 1)
            holder = ex_ // 2 + 3
            lip = ex_ + 2 - mg(w) // 2 if w else holder
            return max(base, min(holder, lip))
        elif name in ("arctan", "arccot"):
            w = 1 + x * x
            if not w:
                raise _Undefined
            d = 2 - mg(w)
        else:  # factorial, binom: Gamma'/Gamma = digamma ~ ln|x|
            d = mv + max((abs(mg(a[0])) + 2).bit_length() for a in args) + 2
            ex_ = max(errs)
        return max(base, d + ex_)

    with _MP_LOCK, M.workdps(dps + GUARD_DPS):
        prec = M.mp.prec
        try:
            v, err = ev(e)
            return M.mpc(v), err
        except (_Undefined, ArithmeticError, ValueError, TypeError, RecursionError):
            return None


def numeric_value(
    e: Expr, env: Mapping[str, complex] | None = None, *, dps: int = 50
) -> mpmath.mpc | None:
    """High-precision complex value with symbols taken from ``env``.

    Constants: ``pi``, ``e``, ``i``. Returns None when undefined (division by
    zero, poles, unknown symbols) or over limits (|exponent| > 10^6, any
    intermediate beyond ~10^(±10^5), factorial argument > 10^4). Uses the
    global ``mpmath.mp`` context temporarily (``workdps``).
    """
    r = _numeric(e, env, dps)
    return None if r is None else r[0]


# --- comparison -----------------------------------------------------------------
def _close(ra: tuple[Any, int], rb: tuple[Any, int], rel_tol_digits: int, dps: int) -> bool:
    """Equal within a relative ``10**-rel_tol_digits``, or within both values' error bounds.

    There is no absolute tolerance: ``1/1000!`` and ``1/1001!`` differ by a factor of 1001 and
    compare unequal however small they are.
    """
    M = _mpmath()
    with _MP_LOCK, M.workdps(dps + GUARD_DPS):
        (va, ea), (vb, eb) = ra, rb
        tol = max(
            max(abs(va), abs(vb)) * M.mpf(10) ** -rel_tol_digits,
            M.ldexp(M.mpf(1), max(ea, eb) + _ERR_SLACK),
        )
        return bool(abs(va - vb) <= tol)


# Expression classes for comparisons with free symbols (see ``expression_class``).
CONSTANT, RATIONAL, ANALYTIC, OTHER = 0, 1, 2, 3
# meromorphic on C, or (arctan) real-analytic on the whole real line
_ENTIRE_FUNCS = frozenset({"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "arctan"})


def expression_class(e: Expr) -> int:
    """How an expression depends on its free symbols.

    ``CONSTANT``: no symbols. ``RATIONAL``: numbers and constants combined with symbols by
    ``+ - * /`` and integer powers. ``ANALYTIC``: also trigonometric / hyperbolic functions,
    ``\\arctan`` and powers ``c^x`` of a positive constant (analytic in every symbol on the real
    line, so agreeing on an interval means agreeing everywhere). ``OTHER``: anything with ``|x|``, roots, logarithms,
    inverse trigonometric functions, factorials or non-integer powers of a symbol, whose
    agreement at positive points says nothing about negative ones (``\\sqrt{x^2}`` vs ``x``).
    """
    t = type(e)
    if t is Num or t is Const:
        return CONSTANT
    if t is Sym:
        return RATIONAL
    if t is Add or t is Mul:
        return max(expression_class(c) for c in e.args)
    if t is Neg:
        return expression_class(e.arg)
    if t is Div:
        return max(expression_class(e.num), expression_class(e.den))
    if t is Pow:
        cb, cx = expression_class(e.base), expression_class(e.exp)
        if cx == CONSTANT:
            if cb == CONSTANT:
                return CONSTANT
            x = exact_value(e.exp)
            return cb if x is not None and x.denominator == 1 else OTHER
        if cb == CONSTANT:
            b = exact_value(e.base)
            if e.base == Const("e") or (b is not None and b > 0):
                return max(ANALYTIC, cx)
        return OTHER
    if t is Func:
        c = max(expression_class(a) for a in e.args)
        if c == CONSTANT:
            return CONSTANT
        return max(ANALYTIC, c) if e.name in _ENTIRE_FUNCS else OTHER
    return OTHER


def _has_imaginary(e: Expr) -> bool:
    stack: list[Expr] = [e]
    while stack:
        node = stack.pop()
        if type(node) is Const and node.name == "i":
            return True
        stack.extend(_children(node))
    return False


def _sign_pattern(k: int, n: int, rng: random.Random) -> list[float]:
    """Point ``k`` of a comparison: all positive, all negative, alternating, then random signs."""
    if k == 0:
        return [1.0] * n
    if k == 1:
        return [-1.0] * n
    if k == 2 and n > 1:
        return [(-1.0) ** i for i in range(n)]
    return [rng.choice((-1.0, 1.0)) for _ in range(n)]


def equivalent(
    a: Expr, b: Expr, *, rel_tol_digits: int = 30, points: int = 3, seed: int = 0
) -> bool | None:
    """Decide whether two expressions are equal: True, False or None (cannot tell).

    Without symbols: exact Fraction comparison when both are rational, otherwise 50-digit
    evaluation (relative tolerance ``10**-rel_tol_digits``, or the propagated rounding error
    for values that cancel to 0). When an exact evaluation was refused for size, a numeric
    "equal" becomes None.

    With symbols, at ``points`` seeded random points of both signs:

    - rational functions with rational coefficients are evaluated exactly at rational points
      (equal at all of them: True; one difference: False);
    - other rational and analytic expressions (``\\sin``, ``e^x``) numerically: True / False;
    - anything else (``|x|``, roots, logs, non-integer powers) over the reals only: False when
      the two differ at a point where both are real, otherwise None (SymPy decides), so
      ``\\sqrt{x^2}`` is never "equal" to ``x``.
    """
    xa, la = _exact_or_limit(a)
    xb, lb = _exact_or_limit(b)
    if xa is not None and xb is not None:
        return xa == xb
    if a == b:
        return True  # the same tree, e.g. ``\\tan^{-1} x`` and ``\\arctan x``
    limited = la or lb
    dps = max(50, rel_tol_digits + 20)
    names = sorted(a.free_symbols() | b.free_symbols())
    if not names:
        ra, rb = _numeric(a, None, dps), _numeric(b, None, dps)
        if ra is None or rb is None:
            return None
        same = _close(ra, rb, rel_tol_digits, dps)
        return None if same and limited else same
    cls = max(expression_class(a), expression_class(b))
    rng = random.Random(seed)
    if cls == RATIONAL and not limited:
        r = _equal_at_rational_points(a, b, names, points, rng)
        if r is not None:
            return r
    real = cls == OTHER
    if real and (_has_imaginary(a) or _has_imaginary(b)):
        return None
    defined = False
    # Sign-dependent expressions get six more points, both signs in each of the magnitude bands
    # 0.1-1, 1-10 and 10-100, so that a sign change away from the origin (|x - 7| vs x - 7) is
    # found too.
    for k in range(points + 6 if real else points):
        if k < points:
            signs = _sign_pattern(k, len(names), rng)
            env = {s: sg * rng.uniform(0.5, 2.5) for s, sg in zip(names, signs)}
        else:
            j = k - points  # bands j // 2 = 0, 1, 2; all + / all - (one symbol: + / -), else mixed
            pattern = j % 2 if j < 2 or len(names) == 1 else 2 + j
            signs = _sign_pattern(pattern, len(names), rng)
            env = {s: sg * 10 ** (j // 2 - 1 + rng.random()) for s, sg in zip(names, signs)}
        ra, rb = _numeric(a, env, dps, real), _numeric(b, env, dps, real)
        if ra is None or rb is None:
            continue
        if not _close(ra, rb, rel_tol_digits, dps):
            return False
        defined = True
    if not defined or limited or real:
        if not limited and (_depends_on_own_variable(a, b, dps) or _depends_on_own_variable(b, a, dps)):
            return False
        return None
    return True


def _depends_on_own_variable(a: Expr, b: Expr, dps: int) -> bool:
    """Does ``a`` change with a variable that ``b`` does not have? Then they are different
    functions (``b`` is the same at two points where ``a`` is not), whatever their class.

    ``a`` is evaluated over the reals at two points that differ only in that variable, the other
    variables at small integers (so ``(-2)^{n-1}`` is real)."""
    own = sorted(a.free_symbols() - b.free_symbols())
    if not own:
        return False
    names = sorted(a.free_symbols())
    for var in own[:3]:
        for base in (2, 3):
            env = {n: Fraction(base) for n in names}
            lo = _numeric(a, {**env, var: Fraction(2)}, dps, True)
            hi = _numeric(a, {**env, var: Fraction(5)}, dps, True)
            if lo is not None and hi is not None and not _close(lo, hi, 30, dps):
                return True
    return False


def _equal_at_rational_points(
    a: Expr, b: Expr, names: list[str], points: int, rng: random.Random
) -> bool | None:
    """Exact comparison of two rational functions at random rational points (Schwartz-Zippel).

    None when the coefficients are not rational (``\\pi x``), a point is a pole of either side
    at every try, or the values grow past the size limits.
    """
    defined = 0
    for k in range(points * 2):
        if defined >= points:
            break
        env = _rational_point(names, k % points, rng)
        try:
            va, vb = _exact(a, env), _exact(b, env)
        except (_Limit, RecursionError):
            return None
        if va is None or vb is None:
            if _has_non_rational_coefficient(a) or _has_non_rational_coefficient(b):
                return None
            continue  # a pole of one side at this point
        if va != vb:
            return False
        defined += 1
    return True if defined >= points else None


def _has_non_rational_coefficient(e: Expr) -> bool:
    """A constant part (``\\pi``, ``\\sqrt{2}``) that is not a rational number."""
    stack: list[Expr] = [e]
    while stack:
        node = stack.pop()
        if not node.free_symbols():
            if exact_value(node) is None:
                return True
        else:
            stack.extend(_children(node))
    return False


# --- renaming, degrees, proportionality ------------------------------------------------
def rename(e: Expr, mapping: Mapping[str, str]) -> Expr:
    """The tree with symbols renamed (``rename(2k\\pi, {'k': 'm'})`` is ``2m\\pi``)."""
    t = type(e)
    if t is Sym:
        return Sym(mapping.get(e.name, e.name))
    if t is Num or t is Const:
        return e
    if t is Neg:
        return Neg(rename(e.arg, mapping))
    if t is Add or t is Mul:
        return t(tuple(rename(c, mapping) for c in e.args))
    if t is Div:
        return Div(rename(e.num, mapping), rename(e.den, mapping))
    if t is Pow:
        return Pow(rename(e.base, mapping), rename(e.exp, mapping))
    if t is Func:
        return Func(e.name, tuple(rename(c, mapping) for c in e.args))
    raise ExprError(f"unknown node {e!r}")


def polynomial_degree(e: Expr) -> int | None:
    """Total degree when ``e`` is written as a polynomial in its symbols (structurally), else None."""
    t = type(e)
    if not e.free_symbols():
        return 0
    if t is Sym:
        return 1
    if t is Neg:
        return polynomial_degree(e.arg)
    if t is Add or t is Mul:
        ds = [polynomial_degree(c) for c in e.args]
        if any(d is None for d in ds):
            return None
        return max(ds) if t is Add else sum(ds)  # type: ignore[arg-type, type-var]
    if t is Div:
        return polynomial_degree(e.num) if not e.den.free_symbols() else None
    if t is Pow and not e.exp.free_symbols():
        n = exact_value(e.exp)
        d = polynomial_degree(e.base)
        if n is None or n.denominator != 1 or n < 0 or d is None or n > 64:
            return None
        return d * int(n)
    return None


def zero_sets_differ(a: Expr, b: Expr) -> bool:
    """Do the curves ``a = 0`` and ``b = 0`` differ? Only for polynomials of degree <= 2 in one or
    two variables (lines, circles, conics); True when a real point of one is not on the other.

    Points are found exactly: for a few rational values of one variable the other solves a
    quadratic; the other polynomial is evaluated there at 60 digits. Never decides "the same".
    """
    names = sorted(a.free_symbols() | b.free_symbols())
    if not 1 <= len(names) <= 2:
        return False
    for e in (a, b):
        d = polynomial_degree(e)
        if d is None or d > 2:
            return False
    M = _mpmath()
    for p, q in ((a, b), (b, a)):
        for solve_for in names:
            others = [n for n in names if n != solve_for]
            for x in (Fraction(0), Fraction(1), Fraction(-1), Fraction(2), Fraction(1, 2), Fraction(3)):
                env = {o: x for o in others}
                try:
                    c = _exact(p, {**env, solve_for: Fraction(0)})
                    s1 = _exact(p, {**env, solve_for: Fraction(1)})
                    s2 = _exact(p, {**env, solve_for: Fraction(-1)})
                except (_Limit, ArithmeticError, ValueError):
                    return False
                if c is None or s1 is None or s2 is None:
                    return False  # irrational coefficients: not for this test
                qa, qb = (s1 + s2) / 2 - c, (s1 - s2) / 2
                if qa == 0:
                    roots = [-c / qb] if qb != 0 else []
                else:
                    disc = qb * qb - 4 * qa * c
                    if disc < 0:
                        continue
                    with M.workdps(60):
                        r = M.sqrt(M.mpf(disc.numerator) / disc.denominator)
                        roots = [(-M.mpf(qb.numerator) / qb.denominator + sg * r) / (2 * M.mpf(qa.numerator) / qa.denominator) for sg in (1, -1)]
                for y in roots:
                    point = {**{o: M.mpf(x.numerator) / x.denominator for o in others}, solve_for: y if not isinstance(y, Fraction) else M.mpf(y.numerator) / y.denominator}
                    value = _numeric(q, point, 60, True)
                    if value is not None and abs(value[0]) > M.mpf(10) ** -20:
                        return True
    return False


def proportional(a: Expr, b: Expr, *, points: int = 4, seed: int = 0) -> bool | None:
    """Is ``a = c * b`` for a non-zero constant ``c``? (``a = 0`` and ``b = 0`` the same equation.)

    True when the ratio is the same non-zero number at every random point (exactly, at
    rational points, for rational functions with rational coefficients; at 50 digits for
    analytic ones). False only when both are polynomials of degree 1 (two lines or planes are
    the same only when proportional). None otherwise: ``x^2 = 0`` and ``x = 0`` have the same
    solutions without being proportional, so SymPy decides.
    """
    names = sorted(a.free_symbols() | b.free_symbols())
    if not names:
        return None
    cls = max(expression_class(a), expression_class(b))
    if cls == OTHER:
        return None
    affine = polynomial_degree(a) == 1 and polynomial_degree(b) == 1
    rng = random.Random(seed)
    same = None
    if cls == RATIONAL and not (_has_non_rational_coefficient(a) or _has_non_rational_coefficient(b)):
        same = _ratio_constant_exact(a, b, names, points, rng)
    if same is None:
        same = _ratio_constant_numeric(a, b, names, points, rng)
    if same is False:
        return False if affine else None
    return same


def _rational_point(names: list[str], pattern: int, rng: random.Random) -> dict[str, Fraction]:
    """A random rational point whose coordinates have the signs of ``_sign_pattern(pattern)``."""
    signs = _sign_pattern(pattern, len(names), rng)
    return {s: Fraction(int(sg) * rng.randint(1, 10**6), rng.randint(1, 10**3)) for s, sg in zip(names, signs)}


def _ratio_constant_exact(a: Expr, b: Expr, names: list[str], points: int, rng: random.Random) -> bool | None:
    ratio: Fraction | None = None
    defined = 0
    for k in range(points * 2):
        if defined >= points:
            break
        env = _rational_point(names, k % 3, rng)
        try:
            va, vb = _exact(a, env), _exact(b, env)
        except (_Limit, RecursionError):
            return None
        if va is None or vb is None:
            continue
        if vb == 0 or va == 0:
            if va != vb:
                return False
            continue
        r = va / vb
        if ratio is None:
            ratio = r
        elif r != ratio:
            return False
        defined += 1
    return True if defined >= points else None


def _ratio_constant_numeric(a: Expr, b: Expr, names: list[str], points: int, rng: random.Random) -> bool | None:
    M = _mpmath()
    dps = 50
    ratio: Any = None
    defined = 0
    for k in range(points * 2):
        if defined >= points:
            break
        signs = _sign_pattern(k % 3, len(names), rng)
        env = {s: sg * rng.uniform(0.5, 2.5) for s, sg in zip(names, signs)}
        ra, rb = _numeric(a, env, dps), _numeric(b, env, dps)
        if ra is None or rb is None:
            continue
        za = _close(ra, (M.mpc(0), _NO_ERR), 30, dps)
        zb = _close(rb, (M.mpc(0), _NO_ERR), 30, dps)
        if za or zb:
            if za != zb:
                return False
            continue
        with _MP_LOCK, M.workdps(dps + GUARD_DPS):
            r = ra[0] / rb[0]
            err = max(ra[1] - M.mag(rb[0]), M.mag(r) + rb[1] - M.mag(rb[0])) + 4
        if ratio is None:
            ratio = (r, err)
        elif not _close((r, err), ratio, 30, dps):
            return False
        defined += 1
    return True if defined >= points else None


# --- canonical form ---------------------------------------------------------------
def canonical(e: Expr) -> str:
    """Deterministic s-expression string of the AST (``Add``/``Mul`` args sorted)."""
    t = type(e)
    if t is Num:
        return str(e.value)
    if t is Const:
        return "@" + e.name
    if t is Sym:
        return e.name
    if t is Neg:
        return f"(neg {canonical(e.arg)})"
    if t is Add or t is Mul:
        parts = sorted(canonical(c) for c in e.args)
        return f"({'add' if t is Add else 'mul'} {' '.join(parts)})"
    if t is Div:
        return f"(div {canonical(e.num)} {canonical(e.den)})"
    if t is Pow:
        return f"(pow {canonical(e.base)} {canonical(e.exp)})"
    if t is Func:
        return f"({e.name} {' '.join(canonical(c) for c in e.args)})"
    raise ExprError(f"unknown node {e!r}")
