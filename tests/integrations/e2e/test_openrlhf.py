"""The shipped reward file inside OpenRLHF's own executor (run by ``nox -s openrlhf``).

``SingleTurnAgentExecutor(remote_rm_url=<our file>)`` is what OpenRLHF's rollout actor builds for
``--reward.remote_url /path/reward.py``: it imports the file with importlib, tokenizes the prompt,
asks the generation engine for a continuation, decodes prompt + response *with* special tokens
and calls ``reward_func([query], [prompt], [label])`` in a thread. The engine (vLLM in OpenRLHF)
is not under test: a local stand-in returns the token ids of scripted, realistic responses,
encoded by a byte-level BPE tokenizer trained here and ended by ``<|im_end|>`` as a chat model
would. Every case asserts the executor's reward is what :func:`rlvr_rewards.check` gives for the
response, and what it should be (so a reward that always returns 1 or 0 fails).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import torch
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

from rlvr_rewards import check
from rlvr_rewards.integrations.openrlhf import plugin_path

try:
    import openrlhf
    from openrlhf.utils.agent import SingleTurnAgentExecutor
except ImportError as exc:  # pragma: no cover - an environment problem, said plainly
    raise ImportError(
        "openrlhf must be installed with --no-deps (the '# no-deps:' line of "
        "tests/integrations/e2e/constraints-openrlhf.txt; noxfile.py's openrlhf session does it)"
    ) from exc

LONG_THINK = (
    "<think>\nWe need the probability that two fair coins do not both show tails. The sample space is "
    "{HH, HT, TH, TT}, four equally likely outcomes. Only TT fails, so three of the four outcomes "
    "succeed. Let me double-check by the complement: P(TT) = 1/2 * 1/2 = 1/4, hence 1 - 1/4 = 3/4.\n</think>\n\n"
)
# (label, response, expected reward, expected outcome)
CASES = [
    ("\\frac{3}{4}", LONG_THINK + "The probability is $\\boxed{\\dfrac{3}{4}}$.", 1.0, "correct"),
    ("\\frac{3}{4}", LONG_THINK + "Rounding, the probability is $\\boxed{0.7}$.", 0.0, "incorrect"),
    ("12", "<think>\nThe edges could be counted twice.\n</think>\n\nIt is either $\\boxed{12}$ or $\\boxed{13}$.", 0.0, "incorrect"),
    ("C", "<think>\nOption A ignores friction and B double counts; C balances the forces.\n</think>\n\nThe answer is (C).", 1.0, "correct"),
    ("C", "Eliminating A and D, I pick B.\n\n**Answer:** B", 0.0, "incorrect"),
    ("", "The answer is $\\boxed{5}$.", 0.0, "bad_gold"),
    ("7", "<think>\nLet me set up the recurrence a_n = a_{n-1} + 2 and then", 0.0, "no_answer"),
    ("1,000", "<think>\n10^3 = 1000.\n</think>\n\nSo the total is \\boxed{1000} dollars.", 1.0, "correct"),
]
QUESTION = "Answer the question; put the final answer in \\boxed{}."
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def make_tokenizer() -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([r for _, r, _, _ in CASES] * 3 + [QUESTION, "user assistant"], trainer)
    tok.add_tokens([AddedToken("<think>", normalized=False), AddedToken("</think>", normalized=False)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<|endoftext|>", eos_token="<|im_end|>",
        additional_special_tokens=specials[1:], chat_template=CHAT_TEMPLATE,
    )


@dataclass
class SamplingParams:
    """The fields of vllm.SamplingParams the executor reads."""

    max_tokens: int | None = 256
    logprobs: int | None = None


class ScriptedEngine:
    """Stand-in for OpenRLHF's vLLM actor: returns the next scripted response as token ids."""

    def __init__(self, tokenizer, responses):
        self.tokenizer, self.responses, self.seen = tokenizer, list(responses), []

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        self.seen.append(list(prompt_token_ids))
        text, finished = self.responses.pop(0)
        ids = self.tokenizer(text + ("<|im_end|>" if finished else ""), add_special_tokens=False)["input_ids"]
        await asyncio.sleep(0)
        out = SimpleNamespace(token_ids=ids, text=text, finish_reason="stop" if finished else "length", logprobs=None)
        return SimpleNamespace(outputs=[out])


def prompt_for(tok) -> str:
    return tok.apply_chat_template([{"role": "user", "content": QUESTION}], tokenize=False, add_generation_prompt=True)


