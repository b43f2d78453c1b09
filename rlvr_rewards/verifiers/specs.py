"""``build()``: one verifier from a registered name, a named spec, a spec string or a list.

A *spec* is a string users can put in a config file::

    "accuracy"                       # gold-type dispatch: letters → mcq, else the math cascade
    "exact > numeric > symbolic"     # a cascade, cheapest first
    "accuracy + 0.1*format"          # a weighted sum (TRL-style reward weights)

Named specs (``register_spec``) give such strings a short name, e.g. ``"r1"``; they live in the
registry beside the verifiers and are listed by ``list_verifiers()``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .. import registry
from ..protocol import Verifier
from .compose import Cascade, Weighted

BUILTIN_SPECS = {
    "r1": "accuracy + 0.1*format",
    "math_format": "math + 0.1*format",
}


def register_spec(name: str, spec: str) -> None:
    """Give a composed spec string a short name usable wherever a verifier name is.

    The spec is built at once, so a typo raises here, not at training time.

    >>> from rlvr_rewards import register_spec, grade
    >>> register_spec("boxed_or_numeric", "exact > numeric")
    >>> grade("The answer is \\\\boxed{0.50}", "1/2", verifier="boxed_or_numeric")
    1.0
    """
    _build_text(spec)  # validate now, not at training time
    registry.register_spec_text(name, spec)


def list_specs() -> dict[str, str]:
    """Named specs: name -> spec string."""
    return registry.list_specs()


def build(spec: str | Verifier | Sequence[Any]) -> Verifier:
    """A verifier from a name, a spec string, a verifier, or a list (a cascade).

    Spec strings are built once and cached (verifiers are stateless), so passing a string on
    every call costs a dictionary lookup. An unknown name raises at once, naming the choices.

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
_WEIGHT = re.compile(r"^\s*([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*\*\s*(.+)$")


def _build_text(spec: str) -> Verifier:
    text = spec.strip()
    named = registry.spec_of(text)
    if named is not None:
        v = _build_text(named)
        if isinstance(v, (Weighted, Cascade)) and any(op in named for op in "+>"):
            v.name = text  # a fresh composite: safe to name; a shared registry instance is not
        return v
    terms = _split_plus(text)
    if len(terms) > 1 or _WEIGHT.match(text):
        parts = []
        for term in terms:
            m = _WEIGHT.match(term)
            weight, sub = (float(m.group(1)), m.group(2)) if m else (1.0, term)
            parts.append((weight, build(sub)))
        return Weighted(parts, name=text)
    if ">" in text:
        return Cascade([build(s) for s in text.split(">")], name=text)
    if text.startswith("(") and text.endswith(")"):
        return build(text[1:-1])
    return registry.get_verifier(text)


def _split_plus(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "+" and depth == 0 and i > 0 and text[i - 1] not in "eE*":
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return [t for t in out if t]
