"""Hard deadlines without signals: a warm pool of killable worker processes.

Slow tiers (SymPy, LaTeX parsing through math-verify) run in a pebble ``ProcessPool`` started
with the *spawn* method, so the caller can be the main thread, a worker thread, an asyncio
loop, a forked or spawned child, or a daemonic pool worker. A task that overruns its deadline
has its worker process killed (C code in SymPy/gmpy2 cannot ignore SIGKILL) and pebble starts a
replacement. Workers run under an address-space limit so a runaway expression cannot take the
machine down. Nothing here uses the ``signal`` module.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

DEFAULT_WORKERS = max(1, min(2, os.cpu_count() or 1))
DEFAULT_MEMORY_LIMIT = 4 * 1024**3  # bytes of address space per worker
WARMUP_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class GuardResult:
    """What happened to one guarded call: ``status`` is "ok", "timeout" or "error"."""

    status: str
    value: Any = None
    detail: str = ""


def _init_worker(memory_limit: int | None) -> None:
    """Runs once in each worker: cap memory, then pay the heavy imports before the first task."""
    if memory_limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):  # pragma: no cover - non-POSIX
            pass
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    try:
        import math_verify.grader
        import math_verify.parser

        # We switch math-verify's signal timeouts off on purpose; silence its warning about it.
        math_verify.parser.TIMEOUT_WARNING_SHOWN = True
        math_verify.grader.TIMEOUT_WARNING_SHOWN = True
    except Exception:  # pragma: no cover - import problems surface as task errors
        pass


def _ping() -> int:
    return os.getpid()


class WorkerPool:
    """A lazily started, fork-safe pool of killable workers shared by every grading call."""

    def __init__(self, workers: int = DEFAULT_WORKERS, memory_limit: int | None = DEFAULT_MEMORY_LIMIT):
        self.workers = workers
        self.memory_limit = memory_limit
        self._pool: Any = None
        self._pid = -1
        self._lock = threading.Lock()
        self._warm_pid = -1
        self.timeouts = 0
        self.tasks = 0

    def _ensure(self) -> Any:
        pid = os.getpid()
        if self._pool is not None and self._pid == pid and self._pool.active:
            return self._pool
        with self._lock:
            if self._pool is not None and self._pid == pid and self._pool.active:
                return self._pool
            from pebble import ProcessPool

            proc = multiprocessing.current_process()
            if proc.daemon:
                # Daemonic pool workers may not start children; our workers are killed with us.
                proc._config["daemon"] = False  # type: ignore[attr-defined]
            self._pool = ProcessPool(
                max_workers=self.workers,
                initializer=_init_worker,
                initargs=(self.memory_limit,),
                context=multiprocessing.get_context("spawn"),
            )
            self._pid = pid
            return self._pool

    def warmup(self, timeout: float = WARMUP_TIMEOUT) -> None:
        """Start every worker and wait until they have imported SymPy and math-verify.

        Called once per process before the first deadline starts, so a cold start (a few
        seconds of imports) is never mistaken for a runaway comparison.
        """
        pool = self._ensure()
        futures = [pool.schedule(_ping) for _ in range(self.workers)]
        for f in futures:
            f.result(timeout=timeout)
        self._warm_pid = os.getpid()

    @property
    def warm(self) -> bool:
        return self._warm_pid == os.getpid() and self._pool is not None and self._pool.active

    def submit(self, fn: Callable[..., Any], *args: Any, timeout: float) -> Any:
        """Schedule ``fn(*args)``; the worker is killed if it runs longer than ``timeout`` seconds."""
        self.tasks += 1
        return self._ensure().schedule(fn, args=args, timeout=max(timeout, 0.001))

    def result(self, future: Any, deadline: float) -> GuardResult:
        """Wait for ``future`` until the absolute ``deadline`` (``time.monotonic``), then kill it."""
        remaining = deadline - time.monotonic()
        try:
            # pebble's own timeout starts when a worker picks the task up; the extra wait
            # covers queueing behind other tasks, bounded by the caller's deadline below.
            value = future.result(timeout=max(remaining, 0.0) + 0.05)
            return GuardResult("ok", value)
        except FutureTimeout:
            future.cancel()
            self.timeouts += 1
            return GuardResult("timeout", detail="deadline exceeded; worker killed")
        except MemoryError:
            return GuardResult("error", detail="worker ran out of memory")
        except Exception as exc:  # noqa: BLE001 - a worker crash is a typed outcome
            name = type(exc).__name__
            if name == "TimeoutError":
                self.timeouts += 1
                return GuardResult("timeout", detail="deadline exceeded; worker killed")
            return GuardResult("error", detail=f"{name}: {exc}"[:300])

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float) -> GuardResult:
        """Run ``fn(*args)`` in a worker under a hard ``timeout``."""
        try:
            if not self.warm:
                self.warmup()
        except Exception as exc:  # noqa: BLE001
            return GuardResult("error", detail=f"worker pool failed to start: {type(exc).__name__}: {exc}"[:300])
        start = time.monotonic()
        try:
            future = self.submit(fn, *args, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - e.g. the platform cannot spawn processes
            return GuardResult("error", detail=f"worker pool unavailable: {exc}"[:300])
        return self.result(future, start + timeout)

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.stop()
                try:
                    self._pool.join(timeout=5)
                except Exception:  # noqa: BLE001
                    pass
            self._pool = None


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> WorkerPool:
    """The process-wide worker pool (created on first use; ``RLVR_WORKERS`` sets its size)."""
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                workers = int(os.environ.get("RLVR_WORKERS", DEFAULT_WORKERS) or DEFAULT_WORKERS)
                _POOL = WorkerPool(workers=max(1, workers))
                atexit.register(_POOL.shutdown)
    return _POOL


def configure(workers: int | None = None, memory_limit: int | None = None) -> WorkerPool:
    """Replace the shared pool with one of ``workers`` processes and a ``memory_limit`` in bytes."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown()
        _POOL = WorkerPool(
            workers=workers or DEFAULT_WORKERS,
            memory_limit=DEFAULT_MEMORY_LIMIT if memory_limit is None else memory_limit,
        )
        atexit.register(_POOL.shutdown)
    return _POOL


def warmup() -> None:
    """Start the worker pool now so the first slow comparison does not pay the start-up."""
    get_pool().warmup()
