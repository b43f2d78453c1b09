"""``build()``: one verifier from a registered name, a named spec, a spec string or a list.

A *spec* is a string users can put in a config file::

    "accuracy"                       # gold-type dispatch: letters → mcq, else the math cascade
    "exact > numeric > symbolic"     # a cascade, cheapest first
    "accuracy + 0.1*format"          # a weighted sum (TRL-style reward weights)

Named specs (``register_spec``) give such strings a short name, e.g. ``"r1"``; they live in the
registry beside the verifiers and are listed by ``list_verifiers()``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

from .. import registry
from ..protocol import Verifier
from .compose import Cascade, Product, Weighted

BUILTIN_SPECS = {
    "r1": "accuracy + 0.1*format",
    "math_format": "math + 0.1*format",
    # DAPO's rule reward: +1 correct, -1 otherwise (a bad gold stays bad_gold, score 0)
    "dapo": "2*accuracy - 1",
    # the veRL VLM tutorial's reward as one string: format fails -> -1 (the judge is not asked);
    # correct by the rules, or by the judge where the rules say no -> +1; else -1
    "verl_vlm_pm1": "2*format*accuracy_judge - 1",
}


def register_spec(name: str, spec: str) -> None:
    """Give a composed spec string a short name usable wherever a verifier name is.

    The spec is parsed and its names resolved at once, so a typo raises here, not at training
    time; nothing is built yet (a spec with a judge needs its URL only when it is built).

    >>> from rlvr_rewards import register_spec, grade
    >>> register_spec("boxed_or_numeric", "exact > numeric")
    >>> grade("The answer is \\\\boxed{0.50}", "1/2", verifier="boxed_or_numeric")
    1.0
    """
    _validate(spec, name)  # now, not at training time
    registry.register_spec_text(name, spec)


def list_specs() -> dict[str, str]:
    """Named specs: name -> spec string."""
    return registry.list_specs()


def build(spec: str | Verifier | Sequence[Any], **options: Any) -> Verifier:
    """A verifier from a name, a spec string, a verifier, or a list (a cascade).

    Spec strings are built once and cached (verifiers are stateless), so passing a string on
    every call costs a dictionary lookup. With ``options``, ``spec`` must be a registered name:
    a new instance is made with those constructor options (``build("accuracy_judge",
    url=...)``). An unknown name raises at once, naming the choices.

    >>> from rlvr_rewards import build
    >>> build("exact > numeric").name
    'exact > numeric'
    >>> build("accuracy + 0.1*format").name
    'accuracy + 0.1*format'
    >>> build("acuracy")
    Traceback (most recent call last):
    ...
    rlvr_rewards.registry.UnknownVerifierError: unknown verifier 'acuracy' (did you mean 'accuracy'?)...
    """
    if options:
        if not isinstance(spec, str):
            raise TypeError(f"constructor options need a registered verifier name, not {spec!r:.80}")
        return registry.create_verifier(spec.strip(), **options)
    if isinstance(spec, Verifier):
        return spec
    if isinstance(spec, str):
        if _built_at[0] != registry.generation:
            _BUILT.clear()
            _built_at[0] = registry.generation
        v = _BUILT.get(spec)
        if v is None:
            v = _BUILT[spec] = _build_text(spec)
        return v
    if isinstance(spec, (list, tuple)) and spec:
        return Cascade([build(s) for s in spec])
    raise TypeError(
        f"verifier must be a registered name, a spec string, a Verifier or a non-empty list of those, "
        f"not {type(spec).__name__} ({spec!r:.80})"
    )


_BUILT: dict[str, Verifier] = {}
_built_at = [-1]  # the registry generation _BUILT was filled at

ALLOWED = (
    "a spec may use verifier names (and named specs), numbers, + - * (and a leading -), "
    "> (a cascade) and parentheses"
)


class SpecError(ValueError):
    """A spec string outside the grammar. The message shows the spec with a caret under the
    offending token; ``column`` is its 0-based position in ``spec``."""

    def __init__(self, message: str, spec: str, column: int, width: int = 1) -> None:
        self.spec, self.column = spec, column
        super().__init__(f"{message}\n{_pointer(spec, column, width)}")


def _pointer(spec: str, column: int, width: int = 1) -> str:
    return f"  {spec}\n  {' ' * column}{'^' * max(1, width)}"


# The parsed form of a spec, before any verifier is made: a sum of weighted terms plus a constant,
# whose terms are registered names (str), products, cascades or named specs kept whole.
class _Sum:
    __slots__ = ("terms", "const")

    def __init__(self, terms: list[tuple[float, Any]], const: float = 0.0) -> None:
        self.terms, self.const = terms, const

    def unit(self) -> Any:
        """The one term of ``1*term`` (no constant), else None."""
        if len(self.terms) == 1 and self.const == 0.0 and self.terms[0][0] == 1.0:
            return self.terms[0][1]
        return None

    def scaled(self, k: float) -> _Sum:
        return _Sum([(k * w, t) for w, t in self.terms], k * self.const)

    def plus(self, other: _Sum) -> _Sum:  # nested sums flatten: exact
        return _Sum(self.terms + other.terms, self.const + other.const)


class _Prod:
    __slots__ = ("factors",)

    def __init__(self, factors: list[Any]) -> None:
        self.factors = factors


class _Casc:
    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


class _Named:
    """A named spec that is one cascade or product: kept whole, under its name."""

    __slots__ = ("name", "body")

    def __init__(self, name: str, body: Any) -> None:
        self.name, self.body = name, body


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
           ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
           ast.BitXor: "^", ast.BitAnd: "&"}
_COMPARE = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!=",
            ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
_NODES = {ast.Call: "a call", ast.Attribute: "'.' (spec names must be Python identifiers)",
          ast.Subscript: "a subscript", ast.BoolOp: "'and' / 'or'", ast.IfExp: "'if … else'",
          ast.Lambda: "'lambda'", ast.Tuple: "a tuple (a ',')", ast.List: "a list", ast.Set: "a set",
          ast.Dict: "a dict", ast.Starred: "'*'", ast.NamedExpr: "':='", ast.JoinedStr: "an f-string"}


class _Parser:
    """Turns one spec string into a :class:`_Sum`, resolving every name (nothing is built)."""

    def __init__(self, text: str, seen: tuple[str, ...]) -> None:
        self.text, self.seen = text, seen
        self._raw = text.encode("utf-8")
        self._ascii = len(self._raw) == len(text)

    def parse(self) -> _Sum:
        text = self.text
        if not text:
            raise SpecError(f"empty spec; {ALLOWED}", text, 0)
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            col = exc.offset - 1 if exc.offset and 0 < exc.offset <= len(text) else len(text)
            raise SpecError(f"invalid spec: {exc.msg}; {ALLOWED}", text, col) from None
        except ValueError:  # a NUL byte
            raise SpecError(f"invalid spec: a NUL character; {ALLOWED}", text, max(0, text.find("\0"))) from None
        out = self.lower(tree.body)
        if not out.terms:
            raise SpecError("a spec needs at least one verifier, not only numbers", text, 0, len(text))
        return out

    def col(self, offset: int) -> int:  # ast offsets count UTF-8 bytes
        return offset if self._ascii else len(self._raw[:offset].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.col(node.col_offset)  # type: ignore[attr-defined]
        end = self.col(node.end_col_offset or node.col_offset)  # type: ignore[attr-defined]
        return start, max(1, end - start)

    def between(self, left: ast.AST, right: ast.AST, token: str) -> tuple[int, int]:
        """Where the operator ``token`` between two operands is (skipping spaces and parentheses)."""
        start = self.col(left.end_col_offset or 0)  # type: ignore[attr-defined]
        stop = self.col(right.col_offset)  # type: ignore[attr-defined]
        for i in range(start, stop):
            if self.text[i] not in " ()":
                return i, len(token)
        return start, 1

    def fail(self, what: str, at: tuple[int, int]) -> SpecError:
        return SpecError(f"invalid spec: {what} is not allowed; {ALLOWED}", self.text, *at)

    def lower(self, node: ast.AST) -> _Sum:
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            value = node.value
            if type(value) in (int, float):
                try:
                    number = float(value)
                except OverflowError:
                    number = math.inf
                if not math.isfinite(number):
                    raise self.fail("a number this large", self.span(node))
                return _Sum([], number)
            what = {str: "a string", bytes: "a string", bool: f"{value!r}", type(None): "None", complex: "a complex number"}
            raise self.fail(what.get(type(value), repr(value)), self.span(node))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return self.lower(node.operand).scaled(-1.0)
            if isinstance(node.op, ast.UAdd):
                return self.lower(node.operand)
            token = "not" if isinstance(node.op, ast.Not) else "~"
            raise self.fail(f"'{token}'", (self.span(node)[0], len(token)))
        if isinstance(node, ast.BinOp):
            token = _BINARY.get(type(node.op), "?")
            if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
                raise self.fail(f"'{token}'", self.between(node.left, node.right, token))
            a, b = self.lower(node.left), self.lower(node.right)
            if isinstance(node.op, ast.Add):
                return a.plus(b)
            if isinstance(node.op, ast.Sub):
                return a.plus(b.scaled(-1.0))
            return _times(a, b)
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:]):
                if not isinstance(op, ast.Gt):
                    token = _COMPARE.get(type(op), "?")
                    raise self.fail(f"'{token}' (only '>' makes a cascade)", self.between(left, right, token))
            items: list[Any] = []
            for operand in operands:
                s = self.lower(operand)
                if not s.terms:
                    raise SpecError("invalid spec: a cascade step must be a verifier, not a number", self.text, *self.span(operand))
                unit = s.unit()
                if isinstance(unit, _Casc):
                    items.extend(unit.items)  # (a > b) > c is a > b > c
                else:
                    items.append(s if unit is None else unit)
            return _Sum([(1.0, _Casc(items))])
        if isinstance(node, ast.BoolOp):
            token = "and" if isinstance(node.op, ast.And) else "or"
            raise self.fail(f"'{token}'", self.between(node.values[0], node.values[1], token))
        after = {ast.Attribute: ".", ast.Call: "(", ast.Subscript: "["}.get(type(node))
        if after is not None:  # point at the '.', '(' or '[' after the name
            start = self.col(getattr(node, "func", getattr(node, "value", node)).end_col_offset or 0)
            at = self.text.find(after, start)
            raise self.fail(_NODES[type(node)], (at if at >= 0 else start, 1))
        raise self.fail(_NODES.get(type(node), type(node).__name__), self.span(node))

    def name(self, node: ast.Name) -> _Sum:
        name = node.id
        named = registry.spec_of(name)
        if named is not None:
            body = _parse(named, (*self.seen, name), name)
            unit = body.unit()
            if isinstance(unit, (_Casc, _Prod)):
                return _Sum([(1.0, _Named(name, unit))])
            return body  # a sum is inlined (flattening is exact); a single name stays that name
        try:
            registry.resolve(name)
        except registry.UnknownVerifierError as exc:
            text = self.text
            if text == name:
                raise
            start, width = self.span(node)
            hint = ""
            if text[start + width:start + width + 1] == "-" or (start > 1 and text[start - 1] == "-" and text[start - 2] != " "):
                hint = "\n(a '-' between names is subtraction: spec names must be Python identifiers)"
            raise registry.UnknownVerifierError(f"{exc}{hint}\n{_pointer(text, start, width)}") from None
        return _Sum([(1.0, name)])


def _times(a: _Sum, b: _Sum) -> _Sum:
    if not a.terms:
        return b.scaled(a.const)
    if not b.terms:
        return a.scaled(b.const)
    coef, factors = 1.0, []
    for s in (a, b):
        if len(s.terms) == 1 and s.const == 0.0:  # w*term: the weight comes out of the product
            w, term = s.terms[0]
            coef *= w
            factors.extend(term.factors if isinstance(term, _Prod) else [term])
        else:
            factors.append(s)  # a sum as a factor: a Weighted inside the product
    return _Sum([(coef, _Prod(factors))])


def _parse(spec: str, seen: tuple[str, ...] = (), name: str | None = None) -> _Sum:
    if name is not None and name in seen[:-1]:
        raise ValueError(f"named spec {name!r} refers to itself: {' -> '.join(seen)}")
    text = spec.replace("\r", " ").replace("\n", " ").replace("\t", " ").strip()  # YAML folds lines
    return _Parser(text, seen).parse()


def _make(node: Any, name: str | None = None) -> Verifier:
    """The verifier of a parsed node; ``name`` names it when it is a new composite (a shared
    registered instance keeps its own name)."""
    if isinstance(node, str):
        return registry.get_verifier(node)
    if isinstance(node, _Named):
        return _make(node.body, node.name)
    if isinstance(node, _Casc):
        return Cascade([_make(n) for n in node.items], name=name)
    if isinstance(node, _Prod):
        return Product([_make(n) for n in node.factors], name=name)
    unit = node.unit()
    if unit is not None:
        return _make(unit, name)
    return Weighted([(w, _make(t)) for w, t in node.terms], name=name, constant=node.const)


def _is_registered(text: str) -> bool:
    try:
        registry.resolve(text)
    except registry.UnknownVerifierError:
        return False
    return True


def _build_text(spec: str) -> Verifier:
    text = spec.strip()
    named = registry.spec_of(text)
    if named is not None:
        return _make(_parse(named, (text,), text), text)
    if not text.isidentifier() and _is_registered(text):
        return registry.get_verifier(text)  # a registered name that is not an identifier ("my-tier")
    return _make(_parse(text), text)


def _validate(spec: str, name: str) -> None:
    """Parse ``spec`` and resolve its names without building anything (a judge needs no URL yet)."""
    text = spec.strip()
    if not text.isidentifier() and _is_registered(text):
        return
    _parse(text, (name,), name)
