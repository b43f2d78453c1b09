"""Grading options: the numeric tolerance policy and the deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Tolerance:
    """When two numbers count as equal.

    Integers and exact rationals compare exactly. When either side is a written decimal, they are
    equal if ``|a - b| <= max(rel * max(|a|, |b|), abs)``, computed in exact rational arithmetic
    (so ``10^{20}+1`` vs ``10^{20}`` and ``2^{-99}`` vs ``2^{-98}`` are never confused by float
    rounding). There is no percent ×100 leniency, and a decimal never stands for an exact value
    (a gold ``\\pi`` does not accept ``3.14``). ``round_to_decimal=True`` also
    accepts an exact value that rounds to the decimal written on the other side (``1/3`` vs
    ``0.33``), for datasets whose golds are rounded.

    ``gold_precision`` (on by default) is one-directional: a written decimal *gold* with at least
    two significant digits and a non-zero fractional part accepts an exact or more precise
    prediction that rounds to it at the gold's precision (gold ``3.14`` accepts ``22/7``; gold
    ``0.0833`` accepts ``1/12``), never the reverse (gold ``\\pi`` does not accept ``3.14``), and a
    one-digit gold is exact (gold ``0.5`` does not accept ``0.49``). Not a relative tolerance: a
    prediction within 1% that does not round to the gold stays incorrect.
    """

    rel: float = 1e-9
    abs: float = 0.0
    round_to_decimal: bool = False
    gold_precision: bool = True

    def close(self, a: Fraction, b: Fraction) -> bool:
        if a == b:
            return True
        bound = max(Fraction(self.rel) * max(abs(a), abs(b)), Fraction(self.abs))
        return abs(a - b) <= bound


@dataclass(frozen=True, slots=True)
class GradeConfig:
    """Options shared by every verifier for one grading call."""

    tolerance: Tolerance = field(default_factory=Tolerance)
    timeout: float = 5.0  # seconds: the hard deadline for one comparison
    max_bare_len: int = 64  # a completion this short (one line) is itself the answer
    percent: bool = True  # 50\% equals 50 and, when only one side has the sign, 0.5

    def replace(self, **changes: object) -> GradeConfig:
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_CONFIG = GradeConfig()


def make_config(
    config: GradeConfig | None = None,
    *,
    tolerance: Tolerance | float | None = None,
    timeout: float | None = None,
) -> GradeConfig:
    """Merge keyword options into a :class:`GradeConfig` (``tolerance`` may be a relative float)."""
    if config is None and tolerance is None and timeout is None:
        return DEFAULT_CONFIG
    if config is not None and not isinstance(config, GradeConfig):
        raise TypeError(f"config must be a GradeConfig, not {type(config).__name__}")
    cfg = config or DEFAULT_CONFIG
    changes: dict[str, Any] = {}
    if tolerance is not None:
        if isinstance(tolerance, Tolerance):
            changes["tolerance"] = tolerance
        else:
            changes["tolerance"] = Tolerance(rel=_number("tolerance", tolerance, "a Tolerance or a relative tolerance >= 0", 0.0))
    if timeout is not None:
        changes["timeout"] = _number("timeout", timeout, "a number of seconds > 0", None)
    return cfg.replace(**changes) if changes else cfg


def _number(name: str, value: Any, what: str, minimum: float | None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {what}, not {value!r}") from None
    if x != x or x == float("inf") or (x < minimum if minimum is not None else x <= 0):
        raise ValueError(f"{name} must be {what}, not {value!r}")
    return x
