"""OpenRLHF reward_func, called the way OpenRLHF 0.11 calls it, without OpenRLHF (or torch).

``SingleTurnAgentExecutor`` imports ``--reward.remote_url`` (a .py path) as a module named
``reward_func`` and calls ``reward_func([query], [prompt], [label])`` in a thread, where the query
is prompt + response decoded with special tokens. The executor itself runs in
``nox -s openrlhf`` (tests/integrations/e2e/test_openrlhf.py).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os

import pytest

from rlvr_rewards import check
from rlvr_rewards.integrations import openrlhf as ro
from rlvr_rewards.integrations.openrlhf import (
    RewardFunc,
    make_reward_func,
    plugin_path,
    response_text,
)

PROMPT = "<|im_start|>system\nPut the final answer in \\boxed{}.<|im_end|>\n<|im_start|>user\nHow many diagonals does a hexagon have?<|im_end|>\n<|im_start|>assistant\n"
THINK = (
    "<think>\nA hexagon has 6 vertices. Each vertex connects to 3 non-adjacent vertices, giving 6*3 = 18 "
    "endpoints, and each diagonal is counted twice, so 18/2 = 9. Check with n(n-3)/2 = 6*3/2 = 9.\n</think>\n\n"
)
# (response, label, reward, outcome)
CASES = [
    (THINK + "The hexagon has $\\boxed{9}$ diagonals.<|im_end|>", "9", 1.0, "correct"),
    (THINK + "The hexagon has $\\boxed{15}$ diagonals.<|im_end|><|endoftext|><|endoftext|>", "9", 0.0, "incorrect"),
    ("<think>\nMaybe 9, maybe 12.\n</think>\n\n\\boxed{9} or \\boxed{12}<|im_end|>", "9", 0.0, "incorrect"),
    ("<think>\nI will count them one by one: AC, AD, AE, BD, BE, BF,", "9", 0.0, "no_answer"),
    ("<think>\nOptions: (A) 6 (B) 9 (C) 12.\n</think>\n\nThe answer is (B).<|im_end|>", "B", 1.0, "correct"),
    ("Answer: C<|im_end|>", "B", 0.0, "incorrect"),
    ("The answer is $\\boxed{9}$.<|im_end|>", "", 0.0, "bad_gold"),
    ("The answer is $\\boxed{9}$.<|im_end|>", None, 0.0, "bad_gold"),
]


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def values(x):
    return x.tolist() if hasattr(x, "tolist") else list(x)


def test_response_text():
    assert response_text(PROMPT + "The answer is 9.<|im_end|>", PROMPT) == "The answer is 9."
    assert response_text(PROMPT + "\\boxed{9}<|im_end|><|endoftext|><|endoftext|>", PROMPT) == "\\boxed{9}"
    # <think> and <answer> are content, not special tokens
    assert response_text(PROMPT + "<think>\nx\n</think>\n<answer>9</answer><|im_end|>", PROMPT) == "<think>\nx\n</think>\n<answer>9</answer>"
    llama = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
    assert response_text(llama + "It is 9.<|eot_id|>", llama) == "It is 9."
    deepseek = "<｜begin▁of▁sentence｜><｜User｜>Q?<｜Assistant｜>"
    assert response_text(deepseek + "<think>\nok\n</think>\n\\boxed{9}<｜end▁of▁sentence｜>", deepseek) == "<think>\nok\n</think>\n\\boxed{9}"
    # the decode round trip lost the BOS / a leading space of the prompt: found without them
    assert response_text("<s> [INST] Q? [/INST] The answer is 9</s>", "[INST] Q? [/INST]") == "The answer is 9"
    assert response_text(None, None) == ""
    assert response_text("abc", "") == "abc"


def test_reward_func_core_realistic_cases():
    f = RewardFunc("accuracy")
    queries = [PROMPT + r for r, *_ in CASES]
    scores, logs = f.compute(queries, [PROMPT] * len(CASES), [label for _, label, *_ in CASES])
    assert scores == [reward for *_, reward, _ in CASES]
    for i, (response, label, _, outcome) in enumerate(CASES):
        assert logs[f"rlvr/{outcome}"][i] == 1.0
        assert sum(logs[k][i] for k in logs) == 1.0
        assert scores[i] == check(response_text(PROMPT + response, PROMPT), label).score
    assert set(logs) == {f"rlvr/{o}" for o in ("correct", "incorrect", "no_answer", "bad_gold", "timeout", "error")}


def test_reward_func_return_shape():
    out = ro.reward_func([PROMPT + r for r, *_ in CASES], [PROMPT] * len(CASES), [label for _, label, *_ in CASES])
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert values(out["rewards"]) == values(out["scores"]) == [reward for *_, reward, _ in CASES]
    torch = torch_or_none()
    if torch is None:  # torch is OpenRLHF's; without it the same values come back as lists
        assert isinstance(out["rewards"], list)
        return
    assert isinstance(out["rewards"], torch.Tensor) and out["rewards"].shape == (len(CASES),)
    assert out["rewards"].dtype == torch.float32
    assert all(t.shape == (len(CASES),) for t in out["extra_logs"].values())


def test_called_like_the_executor_one_sample_in_a_thread():
    async def run():
        calls = [asyncio.to_thread(ro.reward_func, [PROMPT + r], [PROMPT], [label]) for r, label, *_ in CASES]
        return await asyncio.gather(*calls)

    outs = asyncio.run(run())
    assert [values(o["rewards"])[0] for o in outs] == [reward for *_, reward, _ in CASES]
    assert [values(o["extra_logs"]["rlvr/bad_gold"])[0] for o in outs] == [float(o == "bad_gold") for *_, o in CASES]


def test_composed_spec():
    f = make_reward_func("accuracy + 0.1*format", timeout=2.0)
    r1 = "<think>\n6*3/2 = 9\n</think>\n<answer>9</answer><|im_end|>"
    scores, _ = f.compute([PROMPT + r1, PROMPT + r1, PROMPT + CASES[0][0]], [PROMPT] * 3, ["9", "8", "9"])
    assert scores == pytest.approx([1.1, 0.1, 1.0])
    with pytest.raises(KeyError, match="acuracy"):
        make_reward_func("acuracy")


def test_never_raises():
    f = RewardFunc("accuracy")
    for queries, prompts, labels in [
        ([], [], []),
        ([PROMPT + "\\boxed{9}"], [], []),  # missing prompt and label: bad gold, still a reward
        ([PROMPT + "\\boxed{9}", None, 3], [PROMPT], ["9"]),  # labels shorter than queries
        ("a single string", "a", "9"),
        (None, None, None),
    ]:
        out = f(queries, prompts, labels)
        n = len(values(out["rewards"]))
        assert n == (len(queries) if isinstance(queries, list) else 1)
        assert all(len(values(v)) == n for v in out["extra_logs"].values())
    with pytest.raises(ValueError, match="no_such_verifier_xyz"):
        RewardFunc("no_such_verifier_xyz")  # configuration: raised when it is built, not 0 per sample


def _load(path):
    spec = importlib.util.spec_from_file_location("reward_func", path)  # exactly as OpenRLHF does
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_file(monkeypatch):
    path = plugin_path()
    assert os.path.isabs(path) and os.path.isfile(path) and path.endswith("openrlhf_reward.py")
    monkeypatch.delenv("RLVR_VERIFIER", raising=False)
    module = _load(path)
    out = module.reward_func([PROMPT + CASES[0][0]], [PROMPT], ["9"])
    assert values(out["rewards"]) == [1.0]
    monkeypatch.setenv("RLVR_VERIFIER", "mcq")
    monkeypatch.setenv("RLVR_TIMEOUT", "3")
    module = _load(path)
    assert module.reward_func.verifier == "mcq" and module.reward_func.timeout == 3.0
    assert values(module.reward_func([PROMPT + "The answer is (B).<|im_end|>"], [PROMPT], ["B"])["rewards"]) == [1.0]
    monkeypatch.setenv("RLVR_VERIFIER", "acuracy")
    with pytest.raises(KeyError, match="acuracy"):  # a misconfiguration fails when OpenRLHF loads the file, loudly
        _load(path)
