"""Dataset statistics, answer-type classification, imbalance warnings, plots and rollout scoring.

``analyze(records)`` returns a JSON-able dict; ``plot(stats, out_dir)`` writes PNGs;
``score_rollouts`` grades rollouts with the verifier cascade and ``rollout_metrics`` gives mean
reward and pass@k per domain and per answer type.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..letters import bare_letter
from .records import Rollout, VLMRecord

ANSWER_TYPES = ("number", "fraction", "latex", "interval/set/tuple", "choice", "text")

_NUM = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?(e[+-]?\d+)?\s*(%|\\%|°|\^\\circ|\^\{\\circ\})?$", re.I)
_DEC = re.compile(r"^[+-]?\.\d+$")
_FRAC = re.compile(r"^[+-]?(\\[dt]?frac\{\s*[+-]?\d+\s*\}\{\s*\d+\s*\}|\d+\s*/\s*\d+|\\[dt]?frac\d\d)$")
_DELIMS = re.compile(r"^\s*(\\\[|\\\(|\$\$|\$)|(\\\]|\\\)|\$\$|\$)\s*$")
_BOXED = re.compile(r"^\\boxed\{(.*)\}$", re.S)
_LATEX_BLOCK = re.compile(r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|\$[^$]+?\$", re.S)
_MATHY = re.compile(r"\\[a-zA-Z]+|[\^_{}=<>]|\d\s*[a-z]\b|\b[a-z]\s*[\+\-\*/]|\d\s*[\+\-\*/]\s*\d")


_ANSWER_TAGS = re.compile(r"^<answer>(.*)</answer>$", re.S)


def _strip(answer: str) -> str:
    s = (answer or "").strip()
    m = _ANSWER_TAGS.match(s)
    s = m.group(1).strip() if m else s
    for _ in range(3):
        t = _DELIMS.sub("", s).strip()
        m = _BOXED.match(t)
        t = m.group(1).strip() if m else t
        if t == s:
            break
        s = t
    return s


def answer_type(answer: Any) -> str:
    """Classify a gold: ``number`` (integer/decimal, with commas, %, degrees), ``fraction``,
    ``latex`` (symbolic expression), ``interval/set/tuple``, ``choice`` (a letter A–J), ``text``."""
    s = _strip(str(answer) if answer is not None else "")
    if not s:
        return "text"
    if bare_letter(s, colon=False):
        return "choice"
    compact = s.replace("\\!", "").replace("\\,", "").replace(" ", "")
    if _NUM.match(compact) or _DEC.match(compact):
        return "number"
    if _FRAC.match(compact):
        return "fraction"
    if (s[0] in "([{" or s.startswith("\\{") or s.startswith("\\left")) and ("," in s or ";" in s) or "\\cup" in s:
        return "interval/set/tuple"
    if _MATHY.search(s) or re.fullmatch(r"[a-zA-Z]", s):
        return "latex"
    return "text"


def latex_blocks(text: str | None) -> int:
    """Number of ``$…$``, ``$$…$$``, ``\\[…\\]``, ``\\(…\\)`` blocks in a field."""
    return len(_LATEX_BLOCK.findall(text or ""))


def _describe(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    v = sorted(values)

    def q(p: float) -> float:
        return float(v[min(len(v) - 1, int(round(p * (len(v) - 1))))])

    return {"n": len(v), "mean": float(statistics.fmean(v)), "min": float(v[0]), "p50": q(0.5),
            "p90": q(0.9), "p99": q(0.99), "max": float(v[-1])}


def _ntok(tokenizer: Any, text: str) -> int:
    if hasattr(tokenizer, "encode"):
        try:
            return len(tokenizer.encode(text, add_special_tokens=False))
        except TypeError:
            return len(tokenizer.encode(text))
    return len(tokenizer(text))


def analyze(
    records: Sequence[VLMRecord],
    tokenizer: Any = None,
    *,
    dominant_share: float = 0.5,
    rare_share: float = 0.05,
) -> dict[str, Any]:
    """Statistics of a record list (JSON-able).

    ``tokenizer``: anything with ``encode(text)`` (a Hugging Face tokenizer) or a callable
    returning tokens; adds token-length statistics. Warnings: a domain with more than
    ``dominant_share`` of the records, formats / answer types under ``rare_share``, records
    without images, golds that the verifier cannot parse, ``<image>`` tags left in questions.
    """
    from ..parsing.gold import parse_gold

    n = len(records)
    dom = Counter(r.domain or "(none)" for r in records)
    sub = Counter(f"{r.domain or '(none)'} / {r.sub_domain or '(none)'}" for r in records)
    fmt = Counter(r.format or "(none)" for r in records)
    types = [answer_type(r.answer) for r in records]
    by_domain: dict[str, Counter[str]] = defaultdict(Counter)
    for r, t in zip(records, types):
        by_domain[r.domain or "(none)"][t] += 1
    q_chars = [len(r.question) for r in records]
    a_chars = [len(r.answer) for r in records]
    n_images = [len(r.images) for r in records]
    widths, heights, modes, megapixels = [], [], Counter(), []
    for r in records:
        for im in r.images:
            w, h = im.size
            widths.append(w)
            heights.append(h)
            megapixels.append(w * h / 1e6)
            modes[im.mode] += 1
    bad_gold = [r.id for r in records if parse_gold(r.answer) is None]
    stats: dict[str, Any] = {
        "n_records": n,
        "sources": dict(Counter(r.source for r in records)),
        "domains": dict(dom.most_common()),
        "sub_domains": dict(sub.most_common()),
        "formats": dict(fmt.most_common()),
        "answer_types": dict(Counter(types).most_common()),
        "answer_types_by_domain": {d: dict(c.most_common()) for d, c in sorted(by_domain.items())},
        "question_chars": _describe(q_chars),
        "answer_chars": _describe(a_chars),
        "latex_blocks": {
            "question": {"total": sum(latex_blocks(r.question) for r in records),
                         "records_with_any": sum(1 for r in records if latex_blocks(r.question))},
            "answer": {"total": sum(latex_blocks(r.answer) for r in records),
                       "records_with_any": sum(1 for r in records if latex_blocks(r.answer))},
        },
        "images_per_record": _describe(n_images),
        "images_per_record_counts": {str(k): v for k, v in sorted(Counter(n_images).items())},
        "image_width": _describe(widths),
        "image_height": _describe(heights),
        "image_megapixels": _describe(megapixels),
        "image_modes": dict(modes.most_common()),
        "with_options": sum(1 for r in records if r.options),
        "bad_gold_ids": bad_gold[:50],
        "n_bad_gold": len(bad_gold),
    }
    if tokenizer is not None:
        stats["question_tokens"] = _describe([_ntok(tokenizer, r.question) for r in records])
        stats["answer_tokens"] = _describe([_ntok(tokenizer, r.answer) for r in records])
    stats["_lengths"] = {"question_chars": q_chars, "answer_chars": a_chars}
    stats["_image_sizes"] = list(zip(widths, heights))
    stats["warnings"] = warnings(stats, dominant_share=dominant_share, rare_share=rare_share,
                                 leftover_tags=sum(1 for r in records if "<image>" in r.question))
    return stats


def warnings(stats: dict[str, Any], *, dominant_share: float = 0.5, rare_share: float = 0.05, leftover_tags: int = 0) -> list[str]:
    """Imbalance and data-quality warnings for :func:`analyze` statistics."""
    n = stats["n_records"] or 1
    out: list[str] = []
    doms = stats["domains"]
    if len(doms) > 1:
        top, c = next(iter(doms.items()))
        if c / n > dominant_share:
            out.append(f"dominant domain: {top!r} is {100 * c / n:.0f}% of the records (> {100 * dominant_share:.0f}%)")
    elif n > 1:
        out.append(f"single domain: every record is {next(iter(doms))!r}")
    for label, key in (("format", "formats"), ("answer type", "answer_types"), ("domain", "domains")):
        counts = stats[key]
        if len(counts) > 1:
            for name, c in counts.items():
                if c / n < rare_share:
                    out.append(f"rare {label}: {name!r} has {c} record(s) ({100 * c / n:.1f}% < {100 * rare_share:.0f}%)")
    no_img = stats["images_per_record_counts"].get("0", 0)
    if no_img and no_img < n:
        out.append(f"{no_img} record(s) have no image")
    if stats["n_bad_gold"]:
        out.append(f"{stats['n_bad_gold']} gold(s) cannot be parsed by the verifier (bad_gold): e.g. {stats['bad_gold_ids'][:5]}")
    if leftover_tags:
        out.append(f"{leftover_tags} question(s) still contain '<image>' tags")
    return out


# ----------------------------------------------------------------------------- plots

def plot(stats: dict[str, Any], out_dir: str | Path, extra: dict[str, Any] | None = None) -> dict[str, Path]:
    """Write PNG plots (domain counts, formats, answer types by domain, lengths, image sizes and,
    with ``extra=rollout_metrics(...)``, reward per domain). Returns ``{name: path}``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        p = out / f"{name}.png"
        fig.savefig(p, dpi=100)
        plt.close(fig)
        paths[name] = p

    def barh(ax: Any, counts: dict[str, int], title: str, color: str = "#3b75af") -> None:
        items = list(counts.items())[:25][::-1]
        ax.barh([k for k, _ in items], [v for _, v in items], color=color)
        for i, (_, v) in enumerate(items):
            ax.text(v, i, f" {v}", va="center", fontsize=8)
        ax.set_title(title)
        ax.set_xlabel("records")

    fig, axes = plt.subplots(1, 2, figsize=(10, max(3.0, 0.3 * len(stats["sub_domains"]) + 1.5)))
    barh(axes[0], stats["domains"], "records per domain")
    barh(axes[1], stats["sub_domains"], "records per domain / sub-domain", "#6a9f58")
    save(fig, "domains")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    barh(axes[0], stats["formats"], "records per format", "#b279a2")
    by_dom = stats["answer_types_by_domain"]
    doms = list(by_dom)
    left = [0] * len(doms)
    palette = ["#3b75af", "#ef8636", "#519e3e", "#c53a32", "#8d69b8", "#84584e"]
    for t, color in zip(ANSWER_TYPES, palette):
        vals = [by_dom[d].get(t, 0) for d in doms]
        if any(vals):
            axes[1].barh(doms, vals, left=left, label=t, color=color)
            left = [a + b for a, b in zip(left, vals)]
    axes[1].set_title("answer types per domain")
    axes[1].set_xlabel("records")
    axes[1].legend(fontsize=8, loc="lower right")
    save(fig, "answer_types")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    for ax, key, color in zip(axes, ("question_chars", "answer_chars"), ("#3b75af", "#ef8636")):
        vals = stats["_lengths"][key]
        ax.hist(vals, bins=min(30, max(5, len(set(vals)))), color=color)
        ax.set_title(f"{key.replace('_', ' ')} (median {stats[key].get('p50', 0):g})")
        ax.set_xlabel("characters")
        ax.set_ylabel("records")
    save(fig, "lengths")

    sizes = stats["_image_sizes"]
    if sizes:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
        axes[0].scatter([w for w, _ in sizes], [h for _, h in sizes], s=10, alpha=0.5)
        axes[0].set_title(f"image resolution ({len(sizes)} images)")
        axes[0].set_xlabel("width (px)")
        axes[0].set_ylabel("height (px)")
        barh(axes[1], stats["images_per_record_counts"], "images per record", "#84584e")
        axes[1].set_ylabel("images")
        save(fig, "images")

    if extra and extra.get("by_domain"):
        m = extra["by_domain"]
        names = list(m)
        k = extra.get("k", 1)
        fig, ax = plt.subplots(figsize=(8, 3.2))
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], [m[d]["mean_reward"] for d in names], width=0.4, label="mean reward")
        ax.bar([i + 0.2 for i in x], [m[d].get(f"pass@{k}", 0) for d in names], width=0.4, label=f"pass@{k}")
        ax.set_xticks(list(x))
        ax.set_xticklabels(names)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"reward per domain ({extra.get('rollout_kind', 'rollouts')})")
        ax.legend(fontsize=8)
        save(fig, "rewards")
    return paths


