"""A client for a verifier model behind an OpenAI-compatible chat-completions endpoint.

It stands on the ``openai`` SDK (``AsyncOpenAI`` with ``base_url``, ``api_key``, ``timeout`` and
``max_retries``), the client vLLM, SGLang, TGI and ``transformers serve`` are all tested with: the
SDK does the HTTP, the connection pool, and the retries (exponential backoff with jitter on
connection errors, timeouts, 408/409/429/5xx; ``Retry-After`` honoured). This module adds what
the SDK lacks:

* a sync/async bridge: one ``AsyncOpenAI`` on a private event-loop thread, so synchronous
  callers (reward functions in trainer threads) and asyncio callers (``await
  client.ajudge_many(...)`` from any loop) share the same connections, the same concurrency
  limit (at most ``concurrency`` requests in flight) and the same cache;
* a deadline per call (:meth:`JudgeClient.max_call_time`): every attempt, every backoff and the
  model discovery together, whatever the server or a ``Retry-After`` header asks for;
* a circuit breaker: after ``breaker_threshold`` consecutive failed calls, calls fail fast for
  ``breaker_cooldown`` seconds instead of each waiting out its retries, then the judge is tried
  again;
* an LRU cache of successful verdicts keyed by (endpoint, model, rendered messages, sampling
  options); identical requests in flight at the same time share one HTTP call;
* model discovery through ``/v1/models`` when no model name is given;
* counters in :class:`JudgeStats` (``client.stats.snapshot()``).

A call never raises: every failure is a :class:`JudgeResult` with ``verdict=None`` and a status.
``openai`` (the ``judge`` extra) is imported on the first call, so importing this module is cheap.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
import warnings
import weakref
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .prompt import JudgePrompt, parse_verdict

log = logging.getLogger("rlvr_rewards.judge")

ENV_URL = "REWARD_MODEL_URL"
ENV_MODEL = "REWARD_MODEL_NAME"
ENV_API_KEY = "REWARD_MODEL_API_KEY"
ENV_TIMEOUT = "REWARD_MODEL_TIMEOUT"
ENV_CONCURRENCY = "REWARD_MODEL_CONCURRENCY"

FAILURE_STATUSES = (
    "timeout", "connect_error", "http_error", "malformed", "unparseable", "unavailable",
    "no_model", "error",
)
# The SDK's retry schedule (openai/_constants.py): 0.5 s doubling, at most 8 s, minus up to 25 %
# jitter. Used only to bound a call; the SDK does the waiting.
SDK_INITIAL_RETRY_DELAY = 0.5
SDK_MAX_RETRY_DELAY = 8.0
# A key the SDK can send when the server wants none (vLLM's documented placeholder): the SDK
# refuses to start without one, and would otherwise fall back to $OPENAI_API_KEY and send that.
NO_API_KEY = "EMPTY"

# [HTTP requests, of which model discovery] of the call running in this context (counted by a
# request hook on the SDK's HTTP client).
_ATTEMPTS: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("rlvr_judge_attempts", default=None)


@dataclass(frozen=True, slots=True)
class JudgeResult:
    """One judge call: ``verdict`` True (correct) / False (incorrect) / None (the call failed).

    ``status`` is "ok" or one of :data:`FAILURE_STATUSES`; ``cached`` says the verdict came from
    the cache or from an identical call already in flight; ``latency`` is the wall time of the
    call (all attempts and backoff; 0 for a cache hit); ``reply`` is the judge's text;
    ``attempts`` the HTTP requests it took; ``model``, ``finish_reason``, ``prompt_tokens`` and
    ``completion_tokens`` are what the server reported (empty / 0 when it sent no completion).
    """

    verdict: bool | None
    status: str
    detail: str = ""
    latency: float = 0.0
    attempts: int = 0
    reply: str = ""
    cached: bool = False
    model: str = ""
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def ok(self) -> bool:
        return self.verdict is not None


class JudgeStats:
    """Thread-safe counters of one client (and of the verifiers that use it).

    requests: judge verdicts asked for; cache_hits: answered from the cache or by joining an
    identical call in flight; calls: calls that went to the server; http_requests: HTTP
    requests sent (attempts, retries and model discovery); failures: failed calls by status (the
    rule verdict stood); overturned / confirmed / resolved: what the cascade did with the
    judge's verdict; suspicious: answers that addressed the judge, which was then not asked;
    prompt_tokens / completion_tokens: as reported by the server.
    """

    _FIELDS = (
        "requests", "cache_hits", "calls", "http_requests", "retries", "successes",
        "overturned", "confirmed", "resolved", "suspicious", "kept_on_failure",
        "prompt_tokens", "completion_tokens",
    )

    def __init__(self, latency_window: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._latencies: deque[float] = deque(maxlen=latency_window)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            for f in self._FIELDS:
                setattr(self, f, 0)
            self.failures: Counter[str] = Counter()
            self.latency_total = 0.0
            self.latency_max = 0.0
            self._latencies.clear()

    def add(self, field: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, field, getattr(self, field) + n)

    def fail(self, status: str) -> None:
        with self._lock:
            self.failures[status] += 1

    def latency(self, seconds: float) -> None:
        with self._lock:
            self.latency_total += seconds
            self.latency_max = max(self.latency_max, seconds)
            self._latencies.append(seconds)

    def snapshot(self) -> dict[str, Any]:
        """Plain numbers for a trainer's metrics logger (latencies in milliseconds)."""
        with self._lock:
            out: dict[str, Any] = {f: getattr(self, f) for f in self._FIELDS}
            out["failures"] = sum(self.failures.values())
            for status, n in sorted(self.failures.items()):
                out[f"failures_{status}"] = n
            lat = sorted(self._latencies)
            n_ok = self.successes
            out["cache_hit_rate"] = self.cache_hits / self.requests if self.requests else 0.0
            out["latency_ms_mean"] = 1e3 * self.latency_total / n_ok if n_ok else 0.0
            out["latency_ms_p50"] = 1e3 * lat[len(lat) // 2] if lat else 0.0
            out["latency_ms_p95"] = 1e3 * lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else 0.0
            out["latency_ms_max"] = 1e3 * self.latency_max
        return out

    def __repr__(self) -> str:
        s = self.snapshot()
        return (
            f"<JudgeStats requests={s['requests']} calls={s['calls']} cache_hits={s['cache_hits']} "
            f"failures={s['failures']} overturned={s['overturned']} p50={s['latency_ms_p50']:.1f}ms>"
        )


def base_url(url: str) -> str:
    """``http://host:8000``, ``host:8000``, ``…/v1`` or ``…/v1/chat/completions`` → ``…/v1``,
    the ``base_url`` the SDK appends ``/chat/completions`` and ``/models`` to."""
    u = url.strip().rstrip("/")
    if not u.startswith(("http://", "https://")):
        u = "http://" + u
    u = u.removesuffix("/chat/completions")
    return u if u.endswith("/v1") else u + "/v1"


def chat_completions_url(url: str) -> str:
    """The chat-completions URL of a server given as for :func:`base_url`."""
    return base_url(url) + "/chat/completions"


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _env_float(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        return None


class JudgeClient:
    """A verifier model behind an OpenAI-compatible ``/v1/chat/completions`` endpoint.

    ``url``, ``model`` and ``api_key`` default to ``REWARD_MODEL_URL``, ``REWARD_MODEL_NAME``
    and ``REWARD_MODEL_API_KEY``; without a model name the first model the server lists at
    ``/v1/models`` is used (vLLM and ``transformers serve <model>`` list the one they serve).
    ``timeout`` (``REWARD_MODEL_TIMEOUT``) caps each HTTP attempt and ``max_retries`` the retries
    after it (the SDK's); ``concurrency`` (``REWARD_MODEL_CONCURRENCY``) caps requests in flight.
    ``backoff`` / ``max_backoff`` are accepted for compatibility and ignored: the SDK's backoff is
    used.
    """

    def __init__(
        self,
        url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int = 2,
        backoff: float | None = None,
        max_backoff: float | None = None,
        concurrency: int | None = None,
        cache_size: int = 65536,
        max_tokens: int = 64,
        temperature: float = 0.0,
        extra_body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        prompt: JudgePrompt | None = None,
        parser: Callable[[str], bool | None] = parse_verdict,
        breaker_threshold: int = 8,
        breaker_cooldown: float = 5.0,
        queue_timeout: float = 600.0,
        trust_env: bool | None = None,
    ) -> None:
        url = url or os.environ.get(ENV_URL, "").strip()
        if not url:
            raise ValueError(f"no judge URL: pass url=... or set {ENV_URL}")
        if backoff is not None or max_backoff is not None:
            warnings.warn(
                "JudgeClient(backoff=, max_backoff=) are ignored: retries use the openai SDK's backoff "
                "(0.5 s doubling, at most 8 s, with jitter; Retry-After honoured)",
                DeprecationWarning, stacklevel=2,
            )
        self.base_url = base_url(url)
        self.url = self.base_url + "/chat/completions"
        self.models_url = self.base_url + "/models"
        self.model = model or os.environ.get(ENV_MODEL, "").strip() or None
        self.api_key = api_key if api_key is not None else (os.environ.get(ENV_API_KEY, "").strip() or None)
        self.timeout = float(timeout if timeout is not None else (_env_float(ENV_TIMEOUT) or 30.0))
        self.max_retries = max(0, int(max_retries))
        conc = concurrency if concurrency is not None else _env_float(ENV_CONCURRENCY)
        self.concurrency = max(1, int(conc or 16))
        self.cache_size = max(0, int(cache_size))
        self.max_tokens = int(max_tokens)
        self.temperature = float(temperature)
        self.extra_body = dict(extra_body or {})
        self.headers = dict(headers or {})
        self.prompt = prompt or JudgePrompt()
        self.parser = parser
        self.breaker_threshold = max(1, int(breaker_threshold))
        self.breaker_cooldown = float(breaker_cooldown)
        self.queue_timeout = float(queue_timeout)
        self.trust_env = (not _is_loopback(self.url)) if trust_env is None else bool(trust_env)
        self.stats = JudgeStats()

        self._lock = threading.Lock()
        self._cache: OrderedDict[bytes, JudgeResult] = OrderedDict()
        self._inflight: dict[bytes, Future[JudgeResult]] = {}
        self._pid = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._sdk: Any = None
        self._sem: asyncio.Semaphore | None = None
        self._model_lock: asyncio.Lock | None = None
        self._consecutive_failures = 0
        self._open_until = 0.0
        self._warned = False
        _CLIENTS.add(self)

    def __repr__(self) -> str:
        return f"<JudgeClient {self.url} model={self.model or '(discover)'}>"

    # -- public API ------------------------------------------------------------------------
    def messages(self, question: str | None, answer: str, gold: str) -> list[dict[str, str]]:
        """The chat messages this client sends for one (question, answer, gold)."""
        return self.prompt.messages(question, answer, gold)

    def submit(self, messages: Sequence[dict[str, str]]) -> Future[JudgeResult]:
        """Start a judge call (or find it in the cache / in flight); never raises."""
        key = self._key(messages)
        with self._lock:
            if self._pid != os.getpid():
                self._after_fork()
            self.stats.add("requests")
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.stats.add("cache_hits")
                fut: Future[JudgeResult] = Future()
                fut.set_result(dataclasses.replace(hit, latency=0.0, attempts=0, cached=True))
                return fut
            pending = self._inflight.get(key)
            if pending is not None:
                self.stats.add("cache_hits")
                return pending
            fut = Future()
            fut.submitted_at = time.monotonic()  # type: ignore[attr-defined]
            fut.started_at = None  # type: ignore[attr-defined]
            self._inflight[key] = fut
            self.stats.add("calls")
        try:
            loop = self._ensure_loop()
            asyncio.run_coroutine_threadsafe(self._run(key, list(messages), fut), loop)
        except Exception as exc:  # noqa: BLE001
            self._finish(key, fut, JudgeResult(None, "error", f"{type(exc).__name__}: {exc}"[:300]))
        return fut

    def wait(self, future: Future[JudgeResult]) -> JudgeResult:
        """The result of :meth:`submit`, waiting no longer than the call can take.

        A queued call waits for a free slot (up to ``queue_timeout``); once started it is bounded
        by :meth:`max_call_time`. Giving up counts as a "timeout" failure.
        """
        limit = self.max_call_time() + 1.0
        while True:
            try:
                return future.result(timeout=0.25 if not future.done() else None)
            except FutureTimeout:
                now = time.monotonic()
                started = getattr(future, "started_at", None)
                submitted = getattr(future, "submitted_at", now)
                if (started is not None and now - started > limit) or (
                    started is None and now - submitted > self.queue_timeout
                ):
                    self.stats.fail("timeout")
                    return JudgeResult(None, "timeout", "gave up waiting for the judge")

    def complete(self, messages: Sequence[dict[str, str]]) -> JudgeResult:
        """One judge call for ready-made chat messages (synchronous)."""
        return self.wait(self.submit(messages))

    def judge(self, question: str | None, answer: str, gold: str) -> JudgeResult:
        """Is ``answer`` a correct answer to ``question`` given ``gold``? (synchronous)"""
        return self.complete(self.messages(question, answer, gold))

    async def ajudge(self, question: str | None, answer: str, gold: str) -> JudgeResult:
        """:meth:`judge` for asyncio code (any event loop; never blocks it)."""
        return await self._await(self.submit(self.messages(question, answer, gold)))

    async def ajudge_many(self, items: Iterable[tuple[str | None, str, str]]) -> list[JudgeResult]:
        """Judge many (question, answer, gold) triples concurrently (bounded by ``concurrency``);
        duplicates are sent once."""
        futures = [self.submit(self.messages(q, a, g)) for q, a, g in items]
        return list(await asyncio.gather(*(self._await(f) for f in futures)))

    def judge_many(self, items: Iterable[tuple[str | None, str, str]]) -> list[JudgeResult]:
        """:meth:`ajudge_many` for synchronous code: all calls start at once, then are awaited."""
        futures = [self.submit(self.messages(q, a, g)) for q, a, g in items]
        return [self.wait(f) for f in futures]

    async def _await(self, future: Future[JudgeResult]) -> JudgeResult:
        if future.done():
            return future.result()
        # The call bounds itself (max_call_time once started); the limit is a safety net.
        limit = self.queue_timeout + self.max_call_time() + 1.0
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), limit)
        except asyncio.TimeoutError:
            self.stats.fail("timeout")
            return JudgeResult(None, "timeout", "gave up waiting for the judge")

    def max_call_time(self) -> float:
        """The deadline of one started call: every attempt timing out, every backoff of the SDK's
        schedule, and the model discovery when no model name is known yet. A call that would take
        longer (a long ``Retry-After``, a server trickling bytes) is cut there as a "timeout"."""
        backoffs = sum(min(SDK_MAX_RETRY_DELAY, SDK_INITIAL_RETRY_DELAY * 2**i) for i in range(self.max_retries))
        return (self.max_retries + 1) * self.timeout + backoffs + (self.timeout if self.model is None else 0.0)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Close the connections and stop the event-loop thread (idempotent). The cache stays,
        and a later call starts a new thread and new connections."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or self._pid != os.getpid() or not thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._aclose(), loop).result(timeout=5)
        except Exception:  # noqa: BLE001
            pass
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        self._loop = self._thread = None

    def __enter__(self) -> JudgeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------
    def _key(self, messages: Sequence[dict[str, str]]) -> bytes:
        blob = json.dumps(
            [self.url, self.model, list(messages), self.max_tokens, self.temperature, self.extra_body],
            sort_keys=True, ensure_ascii=False, default=str,
        )
        return hashlib.blake2b(blob.encode("utf-8", "replace"), digest_size=16).digest()

    def _after_fork(self) -> None:
        """A forked child starts its own loop and connections; the parent's calls are not ours."""
        self._pid = os.getpid()
        self._loop = self._thread = None
        self._sdk = self._sem = self._model_lock = None
        self._inflight = {}

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive() and self._pid == os.getpid():
            return loop
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                if self._pid != os.getpid():
                    self._after_fork()
                self._sdk = self._sem = self._model_lock = None
                ready = threading.Event()
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=self._serve, args=(loop, ready), daemon=True, name="rlvr-judge")
                thread.start()
                ready.wait(5)
                self._loop, self._thread, self._pid = loop, thread, os.getpid()
            return self._loop

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            finally:
                loop.close()

    async def _aclose(self) -> None:
        sdk, self._sdk = self._sdk, None
        if sdk is not None:
            await sdk.close()

    def _ensure_sdk(self) -> Any:
        """The ``AsyncOpenAI`` client of this loop (created on the loop thread, first call)."""
        if self._sdk is None:
            try:
                import openai
            except ImportError as exc:
                raise ImportError("the judge needs the openai SDK: pip install 'rlvr-rewards[judge]'") from exc

            async def count_request(request: Any) -> None:
                self.stats.add("http_requests")
                attempts = _ATTEMPTS.get()
                if attempts is not None:
                    attempts[0] += 1

            self._sdk = openai.AsyncOpenAI(
                base_url=self.base_url,
                api_key=self.api_key or NO_API_KEY,
                timeout=self.timeout,
                max_retries=self.max_retries,
                default_headers=self.headers or None,
                # The SDK's default pool, without proxies from the environment for loopback URLs.
                http_client=openai.DefaultAsyncHttpxClient(
                    trust_env=self.trust_env, event_hooks={"request": [count_request]},
                ),
            )
            self._sem = asyncio.Semaphore(self.concurrency)
            self._model_lock = asyncio.Lock()
        return self._sdk

    def _finish(self, key: bytes, fut: Future[JudgeResult], result: JudgeResult) -> None:
        with self._lock:
            if self._inflight.get(key) is fut:
                del self._inflight[key]
            if result.ok and self.cache_size:
                self._cache[key] = result
                self._cache.move_to_end(key)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        if not fut.done():
            fut.set_result(result)

    async def _run(self, key: bytes, messages: list[dict[str, str]], fut: Future[JudgeResult]) -> None:
        start = time.monotonic()
        attempts = [0, 0]  # HTTP requests of this call, of which model discovery
        token = _ATTEMPTS.set(attempts)
        try:
            result = await self._call(messages, fut)
        except asyncio.CancelledError:
            self._finish(key, fut, JudgeResult(None, "error", "judge client closed"))
            raise
        except Exception as exc:  # noqa: BLE001 - a judge call never raises into grading
            result = JudgeResult(None, "error", f"{type(exc).__name__}: {exc}"[:300])
        finally:
            _ATTEMPTS.reset(token)
        result = dataclasses.replace(result, latency=time.monotonic() - start, attempts=attempts[0])
        if attempts[0] - attempts[1] > 1:
            self.stats.add("retries", attempts[0] - attempts[1] - 1)
        self._record(result)
        self._finish(key, fut, result)

    def _record(self, result: JudgeResult) -> None:
        if result.prompt_tokens or result.completion_tokens:
            self.stats.add("prompt_tokens", result.prompt_tokens)
            self.stats.add("completion_tokens", result.completion_tokens)
        if result.ok:
            self.stats.add("successes")
            self.stats.latency(result.latency)
            self._consecutive_failures = 0
            return
        self.stats.fail(result.status)
        if result.status in ("timeout", "connect_error", "http_error", "malformed", "no_model"):
            self._consecutive_failures += 1
            if self._consecutive_failures >= self.breaker_threshold and time.monotonic() >= self._open_until:
                self._open_until = time.monotonic() + self.breaker_cooldown
                log.warning(
                    "judge at %s failed %d times in a row (%s); skipping it for %.0f s (rule verdicts stand)",
                    self.url, self._consecutive_failures, result.detail, self.breaker_cooldown,
                )
        elif result.status == "unparseable":
            self._consecutive_failures = 0  # the server answered: it is up
        if not self._warned:
            self._warned = True
            log.warning("judge call failed (%s: %s); the rule verdict stands", result.status, result.detail)

    async def _model_name(self) -> str | None:
        if self.model:
            return self.model
        assert self._model_lock is not None
        async with self._model_lock:
            if self.model:
                return self.model
            box = _ATTEMPTS.get()
            before = box[0] if box is not None else 0
            try:
                sdk = self._sdk.with_options(max_retries=0)
                page = await asyncio.wait_for(sdk.models.list(), self.timeout)
                name = page.data[0].id if page.data else None
            except Exception:  # noqa: BLE001
                name = None
            if box is not None:
                box[1] += box[0] - before
            if isinstance(name, str) and name:
                self.model = name
            return self.model

    async def _call(self, messages: list[dict[str, str]], fut: Future[JudgeResult]) -> JudgeResult:
        sdk = self._ensure_sdk()
        assert self._sem is not None
        if time.monotonic() < self._open_until:
            return JudgeResult(None, "unavailable", "circuit open after repeated failures")
        async with self._sem:
            fut.started_at = time.monotonic()  # type: ignore[attr-defined]
            if time.monotonic() < self._open_until:  # opened while this call was queued
                return JudgeResult(None, "unavailable", "circuit open after repeated failures")
            deadline = fut.started_at + self.max_call_time()  # type: ignore[attr-defined]
            model = await self._model_name()
            if not model:
                return JudgeResult(None, "no_model", f"no model name given and none listed at {self.models_url}")
            try:
                completion = await asyncio.wait_for(
                    sdk.chat.completions.create(
                        model=model, messages=messages, max_tokens=self.max_tokens,
                        temperature=self.temperature, extra_body=self.extra_body or None,
                    ),
                    max(0.0, deadline - time.monotonic()),
                )
            except Exception as exc:  # noqa: BLE001 - mapped to a status; never raised into grading
                status, detail = _failure(exc, self.timeout)
                return JudgeResult(None, status, detail)
            try:
                reply = _content(completion)
            except Exception as exc:  # noqa: BLE001 - a body the SDK read but that holds no reply
                return JudgeResult(None, "malformed", f"unreadable completion body ({type(exc).__name__}): {str(completion)[:120]!r}")
            served = _served(completion)
            verdict = self.parser(reply)
            if verdict is None:
                return JudgeResult(
                    None, "unparseable", f"no plain Correct/Incorrect in the reply {reply[:120]!r}",
                    reply=reply[:200], **served,
                )
            return JudgeResult(verdict, "ok", reply=reply[:200], **served)


