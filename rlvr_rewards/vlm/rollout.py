"""Sample K completions per prompt from a vision-language model, save them, score them.

.. code-block:: python

    from rlvr_rewards.vlm.rollout import rollout, score_rollouts, save_rollouts
    rolls = rollout(records, "/models/SmolVLM-256M-Instruct", k=8, template="r1",
                    max_new_tokens=512, temperature=1.0, seed=0)
    rolls = score_rollouts(rolls, records)            # verifier from prompts.reward_spec
    save_rollouts(rolls, "rollouts.jsonl")

``backend="transformers"`` (default) loads the model with ``AutoModelForImageTextToText`` and
``AutoProcessor``, renders each record with the processor's chat template, and generates in
batches of ``batch_size`` prompts (left padding) with ``num_return_sequences=k``; CUDA and
bfloat16 when available, CPU and float32 otherwise. ``backend="vllm"`` runs ``LLM.generate``
with ``multi_modal_data`` and ``SamplingParams(n=k)`` (the ``vllm`` extra).

Each :class:`~rlvr_rewards.vlm.records.Rollout` records the completion text (special tokens
removed), its token count (generated tokens up to and including the end-of-sequence token,
padding excluded — as vLLM counts ``token_ids``) and the finish reason: ``"length"`` when it
ran to ``max_new_tokens`` without an end-of-sequence token, else ``"stop"``.

Image-placeholder tokens (``<image>``, ``<|image_pad|>``, …) are never sampled: a random or
weak model that emitted one would feed an image slot with no image back into the model.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from typing import Any

from .prompts import build_messages, reward_spec
from .records import Rollout, VLMRecord

__all__ = ["load_model", "load_processor", "load_rollouts", "rollout", "save_rollouts",
           "score_rollouts"]

_ROLLOUT_KEYS = ("prompt_id", "sample_index", "completion", "num_tokens", "finish_reason", "score",
                 "outcome")


# ----------------------------------------------------------------------------- loading

_video_none = threading.local()  # .depth > 0: this thread is building an image-only processor
_patch_lock = threading.Lock()
_patch: dict[str, Any] = {"users": 0, "original": None}


@contextmanager
def _allow_missing_video_processor():
    """Lets a processor be built with ``video_processor=None``, in the calling thread only.

    transformers 5 gives Qwen2-VL-family processors a video processor that needs torchvision;
    without torchvision the processor cannot be built at all, although images need none of it.
    The check is wrapped class-wide while any thread is inside this block, but the wrapper lets
    ``None`` through only for the threads inside it: other threads keep the original check.
    """
    from transformers import ProcessorMixin

    with _patch_lock:
        if _patch["users"] == 0:
            original = _patch["original"] = ProcessorMixin.check_argument_for_proper_class

            def check(self: Any, name: str, arg: Any) -> Any:
                if name == "video_processor" and arg is None and getattr(_video_none, "depth", 0):
                    return None
                return original(self, name, arg)

            ProcessorMixin.check_argument_for_proper_class = check  # type: ignore[method-assign]
        _patch["users"] += 1
    _video_none.depth = getattr(_video_none, "depth", 0) + 1
    try:
        yield
    finally:
        _video_none.depth -= 1
        with _patch_lock:
            _patch["users"] -= 1
            if _patch["users"] == 0:
                ProcessorMixin.check_argument_for_proper_class = _patch["original"]  # type: ignore[method-assign]
                _patch["original"] = None


def image_only_processor(processor_cls: Any, image_processor: Any, tokenizer: Any,
                         chat_template: str | None = None) -> Any:
    """``processor_cls(image_processor, tokenizer, video_processor=None)`` even where torchvision
    is missing (see :func:`load_processor`)."""
    with _allow_missing_video_processor():
        return processor_cls(image_processor=image_processor, tokenizer=tokenizer,
                             video_processor=None, chat_template=chat_template)


def load_processor(path: str | os.PathLike) -> Any:
    """``AutoProcessor.from_pretrained(path)``; for Qwen2-VL / Qwen2.5-VL checkpoints where the
    video processor cannot be loaded (transformers 5 without torchvision), the processor is built
    from the tokenizer and image processor alone."""
    from transformers import AutoConfig, AutoImageProcessor, AutoProcessor, AutoTokenizer

    try:
        return AutoProcessor.from_pretrained(path)
    except Exception as exc:  # noqa: BLE001 - re-raised unless the fallback applies
        error = exc
    model_type = getattr(AutoConfig.from_pretrained(path), "model_type", "")
    if model_type not in ("qwen2_vl", "qwen2_5_vl"):
        raise error
    import transformers

    cls = getattr(transformers, "Qwen2_5_VLProcessor" if model_type == "qwen2_5_vl" else "Qwen2VLProcessor")
    tokenizer = AutoTokenizer.from_pretrained(path)
    image_processor = AutoImageProcessor.from_pretrained(path)
    template = getattr(tokenizer, "chat_template", None)
    jinja = os.path.join(path, "chat_template.jinja")
    if os.path.exists(jinja):
        with open(jinja, encoding="utf-8") as fh:
            template = fh.read()
    return image_only_processor(cls, image_processor, tokenizer, template)


def _resolve_device_dtype(device: Any, dtype: Any) -> tuple[Any, Any]:
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(device)
    if isinstance(dtype, str) and dtype == "auto":
        dtype = None
    if dtype is None:
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            dtype = torch.bfloat16
        else:
            dtype = torch.float32
    elif isinstance(dtype, str):
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}.get(dtype) \
            or getattr(torch, dtype)
    return device, dtype


def load_model(path: str | os.PathLike, *, device: Any = None, dtype: Any = None) -> Any:
    """``AutoModelForImageTextToText.from_pretrained(path)`` on ``device`` in ``dtype``."""
    from transformers import AutoModelForImageTextToText

    device, dtype = _resolve_device_dtype(device, dtype)
    model = AutoModelForImageTextToText.from_pretrained(path, dtype=dtype)
    return model.to(device).eval()


# ----------------------------------------------------------------------------- rollout

def rollout(
    records: Sequence[VLMRecord],
    model: Any,
    processor: Any = None,
    *,
    k: int = 4,
    template: str = "final_answer",
    max_new_tokens: int = 256,
    temperature: float = 1.0,
    top_p: float = 1.0,
    batch_size: int = 4,
    seed: int = 0,
    device: Any = None,
    dtype: Any = None,
    backend: str = "transformers",
    progress: bool = True,
) -> list[Rollout]:
    """``k`` sampled completions for each record, in record order then sample order.

    ``model`` is a local path or a loaded model (a ``vllm.LLM`` for ``backend="vllm"``);
    ``processor`` defaults to the one saved with the model. ``batch_size`` counts prompts per
    ``generate`` call (each yields ``k`` sequences). ``temperature=0`` is greedy decoding (the
    ``k`` samples are then identical). Sampling is seeded: the same arguments give the same
    completions on the same hardware and library versions.
    """
    records = list(records)
    if k < 1:
        raise ValueError("k must be at least 1")
    if backend == "vllm":
        return _rollout_vllm(records, model, processor, k=k, template=template,
                             max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p,
                             seed=seed, dtype=dtype, progress=progress)
    if backend != "transformers":
        raise ValueError(f"unknown backend {backend!r}: use 'transformers' or 'vllm'")
    return _rollout_transformers(records, model, processor, k=k, template=template,
                                 max_new_tokens=max_new_tokens, temperature=temperature,
                                 top_p=top_p, batch_size=batch_size, seed=seed, device=device,
                                 dtype=dtype, progress=progress)


def _as_list(x: Any) -> list[int]:
    if x is None:
        return []
    return [int(v) for v in (x if isinstance(x, (list, tuple)) else [x])]


def _placeholder_ids(model: Any, processor: Any) -> list[int]:
    tokenizer = processor.tokenizer
    ids: set[int] = set()
    cfg = model.config
    for name in ("image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id",
                 "image_token_index"):
        ids.update(_as_list(getattr(cfg, name, None)))
    for name in ("image_token_id", "video_token_id", "fake_image_token_id", "global_image_token_id"):
        ids.update(_as_list(getattr(processor, name, None)))
    ids.update(_as_list(getattr(processor, "row_col_ids", None)))
    for tok in ("<image>", "<|image_pad|>", "<|video_pad|>", "<|vision_start|>", "<|vision_end|>",
                "<fake_token_around_image>", "<global-img>"):
        tid = tokenizer.convert_tokens_to_ids(tok)
        if tid is not None and tid != tokenizer.unk_token_id:
            ids.add(int(tid))
    vocab = model.get_output_embeddings().weight.shape[0]
    return sorted(i for i in ids if 0 <= i < vocab)


def _finish(ids: list[int], eos: set[int], max_new_tokens: int) -> tuple[int, str]:
    """(token count, finish reason) for one generated row (padding after the end included)."""
    for i, t in enumerate(ids):
        if t in eos:
            return i + 1, "stop"
    return len(ids), ("length" if len(ids) >= max_new_tokens else "stop")


def _rollout_transformers(records: list[VLMRecord], model: Any, processor: Any, *, k: int,
                          template: str, max_new_tokens: int, temperature: float, top_p: float,
                          batch_size: int, seed: int, device: Any, dtype: Any,
                          progress: bool) -> list[Rollout]:
    import torch
    from tqdm.auto import tqdm

    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        model = load_model(path, device=device, dtype=dtype)
        processor = processor if processor is not None else load_processor(path)
    else:
        if processor is None:
            processor = load_processor(model.config._name_or_path)
        if device is not None or dtype is not None:
            dev, dt = _resolve_device_dtype(device, dtype)
            model = model.to(device=dev, dtype=dt)
        model.eval()
    tokenizer = processor.tokenizer
    tokenizer.padding_side = "left"
    gen_cfg = model.generation_config
    eos = set(_as_list(gen_cfg.eos_token_id)) | set(_as_list(tokenizer.eos_token_id))
    pad_id = gen_cfg.pad_token_id
    if pad_id is None:
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(eos)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token_id = pad_id
    suppress = _placeholder_ids(model, processor)
    sample = temperature > 0
    gen_kwargs: dict[str, Any] = dict(
        max_new_tokens=max_new_tokens, do_sample=sample, eos_token_id=sorted(eos),
        pad_token_id=pad_id, suppress_tokens=suppress or None,
    )
    if sample:
        gen_kwargs.update(temperature=temperature, top_p=top_p, top_k=0, num_return_sequences=k)
    else:
        gen_kwargs.update(temperature=None, top_p=None, top_k=None)

    out: list[Rollout] = []
    bar = tqdm(total=len(records), desc="rollout", unit="prompt", disable=not progress)
    for b, start in enumerate(range(0, len(records), max(1, batch_size))):
        batch = records[start:start + max(1, batch_size)]
        texts = [processor.apply_chat_template(build_messages(r, template), add_generation_prompt=True,
                                               tokenize=False) for r in batch]
        images = [[im.convert("RGB") for im in r.images] for r in batch]
        kwargs: dict[str, Any] = {"text": texts, "return_tensors": "pt", "padding": True}
        if any(images):
            kwargs["images"] = images
        inputs = processor(**kwargs).to(model.device)
        for key, val in inputs.items():
            if torch.is_floating_point(val):
                inputs[key] = val.to(model.dtype)
        torch.manual_seed(seed + b)
        with torch.inference_mode():
            seqs = model.generate(**inputs, **gen_kwargs)
        gen = seqs[:, inputs["input_ids"].shape[1]:].tolist()
        if not sample:
            gen = [row for row in gen for _ in range(k)]
        for i, rec in enumerate(batch):
            for j in range(k):
                ids = gen[i * k + j]
                n, reason = _finish(ids, eos, max_new_tokens)
                text = tokenizer.decode(ids[:n], skip_special_tokens=True)
                out.append(Rollout(prompt_id=rec.id, sample_index=j, completion=text, num_tokens=n,
                                   finish_reason=reason))
        bar.update(len(batch))
    bar.close()
    return out


def _rollout_vllm(records: list[VLMRecord], model: Any, processor: Any, *, k: int, template: str,
                  max_new_tokens: int, temperature: float, top_p: float, seed: int, dtype: Any,
                  progress: bool) -> list[Rollout]:
    try:
        from vllm import LLM, SamplingParams
    except ImportError as exc:  # pragma: no cover - needs the vllm extra
        raise ImportError("backend='vllm' needs vllm: pip install vllm") from exc

    max_images = max((len(r.images) for r in records), default=0)
    if isinstance(model, LLM):
        llm = model
        path = llm.model_config.model
    else:
        path = os.fspath(model)
        kwargs: dict[str, Any] = {"seed": seed, "limit_mm_per_prompt": {"image": max(1, max_images)}}
        if dtype is not None:
            kwargs["dtype"] = dtype if isinstance(dtype, str) else str(dtype).replace("torch.", "")
        llm = LLM(model=path, **kwargs)
    if processor is None:
        processor = load_processor(path)
    prompts = []
    for r in records:
        text = processor.apply_chat_template(build_messages(r, template), add_generation_prompt=True,
                                             tokenize=False)
        prompt: dict[str, Any] = {"prompt": text}
        if r.images:
            prompt["multi_modal_data"] = {"image": [im.convert("RGB") for im in r.images]}
        prompts.append(prompt)
    params = SamplingParams(n=k, temperature=temperature, top_p=top_p, max_tokens=max_new_tokens,
                            seed=seed, skip_special_tokens=True)
    outputs = llm.generate(prompts, params, use_tqdm=progress)
    out: list[Rollout] = []
    for rec, res in zip(records, outputs):
        for j, c in enumerate(sorted(res.outputs, key=lambda c: c.index)):
            out.append(Rollout(prompt_id=rec.id, sample_index=j, completion=c.text,
                               num_tokens=len(c.token_ids),
                               finish_reason="length" if c.finish_reason == "length" else "stop"))
    return out


# ----------------------------------------------------------------------------- io and scoring

def save_rollouts(rollouts: Iterable[Rollout], path: str | os.PathLike) -> None:
    """One JSON object per line: prompt_id, sample_index, completion, num_tokens,
    finish_reason, score, outcome."""
    with open(path, "w", encoding="utf-8") as fh:
        for r in rollouts:
            fh.write(json.dumps({key: getattr(r, key) for key in _ROLLOUT_KEYS}, ensure_ascii=False))
            fh.write("\n")


def load_rollouts(path: str | os.PathLike) -> list[Rollout]:
    """Read :func:`save_rollouts` output (unknown keys are ignored, blank lines skipped)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append(Rollout(**{key: row.get(key) for key in _ROLLOUT_KEYS}))
    return out


