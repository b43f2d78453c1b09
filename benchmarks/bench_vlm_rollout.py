"""Throughput of :func:`rlvr_rewards.vlm.rollout.rollout`: generated tokens/s and images/s.

Runs on a GPU when there is one (bfloat16), else on CPU (float32, slowly). Without ``--model``
it builds a tiny random model with :mod:`rlvr_rewards.testing` (no downloads); with
``--model PATH`` it loads real local weights (e.g. SmolVLM-256M-Instruct or
Qwen2.5-VL-3B-Instruct saved with ``save_pretrained``) through ``AutoModelForImageTextToText``
and ``AutoProcessor``. Prompts are synthetic: random-noise images and short questions.

Usage::

    python benchmarks/bench_vlm_rollout.py                          # tiny Qwen2.5-VL
    python benchmarks/bench_vlm_rollout.py --arch idefics3          # tiny SmolVLM / Idefics3
    python benchmarks/bench_vlm_rollout.py --model /models/SmolVLM-256M-Instruct \\
        --prompts 64 --k 8 --batch-size 8 --max-new-tokens 256
    python benchmarks/bench_vlm_rollout.py --backend vllm --model /models/Qwen2.5-VL-3B-Instruct

Options:
  --arch {qwen2_5_vl,idefics3}  tiny architecture when no --model (default qwen2_5_vl)
  --model PATH          local model directory (default: a tiny random model)
  --prompts N           number of prompts (default 16)
  --images-per-prompt N images per prompt (default 1)
  --image-size W H      noise image size in pixels (default 224 224; tiny models downscale)
  --k K                 samples per prompt (default 4)
  --batch-size B        prompts per generate call (default 4)
  --max-new-tokens T    (default 64)
  --temperature X       (default 1.0)
  --backend {transformers,vllm}  (default transformers)
  --device D, --dtype D overrides (default: cuda + bf16 when available, else cpu + fp32)
  --warmup N            prompts of untimed warm-up (default 2)
  --json PATH           also write the figures as JSON

Reports: wall time, prompts, samples, images, generated tokens, tokens/s, images/s (prompt
images processed per second; each image is encoded once per prompt), samples/s, and the share of
samples that hit the token limit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", choices=["qwen2_5_vl", "idefics3"], default="qwen2_5_vl")
    ap.add_argument("--model", default=None)
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--images-per-prompt", type=int, default=1)
    ap.add_argument("--image-size", type=int, nargs=2, default=[224, 224])
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--backend", choices=["transformers", "vllm"], default="transformers")
    ap.add_argument("--device", default=None)
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    import torch
    import transformers

    from rlvr_rewards import testing as tiny
    from rlvr_rewards.vlm.records import VLMRecord
    from rlvr_rewards.vlm.rollout import rollout

    tmp = None
    model_path = args.model
    if model_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_vlm_")
        model_path = tmp.name
        build = tiny.build_tiny_qwen2_5_vl if args.arch == "qwen2_5_vl" else tiny.build_tiny_idefics3
        build(model_path)

    n_img = args.images_per_prompt
    images = tiny.random_images(max(1, args.prompts * n_img), size=tuple(args.image_size), seed=0)
    records = [
        VLMRecord(id=f"p{i}", question=f"How many objects are in the picture? Count them ({i}).",
                  answer=str(i % 10), images=images[i * n_img:(i + 1) * n_img])
        for i in range(args.prompts)
    ]
    kw = dict(k=args.k, max_new_tokens=args.max_new_tokens, temperature=args.temperature,
              batch_size=args.batch_size, device=args.device, dtype=args.dtype,
              backend=args.backend, progress=False)

    model = model_path
    processor = None
    if args.backend == "transformers":  # load once, outside the timed region
        from rlvr_rewards.vlm.rollout import load_model, load_processor

        model = load_model(model_path, device=args.device, dtype=args.dtype)
        processor = load_processor(model_path)
    elif args.backend == "vllm":
        from vllm import LLM

        model = LLM(model=model_path, limit_mm_per_prompt={"image": max(1, n_img)})
    if args.warmup:
        rollout(records[:args.warmup], model, processor, **(kw | {"max_new_tokens": 4}))

    cuda = torch.cuda.is_available() and (args.device or "cuda").startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    rolls = rollout(records, model, processor, seed=0, **kw)
    if cuda:
        torch.cuda.synchronize()
    wall = time.perf_counter() - t0

    tokens = sum(r.num_tokens for r in rolls)
    n_images = sum(len(r.images) for r in records)
    result = {
        "model": args.model or f"tiny-{args.arch} (random)",
        "backend": args.backend,
        "device": torch.cuda.get_device_name(0) if cuda else f"cpu ({os.cpu_count()} cores, {platform.machine()})",
        "torch": torch.__version__, "transformers": transformers.__version__,
        "prompts": len(records), "k": args.k, "samples": len(rolls), "images": n_images,
        "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "wall_s": round(wall, 3), "generated_tokens": tokens,
        "tokens_per_s": round(tokens / wall, 1), "images_per_s": round(n_images / wall, 2),
        "samples_per_s": round(len(rolls) / wall, 2),
        "hit_limit": round(sum(r.finish_reason == "length" for r in rolls) / max(1, len(rolls)), 3),
    }
    for key, val in result.items():
        print(f"{key:>18}: {val}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    if tmp is not None:
        tmp.cleanup()
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
