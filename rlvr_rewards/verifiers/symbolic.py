"""``symbolic``: SymPy equivalence through math-verify, in a killable worker under a deadline.

Only pairs that every cheaper tier left undecided get here. math-verify is called with its own
signal-based timeouts switched off (``parsing_timeout=None``, ``timeout_seconds=None``); the
deadline is enforced by killing the worker process (:mod:`rlvr_rewards.guard`).

Only math-verify's LaTeX extraction is used: its plain-expression extraction hands text to
SymPy's ``parse_expr``, which evaluates Python code and must never see model output.
"""

from __future__ import annotations

import time
from functools import lru_cache

from ..guard import get_pool
from ..parsing.values import Value
from ..protocol import Deferred, extend_deadline
from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from .base import ValueVerifier, correct, incorrect


@lru_cache(maxsize=1)
def _configs() -> tuple:
    from math_verify import LatexExtractionConfig

    return (LatexExtractionConfig(boxed_match_priority=0),)


def _mv_parse(text: str) -> list:
    from math_verify import parse

    return parse("\\boxed{" + text + "}", extraction_config=_configs(), parsing_timeout=None)


def symbolic_equal(pred: str, golds: tuple[str, ...]) -> bool | None:
    """Runs in a worker: does ``pred`` equal any gold per math-verify? None if nothing parsed."""
    import warnings

    from math_verify import verify

    warnings.filterwarnings("ignore")
    p = _mv_parse(pred)
    if not p:
        return None
    parsed_any = False
    for g in golds:
        gp = _mv_parse(g)
        if not gp:
            continue
        parsed_any = True
        if verify(gp, p, timeout_seconds=None) and not _numerically_apart(gp[0], p[0]):
            return True
    return False if parsed_any else None


def _numerically_apart(a: object, b: object, rel: float = 1e-9) -> bool:
    """math-verify rounds numbers to 6 decimals, so ``2^{-99}`` "equals" ``2^{-98}``.

    For two constant scalars, re-check at 50 digits with a relative tolerance: tiny and huge
    magnitudes must compare by ratio, not by rounding. The comparison stays in SymPy's
    arbitrary-exponent floats (``1/1000!`` is far below the smallest double).
    """
    from sympy import Expr, N

    if not (isinstance(a, Expr) and isinstance(b, Expr) and a.is_number and b.is_number):
        return False
    try:
        x, y = N(a, 50), N(b, 50)
        scale = N(max(abs(x), abs(y)), 20)
        diff = N(abs(x - y), 20)
        return bool(scale.is_positive) and bool(diff > rel * scale)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return False


@register("symbolic", aliases=("sympy",))
class SymbolicVerifier(ValueVerifier):
    """SymPy equivalence via math-verify, in a killable worker under the sample's deadline."""

    name = "symbolic"

    def decide(self, sample: Sample) -> Deferred | None:
        pred, golds = sample.pred, sample.golds
        if pred is None or not golds:
            return None
        return Deferred(self._compare, sample)  # slow work: the engine runs it on the pool

    def _compare(self, sample: Sample) -> Decision:
        pred, golds = sample.pred, sample.golds
        assert pred is not None and golds
        pool = get_pool()
        if not pool.warm:
            t0 = time.monotonic()
            pool.warmup()  # one-time start-up is not charged to this sample's deadline
            extend_deadline(sample, time.monotonic() - t0)
        left = sample.time_left()
        if left <= 0:
            return Decision(Outcome.TIMEOUT, 0.0, "deadline reached before the symbolic tier")
        result = pool.call(symbolic_equal, _text(pred), tuple(_text(g) for g in golds), timeout=left)
        if result.status == "timeout":
            return Decision(Outcome.TIMEOUT, 0.0, f"symbolic comparison exceeded {sample.config.timeout:g} s")
        if result.status == "error":
            return Decision(Outcome.ERROR, 0.0, result.detail)
        if result.value is True:
            return correct("SymPy: equivalent")
        if result.value is False:
            return incorrect("SymPy: not equivalent")
        return incorrect("SymPy could not parse the answer")


def _text(value: Value) -> str:
    return value.raw


def warm_worker() -> None:
    """Preload of the worker host (:func:`rlvr_rewards.guard.add_preload`), run once before it
    forks its workers: import math-verify and SymPy and warm their lazy paths, so that no
    worker pays for them under a sample's deadline."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    import math_verify.grader
    import math_verify.parser

    # We switch math-verify's signal timeouts off on purpose; silence its warning about it.
    math_verify.parser.TIMEOUT_WARNING_SHOWN = True
    math_verify.grader.TIMEOUT_WARNING_SHOWN = True
    symbolic_equal("\\frac{1}{2}+x", ("x+0.5",))
    symbolic_equal("\\sum_{k=1}^{3} k", ("6",))


from ..guard import add_preload  # noqa: E402 - kept beside the function it registers

add_preload(f"{__name__}:warm_worker")
