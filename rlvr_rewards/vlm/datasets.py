"""Load a multimodal RLVR dataset (Hugging Face id or local files) into :class:`VLMRecord` s.

``load_records(source)`` accepts:

- a Hugging Face dataset id (``datasets.load_dataset(id, split=...)``; needs network access);
- a local ``.parquet``, ``.jsonl`` / ``.json``, ``.arrow`` file, a directory written by
  ``Dataset.save_to_disk`` / ``DatasetDict.save_to_disk``, or a directory of parquet / jsonl files;
- the name ``"synthetic"`` (the built-in generator, :mod:`rlvr_rewards.vlm.synthetic`).

The schema is taken from the ``schema=`` argument, else from the dataset id, else detected from
the column names. Built-in schemas: see :data:`SCHEMAS`. Anything else: a user mapping
``{"id": col, "question": col, "answer": col, "images": col, "domain": col, "sub_domain": col,
"format": col, "options": col}`` (``question`` and ``answer`` required).
"""

from __future__ import annotations

import ast
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..letters import bare_letter
from .records import VLMRecord

_IMAGE_TAG = re.compile(r"<image>\s*")
_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.S)
_OPTION_LINE = re.compile(r"^\s*\(?([A-J])[\.\):：]\s*(.+?)\s*$", re.M)


# ----------------------------------------------------------------------------- helpers

def to_pil(value: Any, base_dir: Path | None = None) -> Any:
    """A PIL image from a PIL image, ``{bytes, path}`` dict, raw bytes or a file path (else None)."""
    from PIL import Image

    if value is None:
        return None
    if isinstance(value, Image.Image):
        return value
    if isinstance(value, dict):
        if value.get("bytes"):
            return Image.open(io.BytesIO(value["bytes"]))
        value = value.get("path")
        if not value:
            return None
    if isinstance(value, (bytes, bytearray)):
        return Image.open(io.BytesIO(value))
    if isinstance(value, str):
        p = Path(value)
        if not p.is_absolute() and base_dir is not None and (base_dir / p).exists():
            p = base_dir / p
        return Image.open(p) if p.exists() else None
    return None


def _images(value: Any, base_dir: Path | None) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out = [to_pil(v, base_dir) for v in items]
    return [im for im in out if im is not None]


def answer_from_solution(solution: Any) -> str:
    """The gold inside an R1-style solution: ``<answer> 3 </answer>`` → ``3``; else the last
    ``\\boxed{}``; else the text itself, stripped."""
    text = "" if solution is None else str(solution)
    found = _ANSWER_TAG.findall(text)
    if found:
        return found[-1].strip()
    from ..extraction import find_boxed

    boxes = find_boxed(text)
    return boxes[-1].strip() if boxes else text.strip()


def strip_image_tags(question: str) -> str:
    """Remove ``<image>`` placeholders (prompts add their own image blocks)."""
    return _IMAGE_TAG.sub("", question or "").strip()


def parse_ground_truth(gt: Any) -> tuple[str, list[str]]:
    """veRL ``ground_truth`` as a string, a list or a stringified list → (gold, all golds)."""
    if isinstance(gt, (list, tuple)):
        items = [str(x) for x in gt]
    else:
        s = "" if gt is None else str(gt).strip()
        items = [s]
        if s.startswith("[") and s.endswith("]"):
            try:
                parsed = json.loads(s)
            except ValueError:
                try:
                    parsed = ast.literal_eval(s)
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    parsed = None
            if isinstance(parsed, (list, tuple)) and parsed:
                items = [str(x) for x in parsed]
    return (items[0] if len(items) == 1 else json.dumps(items)), items


def guess_format(answer: str, question: str = "") -> str:
    """``multiple-choice`` for a letter gold, else ``free-form``."""
    return "multiple-choice" if bare_letter((answer or "").strip(), colon=False) else "free-form"


def options_from_question(question: str) -> list[str] | None:
    """``A. x`` / ``(B) y`` lines in the question, in letter order from A (else None)."""
    found = _OPTION_LINE.findall(question or "")
    opts: list[str] = []
    for letter, text in found:
        if ord(letter) - 65 != len(opts):
            break
        opts.append(text)
    return opts if len(opts) >= 2 else None


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


# ----------------------------------------------------------------------------- schemas

Normalizer = Callable[[dict[str, Any], int, Path | None], VLMRecord]


