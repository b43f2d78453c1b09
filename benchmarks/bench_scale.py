"""Scale workloads: streaming a large rollout file through the CLI, and the worker-pool speed-up.

    python benchmarks/bench_scale.py --stream 1000000     # rlvr-rewards score on 1M completions
    python benchmarks/bench_scale.py --pool               # symbolic tier with 1 vs 2 workers

Both are also run by ``python benchmarks/bench.py --all``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def _rollout(rng: random.Random, i: int) -> dict[str, Any]:
    a, b = rng.randint(1, 10**6), rng.randint(1, 10**6)
    gold = a + b
    kind = rng.random()
    if kind < 0.70:
        ans = rf"\boxed{{{gold}}}"
    elif kind < 0.85:
        ans = rf"\boxed{{{gold + rng.randint(1, 9)}}}"
    elif kind < 0.90:
        ans = rf"\boxed{{{gold}}} or maybe \boxed{{{gold + 1}}}"
    elif kind < 0.95:
        ans = rf"The answer is $\frac{{{2 * gold}}}{{2}}$."
    else:
        ans = "I am not sure."
    completion = (
        f"<think>We need {a} + {b}. Adding the units, then the tens, carrying where needed.</think>\n"
        f"Adding {a} and {b} step by step gives the total. {ans}"
    )
    return {"id": i, "completion": completion, "gold": str(gold)}


def make_file(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(_rollout(rng, i)) + "\n")


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def stream_workload(n: int, workdir: Path | None = None) -> dict[str, Any]:
    """Score ``n`` synthetic rollouts with the CLI; sample its RSS while it runs."""
    tmp = Path(workdir or tempfile.mkdtemp(prefix="rlvr-stream-"))
    src, out = tmp / "rollouts.jsonl", tmp / "scored.jsonl"
    t = time.perf_counter()
    make_file(src, n)
    gen_s = time.perf_counter() - t
    cmd = [sys.executable, "-m", "rlvr_rewards", "score", str(src), "-o", str(out), "--timeout", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, float]] = []
    start = time.perf_counter()

    def sample() -> None:
        while proc.poll() is None:
            rss = _rss_mb(proc.pid)
            if rss is not None:
                samples.append((time.perf_counter() - start, rss))
            time.sleep(0.5)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    th.join()
    wall = time.perf_counter() - start
    m = re.search(r"scored (\d+) records in ([\d.]+) s \((\d+) records/s\)", stdout)
    rows = sum(1 for _ in out.open()) if out.exists() else 0
    rss = [r for _, r in samples]
    quarter = max(1, len(rss) // 4)
    result = {
        "records": n, "output_rows": rows, "wall_s": round(wall, 2), "generate_s": round(gen_s, 2),
        "records_per_s": int(m.group(3)) if m else None,
        "rss_mb_first_quarter_max": round(max(rss[:quarter]), 1) if rss else None,
        "rss_mb_last_quarter_max": round(max(rss[-quarter:]), 1) if rss else None,
        "rss_mb_peak": round(max(rss), 1) if rss else None,
        "progress_shown": "scoring" in stderr and "rec" in stderr,
        "returncode": proc.returncode,
        "summary": stdout.strip().splitlines()[:12],
    }
    for p in (src, out):
        try:
            p.unlink()
        except OSError:
            pass
    return result


SYMBOLIC_PAIRS = [
    (rf"\boxed{{\sum_{{k=1}}^{{{n}}} k}}", str(n * (n + 1) // 2)) for n in range(5, 45)
] + [
    (rf"\boxed{{\int_0^{{{n}}} x\,dx}}", rf"\frac{{{n * n}}}{{2}}") for n in range(1, 41)
]


def pool_workload(workers_list: tuple[int, ...] = (1, 2), repeat: int = 3) -> dict[str, Any]:
    """Pairs only the symbolic tier can settle, graded with 1 and 2 workers (fresh pools).

    The worker counts alternate for ``repeat`` rounds and each reports its median round, so a
    burst of load on the shared machine does not land on one count only.
    """
    import statistics

    from rlvr_rewards import check_batch
    from rlvr_rewards.guard import configure
    from rlvr_rewards.parsing.values import _parse_cached

    completions = [c for c, _ in SYMBOLIC_PAIRS] * 3
    golds = [g for _, g in SYMBOLIC_PAIRS] * 3
    out: dict[str, Any] = {"pairs": len(completions), "cpus": os.cpu_count(), "rounds": repeat}
    walls: dict[int, list[float]] = {w: [] for w in workers_list}
    correct: dict[int, int] = {}
    by: dict[int, list[str]] = {}
    for _ in range(repeat):
        for w in workers_list:
            pool = configure(workers=w)
            pool.warmup()
            _parse_cached.cache_clear()
            t = time.perf_counter()
            verdicts = check_batch(completions, golds, timeout=10.0, dedupe=False)
            walls[w].append(time.perf_counter() - t)
            correct[w] = sum(v.correct for v in verdicts)
            by[w] = sorted({v.verifier or "" for v in verdicts})
    for w in workers_list:
        wall = statistics.median(walls[w])
        out[f"workers_{w}"] = {
            "wall_s": round(wall, 3), "rounds_s": [round(x, 3) for x in walls[w]],
            "pairs_per_s": round(len(completions) / wall, 1), "correct": correct[w], "by": by[w],
        }
    base = out[f"workers_{workers_list[0]}"]["wall_s"]
    for w in workers_list:
        out[f"workers_{w}"]["speedup"] = round(base / out[f"workers_{w}"]["wall_s"], 2)
    configure()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stream", type=int, default=0, help="records for the streaming workload (0: skip)")
    ap.add_argument("--pool", action="store_true", help="run the worker-pool speed-up workload")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    result: dict[str, Any] = {}
    if args.pool:
        result["pool"] = pool_workload()
        print(json.dumps(result["pool"], indent=2))
    if args.stream:
        result["stream"] = stream_workload(args.stream)
        print(json.dumps(result["stream"], indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
