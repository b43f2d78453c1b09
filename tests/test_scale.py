"""The Ray backend (skipped cleanly when ray is not installed) and the parsed-value caches."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import check, check_batch
from rlvr_rewards.parsing.gold import _parse_gold_str, _parse_gold_text
from rlvr_rewards.parsing.values import _parse_cached
from rlvr_rewards.verifiers.latex import _parsed

COMPLETIONS = [
    r"... so the answer is \boxed{42}.", r"\boxed{41}", r"\boxed{\frac{84}{2}}", "The answer is 42.0",
    r"\boxed{42} or \boxed{43}", "no answer here, just rambling on and on about nothing at all", r"\boxed{(10^{8})!}",
    r"<think>hmm</think><answer>B</answer>",
]
GOLDS = ["42", "42", "42", "42", "42", "42", "1", "B"]


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_backend_matches_local(ray_local):
    local = check_batch(COMPLETIONS * 20, GOLDS * 20, timeout=1.0)
    remote = check_batch(COMPLETIONS * 20, GOLDS * 20, timeout=1.0, backend="ray")
    assert [v.outcome for v in remote] == [v.outcome for v in local]
    assert [v.score for v in remote] == [v.score for v in local]


@pytest.mark.slow
def test_cli_score_ray_backend(ray_local, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"completion": c, "gold": g}) + "\n" for c, g in zip(COMPLETIONS, GOLDS)))
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_rewards", "score", str(src), "-o", str(out), "--backend", "ray", "--timeout", "1", "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["outcome"] for r in rows] == [check(c, g, timeout=1.0).outcome.value for c, g in zip(COMPLETIONS, GOLDS)]


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="backend"):
        check_batch(["1"], ["1"], backend="spark")


answers = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.tuples(st.integers(-50, 50), st.integers(1, 50)).map(lambda t: rf"\frac{{{t[0]}}}{{{t[1]}}}"),
    st.sampled_from([r"\sqrt{2}", r"\frac{\pi}{2}", "x^2+1", r"(1,2)", r"\{1,2\}", "B", r"3 \pm 1", "4210_5", r"\text{yes}"]),
)


@settings(max_examples=150, deadline=None)
@given(answers, answers)
def test_cached_gold_gives_the_same_verdict_as_uncached(pred, gold):
    completion = rf"\boxed{{{pred}}}"
    for cache in (_parse_cached, _parse_gold_text, _parse_gold_str, _parsed):
        cache.cache_clear()
    cold = check(completion, gold, timeout=2.0)
    warm = check(completion, gold, timeout=2.0)  # every cache now holds this gold and answer
    batch = check_batch([completion, completion], [gold, gold], timeout=2.0)
    assert cold.outcome is warm.outcome is batch[0].outcome is batch[1].outcome
    assert cold.score == warm.score


_digits = st.text("0123456789", min_size=1, max_size=12)
fast_shapes = st.one_of(
    st.tuples(st.sampled_from(["", "-"]), _digits, st.one_of(st.none(), _digits)).map(
        lambda t: t[0] + t[1] + ("." + t[2] if t[2] is not None else "")
    ),
    st.tuples(st.sampled_from(["", "-"]), st.sampled_from(["", "-"]), _digits, _digits).map(
        lambda t: rf"{t[0]}\frac{{{t[1]}{t[2]}}}{{{t[3]}}}"
    ),
    st.text("0123456789.-+ \\frac{}", max_size=16),  # near misses the fast path must pass on
)


@settings(max_examples=400, deadline=None)
@given(fast_shapes, st.sampled_from(["", " ", "\n"]))
def test_fast_parse_path_equals_the_general_parser(text, pad):
    """Plain numbers and \\frac{a}{b} skip normalisation; the result must be what it would give."""
    from rlvr_rewards.parsing.values import _parse_fast, _parse_general

    fast = _parse_fast(pad + text + pad)
    if fast is not None:
        assert fast == _parse_general(pad + text + pad, 0)
