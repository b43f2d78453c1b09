"""``format_gated`` / ``verl_vlm``: the veRL VLM recipe's format-gated ±1 reward, judge fallback."""

import pytest

from rlvr_rewards import Outcome, check, check_batch, list_verifiers
from rlvr_rewards.verifiers import create_verifier

THINK = "<think>\nI count the shapes one by one.\n</think>\n"


@pytest.mark.parametrize("completion, gold, outcome, score", [
    (THINK + "<answer>3</answer>", "3", Outcome.CORRECT, 1.0),
    (THINK + "<answer>4</answer>", "3", Outcome.INCORRECT, -1.0),
    (THINK + "<answer>3 or 4</answer>", "3", Outcome.INCORRECT, -1.0),  # a hedge
    ("The answer is 3.", "3", Outcome.INCORRECT, -1.0),  # right answer, wrong format
    (THINK, "3", Outcome.INCORRECT, -1.0),  # no answer: a format failure
    (THINK + "<answer>3</answer>", "", Outcome.BAD_GOLD, 0.0),  # skipped, never a reward
    (THINK + "<answer>\\frac{6}{2}</answer>", "<answer> 3 </answer>", Outcome.CORRECT, 1.0),
])
def test_format_gated(completion, gold, outcome, score):
    v = check(completion, gold, verifier="format_gated")
    assert (v.outcome, v.score) == (outcome, score), v.explain()
    if outcome is not Outcome.BAD_GOLD:
        assert set(v.parts) == {"format", "accuracy"}


def test_registered_and_batched():
    assert {"format_gated", "verl_vlm"} <= set(list_verifiers())
    completions = [THINK + "<answer>3</answer>", THINK + "<answer>5</answer>", "3"]
    assert [v.score for v in check_batch(completions, "3", verifier="format_gated")] == [1.0, -1.0, -1.0]
    custom = create_verifier("format_gated", correct=2.0, wrong=0.0)
    assert [v.score for v in check_batch(completions, "3", verifier=custom)] == [2.0, 0.0, 0.0]


def test_verl_vlm_needs_a_judge_url(monkeypatch):
    monkeypatch.delenv("REWARD_MODEL_URL", raising=False)
    with pytest.raises(ValueError, match="judge URL"):
        create_verifier("verl_vlm")
    with pytest.raises(ValueError, match="judge is off"):
        create_verifier("verl_vlm", judge=False, url="http://127.0.0.1:1/v1")
    assert check("3", "3", verifier=create_verifier("verl_vlm", judge=False)).score == -1.0


def test_verl_vlm_judge_fallback():
    pytest.importorskip("openai")
    from support.fake_server import ScriptedJudgeServer

    with ScriptedJudgeServer() as server:
        v = create_verifier("verl_vlm", url=server.url, model=server.model)
        words = check(THINK + "<answer>three</answer>", "3", verifier=v, question="How many items?")
        assert (words.outcome, words.score, words.verifier) == (Outcome.CORRECT, 1.0, "judge")
        wrong = check(THINK + "<answer>4</answer>", "3", verifier=v)
        assert (wrong.outcome, wrong.score) == (Outcome.INCORRECT, -1.0)
        n = len(server.requests)
        for c in ("three", THINK + "<answer>3 or 4</answer>", THINK + "<answer>3</answer>"):
            check(c, "3", verifier=v)  # format failure, hedge, rules-correct: the judge is not asked
        assert len(server.requests) == n
        batch = check_batch([THINK + "<answer>three</answer>", THINK + "<answer>five</answer>", "x"], "3", verifier=v)
        assert [b.score for b in batch] == [1.0, -1.0, -1.0]
        assert v.judge.stats.snapshot()["overturned"] >= 1
