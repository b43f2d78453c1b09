"""Hard deadlines without signals: a warm pool of killable worker processes.

Layout::

    your process (any thread, asyncio, daemonic pool worker, Ray actor)
        └─ pipe ─ host process  (``python -m rlvr_rewards.guard``; runs its preloads once)
                     └─ pebble ProcessPool, forked from the host, one task at a time per worker

Slow tiers send ``(function path, args, timeout)`` to the host; pebble kills a worker that
overruns (C code in SymPy/gmpy2 cannot ignore SIGKILL) and forks a warm replacement in
milliseconds. The host is started with :mod:`subprocess`, not :mod:`multiprocessing`, so it never
re-imports the caller's ``__main__`` script and it can start inside daemonic pool workers.
Workers run under an address-space limit (``RLIMIT_AS``). Nothing here uses :mod:`signal`.

The host imports no tier by itself: it is told what to preload. A slow tier registers a warm-up
function with :func:`add_preload` when it is imported; the host imports and calls each one
before it forks its workers, so every worker starts warm. ``WorkerPool(preload=...)`` gives a
pool a list of its own.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, BinaryIO

DEFAULT_WORKERS = max(1, min(2, os.cpu_count() or 1))
DEFAULT_MEMORY_LIMIT = 4 * 1024**3  # bytes of address space per worker
WARMUP_TIMEOUT = 120.0
MARGIN = 0.01  # the caller gives up this long after its deadline and cancels (kills) the task
_HEADER = struct.Struct("!I")


@dataclass(frozen=True, slots=True)
class GuardResult:
    """What happened to one guarded call: ``status`` is "ok", "timeout" or "error"."""

    status: str
    value: Any = None
    detail: str = ""


def _write_frame(stream: BinaryIO | int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    payload = _HEADER.pack(len(data)) + data
    if isinstance(stream, int):  # a raw fd: no buffered-IO lock a fork could inherit held
        view = memoryview(payload)
        while view:
            view = view[os.write(stream, view) :]
    else:
        stream.write(payload)
        stream.flush()


def _read_exact(stream: BinaryIO | int, size: int) -> bytes:
    if not isinstance(stream, int):
        return stream.read(size)
    chunks, got = [], 0
    while got < size:
        chunk = os.read(stream, size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_frame(stream: BinaryIO | int) -> Any:
    head = _read_exact(stream, _HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(head)
    data = _read_exact(stream, size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # frames come from our own host process, never from model text


def _path_of(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


_PRELOADS: list[str] = []


def _check_path(path: str) -> str:
    module, sep, name = str(path).partition(":")
    if not (sep and module and name) or any(not p.isidentifier() for p in [*module.split("."), *name.split(".")]):
        raise ValueError(f"preload {path!r}: expected 'package.module:function'")
    return f"{module}:{name}"


def add_preload(path: str) -> None:
    """Have the worker host import and call ``path`` ("package.module:function", no arguments)
    once, before it forks its workers, so that every worker starts with it done.

    For warm-up work that must not be charged to a task's deadline (heavy imports, lazy caches
    warmed once). Pools built with ``preload=None`` (the shared pool) read
    this list; one that is already running restarts with the new entry on its next
    :meth:`WorkerPool.warmup` while no task is in flight.
    """
    path = _check_path(path)
    if path not in _PRELOADS:
        _PRELOADS.append(path)


def preloads() -> tuple[str, ...]:
    """The paths registered with :func:`add_preload`, in registration order."""
    return tuple(_PRELOADS)


class WorkerPool:
    """Client side of the worker host: lazily started, fork-safe, thread-safe.

    ``preload``: "package.module:function" paths the host imports and calls before it forks its
    workers; None (the default) means those registered with :func:`add_preload`, read when the
    host starts. A preload that fails is skipped and named in :attr:`preload_errors`.
    """

    def __init__(
        self, workers: int = DEFAULT_WORKERS, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        preload: Iterable[str] | None = None,
    ):
        self.workers = max(1, int(workers))
        self.memory_limit = memory_limit
        self.preload = None if preload is None else tuple(_check_path(p) for p in preload)
        self.preload_errors: dict[str, str] = {}
        self._loaded: tuple[str, ...] = ()
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid = -1
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: dict[int, Future[Any]] = {}
        self._ids = itertools.count()
        self._ready: Future[Any] | None = None
        self.tasks = 0
        self.timeouts = 0
        self.restarts = 0

    # -- lifecycle -----------------------------------------------------------------------
    def _alive(self) -> bool:
        return self._proc is not None and self._pid == os.getpid() and self._proc.poll() is None

    def _wanted(self) -> tuple[str, ...]:
        return preloads() if self.preload is None else self.preload

    def _start(self) -> None:
        # The host sees the caller's sys.path, so tasks and preloads import as they do here.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p] + [env.get("PYTHONPATH", "")])
        self._loaded = self._wanted()
        self.preload_errors = {}
        cmd = [sys.executable, "-m", "rlvr_rewards.guard", str(self.workers), str(self.memory_limit or 0), *self._loaded]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None if os.environ.get("RLVR_DEBUG") else subprocess.DEVNULL,
            env=env, close_fds=True, start_new_session=True,
        )
        self._pid = os.getpid()
        self._pending = {}
        self._ready = Future()
        threading.Thread(target=self._reader, args=(self._proc, self._ready, self._pending), daemon=True, name="rlvr-guard-reader").start()

    def _stale(self) -> bool:
        """A preload was registered after the host started (a pool that reads the registry)."""
        return self.preload is None and any(p not in self._loaded for p in _PRELOADS)

    def _reader(self, proc: subprocess.Popen[bytes], ready: Future[Any], pending: dict[int, Future[Any]]) -> None:
        stream = proc.stdout
        assert stream is not None
        try:
            while True:
                msg = _read_frame(stream)
                if msg[0] == "ready":
                    self.preload_errors = dict(msg[1])
                    ready.set_result(True)
                    continue
                task_id, status, value = msg
                fut = pending.pop(task_id, None)
                if fut is not None and not fut.done():
                    fut.set_result((status, value))
        except Exception:  # noqa: BLE001 - EOF or a broken pipe: the host is gone
            pass
        if not ready.done():
            ready.set_exception(RuntimeError("worker host exited during start-up"))
        for fut in list(pending.values()):
            if not fut.done():
                fut.set_result(("error", "worker host exited"))
        pending.clear()

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._alive():
            return self._proc  # type: ignore[return-value]
        with self._lock:
            if not self._alive():
                if self._proc is not None and self._pid == os.getpid():
                    self._kill_host()
                    self.restarts += 1
                self._start()
        return self._proc  # type: ignore[return-value]

    @property
    def warm(self) -> bool:
        return (
            self._alive() and self._ready is not None and self._ready.done() and self._ready.exception() is None
            and not self._stale()
        )

    def warmup(self, timeout: float = WARMUP_TIMEOUT) -> None:
        """Start the host and its workers and wait until its preloads have run.

        Done once per process before any deadline starts, so a cold start is never mistaken
        for a runaway comparison. A host started before a preload was registered is restarted
        here, unless tasks are in flight (they would be lost).
        """
        self._ensure()
        ready = self._ready
        assert ready is not None
        ready.result(timeout=timeout)
        if self._stale() and not self._pending:
            with self._lock, self._write_lock:  # submit() registers and writes under _write_lock
                if self._alive() and self._stale() and not self._pending:
                    self._kill_host()
                    self.restarts += 1
                    self._start()
            ready = self._ready
            assert ready is not None
            ready.result(timeout=timeout)

    def _kill_host(self) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            os.killpg(proc.pid, 9)
        except (ProcessLookupError, PermissionError, OSError):
            try:
                proc.kill()
            except OSError:
                pass
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def shutdown(self) -> None:
        """Stop the host and every worker (also registered with ``atexit``)."""
        with self._lock:
            if self._proc is not None and self._pid == os.getpid():
                self._kill_host()
            self._proc = None

    # -- calls ---------------------------------------------------------------------------
    def _cancel(self, future: Future[Any]) -> None:
        """Tell the host to drop (queued) or kill (running) a task nobody waits for any more."""
        task_id = getattr(future, "task_id", None)
        proc = self._proc
        if task_id is None or proc is None or not self._alive():
            return
        self._pending.pop(task_id, None)
        try:
            with self._write_lock:
                assert proc.stdin is not None
                _write_frame(proc.stdin, ("cancel", task_id))
        except (OSError, ValueError, AssertionError):
            pass

    def submit(self, fn: Callable[..., Any], *args: Any, timeout: float) -> Future[Any]:
        """Send ``fn(*args)`` to a worker that is killed after ``timeout`` seconds of running."""
        self._ensure()
        fut: Future[Any] = Future()
        task_id = next(self._ids)
        fut.task_id = task_id  # type: ignore[attr-defined]
        self.tasks += 1
        timeout = max(float(timeout), 0.001)
        try:
            with self._write_lock:
                proc = self._proc  # the current host, even if warmup() just replaced it
                assert proc is not None and proc.stdin is not None
                self._pending[task_id] = fut
                _write_frame(proc.stdin, (task_id, _path_of(fn), args, timeout, time.monotonic() + timeout))
        except (OSError, ValueError, AssertionError) as exc:
            self._pending.pop(task_id, None)
            fut.set_result(("error", f"worker host unavailable: {exc}"))
        return fut

    def result(self, future: Future[Any], deadline: float) -> GuardResult:
        """Wait for ``future`` until ``deadline`` (``time.monotonic``) plus a small margin."""
        try:
            status, value = future.result(timeout=max(deadline - time.monotonic(), 0.0) + MARGIN)
        except FutureTimeout:
            self.timeouts += 1
            self._cancel(future)
            return GuardResult("timeout", detail="deadline exceeded")
        if status == "ok":
            return GuardResult("ok", value)
        if status == "timeout":
            self.timeouts += 1
            return GuardResult("timeout", detail="deadline exceeded; worker killed")
        return GuardResult("error", detail=str(value)[:300])

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float) -> GuardResult:
        """Run ``fn(*args)`` in a worker under a hard ``timeout`` (start-up not counted)."""
        try:
            if not self.warm:
                self.warmup()
        except Exception as exc:  # noqa: BLE001
            return GuardResult("error", detail=f"worker pool failed to start: {type(exc).__name__}: {exc}"[:300])
        start = time.monotonic()
        return self.result(self.submit(fn, *args, timeout=timeout), start + timeout)


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> WorkerPool:
    """The process-wide worker pool (``RLVR_WORKERS`` sets its size; default min(2, cpus))."""
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                workers = int(os.environ.get("RLVR_WORKERS", "") or DEFAULT_WORKERS)
                _POOL = WorkerPool(workers=workers)
                atexit.register(_POOL.shutdown)
    return _POOL


def configure(workers: int | None = None, memory_limit: int | None = None) -> WorkerPool:
    """Replace the shared pool with ``workers`` processes capped at ``memory_limit`` bytes each."""
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
    """Start the worker pool now so the first slow comparison does not wait for it."""
    get_pool().warmup()


def _after_fork_in_child() -> None:
    """A forked caller gets fresh locks and, on first use, its own host.

    Its copies of the parent's pipe ends are closed so the parent's host still sees EOF when
    the parent goes away.
    """
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    pool = _POOL
    if pool is None:
        return
    pool._lock = threading.Lock()
    pool._write_lock = threading.Lock()
    proc, pool._proc, pool._ready, pool._pending = pool._proc, None, None, {}
    if proc is not None:
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    os.close(stream.fileno())
            except (OSError, ValueError):
                pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# -- host side (runs in ``python -m rlvr_rewards.guard``) ------------------------------------
def _worker_init(memory_limit: int, close_fds: tuple[int, ...] = ()) -> None:
    """In each forked worker: drop the host's pipe ends and cap the address space."""
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    if memory_limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):  # pragma: no cover - non-POSIX
            pass


