"""rlvr_rewards.parsing.expr from several threads: a context per thread, no process-wide lock.

mpmath's working precision belongs to a context; the package evaluates in the calling thread's
own context (``numeric.context()``), so threads neither wait for one another nor change one
another's precision, and the global ``mpmath.mp`` is never read or changed.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import mpmath
import pytest

from rlvr_rewards.parsing import expr
from rlvr_rewards.parsing.expr import (
    equivalent,
    numeric_value,
    parse_expr,
    proportional,
    zero_sets_differ,
)
from rlvr_rewards.parsing.expr import numeric as numeric_module

PI_36 = "3.14159265358979323846264338327950288"  # pi to 35 decimals: equal at 30 digits, not at 40


def _p(text: str) -> expr.Expr:
    return parse_expr(text)


def _num(text: str, dps: int) -> Callable[[], Any]:
    e = _p(text)
    return lambda: numeric_value(e, dps=dps)


def _eq(a: str, b: str, **kw: int) -> Callable[[], Any]:
    ea, eb = _p(a), _p(b)
    return lambda: equivalent(ea, eb, **kw)


# Each case needs its own precision; a truncated or raised precision changes its result.
CASES: list[Callable[[], Any]] = [
    _eq(r"\pi", PI_36, rel_tol_digits=20),  # True
    _eq(r"\pi", PI_36, rel_tol_digits=30),  # True
    _eq(r"\pi", PI_36, rel_tol_digits=40),  # False: needs 60 digits
    _eq(r"\pi", PI_36, rel_tol_digits=70),  # False: 90 digits
    _eq(r"e^{100}-e^{100}", "0"),  # cancels exactly within the error bound
    _eq(r"\frac{1}{1000!}", r"\frac{1}{1001!}"),  # tiny, and different
    _eq(r"\sin^2 x+\cos^2 x", "1"),
    _eq("(x+1)^2", "x^2+2x+1"),
    _eq(r"\sqrt{x^2}", "x"),  # sign-dependent: never "equal"
    _eq(r"(\frac{1}{2})!", r"\frac{\sqrt{\pi}}{2}"),  # Gamma at a non-integer
    _eq(r"\binom{7.5}{2}", "24.375"),
    _eq(r"e^{\pi\sqrt{163}}", "262537412640768744", rel_tol_digits=25),  # differs at ~1e-30
    _num(r"\sin(10^{30})", 15),
    _num(r"\sin(10^{30})", 90),
    _num(r"e^{\pi\sqrt{163}}", 30),
    _num(r"e^{\pi\sqrt{163}}", 50),
    _num(r"(\frac{1}{3})!", 20),
    _num(r"(\frac{1}{3})!", 80),
    _num(r"\ln 2 + \arctan 3", 40),
    _num("5000.5!", 60),  # Stirling's series
    lambda: zero_sets_differ(_p("x^2+y^2-1"), _p("x^2+y^2-1.0000000000001")),
    lambda: zero_sets_differ(_p("2x+4y-2"), _p("x+2y-1")),
    lambda: proportional(_p(r"2\sin x+2"), _p(r"\sin x+1")),
    lambda: proportional(_p(r"x^2+\pi x"), _p(r"x^2+3.1416x")),
]


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads every few microseconds, so evaluations really interleave."""
    saved = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(saved)


def test_results_from_eight_threads_equal_the_single_threaded_results(fast_switching: None) -> None:
    expected = [case() for case in CASES]
    assert expected[0] is True and expected[1] is True
    assert expected[2] is False and expected[3] is False  # the precision really matters
    assert expected[4] is True and expected[5] is False
    rounds = 12

    def worker(offset: int) -> list[tuple[int, Any]]:
        out = []
        for r in range(rounds):
            for j in range(len(CASES)):
                k = (j * (offset + 1) + offset + r) % len(CASES)  # a different order per thread
                out.append((k, CASES[k]()))
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(worker, range(8)))
    assert sum(len(r) for r in runs) == 8 * rounds * len(CASES)
    for run in runs:
        for k, got in run:
            assert got == expected[k], (k, got, expected[k])


def test_the_package_holds_no_process_wide_lock() -> None:
    lock_types = (type(threading.Lock()), type(threading.RLock()))
    modules = [m for name, m in sys.modules.items() if name.startswith(expr.__name__)]
    assert len(modules) >= 7  # the package and its modules (tree, lexer, parser, exact, ...)
    for module in modules:
        assert isinstance(module, types.ModuleType)
        for name, value in vars(module).items():
            assert not isinstance(value, lock_types), f"{module.__name__}.{name} is a lock"


