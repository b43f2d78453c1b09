"""``rlvr_rewards.testing``: tiny, randomly initialised vision-language models built locally (no
hub, no downloads), for an offline smoke test of the ``vlm`` pipeline and the trainer set-ups.

For tests, benchmarks and users' smoke tests of the rollout path: a Qwen2.5-VL
(``Qwen2_5_VLForConditionalGeneration``) and an Idefics3 / SmolVLM
(``Idefics3ForConditionalGeneration``) with a few layers of width 32–64, a BPE tokenizer trained
on a small built-in corpus with the ``tokenizers`` library (wrapped in ``PreTrainedTokenizerFast``
with the special tokens each processor needs), the library's own image processors at small
sizes, and a chat template in the style of the real checkpoint.

.. code-block:: python

    from rlvr_rewards import testing
    model, processor = testing.build_tiny_qwen2_5_vl("/tmp/tiny-qwen")   # also saved there
    model, processor = testing.build_tiny_idefics3("/tmp/tiny-smolvlm")
    images = testing.random_images(2, seed=0)

``flat_logits=True`` zeroes the LM head so that sampling is uniform over the vocabulary (the
end-of-sequence token comes up with probability 1/V per step): handy when a test needs both
finished ("stop") and truncated ("length") samples.

For trainers that hard-code Qwen's token ids (ms-swift's Qwen2.5-VL template expands
``<|image_pad|>`` = 151655), ``qwen_token_ids=True`` gives the special tokens their ids in the
real checkpoint (``<|endoftext|>`` 151643 … ``<|video_pad|>`` 151656; the ids in between are
unused placeholder tokens), and ``patch_size=7`` (14 pixels per merged token, like the real
model's 28) accepts any image that ``qwen_vl_utils`` resizes to multiples of 28 pixels.
``answers=["2", "3", "4"]`` sets two otherwise unused directions of the residual stream so the
model replies with exactly one of those tokens, uniformly at random, then end-of-turn: a random
model whose completions are sometimes right, so rewards vary within a GRPO group.

The outputs are noise; the models exist to exercise the real preprocessing, batching and
``generate`` paths. Needs the ``vlm`` extra (torch, transformers, tokenizers, pillow), imported
only when a builder runs: ``import rlvr_rewards.testing`` itself is light. (The scripted judge
server and the worker probes of the package's own tests live in ``tests/support/``, outside the
package.)
"""

from __future__ import annotations

import os
import random
from typing import Any

__all__ = [
    "CORPUS",
    "QWEN_CHAT_TEMPLATE",
    "SMOLVLM_CHAT_TEMPLATE",
    "build_tiny_idefics3",
    "build_tiny_qwen2_5_vl",
    "QWEN_SPECIAL_IDS",
    "random_images",
    "train_tokenizer",
]

CORPUS = [
    "What is the area of the triangle? The base is 4 and the height is 6.",
    "Let me think step by step. The area is one half times base times height.",
    "So the area is 12. Final answer: 12",
    "<think> count the objects in the image </think> <answer> 3 </answer>",
    "How many cubes are left after removing all red spheres? Answer with a number.",
    "Choose the correct option. A. 30 B. 45 C. 60 D. 90",
    "The answer is \\boxed{\\frac{1}{2}} because the angle is 30 degrees.",
    "Given the figure, find x. x = 2 + 3 = 5, so the answer is C.",
    "There are 7 apples and 5 oranges; the total is 12 fruits.",
    "0 1 2 3 4 5 6 7 8 9 10 100 + - * / = ( ) [ ] { } . , : ; ? !",
    "Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.",
    "Question: what is shown in the chart? Options: A B C D E",
]

QWEN_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for c in message['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

SMOLVLM_CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{ message['role'] | capitalize }}"
    "{% if message['content'] is string %}: {{ message['content'] }}"
    "{% else %}{% if message['content'][0]['type'] == 'image' %}:{% else %}: {% endif %}"
    "{% for c in message['content'] %}"
    "{% if c['type'] == 'image' %}<image>{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<end_of_utterance>\n{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)

#: text a chat template adds around the messages (system prompt, newlines), in the corpus of the
#: ``qwen_token_ids`` tokenizer so that trainers' own templates tokenise without ``<unk>``
CHAT_CORPUS = [
    "You are a helpful assistant.\nsystem\nuser\nassistant\n",
    "A conversation between User and Assistant.\nThe user asks a question, and the Assistant solves it.\n",
]

