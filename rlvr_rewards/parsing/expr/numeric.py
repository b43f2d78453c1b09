"""Numeric evaluation: a high-precision complex value with a running error bound.

Numeric evaluation carries a running error bound node by node, so a value that cancels to 0
(``e^{100}-e^{100}``) is 0 and a tiny value (``1/1000!``) is never within an absolute tolerance
of another. mpmath is imported on first use, and every evaluation runs in the calling thread's
own mpmath context (:func:`context`): no lock, and no thread ever changes another's precision.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .tree import Add, Const, Div, Expr, Func, Mul, Neg, Num, Pow, Sym

if TYPE_CHECKING:
    import mpmath

__all__ = [
    "GUARD_DPS",
    "MAX_EXPONENT",
    "MAX_EXP_ARG",
    "MAX_FACTORIAL_NUMERIC",
    "MAX_MAG_BITS",
    "MAX_TRIG_ARG_BITS",
    "NO_ERR",
    "close",
    "context",
    "numeric_bounded",
    "numeric_value",
]

MAX_FACTORIAL_NUMERIC = 10_000  # numeric: largest |x| for x!
MAX_EXPONENT = 10**6  # numeric: largest |exponent|
MAX_MAG_BITS = 332_193  # numeric: |log2 value| bound, ~10^5 decimal digits
MAX_TRIG_ARG_BITS = 2_000  # numeric: periodic functions of huge args
MAX_EXP_ARG = 200_000  # numeric: sinh/cosh/tanh argument bound
GUARD_DPS = 10  # numeric: guard digits on top of the requested dps

_MP_FUNCS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec", "csc": "csc",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot", "arcsec": "asec",
    "arccsc": "acsc", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "ln": "ln",
}  # fmt: skip
_PERIODIC = frozenset({"sin", "cos", "tan", "cot", "sec", "csc"})
NO_ERR = -(10**9)  # error exponent of an exactly known value
_EXACT = NO_ERR // 2  # error exponents below this: still exact (a few bits added by sums)
_ERR_SLACK = 16  # bits of safety on top of the propagated error bounds

_LOCAL = threading.local()


def context() -> Any:
    """This thread's own ``mpmath.MPContext``, created (and mpmath imported) on first use.

    Its working precision is changed only by this thread's ``workdps`` blocks, so another
    thread's evaluation can never truncate a comparison in progress here.
    """
    try:
        return _LOCAL.ctx
    except AttributeError:
        from .mpcontext import new_context

        ctx = _LOCAL.ctx = new_context()
        return ctx


class _Undefined(Exception):
    """Numeric evaluation undefined or over limits."""


def numeric_bounded(
    e: Expr, env: Mapping[str, Any] | None, dps: int, real: bool = False
) -> tuple[Any, int] | None:
    """(value, err) with ``|error| <~ 2**err``: a running error bound propagated node by node.

    Every rounding adds ``|v| * 2**-prec``; sums add their terms' errors (so cancellation is
    seen: ``e^{100}-e^{100}`` is 0 within ``2**(144-prec)``), products and quotients scale them,
    functions multiply by a bound of their derivative. ``real=True`` evaluates over the reals:
    any non-real intermediate (``\\sqrt{-1}``, ``\\ln(-2)``) makes the point undefined.
    """
    M = context()
    mag, isfinite, mpc = M.mag, M.isfinite, M.mpc

    def mg(v: Any) -> int:
        return mag(v) if v else NO_ERR

    def check(v: Any) -> Any:
        if not isfinite(v):
            raise _Undefined
        if not v:
            return v
        m = mag(v)
        if abs(m) > MAX_MAG_BITS:
            raise _Undefined
        if type(v) is mpc:  # flush a part far below working precision
            cut = m - M.prec - 32
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
                return v, (NO_ERR if x.numerator.bit_length() <= prec else rnd(v))
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
                return M.mpc(0, 1), NO_ERR
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
            return check(M.mpmathify(x)), NO_ERR
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
            if not x and ex_ <= _EXACT:
                return M.mpf(1), NO_ERR  # a^0 is exactly 1, whatever the error of a (0^0 = 1)
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

    with M.workdps(dps + GUARD_DPS):
        prec = M.prec
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
    intermediate beyond ~10^(±10^5), factorial argument > 10^4). Evaluates in this
    thread's own mpmath context; the value returned is an ``mpmath.mpc`` of the global
    context (all ``dps`` digits kept), whose precision is neither read nor changed.
    """
    r = numeric_bounded(e, env, dps)
    if r is None:
        return None
    from .mpcontext import to_global

    return to_global(r[0])


def close(ra: tuple[Any, int], rb: tuple[Any, int], rel_tol_digits: int, dps: int) -> bool:
    """Equal within a relative ``10**-rel_tol_digits``, or within both values' error bounds.

    ``ra`` and ``rb`` are :func:`numeric_bounded` results. There is no absolute tolerance:
    ``1/1000!`` and ``1/1001!`` differ by a factor of 1001 and compare unequal however small
    they are.
    """
    M = context()
    with M.workdps(dps + GUARD_DPS):
        (va, ea), (vb, eb) = ra, rb
        tol = max(
            max(abs(va), abs(vb)) * M.mpf(10) ** -rel_tol_digits,
            M.ldexp(M.mpf(1), max(ea, eb) + _ERR_SLACK),
        )
        return bool(abs(va - vb) <= tol)
