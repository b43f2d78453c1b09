"""Side-by-side benchmark: rlvr_rewards vs Math-Verify 0.9.0, in one run.

Usage::

    python benchmarks/bench.py [--data-dir DIR] [--source local|hub] [--out results.json] [--quick] [--repeat N]
                               [--all | --stream N --pool]

Workloads (see benchmarks/README.md):

* ``reference`` — MATH-500 and GSM8K reference solutions graded against their own answer
  (label correct) and against another problem's answer (label incorrect); one call per pair.
* ``grpo`` — 100 golds x 8 Qwen2.5-Math-7B-Instruct completions; ours via ``check_batch`` per
  group of 8 (amortised per-pair latency = group time / 8), Math-Verify per pair.
* ``bare`` — short answers: MATH-500 ``answer`` vs ``\\boxed{answer}``, and Qwen's own
  extracted prediction vs the gold.
* with ``--all`` (or ``--stream N`` / ``--pool``) also the scale workloads of ``bench_scale.py``:
  1,000,000 rollouts streamed through ``rlvr-rewards score``, and the worker-pool speed-up.

Math-Verify is called the standard way, ``verify(parse(gold), parse(completion))``, in the main
thread (its default timeouts use signals). Every timing is ``time.perf_counter()`` around one
call (ours) / one parse+parse+verify (Math-Verify); pairs/s = pairs / sum of those times.

Each system runs each workload ``--repeat`` times (default 5), the two systems' passes
interleaved so that both meet the same machine load. Before every pass our parse caches and
SymPy's cache (Math-Verify's) are emptied and the garbage collector is run, so every pass is cold
and none pays for another's garbage; the table reports the pass with the median total time, for
each system on its own.
After warm-up the data and modules already loaded are frozen out of garbage collection
(``gc.freeze()``), so a collection that happens to fall in a pass does not re-scan them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
QUICK_ROWS = 200
PAIR_OFFSET = 7  # reference negatives: solution i is graded against the answer of i + 7 (mod n)

MATH500_FILE = "math500_test.jsonl"
GSM8K_FILE = "gsm8k_test.jsonl"
QWEN_FILE = "qwen25math7b_math_cot_800.jsonl"


# -- data ---------------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _gsm8k_from_hub_row(row: dict[str, Any]) -> dict[str, Any]:
    """openai/gsm8k keeps the rationale and the answer in one field ending in ``#### N``."""
    rationale, _, final = row["answer"].rpartition("####")
    answer = final.strip().replace(",", "")
    solution = f"{rationale.strip()} The answer is $\\boxed{{{answer}}}$."
    return {"problem": row["question"], "solution": solution, "answer": answer}


def load_data(source: str, data_dir: Path | None) -> dict[str, list[dict[str, Any]] | None]:
    """``{"math500": rows, "gsm8k": rows, "qwen": rows or None}`` from local files or the Hub."""
    if source == "hub":
        try:
            from datasets import load_dataset  # lazy: only the hub source needs it
        except ImportError:
            sys.exit("--source hub needs the `datasets` package (pip install datasets)")
        try:
            math500 = [
                {"problem": r["problem"], "solution": r["solution"], "answer": r["answer"]}
                for r in load_dataset("HuggingFaceH4/MATH-500", split="test")
            ]
            gsm8k = [_gsm8k_from_hub_row(r) for r in load_dataset("openai/gsm8k", "main", split="test")]
        except Exception as exc:  # noqa: BLE001 - no network, no cache, renamed dataset...
            sys.exit(f"--source hub: could not load the datasets from Hugging Face: {type(exc).__name__}: {exc}")
        print(f"note: {QWEN_FILE} has no Hugging Face copy; the `grpo` workload and the Qwen half of "
              "`bare` are skipped with --source hub")
        return {"math500": math500, "gsm8k": gsm8k, "qwen": None}
    if data_dir is None:
        sys.exit(f"no data directory: pass --data-dir (default {DEFAULT_DATA_DIR} does not exist) or --source hub")
    missing = [f for f in (MATH500_FILE, GSM8K_FILE) if not (data_dir / f).exists()]
    if missing:
        sys.exit(f"{data_dir}: missing {', '.join(missing)}")
    qwen_path = data_dir / QWEN_FILE
    if not qwen_path.exists():
        print(f"note: {qwen_path} not found; the `grpo` workload and the Qwen half of `bare` are skipped")
    return {
        "math500": _read_jsonl(data_dir / MATH500_FILE),
        "gsm8k": _read_jsonl(data_dir / GSM8K_FILE),
        "qwen": _read_jsonl(qwen_path) if qwen_path.exists() else None,
    }