_QWEN_SPECIALS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
    "<|image_pad|>", "<|video_pad|>",
]
#: the special tokens of the real Qwen2.5-VL tokenizer, at their ids there
QWEN_SPECIAL_IDS = {
    "<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645,
    "<|object_ref_start|>": 151646, "<|object_ref_end|>": 151647, "<|box_start|>": 151648,
    "<|box_end|>": 151649, "<|quad_start|>": 151650, "<|quad_end|>": 151651,
    "<|vision_start|>": 151652, "<|vision_end|>": 151653, "<|vision_pad|>": 151654,
    "<|image_pad|>": 151655, "<|video_pad|>": 151656,
}
_IDEFICS3_SPECIALS = (
    ["<|endoftext|>", "<|im_start|>", "<end_of_utterance>", "<image>", "<fake_token_around_image>",
     "<global-img>"]
    + [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)]
)


def train_tokenizer(
    special_tokens: list[str],
    *,
    vocab_size: int = 160,
    corpus: list[str] | None = None,
    unk_token: str = "<unk>",
    first_special_id: int | None = None,
    **named_specials: str,
) -> Any:
    """A Metaspace BPE tokenizer trained on ``corpus`` (default :data:`CORPUS`), wrapped in
    ``PreTrainedTokenizerFast``. ``special_tokens`` are added as special (never split) tokens;
    ``named_specials`` (``eos_token=…``, ``pad_token=…``) name some of them.

    ``vocab_size`` counts the special tokens; the trained part is as small as the corpus allows.
    With ``first_special_id``, the trained vocabulary is padded with unused ``<unused_N>``
    tokens (never produced by tokenisation) so that ``special_tokens`` get the consecutive ids
    from ``first_special_id`` on, as in a real checkpoint's tokenizer.
    """
    import json

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=unk_token))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    specials = [unk_token] + [s for s in special_tokens if s != unk_token]
    if first_special_id is None:
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False)
        tok.train_from_iterator(list(corpus or CORPUS) * 4, trainer=trainer)
    else:
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[unk_token], show_progress=False)
        tok.train_from_iterator(list(corpus or CORPUS) * 4, trainer=trainer)
        raw = json.loads(tok.to_str())
        vocab = raw["model"]["vocab"]
        if len(vocab) > first_special_id:
            raise ValueError(f"first_special_id={first_special_id} is below the trained vocabulary ({len(vocab)})")
        vocab.update({f"<unused_{i}>": i for i in range(len(vocab), first_special_id)})
        tok = Tokenizer.from_str(json.dumps(raw))
        tok.add_special_tokens([s for s in specials if s != unk_token])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token=unk_token, **named_specials)


def random_images(n: int, *, size: tuple[int, int] = (40, 32), seed: int = 0) -> list[Any]:
    """``n`` RGB noise images of ``size`` (width, height); sizes vary a little with the index so
    batches mix aspect ratios."""
    from PIL import Image

    rng = random.Random(seed)
    out = []
    for i in range(n):
        w, h = size[0] + 8 * (i % 3), size[1] + 8 * ((i + 1) % 2)
        out.append(Image.frombytes("RGB", (w, h), bytes(rng.getrandbits(8) for _ in range(w * h * 3))))
    return out


def answer_head(model: Any, tokenizer: Any, answers: list[str], eos: str, *, strength: float = 2.0) -> None:
    """Make ``model`` reply with one of ``answers`` (single tokens, uniformly) and then ``eos``.

    Two directions of the residual stream are reserved: the last one is 1 for every token (a
    constant, i.e. a bias for the output head), the one before it is 1 for the answer tokens
    only ("an answer was just written"). No layer writes to them (their rows of every
    attention-output and MLP-down projection are zero), so after the final norm they still say
    what the current token is. The output head then scores the answer tokens high and
    everything else low while no answer has been written, and end-of-turn high once one has.
    The rest of the weights stay random.
    """
    import torch

    ids = [tokenizer.convert_tokens_to_ids(a) for a in answers]
    unk = tokenizer.unk_token_id
    if any(i is None or i == unk for i in ids):
        raise ValueError(f"answers must be single tokens of the vocabulary: {answers}")
    eos_id = tokenizer.convert_tokens_to_ids(eos)
    emb, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    bias, wrote = emb.shape[1] - 1, emb.shape[1] - 2
    text = model.model.language_model if hasattr(model.model, "language_model") else model.model
    with torch.no_grad():
        emb[:, bias] = 1.0
        emb[:, wrote] = 0.0
        emb[ids, wrote] = 1.0
        for layer in text.layers:
            layer.self_attn.o_proj.weight[[bias, wrote], :] = 0.0
            layer.mlp.down_proj.weight[[bias, wrote], :] = 0.0
        head[:, bias] = -strength
        head[:, wrote] = 0.0
        head[ids, bias] = strength
        head[ids, wrote] = -strength
        head[eos_id, bias] = 0.0
        head[eos_id, wrote] = 2 * strength


