"""Worker tasks and preloads for the guard's tests (test support, not part of the package).

They run inside the worker host's processes, which import them by "module:function" path: the
host sees the caller's ``sys.path`` (``WorkerPool._start`` passes it on as ``PYTHONPATH``), and
pytest puts ``tests/`` on it, so ``support.probes`` imports there as it does here.
"""

from __future__ import annotations

import os
import sys
import time

#: Set by :func:`record_preload` in the host; forked workers inherit it.
PRELOADED_IN: int | None = None


def burn(seconds: float) -> float:
    """Busy-loop for ``seconds`` (CPU-bound, like a runaway SymPy call): forces timeouts."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return seconds


def address_space_limit() -> int:
    """The worker's ``RLIMIT_AS`` soft limit in bytes (-1: unlimited)."""
    import resource

    return resource.getrlimit(resource.RLIMIT_AS)[0]


def allocate(n_bytes: int) -> int:
    """Allocate ``n_bytes`` (a runaway expression's memory): MemoryError past the limit."""
    return len(bytearray(n_bytes))


def record_preload() -> None:
    """A preload: remember the pid of the process that ran it (the host)."""
    global PRELOADED_IN
    PRELOADED_IN = os.getpid()


def failing_preload() -> None:
    """A preload that fails: the host must skip it and still serve tasks."""
    raise RuntimeError("this preload always fails")


def whoami() -> tuple[int | None, int, int]:
    """In a worker: (pid that ran :func:`record_preload`, the worker's parent, the worker)."""
    return PRELOADED_IN, os.getppid(), os.getpid()


def loaded(*modules: str) -> dict[str, bool]:
    """In a worker: which of ``modules`` are imported."""
    return {m: m in sys.modules for m in modules}