# -- pairs --------------------------------------------------------------------------------------
@dataclass
class Pair:
    """One graded pair: ``ours_*`` go to rlvr_rewards, ``mv_*`` to Math-Verify's ``parse``."""

    ours_completion: str
    ours_gold: str
    mv_completion: str
    mv_gold: str
    label: bool
    meta: dict[str, Any] = field(default_factory=dict)


def wrap_gold(gold: str) -> str:
    """Math-Verify's usual gold convention: ``$gold$`` unless it already carries ``$`` or ``\\boxed``.

    An escaped dollar sign (``\\$36``, a currency answer in MATH-500) is not a math delimiter:
    such a gold is wrapped too, otherwise ``parse`` finds nothing and every pair scores False.
    """
    delimited = "$" in gold.replace("\\$", "")
    return gold if (delimited or "\\boxed" in gold) else f"${gold}$"


def reference_pairs(data: dict[str, Any]) -> list[Pair]:
    pairs: list[Pair] = []
    for name in ("math500", "gsm8k"):
        rows = data[name]
        n = len(rows)
        for i, row in enumerate(rows):
            sol, ans = row["solution"], str(row["answer"])
            pairs.append(Pair(sol, ans, sol, wrap_gold(ans), True, {"set": name, "i": i, "gold_of": i}))
        for i, row in enumerate(rows):
            j = (i + PAIR_OFFSET) % n
            other = str(rows[j]["answer"])
            if other.strip() == str(row["answer"]).strip():
                continue
            sol = row["solution"]
            pairs.append(Pair(sol, other, sol, wrap_gold(other), False, {"set": name, "i": i, "gold_of": j}))
    return pairs


def grpo_groups(qwen: list[dict[str, Any]]) -> list[list[Pair]]:
    groups: dict[str, list[Pair]] = {}
    for row in qwen:
        gid = str(row["id"]).rsplit("-", 1)[0]
        gold = str(row["gold"])
        meta = {"id": row["id"], "qwen_pred": row.get("qwen_pred")}
        groups.setdefault(gid, []).append(
            Pair(row["completion"], gold, row["completion"], wrap_gold(gold), bool(row["qwen_correct"]), meta)
        )
    return list(groups.values())


def bare_pairs(data: dict[str, Any]) -> list[Pair]:
    pairs: list[Pair] = []
    for i, row in enumerate(data["math500"]):
        gold = str(row["answer"])
        pred = f"\\boxed{{{gold}}}"
        pairs.append(Pair(pred, gold, f"${pred}$", f"${gold}$", True, {"set": "math500", "i": i}))
    for row in data["qwen"] or ():
        pred, gold = str(row["qwen_pred"]), str(row["gold"])
        pairs.append(Pair(pred, gold, f"${pred}$", f"${gold}$", bool(row["qwen_correct"]), {"set": "qwen", "id": row["id"]}))
    return pairs


# -- the two systems ----------------------------------------------------------------------------
def load_math_verify() -> tuple[Callable[..., Any], Callable[..., Any]]:
    from math_verify import parse, verify

    return parse, verify


def mv_grade(parse: Callable[..., Any], verify: Callable[..., Any], pair: Pair) -> tuple[bool, Any]:
    """Math-Verify the standard way; any exception counts as not verified.

    Returns ``(ok, parsed prediction)``, or ``(False, the exception)`` when it raised.
    """
    try:
        gold = parse(pair.mv_gold)
        pred = parse(pair.mv_completion)
        return bool(verify(gold, pred)), pred
    except Exception as exc:  # noqa: BLE001
        return False, exc


@dataclass
class SystemRun:
    """Per-pair results and latencies (seconds) of one system on one workload."""

    correct: list[bool] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    total: float = 0.0  # sum of the timed calls
    wall: float = 0.0  # wall time of the whole loop, harness included
    extra: list[Any] = field(default_factory=list)  # ours: Verdicts; MV: parsed predictions


def run_ours_single(pairs: Sequence[Pair]) -> SystemRun:
    from rlvr_rewards import check

    out = SystemRun()
    wall0 = time.perf_counter()
    for p in pairs:
        t0 = time.perf_counter()
        v = check(p.ours_completion, p.ours_gold)
        dt = time.perf_counter() - t0
        out.latency.append(dt)
        out.correct.append(v.correct)
        out.extra.append(v)
    out.wall = time.perf_counter() - wall0
    out.total = sum(out.latency)
    return out