def _open_mm_rl(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
    return VLMRecord(
        id=str(row.get("conversation_id") or i), question=strip_image_tags(row["question"]),
        answer=str(row["answer"]).strip(), images=_images(row.get("images"), base),
        domain=_s(row.get("domain")), sub_domain=_s(row.get("subDomain")), format=_s(row.get("format")),
        source="TuringEnterprises/Open-MM-RL",
    )


def _mmk12(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
    q, a = strip_image_tags(row["question"]), str(row["answer"]).strip()
    return VLMRecord(
        id=str(row.get("id") or i), question=q, answer=a, images=_images(row.get("image"), base),
        domain=_s(row.get("subject")), format=guess_format(a), options=options_from_question(q),
        source="FanqingM/MMK12",
    )


def _geometry3k(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
    a = str(row["answer"]).strip()
    return VLMRecord(
        id=str(row.get("id") or i), question=strip_image_tags(row["problem"]), answer=a,
        images=_images(row.get("images"), base), domain="geometry", format=guess_format(a),
        source="hiyouga/geometry3k",
    )


def _r1_style(source: str, domain: str | None) -> Normalizer:
    def norm(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
        raw = row.get("solution")
        a = answer_from_solution(raw)
        imgs = _images(row.get("image", row.get("images")), base)
        return VLMRecord(
            id=str(row.get("id") or i), question=strip_image_tags(row["problem"]), answer=a, images=imgs,
            domain=domain, format=guess_format(a), source=source, meta={"raw_solution": raw},
        )

    return norm


def _verl_text(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
    prompt = row.get("prompt")
    if isinstance(prompt, str):
        try:
            prompt = json.loads(prompt)
        except ValueError:
            prompt = [{"role": "user", "content": prompt}]
    users = [m for m in (prompt or []) if isinstance(m, dict) and m.get("role") == "user"]
    question = str(users[-1].get("content", "")) if users else ""
    rm = row.get("reward_model") or {}
    if isinstance(rm, str):
        rm = json.loads(rm)
    gold, golds = parse_ground_truth(rm.get("ground_truth"))
    extra = row.get("extra_info") or {}
    rid = (extra.get("index") if isinstance(extra, dict) else None) or i
    return VLMRecord(
        id=str(rid), question=strip_image_tags(question), answer=gold, images=_images(row.get("images"), base),
        domain=_s(row.get("ability")), sub_domain=_s(row.get("data_source")), format=guess_format(gold),
        source=str(row.get("data_source") or "verl"), meta={"ground_truths": golds},
    )


def _chat_question(messages: Any) -> str:
    """The last user turn of a chat prompt (a list or its JSON text), text blocks only."""
    if isinstance(messages, str):
        try:
            messages = json.loads(messages)
        except ValueError:
            return messages
    users = [m for m in (messages or []) if isinstance(m, Mapping) and m.get("role") == "user"]
    if not users:
        return ""
    content = users[-1].get("content", "")
    if isinstance(content, (list, tuple)):
        content = "".join(str(b.get("text") or "") for b in content if isinstance(b, Mapping) and b.get("type", "text") == "text")
    return "" if content is None else str(content)


def _export_options(value: Any, question: str) -> list[str] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if isinstance(value, (list, tuple)) and value:
        return [str(o) for o in value]
    return options_from_question(question)


def _export(prompt_key: str, gold_key: str, source: str) -> Normalizer:
    """Our own exports read back: TRL (``prompt`` + ``solution``), ms-swift (``messages`` +
    ``solution``) and GRPO JSONL (``prompt`` + ``gold``), images as PIL, bytes or paths."""

    def norm(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
        q = strip_image_tags(_chat_question(row.get(prompt_key)))
        a = str(row.get(gold_key) if row.get(gold_key) is not None else "").strip()
        return VLMRecord(
            id=str(row.get("id") or i), question=q, answer=a, images=_images(row.get("images"), base),
            domain=_s(row.get("domain")), sub_domain=_s(row.get("sub_domain")),
            format=_s(row.get("format")) or guess_format(a), source=_s(row.get("source")) or source,
            options=_export_options(row.get("options"), q),
        )

    return norm


SCHEMAS: dict[str, Normalizer] = {
    "open_mm_rl": _open_mm_rl,
    "mmk12": _mmk12,
    "geometry3k": _geometry3k,
    "clevr": _r1_style("clevr_cogen_a_train", "counting"),
    "r1v": _r1_style("r1v", None),
    "geoqa_r1v": _r1_style("GEOQA_R1V", "geometry"),
    "multimodal_open_r1": _r1_style("lmms-lab/multimodal-open-r1-8k-verified", None),
    "verl": _verl_text,
    "trl": _export("prompt", "solution", "trl"),
    "swift": _export("messages", "solution", "swift"),
    "grpo_jsonl": _export("prompt", "gold", "grpo_jsonl"),
}
"""Built-in schema normalisers by name."""

_ID_SCHEMAS = {
    "turingenterprises/open-mm-rl": "open_mm_rl",
    "fanqingm/mmk12": "mmk12",
    "hiyouga/geometry3k": "geometry3k",
    "leonardpku/clevr_cogen_a_train": "clevr",
    "leo-chen/geoqa_r1v_train_8k": "geoqa_r1v",
    "lmms-lab/multimodal-open-r1-8k-verified": "multimodal_open_r1",
    "skywork/skywork-or1-rl-data": "verl",
}


def schema_for_id(dataset_id: str) -> str | None:
    """The built-in schema for a known Hugging Face id (case-insensitive, substring hints too)."""
    key = dataset_id.lower().strip("/")
    if key in _ID_SCHEMAS:
        return _ID_SCHEMAS[key]
    for hint, name in (("open-mm-rl", "open_mm_rl"), ("mmk12", "mmk12"), ("geometry3k", "geometry3k"),
                       ("clevr", "clevr"), ("geoqa", "geoqa_r1v"), ("multimodal-open-r1", "multimodal_open_r1"),
                       ("skywork-or1", "verl")):
        if hint in key:
            return name
    return None


def detect_schema(columns: Iterable[str]) -> str | None:
    """Guess the schema from the column names."""
    cols = set(columns)
    if {"conversation_id", "question", "answer"} <= cols:
        return "open_mm_rl"
    if {"subject", "question", "answer"} <= cols and "image" in cols:
        return "mmk12"
    if {"prompt", "reward_model"} <= cols:
        return "verl"
    if {"messages", "solution"} <= cols:  # our ms-swift export
        return "swift"
    if {"prompt", "solution"} <= cols:  # our TRL export
        return "trl"
    if {"prompt", "gold"} <= cols:  # our GRPO JSONL export
        return "grpo_jsonl"
    if {"problem", "answer", "images"} <= cols:
        return "geometry3k"
    if {"problem", "solution"} <= cols:
        return "r1v"
    return None


_MAPPING_KEYS = ("id", "question", "answer", "images", "domain", "sub_domain", "format", "options", "source")


def mapping_normalizer(mapping: Mapping[str, str], source: str = "") -> Normalizer:
    """A normaliser from a user column mapping (record field → dataset column).

    ``question`` and ``answer`` are required. ``answer_from: "solution"`` extracts the gold from
    an R1-style solution (``<answer>`` tags or ``\\boxed{}``).
    """
    bad = set(mapping) - set(_MAPPING_KEYS) - {"answer_from"}
    if bad:
        raise ValueError(f"unknown mapping keys {sorted(bad)}; allowed: {_MAPPING_KEYS + ('answer_from',)}")
    if "question" not in mapping or "answer" not in mapping:
        raise ValueError("a column mapping needs at least 'question' and 'answer'")

    def norm(row: dict[str, Any], i: int, base: Path | None) -> VLMRecord:
        def col(k: str) -> Any:
            return row.get(mapping[k]) if k in mapping else None

        raw = col("answer")
        a = answer_from_solution(raw) if mapping.get("answer_from") == "solution" else str(raw).strip()
        opts = col("options")
        if isinstance(opts, str):
            try:
                opts = json.loads(opts)
            except ValueError:
                opts = None
        q = strip_image_tags(str(col("question")))
        return VLMRecord(
            id=str(col("id") if col("id") is not None else i), question=q, answer=a,
            images=_images(col("images"), base), domain=_s(col("domain")), sub_domain=_s(col("sub_domain")),
            format=_s(col("format")) or guess_format(a), source=_s(col("source")) or source,
            options=[str(o) for o in opts] if isinstance(opts, (list, tuple)) else options_from_question(q),
        )

    return norm


# ----------------------------------------------------------------------------- loading

def _local_dataset(path: Path, split: str) -> Any:
    import datasets

    if path.is_dir():
        if (path / "dataset_dict.json").exists() or (path / "state.json").exists() or (path / "dataset_info.json").exists() and any(path.glob("*.arrow")):
            ds = datasets.load_from_disk(str(path))
            if isinstance(ds, datasets.DatasetDict):
                ds = ds[split] if split in ds else ds[next(iter(ds))]
            return ds
        for ext, builder in (("parquet", "parquet"), ("jsonl", "json"), ("json", "json"), ("arrow", "arrow")):
            files = sorted(str(p) for p in path.rglob(f"*.{ext}"))
            if files:
                return datasets.load_dataset(builder, data_files=files, split="train")
        raise ValueError(f"no parquet/jsonl/arrow files or save_to_disk dataset under {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return datasets.load_dataset("parquet", data_files=str(path), split="train")
    if suffix in (".jsonl", ".json"):
        return datasets.load_dataset("json", data_files=str(path), split="train")
    if suffix == ".arrow":
        return datasets.Dataset.from_file(str(path))
    raise ValueError(f"unsupported file type {suffix!r} (parquet, jsonl, json, arrow or a save_to_disk directory)")


_DATA_SUFFIXES = (".parquet", ".jsonl", ".json", ".arrow", ".csv", ".txt")


def looks_like_path(source: str) -> bool:
    """Whether ``source`` is meant as a local path rather than a Hugging Face id (``NAMESPACE/NAME``)."""
    text = str(source)
    return (
        text.startswith(("/", ".", "~", "\\")) or text.endswith(("/", "\\")) or text.lower().endswith(_DATA_SUFFIXES)
        or text.count("/") > 1 or "\\" in text or (len(text) > 1 and text[1] == ":")
    )


def load_raw(source: str, split: str = "train", limit: int | None = None, **load_kwargs: Any) -> Any:
    """The ``datasets.Dataset`` behind ``source`` (a local path or a Hugging Face id)."""
    import datasets

    path = Path(source).expanduser()
    if path.exists():
        try:
            ds = _local_dataset(path, split)
        except (OSError, datasets.exceptions.DatasetsError) as exc:
            raise ValueError(f"cannot read the dataset at {path}: {exc}") from exc
    elif looks_like_path(source):
        raise ValueError(f"no such file or directory: {path} (a local dataset path must exist; a Hugging Face id is NAMESPACE/NAME)")
    else:
        spec = f"{split}[:{limit}]" if limit else split
        try:
            ds = datasets.load_dataset(source, split=spec, **load_kwargs)
        except (OSError, datasets.exceptions.DatasetsError) as exc:  # ConnectionError, FileNotFoundError, DatasetNotFoundError
            raise ValueError(
                f"cannot load {source!r} from the Hugging Face Hub: {type(exc).__name__}: {exc}. "
                "It is neither a local path nor a dataset that could be fetched (no network, a typo, "
                "or a gated dataset: `huggingface-cli login`); download it first or give a local path"
            ) from exc
    if limit is not None and len(ds) > limit:
        ds = ds.select(range(limit))
    return ds


def normalize_rows(rows: Iterable[dict[str, Any]], normalizer: Normalizer, base_dir: Path | None = None) -> list[VLMRecord]:
    """Apply a normaliser to raw rows; ``id`` s are made unique (``-1``, ``-2`` suffixes)."""
    out: list[VLMRecord] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        rec = normalizer(dict(row), i, base_dir)
        if rec.id in seen:
            seen[rec.id] += 1
            rec.id = f"{rec.id}-{seen[rec.id]}"
        else:
            seen[rec.id] = 0
        out.append(rec)
    return out


def load_records(
    source: str | None = None,
    *,
    split: str = "train",
    limit: int | None = None,
    schema: str | None = None,
    mapping: Mapping[str, str] | None = None,
    seed: int = 0,
    **load_kwargs: Any,
) -> list[VLMRecord]:
    """Records from ``source`` (see the module docstring); ``None`` / ``"synthetic"`` = generator."""
    if source is None or source == "synthetic":
        from .synthetic import generate

        return generate(limit or 60, seed=seed)
    ds = load_raw(source, split=split, limit=limit, **load_kwargs)
    path = Path(source).expanduser()
    base_dir = (path if path.is_dir() else path.parent) if path.exists() else None
    if mapping:
        normalizer = mapping_normalizer(mapping, source=source)
    else:
        name = schema or (None if path.exists() else schema_for_id(source)) or detect_schema(ds.column_names)
        if name is None:
            raise ValueError(
                f"cannot tell the schema of {source!r} from its columns {ds.column_names}; "
                f"pass schema= one of {sorted(SCHEMAS)} or a column mapping "
                '(e.g. --mapping \'{"question": "query", "answer": "label", "images": "image"}\')'
            )
        if name not in SCHEMAS:
            raise ValueError(f"unknown schema {name!r}; choose from {sorted(SCHEMAS)}")
        normalizer = SCHEMAS[name]
    return normalize_rows(ds, normalizer, base_dir)
