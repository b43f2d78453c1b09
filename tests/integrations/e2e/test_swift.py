"""ms-swift 4.6: the shipped plugin loaded by swift itself, rewards computed by swift itself.

Runs only in ``nox -s swift``. ``test_swift_rlhf_cli_trains_with_our_rewards`` runs the ms-swift
multimodal GRPO recipe (CLEVR counting, ``--reward_funcs <accuracy> format``) as the command
``swift rlhf`` itself, scaled down to this CPU: a tiny Qwen2.5-VL built here, a CLEVR-style JSONL
made by our export, two GRPO steps; the rewards are read back from swift's own logs. The plugin goes through ``BaseArguments._import_external_plugins``
(what ``--external_plugins`` does) and ``swift.utils.import_external_file``; the ORMs are built by
swift's ``resolve_reward_funcs`` (``orms[name](args=GRPOConfig)``) and called by
``compute_rewards_per_func`` on ``GRPOSample``s made from dataset rows with ``GRPOSample.from_row``;
the weighted reward, advantages and per-function metrics come from swift's ``compute_advantages``
and ``compute_reward_metrics``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch
from swift.arguments.base_args.base_args import BaseArguments
from swift.rewards import ORM, orms
from swift.rl_core.advantage import compute_advantages, compute_reward_metrics
from swift.rl_core.data import GRPOSample
from swift.rl_core.grpo_algorithm import compute_rewards_per_func
from swift.rlhf_trainers.utils import make_reward_weights, resolve_reward_funcs
from swift.utils import import_external_file

from rlvr_rewards.integrations.swift import DEFAULT_ORMS, plugin_path

NAN = float("nan")
K = 4  # num_generations

SYSTEM = {"role": "system", "content": "Think inside <think></think>, then give the final answer inside <answer></answer>."}


def row(question: str, completion: str, solution, **columns):
    """A dataset row after rollout: the prompt messages plus the assistant response, and the columns."""
    messages = [SYSTEM, {"role": "user", "content": question}, {"role": "assistant", "content": completion}]
    return {"messages": messages, "solution": solution, **columns}


Q_PROB = "A bag holds 6 red and 2 blue marbles. One marble is drawn at random. What is the probability that it is red?"
SOL_PROB = (
    "There are $6 + 2 = 8$ marbles and $6$ of them are red, so the probability is "
    "$\\frac{6}{8} = \\boxed{\\frac{3}{4}}$."
)
REASONING = (
    "<think>\nFirst count everything in the bag: 6 red marbles and 2 blue marbles make 8 marbles in total. "
    "Every marble is equally likely to be drawn, so the probability of red is the number of red marbles "
    "over the total, 6/8. Simplify by dividing numerator and denominator by 2: 6/8 = 3/4. Sanity check: "
    "the blue probability is 2/8 = 1/4 and 3/4 + 1/4 = 1, as it must be.\n</think>\n"
)

Q_MCQ = (
    "Which model of DNA replication did the Meselson-Stahl experiment support?\n"
    "A. conservative\nB. dispersive\nC. semi-conservative\nD. fragmentary"
)
OPTIONS = ["conservative", "dispersive", "semi-conservative", "fragmentary"]
MCQ_THINK = (
    "<think>\nAfter one generation in light nitrogen all DNA had intermediate density, which rules out "
    "the conservative model (A). After two generations there were intermediate and light bands, which "
    "rules out the dispersive model (B), where everything would stay intermediate. Fragmentary (D) is not "
    "a standard model. The result matches semi-conservative replication.\n</think>\n"
)

Q_GEO = "<image>In the figure, triangle ABC is isosceles with AB = AC and angle A = 120 degrees. Find angle B."
GEO_THINK = (
    "<think>\nThe angles of a triangle sum to 180 degrees. Since AB = AC, the base angles B and C are equal. "
    "So 2B = 180 - 120 = 60, hence B = 30 degrees.\n</think>\n"
)

Q_BAD = "How many positive divisors does 60 have?"

ROWS = [
    # math, gold inside a worked solution (NuminaMath-style `solution` column)
    row(Q_PROB, REASONING + "<answer>\\frac{3}{4}</answer>", SOL_PROB),
    row(Q_PROB, REASONING.replace("<think>\n", "").replace("\n</think>\n", " ") + "Therefore the probability is $\\boxed{0.75}$.", SOL_PROB),
    row(Q_PROB, REASONING.replace("6/8 = 3/4", "6/9 = 2/3") + "<answer>\\frac{2}{3}</answer>", SOL_PROB),
    row(Q_PROB, REASONING + "<answer>\\frac{3}{4} or \\frac{2}{3}</answer>", SOL_PROB),
    # multiple choice, with the option texts in an `options` column
    row(Q_MCQ, MCQ_THINK + "<answer>C</answer>", "C", options=OPTIONS),
    row(Q_MCQ, MCQ_THINK.replace("matches semi-conservative", "might be dispersive") + "<answer>B</answer>", "C", options=OPTIONS),
    row(Q_MCQ, "The bands could fit either model, so the answer is A or C.", "C", options=OPTIONS),
    row(Q_MCQ, MCQ_THINK + "<answer>semi-conservative</answer>", "C", options=OPTIONS),
    # vision-language row (images column), degrees in the answer
    row(Q_GEO, GEO_THINK + "<answer>30^\\circ</answer>", "30", images=["/data/geometry/fig_0412.png"]),
    row(Q_GEO, GEO_THINK.replace("B = 30", "B = 60") + "<answer>60^\\circ</answer>", "30", images=["/data/geometry/fig_0412.png"]),
    row(Q_GEO, "<think>\nThe triangle is isosceles, so the two base angles are equal and the sum of", "30", images=["/data/geometry/fig_0412.png"]),
    row(Q_GEO, GEO_THINK + "So angle $B = \\boxed{30^\\circ}$.", "30", images=["/data/geometry/fig_0412.png"]),
    # an unusable gold: accuracy must be None (NaN in swift), never 1
    row(Q_BAD, "<think>\n60 = 2^2 * 3 * 5, so (2+1)(1+1)(1+1) = 12.\n</think>\n<answer>12</answer>", ""),
    row(Q_BAD, "<think>\nCounting pairs: 1,60 2,30 3,20 4,15 5,12 6,10.\n</think>\n<answer>12</answer>", ""),
    row(Q_BAD, "The divisors are 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, so there are \\boxed{12}.", ""),
    row(Q_BAD, "There are \\boxed{10} divisors.", ""),
]

ACCURACY = [1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, NAN, NAN, NAN, NAN]
FORMAT = [1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0]


@pytest.fixture(scope="module")
def plugin():
    """``--external_plugins <plugin>``: swift's own argument hook imports the file."""
    ns = types.SimpleNamespace(external_plugins=plugin_path(), custom_register_path=[])
    BaseArguments._import_external_plugins(ns)
    name = f"_swift_external_{hashlib.sha256(plugin_path().encode()).hexdigest()}"
    return sys.modules[name]


