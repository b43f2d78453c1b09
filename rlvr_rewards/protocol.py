"""The verifier protocol: what a verifier is, what it may return, and how it declares slow work.

This module sits at the bottom of the package with the verdict types: the registry, every
verifier and the engine import it; it imports nothing of the package but :mod:`.verdict`.

A verifier's :meth:`Verifier.decide` returns a :class:`~rlvr_rewards.verdict.Decision`, or
``None`` to let the next verifier of a cascade decide. Work that is slow (a SymPy call in a
worker process, a request to a judge server, anything that takes milliseconds or more) is
declared, never hidden inside ``decide``, so the engine can run it concurrently, on the worker
pool, under the sample's deadline:

* set ``slow = True`` on the class: the engine calls ``decide`` only in the slow phase of a
  batch, for all such samples at once (a thread per pool worker), and a cascade tries every
  cheap tier before it;
* or return :class:`Deferred` from ``decide``: cheap work first, then ``Deferred(fn, *args)``
  for the rest; the engine calls ``fn(*args)`` (which returns a Decision or None) in the slow
  phase. ``check`` runs it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .verdict import Decision, Outcome

if TYPE_CHECKING:  # pragma: no cover
    from .sample import Sample

CORRECT = Decision(Outcome.CORRECT, 1.0)
INCORRECT = Decision(Outcome.INCORRECT, 0.0)


class Verifier:
    """Decides one sample, or returns ``None`` to let the next verifier in a cascade decide.

    Subclasses set ``name`` and implement :meth:`decide`. ``needs_gold`` / ``needs_answer``
    make the engine return ``bad_gold`` / ``no_answer`` (and reject hedges) before ``decide``
    is called, so a verifier never sees a sample it cannot grade. ``slow`` declares that
    ``decide`` does slow work (see the module docstring); ``answer_only`` that the decision
    depends only on the extracted answer, so a batch grades identical answers once.
    """

    name: str = ""
    needs_gold: bool = True
    needs_answer: bool = True
    answer_only: bool = False
    slow: bool = False

    def decide(self, sample: Sample) -> Decision | Deferred | None:
        raise NotImplementedError

    def __call__(self, sample: Sample) -> Decision | Deferred | None:
        return self.decide(sample)

    def __repr__(self) -> str:
        return f"<verifier {self.name}>"


class Deferred:
    """Slow work a verifier hands to the engine: ``fn(*args) -> Decision | None``, run in the slow
    phase under the sample's deadline (read it with ``sample.time_left()``).

    ``prefetch`` (optional, cheap, non-blocking) is called when the engine meets the deferred work
    in a batch's fast phase, so slow I/O (a judge request) can start while other samples are
    graded; ``fn`` then collects its result.
    """

    __slots__ = ("fn", "args", "prefetch")

    def __init__(self, fn: Callable[..., Decision | None], *args: Any, prefetch: Callable[[], Any] | None = None) -> None:
        self.fn = fn
        self.args = args
        self.prefetch = prefetch

    def __call__(self) -> Decision | None:
        return self.fn(*self.args)

    def __repr__(self) -> str:
        return f"<deferred {getattr(self.fn, '__qualname__', self.fn)!s}>"


def as_decision(result: Any) -> Decision | None:
    """A plain function's result as a decision: a Decision or None as is; a bool; a score."""
    if result is None or isinstance(result, (Decision, Deferred)):
        return result
    if isinstance(result, bool):
        return CORRECT if result else INCORRECT
    score = min(1.0, max(0.0, float(result)))
    return Decision(Outcome.CORRECT if score >= 1.0 else Outcome.INCORRECT, score)


class FunctionVerifier(Verifier):
    """Wraps ``f(sample) -> Decision | bool | float | None`` registered as a verifier."""

    def __init__(
        self, fn: Callable[..., Any], *, name: str, needs_gold: bool = True, needs_answer: bool = True,
        slow: bool = False,
    ):
        self.fn = fn
        self.name = name
        self.needs_gold = needs_gold
        self.needs_answer = needs_answer
        self.slow = slow

    def decide(self, sample: Sample) -> Decision | Deferred | None:
        return as_decision(self.fn(sample))


# -- how the engine runs a verifier -----------------------------------------------------------
# A sample is graded in one of three phases. ``NOW`` (``check``): everything runs at once.
# ``FAST`` (a batch's first pass, in the caller's thread): slow work is only noted, so the
# batch can run all of it concurrently afterwards. ``SLOW`` (the batch's second pass, one
# thread per pool worker, the sample's deadline running): slow work runs.
NOW, FAST, SLOW = 0, 1, 2


def ask(verifier: Verifier, sample: Sample) -> Decision | None:
    """``verifier.decide(sample)``, honouring declared slow work; what composites call for a part.

    In the fast phase a ``slow`` verifier is not called and a returned :class:`Deferred` is not
    run: the sample is marked pending (``None`` is returned) and graded again in the slow phase.
    """
    if sample._phase == FAST:
        if verifier.slow:
            sample._pending = True
            return None
        d = verifier.decide(sample)
        if d.__class__ is Deferred:
            sample._pending = True
            if d.prefetch is not None:  # type: ignore[union-attr]
                d.prefetch()  # type: ignore[union-attr]
            return None
        return d  # type: ignore[return-value]
    d = verifier.decide(sample)
    while d.__class__ is Deferred:
        d = d()  # type: ignore[operator]
    return d  # type: ignore[return-value]


def pending(sample: Sample) -> bool:
    """Whether slow work was deferred while grading ``sample`` in a batch's fast phase (a
    composite then returns ``None``: its result would be provisional)."""
    return sample._pending and sample._phase == FAST


def extend_deadline(sample: Sample, seconds: float) -> None:
    """Give ``sample`` ``seconds`` more (a one-time start-up, such as the worker pool's, is not
    charged to the first sample that needs it)."""
    if sample._deadline is not None:
        sample._deadline += seconds
