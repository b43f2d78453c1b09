"""The built-in verifiers; importing this package registers them all.

Comparison tiers, cheapest first (``exact``, ``numeric``, ``fraction``, ``latex``, ``symbolic``),
``mcq``, the format checks, the ``math`` cascade and the ``accuracy`` dispatcher, the shaping
rewards and the judge-backed verifiers, plus the built-in named specs (``r1``). ``build()``
turns names, specs and lists into a verifier.
"""

from __future__ import annotations

from typing import Any

# Order matters: the tiers first, then the shaping rewards and the judge-backed verifiers, which
# live in their own packages with their helpers and build on the tiers.
# isort: off
from .. import registry
from . import compose, exact, format, latex, mcq, numeric, symbolic  # noqa: F401  (register the tiers)
from .specs import BUILTIN_SPECS, build, list_specs, register_spec
from ..shaping import length, repetition, structure  # noqa: F401
from ..judge import gated, verifier as judge_verifier  # noqa: F401  (the judge loads openai lazily)
# isort: on

for _name, _spec in BUILTIN_SPECS.items():
    if registry.spec_of(_name) is None:
        register_spec(_name, _spec)

__all__ = ["build", "create_verifier", "describe", "get_verifier", "list_specs", "list_verifiers", "register_spec"]


def list_verifiers(include_plugins: bool = True, include_specs: bool = True) -> list[str]:
    """Every verifier name ``build()`` accepts: built-ins, plugins and named specs, sorted.

    >>> from rlvr_rewards import list_verifiers
    >>> {"accuracy", "exact", "mcq", "r1"} <= set(list_verifiers())
    True
    """
    return registry.list_verifiers(include_plugins, include_specs)


def get_verifier(name: str) -> Any:
    """The shared default-configured instance of a registered verifier."""
    return registry.get_verifier(name)


def create_verifier(name: str, **kwargs: Any) -> Any:
    """A new verifier instance by registered name, with constructor options."""
    return registry.create_verifier(name, **kwargs)


def describe(name: str) -> str:
    """First line of a verifier's docstring (a named spec: its spec string)."""
    return registry.describe(name)
