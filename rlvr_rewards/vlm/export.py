"""Export records for GRPO trainers; every writer is checked by reading its output back.

- :func:`export_grpo_jsonl` — generic GRPO JSONL, images saved as PNG and referenced by path.
- :func:`export_verl_parquet` — veRL RL parquet (``data_source``, ``prompt`` with ``<image>``
  tags, ``images`` as the Hugging Face ``Image`` feature, ``ability``, ``reward_model``,
  ``extra_info`` with one struct for every row). ``blank_image=(w, h)`` gives every text-only
  row one blank white image (and its ``<image>`` tag), so text and image rows share one
  parquet as veRL's VLM recipe mixes them; ``extra_info["blank_image"]`` marks those rows.
- :func:`export_trl` — a TRL ``GRPOTrainer`` dataset (conversational ``prompt`` with image
  blocks, ``images``, gold in ``solution``) as ``save_to_disk`` directory and parquet.
- :func:`export_swift_jsonl` — ms-swift GRPO JSONL (``messages`` with ``<image>``, ``images`` as
  absolute paths, ``solution``; ``solution_format="<answer> {answer} </answer>"`` writes the
  R1-V / CLEVR solution column).

Each ``export_*`` returns the path written and raises :class:`ExportError` if the read-back
check fails (placeholders ≠ images, unreadable image, missing gold, ...).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .records import VLMRecord

_SAFE = re.compile(r"[^0-9A-Za-z._-]+")


class ExportError(RuntimeError):
    """An export did not read back as written."""


# ----------------------------------------------------------------------------- prompts

def render(record: VLMRecord, template: str = "final_answer", target: str = "trl") -> dict[str, Any]:
    """The target's prompt for ``record`` via :func:`rlvr_rewards.vlm.prompts.render`."""
    from . import prompts

    return prompts.render(record, template, target=target)


def reward_spec(record: VLMRecord) -> str:
    """The verifier a trainer should use for this record (``prompts.reward_spec``)."""
    from . import prompts
    from .analysis import answer_type

    return prompts.reward_spec([answer_type(record.answer)])


def _placeholders(messages: Any) -> int:
    n = 0
    for m in messages or []:
        c = m.get("content")
        if isinstance(c, str):
            n += c.count("<image>")
        elif isinstance(c, list):
            n += sum(1 for b in c if isinstance(b, dict) and b.get("type") == "image")
    return n


# ----------------------------------------------------------------------------- images

def image_name(record_id: str, i: int) -> str:
    return f"{_SAFE.sub('_', record_id)[:120]}_{i}.png"


def save_images(records: Sequence[VLMRecord], image_dir: str | Path) -> dict[str, list[Path]]:
    """Write every record's images as PNG under ``image_dir``; ``{record id: [absolute paths]}``."""
    d = Path(image_dir).resolve()
    d.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for r in records:
        paths = []
        for i, im in enumerate(r.images):
            p = d / image_name(r.id, i)
            if not p.exists():
                _rgb(im).save(p, format="PNG")
            paths.append(p)
        out[r.id] = paths
    return out


def _rgb(im: Any) -> Any:
    return im if im.mode in ("RGB", "L", "RGBA") else im.convert("RGB")


def _png_bytes(im: Any) -> bytes:
    buf = io.BytesIO()
    _rgb(im).save(buf, format="PNG")
    return buf.getvalue()


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ExportError(msg)


# ----------------------------------------------------------------------------- GRPO JSONL

