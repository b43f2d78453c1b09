"""Advantages against hand-computed values (veRL 0.9.1 / TRL 1.16 conventions) and properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards.vlm.advantages import (
    advantage_table,
    curriculum,
    dapo_filter,
    group_advantages,
    zero_variance_groups,
)


def test_grpo_matches_verl_by_hand():
    # group a: [1, 0, 0, 0] -> mean .25, unbiased std sqrt((.5625 + 3 * .0625) / 3) = .5
    r = [1, 0, 0, 0, 1, 1]
    g = ["a", "a", "a", "a", "b", "b"]
    adv = group_advantages(r, g, "grpo")
    assert adv[:4] == pytest.approx([0.75 / (0.5 + 1e-6), -0.25 / (0.5 + 1e-6), -0.25 / (0.5 + 1e-6), -0.25 / (0.5 + 1e-6)], abs=1e-12)
    assert adv[4:].tolist() == [0.0, 0.0]  # zero-variance group


def test_singleton_group_is_verl_mean0_std1():
    assert group_advantages([1.0], ["x"], "grpo")[0] == pytest.approx(1 / (1 + 1e-6))
    assert group_advantages([0.5], ["x"], "drgrpo")[0] == 0.5


def test_drgrpo_no_std():
    assert group_advantages([1, 0, 0, 1], [0, 0, 0, 0], "drgrpo").tolist() == [0.5, -0.5, -0.5, 0.5]


def test_batch_scaling_matches_trl_by_hand():
    r = [1, 0, 1, 1]
    g = [0, 0, 1, 1]
    std = float(np.std(r, ddof=1))  # TRL nanstd: Bessel-corrected, whole batch
    assert std == pytest.approx(0.5)
    adv = group_advantages(r, g, "batch")
    assert adv.tolist() == pytest.approx([0.5 / (0.5 + 1e-4), -0.5 / (0.5 + 1e-4), 0.0, 0.0])


def test_trl_group_eps_and_custom_eps():
    adv = group_advantages([1, 0], [0, 0], "trl_group")
    assert adv[0] == pytest.approx(0.5 / (math.sqrt(0.5) + 1e-4))
    assert group_advantages([1, 0], [0, 0], "grpo", epsilon=0.0)[0] == pytest.approx(0.5 / math.sqrt(0.5))


def test_none_rewards_excluded_and_zero():
    adv = group_advantages([1, None, 0], [0, 0, 0], "grpo")
    assert adv[1] == 0.0 and adv[0] == pytest.approx(0.5 / (math.sqrt(0.5) + 1e-6))


def test_flags_dapo_curriculum():
    r = [1, 1, 0, 1, 0, 0]
    g = ["p", "p", "q", "q", "r", "r"]
    assert zero_variance_groups(r, g) == {"p": True, "q": False, "r": True}
    assert dapo_filter(r, g).tolist() == [False, False, True, True, False, False]
    assert curriculum(r, g) == ["q"]
    t = advantage_table(r, g)
    assert t["zero_variance_share"] == pytest.approx(2 / 3) and len(t["grpo"]) == 6


def test_errors():
    with pytest.raises(ValueError):
        group_advantages([1], [0, 1])
    with pytest.raises(ValueError):
        group_advantages([1], [0], "ppo")


groups_st = st.lists(
    st.tuples(st.integers(0, 5), st.floats(-5, 5, allow_nan=False, width=32)), min_size=1, max_size=40
)


@settings(max_examples=200, deadline=None)
@given(groups_st, st.sampled_from(["grpo", "drgrpo", "batch", "trl_group"]))
def test_zero_mean_per_group_and_zero_variance_gives_zero(items, mode):
    g = [i for i, _ in items]
    r = [float(x) for _, x in items]
    adv = group_advantages(r, g, mode)
    zv = zero_variance_groups(r, g)
    for gid in set(g):
        idx = [i for i, x in enumerate(g) if x == gid]
        if len(idx) > 1:
            assert abs(adv[idx].mean()) < 1e-6 * max(1.0, np.abs(adv[idx]).max())
        if zv[gid] and len(idx) > 1:
            assert np.all(adv[idx] == 0)
    assert np.all(np.isfinite(adv))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0]), min_size=2, max_size=16))
def test_binary_rewards_sign(rs):
    adv = group_advantages(rs, [0] * len(rs), "grpo")
    for r, a in zip(rs, adv):
        if len(set(rs)) > 1:
            assert (a > 0) == (r == 1.0)
