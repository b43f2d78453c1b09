"""veRL adapter (``rlvr_rewards.integrations.verl``) without veRL installed.

The calls below are the ones veRL's reward managers make: per sample with keyword arguments
(``NaiveRewardManager.run_single``), awaited when the function is a coroutine function, and with
plural names from the batch reward manager. ``ground_truth`` comes as veRL's parquet columns give
it: a string, a number, a list or a numpy array.
"""

from __future__ import annotations

import asyncio
import inspect

import numpy as np
import pytest

from rlvr_rewards.integrations import verl
from rlvr_rewards.integrations.verl import (
    KEYS,
    compute_score,
    compute_score_async,
    compute_score_batch,
    route,
)

THINK = (
    "<think>\nThe bag has 8 marbles and 6 of them are red, so the probability of drawing a red one is "
    "6/8. Both are divisible by 2, which gives 3/4. Let me double-check: 0.75 * 8 = 6. Yes.\n</think>\n"
)
CORRECT = THINK + "The probability is $\\boxed{\\dfrac{3}{4}}$."
WRONG = THINK.replace("3/4", "2/3") + "The probability is $\\boxed{\\dfrac{2}{3}}$."
HEDGED = THINK + "It is either $\\boxed{\\frac{3}{4}}$ or $\\boxed{\\frac{2}{3}}$, depending on replacement."
TRUNCATED = "<think>\nThe bag has 8 marbles and 6 of them are red, so the probability of drawing a red one"
MCQ_RIGHT = (
    "<think>\nOption A confuses mitosis with meiosis. Option B is about the cell wall, which animal cells "
    "lack. Option D describes transcription, not replication. Only C matches semi-conservative "
    "replication.\n</think>\nThe answer is (C)."
)
MCQ_WRONG = "<think>\nB mentions the cell wall, which sounds structural.\n</think>\nThe answer is (B)."
MCQ_HEDGED = "<think>\nIt is hard to decide between the two.\n</think>\nThe answer is A or C."
GSM_RIGHT = (
    "Natalia sold 48 clips in April and half as many in May, 48 / 2 = 24. In total she sold "
    "48 + 24 = 72 clips.\nThe answer is $\\boxed{72}$."
)
LARGE = "Multiplying out, the total is 7,425,000 dollars, so the final answer is \\boxed{7,425,000}."


def assert_shape(out: dict) -> None:
    assert tuple(out) == KEYS
    for key, value in out.items():
        assert isinstance(value, (float, str)), (key, value)
    assert isinstance(out["score"], float) and isinstance(out["pred"], str)


@pytest.mark.parametrize(
    ("data_source", "completion", "gold", "score"),
    [
        ("lighteval/MATH", CORRECT, "\\frac{3}{4}", 1.0),
        ("lighteval/MATH", WRONG, "\\frac{3}{4}", 0.0),
        ("lighteval/MATH", HEDGED, "\\frac{3}{4}", 0.0),
        ("lighteval/MATH", TRUNCATED, "\\frac{3}{4}", 0.0),
        ("openai/gsm8k", GSM_RIGHT, "72", 1.0),
        ("openai/gsm8k", GSM_RIGHT, 72, 1.0),
        ("openai/gsm8k", GSM_RIGHT, np.int64(72), 1.0),
        ("openai/gsm8k", GSM_RIGHT, np.array(["72"]), 1.0),
        ("openai/gsm8k", GSM_RIGHT, ["72"], 1.0),
        ("openai/gsm8k", GSM_RIGHT, ["71", "72"], 1.0),
        ("openai/gsm8k", GSM_RIGHT, np.array([70, 71]), 0.0),
        ("math_dapo", LARGE, "7425000", 1.0),
        ("Idavidrein/gpqa", MCQ_RIGHT, "C", 1.0),
        ("Idavidrein/gpqa", MCQ_WRONG, "C", 0.0),
        ("Idavidrein/gpqa", MCQ_HEDGED, "C", 0.0),
        ("cais/mmlu", MCQ_RIGHT, np.array(["C"]), 1.0),
    ],
)
def test_per_sample(data_source, completion, gold, score):
    out = compute_score(data_source=data_source, solution_str=completion, ground_truth=gold, extra_info={"index": 3, "split": "train"})
    assert_shape(out)
    assert out["score"] == score
    assert out["acc"] == score
    assert out["bad_gold"] == 0.0 and out["error"] == 0.0