def run_ours_groups(groups: Sequence[Sequence[Pair]]) -> SystemRun:
    from rlvr_rewards import check_batch

    out = SystemRun()
    wall0 = time.perf_counter()
    for group in groups:
        comps = [p.ours_completion for p in group]
        golds = [p.ours_gold for p in group]
        t0 = time.perf_counter()
        verdicts = check_batch(comps, golds)
        dt = time.perf_counter() - t0
        out.total += dt
        out.latency.extend([dt / len(group)] * len(group))
        out.correct.extend(v.correct for v in verdicts)
        out.extra.extend(verdicts)
    out.wall = time.perf_counter() - wall0
    return out


def run_mv(pairs: Sequence[Pair], parse: Callable[..., Any], verify: Callable[..., Any]) -> SystemRun:
    out = SystemRun()
    wall0 = time.perf_counter()
    for p in pairs:
        t0 = time.perf_counter()
        ok, pred = mv_grade(parse, verify, p)
        dt = time.perf_counter() - t0
        out.latency.append(dt)
        out.correct.append(ok)
        out.extra.append(pred)
    out.wall = time.perf_counter() - wall0
    out.total = sum(out.latency)
    return out


def clear_our_caches() -> list[str]:
    """Empty every in-process cache of rlvr_rewards (each ``functools.lru_cache`` of its modules:
    parsed golds, parsed answers, parsed LaTeX, letter rules, ...).

    Called before each pass so no pass runs on answers a previous one already parsed (the bare
    workload reuses the MATH-500 golds of the reference one, and repeated passes reuse their
    own). Reuse *within* a pass stays: a gold shared by several pairs is parsed once, as in
    training. Returns the names of the caches emptied.
    """
    cleared = []
    for mod_name, module in list(sys.modules.items()):
        if not mod_name.startswith("rlvr_rewards") or module is None:
            continue
        for name, obj in list(vars(module).items()):
            if callable(getattr(obj, "cache_clear", None)) and hasattr(obj, "cache_info"):
                obj.cache_clear()
                cleared.append(f"{mod_name}.{name}")
    return sorted(set(cleared))


def clear_sympy_cache() -> None:
    """Empty SymPy's global cache, which Math-Verify fills (our in-process tiers do not use SymPy),
    and Math-Verify's own caches of parsed LaTeX.

    Without this, Math-Verify's later passes reuse expressions its earlier passes (and earlier
    workloads) built, and are no longer cold like ours.
    """
    from sympy.core.cache import clear_cache

    clear_cache()
    import math_verify.parser as mv_parser  # its small caches of parsed LaTeX / expressions

    for name in ("parse_latex_cached", "parse_expr_cached"):
        fn = getattr(mv_parser, name, None)
        if callable(getattr(fn, "cache_clear", None)):
            fn.cache_clear()


def fresh_workers() -> None:
    """Restart our worker pool: new workers forked from the host hold none of the parsed
    expressions (math-verify's and SymPy's caches) that an earlier pass left in them."""
    from rlvr_rewards.guard import get_pool

    pool = get_pool()
    pool.shutdown()
    pool.warmup()
    # Wait until every worker has been forked and answers, so that no timed pass shares the CPUs
    # with the start-up of the new processes.
    futures = [pool.submit(abs, -1, timeout=60.0) for _ in range(4 * pool.workers)]
    for f in futures:
        f.result(timeout=60.0)


