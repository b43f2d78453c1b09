"""veRL 0.9.1: our compute_score loaded and called by veRL's own reward managers.

Runs only in ``nox -s verl``. The config is veRL's own full trainer config
(``verl/trainer/config/_generated_ppo_trainer.yaml``) with command-line style overrides;
``load_reward_manager`` resolves ``reward.custom_reward_function.path=pkg://...`` (or a file path)
and builds the naive reward manager, whose ``run_single`` runs on the manager's own event loop
(awaited per sample by ``RewardLoopWorker.compute_score_batch``, as in a Ray reward worker).
Scores go through ``assemble_rm_scores`` and the extra keys are stacked the way
``RewardLoopManager.compute_rm_score`` does (``KeyError`` if a sample lacks a key). The batch
reward manager (veRL <= 0.6) calls the plural-argument form. The last test runs the real thing:
``RewardLoopManager`` with two ``RewardLoopWorker`` Ray actors on a local Ray instance.

Responses are real token ids: a byte-level BPE tokenizer is trained on the test texts and loaded
with veRL's ``hf_tokenizer``, and the manager decodes them itself.
"""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest
import torch
import verl
from omegaconf import OmegaConf
from verl import DataProto
from verl.experimental.reward_loop.reward_loop import RewardLoopWorker
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
from verl.trainer.ppo.reward import get_custom_reward_fn, load_reward_manager
from verl.utils import hf_tokenizer
from verl.workers.reward_manager import BatchRewardManager

import rlvr_rewards.integrations.verl as adapter

PKG = "pkg://rlvr_rewards.integrations.verl"
KEYS = list(adapter.KEYS)

MATH_THINK = (
    "<think>\nThe bag has 6 red and 2 blue marbles, 8 in total. Each marble is equally likely, so the "
    "probability of red is 6/8. Dividing top and bottom by 2 gives 3/4. Check: blue is 2/8 = 1/4 and "
    "3/4 + 1/4 = 1.\n</think>\n"
)
GSM_THINK = (
    "<think>\nNatalia sold 48 clips in April. In May she sold half as many: 48 / 2 = 24. Altogether "
    "48 + 24 = 72.\n</think>\n"
)
MCQ_THINK = (
    "<think>\nThe Meselson-Stahl experiment produced one intermediate band after one generation, ruling "
    "out conservative replication (A); two bands after two generations rule out dispersive (B). D is not a "
    "standard model.\n</think>\n"
)

# (data_source, response, ground_truth, expected score)
SAMPLES = [
    ("lighteval/MATH", MATH_THINK + "The probability is $\\boxed{\\dfrac{3}{4}}$.", "\\frac{3}{4}", 1.0),
    ("lighteval/MATH", MATH_THINK.replace("3/4", "2/3") + "The probability is $\\boxed{\\dfrac{2}{3}}$.", "\\frac{3}{4}", 0.0),
    ("lighteval/MATH", MATH_THINK + "It is $\\boxed{\\frac{3}{4}}$ or possibly $\\boxed{\\frac{2}{3}}$.", "\\frac{3}{4}", 0.0),
    ("lighteval/MATH", "<think>\nThe bag has 6 red and 2 blue marbles, so the probability of", "\\frac{3}{4}", 0.0),
    ("openai/gsm8k", GSM_THINK + "Natalia sold $\\boxed{72}$ clips.", "72", 1.0),
    ("openai/gsm8k", GSM_THINK.replace("24", "48").replace("72", "96") + "The answer is $\\boxed{96}$.", "72", 0.0),
    ("openai/gsm8k", GSM_THINK + "Final answer: 72", 72, 1.0),
    ("math_dapo", "Half of one is \\boxed{0.5}.", np.array(["\\frac{1}{2}", "0.5"], dtype=object), 1.0),
    ("math_dapo", "Half of one is \\boxed{0.25}.", ["\\frac{1}{2}"], 0.0),
    ("Idavidrein/gpqa", MCQ_THINK + "The answer is (C).", "C", 1.0),
    ("Idavidrein/gpqa", MCQ_THINK + "The answer is (B).", "C", 0.0),
    ("Idavidrein/gpqa", MCQ_THINK + "So the answer is A or C.", "C", 0.0),
    ("Idavidrein/gpqa", MCQ_THINK + "I would go with (A) or (C).", "C", 0.0),
    ("lighteval/MATH", MATH_THINK + "The probability is $\\boxed{\\dfrac{3}{4}}$.", "", 0.0),  # bad gold
]
EXPECTED = [s[3] for s in SAMPLES]
BAD_GOLD = [0.0] * (len(SAMPLES) - 1) + [1.0]
PROMPT = "<|im_start|>user\nSolve the problem and put the final answer in \\boxed{}.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    """A byte-level BPE tokenizer trained on the test texts, saved and loaded by veRL's hf_tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<|endoftext|>", "<|pad|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator([s[1] for s in SAMPLES] + [PROMPT], trainer)
    path = tmp_path_factory.mktemp("tokenizer")
    PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|pad|>", clean_up_tokenization_spaces=False
    ).save_pretrained(path)
    return hf_tokenizer(str(path))