def test_details_in_extra_keys():
    right = compute_score("lighteval/MATH", CORRECT, "\\frac{3}{4}")
    assert right["pred"] == "\\dfrac{3}{4}" and right["verifier"]
    hedged = compute_score("lighteval/MATH", HEDGED, "\\frac{3}{4}")
    assert hedged["acc"] == 0.0 and hedged["no_answer"] == 0.0
    truncated = compute_score("lighteval/MATH", TRUNCATED, "\\frac{3}{4}")
    assert truncated["no_answer"] == 1.0 and truncated["pred"] == ""
    mcq = compute_score("Idavidrein/gpqa", MCQ_RIGHT, "C")
    assert mcq["verifier"] == "mcq"


@pytest.mark.parametrize("gold", [None, "", "   ", float("nan"), np.array([]), []])
def test_bad_gold_scores_zero_and_is_flagged(gold):
    out = compute_score(data_source="lighteval/MATH", solution_str=CORRECT, ground_truth=gold, extra_info=None)
    assert_shape(out)
    assert out["score"] == 0.0 and out["acc"] == 0.0 and out["bad_gold"] == 1.0


def test_same_keys_every_call():
    calls = [
        ("lighteval/MATH", CORRECT, "3/4", {"index": 0}),
        ("lighteval/MATH", None, "3/4", None),
        ("Idavidrein/gpqa", MCQ_WRONG, "C", {}),
        ("unknown_source", 12345, None, "not a dict"),
        (None, b"\\boxed{5}", np.float64(5.0), {"verifier": "no such verifier"}),
        ("lighteval/MATH", ["not", "a", "string"], object(), {"timeout": "soon"}),
    ]
    keys = {tuple(compute_score(*c)) for c in calls}
    assert keys == {KEYS}


