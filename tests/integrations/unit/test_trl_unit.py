"""TRL reward callables, called the way TRL calls them, without TRL or torch installed.

TRL 1.16 (``GRPOTrainer._calculate_rewards``, same in ``RLOOTrainer``) calls
``f(prompts=, completions=, completion_ids=, **dataset_columns, trainer_state=, log_extra=, log_metric=)``;
the real trainers run in ``nox -s trl`` (tests/integrations/e2e/test_trl.py).
"""

from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import pickle

import pytest

from rlvr_rewards import check
from rlvr_rewards.integrations import trl as rt
from rlvr_rewards.integrations.trl import (
    AsyncRewardFunction,
    RewardFunction,
    accuracy_reward,
    accuracy_reward_async,
    format_reward,
    make_reward,
    mcq_reward,
    mcq_reward_async,
)

THINK = (
    "<think>\nFirst find the common denominator: 1/3 + 1/6 = 2/6 + 1/6 = 3/6. Simplify by 3 to get 1/2. "
    "Check: 0.333... + 0.1666... = 0.5, consistent.\n</think>\n\n"
)
CORRECT = THINK + "Therefore the sum is $\\boxed{\\frac{1}{2}}$."
WRONG = THINK + "Therefore the sum is $\\boxed{\\frac{1}{3}}$."
HEDGED = THINK + "The sum is $\\boxed{\\frac{1}{2}}$ or possibly $\\boxed{\\frac{2}{3}}$."
NO_ANSWER = "<think>\nLet me add the fractions. First the common denominator is"
R1 = "<think>\n1/3 + 1/6 = 1/2\n</think>\n<answer>\\frac{1}{2}</answer>"


class Trainer:
    """Collects what a reward function reports through TRL's ``log_metric`` / ``log_extra``."""

    def __init__(self):
        self.metrics, self.extra = {}, {}

    def log_metric(self, name, value):
        self.metrics.setdefault(name, []).append(value)

    def log_extra(self, column, values):
        self.extra.setdefault(column, []).extend(values)


def call(f, completions, trainer=None, **columns):
    trainer = trainer or Trainer()
    n = len(completions)
    kwargs = dict(
        prompts=["What is 1/3 + 1/6?"] * n, completions=completions, completion_ids=[[1, 2, 3]] * n,
        trainer_state=object(), log_extra=trainer.log_extra, log_metric=trainer.log_metric, **columns,
    )
    out = f(**kwargs)
    return asyncio.run(out) if inspect.isawaitable(out) else out


# --------------------------------------------------------------------------- standard completions


def test_accuracy_standard_completions():
    completions = [CORRECT, WRONG, HEDGED, NO_ANSWER, R1]
    got = call(accuracy_reward, completions, solution=["\\frac{1}{2}"] * 5)
    assert got == [1.0, 0.0, 0.0, 0.0, 1.0]
    assert got == [check(c, "\\frac{1}{2}").reward for c in completions]
    assert all(isinstance(r, float) for r in got)


def test_gold_columns_solution_answer_and_custom():
    assert call(accuracy_reward, [CORRECT, WRONG], answer=["0.5", "0.5"]) == [1.0, 0.0]
    # `solution` wins over `answer`
    assert call(accuracy_reward, [CORRECT], solution=["1/2"], answer=["7"]) == [1.0]
    f = make_reward("accuracy", gold_key="target")
    assert call(f, [CORRECT, WRONG], target=["1/2", "1/2"], solution=["9", "9"]) == [1.0, 0.0]
    # the configured column is missing: no gold, never a reward
    assert call(f, [CORRECT], solution=["1/2"]) == [None]


def test_bad_or_missing_gold_is_none():
    got = call(accuracy_reward, [CORRECT, CORRECT, CORRECT, CORRECT], solution=["", None, "\\boxed{}", "1/2"])
    assert got == [None, None, None, 1.0]
    assert call(accuracy_reward, [CORRECT, WRONG]) == [None, None]  # no gold column at all