def make_config(path: str = PKG, name: str = "compute_score", **reward_kwargs):
    base = OmegaConf.load(os.path.join(os.path.dirname(verl.__file__), "trainer", "config", "_generated_ppo_trainer.yaml"))
    overrides = [f"reward.custom_reward_function.path={path}", f"reward.custom_reward_function.name={name}"]
    overrides += [f"+reward.custom_reward_function.reward_kwargs.{k}={v}" for k, v in reward_kwargs.items()]
    # OmegaConf's dotlist takes hydra's "key=value"; "+" (add a key) is hydra syntax only
    return OmegaConf.merge(base, OmegaConf.from_dotlist([o.lstrip("+") for o in overrides]))


def make_batch(tokenizer, samples=SAMPLES) -> DataProto:
    """What the rollout hands to the reward loop: left-padded prompts, right-padded responses."""
    pad = tokenizer.pad_token_id
    prompt_ids = tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    responses = [tokenizer(s[1], add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id] for s in samples]
    p, r = len(prompt_ids) + 3, max(map(len, responses)) + 5
    prompts = torch.full((len(samples), p), pad)
    resp = torch.full((len(samples), r), pad)
    mask = torch.zeros((len(samples), p + r), dtype=torch.long)
    for i, ids in enumerate(responses):
        prompts[i, p - len(prompt_ids):] = torch.tensor(prompt_ids)
        resp[i, : len(ids)] = torch.tensor(ids)
        mask[i, p - len(prompt_ids): p + len(ids)] = 1
    non_tensors = {
        "data_source": np.array([s[0] for s in samples], dtype=object),
        "reward_model": np.array([{"ground_truth": s[2], "style": "rule"} for s in samples], dtype=object),
        "extra_info": np.array([{"split": "train", "index": i} for i in range(len(samples))], dtype=object),
        "uid": np.array([f"uid-{i // 4}" for i in range(len(samples))], dtype=object),
    }
    tensors = {"prompts": prompts, "responses": resp, "attention_mask": mask, "input_ids": torch.cat([prompts, resp], 1)}
    return DataProto.from_dict(tensors=tensors, non_tensors=non_tensors)


def run_reward_loop(manager, data: DataProto):
    """RewardLoopWorker.compute_score_batch on the manager's loop, then RewardLoopManager's assembly."""
    worker = RewardLoopWorker.__new__(RewardLoopWorker)  # the Ray actor class, without its tokenizer download
    worker.config, worker.reward_manager, worker.loop = manager.config, manager, manager.loop
    outputs = manager.loop.run_until_complete(worker.compute_score_batch(data))
    scores = [o["reward_score"] for o in outputs]
    rm_scores = type(manager).assemble_rm_scores(data, scores)
    infos = [o.get("reward_extra_info", {}) for o in outputs]
    keys = list(infos[0].keys())
    extra = {key: np.array([info[key] for info in infos]) for key in keys}  # KeyError on a missing key
    return outputs, rm_scores, extra


def check_results(outputs, rm_scores, extra, data):
    assert [o["reward_score"] for o in outputs] == EXPECTED
    # the score sits on the last valid response token
    resp_len = data.batch["responses"].shape[1]
    last = data.batch["attention_mask"][:, -resp_len:].sum(1) - 1
    assert rm_scores[torch.arange(len(data)), last].tolist() == EXPECTED
    assert rm_scores.sum().item() == sum(EXPECTED)
    assert list(extra) == KEYS
    assert extra["acc"].tolist() == EXPECTED
    assert extra["bad_gold"].tolist() == BAD_GOLD
    assert extra["no_answer"].tolist()[3] == 1.0
    assert extra["pred"].tolist()[0] == "\\dfrac{3}{4}" and extra["pred"].tolist()[9] == "(C)"
    assert extra["verifier"].tolist()[9] == "mcq"
    assert extra["error"].sum() == 0 and extra["timeout"].sum() == 0


