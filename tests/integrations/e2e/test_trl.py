"""Our reward functions inside real TRL trainers (run by ``nox -s trl``).

No model hub: the tokenizer is trained here with the ``tokenizers`` library (byte-level BPE), and
the tiny Qwen2 / Qwen2.5-VL models are built from configs. Their weights are set so that the
model is a *bigram sampler* over a handful of scripted reasoning traces: attention and MLP
outputs are zero, so the last hidden state is the current token's embedding (one-hot) and
``lm_head`` holds log P(next | current). Sampling then stitches realistic pieces together —
``<think>`` blocks, boxed answers, ``<answer>`` tags, MCQ letters, hedges ("\\boxed{4} or
\\boxed{5}"), wrong answers, unfinished thoughts — so the rewards the trainer logs are a mix of
1, 0 and None, and a reward that always returns 1 (or 0) fails. Each test asserts that the
metric TRL logged is exactly what :func:`rlvr_rewards.check` gives for the completions the
trainer actually generated (captured as our reward functions were called).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import subprocess
import sys

import pytest
import torch
import trl
from datasets import Dataset
from PIL import Image
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, TrainerCallback

from rlvr_rewards import check
from rlvr_rewards.integrations.trl import (
    RewardFunction,
    accuracy_reward,
    accuracy_reward_async,
    format_reward,
    make_reward,
    mcq_reward,
)

# Weighted reasoning traces the bigram model samples from (no newline and no ":" inside, so the
# token that ends a prompt never occurs in them and every completion starts a trace).
SCRIPTS = [
    (3, "<think> Let me add the two numbers, 2 + 2 = 4, checked twice. </think> The answer is \\boxed{4}."),
    (2, "<think> Two plus two is five? Hmm. </think> \\boxed{4} or \\boxed{5}"),
    (2, "<think> Half of one is a half. </think> <answer> \\frac{1}{2} </answer>"),
    (2, "The correct option is (B)."),
    (1, "I think the answer is \\boxed{7}."),
]
QUESTIONS = ["What is 2 + 2?", "What is half of one?", "Which option is right? (A) red (B) blue", "Compute 3 + 4."]
GOLDS = ["4", "\\frac{1}{2}", "B", "\\boxed{}"]  # the last gold is unusable: rewards must be None there
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# --------------------------------------------------------------------------- tiny models


def make_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained here, wrapped with Qwen-style special tokens and a chat template."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|image_pad|>", "<|vision_end|>", "<|video_pad|>"]
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    corpus = [s for _, s in SCRIPTS] + QUESTIONS + ["Solution", "user assistant system"]
    tok.train_from_iterator(corpus * 5, trainer)
    tok.add_tokens([AddedToken("<think>", special=False, normalized=False), AddedToken("</think>", special=False, normalized=False)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<|endoftext|>", eos_token="<|im_end|>",
        additional_special_tokens=specials[1:], chat_template=CHAT_TEMPLATE,
    )


def bigram_logits(tok: PreTrainedTokenizerFast) -> torch.Tensor:
    """log P(next | current) over the vocabulary: the scripts' transitions, a script start after any other token."""
    V = len(tok)
    counts = torch.zeros(V, V)
    starts = torch.zeros(V)
    for weight, text in SCRIPTS:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        starts[ids[0]] += weight
        for a, b in zip(ids, ids[1:] + [tok.eos_token_id]):
            counts[a, b] += weight
    in_script = counts.sum(1) > 0
    probs = torch.where(in_script[:, None], counts, starts[None, :]) + 1e-6
    return (probs / probs.sum(1, keepdim=True)).log()


def _make_bigram(lm: torch.nn.Module, lm_head: torch.nn.Linear, logits: torch.Tensor) -> None:
    V, H = logits.shape[0], lm_head.weight.shape[1]
    with torch.no_grad():
        for p in lm.parameters():
            p.zero_()
        lm.embed_tokens.weight[:, :V].copy_(torch.eye(V))
        lm.norm.weight.fill_(1.0)
        for layer in lm.layers:
            layer.input_layernorm.weight.fill_(1.0)
            layer.post_attention_layernorm.weight.fill_(1.0)
        # RMSNorm turns the one-hot e_i into sqrt(H) * e_i
        lm_head.weight.zero_()
        lm_head.weight[:, :V].copy_(logits.T / math.sqrt(H))


