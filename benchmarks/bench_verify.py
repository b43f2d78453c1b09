"""Accuracy on real model outputs: every verification dev set, rlvr_rewards vs Math-Verify 0.9.0.

Usage::

    python benchmarks/bench_verify.py [--data-dir DIR] [--sets a,b] [--system both|ours|mv]
                                      [--out results.json] [--failures DIR] [--disputes FILE]

Reads ``<set>.jsonl`` files of (completion, gold, label, bare_answer, options) rows, by default
``../shared/data/verify`` (see its README for the public sources of each set), grades every row
with both systems in the same process, and prints per set: accuracy against the raw labels,
accuracy after the disputed-label record (``benchmarks/disputed_labels.jsonl``: rows whose label
we hold wrong, each with its reason; their label is flipped for the second figure), TP, FP, FN,
pairs/s and p99 latency.

Math-Verify is called as its users call it: ``verify(parse(gold), parse(completion))``, the gold
wrapped in ``$...$`` when it has no delimiters; bare answers have both sides wrapped in
``\\boxed{}``. It runs in the main thread with its default (signal) timeouts. Ours is one
``check(completion, gold, options=...)`` per row; slow tiers run in the worker pool. The speed
ratio is per call (the sum of the timed calls of each system).

Ours runs ``--repeat`` passes (default 3) and the median one is reported: one pass of ours on a
fast set lasts a tenth of a second, at the mercy of the shared machine, while Math-Verify's one
pass lasts seconds to minutes. Before each of our passes the worker pool is restarted, so no pass
finds expressions an earlier one parsed in its workers. Ours is then run a second time the way trainers call it,
``check_batch`` over chunks of ``--batch`` rows (caches emptied, workers restarted): "batch/s" is pairs / wall time of those calls, where the
SymPy rows of a chunk run concurrently on the worker pool. Its verdicts must equal the per-call
ones; the count of rows where they differ is printed (0 expected: only a timeout could differ).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (  # noqa: E402  (sibling script)
    Pair,
    SystemRun,
    clear_our_caches,
    clear_sympy_cache,
    fresh_workers,
    load_math_verify,
    machine_info,
    run_mv,
    wrap_gold,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "verify"
DISPUTES = Path(__file__).resolve().parent / "disputed_labels.jsonl"
SETS = (
    "mathvista_free", "gaokao_fill", "theoremqa", "theoremqa_bare",
    "tabmwp_gpt3", "mathvista_mcq", "mathv_mcq", "ocean_mathvision",
)


def load_set(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_disputes(path: Path) -> dict[str, str]:
    """``{row id: kind}`` of the labels we dispute (empty when the file does not exist).

    ``kind`` is ``label`` (the label is wrong: the answer does / does not equal the gold) or
    ``tolerance`` (the label comes from a grader's ~1% float leniency, which our default
    tolerance policy refuses on purpose).
    """
    if not path.exists():
        return {}
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out[row["id"]] = row.get("kind", "label")
    return out


def to_pairs(rows: list[dict[str, Any]]) -> list[Pair]:
    pairs = []
    for r in rows:
        comp, gold = str(r["completion"]), str(r["gold"])
        if r.get("bare_answer"):
            mv_comp, mv_gold = f"$\\boxed{{{comp}}}$", f"$\\boxed{{{gold}}}$"
        else:
            mv_comp, mv_gold = comp, wrap_gold(gold)
        pairs.append(Pair(comp, gold, mv_comp, mv_gold, bool(r["label"]), {"id": r["id"], "options": r.get("options")}))
    return pairs


def run_ours(pairs: list[Pair]) -> SystemRun:
    from rlvr_rewards import check

    out = SystemRun()
    wall0 = time.perf_counter()
    for p in pairs:
        t0 = time.perf_counter()
        v = check(p.ours_completion, p.ours_gold, options=p.meta.get("options"))
        out.latency.append(time.perf_counter() - t0)
        out.correct.append(v.correct)
        out.extra.append(v)
    out.wall = time.perf_counter() - wall0
    out.total = sum(out.latency)
    return out


def run_ours_batch(pairs: list[Pair], chunk: int) -> tuple[float, list[bool]]:
    """Wall seconds of ``check_batch`` over ``chunk``-row slices, and each row's ``correct``."""
    from rlvr_rewards import check_batch

    correct: list[bool] = []
    total = 0.0
    for k in range(0, len(pairs), chunk):
        part = pairs[k : k + chunk]
        opts = [p.meta.get("options") for p in part]
        t0 = time.perf_counter()
        verdicts = check_batch([p.ours_completion for p in part], [p.ours_gold for p in part],
                               options=opts if any(opts) else None)
        total += time.perf_counter() - t0
        correct.extend(v.correct for v in verdicts)
    return total, correct