# ----------------------------------------------------------------------------- rollouts

def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples of which ``c`` are correct (Chen et al. 2021)."""
    if k <= 0 or n <= 0:
        return 0.0
    k = min(k, n)
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def score_rollouts(
    rollouts: Sequence[Rollout], records: Sequence[VLMRecord], *, verifier: str | None = None, timeout: float | None = None
) -> list[Rollout]:
    """Grade every rollout against its record's gold (``check_batch``, the verifier cascade);
    fills ``score`` (the reward; None for a bad gold) and ``outcome``. The default ``accuracy``
    verifier sends letter golds to ``mcq`` (record options let an option's text count)."""
    from ..api import check_batch

    by_id = {r.id: r for r in records}
    recs = [by_id[ro.prompt_id] for ro in rollouts]
    verdicts = check_batch(
        [ro.completion for ro in rollouts], [r.answer for r in recs], verifier=verifier or "accuracy",
        options=[r.options for r in recs], timeout=timeout,
    )
    for ro, vd in zip(rollouts, verdicts):
        ro.score = vd.reward
        ro.outcome = vd.outcome.value
    return list(rollouts)


def rollout_metrics(rollouts: Iterable[Rollout], records: Sequence[VLMRecord], k: int | None = None) -> dict[str, Any]:
    """Mean reward, pass@k, outcome counts, overall / per domain / per answer type.

    Rollouts with ``score`` None (bad gold) are left out of means and pass@k.
    """
    by_id = {r.id: r for r in records}
    per_prompt: dict[str, list[Rollout]] = defaultdict(list)
    for ro in rollouts:
        per_prompt[ro.prompt_id].append(ro)
    k = k or max((len(v) for v in per_prompt.values()), default=1)

    def summarise(pids: list[str]) -> dict[str, Any]:
        scores = [ro.score for p in pids for ro in per_prompt[p] if ro.score is not None]
        outcomes = Counter(ro.outcome for p in pids for ro in per_prompt[p])
        res: dict[str, Any] = {"prompts": len(pids), "samples": sum(len(per_prompt[p]) for p in pids),
                               "mean_reward": float(statistics.fmean(scores)) if scores else 0.0,
                               "outcomes": dict(outcomes.most_common())}
        for kk in sorted({1, k}):
            vals = []
            for p in pids:
                usable = [ro for ro in per_prompt[p] if ro.score is not None]
                if usable:
                    vals.append(pass_at_k(len(usable), sum(1 for ro in usable if ro.score >= 1.0), kk))
            res[f"pass@{kk}"] = float(statistics.fmean(vals)) if vals else 0.0
        return res

    pids = list(per_prompt)
    dom: dict[str, list[str]] = defaultdict(list)
    typ: dict[str, list[str]] = defaultdict(list)
    for p in pids:
        rec = by_id[p]
        dom[rec.domain or "(none)"].append(p)
        typ[answer_type(rec.answer)].append(p)
    return {"k": k, "overall": summarise(pids),
            "by_domain": {d: summarise(v) for d, v in sorted(dom.items())},
            "by_answer_type": {t: summarise(v) for t, v in sorted(typ.items())}}
