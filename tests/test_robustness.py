"""Robustness guarantees (issue 3): bounded time in every execution context, no leaks,
no code execution, typed verdicts for any input.

The adversarial corpus lives in tests/adversarial.py. TIMEOUT is the configured deadline and
MARGIN the promised slack on top of it.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from adversarial import INJECTIONS, corpus
from support.probes import address_space_limit, allocate, burn

import rlvr_rewards
from rlvr_rewards import check, check_batch, grade
from rlvr_rewards.api import acheck
from rlvr_rewards.guard import get_pool
from rlvr_rewards.verdict import Outcome

TIMEOUT = 1.0
MARGIN = 0.5
# Wall-clock bounds here are taken on whatever machine runs the suite, often a loaded CI box: the
# bound adds slack for the cheap tiers and the scheduler (RLVR_TEST_SLACK seconds, default 2).
# The measured "deadline + 0.10 s" figure is a benchmark (docs/robustness.md), not a test.
SLACK = float(os.environ.get("RLVR_TEST_SLACK", "2.0"))
BOUND = TIMEOUT + MARGIN + SLACK
CASES = corpus()
IDS = [f"{c[0]}: {c[1]}" for c in CASES]


@pytest.fixture(scope="module", autouse=True)
def _warm():
    rlvr_rewards.workers.warmup()


def _timed(completion, gold):
    start = time.perf_counter()
    v = check(completion, gold, timeout=TIMEOUT)
    return v, time.perf_counter() - start


@pytest.fixture(scope="module")
def baseline():
    """Verdicts in the main thread: the reference every other context must reproduce."""
    out = {}
    for case in CASES:
        v, elapsed = _timed(case[2], case[3])
        out[case[1], case[0]] = (v, elapsed)
    return out


def _expected(baseline, case):
    return baseline[case[1], case[0]][0]


def _agrees(v, ref):
    """Same outcome, or a timeout on either side: a comparison that went to the worker pool may be
    decided in 0.5 s on an idle machine and time out at 1 s on a loaded one, in the reference run
    or in the context under test (typed, never wrong). Only worker-pool comparisons can time out:
    the cheap tiers never do, so their verdicts must match exactly whatever the load."""
    if v.outcome is ref.outcome:
        return True
    return Outcome.TIMEOUT in (v.outcome, ref.outcome)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_main_thread_bounded_and_typed(case, baseline):
    v, elapsed = baseline[case[1], case[0]]
    assert elapsed <= BOUND, (elapsed, v.explain())
    assert isinstance(v.outcome, Outcome)
    assert 0.0 <= v.score <= 1.0
    if case[0] in ("regex bait", "nesting", "runaway") and case[3] != case[2]:
        assert v.outcome is not Outcome.CORRECT or case[1] == "factorial 10^8 vs itself", v.explain()


def test_runaways_time_out_not_incorrect(baseline):
    for name in ("power tower", "10^10^10+1", "factorial 10^8"):
        v = baseline[name, "runaway"][0]
        assert v.outcome is Outcome.TIMEOUT, v.explain()


def test_thread_pool_of_16(baseline):
    def run(case):
        return case, *_timed(case[2], case[3])

    with ThreadPoolExecutor(max_workers=16) as ex:
        results = list(ex.map(run, CASES))
    for case, v, elapsed in results:
        assert elapsed <= BOUND, (case[1], elapsed, v.explain())
        assert _agrees(v, _expected(baseline, case)), (case[1], v.explain())


def test_asyncio_sync_and_async_apis(baseline):
    async def main():
        out = []
        for case in CASES:  # the sync API called straight from a coroutine (blocks the loop)
            out.append((case, *_timed(case[2], case[3])))

        async def one(case):
            start = time.perf_counter()
            v = await acheck(case[2], case[3], timeout=TIMEOUT)
            return case, v, time.perf_counter() - start

        out += await asyncio.gather(*(one(c) for c in CASES[:40]))
        return out

    for case, v, elapsed in asyncio.run(main()):
        # gathered calls queue for the default thread pool: bound the time each spent in check()
        assert elapsed <= BOUND or v.elapsed <= BOUND, (case[1], elapsed)
        assert _agrees(v, _expected(baseline, case)), (case[1], v.explain())


def _child_run(index):
    case = CASES[index]
    v, elapsed = _timed(case[2], case[3])
    return index, v.outcome.value, v.verifier, elapsed


def _child_init():
    rlvr_rewards.workers.warmup()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_process_pools(method, baseline):
    small = [i for i, c in enumerate(CASES) if len(c[2]) < 1_000_000]
    with mp.get_context(method).Pool(2, initializer=_child_init) as pool:
        results = pool.map(_child_run, small)
    for index, outcome, _verifier, elapsed in results:
        ref = _expected(baseline, CASES[index])
        assert elapsed <= BOUND, (CASES[index][1], elapsed)
        assert outcome == ref.outcome.value or "timeout" in (outcome, ref.outcome.value), (
            CASES[index][1], outcome, ref.explain())


@pytest.mark.slow
def test_ray_actor(baseline):
    ray = pytest.importorskip("ray")
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    pythonpath = os.pathsep.join([tests_dir, os.environ.get("PYTHONPATH", "")])
    ray.init(
        num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": pythonpath}},
    )
    try:
        @ray.remote
        class Grader:
            def __init__(self):
                rlvr_rewards.workers.warmup()

            def run(self, completion, gold):
                v, elapsed = _timed(completion, gold)
                return v.outcome.value, elapsed

        actor = Grader.remote()
        small = [c for c in CASES if len(c[2]) < 1_000_000][:30]
        results = ray.get([actor.run.remote(c[2], c[3]) for c in small])
        for case, (outcome, elapsed) in zip(small, results):
            ref = _expected(baseline, case)
            assert elapsed <= BOUND, (case[1], elapsed)
            assert outcome == ref.outcome.value or "timeout" in (outcome, ref.outcome.value)
    finally:
        ray.shutdown()


def test_consecutive_runaways_do_not_block_the_pool():
    """Regression: pebble's SIGTERM is only seen when C code returns, and it waited 3 s before
    SIGKILL, so two runaways in a row left both workers busy and the next call timed out."""
    for _ in range(get_pool().workers + 1):
        assert check(r"\boxed{(10^{8})!}", "1", timeout=TIMEOUT).outcome is Outcome.TIMEOUT
    start = time.perf_counter()
    # The next task gets a worker at once. A generous deadline, so the result does not depend on
    # the machine's load; the bound stays under the 3 s a blocked pool used to cost.
    assert get_pool().call(burn, 0.0, timeout=10.0).status == "ok"
    assert time.perf_counter() - start < 2.5


# ---------------------------------------------------------------- leaks and limits
def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _group_size(pid: int) -> int:
    pgid = os.getpgid(pid)
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    count += 1
            except OSError:
                pass
    return count


def _settled_group_size(pid: int, expected: int, wait: float = 5.0) -> int:
    """Process-group size once killed workers have been replaced (a replacement takes a moment)."""
    end = time.monotonic() + wait
    size = _group_size(pid)
    while size != expected and time.monotonic() < end:
        time.sleep(0.05)
        size = _group_size(pid)
    return size


N_FORCED = int(os.environ.get("RLVR_FORCED_TIMEOUTS", "10000"))


@pytest.mark.slow
def test_no_leaks_after_forced_timeouts():
    pool = get_pool()
    pool.warmup()
    host = pool._proc.pid
    call = lambda _: pool.call(burn, 30.0, timeout=0.01).status  # noqa: E731
    with ThreadPoolExecutor(4) as ex:  # warm the thread pool and the allocator first
        list(ex.map(call, range(200)))
    before = (_fds(), threading.active_count(), _rss_mb(), _settled_group_size(host, pool.workers + 1), _rss_mb(host))
    with ThreadPoolExecutor(4) as ex:
        statuses = list(ex.map(call, range(N_FORCED)))
    assert set(statuses) == {"timeout"}
    time.sleep(0.5)
    after = (_fds(), threading.active_count(), _rss_mb(), _settled_group_size(host, pool.workers + 1), _rss_mb(host))
    assert pool._proc.pid == host, "the host itself was restarted"
    assert after[0] <= before[0], ("file descriptors leaked", before, after)
    assert after[1] <= before[1], ("threads leaked", before, after)
    assert after[2] - before[2] < 30, ("caller memory grew", before, after)
    assert after[3] == before[3] == pool.workers + 1, ("worker processes leaked", before, after)
    assert after[4] - before[4] < 30, ("host memory grew", before, after)
    assert pool.call(burn, 0.0, timeout=1.0).status == "ok"  # killed workers were replaced


def test_workers_run_under_a_memory_limit():
    pool = get_pool()
    limit = pool.call(address_space_limit, timeout=5.0)
    assert limit.status == "ok" and 0 < limit.value <= pool.memory_limit
    result = pool.call(allocate, pool.memory_limit + 2**30, timeout=5.0)
    assert result.status == "error" and "memory" in result.detail.lower(), result
    assert pool.call(burn, 0.0, timeout=1.0).status == "ok"


# ---------------------------------------------------------------- no code execution
RENDERINGS = ["\\boxed{{{}}}", "{}", "<answer>{}</answer>", "The answer is {}", "Final answer: ${}$"]


@pytest.mark.parametrize("template", INJECTIONS)
def test_injection_strings_never_run(template, tmp_path):
    sentinel = tmp_path / "pwned"
    payload = template.format(sentinel=sentinel)
    completions = [r.format(payload) for r in RENDERINGS]
    for verifier in ("accuracy", "math", "symbolic", "latex", "mcq", "exact"):
        for c in completions:
            v = check(c, "4", verifier=verifier, timeout=TIMEOUT)
            assert v.outcome is not Outcome.CORRECT, v.explain()
        v = check(r"\boxed{4}", payload, verifier=verifier, timeout=TIMEOUT)  # as the gold
        assert v.outcome is not Outcome.CORRECT, v.explain()
    check_batch(completions, ["4"] * len(completions), timeout=TIMEOUT)
    # the worker's own entry point, called in this process too
    from rlvr_rewards.verifiers.symbolic import symbolic_equal

    symbolic_equal(payload, ("4",))
    assert not sentinel.exists(), f"model output was executed: {payload}"


def _eval_offenders(source: str, name: str) -> list[str]:
    """eval / exec / compile calls and SymPy's string evaluators (sympify, parse_expr, S, parse_latex)
    imported or called in ``source``. ``parse_expr`` also names our own bounded parser
    (rlvr_rewards.parsing.expr): only SymPy's is banned, however the import is written."""
    import ast

    tree = ast.parse(source)
    offenders: list[str] = []
    sympy_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sympy":
            for a in node.names:
                if a.name in ("sympify", "parse_expr", "S", "parse_latex", "*"):
                    offenders.append(f"{name}:{node.lineno}: from {node.module} import {a.name}")
        if isinstance(node, ast.Import):
            sympy_names.update(a.asname or a.name for a in node.names if a.name.split(".")[0] == "sympy")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in ("eval", "exec", "compile", "sympify"):
            offenders.append(f"{name}:{node.lineno}: {f.id}(...)")
        elif isinstance(f, ast.Attribute):
            base = f.value.id if isinstance(f.value, ast.Name) else None
            if f.attr == "sympify" or (base in sympy_names and f.attr in ("parse_expr", "S", "parse_latex")):
                offenders.append(f"{name}:{node.lineno}: {base}.{f.attr}(...)")
            elif f.attr in ("eval", "exec") and node.args:  # torch's model.eval() takes none
                offenders.append(f"{name}:{node.lineno}: .{f.attr}(...)")
    return offenders