def test_each_thread_has_its_own_context_and_keeps_its_precision() -> None:
    here = numeric_module.context()
    assert numeric_module.context() is here  # one per thread, reused
    assert here is not mpmath.mp
    entered, evaluated = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def holder() -> None:
        ctx = numeric_module.context()
        seen["holder"] = ctx
        with ctx.workdps(100):
            entered.set()
            evaluated.wait(10)
            seen["prec"] = ctx.prec

    t = threading.Thread(target=holder)
    t.start()
    assert entered.wait(10)
    # evaluations at other precisions in this thread while the other is inside its workdps(100)
    numeric_value(_p(r"\sqrt{2}"), dps=20)
    equivalent(_p(r"\pi"), _p(PI_36), rel_tol_digits=40)
    evaluated.set()
    t.join(10)
    assert seen["holder"] is not here and seen["holder"] is not mpmath.mp
    with mpmath.workdps(100):
        hundred = mpmath.mp.prec
    assert seen["prec"] == hundred


class _ChangesGlobalPrecision:
    """A symbol value whose conversion sets ``mpmath.mp.prec`` mid-evaluation (as another thread
    doing ``mpmath.workdps`` would)."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.called = False

    def _mpmath_(self, prec: int, rounding: str) -> Any:
        self.called = True
        mpmath.mp.prec = 10
        return mpmath.mpf(self.value)


def test_changing_the_global_precision_mid_evaluation_changes_nothing() -> None:
    # Regression: evaluations ran in the global mpmath.mp, and zero_sets_differ changed its
    # precision (mpmath.workdps) outside the lock, so a comparison in another thread could run
    # at the wrong precision. Now nothing reads or writes mpmath.mp.
    e = _p(r"x+\pi")
    reference = numeric_value(e, {"x": 1})
    hook = _ChangesGlobalPrecision(1)
    saved = mpmath.mp.prec
    try:
        got = numeric_value(e, {"x": hook})  # type: ignore[dict-item]
    finally:
        mpmath.mp.prec = saved
    assert hook.called
    assert got == reference
    with mpmath.workdps(60):
        assert abs(got - (1 + mpmath.pi)) < mpmath.mpf(10) ** -49


def test_results_do_not_depend_on_the_global_precision_and_leave_it_alone() -> None:
    expected = [case() for case in CASES]
    saved = mpmath.mp.prec
    try:
        mpmath.mp.prec = 12
        got = [case() for case in CASES]
        assert mpmath.mp.prec == 12
    finally:
        mpmath.mp.prec = saved
    for k, (g, x) in enumerate(zip(got, expected)):
        if isinstance(x, mpmath.mpc):  # compare the values themselves, at full precision
            assert (g.real._mpf_, g.imag._mpf_) == (x.real._mpf_, x.imag._mpf_), k
        else:
            assert g == x, k


def test_numeric_value_returns_a_global_mpc_with_every_digit() -> None:
    v = numeric_value(_p(r"\frac{1}{3}"), dps=50)
    assert isinstance(v, mpmath.mpc)
    with mpmath.workdps(60):
        assert abs(v - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -50
    assert Fraction(str(v.real)) == Fraction(str(mpmath.mpf(1) / 3))  # printed at mp.dps, as before



def _memo_precisions() -> dict[str, int]:
    """The precision of each of mpmath's memoised constants (-1: not computed yet)."""
    from mpmath.libmp import gammazeta, libelefun

    out = {}
    for module in (libelefun, gammazeta):
        for name in ("pi_fixed", "e_fixed", "ln2_fixed", "ln10_fixed", "ln_sqrt2pi_fixed",
                     "sqrtpi_fixed", "euler_fixed"):  # fmt: skip
            fn = getattr(module, name, None)
            for cell in getattr(fn, "__closure__", None) or ():
                if hasattr(cell.cell_contents, "memo_prec"):
                    out[name] = cell.cell_contents.memo_prec
    return out


def test_mpmaths_shared_caches_are_filled_once_beyond_every_precision_used() -> None:
    # mpmath writes a memoised constant as two attributes, and iterates its Gamma coefficient
    # dict on a miss: neither is safe while another thread refines them. The warm-up fills them
    # beyond every precision the package uses, so evaluations never write them again.
    from mpmath.libmp import gammazeta

    from rlvr_rewards.parsing.expr.mpcontext import WARM_DPS

    numeric_value(_p("1"))  # the first evaluation imports mpmath and warms the caches
    memo = _memo_precisions()
    if len(memo) < 7:
        pytest.skip("this mpmath keeps its constants differently")
    keys = set(gammazeta.gamma_taylor_cache)
    for dps in (15, 30, 50, WARM_DPS - expr.GUARD_DPS):
        for text in (r"(\frac{1}{3})!", r"\binom{7.5}{2}", r"(2.5)!\cdot e", "5000.5!",
                     r"\sin(10^{600})", r"e^{\pi}+\ln 10", r"\arctan 3"):  # fmt: skip
            numeric_value(_p(text), dps=dps)
    assert _memo_precisions() == memo
    assert set(gammazeta.gamma_taylor_cache) == keys
