"""A bounded recursive-descent parser from tokens to an :class:`~.tree.Expr`.

Explicit length and depth limits: a hostile input is refused (:class:`~.tree.ExprError`)
before it can build a deep tree or a huge literal.
"""

from __future__ import annotations

from fractions import Fraction

from .lexer import CHAIN_FUNCS, GREEK, TRIG_INVERSE, Token, tokenize
from .tree import Const, Div, Expr, ExprError, Func, Num, Pow, Sym, add_terms, multiply, negate

__all__ = ["MAX_NUM_DIGITS", "parse_expr"]

MAX_NUM_DIGITS = 3_000  # parser: longest number literal (~MAX_BITS bits)


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
            return not (in_chain and val in CHAIN_FUNCS)
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
            terms.append(negate(t) if sign == "-" else t)
        return add_terms(terms)

    def term(self) -> Expr:
        acc = self.factor()
        while True:
            if self.is_op("*"):
                self.pos += 1
                acc = multiply(acc, self.factor())
            elif self.is_op("/"):
                self.pos += 1
                acc = Div(acc, self.factor())
            elif self.starts_atom():
                if self.peek()[0] == "num" and self.toks[self.pos - 1][0] == "num":
                    raise ExprError("two adjacent numbers")
                acc = multiply(acc, self.power())
            else:
                return acc

    def factor(self) -> Expr:
        if self.is_op("+-"):
            self.enter()
            sign = self.advance()[1]
            e = self.factor()
            self.depth -= 1
            return negate(e) if sign == "-" else e
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
            e = negate(e) if val == "-" else e
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
        elif kind == "cmd" and val not in CHAIN_FUNCS:
            e = self.atom()
        else:
            raise ExprError(f"bad argument at token {self.pos}")
        self.depth -= 1
        return e

    def sub_name(self) -> str:
        kind, val = self.advance()
        if kind in ("num", "let"):
            return val
        if kind == "cmd" and val in GREEK:
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
        if name in GREEK:
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
            if name not in TRIG_INVERSE:
                raise ExprError(f"ambiguous \\{name}^{{-1}}")
            name, power = TRIG_INVERSE[name], None
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
        minus = False
        while self.is_op("+-"):
            minus ^= self.advance()[1] == "-"
        acc = self.power()
        while self.starts_atom(in_chain=True):
            if self.peek()[0] == "num" and self.toks[self.pos - 1][0] == "num":
                raise ExprError("two adjacent numbers")
            acc = multiply(acc, self.power())
        self.depth -= 1
        return negate(acc) if minus else acc


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
        parser = _Parser(tokenize(text), max_depth)
        e = parser.sum()
        if parser.peek()[0] != "end":
            raise ExprError(f"unexpected {parser.peek()[1]!r} at token {parser.pos}")
        return e
    except ExprError:
        raise
    except (RecursionError, ValueError, ArithmeticError, IndexError) as exc:
        raise ExprError(f"cannot parse: {exc}") from exc
