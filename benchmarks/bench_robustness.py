"""Worst-case latency over the adversarial corpus, per input class and execution context.

    python benchmarks/bench_robustness.py [--timeout 1.0] [--out results.json]

Contexts: main thread, ThreadPoolExecutor(16), asyncio (acheck gathered), fork pool, spawn pool.
The corpus is tests/adversarial.py. Prints a table of max seconds per (class, context) and the
outcomes seen; the promise is timeout + 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from adversarial import corpus  # noqa: E402

import rlvr_rewards  # noqa: E402
from rlvr_rewards import check  # noqa: E402
from rlvr_rewards.api import acheck  # noqa: E402

TIMEOUT = 1.0
CASES = corpus()


def _one(i: int) -> tuple[int, str, float]:
    c = CASES[i]
    start = time.perf_counter()
    v = check(c[2], c[3], timeout=TIMEOUT)
    return i, v.outcome.value, time.perf_counter() - start


def _main_thread() -> list[tuple[int, str, float]]:
    return [_one(i) for i in range(len(CASES))]


def _threads() -> list[tuple[int, str, float]]:
    with ThreadPoolExecutor(16) as ex:
        return list(ex.map(_one, range(len(CASES))))


def _asyncio() -> list[tuple[int, str, float]]:
    async def run() -> list[tuple[int, str, float]]:
        async def one(i: int) -> tuple[int, str, float]:
            c = CASES[i]
            v = await acheck(c[2], c[3], timeout=TIMEOUT)
            return i, v.outcome.value, v.elapsed

        return list(await asyncio.gather(*(one(i) for i in range(len(CASES)))))

    return asyncio.run(run())


def _pool(method: str) -> list[tuple[int, str, float]]:
    with mp.get_context(method).Pool(2, initializer=rlvr_rewards.workers.warmup) as pool:
        return pool.map(_one, range(len(CASES)))


def main() -> None:
    global TIMEOUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    TIMEOUT = args.timeout
    rlvr_rewards.workers.warmup()
    contexts = {
        "main": _main_thread, "threads16": _threads, "asyncio": _asyncio,
        "fork-pool": lambda: _pool("fork"), "spawn-pool": lambda: _pool("spawn"),
    }
    worst: dict[tuple[str, str], float] = defaultdict(float)
    outcomes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, fn in contexts.items():
        t = time.perf_counter()
        for i, outcome, elapsed in fn():
            cls = CASES[i][0]
            worst[cls, name] = max(worst[cls, name], elapsed)
            worst["all", name] = max(worst["all", name], elapsed)
            outcomes[cls, name].add(outcome)
        print(f"# {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    classes = sorted({c[0] for c in CASES}) + ["all"]
    print(f"deadline {TIMEOUT:g} s, promise {TIMEOUT + 0.5:g} s; {len(CASES)} cases; worst-case seconds per call")
    print("| class | " + " | ".join(contexts) + " |")
    print("|---" * (len(contexts) + 1) + "|")
    for cls in classes:
        print(f"| {cls} | " + " | ".join(f"{worst[cls, n]:.3f}" for n in contexts) + " |")
    print("\noutcomes seen per class (main thread):")
    for cls in classes[:-1]:
        print(f"  {cls}: {', '.join(sorted(outcomes[cls, 'main']))}")
    if args.out:
        Path(args.out).write_text(json.dumps({f"{k[0]}|{k[1]}": v for k, v in worst.items()}, indent=2))


if __name__ == "__main__":
    main()
