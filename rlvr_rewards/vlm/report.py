"""One self-contained HTML report: statistics, warnings, plots and a rendered example per domain
(plots and images embedded as base64 PNG, no external files or scripts)."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .records import VLMRecord

_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left;font-size:.92em}
th{background:#f4f4f4}.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:6px 12px;margin:4px 0}
.ok{background:#eef8ee;border-left:4px solid #4a4;padding:6px 12px}.ex{border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:12px 0}
.ex img{max-height:220px;border:1px solid #ccc;margin:4px 8px 4px 0}pre{white-space:pre-wrap;background:#f7f7f7;padding:8px;border-radius:4px}
.plot{max-width:100%;margin:6px 0}.muted{color:#777;font-size:.9em}
"""


def _img_tag(im: Any, max_side: int = 360, cls: str = "") -> str:
    im = im.copy()
    im.thumbnail((max_side, max_side))
    if im.mode not in ("RGB", "L", "RGBA"):
        im = im.convert("RGB")
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return f'<img class="{cls}" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _file_img(path: Path) -> str:
    return f'<img class="plot" alt="{html.escape(path.stem)}" src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}">'


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    h = "".join(f"<th>{html.escape(str(c))}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v)


def _counts(d: dict[str, int], label: str, n: int) -> str:
    return _table([(k, v, f"{100 * v / (n or 1):.1f}%") for k, v in d.items()], (label, "records", "share"))


def _describe_rows(stats: dict[str, Any], keys: Sequence[str]) -> str:
    cols = ("n", "mean", "min", "p50", "p90", "p99", "max")
    rows = [(k.replace("_", " "), *[stats[k].get(c, "") for c in cols]) for k in keys if k in stats]
    return _table(rows, ("field", *cols))


def examples_per_domain(records: Sequence[VLMRecord]) -> list[VLMRecord]:
    """The first record of every domain, in order of appearance."""
    seen: dict[str, VLMRecord] = {}
    for r in records:
        seen.setdefault(r.domain or "(none)", r)
    return list(seen.values())


def write_report(
    records: Sequence[VLMRecord],
    stats: dict[str, Any],
    plots: dict[str, Path],
    path: str | Path,
    *,
    title: str = "rlvr_rewards VLM dataset report",
    dataset: str = "",
    metrics: dict[str, Any] | None = None,
    advantages: dict[str, Any] | None = None,
    exports: dict[str, Path] | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Write the HTML report to ``path`` (all images inlined) and return it."""
    from .analysis import answer_type

    n = stats["n_records"]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"]
    parts.append(f"<h1>{html.escape(title)}</h1><p><b>{html.escape(dataset)}</b> — {n} records; sources: "
                 f"{html.escape(', '.join(f'{k} ({v})' for k, v in stats['sources'].items()))}</p>")
    for note in notes:
        parts.append(f"<p class='muted'>{html.escape(note)}</p>")
    parts.append("<h2>Warnings</h2>")
    if stats["warnings"]:
        parts.extend(f"<div class='warn'>{html.escape(w)}</div>" for w in stats["warnings"])
    else:
        parts.append("<div class='ok'>no imbalance or data-quality warnings</div>")

    parts.append("<h2>Composition</h2>")
    for name in ("domains", "answer_types"):
        if name in plots:
            parts.append(_file_img(plots[name]))
    parts.append("<div style='display:flex;gap:24px;flex-wrap:wrap'>")
    parts.append("<div>" + _counts(stats["domains"], "domain", n) + "</div>")
    parts.append("<div>" + _counts(stats["formats"], "format", n) + "</div>")
    parts.append("<div>" + _counts(stats["answer_types"], "answer type", n) + "</div></div>")
    parts.append("<h3>Answer types per domain</h3>")
    atd = stats["answer_types_by_domain"]
    types = sorted({t for c in atd.values() for t in c})
    parts.append(_table([(d, *[c.get(t, 0) for t in types]) for d, c in atd.items()], ("domain", *types)))
    parts.append("<h3>Sub-domains</h3>" + _counts(stats["sub_domains"], "domain / sub-domain", n))

    parts.append("<h2>Lengths and LaTeX</h2>")
    if "lengths" in plots:
        parts.append(_file_img(plots["lengths"]))
    parts.append(_describe_rows(stats, ("question_chars", "answer_chars", "question_tokens", "answer_tokens")))
    lb = stats["latex_blocks"]
    parts.append(_table([(f, v["total"], v["records_with_any"]) for f, v in lb.items()], ("field", "LaTeX blocks", "records with any")))

    parts.append("<h2>Images</h2>")
    if "images" in plots:
        parts.append(_file_img(plots["images"]))
    parts.append(_describe_rows(stats, ("images_per_record", "image_width", "image_height", "image_megapixels")))
    parts.append(_table(list(stats["image_modes"].items()), ("mode", "images")))

    if metrics:
        parts.append(f"<h2>Rollouts and rewards ({html.escape(str(metrics.get('rollout_kind', '')))})</h2>")
        if metrics.get("note"):
            parts.append(f"<p class='muted'>{html.escape(metrics['note'])}</p>")
        if "rewards" in plots:
            parts.append(_file_img(plots["rewards"]))
        k = metrics["k"]
        keys = sorted({key for key in metrics["overall"] if key.startswith("pass@")}, key=lambda s: int(s[5:]))
        for label, group in (("domain", metrics["by_domain"]), ("answer type", metrics["by_answer_type"])):
            rows = [(g, m["prompts"], m["samples"], m["mean_reward"], *[m[key] for key in keys]) for g, m in group.items()]
            o = metrics["overall"]
            rows.append(("all", o["prompts"], o["samples"], o["mean_reward"], *[o[key] for key in keys]))
            parts.append(f"<h3>per {label} (k = {k})</h3>" + _table(rows, (label, "prompts", "samples", "mean reward", *keys)))
        parts.append(_table(list(metrics["overall"]["outcomes"].items()), ("outcome", "samples")))
    if advantages:
        parts.append("<h2>GRPO advantages</h2>")
        parts.append(_table([(k, _fmt(v)) for k, v in advantages.items()], ("", "value")))
    if exports:
        parts.append("<h2>Exports</h2>")
        parts.append(_table([(k, str(v)) for k, v in exports.items()], ("format", "path")))

    parts.append("<h2>One example per domain</h2>")
    for r in examples_per_domain(records):
        imgs = "".join(_img_tag(im) for im in r.images[:4])
        more = f"<span class='muted'>(+{len(r.images) - 4} more)</span>" if len(r.images) > 4 else ""
        opts = ("<p><b>options:</b> " + html.escape(json.dumps(r.options, ensure_ascii=False)) + "</p>") if r.options else ""
        parts.append(
            f"<div class='ex'><p><b>{html.escape(r.domain or '(none)')}</b> / {html.escape(r.sub_domain or '-')} · "
            f"{html.escape(r.format or '-')} · id <code>{html.escape(r.id)}</code></p>{imgs}{more}"
            f"<pre>{html.escape(r.question)}</pre>{opts}<p><b>gold:</b> <code>{html.escape(r.answer)}</code> "
            f"<span class='muted'>({answer_type(r.answer)})</span></p></div>"
        )
    parts.append("</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