@pytest.fixture(scope="module")
def grpo_args(tmp_path_factory):
    from swift.rlhf_trainers import GRPOConfig

    return GRPOConfig(
        output_dir=str(tmp_path_factory.mktemp("grpo")), use_cpu=True, bf16=False, report_to=[],
        num_generations=K, reward_weights=[1.0, 0.1],
    )


@pytest.fixture(scope="module")
def samples():
    return [GRPOSample.from_row(r) for r in ROWS]


def assert_rewards(actual: torch.Tensor, expected: list[float]) -> None:
    got = actual.tolist()
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e), (got, expected)


def test_plugin_registers_orms(plugin):
    for name in DEFAULT_ORMS:
        assert name in orms, name
        assert issubclass(orms[name], ORM)
    assert plugin.ORMS["rlvr_accuracy"] is orms["rlvr_accuracy"]
    assert "accuracy" in orms and "format" in orms  # swift's own ORMs untouched


def test_plugin_dir_does_not_shadow_packages(plugin):
    # swift inserted the plugin's directory at sys.path[0]; it holds swift.py, verl.py, trl.py ...
    here = os.path.dirname(plugin_path())
    assert all(os.path.abspath(p) != here for p in sys.path if p)
    assert importlib.util.find_spec("verl") is None  # not installed here, and not our verl.py
    trl = importlib.util.find_spec("trl")
    assert trl is not None and os.path.dirname(trl.origin) != here