def test_pkg_path_naive_manager(tokenizer):
    config = make_config()
    manager = load_reward_manager(config, tokenizer)
    assert isinstance(manager, NaiveRewardManager) and not manager.is_async_reward_score
    data = make_batch(tokenizer)
    # the manager decodes the responses itself
    assert tokenizer.decode(data.batch["responses"][0], skip_special_tokens=True) == SAMPLES[0][1]
    check_results(*run_reward_loop(manager, data), data)


def test_run_single_returns_dict_with_extra_keys(tokenizer):
    manager = load_reward_manager(make_config(), tokenizer)
    data = make_batch(tokenizer)
    out = manager.loop.run_until_complete(manager.run_single(data[9:10]))
    assert out["reward_score"] == 1.0
    assert list(out["reward_extra_info"]) == KEYS and out["reward_extra_info"]["pred"] == "(C)"


def test_async_variant(tokenizer):
    manager = load_reward_manager(make_config(name="compute_score_async"), tokenizer)
    assert manager.is_async_reward_score  # veRL awaits it on its loop instead of a thread
    data = make_batch(tokenizer)
    check_results(*run_reward_loop(manager, data), data)


def test_file_path(tokenizer):
    manager = load_reward_manager(make_config(path=os.path.abspath(adapter.__file__)), tokenizer)
    data = make_batch(tokenizer)
    check_results(*run_reward_loop(manager, data), data)


def test_reward_kwargs_override_routing(tokenizer):
    # reward_kwargs.verifier applies to every sample: "format" ignores the gold, so only the samples
    # with <think>...</think><answer>...</answer> would score, and none of these has <answer> tags.
    manager = load_reward_manager(make_config(verifier="format"), tokenizer)
    data = make_batch(tokenizer)
    outputs, _, extra = run_reward_loop(manager, data)
    assert [o["reward_score"] for o in outputs] == [0.0] * len(SAMPLES)
    assert extra["bad_gold"].sum() == 0


def test_batch_reward_manager_plural_arguments(tokenizer):
    for name in ("compute_score", "compute_score_batch"):
        fn = get_custom_reward_fn(make_config(name=name))
        manager = BatchRewardManager(tokenizer=tokenizer, num_examine=0, compute_score=fn)
        data = make_batch(tokenizer)
        out = manager(data, return_dict=True)
        resp_len = data.batch["responses"].shape[1]
        last = data.batch["attention_mask"][:, -resp_len:].sum(1) - 1
        assert out["reward_tensor"][torch.arange(len(data)), last].tolist() == EXPECTED
        info = out["reward_extra_info"]
        assert list(info) == KEYS and info["bad_gold"] == BAD_GOLD and info["acc"] == EXPECTED


def test_signatures():
    assert inspect.iscoroutinefunction(adapter.compute_score_async)
    params = inspect.signature(adapter.compute_score).parameters
    assert list(params)[:4] == ["data_source", "solution_str", "ground_truth", "extra_info"]


def test_ray_reward_loop_manager(tokenizer):
    """The whole path of a training step: RewardLoopManager starts RewardLoopWorker Ray actors, each
    loads the function from pkg://, the batch is split across them, and the manager stacks the keys."""
    import ray
    from verl.experimental.reward_loop.reward_loop import RewardLoopManager

    config = make_config()
    config.actor_rollout_ref.model.path = tokenizer.name_or_path  # the workers load the tokenizer themselves
    config.reward.num_workers = 2
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        data = make_batch(tokenizer)
        out = RewardLoopManager(config).compute_rm_score(data)
    finally:
        ray.shutdown()
    assert out.batch["rm_scores"].sum(dim=1).tolist() == EXPECTED
    assert out.meta_info["reward_extra_keys"] == KEYS
    assert out.non_tensor_batch["acc"].tolist() == EXPECTED
    assert out.non_tensor_batch["bad_gold"].tolist() == BAD_GOLD
