"""Hard deadlines: pathological inputs return ``timeout`` on time, from any thread, without signals.

Start-up of the worker pool is excluded from the deadline by design, so the module warms it
up first. Bounds are ``timeout + 0.5 s``: generous against scheduling noise, tight enough to
catch a comparison that is not actually killed.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import rlvr_rewards
from rlvr_rewards import Outcome, check, check_batch

TIMEOUT = 1.0
SLACK = 0.5
PATHOLOGICAL = [r"\boxed{(10^{8})!}", r"\boxed{2^{3^{4^{5}}}}"]
NORMAL = (r"\boxed{\sum_{k=1}^{10} k}", "55")
PACKAGE = Path(rlvr_rewards.__file__).parent


@pytest.fixture(scope="module", autouse=True)
def warm_pool():
    rlvr_rewards.workers.warmup()
    yield
    _drain()


def _drain() -> None:
    """Wait until the worker pool has worked off anything left behind by a test."""
    v = check(*NORMAL, timeout=60)
    assert v.outcome is Outcome.CORRECT, v.explain()


def _timed_check(completion: str, gold: str = "1"):
    start = time.monotonic()
    verdict = check(completion, gold, timeout=TIMEOUT)
    return verdict, time.monotonic() - start


def _assert_timed_out(verdict, took: float) -> None:
    assert verdict.outcome is Outcome.TIMEOUT, verdict.explain()
    assert verdict.score == 0.0
    assert took <= TIMEOUT + SLACK, f"took {took:.2f} s"


@pytest.mark.parametrize("completion", PATHOLOGICAL)
def test_timeout_in_main_thread(completion):
    _assert_timed_out(*_timed_check(completion))


@pytest.mark.parametrize("completion", PATHOLOGICAL)
def test_timeout_in_plain_thread(completion):
    result: list = []
    th = threading.Thread(target=lambda: result.append(_timed_check(completion)))
    th.start()
    th.join(timeout=30)
    assert not th.is_alive(), "check() hung in a thread"
    _assert_timed_out(*result[0])


def test_timeout_in_thread_pool_executor():
    with ThreadPoolExecutor(max_workers=len(PATHOLOGICAL)) as ex:
        results = list(ex.map(_timed_check, PATHOLOGICAL))
    for verdict, took in results:
        _assert_timed_out(verdict, took)


def test_normal_symbolic_case_still_correct_after_timeouts():
    for completion in PATHOLOGICAL:
        assert check(completion, "1", timeout=TIMEOUT).outcome is Outcome.TIMEOUT
    v = check(*NORMAL)
    assert v.outcome is Outcome.CORRECT, v.explain()
    assert v.verifier == "symbolic"
    assert check(NORMAL[0], "56").outcome is Outcome.INCORRECT


def test_timeout_reported_in_batch():
    start = time.monotonic()
    verdicts = check_batch(
        [PATHOLOGICAL[0], NORMAL[0], r"\boxed{3}"], ["1", "55", "3"], timeout=TIMEOUT
    )
    took = time.monotonic() - start
    assert [v.outcome for v in verdicts] == [Outcome.TIMEOUT, Outcome.CORRECT, Outcome.CORRECT]
    assert took <= TIMEOUT + SLACK + 1.0, f"took {took:.2f} s"


def test_timeout_is_not_cached_as_incorrect():
    first = check(PATHOLOGICAL[1], "1", timeout=TIMEOUT)
    second = check(PATHOLOGICAL[1], "1", timeout=TIMEOUT)
    assert first.outcome is second.outcome is Outcome.TIMEOUT


def test_package_does_not_use_signal():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"^\s*(?:import\s+signal\b|from\s+signal\s+import\b)", code) or re.search(
                r"(?<![\w.])signal\.\w", code
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{lineno}: {line.strip()}")
    assert not offenders, "signal module used:\n" + "\n".join(offenders)


# ---------------------------------------------------------------- backlog after abandoned calls
# Keep these last: they leave work queued in the pool (drained by the module fixture).



def test_trivial_case_right_after_a_burst_of_timeouts():
    # several times more abandoned calls than there are workers
    burst = [rf"\boxed{{(10^{{8}}+{k})!}}" for k in range(12)]
    with ThreadPoolExecutor(max_workers=len(burst)) as ex:
        outcomes = list(ex.map(lambda c: check(c, "1", timeout=TIMEOUT).outcome, burst))
    assert set(outcomes) == {Outcome.TIMEOUT}
    try:
        v = check(*NORMAL, timeout=TIMEOUT)
        assert v.outcome is Outcome.CORRECT, v.explain()
    finally:
        _drain()


def test_batch_trivial_item_among_pathological_ones():
    assert check(*NORMAL, timeout=TIMEOUT).outcome is Outcome.CORRECT  # alone: fine
    slow = [rf"\boxed{{(10^{{8}}+{k})!}}" for k in range(12)]
    try:
        verdicts = check_batch([*slow, NORMAL[0]], ["1"] * len(slow) + [NORMAL[1]], timeout=TIMEOUT)
        assert all(v.outcome is Outcome.TIMEOUT for v in verdicts[:-1])
        assert verdicts[-1].outcome is Outcome.CORRECT, verdicts[-1].explain()
    finally:
        _drain()