def test_mcq_letters_and_option_text():
    completions = [
        "<think>\nA is too small, D ignores the sign. Between B and C, C matches the derivative.\n</think>\n\nThe answer is (C).",
        "Answer: B",
        "The answer is (B) or (C).",
        "**Answer:** c",
        "<think>\nFree fall near the surface: g, about 9.8 metres per second squared.\n</think>\nThe answer is 9.8 m/s^2.",
    ]
    got = call(mcq_reward, completions, solution=["C"] * 5)
    assert got == [check(c, "C", verifier="mcq").reward for c in completions]
    # lower-case "c" is not an option letter (case-sensitive); option text needs the options column
    assert got == [1.0, 0.0, 0.0, 0.0, 0.0]
    # with the options column, an answer given as option text is read as its letter
    options = [["4.9 m/s^2", "19.6 m/s^2", "9.8 m/s^2", "0 m/s^2"]] * 5
    with_opts = call(mcq_reward, completions, solution=["C"] * 5, options=options)
    assert with_opts[4] == check(completions[4], "C", verifier="mcq", options=options[4]).reward == 1.0
    # ARC-style {"label": [...], "text": [...]} choices column
    arc = [{"label": ["A", "B", "C", "D"], "text": options[0]}] * 5
    assert call(mcq_reward, completions, solution=["C"] * 5, choices=arc) == with_opts
    # accuracy dispatches letter golds to mcq
    assert call(accuracy_reward, completions[:3], solution=["C"] * 3) == [1.0, 0.0, 0.0]


def test_format_reward_needs_no_gold():
    completions = [R1, CORRECT, "<answer>1/2</answer>", "<think>x</think><answer></answer>"]
    got = call(format_reward, completions)
    assert got == [check(c, None, verifier="format").reward for c in completions]
    assert got[0] == 1.0 and got[1] == 0.0


def test_composed_spec_factory():
    r1 = make_reward("accuracy + 0.1*format")
    assert r1.__name__ == "accuracy_0_1_format_reward"
    got = call(r1, [R1, CORRECT, WRONG], solution=["1/2"] * 3)
    assert got == pytest.approx([1.1, 1.0, 0.0])
    assert make_reward("r1", name="r1").__name__ == "r1"
    assert make_reward("exact > numeric").__name__ == "exact_numeric_reward"
    with pytest.raises(KeyError, match="acuracy"):
        make_reward("acuracy")  # a typo fails at set-up, not during training


# --------------------------------------------------------------------------- conversational