def score(run: SystemRun, pairs: list[Pair], disputes: dict[str, str]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    agree_after = agree_policy = 0
    for ok, p in zip(run.correct, pairs):
        label = p.label
        if ok and label:
            tp += 1
        elif ok:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
        kind = disputes.get(p.meta["id"])
        agree_after += ok == ((not label) if kind == "label" else label)
        agree_policy += ok == ((not label) if kind else label)
    n = len(pairs)
    ms = sorted(x * 1e3 for x in run.latency)
    return {
        "pairs": n, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "accuracy": (tp + tn) / n if n else float("nan"),
        "accuracy_after_disputes": agree_after / n if n else float("nan"),
        "accuracy_after_tolerance_disputes": agree_policy / n if n else float("nan"),
        "pairs_per_s": n / run.total if run.total > 0 else float("inf"),
        "p99_ms": ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))] if ms else float("nan"),
    }


def failures(run: SystemRun, pairs: list[Pair]) -> list[dict[str, Any]]:
    out = []
    for ok, p, v in zip(run.correct, pairs, run.extra):
        if ok != p.label:
            out.append({
                "id": p.meta["id"], "kind": "FP" if ok else "FN", "gold": p.ours_gold,
                "answer": getattr(v, "answer", None), "outcome": getattr(getattr(v, "outcome", None), "value", None),
                "verifier": getattr(v, "verifier", None), "detail": getattr(v, "detail", None),
                "tail": p.ours_completion[-300:],
            })
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    ap.add_argument("--system", choices=("both", "ours", "mv"), default="both")
    ap.add_argument("--out", type=Path, help="write every figure as JSON")
    ap.add_argument("--failures", type=Path, help="directory: write <set>.<system>.jsonl of label mismatches")
    ap.add_argument("--disputes", type=Path, default=DISPUTES)
    ap.add_argument("--repeat", type=int, default=3,
                    help="passes of ours per set (each on restarted workers; the median is reported). "
                         "Math-Verify's one pass lasts seconds to minutes and needs no repeat")
    ap.add_argument("--batch", type=int, default=256, help="rows per check_batch call of the batch pass (0: skip it)")
    args = ap.parse_args(argv)

    if not args.data_dir.is_dir():
        sys.exit(f"{args.data_dir}: no such directory (pass --data-dir)")
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in names if not (args.data_dir / f"{s}.jsonl").exists()]
    if unknown:
        sys.exit(f"no {', '.join(unknown)} in {args.data_dir}; sets there: "
                 + ", ".join(sorted(p.stem for p in args.data_dir.glob("*.jsonl"))))
    disputes = load_disputes(args.disputes)
    systems = ("ours", "mv") if args.system == "both" else (args.system,)

    from rlvr_rewards.workers import warmup

    warmup()
    parse = verify = None
    if "mv" in systems:
        parse, verify = load_math_verify()
    if args.failures:
        args.failures.mkdir(parents=True, exist_ok=True)

    results: dict[str, Any] = {"machine": machine_info(), "disputed_labels": len(disputes), "sets": {}}
    header = f"| {'set':17s} | {'system':12s} | pairs | {'acc':>7s} | {'acc*':>7s} | {'acc**':>7s} | {'TP':>5s} | {'FP':>4s} | {'FN':>5s} | {'pairs/s':>8s} | {'p99 ms':>7s} |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for name in names:
        pairs = to_pairs(load_set(args.data_dir / f"{name}.jsonl"))
        entry: dict[str, Any] = {}
        for system in systems:
            passes = []
            for _ in range(args.repeat if system == "ours" else 1):
                clear_our_caches()
                clear_sympy_cache()
                if system == "ours":
                    fresh_workers()
                gc.collect()
                passes.append(run_ours(pairs) if system == "ours" else run_mv(pairs, parse, verify))
            run = sorted(passes, key=lambda r: r.total)[(len(passes) - 1) // 2]  # the median pass
            if any(p.correct != run.correct for p in passes):
                print(f"warning: {name}: verdicts differ between passes of ours (a timeout?)", file=sys.stderr)
            s = score(run, pairs, disputes)
            s["passes_pairs_per_s"] = [len(pairs) / p.total for p in passes if p.total > 0]
            entry[system] = s
            label = "rlvr_rewards" if system == "ours" else "math-verify"
            print(f"| {name:17s} | {label:12s} | {s['pairs']:5d} | {s['accuracy']:7.2%} | {s['accuracy_after_disputes']:7.2%} | {s['accuracy_after_tolerance_disputes']:7.2%} "
                  f"| {s['tp']:5d} | {s['fp']:4d} | {s['fn']:5d} | {s['pairs_per_s']:8,.0f} | {s['p99_ms']:7.2f} |", flush=True)
            if system == "ours" and args.batch > 0:
                walls = []
                for _ in range(args.repeat):
                    clear_our_caches()
                    fresh_workers()
                    gc.collect()
                    wall, batch_correct = run_ours_batch(pairs, args.batch)
                    walls.append(wall)
                    s["batch_mismatches"] = max(s.get("batch_mismatches", 0), sum(a != b for a, b in zip(batch_correct, run.correct)))
                wall = sorted(walls)[(len(walls) - 1) // 2]
                s["batch_pairs_per_s"] = len(pairs) / wall if wall > 0 else float("inf")
            if args.failures:
                with (args.failures / f"{name}.{system}.jsonl").open("w", encoding="utf-8") as fh:
                    for row in failures(run, pairs):
                        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        if len(systems) == 2:
            entry["speed_ratio"] = entry["ours"]["pairs_per_s"] / entry["mv"]["pairs_per_s"]
            if "batch_pairs_per_s" in entry["ours"]:
                entry["batch_speed_ratio"] = entry["ours"]["batch_pairs_per_s"] / entry["mv"]["pairs_per_s"]
        results["sets"][name] = entry
    if len(systems) == 2:
        print("\n| set               | ours per call/s | ours batch/s | MV pairs/s | speed, per call | speed, batch | batch verdicts differing |")
        print("|-------------------|-----------------|--------------|------------|-----------------|--------------|--------------------------|")
        for name, e in results["sets"].items():
            o = e["ours"]
            b = o.get("batch_pairs_per_s")
            print(f"| {name:17s} | {o['pairs_per_s']:15,.0f} | {b if b is None else format(b, ',.0f'):>12s} | {e['mv']['pairs_per_s']:10,.0f} "
                  f"| {e['speed_ratio']:14.1f}x | {'' if b is None else format(e['batch_speed_ratio'], '.1f') + 'x':>12s} "
                  f"| {o.get('batch_mismatches', ''):>24} |")
    kinds = list(disputes.values())
    print(f"acc = against the raw labels; acc* = after the disputed-label record ({kinds.count('label')} wrong "
          f"labels, {args.disputes.name}); acc** = also flipping the {kinds.count('tolerance')} labels that rest on "
          "a grader's ~1% float leniency, which our tolerance policy refuses")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
