"""The end-to-end VLM RLVR pipeline: load → analyse (plots, HTML report) → prompts → rollouts →
scoring → GRPO advantages → exports for TRL, veRL and ms-swift.

With no dataset it runs on the built-in synthetic tasks (:mod:`.synthetic`), offline. With no
model it scores **reference pseudo-rollouts** instead of model samples: per prompt, ``k``
completions built from the gold (``\\boxed{gold}``) or from a corrupted gold (a wrong number /
letter), each prompt drawing its own success rate, so that scoring, pass@k, advantages,
zero-variance flags and the curriculum filter all run on something. They check the verifier
on the dataset's golds and the plumbing, not a model; the report says so. With ``model=`` (a
local Hugging Face directory) it samples with :func:`rlvr_rewards.vlm.rollout.rollout`.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..letters import bare_letter
from .records import Rollout, VLMRecord

REFERENCE_NOTE = (
    "No model given: these are reference pseudo-rollouts, not model samples. Each completion is the "
    "gold in \\boxed{} or a corrupted gold, with a per-prompt success rate drawn from {0, 1/4, 1/2, 3/4, 1}; "
    "they exercise the verifier on this dataset's golds and the scoring/advantage/export plumbing. "
    "Pass --model PATH to sample from a model."
)


def _corrupt(gold: str, rng: random.Random) -> str:
    s = gold.strip()
    if bare_letter(s, colon=False):
        letter = s.strip("().")
        return rng.choice([c for c in "ABCD" if c != letter])
    m = re.search(r"-?\d+", s)
    if m:
        v = int(m.group()) + rng.choice([-3, -2, -1, 1, 2, 3])
        return s[: m.start()] + str(v) + s[m.end():]
    return "none of these"


def reference_rollouts(records: Sequence[VLMRecord], k: int = 4, seed: int = 0) -> list[Rollout]:
    """``k`` pseudo-completions per record (see the module doc); deterministic by seed."""
    out = []
    for r in records:
        rng = random.Random(f"ref:{seed}:{r.id}")
        p = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0])
        for i in range(k):
            ans = r.answer if rng.random() < p else _corrupt(r.answer, rng)
            text = f"Looking at the image, the answer is \\boxed{{{ans}}}."
            out.append(Rollout(prompt_id=r.id, sample_index=i, completion=text, num_tokens=len(text.split()), finish_reason="stop"))
    return out


def _save_rollouts(rollouts: Sequence[Rollout], path: Path) -> None:
    try:
        from .rollout import save_rollouts
    except ImportError:
        save_rollouts = None
    if save_rollouts is not None:
        save_rollouts(rollouts, path)
        return
    with path.open("w", encoding="utf-8") as f:
        for ro in rollouts:
            f.write(json.dumps(dataclasses.asdict(ro), ensure_ascii=False) + "\n")


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def run_pipeline(
    dataset: str | None = None,
    out: str | Path = "vlm_pipeline",
    *,
    model: str | None = None,
    k: int = 4,
    template: str = "final_answer",
    limit: int | None = None,
    seed: int = 0,
    split: str = "train",
    mapping: Mapping[str, str] | None = None,
    schema: str | None = None,
    tokenizer: Any = None,
    export: bool = True,
    quiet: bool = False,
    rollout_kwargs: Mapping[str, Any] | None = None,
    blank_image: tuple[int, int] | str | None = None,
) -> dict[str, Any]:
    """Run every stage; write everything under ``out``; return a summary dict (paths, metrics).

    ``blank_image`` (``(width, height)`` or ``"224x224"``): in the veRL parquet, text-only records
    get one blank image of that size, so text and image rows share one file."""
    from .advantages import advantage_table, curriculum, group_advantages
    from .analysis import analyze, plot, rollout_metrics, score_rollouts
    from .datasets import load_records
    from .report import write_report

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if quiet:
        import datasets

        datasets.disable_progress_bars()
    name = dataset or "synthetic (built-in, offline)"
    _log(f"[1/6] loading {name}", quiet)
    records = load_records(dataset, split=split, limit=limit if dataset else (limit or 60), schema=schema, mapping=mapping, seed=seed)
    if not records:
        raise ValueError(f"{name}: no records")
    if tokenizer is None and model:
        try:
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(model)
        except Exception as exc:  # noqa: BLE001 - token statistics are optional
            _log(f"      (no tokenizer from {model}: {exc}; character statistics only)", quiet)

    _log(f"[2/6] analysing {len(records)} records", quiet)
    stats = analyze(records, tokenizer=tokenizer)

    _log(f"[3/6] rollouts (k={k}): {'model ' + model if model else 'reference pseudo-rollouts (no --model)'}", quiet)
    if model:
        from .rollout import rollout

        rollouts = rollout(records, model, k=k, template=template, seed=seed, progress=not quiet, **dict(rollout_kwargs or {}))
        kind = f"model {Path(model).name}"
    else:
        rollouts = reference_rollouts(records, k=k, seed=seed)
        kind = "reference pseudo-rollouts"

    _log("[4/6] scoring with the verifier cascade", quiet)
    score_rollouts(rollouts, records)
    _save_rollouts(rollouts, out / "rollouts.jsonl")
    metrics = rollout_metrics(rollouts, records, k=k)
    metrics["rollout_kind"] = kind
    if not model:
        metrics["note"] = REFERENCE_NOTE

    _log("[5/6] GRPO advantages", quiet)
    rewards = [ro.score for ro in rollouts]
    groups = [ro.prompt_id for ro in rollouts]
    table = advantage_table(rewards, groups)
    kept = curriculum(rewards, groups)
    with (out / "scored.jsonl").open("w", encoding="utf-8") as f:
        for i, ro in enumerate(rollouts):
            row = dataclasses.asdict(ro)
            row.update({f"advantage_{m}": table[m][i] for m in ("grpo", "drgrpo", "batch")}, zero_variance_group=table["zero_variance"][i])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "curriculum.json").write_text(json.dumps({"kept_prompt_ids": kept, "n_prompts": len(set(groups))}, indent=1))
    adv = group_advantages(rewards, groups, "grpo")
    adv_summary = {
        "groups": len(set(groups)),
        "zero-variance groups (share)": table["zero_variance_share"],
        "curriculum: prompts kept (non-zero variance)": len(kept),
        "DAPO filter: samples kept": int(sum(not z for z in table["zero_variance"])),
        "mean |advantage| (grpo, veRL convention)": float(abs(adv).mean()) if len(adv) else 0.0,
    }
    metrics["advantages"] = adv_summary

    exports: dict[str, Path] = {}
    if export:
        _log("[6/6] exporting GRPO JSONL, veRL parquet, TRL dataset, ms-swift JSONL (each read back)", quiet)
        from .export import export_all, parse_size

        exports = export_all(records, out, template=template,
                             blank_image=parse_size(blank_image) if blank_image is not None else None)
    plots = plot(stats, out / "plots", extra=metrics)
    public = {k2: v for k2, v in stats.items() if not k2.startswith("_")}
    (out / "stats.json").write_text(json.dumps(public, indent=1, ensure_ascii=False))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    notes = [f"template: {template}; k = {k}; seed = {seed}"]
    report = write_report(records, stats, plots, out / "report.html", dataset=name, metrics=metrics,
                          advantages=adv_summary, exports=exports, notes=notes)
    _log(f"done: {report}", quiet)
    return {"records": len(records), "report": report, "plots": plots, "exports": exports,
            "metrics": metrics, "stats": public, "out": out}


def analyze_dataset(
    dataset: str | None, out: str | Path, *, split: str = "train", limit: int | None = None,
    mapping: Mapping[str, str] | None = None, schema: str | None = None, tokenizer: Any = None, seed: int = 0,
) -> dict[str, Any]:
    """``data analyze``: statistics, plots and the HTML report only."""
    from .analysis import analyze, plot
    from .datasets import load_records
    from .report import write_report

    out = Path(out)
    records = load_records(dataset, split=split, limit=limit, schema=schema, mapping=mapping, seed=seed)
    stats = analyze(records, tokenizer=tokenizer)
    plots = plot(stats, out / "plots")
    public = {k: v for k, v in stats.items() if not k.startswith("_")}
    out.mkdir(parents=True, exist_ok=True)
    (out / "stats.json").write_text(json.dumps(public, indent=1, ensure_ascii=False))
    report = write_report(records, stats, plots, out / "report.html", dataset=dataset or "synthetic")
    return {"records": len(records), "report": report, "plots": plots, "stats": public}