def export_grpo_jsonl(records: Sequence[VLMRecord], path: str | Path, *, template: str = "final_answer",
                      image_paths: dict[str, list[Path]] | None = None) -> Path:
    """One JSON object a line: ``id, domain, sub_domain, format, prompt, gold, images`` (paths
    relative to the file's directory), ``options``, ``verifier``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image_paths = image_paths or save_images(records, path.parent / "images")
    base = path.parent.resolve()
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            row = {
                "id": r.id, "domain": r.domain, "sub_domain": r.sub_domain, "format": r.format,
                "prompt": render(r, template, "trl")["prompt"], "gold": r.answer,
                "images": [str(_rel(p, base)) for p in image_paths[r.id]], "options": r.options,
                "source": r.source, "verifier": reward_spec(r),
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    validate_grpo_jsonl(path, expected=len(records))
    return path


def _rel(p: Path, base: Path) -> Path:
    try:
        return p.resolve().relative_to(base)
    except ValueError:
        return p.resolve()


def validate_grpo_jsonl(path: str | Path, expected: int | None = None) -> int:
    path = Path(path)
    n = 0
    for n, row in _jsonl_rows(path):
        _check(bool(row.get("gold")), f"{path}: row {n} has no gold")
        _check(_placeholders(row["prompt"]) == len(row["images"]),
               f"{path}: row {n} ({row['id']}): {_placeholders(row['prompt'])} image blocks, {len(row['images'])} images")
        for p in row["images"]:
            _verify_image(path.parent / p)
    _check(expected is None or n == expected, f"{path}: {n} rows, expected {expected}")
    return n


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based row number, row) of a JSONL export, read line by line."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            yield n, json.loads(line)


def _verify_image(path: str | Path) -> None:
    """Raise if ``path`` is not a readable image file."""
    from PIL import Image

    with Image.open(path) as im:
        im.verify()


# ----------------------------------------------------------------------------- veRL

def make_blank_image(size: tuple[int, int] = (224, 224)) -> Any:
    """A white RGB image of ``size`` (width, height): the stand-in image of a text-only row."""
    from PIL import Image

    w, h = int(size[0]), int(size[1])
    if w <= 0 or h <= 0:
        raise ValueError(f"blank image size must be positive, got {size}")
    return Image.new("RGB", (w, h), (255, 255, 255))


def parse_size(text: str | Sequence[int] | int) -> tuple[int, int]:
    """``"224"``, ``"224x160"``, ``224`` or ``(224, 160)`` → ``(width, height)``."""
    if isinstance(text, int):
        return text, text
    if not isinstance(text, str):
        w, h = text
        return int(w), int(h)
    parts = text.lower().replace("*", "x").split("x")
    try:
        w, h = (int(parts[0]), int(parts[0])) if len(parts) == 1 else (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        raise ValueError(f"image size {text!r}: give WIDTHxHEIGHT (e.g. 224x224) or one number") from None
    if len(parts) > 2 or w <= 0 or h <= 0:
        raise ValueError(f"image size {text!r}: give WIDTHxHEIGHT with positive numbers")
    return w, h


def pad_text_only(records: Sequence[VLMRecord], size: tuple[int, int] = (224, 224)) -> tuple[list[VLMRecord], list[bool]]:
    """Copies of ``records`` where every text-only record has one blank image of ``size``;
    and which of them were padded."""
    import dataclasses

    blank = make_blank_image(size)
    out, padded = [], []
    for r in records:
        if r.images:
            out.append(r)
            padded.append(False)
        else:
            out.append(dataclasses.replace(r, images=[blank]))
            padded.append(True)
    return out, padded


def verl_features() -> Any:
    import datasets

    lst = getattr(datasets, "List", None) or datasets.Sequence
    s = datasets.Value("string")
    return datasets.Features({
        "data_source": s,
        "prompt": lst({"role": s, "content": s}),
        "images": lst(datasets.Image()),
        "ability": s,
        "reward_model": {"style": s, "ground_truth": s},
        "extra_info": {
            "split": s, "index": datasets.Value("int64"), "id": s, "question": s, "answer": s,
            "domain": s, "sub_domain": s, "format": s, "options": lst(s), "verifier": s,
            "blank_image": datasets.Value("bool"),
        },
    })


def verl_rows(records: Sequence[VLMRecord], template: str = "final_answer", split: str = "train",
              blank_image: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """veRL rows; with ``blank_image=(w, h)`` text-only records get one blank image (see
    :func:`pad_text_only`)."""
    padded = [False] * len(records)
    if blank_image is not None:
        records, padded = pad_text_only(records, blank_image)
    rows = []
    for i, r in enumerate(records):
        rows.append({
            "data_source": r.source or "rlvr_rewards",
            "prompt": render(r, template, "verl")["prompt"],
            "images": [{"bytes": _png_bytes(im), "path": image_name(r.id, j)} for j, im in enumerate(r.images)],
            "ability": r.domain or "math",
            "reward_model": {"style": "rule", "ground_truth": r.answer},
            "extra_info": {
                "split": split, "index": i, "id": r.id, "question": r.question, "answer": r.answer,
                "domain": r.domain or "", "sub_domain": r.sub_domain or "", "format": r.format or "",
                "options": list(r.options or []), "verifier": reward_spec(r), "blank_image": padded[i],
            },
        })
    return rows


def export_verl_parquet(records: Sequence[VLMRecord], path: str | Path, *, template: str = "final_answer", split: str = "train",
                        blank_image: tuple[int, int] | None = None) -> Path:
    """veRL RL parquet; checked by reading it back with ``datasets`` as veRL's ``RLHFDataset`` does.

    ``blank_image=(width, height)``: text-only records get one blank white image of that size
    and one ``<image>`` tag, so text and image rows share the parquet (veRL's VLM recipe)."""
    import datasets

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = datasets.Dataset.from_list(verl_rows(records, template, split, blank_image), features=verl_features())
    ds.to_parquet(str(path))
    validate_verl_parquet(path, expected=len(records))
    return path


def validate_verl_parquet(path: str | Path, expected: int | None = None) -> int:
    import datasets
    import pyarrow.parquet as pq

    meta = pq.read_schema(str(path)).metadata or {}
    _check(b"huggingface" in meta, f"{path}: no Hugging Face features metadata")
    feats = json.loads(meta[b"huggingface"])["info"]["features"]
    _check("images" in feats, f"{path}: no 'images' column")
    img_feat = feats["images"].get("feature", feats["images"])
    _check(img_feat.get("_type") == "Image", f"{path}: 'images' is not a list of Image features: {feats['images']}")
    ds = datasets.load_dataset("parquet", data_files=str(path), split="train")
    for col in ("data_source", "prompt", "images", "ability", "reward_model", "extra_info"):
        _check(col in ds.column_names, f"{path}: missing column {col!r}")
    keys = None
    for n, row in enumerate(ds):
        tags = sum(m["content"].count("<image>") for m in row["prompt"])
        _check(tags == len(row["images"]), f"{path}: row {n}: {tags} <image> tags, {len(row['images'])} images")
        for im in row["images"]:
            _check(hasattr(im, "size") and im.size[0] > 0, f"{path}: row {n}: image does not decode")
        _check(bool(row["reward_model"]["ground_truth"]), f"{path}: row {n}: empty ground_truth")
        k = tuple(sorted(row["extra_info"]))
        _check(keys is None or k == keys, f"{path}: extra_info keys differ across rows")
        keys = k
    _check(expected is None or len(ds) == expected, f"{path}: {len(ds)} rows, expected {expected}")
    return len(ds)


# ----------------------------------------------------------------------------- TRL

def trl_dataset(records: Sequence[VLMRecord], template: str = "final_answer") -> Any:
    import datasets

    lst = getattr(datasets, "List", None) or datasets.Sequence
    s = datasets.Value("string")
    feats = datasets.Features({
        "id": s,
        "prompt": lst({"role": s, "content": lst({"type": s, "text": s})}),
        "images": lst(datasets.Image()),
        "solution": s,
        "domain": s, "sub_domain": s, "format": s,
        "options": lst(s),
        "verifier": s,
    })
    rows = []
    for r in records:
        msgs = render(r, template, "trl")["prompt"]
        msgs = [{"role": m["role"], "content": _blocks(m["content"])} for m in msgs]
        rows.append({
            "id": r.id, "prompt": msgs, "images": [_rgb(im) for im in r.images], "solution": r.answer,
            "domain": r.domain or "", "sub_domain": r.sub_domain or "", "format": r.format or "",
            "options": list(r.options or []), "verifier": reward_spec(r),
        })
    return datasets.Dataset.from_list(rows, features=feats)


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [{"type": b.get("type"), "text": b.get("text")} for b in content]


def export_trl(records: Sequence[VLMRecord], out_dir: str | Path, *, template: str = "final_answer") -> Path:
    """``out_dir/`` (``save_to_disk``) plus ``out_dir.parquet``; both read back and checked."""
    out_dir = Path(out_dir)
    ds = trl_dataset(records, template)
    ds.save_to_disk(str(out_dir))
    ds.to_parquet(str(out_dir.with_suffix(".parquet")))
    validate_trl(out_dir, expected=len(records))
    validate_trl(out_dir.with_suffix(".parquet"), expected=len(records))
    return out_dir


def validate_trl(path: str | Path, expected: int | None = None) -> int:
    import datasets

    path = Path(path)
    ds = (datasets.load_dataset("parquet", data_files=str(path), split="train") if path.suffix == ".parquet"
          else datasets.load_from_disk(str(path)))
    for col in ("prompt", "images", "solution"):
        _check(col in ds.column_names, f"{path}: missing column {col!r}")
    for n, row in enumerate(ds):
        _check(isinstance(row["prompt"], list) and row["prompt"][-1]["role"] == "user", f"{path}: row {n}: prompt is not conversational")
        _check(_placeholders(row["prompt"]) == len(row["images"]), f"{path}: row {n}: image blocks ≠ images")
        for im in row["images"]:
            _check(hasattr(im, "size"), f"{path}: row {n}: image does not decode")
        _check(bool(row["solution"]), f"{path}: row {n}: empty solution")
    _check(expected is None or len(ds) == expected, f"{path}: {len(ds)} rows, expected {expected}")
    return len(ds)


# ----------------------------------------------------------------------------- ms-swift

def export_swift_jsonl(records: Sequence[VLMRecord], path: str | Path, *, template: str = "final_answer",
                       image_paths: dict[str, list[Path]] | None = None, solution_format: str = "{answer}") -> Path:
    """ms-swift GRPO JSONL: ``messages`` (``<image>`` tags), ``images`` (absolute paths),
    ``solution``, plus ``id``, ``domain``, ``options`` columns that swift passes to ORMs.

    ``solution_format`` is applied to the gold (``{answer}``): ``"<answer> {answer} </answer>"``
    writes the solution column of the R1-V CLEVR dataset of ms-swift's multimodal GRPO recipe."""
    if "{answer}" not in solution_format:
        raise ValueError(f"solution_format {solution_format!r} has no {{answer}} field")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image_paths = image_paths or save_images(records, path.parent / "images")
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            row = {
                **render(r, template, "swift"), "images": [str(p.resolve()) for p in image_paths[r.id]],
                "solution": solution_format.replace("{answer}", r.answer), "id": r.id, "domain": r.domain,
                "options": r.options,
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    validate_swift_jsonl(path, expected=len(records))
    return path


def validate_swift_jsonl(path: str | Path, expected: int | None = None) -> int:
    path = Path(path)
    n = 0
    for n, row in _jsonl_rows(path):
        tags = sum(m["content"].count("<image>") for m in row["messages"])
        _check(tags == len(row["images"]), f"{path}: row {n}: {tags} <image> tags, {len(row['images'])} images")
        for p in row["images"]:
            _check(Path(p).is_absolute(), f"{path}: row {n}: image path {p} is not absolute")
            _verify_image(p)
        _check(bool(row.get("solution")), f"{path}: row {n}: no solution")
    _check(expected is None or n == expected, f"{path}: {n} rows, expected {expected}")
    return n


def export_all(records: Sequence[VLMRecord], out_dir: str | Path, *, template: str = "final_answer",
               blank_image: tuple[int, int] | None = None) -> dict[str, Path]:
    """The four exports under ``out_dir/exports`` (images shared under ``exports/images``);
    ``blank_image`` pads the text-only rows of the veRL parquet (:func:`export_verl_parquet`)."""
    d = Path(out_dir) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    imgs = save_images(records, d / "images")
    return {
        "grpo_jsonl": export_grpo_jsonl(records, d / "grpo.jsonl", template=template, image_paths=imgs),
        "verl_parquet": export_verl_parquet(records, d / "verl.parquet", template=template, blank_image=blank_image),
        "trl_dataset": export_trl(records, d / "trl_dataset", template=template),
        "swift_jsonl": export_swift_jsonl(records, d / "swift.jsonl", template=template, image_paths=imgs),
    }