def _failure(exc: BaseException, timeout: float) -> tuple[str, str]:
    """(status, detail) of an exception from the SDK call."""
    import openai

    if isinstance(exc, (asyncio.TimeoutError, openai.APITimeoutError)):
        return "timeout", f"no reply within {timeout:g} s"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return "connect_error", f"{type(cause).__name__}: {cause}"[:200]
    if isinstance(exc, openai.APIStatusError):
        return "http_error", f"HTTP {exc.status_code}: {exc.message}"[:300]
    if isinstance(exc, (ValueError, openai.APIResponseValidationError)):  # a body that is not JSON
        return "malformed", f"unreadable completion body ({type(exc).__name__}: {exc})"[:200]
    return "error", f"{type(exc).__name__}: {exc}"[:300]


_CLIENTS: weakref.WeakSet[JudgeClient] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """Fresh locks, loop and connections for every client in a forked child."""
    for client in list(_CLIENTS):
        client._lock = threading.Lock()
        client.stats._lock = threading.Lock()
        client._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _content(completion: Any) -> str:
    """The assistant's text of a parsed chat completion."""
    content = completion.choices[0].message.content
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str):
        raise TypeError("message content is not text")
    return content


def _served(completion: Any) -> dict[str, Any]:
    """What the server says about a completion it sent: model, finish reason, token counts."""
    out: dict[str, Any] = {}
    try:
        out["model"] = str(getattr(completion, "model", "") or "")
        out["finish_reason"] = str(getattr(completion.choices[0], "finish_reason", "") or "")
        usage = getattr(completion, "usage", None)
        out["prompt_tokens"] = int(getattr(usage, "prompt_tokens", 0) or 0)
        out["completion_tokens"] = int(getattr(usage, "completion_tokens", 0) or 0)
    except Exception:  # noqa: BLE001 - informational fields only
        pass
    return out