def score_rollouts(rollouts: Sequence[Rollout], records: Sequence[VLMRecord],
                   verifier: Any = None, *, template: str | None = None,
                   **grade_kwargs: Any) -> list[Rollout]:
    """Fill ``score`` and ``outcome`` in place (and return the rollouts) with
    :func:`rlvr_rewards.check_batch` against each record's gold and options.

    ``verifier`` defaults to :func:`~rlvr_rewards.vlm.prompts.reward_spec` of each record (with
    ``template`` when given, so R1-style prompts add the format reward). ``score`` is the
    verdict's reward (``None`` for an unusable gold); ``outcome`` its outcome name.
    """
    from rlvr_rewards import check_batch

    by_id = {r.id: r for r in records}
    missing = {r.prompt_id for r in rollouts} - by_id.keys()
    if missing:
        raise KeyError(f"rollouts for unknown prompt ids: {sorted(missing)[:5]}")
    groups: dict[Any, list[int]] = {}
    for i, r in enumerate(rollouts):
        spec = verifier if verifier is not None else reward_spec(by_id[r.prompt_id], template=template)
        groups.setdefault(spec if isinstance(spec, str) else id(spec), []).append(i)
    for idxs in groups.values():
        spec = verifier if verifier is not None else reward_spec(by_id[rollouts[idxs[0]].prompt_id],
                                                                 template=template)
        recs = [by_id[rollouts[i].prompt_id] for i in idxs]
        verdicts = check_batch([rollouts[i].completion for i in idxs], [r.answer for r in recs],
                               verifier=spec, options=[r.options for r in recs],
                               questions=[r.question for r in recs], **grade_kwargs)
        for i, v in zip(idxs, verdicts):
            rollouts[i].score = v.reward
            rollouts[i].outcome = getattr(v.outcome, "value", str(v.outcome))
    return list(rollouts)
