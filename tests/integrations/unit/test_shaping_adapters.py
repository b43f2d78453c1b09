"""Shaping rewards through every adapter: a composed spec returns the weighted sum of its parts
(issue 8), with token ids counted where the trainer supplies them."""

from __future__ import annotations

import pickle

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


# ================================================================ issue 17: the new rewards by name
NEW_SPECS = ("think_format", "length", "reasoning_steps", "code_format", "overlong_linear", "repetition_words", "repetition_chars")
CODE = "<think>\nplan\n</think>\n<answer>\n```{lang}\nx = 1\n```\n</answer>"
GROUPED = [r"\boxed{7}", r"so it is \boxed{7}", r"\boxed{3}", r"so it is \boxed{3}"]  # two prompts, two each
GROUPED_GOLDS = ["7", "7", "3", "3"]
PER_GROUP = [0.5, -0.5, 0.5, -0.5]


def test_trl_ready_callables_for_the_new_rewards():
    from rlvr_rewards.integrations import trl

    pairs = {
        "think_format_reward": "think_format", "length_reward": "length", "reasoning_steps_reward": "reasoning_steps",
        "code_format_reward": "code_format", "overlong_linear_reward": "overlong_linear",
    }
    for attr, spec in pairs.items():
        fn = getattr(trl, attr)
        assert fn.__name__ == attr and fn.verifier == spec
        assert pickle.loads(pickle.dumps(fn)).__name__ == attr
    # TRL's think_format_reward docstring example
    completions = [
        [{"role": "assistant", "content": "<think>\nThis is my reasoning.\n</think>\nThis is my answer."}],
        [{"role": "assistant", "content": "<think>\nThis is my reasoning.\nThis is my answer."}],
    ]
    assert trl.think_format_reward(prompts=["q", "q"], completions=completions) == [1.0, 0.0]
    for spec in NEW_SPECS:
        assert trl.make_reward(spec)(prompts=["q"], completions=[CODE.format(lang="python")], solution=["1"])[0] is not None


def test_trl_length_groups_by_prompt_and_code_format_reads_language():
    from rlvr_rewards.integrations.trl import code_format_reward, length_reward, make_reward

    prompts = ["p1", "p1", "p2", "p2"]
    assert length_reward(prompts=prompts, completions=GROUPED, solution=GROUPED_GOLDS) == pytest.approx(PER_GROUP)
    ids = [[0] * 3, [0] * 1, [0] * 2, [0] * 2]  # tokens win over characters
    assert length_reward(prompts=prompts, completions=GROUPED, completion_ids=ids, solution=GROUPED_GOLDS) == pytest.approx([-0.5, 0.5, 0.0, 0.0])
    composed = make_reward("accuracy + 0.5*length")(prompts=prompts, completions=GROUPED, solution=GROUPED_GOLDS)
    assert composed == pytest.approx([1 + 0.5 * x for x in PER_GROUP])
    code = [CODE.format(lang="python"), CODE.format(lang="cpp")]
    assert code_format_reward(prompts=["q", "q"], completions=code) == [1.0, 0.0]
    assert code_format_reward(prompts=["q", "q"], completions=code, language=["python", "cpp"]) == [1.0, 1.0]


def test_trl_repetition_units():
    from rlvr_rewards.integrations.trl import make_reward, repetition_reward

    cjk = ["这个这个这个这个这个"]
    assert repetition_reward(prompts=["q"], completions=cjk) == pytest.approx([-0.75])  # no ids: CJK characters
    assert repetition_reward(prompts=["q"], completions=cjk, completion_ids=[[1, 2, 3, 4]]) == [0.0]  # ids: tokens
    assert make_reward("repetition_chars")(prompts=["q"], completions=cjk, completion_ids=[[1, 2, 3, 4]]) == pytest.approx([-0.75])
    assert make_reward("repetition_words")(prompts=["q"], completions=cjk) == [0.0]


def test_swift_orms_for_the_new_rewards():
    from rlvr_rewards.integrations.swift import DEFAULT_ORMS, orm_class, register_orms

    for spec in NEW_SPECS:
        assert DEFAULT_ORMS[f"rlvr_{spec}"] == spec
    registry: dict = {}
    register_orms(registry=registry)
    assert {f"rlvr_{s}" for s in NEW_SPECS} <= set(registry)
    length = orm_class("rlvr_length", base=object)()
    assert length(GROUPED, solution=GROUPED_GOLDS, prompt_id=["a", "a", "b", "b"]) == pytest.approx(PER_GROUP)
    code = [CODE.format(lang="js"), CODE.format(lang="python")]
    assert orm_class("rlvr_code_format", base=object)()(code, language=["javascript", "javascript"]) == [1.0, 0.0]
    think = orm_class("rlvr_think_format", base=object)()
    assert think(["<think>r</think>a", "a<think>r</think>"]) == [1.0, 0.0]
    cjk = ["这个这个这个这个这个"]
    rep = orm_class("rlvr_repetition", base=object)()
    assert rep(cjk, response_token_ids=[[1, 2, 3]]) == [0.0] and rep(cjk) == pytest.approx([-0.75])


def test_verl_new_rewards_by_name():
    from rlvr_rewards.integrations.verl import compute_score, compute_score_batch

    assert compute_score("x", "<think>r</think>answer", "1", {"verifier": "think_format"})["score"] == 1.0
    assert compute_score("x", "Step 1: a\nStep 2: b\nStep 3: c", "1", {"verifier": "reasoning_steps"})["score"] == 1.0
    assert compute_score("x", "这个这个这个这个这个", "1", {"verifier": "repetition"})["score"] == pytest.approx(-0.75)  # text: CJK chars
    js = CODE.format(lang="javascript")
    assert compute_score("x", js, None, {"verifier": "code_format"})["score"] == 0.0
    assert compute_score("x", js, None, {"verifier": "code_format", "language": "javascript"})["score"] == 1.0
    infos = [{"verifier": "length", "index": i // 2} for i in range(4)]
    out = compute_score_batch(["gsm8k"] * 4, GROUPED, GROUPED_GOLDS, infos)
    assert [r["score"] for r in out] == pytest.approx(PER_GROUP)
    out = compute_score_batch(["x"] * 2, [js, js], [None, None], [{"verifier": "code_format", "language": lang} for lang in ("js", "cpp")])
    assert [r["score"] for r in out] == [1.0, 0.0]


def test_openrlhf_new_rewards_by_name(monkeypatch):
    from rlvr_rewards.integrations import openrlhf

    fn = openrlhf.make_reward_func("length")
    prompts = ["p1", "p1", "p2", "p2"]
    out = fn([p + c for p, c in zip(prompts, GROUPED)], prompts, GROUPED_GOLDS)
    rewards = out["rewards"].tolist() if hasattr(out["rewards"], "tolist") else list(out["rewards"])
    assert rewards == pytest.approx(PER_GROUP)
    monkeypatch.setenv("RLVR_VERIFIER", "think_format")
    out = openrlhf.from_env()(["q<think>r</think>a"], ["q"], [None])
    assert list(out["rewards"]) == [1.0]
    for spec in NEW_SPECS:
        openrlhf.make_reward_func(spec)  # validated at set-up