def median_passes(
    runs: Sequence[Callable[[], SystemRun]], repeat: int
) -> list[tuple[SystemRun, list[SystemRun]]]:
    """Run ``repeat`` cold passes of each system, interleaved (A B A B ...); the median of each.

    Before every pass the caches are emptied and garbage collected. One pass of a fast system
    lasts milliseconds, so a single pass is at the mercy of the scheduler on a shared machine;
    interleaving puts both systems' passes in the same stretch of machine weather (a burst of
    load hits pass *i* of each, not all the passes of one), and the median of each is steadier
    than any single pass.
    """
    passes: list[list[SystemRun]] = [[] for _ in runs]
    for _ in range(repeat):
        for k, run in enumerate(runs):
            clear_our_caches()
            clear_sympy_cache()
            gc.collect()
            passes[k].append(run())
    out = []
    for ps in passes:
        ranked = sorted(ps, key=lambda r: r.total)
        out.append((ranked[(len(ranked) - 1) // 2], ps))
    return out


def warm_up(pairs: Sequence[Pair], parse: Callable[..., Any], verify: Callable[..., Any]) -> float:
    """Start our worker pool and exercise both systems on a few pairs (untimed)."""
    from rlvr_rewards import check, check_batch
    from rlvr_rewards.workers import warmup

    t0 = time.perf_counter()
    warmup()
    sample = list(pairs[:8]) + [
        Pair("so x = \\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt3}2", "so x = \\boxed{\\frac{\\sqrt{3}}{2}}", "$\\frac{\\sqrt3}2$", True),
        Pair("The answer is (1, 2]", "(1,2]", "The answer is $(1, 2]$", "$(1,2]$", True),
        Pair("\\boxed{x^2+2x+1}", "(x+1)^2", "$\\boxed{x^2+2x+1}$", "$(x+1)^2$", True),
    ]
    for p in sample:
        check(p.ours_completion, p.ours_gold)
        mv_grade(parse, verify, p)
    check_batch([p.ours_completion for p in sample], [p.ours_gold for p in sample])
    return time.perf_counter() - t0


# -- reporting ----------------------------------------------------------------------------------
def _pct(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, int(round(q * (len(sorted_ms) - 1)))))
    return sorted_ms[k]


def summarize(run: SystemRun, labels: Sequence[bool]) -> dict[str, Any]:
    ms = sorted(x * 1e3 for x in run.latency)
    n = len(run.correct)
    return {
        "pairs": n,
        "pairs_per_s": n / run.total if run.total > 0 else float("inf"),
        "total_s": run.total,
        "wall_s": run.wall,
        "p50_ms": statistics.median(ms) if ms else float("nan"),
        "p99_ms": _pct(ms, 0.99),
        "max_ms": ms[-1] if ms else float("nan"),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "accuracy": sum(c == y for c, y in zip(run.correct, labels)) / n if n else float("nan"),
        "predicted_correct": sum(run.correct),
    }


def _short(text: Any, limit: int = 300) -> Any:
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mv_pred_text(parsed: Any) -> str | None:
    if isinstance(parsed, Exception):
        return f"raised {type(parsed).__name__}: {_short(parsed, 120)}"
    if not parsed:
        return None
    return " | ".join(_short(x, 120) for x in parsed)


def disagreements(pairs: Sequence[Pair], ours: SystemRun, mv: SystemRun, vs_label: bool = False) -> list[dict[str, Any]]:
    """Pairs where the two systems differ (or, with ``vs_label``, where either differs from the label)."""
    rows = []
    for p, oc, v, mc, mp in zip(pairs, ours.correct, ours.extra, mv.correct, mv.extra):
        if (oc == p.label and mc == p.label) if vs_label else oc == mc:
            continue
        rows.append({
            **p.meta,
            "gold": p.ours_gold,
            "completion": _short(p.ours_completion, 400),
            "label": p.label,
            "our_answer": v.answer,
            "our_verdict": v.outcome.value,
            "our_verifier": v.verifier,
            "our_detail": _short(v.detail, 200),
            "mv_verdict": mc,
            "mv_extracted": _mv_pred_text(mp),
            "right_per_label": "both" if oc == mc == p.label else "neither" if oc == mc else "ours" if oc == p.label else "mv",
        })
    return rows


def evaluate_workload(
    name: str,
    pairs: Sequence[Pair],
    ours: SystemRun,
    mv: SystemRun,
    note: str,
) -> dict[str, Any]:
    labels = [p.label for p in pairs]
    s_ours, s_mv = summarize(ours, labels), summarize(mv, labels)
    dis = disagreements(pairs, ours, mv)
    label_misses = disagreements(pairs, ours, mv, vs_label=True)
    n = len(pairs)
    outcomes = Counter(v.outcome.value for v in ours.extra)
    verifiers = Counter(v.verifier or "-" for v in ours.extra)
    def slowest(run: SystemRun) -> list[dict[str, Any]]:
        order = sorted(range(n), key=lambda i: -run.latency[i])[:5]
        return [{"ms": round(run.latency[i] * 1e3, 2), **pairs[i].meta, "gold": pairs[i].ours_gold} for i in order]

    return {
        "workload": name,
        "note": note,
        "pairs": n,
        "labels_correct": sum(labels),
        "ours": s_ours,
        "math_verify": s_mv,
        "speed_ratio_ours_over_mv": s_ours["pairs_per_s"] / s_mv["pairs_per_s"] if s_mv["pairs_per_s"] else None,
        "agreement": (n - len(dis)) / n if n else float("nan"),
        "disagreements_count": len(dis),
        "disagreements_label_sides_with": dict(Counter(d["right_per_label"] for d in dis)),
        "ours_outcomes": dict(outcomes),
        "mv_exceptions": sum(isinstance(x, Exception) for x in mv.extra),
        "ours_deciding_verifier": dict(verifiers.most_common()),
        "ours_slowest_pairs": slowest(ours),  # grpo: amortised (group time / 8)
        "mv_slowest_pairs": slowest(mv),
        "disagreements": dis,
        "label_misses_count": len(label_misses),
        "label_misses": label_misses[:100],  # either system differs from the label (label noise shows here)
    }


def format_table(results: Sequence[dict[str, Any]]) -> str:
    head = ["workload", "system", "pairs", "pairs/s", "p50 ms", "p99 ms", "max ms", "acc vs labels", "ours/MV speed", "agreement (disagree: label sides ours/MV)"]
    rows = [head]
    for r in results:
        dis = r["disagreements_label_sides_with"]
        agree = f"{r['agreement'] * 100:.2f}% ({r['disagreements_count']}: {dis.get('ours', 0)}/{dis.get('mv', 0)})"
        for sys_name, key in (("rlvr_rewards", "ours"), ("math-verify", "math_verify")):
            s = r[key]
            rows.append([
                r["workload"],
                sys_name,
                str(s["pairs"]),
                f"{s['pairs_per_s']:,.0f}",
                f"{s['p50_ms']:.3f}",
                f"{s['p99_ms']:.2f}",
                f"{s['max_ms']:.1f}",
                f"{s['accuracy'] * 100:.2f}%",
                f"{r['speed_ratio_ours_over_mv']:.1f}x" if key == "ours" else "",
                agree if key == "ours" else "",
            ])
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine_info() -> dict[str, Any]:
    def ver(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "rlvr_rewards": ver("rlvr_rewards"),
        "math_verify": ver("math-verify"),
        "sympy": ver("sympy"),
        "rlvr_workers": os.environ.get("RLVR_WORKERS") or "default",
    }


def run_scale_workloads(stream: int, pool: bool) -> dict[str, Any]:
    """The two workloads of ``bench_scale.py`` (worker pool, streaming), printed as they finish."""
    if not stream and not pool:
        return {}
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_scale

    out: dict[str, Any] = {}
    if pool:
        print("\nworker pool: symbolic-only pairs with 1 and 2 workers ...", flush=True)
        r = out["pool"] = bench_scale.pool_workload()
        for key in sorted(k for k in r if k.startswith("workers_")):
            w = r[key]
            print(f"  {key.split('_')[1]} worker(s): {w['wall_s']:.2f} s, {w['pairs_per_s']:.0f} pairs/s, "
                  f"speed-up {w['speedup']:.2f}x")
    if stream:
        print(f"\nstreaming {stream:,} rollouts through `rlvr-rewards score` ...", flush=True)
        r = out["stream"] = bench_scale.stream_workload(stream)
        print(f"  {r['output_rows']:,} rows in {r['wall_s']:.0f} s, {r['records_per_s'] or 0:,} records/s; "
              f"RSS max {r['rss_mb_first_quarter_max']} MB (first quarter) vs {r['rss_mb_last_quarter_max']} MB "
              f"(last quarter); progress shown: {r['progress_shown']}; exit {r['returncode']}")
    return out


# -- main ---------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR if DEFAULT_DATA_DIR.is_dir() else None,
                    help=f"directory with the jsonl files (default: {DEFAULT_DATA_DIR} if it exists)")
    ap.add_argument("--source", choices=("local", "hub"), default="local",
                    help="local jsonl files, or the public Hugging Face datasets (needs `datasets`)")
    ap.add_argument("--out", type=Path, default=None, help="write the full results (with disagreements) as JSON here")
    ap.add_argument("--quick", action="store_true", help=f"smoke run: only the first {QUICK_ROWS} rows of each source file")
    ap.add_argument("--stream", type=int, default=0, metavar="N",
                    help="also stream N synthetic rollouts through `rlvr-rewards score` (memory, throughput)")
    ap.add_argument("--pool", action="store_true", help="also measure the worker-pool speed-up (1 vs 2 workers)")
    ap.add_argument("--all", action="store_true", help="every workload of the speed issue: --stream 1000000 --pool")
    ap.add_argument("--repeat", type=int, default=5,
                    help="cold passes per system and workload; the median pass is reported (default 5)")
    args = ap.parse_args(argv)

    info = machine_info()
    print(f"machine: {info['cpu_count']} CPUs, Python {info['python']} ({info['platform']})")
    print(f"versions: rlvr_rewards {info['rlvr_rewards']}, math-verify {info['math_verify']}, sympy {info['sympy']}")

    data = load_data(args.source, args.data_dir)
    if args.quick:
        data = {k: (v[:QUICK_ROWS] if v is not None else None) for k, v in data.items()}
    parse, verify = load_math_verify()

    ref = reference_pairs(data)
    groups = grpo_groups(data["qwen"]) if data["qwen"] is not None else []
    grpo = [p for g in groups for p in g]
    bare = bare_pairs(data)
    print(f"workloads: reference {len(ref)} pairs, grpo {len(grpo)} pairs ({len(groups)} groups), bare {len(bare)} pairs"
          + (" [--quick]" if args.quick else ""))

    warm = warm_up(ref + grpo + bare, parse, verify)
    print(f"warm-up (worker pool start + a few calls of each system): {warm:.2f} s")
    # The loaded data and both libraries' modules are long-lived: keep the garbage collector from
    # re-scanning them in the middle of a timed pass (it would land on whichever system runs then).
    gc.collect()
    gc.freeze()

    results = []
    t_all = time.perf_counter()
    plan: list[tuple[str, Sequence[Pair], Callable[[], SystemRun], str]] = [
        ("reference", ref, lambda: run_ours_single(ref),
         "MATH-500 + GSM8K reference solutions vs own answer (correct) and answer of problem i+7 (incorrect); check() per pair"),
    ]
    if groups:
        plan.append(("grpo", grpo, lambda: run_ours_groups(groups),
                     "Qwen2.5-Math-7B-Instruct, 100 golds x 8 completions; ours check_batch per group of 8 "
                     "(latency = group time / 8); labels = qwen_correct (silver)"))
    plan.append(("bare", bare, lambda: run_ours_single(bare),
                 "short answers: MATH-500 answer vs \\boxed{answer} (correct) + qwen_pred vs gold (label qwen_correct)"))
    repeat = max(1, args.repeat)
    for name, pairs, run_ours, note in plan:
        print(f"running {name} ({repeat} cold passes each, interleaved) ...", end=" ", flush=True)
        (ours, ours_passes), (mv, mv_passes) = median_passes(
            [run_ours, lambda pairs=pairs: run_mv(pairs, parse, verify)], repeat)
        print(f"rlvr_rewards {sum(r.wall for r in ours_passes):.1f} s, math-verify {sum(r.wall for r in mv_passes):.1f} s")
        result = evaluate_workload(name, pairs, ours, mv, note)
        result["passes"] = {
            "ours_pairs_per_s": [len(pairs) / r.total for r in ours_passes if r.total > 0],
            "mv_pairs_per_s": [len(pairs) / r.total for r in mv_passes if r.total > 0],
        }
        results.append(result)
    elapsed = time.perf_counter() - t_all

    print()
    print(format_table(results))
    print()
    for r in results:
        o = ", ".join(f"{k} {v}" for k, v in sorted(r["ours_outcomes"].items(), key=lambda kv: -kv[1]))
        print(f"{r['workload']}: our outcomes: {o}; math-verify exceptions: {r['mv_exceptions']}; "
              f"pairs where either system differs from the label: {r['label_misses_count']}")
        for d in r["disagreements"][:5 if r["workload"] != "grpo" else 10]:
            ident = d.get("id", f"{d.get('set')}#{d.get('i')}")
            print(f"  disagree {ident}: gold={d['gold']!r} ours={d['our_answer']!r}->{d['our_verdict']} "
                  f"MV={d['mv_verdict']} label={d['label']} (right per label: {d['right_per_label']})")
        more = r["disagreements_count"] - min(r["disagreements_count"], 5 if r["workload"] != "grpo" else 10)
        if more > 0:
            print(f"  ... {more} more in the JSON")
    print(f"\ntotal benchmark time {elapsed:.1f} s")

    scale = run_scale_workloads(args.stream or (1_000_000 if args.all else 0), args.pool or args.all)

    if args.out:
        payload = {
            "machine": info,
            "args": {"data_dir": str(args.data_dir) if args.data_dir else None, "source": args.source,
                     "quick": args.quick, "repeat": repeat},
            "warmup_s": warm,
            "elapsed_s": elapsed,
            "workloads": results,
            **scale,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
