"""Safe, bounded parser and evaluator for math answers in LaTeX or plain text.

No ``eval``/``exec``/SymPy: a recursive-descent parser with explicit length and depth limits
builds a tiny immutable syntax tree, which can be evaluated exactly (:func:`exact_value`,
``Fraction``) or numerically (:func:`numeric_value`, mpmath, imported lazily, in a context of
the calling thread's own), and two trees compared with :func:`equivalent`.

The package is split by concern; this module re-exports the public names of:

- :mod:`.tree`: the nodes (:class:`Expr`, :class:`Num`, ...), :func:`rename`, :func:`canonical`;
- :mod:`.lexer` and :mod:`.parser`: :func:`parse_expr`;
- :mod:`.exact`: :func:`exact_value` (``Fraction``, within size limits);
- :mod:`.numeric`: :func:`numeric_value` (mpmath, with a running error bound);
- :mod:`.compare`: :func:`equivalent`, :func:`proportional`, :func:`zero_sets_differ`,
  :func:`expression_class`, :func:`polynomial_degree`.
"""

from __future__ import annotations

from .compare import (
    ANALYTIC,
    CONSTANT,
    OTHER,
    RATIONAL,
    equivalent,
    expression_class,
    polynomial_degree,
    proportional,
    zero_sets_differ,
)
from .exact import MAX_BITS, MAX_FACTORIAL_EXACT, exact_value
from .lexer import Token
from .numeric import (
    GUARD_DPS,
    MAX_EXP_ARG,
    MAX_EXPONENT,
    MAX_FACTORIAL_NUMERIC,
    MAX_MAG_BITS,
    MAX_TRIG_ARG_BITS,
    numeric_value,
)
from .parser import (  # one name a line: the package's own bounded parser, not SymPy's
    MAX_NUM_DIGITS,
    parse_expr,
)
from .tree import (
    Add,
    Const,
    Div,
    Expr,
    ExprError,
    Func,
    Mul,
    Neg,
    Num,
    Pow,
    Sym,
    canonical,
    rename,
)

__all__ = [
    "ANALYTIC",
    "CONSTANT",
    "GUARD_DPS",
    "MAX_BITS",
    "MAX_EXPONENT",
    "MAX_EXP_ARG",
    "MAX_FACTORIAL_EXACT",
    "MAX_FACTORIAL_NUMERIC",
    "MAX_MAG_BITS",
    "MAX_NUM_DIGITS",
    "MAX_TRIG_ARG_BITS",
    "OTHER",
    "RATIONAL",
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
    "Token",
    "canonical",
    "equivalent",
    "exact_value",
    "expression_class",
    "numeric_value",
    "parse_expr",
    "polynomial_degree",
    "proportional",
    "rename",
    "zero_sets_differ",
]
