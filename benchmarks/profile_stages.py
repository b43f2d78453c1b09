"""Where the time goes when scoring GRPO groups: extraction, parsing, tiers and bookkeeping.

    python benchmarks/profile_stages.py [--data-dir DIR] [--rounds 25]

Uses the ``grpo`` workload of ``bench.py`` (100 golds x 8 Qwen2.5-Math completions). Each stage
is timed on its own over all 800 completions, the stages interleaved round by round so machine
noise hits them alike; the minimum over rounds is reported, per completion:

* ``extraction``: ``extract_answer`` on every completion;
* ``check_batch warm``: one ``check_batch`` per group with every parse cache already filled;
* ``check_batch cold``: the same with the parse caches emptied first (as in ``bench.py``);
* ``parsing, cold``: parsing the golds and the distinct extracted answers with empty caches.

Bookkeeping and tiers (sample objects, dedupe keys, the cheap comparison tiers and verdicts) are
``warm - extraction``; first-time parsing is ``cold - warm``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=bench.DEFAULT_DATA_DIR)
    ap.add_argument("--rounds", type=int, default=25)
    args = ap.parse_args()

    from rlvr_rewards import check_batch
    from rlvr_rewards.extraction import _one_plain_box, extract_answer
    from rlvr_rewards.parsing.gold import parse_gold
    from rlvr_rewards.parsing.values import parse_value
    from rlvr_rewards.workers import warmup

    data = bench.load_data("local", args.data_dir)
    if data["qwen"] is None:
        sys.exit("the Qwen responses file is needed (see bench.py)")
    groups = [([p.ours_completion for p in g], [p.ours_gold for p in g]) for g in bench.grpo_groups(data["qwen"])]
    texts = [c for comps, _ in groups for c in comps]
    answers = sorted({a for a in (extract_answer(t).answer for t in texts) if a is not None})
    golds = [g[0] for _, g in groups]
    n = len(texts)
    warmup()
    gc.collect()
    gc.freeze()

    def batches() -> None:
        for comps, gs in groups:
            check_batch(comps, gs)

    def extraction() -> None:
        for t in texts:
            extract_answer(t)

    def parsing() -> None:
        for g in golds:
            parse_gold(g)
        for a in answers:
            parse_value(a)

    stages: list[tuple[str, Callable[[], None], bool]] = [
        ("extraction", extraction, False),
        ("check_batch warm", batches, False),
        ("check_batch cold", batches, True),
        ("parsing, cold", parsing, True),
    ]
    best = {name: float("inf") for name, _, _ in stages}
    batches()  # fill the caches once for the first warm round
    for _ in range(args.rounds):
        for name, fn, cold in stages:
            if cold:
                bench.clear_our_caches()
            gc.collect()
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
        bench.clear_our_caches()
        batches()  # warm again for the next round's warm stage

    us = {k: v / n * 1e6 for k, v in best.items()}
    print(f"{n} completions in {len(groups)} groups; {len(answers)} distinct answers, {len(set(golds))} distinct golds")
    fast = sum(_one_plain_box(t, 2000)[0] is not None for t in texts)
    print(f"{fast} of {n} completions take the one-box extraction fast path; the rest the general rules")
    print(f"min over {args.rounds} interleaved rounds, microseconds per completion:")
    for name, _, _ in stages:
        print(f"  {name:<24} {us[name]:6.2f}")
    print(f"  {'bookkeeping + tiers':<24} {us['check_batch warm'] - us['extraction']:6.2f}  (warm - extraction)")
    print(f"  {'first-time parsing':<24} {us['check_batch cold'] - us['check_batch warm']:6.2f}  (cold - warm)")
    print(f"=> {1e6 / us['check_batch cold']:,.0f} completions/s cold, {1e6 / us['check_batch warm']:,.0f}/s warm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