def _finish(model: Any, tokenizer: Any, *, eos: str, pad: str, bos: str | None, seed: int,
            flat_logits: bool) -> None:
    import torch
    from transformers import GenerationConfig

    eos_id = tokenizer.convert_tokens_to_ids(eos)
    pad_id = tokenizer.convert_tokens_to_ids(pad)
    bos_id = tokenizer.convert_tokens_to_ids(bos) if bos else None
    model.generation_config = GenerationConfig(
        eos_token_id=eos_id, pad_token_id=pad_id, bos_token_id=bos_id, do_sample=True,
    )
    if flat_logits:
        with torch.no_grad():
            model.get_output_embeddings().weight.zero_()
    model.eval()


def build_tiny_qwen2_5_vl(
    path: str | os.PathLike | None = None,
    *,
    seed: int = 0,
    vocab_size: int = 160,
    hidden_size: int = 64,
    num_layers: int = 2,
    max_pixels: int = 32 * 32,
    flat_logits: bool = False,
    patch_size: int = 4,
    qwen_token_ids: bool = False,
    answers: list[str] | None = None,
) -> tuple[Any, Any]:
    """A tiny random ``Qwen2_5_VLForConditionalGeneration`` and its ``Qwen2_5_VLProcessor``.

    Patch size 4 (``patch_size``), merge size 2: an image is resized to a multiple of 8 pixels
    a side, at most ``max_pixels`` pixels, i.e. at most ``max_pixels / 64`` ``<|image_pad|>``
    tokens. ``qwen_token_ids`` and ``answers``: see the module doc. Saved with
    ``save_pretrained`` to ``path`` when given.
    """
    import torch
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessorPil,
    )

    if qwen_token_ids:
        tokenizer = train_tokenizer(list(QWEN_SPECIAL_IDS), vocab_size=vocab_size, eos_token="<|im_end|>",
                                    pad_token="<|endoftext|>", first_special_id=QWEN_SPECIAL_IDS["<|endoftext|>"],
                                    corpus=CORPUS + CHAT_CORPUS)
        assert all(tokenizer.convert_tokens_to_ids(t) == i for t, i in QWEN_SPECIAL_IDS.items())
    else:
        tokenizer = train_tokenizer(_QWEN_SPECIALS, vocab_size=vocab_size, eos_token="<|im_end|>",
                                    pad_token="<|endoftext|>")
    tokenizer.padding_side = "left"
    ids = tokenizer.convert_tokens_to_ids
    heads = 4
    head_dim = hidden_size // heads
    half = head_dim // 2  # mrope sections (temporal, height, width) split the rotary half-dim
    mrope = [half // 4, (half - half // 4) // 2, half - half // 4 - (half - half // 4) // 2]
    config = Qwen2_5_VLConfig(
        text_config=dict(
            vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
            num_hidden_layers=num_layers, num_attention_heads=heads, num_key_value_heads=2,
            max_position_embeddings=2048, rope_parameters={
                "rope_type": "default", "rope_theta": 10000.0, "mrope_section": mrope,
            },
            bos_token_id=None, eos_token_id=ids("<|im_end|>"), pad_token_id=ids("<|endoftext|>"),
        ),
        vision_config=dict(
            depth=2, hidden_size=32, intermediate_size=64, num_heads=2, patch_size=patch_size,
            spatial_merge_size=2, temporal_patch_size=2, window_size=4 * patch_size, out_hidden_size=hidden_size,
            fullatt_block_indexes=[1],
        ),
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"),
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    factor = 2 * patch_size
    image_processor = Qwen2VLImageProcessorPil(
        patch_size=patch_size, merge_size=2, temporal_patch_size=2,
        size={"shortest_edge": factor * factor, "longest_edge": max(max_pixels, factor * factor)},
    )
    try:
        from transformers import Qwen2VLVideoProcessor

        video_processor = Qwen2VLVideoProcessor(patch_size=patch_size, merge_size=2, temporal_patch_size=2)
        processor = Qwen2_5_VLProcessor(image_processor=image_processor, tokenizer=tokenizer,
                                        video_processor=video_processor,
                                        chat_template=QWEN_CHAT_TEMPLATE)
    except (ImportError, AttributeError, ValueError, TypeError):
        # transformers 5 without torchvision: no video processor (images need none)
        from .vlm.rollout import image_only_processor

        processor = image_only_processor(Qwen2_5_VLProcessor, image_processor, tokenizer,
                                         QWEN_CHAT_TEMPLATE)
    _finish(model, tokenizer, eos="<|im_end|>", pad="<|endoftext|>", bos=None, seed=seed,
            flat_logits=flat_logits)
    if answers:
        answer_head(model, tokenizer, list(answers), "<|im_end|>")
    if path is not None:
        model.save_pretrained(path)
        if getattr(processor, "video_processor", None) is not None:
            processor.save_pretrained(path)
        else:  # what the processor would save; rollout.load_processor rebuilds it
            tokenizer.chat_template = QWEN_CHAT_TEMPLATE
            tokenizer.save_pretrained(path)
            image_processor.save_pretrained(path)
            with open(os.path.join(path, "chat_template.jinja"), "w", encoding="utf-8") as fh:
                fh.write(QWEN_CHAT_TEMPLATE)
    return model, processor


def build_tiny_idefics3(
    path: str | os.PathLike | None = None,
    *,
    seed: int = 0,
    vocab_size: int = 200,
    hidden_size: int = 64,
    num_layers: int = 2,
    image_size: int = 32,
    do_image_splitting: bool = True,
    flat_logits: bool = False,
) -> tuple[Any, Any]:
    """A tiny random ``Idefics3ForConditionalGeneration`` (the SmolVLM architecture) and its
    ``Idefics3Processor``.

    Vision tiles of ``image_size`` pixels, patch size 8, pixel-shuffle scale 2: 4 ``<image>``
    tokens per tile; with ``do_image_splitting`` an image up to twice ``image_size`` is split
    into up to 2×2 tiles (``<row_i_col_j>`` tags) plus the global image. Saved to ``path`` when
    given.
    """
    import torch
    from transformers import (
        Idefics3Config,
        Idefics3ForConditionalGeneration,
        Idefics3ImageProcessorPil,
        Idefics3Processor,
    )

    tokenizer = train_tokenizer(_IDEFICS3_SPECIALS, vocab_size=vocab_size,
                                eos_token="<end_of_utterance>", pad_token="<|endoftext|>",
                                bos_token="<|im_start|>")
    tokenizer.padding_side = "left"
    ids = tokenizer.convert_tokens_to_ids
    patch, scale = 8, 2
    image_seq_len = (image_size // patch) ** 2 // scale**2
    config = Idefics3Config(
        text_config=dict(
            model_type="llama", vocab_size=len(tokenizer), hidden_size=hidden_size,
            intermediate_size=2 * hidden_size, num_hidden_layers=num_layers, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=4096, rms_norm_eps=1e-5,
            bos_token_id=ids("<|im_start|>"), eos_token_id=ids("<end_of_utterance>"),
            pad_token_id=ids("<|endoftext|>"), tie_word_embeddings=False,
        ),
        vision_config=dict(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
            image_size=image_size, patch_size=patch,
        ),
        image_token_id=ids("<image>"), scale_factor=scale, tie_word_embeddings=False,
        pad_token_id=ids("<|endoftext|>"),
    )
    torch.manual_seed(seed)
    model = Idefics3ForConditionalGeneration(config)
    image_processor = Idefics3ImageProcessorPil(
        size={"longest_edge": 2 * image_size}, max_image_size={"longest_edge": image_size},
        do_image_splitting=do_image_splitting,
    )
    processor = Idefics3Processor(image_processor=image_processor, tokenizer=tokenizer,
                                  image_seq_len=image_seq_len, chat_template=SMOLVLM_CHAT_TEMPLATE)
    _finish(model, tokenizer, eos="<end_of_utterance>", pad="<|endoftext|>", bos="<|im_start|>",
            seed=seed, flat_logits=flat_logits)
    if path is not None:
        model.save_pretrained(path)
        processor.save_pretrained(path)
    return model, processor