def tiny_qwen2(tok: PreTrainedTokenizerFast) -> Qwen2ForCausalLM:
    V = len(tok)
    H = -(-V // 8) * 8
    cfg = Qwen2Config(
        vocab_size=V, hidden_size=H, intermediate_size=8, num_hidden_layers=1, num_attention_heads=H // 8,
        num_key_value_heads=1, head_dim=8, max_position_embeddings=256, tie_word_embeddings=False,
        pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=None,
    )
    model = Qwen2ForCausalLM(cfg)
    _make_bigram(model.model, model.lm_head, bigram_logits(tok))
    return model


def tiny_qwen2_5_vl(tok: PreTrainedTokenizerFast):
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
    )
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    class ImageOnlyProcessor(Qwen2_5_VLProcessor):
        """Qwen2.5-VL's processor without its video processor (which needs torchvision)."""

        @classmethod
        def get_attributes(cls):
            return ["image_processor", "tokenizer"]

    images = Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=56 * 56, patch_size=14, merge_size=2, temporal_patch_size=2)
    processor = ImageOnlyProcessor(image_processor=images, tokenizer=tok, chat_template=CHAT_TEMPLATE)
    V = len(tok)
    H = -(-V // 8) * 8
    ids = tok.convert_tokens_to_ids
    cfg = Qwen2_5_VLConfig(
        text_config=dict(
            vocab_size=V, hidden_size=H, intermediate_size=8, num_hidden_layers=1, num_attention_heads=H // 8,
            num_key_value_heads=H // 8, max_position_embeddings=512, tie_word_embeddings=False,
            rope_scaling={"type": "mrope", "mrope_section": [1, 1, 2]},
            pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=None,
        ),
        vision_config=dict(
            depth=1, hidden_size=16, intermediate_size=16, num_heads=2, out_hidden_size=H, patch_size=14,
            spatial_merge_size=2, temporal_patch_size=2, window_size=56, fullatt_block_indexes=[0],
        ),
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"),
        tie_word_embeddings=False,
    )
    model = Qwen2_5_VLForConditionalGeneration(cfg)
    _make_bigram(model.model.language_model, model.lm_head, bigram_logits(tok))
    return model, processor


# --------------------------------------------------------------------------- recording and checks


class Recorder:
    """Wraps one of our reward functions and records what TRL passed and what we returned."""

    def __init__(self, func: RewardFunction, gold_key: str = "solution"):
        self.func, self.gold_key, self.calls = func, gold_key, []
        self.__name__ = func.__name__

    def __call__(self, **kwargs):
        out = self.func(**kwargs)
        self.calls.append((kwargs["completions"], kwargs[self.gold_key], out, kwargs))
        return out


class AsyncRecorder(Recorder):
    async def __call__(self, **kwargs):
        out = await self.func(**kwargs)
        self.calls.append((kwargs["completions"], kwargs[self.gold_key], out, kwargs))
        return out


class LogCapture(TrainerCallback):
    def __init__(self):
        self.logs = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "reward" in logs:
            self.logs.append(dict(logs))


def as_text(completion) -> str:
    """What the model wrote, independently of the adapter: TRL's split-out reasoning goes back in <think>."""
    if isinstance(completion, str):
        return completion
    parts = []
    for m in completion:
        if m.get("role") == "assistant":
            reasoning = m.get("reasoning_content")
            parts.append((f"<think>{reasoning}</think>" if reasoning else "") + (m.get("content") or ""))
    return "\n".join(parts)


def expected_rewards(completions, golds, verifier):
    return [check(as_text(c), g, verifier=verifier).reward for c, g in zip(completions, golds)]


def nanmean(values):
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else float("nan")


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-5)


def assert_logged_as_checked(recorders, verifiers, weights, logs):
    """Per step: each reward call matches check(), and TRL's logged metrics are those values."""
    n_steps = len(logs)
    all_rewards = []
    for rec, verifier in zip(recorders, verifiers):
        assert len(rec.calls) == n_steps, f"{rec.__name__} was called {len(rec.calls)} times for {n_steps} steps"
        for (completions, golds, got, _), log in zip(rec.calls, logs):
            want = expected_rewards(completions, golds, verifier)
            assert got == want, f"{rec.__name__}: {list(zip(map(as_text, completions), golds, got, want))}"
            assert same(log[f"rewards/{rec.__name__}/mean"], nanmean(want))
            n = len(want)
            outcomes = [check(as_text(c), g, verifier=verifier).outcome.value for c, g in zip(completions, golds)]
            for outcome in ("correct", "bad_gold", "no_answer", "incorrect"):
                assert same(log[f"rewards/{rec.__name__}/{outcome}"], outcomes.count(outcome) / n)
            all_rewards.append(want)
    # TRL's total reward: the weighted sum per completion (None skipped), averaged over the scorable rows
    for step, log in enumerate(logs):
        per_func = [all_rewards[i * n_steps + step] for i in range(len(recorders))]
        totals = []
        for row in zip(*per_func):
            if all(r is None for r in row):
                continue
            totals.append(sum(w * r for w, r in zip(weights, row) if r is not None))
        assert same(log["reward"], sum(totals) / len(totals))


