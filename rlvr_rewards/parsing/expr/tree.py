"""The expression syntax tree: immutable nodes, their construction helpers and structural maps.

Nothing here evaluates: :func:`rename` and :func:`canonical` only rewrite or print the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

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
    "add_terms",
    "canonical",
    "children",
    "has_imaginary",
    "multiply",
    "negate",
    "rename",
]


class ExprError(ValueError):
    """Unsupported syntax, or input over the parser's limits."""


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
                stack.extend(children(node))
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


def children(e: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, in order (none for a leaf)."""
    if isinstance(e, (Add, Mul, Func)):
        return e.args
    if isinstance(e, Neg):
        return (e.arg,)
    if isinstance(e, Div):
        return (e.num, e.den)
    if isinstance(e, Pow):
        return (e.base, e.exp)
    return ()


def negate(e: Expr) -> Expr:
    """``-e``: a negated literal for a number, else a :class:`Neg` node."""
    return Num(-e.value) if isinstance(e, Num) else Neg(e)


def add_terms(terms: list[Expr]) -> Expr:
    """The sum of ``terms`` (nested sums flattened; a single term is returned as it is)."""
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.args if isinstance(t, Add) else (t,))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def multiply(a: Expr, b: Expr) -> Expr:
    """The product ``a * b`` as one flat :class:`Mul`."""
    return Mul(
        (*(a.args if isinstance(a, Mul) else (a,)), *(b.args if isinstance(b, Mul) else (b,)))
    )


def has_imaginary(e: Expr) -> bool:
    """Does the tree contain the imaginary unit ``i``?"""
    stack: list[Expr] = [e]
    while stack:
        node = stack.pop()
        if type(node) is Const and node.name == "i":
            return True
        stack.extend(children(node))
    return False


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