async def run_executor(executor, tok, cases):
    engine = ScriptedEngine(tok, [(r, outcome != "no_answer") for _, r, _, outcome in cases])
    prompt = prompt_for(tok)
    # sequentially, so the scripted responses pair with their labels
    outputs = []
    for label, *_ in cases:
        outputs.append(await executor.execute(prompt, label, SamplingParams(), 2048, tok, engine))
    return outputs


def test_single_turn_executor_loads_shipped_file_and_rewards_generated_samples():
    tok = make_tokenizer()
    executor = SingleTurnAgentExecutor(remote_rm_url=plugin_path())
    assert executor.reward_func is not None and callable(executor.reward_func)
    outputs = asyncio.run(run_executor(executor, tok, CASES))
    prompt = prompt_for(tok)
    for (label, response, reward, outcome), out in zip(CASES, outputs):
        assert isinstance(out["reward"], torch.Tensor) and out["reward"].shape == (1,)
        assert out["reward"].dtype == torch.float32
        v = check(response, label)
        assert v.outcome.value == outcome, (response, label, v)
        assert out["reward"].item() == pytest.approx(reward) == pytest.approx(v.score)
        assert out["scores"].item() == pytest.approx(reward)
        logs = out["extra_logs"]
        assert logs[f"rlvr/{outcome}"].item() == 1.0
        assert sum(t.item() for t in logs.values()) == 1.0
        # what OpenRLHF's SamplesGenerator._process_response_into_experience does with them
        assert torch.tensor([out["reward"]]).shape == torch.tensor([out["scores"]]).shape == (1,)
        assert torch.tensor([out["scores"]])[0].item() == pytest.approx(reward)  # dynamic filtering reads this
        info = {k: torch.tensor([v.flatten()[0].item()]) for k, v in logs.items()}
        assert info[f"rlvr/{outcome}"].item() == 1.0
        # the sample the executor built: prompt tokens, then the response span
        (start, end), = out["action_ranges"]
        assert tok.decode(out["observation_tokens"][:start]) == prompt
        assert out["truncated"] is (outcome == "no_answer")


def test_reward_func_called_as_openrlhf_does_with_special_tokens_and_batches():
    """The loaded module's reward_func directly, the way `_fetch_rewards_via_func` calls it:
    positional (queries, prompts, labels) in a thread; queries decoded with special tokens."""
    tok = make_tokenizer()
    spec = importlib.util.spec_from_file_location("reward_func", plugin_path())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    prompt = prompt_for(tok)
    queries = [tok.decode(tok(prompt + r + "<|im_end|><|endoftext|>")["input_ids"]) for _, r, _, _ in CASES]
    labels = [label for label, *_ in CASES]

    async def call():
        return await asyncio.gather(asyncio.to_thread(module.reward_func, queries, [prompt] * len(CASES), labels))

    (result,) = asyncio.run(call())
    assert result["rewards"].shape == result["scores"].shape == (len(CASES),)
    assert result["rewards"].tolist() == [reward for *_, reward, _ in CASES]
    for k, t in result["extra_logs"].items():
        assert t.shape == (len(CASES),), k
    assert result["extra_logs"]["rlvr/bad_gold"].tolist() == [float(o == "bad_gold") for *_, o in CASES]


def test_spec_from_environment(monkeypatch):
    """RLVR_VERIFIER picks the spec when OpenRLHF loads the file; an unknown one fails at load."""
    tok = make_tokenizer()
    monkeypatch.setenv("RLVR_VERIFIER", "accuracy + 0.1*format")
    executor = SingleTurnAgentExecutor(remote_rm_url=plugin_path())
    r1 = "<think>\n3 + 4 = 7\n</think>\n<answer>7</answer>"
    cases = [("7", r1, 1.1, "correct"), ("7", "<think>\n3 + 4 = 7\n</think>\nThe answer is \\boxed{7}.", 1.0, "correct"),
             ("8", r1, 0.1, "incorrect")]
    outputs = asyncio.run(run_executor(executor, tok, cases))
    assert [round(o["reward"].item(), 6) for o in outputs] == [1.1, 1.0, 0.1]
    monkeypatch.setenv("RLVR_VERIFIER", "acuracy")  # typo
    with pytest.raises(KeyError, match="acuracy"):
        SingleTurnAgentExecutor(remote_rm_url=plugin_path())


def test_versions():
    assert openrlhf.__file__ and importlib.metadata.version("openrlhf") == "0.11.2"