def test_cli_prints_plugin_path():
    proc = subprocess.run([sys.executable, "-m", "rlvr_rewards", "plugin-path", "swift"], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "plugin-path" in proc.stderr and "invalid choice" in proc.stderr:
        pytest.skip("this checkout's CLI has no `plugin-path` subcommand yet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == plugin_path()


def test_accuracy_and_format_through_swift(plugin, grpo_args, samples):
    funcs, names = resolve_reward_funcs(["rlvr_accuracy", "rlvr_format"], args=grpo_args)
    assert names == ["rlvr_accuracy", "rlvr_format"]
    assert funcs[0].args is grpo_args
    per_func = compute_rewards_per_func(samples, funcs, None, torch.device("cpu"), trainer_state=None)
    assert per_func.shape == (len(ROWS), 2)
    assert_rewards(per_func[:, 0], ACCURACY)
    assert_rewards(per_func[:, 1], FORMAT)

    # swift's weighted sum skips the NaN (bad gold) and keeps the format part
    weights = make_reward_weights(grpo_args.reward_weights, len(funcs), torch.device("cpu"))
    advantages, rewards = compute_advantages(per_func, weights, num_generations=K)
    expected = [(0.0 if math.isnan(a) else a) + 0.1 * f for a, f in zip(ACCURACY, FORMAT)]
    assert rewards.tolist() == pytest.approx(expected)
    assert torch.isfinite(advantages).all()
    assert advantages[0] > 0 > advantages[2]  # the right answer is pushed up, the wrong one down
    metrics = compute_reward_metrics(rewards, per_func, names, K, "group")
    assert metrics.per_func_mean["rlvr_accuracy"] == pytest.approx(6 / 12)  # NaN rows excluded
    assert metrics.per_func_mean["rlvr_format"] == pytest.approx(sum(FORMAT) / len(FORMAT))


def test_mcq_math_r1_through_swift(plugin, grpo_args, samples):
    funcs, names = resolve_reward_funcs(["rlvr_mcq", "rlvr_r1"], args=grpo_args)
    mcq = samples[4:8]
    per_func = compute_rewards_per_func(mcq, funcs, None, torch.device("cpu"))
    assert_rewards(per_func[:, 0], [1, 0, 0, 1])
    assert_rewards(per_func[:, 1], [1.1, 0.1, 0.0, 1.1])

    funcs, _ = resolve_reward_funcs(["rlvr_math"], args=grpo_args)
    math_rows = samples[:4] + samples[8:12]
    per_func = compute_rewards_per_func(math_rows, funcs, None, torch.device("cpu"))
    assert_rewards(per_func[:, 0], [1, 1, 0, 0, 1, 0, 0, 1])


def test_swift3_style_construction(plugin, samples):
    # swift 3.x: orms[name]() with no args
    orm = orms["rlvr_accuracy"]()
    assert orm.args is None
    out = orm([s.messages[-1]["content"] for s in samples[:4]], solution=[SOL_PROB] * 4)
    assert out == [1.0, 1.0, 0.0, 0.0]


def test_repeated_plugin_import_does_not_shadow(plugin, monkeypatch):
    """swift's rollout/deploy re-run the import, which puts the plugin's directory back on
    sys.path without running the plugin: that directory holds only the plugin, so nothing is
    shadowed."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert import_external_file(plugin_path()) is plugin  # cached: the plugin code does not run again
    here = os.path.dirname(plugin_path())
    assert {f for f in os.listdir(here) if f.endswith(".py")} == {"rlvr_swift_plugin.py"}
    import importlib.util

    for name in ("swift", "trl", "verl", "openrlhf"):
        spec = importlib.util.find_spec(name)
        assert spec is None or os.path.dirname(spec.origin or "") != here


SUPPORT = Path(__file__).parent / "swift_support"


def _swift_rlhf_env() -> dict[str, str]:
    env = dict(os.environ)
    # CPU only, offline; swift_support/ holds the image half of qwen-vl-utils (the real package
    # imports torchvision, whose PyPI wheels are CUDA builds: see swift_support/qwen_vl_utils)
    env.update(CUDA_VISIBLE_DEVICES="", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=os.pathsep.join(p for p in (str(SUPPORT), env.get("PYTHONPATH", "")) if p))
    return env


def test_swift_rlhf_cli_trains_with_our_rewards(tmp_path):
    """``swift rlhf --rlhf_type grpo`` (ms-swift's multimodal GRPO recipe, CLEVR counting) on CPU.

    The model is a tiny Qwen2.5-VL with random weights and Qwen's real special-token ids (swift's
    template expands ``<|image_pad|>`` = 151655), whose output head answers "3" or "4" at random,
    so some completions are right. The dataset: CLEVR-style records from our export
    (images, "How many items are there in the image?", ``<answer> 3 </answer>`` solutions) and
    one row with an unusable gold. Checked from swift's own logs (logging.jsonl, and the
    completions.jsonl of ``--log_completions``): each completion's rlvr_accuracy is what
    rlvr_rewards grades, it varies within the groups, the bad gold is NaN (skipped: left out of
    the mean, advantages 0), and swift's own ``format`` ORM ran next to it.
    """
    from rlvr_rewards import check
    from rlvr_rewards import testing as tiny
    from rlvr_rewards.vlm.export import export_swift_jsonl
    from rlvr_rewards.vlm.synthetic import clevr_counting

    model_dir, data, out = tmp_path / "tiny-qwen2.5-vl", tmp_path / "clevr.jsonl", tmp_path / "out"
    # the model answers "3" or "4" at random and the golds are 3 or 4: about half the completions are right
    tiny.build_tiny_qwen2_5_vl(model_dir, qwen_token_ids=True, patch_size=7, answers=["3", "4"])
    records = clevr_counting(3, seed=0, counts=(3, 4))
    records.append(dataclasses.replace(clevr_counting(1, seed=1)[0], id="bad-gold", answer=""))
    export_swift_jsonl(records, data, template="clevr", solution_format="<answer> {answer} </answer>")
    assert json.loads(data.read_text().splitlines()[0])["solution"] == f"<answer> {records[0].answer} </answer>"

    swift = shutil.which("swift", path=os.path.dirname(sys.executable)) or shutil.which("swift")
    plugin_cli = subprocess.run([sys.executable, "-m", "rlvr_rewards", "plugin-path", "swift"], capture_output=True, text=True, timeout=120)
    plugin = plugin_cli.stdout.strip() if plugin_cli.returncode == 0 else plugin_path()
    cmd = [
        swift, "rlhf", "--rlhf_type", "grpo",
        "--model", str(model_dir), "--template", "qwen2_5_vl",  # a local dir: swift cannot tell qwen2_5_vl from mimo_vl
        "--external_plugins", plugin, str(SUPPORT / "image_only_processor.py"),
        "--reward_funcs", "rlvr_accuracy", "format",
        "--dataset", str(data),
        "--use_vllm", "false", "--num_generations", str(K), "--max_steps", "2",
        "--per_device_train_batch_size", str(2 * K),  # two prompts (groups) a step: all four rows in two steps
        "--tuner_type", "full", "--torch_dtype", "float32", "--max_completion_length", "8",
        "--learning_rate", "1e-6", "--beta", "0.001", "--temperature", "1.0",
        "--logging_steps", "1", "--log_completions", "true", "--report_to", "none", "--save_strategy", "no",
        "--dataloader_num_workers", "0", "--use_hf", "true",
        "--output_dir", str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=_swift_rlhf_env(), cwd=tmp_path)
    log = proc.stdout + proc.stderr
    (tmp_path / "swift_rlhf.log").write_text(log)
    assert proc.returncode == 0, log[-6000:]
    assert f"Successfully imported external_plugins: ['{plugin}'" in log
    [run_dir] = [p for p in out.iterdir() if p.is_dir()]

    steps = [json.loads(line) for line in (run_dir / "logging.jsonl").read_text().splitlines()]
    steps = [s for s in steps if "rewards/rlvr_accuracy/mean" in s]
    assert len(steps) == 2, steps
    assert all("rewards/Format/mean" in s for s in steps)  # swift's own `format` ORM, next to ours

    logged = {}
    for line in (run_dir / "completions.jsonl").read_text().splitlines():
        rec = json.loads(line)
        for i, step in enumerate(rec["step"]):
            logged[(step, i)] = (rec["completion"][i], rec["solution"][i], rec["rlvr_accuracy"][i], rec["advantages"][i])
    assert len(logged) == 2 * 2 * K  # every completion of both steps
    valid, bad = [], []
    for completion, solution, reward, advantage in logged.values():
        if solution == "<answer>  </answer>":
            bad.append((reward, advantage))
        else:
            assert reward == check(completion, solution).score, (completion, solution, reward)
            valid.append(reward)
    assert len(bad) == K and all(math.isnan(r) and a == 0 for r, a in bad)  # skipped, never a reward
    assert len(valid) == 3 * K and 0 < sum(valid) < len(valid)  # non-constant across completions
    for n, s in enumerate(steps, 1):
        rewards = [r for (step, _), (_, _, r, _) in logged.items() if step == str(n) and not math.isnan(r)]
        assert s["rewards/rlvr_accuracy/mean"] == pytest.approx(sum(rewards) / len(rewards), abs=1e-4)
    assert any(s["rewards/rlvr_accuracy/std"] > 0 for s in steps)
    print("swift rlhf:", [{k: s[k] for k in ("reward", "reward_std", "rewards/rlvr_accuracy/mean", "rewards/rlvr_accuracy/std")} for s in steps])