def assert_realistic(recorder):
    """The sampled completions really exercised correct, wrong, hedged and bad-gold cases."""
    rewards = [r for _, _, out, _ in recorder.calls for r in out]
    texts = [as_text(c) for completions, _, _, _ in recorder.calls for c in completions]
    assert 1.0 in rewards and 0.0 in rewards and None in rewards, rewards
    assert any("<think>" in t for t in texts)
    assert any(" or \\boxed" in t or " or \\frac" in t for t in texts), "no hedged completion was sampled"


def grpo_args(tmp_path, **overrides):
    from trl import GRPOConfig

    kwargs = dict(
        output_dir=str(tmp_path / "out"), per_device_train_batch_size=8, num_generations=4, max_completion_length=32,
        max_steps=2, logging_steps=1, use_cpu=True, bf16=False, report_to="none", save_strategy="no", beta=0.0,
        seed=0, learning_rate=1e-3, disable_tqdm=True,
    )
    kwargs.update(overrides)
    return GRPOConfig(**kwargs)


@pytest.fixture
def tokenizer():
    return make_tokenizer()


# --------------------------------------------------------------------------- trainers


def test_grpo_standard_prompts(tmp_path, tokenizer):
    from trl import GRPOTrainer

    dataset = Dataset.from_dict({"prompt": [q + " Solution:" for q in QUESTIONS], "solution": GOLDS})
    r1 = make_reward("accuracy + 0.1*format", name="r1_reward")
    recorders = [Recorder(accuracy_reward), Recorder(format_reward), Recorder(r1)]
    logs = LogCapture()
    trainer = GRPOTrainer(
        model=tiny_qwen2(tokenizer), processing_class=tokenizer, reward_funcs=recorders, train_dataset=dataset,
        args=grpo_args(tmp_path, reward_weights=[1.0, 0.1, 0.5]), callbacks=[logs],
    )
    trainer.train()
    assert len(logs.logs) == 2
    assert all(isinstance(c, str) for completions, *_ in recorders[0].calls for c in completions)
    assert_logged_as_checked(recorders, ["accuracy", "format", "accuracy + 0.1*format"], [1.0, 0.1, 0.5], logs.logs)
    assert_realistic(recorders[0])
    # log_extra: our answer/outcome columns reached TRL's completions table
    assert list(trainer._logs["extra"]["accuracy_reward/outcome"])


def test_grpo_conversational_prompts_with_reasoning_split(tmp_path, tokenizer):
    """Chat prompts; TRL parses completions with a Qwen3 response template, so `<think>` arrives as
    `reasoning_content`. Async accuracy reward, gold in an `answer` column, and the MCQ reward."""
    from trl import GRPOTrainer
    from trl.chat_template_utils import qwen3_template

    tok = make_tokenizer()
    tok.response_template = qwen3_template
    dataset = Dataset.from_dict({"prompt": [[{"role": "user", "content": q}] for q in QUESTIONS], "answer": GOLDS})
    recorders = [AsyncRecorder(accuracy_reward_async, "answer"), Recorder(mcq_reward, "answer")]
    logs = LogCapture()
    trainer = GRPOTrainer(
        model=tiny_qwen2(tok), processing_class=tok, reward_funcs=recorders, train_dataset=dataset,
        args=grpo_args(tmp_path), callbacks=[logs],
    )
    trainer.train()
    completions = [c for cs, *_ in recorders[0].calls for c in cs]
    assert all(isinstance(c, list) and c[0]["role"] == "assistant" for c in completions)
    assert any(c[0].get("reasoning_content") for c in completions), "TRL did not split any <think> block out"
    assert_logged_as_checked(recorders, ["accuracy", "mcq"], [1.0, 1.0], logs.logs)
    assert_realistic(recorders[0])


def test_grpo_vision_language(tmp_path, tokenizer):
    """A tiny Qwen2.5-VL with an `images` column: images reach the model, our reward reads the text."""
    from trl import GRPOTrainer

    model, processor = tiny_qwen2_5_vl(tokenizer)
    colours = ["red", "green", "blue", "white"]
    dataset = Dataset.from_dict({
        "prompt": [[{"role": "user", "content": q}] for q in QUESTIONS],
        "images": [[Image.new("RGB", (56, 56), c)] for c in colours],
        "solution": GOLDS,
    })
    recorders = [Recorder(accuracy_reward)]
    logs = LogCapture()
    trainer = GRPOTrainer(
        model=model, processing_class=processor, reward_funcs=recorders, train_dataset=dataset,
        args=grpo_args(tmp_path), callbacks=[logs],
    )
    trainer.train()
    for _, _, _, kwargs in recorders[0].calls:
        assert all(isinstance(imgs[0], Image.Image) for imgs in kwargs["images"])
    assert_logged_as_checked(recorders, ["accuracy"], [1.0], logs.logs)
    assert_realistic(recorders[0])


