"""Group-relative advantages for GRPO and its variants (NumPy only, no torch needed).

Conventions, checked against the released code:

- ``"grpo"`` — veRL 0.9.1 ``compute_grpo_outcome_advantage``: ``(r - mean_g) / (std_g + eps)``
  with ``std_g`` the **unbiased** (Bessel, ``torch.std``) standard deviation of the group and
  ``eps = 1e-6``; a group of size 1 gets mean 0 and std 1 (its advantage is ``r / (1 + eps)``).
  A zero-variance group (rewards equal within ``ZERO_VARIANCE_ATOL`` = 1e-9) gets advantage
  exactly 0 (veRL gives ≤ 1e-9 / 1e-6 there; the flag and the advantage agree here).
- ``"drgrpo"`` — Dr. GRPO (veRL ``norm_adv_by_std_in_grpo=False``, TRL ``scale_rewards="none"``):
  ``r - mean_g``, no std (size-1 groups: veRL's mean 0, so the advantage is ``r``).
- ``"batch"`` — TRL 1.16 ``scale_rewards="batch"``: ``(r - mean_g) / (std_batch + 1e-4)`` with the
  unbiased std over the whole batch (TRL's ``nanstd``). ``eps`` defaults to TRL's ``1e-4`` here.
- ``"trl_group"`` — TRL ``scale_rewards="group"``: like ``"grpo"`` but with TRL's ``eps = 1e-4``.

``None`` / NaN rewards (bad golds) are left out of group statistics and get advantage 0, as TRL
does for unscorable completions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

MODES = ("grpo", "drgrpo", "batch", "trl_group")
ZERO_VARIANCE_ATOL = 1e-9
DEFAULT_EPS = {"grpo": 1e-6, "drgrpo": 0.0, "batch": 1e-4, "trl_group": 1e-4}


def _as_array(rewards: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if r is None else float(r) for r in rewards], dtype=np.float64)


def _groups(groups: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    idx: dict[Hashable, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        idx[g].append(i)
    return idx


def _std(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(np.std(x, ddof=1)) if x.size > 1 else float("nan")


def group_advantages(
    rewards: Sequence[float | None],
    groups: Sequence[Hashable],
    mode: str = "grpo",
    epsilon: float | None = None,
) -> np.ndarray:
    """One advantage per sample; ``groups[i]`` is sample ``i``'s prompt id. See the module doc."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
    r = _as_array(rewards)
    if len(groups) != r.size:
        raise ValueError(f"{r.size} rewards but {len(groups)} group ids")
    eps = DEFAULT_EPS[mode] if epsilon is None else float(epsilon)
    adv = np.zeros_like(r)
    batch_std = _std(r) if mode == "batch" else None
    for idx in _groups(groups).values():
        g = r[idx]
        ok = ~np.isnan(g)
        vals = g[ok]
        if vals.size == 0 or (vals.size > 1 and np.ptp(vals) <= ZERO_VARIANCE_ATOL):
            continue  # no usable reward, or a zero-variance group: advantage exactly 0
        if vals.size == 1 and mode in ("grpo", "drgrpo"):
            mean, std = 0.0, 1.0  # veRL: a singleton group is not centred
        else:
            mean = float(vals.mean())
            std = float(np.std(vals, ddof=1)) if vals.size > 1 else 0.0
        a = vals - mean
        if mode in ("grpo", "trl_group"):
            a = a / (std + eps)
        elif mode == "batch":
            a = a / ((batch_std if batch_std == batch_std else 0.0) + eps)
        out = np.zeros(len(idx))
        out[ok] = a
        adv[idx] = out
    return adv


def zero_variance_groups(rewards: Sequence[float | None], groups: Sequence[Hashable], atol: float = ZERO_VARIANCE_ATOL) -> dict[Hashable, bool]:
    """``{group: True}`` where every usable reward in the group is equal (no learning signal)."""
    r = _as_array(rewards)
    out = {}
    for g, idx in _groups(groups).items():
        vals = r[idx]
        vals = vals[~np.isnan(vals)]
        out[g] = bool(vals.size == 0 or np.ptp(vals) <= atol)
    return out


def dapo_filter(rewards: Sequence[float | None], groups: Sequence[Hashable]) -> np.ndarray:
    """DAPO dynamic sampling: a boolean mask keeping samples of groups that are neither all
    correct nor all wrong (non-zero reward variance)."""
    zv = zero_variance_groups(rewards, groups)
    return np.array([not zv[g] for g in groups], dtype=bool)


def curriculum(rewards: Sequence[float | None], groups: Sequence[Hashable]) -> list[Hashable]:
    """Prompt ids (in first-seen order) whose groups have non-zero reward variance: the prompts
    worth training on next (neither solved every time nor never)."""
    zv = zero_variance_groups(rewards, groups)
    return [g for g in zv if not zv[g]]


def advantage_table(rewards: Sequence[float | None], groups: Sequence[Hashable], epsilon: float | None = None) -> dict[str, Any]:
    """Every mode's advantages plus the zero-variance flags, as plain lists (for reports/JSON)."""
    zv = zero_variance_groups(rewards, groups)
    return {
        **{m: group_advantages(rewards, groups, m, epsilon).tolist() for m in MODES},
        "zero_variance": [zv[g] for g in groups],
        "zero_variance_share": (sum(zv.values()) / len(zv)) if zv else 0.0,
    }