def test_never_raises_on_internal_failure(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(verl, "check", boom)
    out = compute_score("lighteval/MATH", CORRECT, "3/4")
    assert_shape(out)
    assert out["error"] == 1.0 and out["score"] == 0.0


def test_routing_by_data_source():
    assert route("openai/gsm8k") == "math"
    assert route("lighteval/MATH") == "math"
    assert route("math_dapo") == "math"
    assert route("aime_2024") == "math"
    assert route("numina_olympiads") == "math"
    assert route("Idavidrein/gpqa") == "mcq"
    assert route("cais/mmlu") == "mcq"
    assert route("TIGER-Lab/MMLU-Pro") == "mcq"
    assert route("allenai/ai2_arc") == "mcq"
    assert route("searchR1_nq") == "accuracy"
    assert route(None) == "accuracy"


def test_routing_decides_the_verifier():
    # A letter answer for a numeric-looking gold: the mcq verifier cannot take "3" as an option letter,
    # the math cascade reads the number.
    completion = "<think>3 apples</think>\nThe answer is \\boxed{3}."
    assert compute_score("lighteval/MATH", completion, "3")["score"] == 1.0
    assert compute_score("Idavidrein/gpqa", completion, "3")["score"] == 0.0


def test_overrides_extra_info_then_kwargs_then_routes():
    completion = "<think>ok</think><answer>3</answer>"
    # format ignores the gold: a wrong answer in the right format scores 1.
    assert compute_score("lighteval/MATH", completion, "4")["score"] == 0.0
    assert compute_score("lighteval/MATH", completion, "4", verifier="format")["score"] == 1.0
    assert compute_score("lighteval/MATH", completion, "4", {"verifier": "format"})["score"] == 1.0
    # extra_info beats the keyword
    assert compute_score("lighteval/MATH", completion, "4", {"verifier": "math"}, verifier="format")["score"] == 0.0
    assert compute_score("my_set", completion, "4", routes={"my_set": "format"})["score"] == 1.0
    assert compute_score("other_set", completion, "4", routes={"my_set": "format"})["score"] == 0.0
    weighted = compute_score("lighteval/MATH", completion, "3", verifier="accuracy + 0.1*format")
    assert weighted["score"] == pytest.approx(1.1) and weighted["acc"] == 1.0


def test_mcq_options_from_extra_info():
    completion = "<think>Paris is the capital.</think>\nThe answer is Paris."
    info = {"options": ["Lyon", "Paris", "Nice", "Lille"]}
    assert compute_score("cais/mmlu", completion, "B", info)["score"] == 1.0
    arc = {"choices": {"label": ["A", "B", "C", "D"], "text": ["Lyon", "Paris", "Nice", "Lille"]}}
    assert compute_score("cais/mmlu", completion, "B", arc)["score"] == 1.0
    assert compute_score("cais/mmlu", completion, "C", info)["score"] == 0.0


def test_veRL_reward_kwargs_are_ignored():
    out = compute_score(
        data_source="lighteval/MATH", solution_str=CORRECT, ground_truth="3/4",
        extra_info={"num_turns": 2, "rollout_reward_scores": {}},
        reward_router_address=None, reward_model_tokenizer=None,
    )
    assert out["score"] == 1.0


def test_async_variant():
    assert inspect.iscoroutinefunction(compute_score_async)
    assert not inspect.iscoroutinefunction(compute_score)

    async def main():
        return await asyncio.gather(
            compute_score_async(data_source="lighteval/MATH", solution_str=CORRECT, ground_truth="3/4", extra_info={}),
            compute_score_async(data_source="lighteval/MATH", solution_str=WRONG, ground_truth="3/4", extra_info={}),
            compute_score_async(data_source="Idavidrein/gpqa", solution_str=MCQ_HEDGED, ground_truth="C", extra_info={}),
            compute_score_async(data_source="lighteval/MATH", solution_str=CORRECT, ground_truth=None, extra_info={}),
        )

    outs = asyncio.run(main())
    for out in outs:
        assert_shape(out)
    assert [o["score"] for o in outs] == [1.0, 0.0, 0.0, 0.0]
    assert outs[3]["bad_gold"] == 1.0


BATCH = [
    ("lighteval/MATH", CORRECT, "\\frac{3}{4}", {"index": 0}, 1.0),
    ("lighteval/MATH", WRONG, "\\frac{3}{4}", {"index": 1}, 0.0),
    ("lighteval/MATH", HEDGED, "\\frac{3}{4}", {"index": 2}, 0.0),
    ("openai/gsm8k", GSM_RIGHT, np.array(["72"]), {"index": 3}, 1.0),
    ("Idavidrein/gpqa", MCQ_RIGHT, "C", {"index": 4}, 1.0),
    ("Idavidrein/gpqa", MCQ_WRONG, "C", {"index": 5}, 0.0),
    ("Idavidrein/gpqa", MCQ_HEDGED, "C", {"index": 6}, 0.0),
    ("lighteval/MATH", CORRECT, None, {"index": 7}, 0.0),
    ("lighteval/MATH", CORRECT, "\\frac{3}{4}", {"index": 8, "verifier": "format"}, 0.0),
]


@pytest.mark.parametrize("fn", [compute_score, compute_score_batch])
def test_batched_plural_arguments(fn):
    sources, strs, golds, infos, expected = (list(c) for c in zip(*BATCH))
    outs = fn(
        data_sources=np.array(sources, dtype=object), solution_strs=strs, ground_truths=golds, extra_infos=np.array(infos, dtype=object)
    )
    assert isinstance(outs, list) and len(outs) == len(BATCH)
    for out in outs:
        assert_shape(out)
    assert [o["score"] for o in outs] == expected
    assert [o["bad_gold"] for o in outs] == [0.0] * 7 + [1.0, 0.0]
    # per-sample and batched calls agree
    assert outs == [compute_score(s, c, g, i) for s, c, g, i, _ in BATCH]


def test_batched_edge_cases():
    assert compute_score_batch([], [], [], []) == []
    outs = compute_score_batch(None, [CORRECT, WRONG], "3/4", None)
    assert [o["score"] for o in outs] == [1.0, 0.0]


def test_hedge_in_bare_sentence_is_not_rewarded():
    out = compute_score("Idavidrein/gpqa", "<think>\nB is out.\n</think>\nI would go with (A) or (C).", "C")
    assert out["score"] == 0.0