def test_conversational_completions_reasoning_content_and_tool_turns():
    plain = [{"role": "assistant", "content": CORRECT}]
    split = [{"role": "assistant", "reasoning_content": "1/3 + 1/6 = 3/6 = 1/2", "content": "The sum is \\boxed{\\frac12}."}]
    split_wrong = [{"role": "assistant", "reasoning_content": "I get \\boxed{\\frac12} here.", "content": "Final: \\boxed{\\frac13}."}]
    tools = [
        {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "calc", "arguments": {"x": "1/3+1/6"}}}]},
        {"role": "tool", "name": "calc", "content": "0.3333"},
        {"role": "assistant", "content": "The tool says 0.5, so the answer is \\boxed{\\frac{1}{2}}."},
    ]
    tool_result_not_answer = [
        {"role": "assistant", "content": "Let me compute.", "tool_calls": [{"type": "function", "function": {"name": "calc", "arguments": {}}}]},
        {"role": "tool", "name": "calc", "content": "\\boxed{\\frac{1}{2}}"},
    ]
    blocks = [{"role": "assistant", "content": [{"type": "text", "text": "So it is "}, {"type": "text", "text": "\\boxed{1/2}."}]}]
    completions = [plain, split, split_wrong, tools, tool_result_not_answer, blocks]
    got = call(accuracy_reward, completions, solution=["\\frac{1}{2}"] * len(completions))
    assert got == [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    # the format reward sees the reasoning TRL split out as a <think> block again
    r1 = [{"role": "assistant", "reasoning_content": "1/3 + 1/6 = 1/2", "content": "<answer>\\frac{1}{2}</answer>"}]
    assert call(format_reward, [r1]) == [1.0]


# --------------------------------------------------------------------------- TRL plumbing


def test_metrics_and_completion_columns():
    t = Trainer()
    call(accuracy_reward, [CORRECT, WRONG, NO_ANSWER, CORRECT], t, solution=["1/2", "1/2", "1/2", ""])
    m = {k: v[-1] for k, v in t.metrics.items()}
    assert m["rewards/accuracy_reward/correct"] == 0.25
    assert m["rewards/accuracy_reward/incorrect"] == 0.25
    assert m["rewards/accuracy_reward/no_answer"] == 0.25
    assert m["rewards/accuracy_reward/bad_gold"] == 0.25
    assert m["rewards/accuracy_reward/timeout"] == m["rewards/accuracy_reward/error"] == 0.0
    assert t.extra["accuracy_reward/outcome"] == ["correct", "incorrect", "no_answer", "bad_gold"]
    assert t.extra["accuracy_reward/answer"][0] == "\\frac{1}{2}"
    quiet = make_reward("accuracy", log_metrics=False, log_columns=False)
    t2 = Trainer()
    call(quiet, [CORRECT], t2, solution=["1/2"])
    assert not t2.metrics and not t2.extra


def test_without_trainer_extras_and_with_failing_loggers():
    assert accuracy_reward(completions=[CORRECT], solution=["1/2"]) == [1.0]
    assert accuracy_reward(prompts=None, completions=[CORRECT, WRONG], completion_ids=None, solution="1/2") == [1.0, 0.0]

    def boom(*args):
        raise RuntimeError("logger down")

    assert accuracy_reward(completions=[CORRECT], solution=["1/2"], log_metric=boom, log_extra=boom) == [1.0]


def test_never_raises_on_odd_inputs():
    assert accuracy_reward(completions=None) == []
    assert accuracy_reward(completions=[]) == []
    got = accuracy_reward(completions=[None, 42, b"\\boxed{3}", {"content": "\\boxed{3}"}, [[1, 2]]], solution=["3"] * 5)
    assert len(got) == 5 and got[2] == 1.0 and got[3] == 1.0
    assert all(r is None or isinstance(r, float) for r in got)
    # a gold column of the wrong length is broadcast as one value, never a crash
    assert len(accuracy_reward(completions=[CORRECT, WRONG], solution=["1/2"])) == 2
    with pytest.raises(TypeError, match="verifier must be"):
        RewardFunction(object())  # not a verifier: a configuration error, raised when it is built


def test_async_variants():
    assert inspect.iscoroutinefunction(type(accuracy_reward_async).__call__)
    assert not inspect.iscoroutinefunction(type(accuracy_reward).__call__)
    assert isinstance(make_reward("mcq", asynchronous=True), AsyncRewardFunction)
    assert call(accuracy_reward_async, [CORRECT, HEDGED], solution=["1/2", "1/2"]) == [1.0, 0.0]
    assert call(mcq_reward_async, ["The answer is (C)."], solution=["C"]) == [1.0]

    async def gathered():  # as TRL gathers async reward functions concurrently
        kw = dict(prompts=[""] * 2, completions=[CORRECT, WRONG], completion_ids=[[]] * 2, solution=["1/2"] * 2)
        return await asyncio.gather(accuracy_reward_async(**kw), rt.format_reward_async(**kw))

    assert asyncio.run(gathered()) == [[1.0, 0.0], [0.0, 0.0]]


def test_names_and_pickling():
    for name in ("accuracy_reward", "format_reward", "mcq_reward", "accuracy_reward_async", "format_reward_async", "mcq_reward_async"):
        f = getattr(rt, name)
        assert f.__name__ == name
        g = pickle.loads(pickle.dumps(f))
        assert g.__name__ == name and type(g) is type(f)
        assert call(g, [CORRECT, R1], solution=["1/2"] * 2) == call(f, [CORRECT, R1], solution=["1/2"] * 2)
    custom = make_reward("accuracy + 0.1*format", name="r1", gold_key="answer", timeout=2.0)
    clone = pickle.loads(pickle.dumps(custom))
    assert (clone.__name__, clone.gold_key, clone.timeout) == ("r1", "answer", 2.0)
    assert "r1" in repr(clone)


def _in_child(f, queue):
    queue.put(f(completions=[CORRECT, WRONG], solution=["1/2", "1/2"]))


def test_spawned_process_like_async_grpo():
    """TRL's async GRPO pickles reward functions into a *spawned* child process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=_in_child, args=(accuracy_reward, queue))
    p.start()
    try:
        assert queue.get(timeout=120) == [1.0, 0.0]
    finally:
        p.join(timeout=60)
    assert p.exitcode == 0


def test_module_does_not_import_trl_or_torch():
    import sys

    assert "trl" not in sys.modules or sys.modules["trl"] is not rt
    src = inspect.getsource(rt)
    assert "import trl" not in src and "import torch" not in src
