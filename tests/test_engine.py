"""The engine: slow work declared through the protocol runs concurrently in a batch's slow phase."""

from __future__ import annotations

import threading
import time

import pytest

from rlvr_rewards import Deferred, Outcome, Verifier, check, check_batch
from rlvr_rewards.config import DEFAULT_CONFIG
from rlvr_rewards.engine import run_batch
from rlvr_rewards.verdict import Decision
from rlvr_rewards.verifiers.compose import Cascade


class _Meeting:
    """Slow work that can only finish when ``n`` calls are in flight at the same time."""

    def __init__(self, n: int) -> None:
        self.barrier = threading.Barrier(n, timeout=30)
        self.lock = threading.Lock()
        self.calls = 0
        self.threads: set[str] = set()

    def __call__(self, sample) -> Decision:
        with self.lock:
            self.calls += 1
            self.threads.add(threading.current_thread().name)
        self.barrier.wait()  # raises BrokenBarrierError if the calls run one after another
        ok = sample.extraction.answer == sample.gold
        return Decision(Outcome.CORRECT if ok else Outcome.INCORRECT, float(ok))


class SlowFlag(Verifier):
    name = "slow_flag_test"
    slow = True

    def __init__(self, meeting: _Meeting) -> None:
        self.meeting = meeting

    def decide(self, sample):
        return self.meeting(sample)


class ReturnsDeferred(Verifier):
    name = "deferred_test"

    def __init__(self, meeting: _Meeting) -> None:
        self.meeting = meeting
        self.cheap = 0

    def decide(self, sample):
        self.cheap += 1
        return Deferred(self.meeting, sample)


COMPLETIONS = [r"\boxed{1}", r"\boxed{2}", r"\boxed{3}", r"\boxed{5}"]
GOLDS = ["1", "2", "3", "4"]


@pytest.mark.parametrize("kind", [SlowFlag, ReturnsDeferred])
def test_declared_slow_work_of_a_batch_runs_concurrently(kind):
    meeting = _Meeting(2)  # two workers: pairs of items must be in flight together
    v = kind(meeting)
    verdicts = run_batch(v, COMPLETIONS, GOLDS, DEFAULT_CONFIG, workers=2)
    assert [x.outcome for x in verdicts] == [Outcome.CORRECT] * 3 + [Outcome.INCORRECT]
    assert meeting.calls == 4 and not meeting.barrier.broken
    assert all(name.startswith("rlvr-batch") for name in meeting.threads)


def test_check_runs_deferred_work_at_once():
    v = ReturnsDeferred(_Meeting(1))
    assert check(r"\boxed{7}", "7", verifier=v).outcome is Outcome.CORRECT
    assert v.cheap == 1


def test_prefetch_runs_in_the_fast_phase_and_the_result_in_the_slow_phase():
    events: list[str] = []

    class Prefetching(Verifier):
        name = "prefetch_test"

        def decide(self, sample):
            return Deferred(lambda: (events.append("collect"), Decision(Outcome.CORRECT, 1.0))[1],
                            prefetch=lambda: events.append("prefetch"))

    verdicts = run_batch(Prefetching(), ["a", "b"], ["x", "y"], DEFAULT_CONFIG, workers=1, dedupe=False)
    assert [x.outcome for x in verdicts] == [Outcome.CORRECT, Outcome.CORRECT]
    assert events[:2] == ["prefetch", "prefetch"] and events.count("collect") == 2


def test_a_cascade_waits_for_a_slow_tier_before_later_tiers():
    seen: list[str] = []

    class Later(Verifier):
        name = "later_test"

        def decide(self, sample):
            seen.append(sample.completion)
            return Decision(Outcome.CORRECT, 1.0)

    cascade = Cascade([SlowFlag(_Meeting(1)), Later()])
    verdicts = run_batch(cascade, [r"\boxed{5}"], ["4"], DEFAULT_CONFIG, workers=1)
    # the slow tier ran first (incorrect is decisive), so the later tier was never asked
    assert verdicts[0].outcome is Outcome.INCORRECT and seen == []


def test_slow_phase_deadline_is_per_item():
    deadlines: list[float] = []

    class Reads(Verifier):
        name = "deadline_test"
        slow = True

        def decide(self, sample):
            deadlines.append(sample.time_left())
            return Decision(Outcome.CORRECT, 1.0)

    cfg = DEFAULT_CONFIG.replace(timeout=3.0)
    t0 = time.monotonic()
    run_batch(Reads(), ["a", "b", "c"], ["x", "y", "z"], cfg, workers=1, dedupe=False)
    assert len(deadlines) == 3 and all(0 < d <= 3.0 for d in deadlines)
    assert time.monotonic() - t0 < 60  # sanity only: no speed assumption


def test_batch_and_check_agree_and_sample_inputs_are_read_only():
    from rlvr_rewards import Sample

    assert [v.score for v in check_batch(COMPLETIONS, GOLDS)] == [check(c, g).score for c, g in zip(COMPLETIONS, GOLDS)]
    s = Sample(r"\boxed{1}", "1")
    with pytest.raises(AttributeError):
        s.completion = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.gold = "2"  # type: ignore[misc]


def test_language_variant_rebuilds_inside_a_product():
    """code_format inside a product (a ±1 spec) checks the sample's language too."""
    from rlvr_rewards import build
    from rlvr_rewards.shaping.groups import with_language

    v = build("2*format*code_format - 1")
    w = with_language(v, "python")
    product = w.parts[0][1]
    assert [getattr(f, "language", None) for f in product.verifiers][1] == "python"
    assert w.constant == v.constant and w.name == v.name


def test_make_verdict_is_the_dataclass_constructor():
    """The engine's fast constructor fills the same fields, in the dataclass's field order."""
    import dataclasses

    from rlvr_rewards.verdict import Verdict, make_verdict

    assert tuple(f.name for f in dataclasses.fields(Verdict)) == Verdict.__slots__
    args = (Outcome.INCORRECT, 0.25, "numeric", "3.1", "3.14", 0.5, "why", {"a": 1.0})
    assert make_verdict(*args) == Verdict(*args)
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_verdict(*args).score = 1.0  # type: ignore[misc]


def test_workers_warmup_starts_the_pool_with_the_tiers_preloads():
    """rlvr_rewards.workers.warmup() loads the verifiers first, so the pool it starts is warm for
    the symbolic tier (not restarted at its first call)."""
    code = (
        "import rlvr_rewards.workers as w, rlvr_rewards.guard as g\n"
        "w.warmup()\n"
        "print(g.get_pool().warm, 'rlvr_rewards.verifiers.symbolic:warm_worker' in g.preloads())\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["True", "True"], out.stderr[-2000:]
