"""Shaping rewards through every adapter: a composed spec returns the weighted sum of its parts
(issue 8), with token ids counted where the trainer supplies them."""

from __future__ import annotations

import pytest

from rlvr_rewards import check
from rlvr_rewards.shaping import CosineLength

SPEC = "accuracy + 0.1*format + 0.5*cosine + repetition + overlong + tag_count"
COMPLETIONS = [
    "<think>\nSeven sixes: 6+6+6+6+6+6+6 = 42.\n</think>\n<answer>\n42\n</answer>",  # right, R1 layout
    "<think>\nI think 7*6 = 36.\n</think>\n<answer>\n36\n</answer>",  # wrong
    r"It is \boxed{42} or \boxed{43}, hmm hmm hmm hmm hmm hmm.",  # hedge, repetitive
    "The answer is 42.",  # right, no tags
]
GOLD = "42"


def _expected(completion: str, token_ids: list[int] | None = None) -> float:
    v = check(completion, GOLD, verifier=SPEC, token_ids=token_ids)
    p = v.parts
    total = p["accuracy"] + 0.1 * p["format"] + 0.5 * p["cosine"] + p["repetition"] + p["overlong"] + p["tag_count"]
    assert v.score == pytest.approx(total)
    return total


def test_check_parts_cover_each_component():
    v = check(COMPLETIONS[0], GOLD, verifier=SPEC, token_ids=list(range(200)))
    assert set(v.parts) == {"accuracy", "format", "cosine", "repetition", "overlong", "tag_count"}
    assert v.parts["cosine"] == pytest.approx(CosineLength().value(True, 200))


def test_trl_make_reward_weighted_sum_with_completion_ids():
    from rlvr_rewards.integrations.trl import cosine_reward, make_reward

    ids = [list(range(50 * (i + 1))) for i in range(len(COMPLETIONS))]
    fn = make_reward(SPEC)
    out = fn(prompts=["q"] * 4, completions=COMPLETIONS, completion_ids=ids, solution=[GOLD] * 4)
    assert out == pytest.approx([_expected(c, t) for c, t in zip(COMPLETIONS, ids)])
    cos = cosine_reward(prompts=["q"] * 4, completions=COMPLETIONS, completion_ids=ids, solution=[GOLD] * 4)
    assert cos[0] == pytest.approx(CosineLength().value(True, 50))


def test_swift_orm_weighted_sum_with_response_token_ids():
    from rlvr_rewards.integrations.swift import orm_class

    cls = orm_class("rlvr_shaped_test", SPEC, base=object)
    ids = [list(range(40 * (i + 1))) for i in range(len(COMPLETIONS))]
    out = cls()(COMPLETIONS, solution=[GOLD] * 4, response_token_ids=ids)
    assert out == pytest.approx([_expected(c, t) for c, t in zip(COMPLETIONS, ids)])


def test_verl_spec_selection_weighted_sum():
    from rlvr_rewards.integrations.verl import compute_score

    for c in COMPLETIONS:
        out = compute_score("openai/gsm8k", c, GOLD, extra_info={"verifier": SPEC})
        assert out["score"] == pytest.approx(_expected(c))


def test_openrlhf_spec_weighted_sum():
    from rlvr_rewards.integrations.openrlhf import make_reward_func

    fn = make_reward_func(SPEC)
    prompts = ["<|im_start|>user\nWhat is 7*6?<|im_end|>\n<|im_start|>assistant\n"] * 4
    out = fn([p + c for p, c in zip(prompts, COMPLETIONS)], prompts, [GOLD] * 4)
    rewards = out["rewards"].tolist() if hasattr(out["rewards"], "tolist") else list(out["rewards"])
    assert rewards == pytest.approx([_expected(c) for c in COMPLETIONS], rel=1e-6)