def test_grpo_on_the_vlm_trl_export(tmp_path, tokenizer):
    """The vlm pipeline's TRL export (conversational prompts with image blocks, an `images` column,
    the gold in `solution`) read back with `datasets` and consumed by GRPOTrainer with a tiny
    Qwen2.5-VL, rewarded by our accuracy reward."""
    from datasets import load_from_disk
    from trl import GRPOTrainer

    from rlvr_rewards.vlm.export import export_trl
    from rlvr_rewards.vlm.synthetic import generate

    records = generate(8, seed=0)
    for r in records:  # the tiny processor works at one fixed 56x56 resolution
        r.images = [im.convert("RGB").resize((56, 56)) for im in r.images]
    dataset = load_from_disk(str(export_trl(records, tmp_path / "trl_export")))
    assert {"prompt", "images", "solution"} <= set(dataset.column_names)
    model, processor = tiny_qwen2_5_vl(tokenizer)
    recorders = [Recorder(accuracy_reward)]
    logs = LogCapture()
    trainer = GRPOTrainer(
        model=model, processing_class=processor, reward_funcs=recorders, train_dataset=dataset,
        args=grpo_args(tmp_path), callbacks=[logs],
    )
    trainer.train()
    assert recorders[0].calls
    for _, _, _, kwargs in recorders[0].calls:
        assert all(isinstance(img, Image.Image) for imgs in kwargs["images"] for img in imgs)
        assert set(kwargs["solution"]) <= {r.answer for r in records}
    assert_logged_as_checked(recorders, ["accuracy"], [1.0], logs.logs)


def test_rloo_trainer(tmp_path, tokenizer):
    from trl import RLOOConfig, RLOOTrainer

    dataset = Dataset.from_dict({"prompt": [q + " Solution:" for q in QUESTIONS], "solution": GOLDS})
    recorders = [Recorder(accuracy_reward), Recorder(format_reward)]
    logs = LogCapture()
    args = RLOOConfig(
        output_dir=str(tmp_path / "out"), per_device_train_batch_size=8, num_generations=4, max_completion_length=32,
        max_steps=2, logging_steps=1, use_cpu=True, bf16=False, report_to="none", save_strategy="no",
        seed=0, learning_rate=1e-3, disable_tqdm=True, beta=0.0,
    )
    trainer = RLOOTrainer(
        model=tiny_qwen2(tokenizer), processing_class=tokenizer, reward_funcs=recorders, train_dataset=dataset,
        args=args, callbacks=[logs],
    )
    trainer.train()
    assert_logged_as_checked(recorders, ["accuracy", "format"], [1.0, 1.0], logs.logs)
    assert_realistic(recorders[0])


def test_trl_grpo_cli_dotted_path(tmp_path, tokenizer):
    """`trl grpo --reward_funcs rlvr_rewards.integrations.trl.accuracy_reward` resolves our callable."""
    model_dir, data_dir = tmp_path / "model", tmp_path / "data"
    tiny_qwen2(tokenizer).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    data_dir.mkdir()
    with open(data_dir / "train.jsonl", "w") as f:
        for q, g in zip(QUESTIONS, GOLDS):
            f.write(json.dumps({"prompt": q + " Solution:", "solution": g}) + "\n")
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "trl"), "grpo",
        "--model_name_or_path", str(model_dir), "--dataset_name", str(data_dir),
        "--reward_funcs", "rlvr_rewards.integrations.trl.accuracy_reward", "rlvr_rewards.integrations.trl.format_reward",
        "--output_dir", str(tmp_path / "out"), "--max_steps", "1", "--per_device_train_batch_size", "8",
        "--num_generations", "4", "--max_completion_length", "24", "--logging_steps", "1", "--use_cpu",
        "--bf16", "false", "--report_to", "none", "--save_strategy", "no", "--beta", "0", "--dtype", "float32",
        "--disable_tqdm", "true",
    ]
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")  # no hub here
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    # Only our callables log outcome fractions: TRL did not fall back to its own accuracy_reward.
    assert "rewards/accuracy_reward/correct" in out and "rewards/format_reward/bad_gold" in out, out[-4000:]


def test_trl_helpers_see_our_callables():
    """TRL's own helpers: names, async detection, pickling (async GRPO spawns a process)."""
    from trl.trainer.utils import get_callable_name, is_async_callable

    assert get_callable_name(accuracy_reward) == "accuracy_reward"
    assert get_callable_name(make_reward("mcq", name="letters")) == "letters"
    assert not is_async_callable(accuracy_reward)
    assert is_async_callable(accuracy_reward_async)
    for f in (accuracy_reward, accuracy_reward_async, format_reward, make_reward("r1", gold_key="answer")):
        g = pickle.loads(pickle.dumps(f))
        assert g.__name__ == f.__name__ and is_async_callable(g) == is_async_callable(f)
    assert trl.__version__ == "1.16.0"
