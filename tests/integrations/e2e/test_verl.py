"""veRL 0.9.1: our compute_score loaded and called by veRL's own reward managers.

Runs only in ``nox -s verl``. The config is veRL's own full trainer config
(``verl/trainer/config/_generated_ppo_trainer.yaml``) with command-line style overrides;
``load_reward_manager`` resolves ``reward.custom_reward_function.path=pkg://...`` (or a file path)
and builds the naive reward manager, whose ``run_single`` runs on the manager's own event loop
(awaited per sample by ``RewardLoopWorker.compute_score_batch``, as in a Ray reward worker).
Scores go through ``assemble_rm_scores`` and the extra keys are stacked the way
``RewardLoopManager.compute_rm_score`` does (``KeyError`` if a sample lacks a key). The batch
reward manager (veRL <= 0.6) calls the plural-argument form. The Ray test runs the real thing:
``RewardLoopManager`` with two ``RewardLoopWorker`` Ray actors on a local Ray instance.

The VLM recipe: a parquet mixing image rows and text-only rows padded with a blank image (our
export, ``blank_image=``) read back through veRL's own ``RLHFDataset``; and its format-gated ±1
reward with a judge fallback (``compute_score_vlm``) through ``load_reward_manager`` and the
reward loop, with the scripted judge server (tests/support/fake_server.py) as the judge, given as
``reward_kwargs.judge_url`` or as veRL's reward-router address.

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


# ----------------------------------------------------------------------------- the VLM recipe


def test_mixed_parquet_through_rlhf_dataset(tmp_path):
    """Image rows and text-only rows in one parquet (text rows get a blank image of the size asked
    for), read by veRL's RLHFDataset: every row's ``<image>`` tags match its images, and veRL's
    message builder puts one image block per tag."""
    from verl.utils.dataset.rl_dataset import RLHFDataset

    from rlvr_rewards import testing as tiny
    from rlvr_rewards.vlm.export import export_verl_parquet
    from rlvr_rewards.vlm.records import VLMRecord
    from rlvr_rewards.vlm.synthetic import clevr_counting

    images = clevr_counting(3, seed=0, size=56)
    texts = [VLMRecord(id=f"text-{i}", question=f"What is {i} + {i}?", answer=str(2 * i), domain="math", source="openai/gsm8k")
             for i in range(1, 4)]
    records = [r for pair in zip(images, texts) for r in pair]  # interleaved
    path = export_verl_parquet(records, tmp_path / "mixed.parquet", template="r1", blank_image=(64, 48))

    _, processor = tiny.build_tiny_qwen2_5_vl()
    config = OmegaConf.create({"prompt_key": "prompt", "image_key": "images", "max_prompt_length": 4096,
                               "filter_overlong_prompts": False, "cache_dir": str(tmp_path / "cache")})
    ds = RLHFDataset(str(path), processor.tokenizer, config, processor=processor)
    assert len(ds) == len(records)
    for i, rec in enumerate(records):
        raw_row = ds.dataframe[i]
        tags = sum(m["content"].count("<image>") for m in raw_row["prompt"])
        assert tags == len(raw_row["images"]) == 1  # every row, text-only ones included
        padded = not rec.images
        assert raw_row["extra_info"]["blank_image"] is padded
        item = ds[i]
        blocks = [b for m in item["raw_prompt"] if isinstance(m["content"], list) for b in m["content"] if b["type"] == "image"]
        assert len(blocks) == 1
        image = blocks[0]["image"]
        if padded:
            assert image.size == (64, 48) and image.getextrema() == ((255, 255), (255, 255), (255, 255))
        else:
            assert image.size == (56, 56)
        assert item["reward_model"]["ground_truth"] == rec.answer
    # the chat template renders one vision block per image
    text = processor.apply_chat_template(ds[1]["raw_prompt"], add_generation_prompt=True, tokenize=False)
    assert text.count("<|image_pad|>") == 1 and "What is 1 + 1?" in text


def _vlm_samples():
    think = "<think>\nI count the shapes in the picture one by one.\n</think>\n"
    return [  # (data_source, response, ground_truth, expected score)
        ("clevr", think + "<answer>3</answer>", "3", 1.0),             # format ok, rules: correct
        ("clevr", think + "<answer>three</answer>", "3", 1.0),         # rules: no (words), judge: yes
        ("clevr", think + "<answer>4</answer>", "3", -1.0),            # rules: no, judge: no
        ("clevr", "The answer is 3.", "3", -1.0),                      # format fails: -1, judge not asked
        ("clevr", think + "<answer>3 or 4</answer>", "3", -1.0),       # a hedge: never shown to the judge
        ("clevr", think + "<answer>3</answer>", "", 0.0),              # bad gold: 0, flagged
    ]


@pytest.fixture(scope="module")
def vlm_tokenizer(tmp_path_factory):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<|pad|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([s[1] for s in _vlm_samples()] + [PROMPT], trainer)
    path = tmp_path_factory.mktemp("vlm_tokenizer")
    PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|pad|>",
                            clean_up_tokenization_spaces=False).save_pretrained(path)
    return hf_tokenizer(str(path))


@pytest.fixture(scope="module")
def judge_server():
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # tests/: support.fake_server
    from support.fake_server import ScriptedJudgeServer

    with ScriptedJudgeServer() as server:
        yield server


@pytest.mark.parametrize("how", ["judge_url", "reward_router_address"])
def test_vlm_reward_through_reward_manager(vlm_tokenizer, judge_server, how):
    """``custom_reward_function.name=compute_score_vlm``: veRL loads it, its reward loop calls it per
    sample, the scripted judge overturns the rules' "no" on "three" and confirms it on "4"."""
    samples = _vlm_samples()
    kwargs = {"judge_model": judge_server.model}
    manager_kwargs = {}
    if how == "judge_url":
        kwargs["judge_url"] = judge_server.url
    else:  # a reward model served by veRL: its router address reaches the function
        manager_kwargs["reward_router_address"] = judge_server.url.removeprefix("http://").removesuffix("/v1")
    manager = load_reward_manager(make_config(name="compute_score_vlm", **kwargs), vlm_tokenizer, **manager_kwargs)
    data = make_batch(vlm_tokenizer, samples)
    outputs, rm_scores, extra = run_reward_loop(manager, data)
    expected = [s[3] for s in samples]
    assert [o["reward_score"] for o in outputs] == expected
    resp_len = data.batch["responses"].shape[1]
    last = data.batch["attention_mask"][:, -resp_len:].sum(1) - 1
    assert rm_scores[torch.arange(len(data)), last].tolist() == expected
    assert list(extra) == KEYS
    assert extra["verifier"].tolist()[1] == "judge"  # the judge decided "three"
    assert extra["acc"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert extra["bad_gold"].tolist() == [0.0] * 5 + [1.0]
    asked = {(r.output or "").strip() for r in judge_server.requests}
    assert asked <= {"three", "4"}, asked  # the format failure, the hedge and the bad gold never reached it


def test_vlm_reward_by_verifier_name_and_without_judge(vlm_tokenizer):
    """``verl_vlm`` / ``format_gated`` are registered names; without a judge URL ``verl_vlm`` stops
    the run at its first call (naming the setting), and ``judge=false`` gives the rules-only ±1."""
    from rlvr_rewards import list_verifiers

    assert {"verl_vlm", "format_gated"} <= set(list_verifiers())
    samples = _vlm_samples()
    manager = load_reward_manager(make_config(name="compute_score_vlm", judge="false"), vlm_tokenizer)
    outputs, _, extra = run_reward_loop(manager, make_batch(vlm_tokenizer, samples))
    assert [o["reward_score"] for o in outputs] == [1.0, -1.0, -1.0, -1.0, -1.0, 0.0]  # no judge: "three" is wrong
    env = {k: os.environ.pop(k) for k in ("REWARD_MODEL_URL",) if k in os.environ}
    try:
        with pytest.raises(ValueError, match="judge URL"):
            adapter.compute_score_vlm("clevr", samples[0][1], "3", None)
    finally:
        os.environ.update(env)
    # by name from compute_score's reward_kwargs.verifier (the judge from REWARD_MODEL_URL): rules-only variant
    manager = load_reward_manager(make_config(verifier="format_gated"), vlm_tokenizer)
    outputs, _, _ = run_reward_loop(manager, make_batch(vlm_tokenizer, samples))
    assert [o["reward_score"] for o in outputs] == [1.0, -1.0, -1.0, -1.0, -1.0, 0.0]


def test_vlm_reward_async_variant(vlm_tokenizer, judge_server):
    manager = load_reward_manager(make_config(name="compute_score_vlm_async", judge_url=judge_server.url,
                                              judge_model=judge_server.model), vlm_tokenizer)
    assert manager.is_async_reward_score  # awaited on veRL's loop; grading and the judge call in a thread
    outputs, _, _ = run_reward_loop(manager, make_batch(vlm_tokenizer, _vlm_samples()))
    assert [o["reward_score"] for o in outputs] == [s[3] for s in _vlm_samples()]
