"""mpmath, loaded on first use: one context per thread, and mpmath's shared caches filled once.

Importing this module imports mpmath (a quarter of a second: kept off ``import rlvr_rewards``;
:func:`~.numeric.context` imports it on the first numeric evaluation). Every evaluation runs in
the calling thread's own ``mpmath.MPContext``, so threads never wait for one another and never
change one another's working precision; the global ``mpmath.mp`` is never touched.

Precision is per context, but mpmath also keeps a few caches for the whole process, and two of
them are not safe to fill from several threads at once: a constant (pi, e, ln 2, Euler's gamma,
...) is memoised as a value and its precision, written one after the other, so a thread reading
between the two writes of another thread's refinement would shift the wrong value; and the Taylor
coefficients of Gamma are a dict iterated on a miss, which raises ``RuntimeError`` in a thread
iterating while another inserts. This module's body fills both, once, beyond every precision this
package asks for (:data:`WARM_DPS` digits and trigonometric arguments up to 2**2000), so no thread
ever writes them afterwards. Python runs a module body once, and a thread importing the module
meanwhile waits for the body to finish: the warm-up is complete before any evaluation starts,
without a lock of our own. (An evaluation asking for more than :data:`WARM_DPS` digits may still
refine those caches; mpmath then gives the same guarantees as for any threaded use.)
"""

from __future__ import annotations

import mpmath
from mpmath.libmp import gammazeta, libelefun

__all__ = ["WARM_DPS", "new_context", "to_global"]

WARM_DPS = 100  # the caches below are filled for working precisions up to this many digits
_CONSTANT_BITS = 1_024  # e, ln 2, ln 10, Euler's gamma, log sqrt(2 pi), sqrt(pi)
_PI_BITS = 4_096  # pi also reduces periodic arguments of up to 2**MAX_TRIG_ARG_BITS
_GAMMA_TAYLOR_BITS = 400  # mpmath keys its Gamma coefficients by 10-bit steps below 400 bits

_GLOBAL = mpmath.mp


def new_context() -> mpmath.MPContext:
    """A fresh mpmath context (53-bit default precision) for one thread."""
    return mpmath.MPContext()


def to_global(v: mpmath.mpc) -> mpmath.mpc:
    """The same complex number as a value of the global ``mpmath.mp`` context, without rounding.

    Callers get the ``mpmath.mpc`` they always had (``isinstance(v, mpmath.mpc)``, arithmetic at
    ``mpmath.mp``'s precision); nothing of the global context is read or changed.
    """
    return _GLOBAL.make_mpc(v._mpc_)


def _warm() -> None:
    libelefun.pi_fixed(_PI_BITS)
    for constant in (
        libelefun.e_fixed,
        libelefun.ln2_fixed,
        libelefun.ln10_fixed,
        libelefun.ln_sqrt2pi_fixed,
        libelefun.sqrtpi_fixed,
        gammazeta.euler_fixed,
    ):
        constant(_CONSTANT_BITS)
    # the highest key first; every lower key is then cut from it (the loop stays cheap)
    for bits in range(_GAMMA_TAYLOR_BITS - 1, 0, -10):
        gammazeta.gamma_taylor_coefficients(bits)


_warm()