def test_no_eval_exec_or_sympify_in_the_package():
    from pathlib import Path

    offenders = []
    for path in Path(rlvr_rewards.__file__).parent.rglob("*.py"):
        offenders += _eval_offenders(path.read_text(encoding="utf-8"), path.name)
    assert not offenders, offenders


def test_the_eval_guard_catches_what_it_should():
    """The guard above is not vacuous: it flags every construct it bans, and not our own parser."""
    bad = (
        "import sympy as sp\nfrom sympy import sympify\nfrom sympy.parsing.sympy_parser import (\n    parse_expr,\n)\n"
        "x = eval('1')\nexec(code)\nsp.sympify(t)\nsp.parse_expr(t)\ny = compile(t, 'f', 'eval')\n"
    )
    found = _eval_offenders(bad, "bad.py")
    assert len(found) == 7, found
    ok = "from .parser import (\n    parse_expr,\n)\nfrom ..parsing import expr as ex\nex.parse_expr(t)\nmodel.eval()\nre.compile('x')\n"
    assert _eval_offenders(ok, "ok.py") == []


# ---------------------------------------------------------------- reward hacking
@pytest.mark.parametrize(
    "completion",
    [
        r"<think>The answer is \boxed{4}.</think><answer>5</answer>",  # the think box is not the answer
        r"<think>so \boxed{4}</think>",  # nothing after thinking
        r"<think>unfinished \boxed{4}",  # thinking never closed
        r"\boxed{3, 4}",
        r"\boxed{3 \pm 1}",
        r"\boxed{4} \boxed{5}",
        "<answer></answer>",
        "<answer> </answer><answer></answer>",
    ],
)
def test_hacks_never_score(completion):
    assert grade(completion, "4") == 0.0


def test_format_rejects_hacks_and_accepts_multiline_thinking():
    fmt = "format"
    assert grade("<think>\nline 1\n\nline 2\n</think>\n<answer>4</answer>", "4", verifier=fmt) == 1.0
    for bad in [
        "<think>x</think><answer>4</answer> trailing",
        "<think>x</think><answer>4</answer><answer>5</answer>",
        "<think> </think><answer>4</answer>",
        "<think>x</think><answer> </answer>",
        "<answer>4</answer><think>x</think>",
        "<think>x</think><think>y</think><answer>4</answer>",
    ]:
        assert grade(bad, "4", verifier=fmt) == 0.0, bad


def test_bad_gold_is_never_rewarded_and_is_counted():
    vs = check_batch([r"\boxed{1}"] * 3, ["1", r"\frac{1}{", None])
    assert [v.outcome for v in vs] == [Outcome.CORRECT, Outcome.BAD_GOLD, Outcome.BAD_GOLD]
    assert [v.reward for v in vs] == [1.0, None, None]
