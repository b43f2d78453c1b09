"""Control of the worker pool that runs slow work (SymPy comparisons) under hard deadlines.

``configure(workers=4)`` resizes the pool; ``warmup()`` starts it now (about 2 s: the workers
import SymPy and math-verify once) instead of at the first slow comparison;
``warmup_in_background()`` starts it in a daemon thread. ``RLVR_WORKERS`` sets the default size.
The pool itself: :mod:`rlvr_rewards.guard`.
"""

from __future__ import annotations

import logging
import os
import threading

from . import guard
from .guard import WorkerPool, configure, get_pool

__all__ = ["WorkerPool", "configure", "get_pool", "warmup", "warmup_in_background"]

logger = logging.getLogger(__name__)

_warm_pid: int | None = None
_warm_lock = threading.Lock()


def warmup() -> None:
    """Start the worker pool now (blocking) so the first slow comparison does not wait for it.

    The built-in verifiers are loaded first, so the workers start with what they preload (SymPy
    and math-verify, registered by the symbolic tier) instead of being restarted for it later.
    """
    from . import verifiers  # noqa: F401  (registers the tiers' preloads)

    guard.warmup()


def warmup_in_background() -> threading.Thread | None:
    """Start the worker pool in a daemon thread and return at once (once per process).

    The trainer adapters and ``rlvr-rewards score`` call this when they are built, so the ~2 s the
    pool takes to start overlaps the trainer's own set-up instead of delaying the first slow
    comparison. ``RLVR_WARMUP=0`` turns it off. Returns the thread (None if already started or
    turned off).
    """
    global _warm_pid
    if os.environ.get("RLVR_WARMUP", "").strip().lower() in ("0", "false", "no", "off"):
        return None
    pid = os.getpid()
    with _warm_lock:
        if _warm_pid == pid:
            return None
        _warm_pid = pid

    def run() -> None:
        try:
            warmup()
        except Exception as exc:  # noqa: BLE001 - the first slow call retries and reports it in its verdict
            if threading.main_thread().is_alive():  # not the pool shut down by a process that is exiting
                logger.warning("rlvr_rewards: background start of the worker pool failed: %s: %s", type(exc).__name__, exc)

    thread = threading.Thread(target=run, name="rlvr-warmup", daemon=True)
    thread.start()
    return thread