class _Expired(Exception):
    """The caller's deadline passed while the task waited in the queue."""


def _run_task(path: str, args: tuple[Any, ...], deadline: float = float("inf")) -> Any:
    import importlib

    if time.monotonic() > deadline:  # CLOCK_MONOTONIC is system-wide: same clock as the caller
        raise _Expired

    module, _, name = path.partition(":")
    fn: Any = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    return fn(*args)


def _run_preloads(paths: list[str]) -> dict[str, str]:
    """Import and call each preload in the host; failures are skipped and reported."""
    failures: dict[str, str] = {}
    for path in paths:
        try:
            _run_task(path, ())
        except Exception as exc:  # noqa: BLE001 - a broken preload only costs its warm-up
            failures[path] = f"{type(exc).__name__}: {exc}"[:300]
    return failures


def _watch_parent(parent: int) -> None:
    """If the caller dies without closing the pipe (SIGKILL), take the workers down with us."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            try:
                os.killpg(os.getpgid(0), 9)
            finally:
                os._exit(0)


def host_main(workers: int, memory_limit: int, preload: list[str] | None = None) -> None:
    """Serve tasks from stdin until it closes; every task runs in a killable forked worker.

    ``preload`` ("package.module:function" paths) run here first, so the workers inherit them.
    """
    import multiprocessing

    from pebble import ProcessPool
    from pebble.common import CONSTS

    # pebble stops a worker with SIGTERM, which its Python handler only sees when C code (a
    # gmpy2 factorial) returns, then waits term_timeout (3 s) before SIGKILL. Runaways must die
    # at the deadline: escalate almost at once, and look at timeouts more often than every 0.1 s.
    CONSTS.term_timeout = 0.05
    CONSTS.sleep_unit = 0.02

    # Frames travel on private raw fds. fd 0 becomes /dev/null and fd 1 a copy of stderr, so
    # stray prints cannot corrupt the stream, and a forked worker closing ``sys.stdin`` never
    # waits on a buffered-IO lock that the reading thread held at fork time.
    stdin, stdout = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)  # noqa: SIM115
    failures = _run_preloads(list(preload or ()))
    pool = ProcessPool(
        max_workers=workers, initializer=_worker_init, initargs=(memory_limit, (stdin, stdout)),
        context=multiprocessing.get_context("fork"),
    )
    write_lock = threading.Lock()

    def reply(msg: Any) -> None:
        with write_lock:
            _write_frame(stdout, msg)

    running: dict[int, Any] = {}

    def done(task_id: int, future: Any) -> None:
        running.pop(task_id, None)
        if future.cancelled():
            return
        try:
            reply((task_id, "ok", future.result()))
        except Exception as exc:  # noqa: BLE001
            name = type(exc).__name__
            if name in ("TimeoutError", "_Expired"):
                reply((task_id, "timeout", None))
            elif isinstance(exc, MemoryError):
                reply((task_id, "error", "worker ran out of memory"))
            else:
                reply((task_id, "error", f"{name}: {exc}"[:300]))

    warm = [pool.schedule(os.getpid) for _ in range(workers)]
    for f in warm:
        f.result()
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    reply(("ready", failures))
    try:
        while True:
            try:
                msg = _read_frame(stdin)
            except EOFError:
                break
            if msg[0] == "cancel":
                future = running.pop(msg[1], None)
                if future is not None:
                    future.cancel()  # pebble drops a queued task and kills a running one
                continue
            task_id, path, args, timeout, deadline = msg
            future = pool.schedule(_run_task, args=(path, args, deadline), timeout=timeout)
            running[task_id] = future
            future.add_done_callback(lambda f, t=task_id: done(t, f))
    finally:
        pool.stop()
        pool.join(timeout=2)


if __name__ == "__main__":
    host_main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
