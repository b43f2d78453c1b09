"""What the model judge costs: added latency per call and cache hit rate on GRPO-shaped batches.

Runs against the scripted OpenAI-compatible server on loopback (``tests/support/fake_server.py``),
so the figures are the client's own overhead (prompt, HTTP/1.1 keep-alive round trip, JSON,
verdict parsing, cache) plus a stdlib Python server's handling; a real verifier model adds its
generation time on top (``--server-delay`` simulates one).

    python benchmarks/bench_judge.py                   # defaults: 300 calls, 64 groups x 8
    python benchmarks/bench_judge.py --server-delay 0.05 --out judge.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

FAKE_SERVER = Path(__file__).resolve().parent.parent / "tests" / "support" / "fake_server.py"
WORDS = {
    0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
    8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve",
}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def grpo_batch(rng: random.Random, groups: int, group_size: int, golds: list[int]) -> tuple[list[list[str]], list[str]]:
    """Groups of completions for one gold each: right in digits (rules decide), right in words
    (rules say incorrect, the judge overturns), wrong numbers and wrong words from a few values
    (GRPO groups repeat answers)."""
    comps, gs = [], []
    for g in range(groups):
        gold = golds[g]
        wrong = [(gold + d) % 13 for d in (1, 2)]
        group = []
        for _ in range(group_size):
            r = rng.random()
            reasoning = f"<think>Let me work through problem {g} step {rng.randint(0, 10**6)}.</think>"
            if r < 0.45:
                ans = str(gold)
            elif r < 0.70:
                ans = WORDS[gold]
            elif r < 0.90:
                ans = str(rng.choice(wrong))
            else:
                ans = WORDS[rng.choice(wrong)]
            group.append(f"{reasoning}So the answer is $\\boxed{{{ans}}}$.")
        comps.append(group)
        gs.append(str(gold))
    return comps, gs


class ServerProcess:
    """The scripted judge in a process of its own, so it does not share our GIL."""

    def __init__(self, delay: float = 0.0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE_SERVER), "--delay", str(delay)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.model = "scripted-judge"

    @property
    def count(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=300, help="distinct judge calls timed one by one")
    ap.add_argument("--groups", type=int, default=64, help="GRPO groups (prompts) per batch")
    ap.add_argument("--group-size", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3, help="batches; later ones revisit the same prompts")
    ap.add_argument("--server-delay", type=float, default=0.0, help="seconds the scripted judge waits per reply in the batch part")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="write every figure as JSON")
    args = ap.parse_args()

    from rlvr_rewards import check, check_groups
    from rlvr_rewards.judge import JudgeClient
    from rlvr_rewards.verifiers import create_verifier
    from rlvr_rewards.workers import warmup

    warmup()
    report: dict = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "args": vars(args),
    }
    with ServerProcess() as server:
        # -- 1. added latency per call (no cache hits: every answer is distinct) -----------------
        judge = create_verifier("accuracy_judge", url=server.url, model=server.model, concurrency=args.concurrency)
        client = JudgeClient(server.url, server.model, cache_size=0)
        for i in range(20):  # warm: imports, event-loop thread, keep-alive connection
            check(rf"\boxed{{warm {i}}}", "12", verifier=judge)
            client.judge(None, f"warm {i}", "12")
        rules_t, judge_t, raw_t = [], [], []
        for i in range(args.calls):
            completion = rf"<think>scratch</think>The answer is \boxed{{answer number {i}}}."
            t = time.perf_counter()
            v_rules = check(completion, "12", verifier="accuracy")
            rules_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            v_judge = check(completion, "12", verifier=judge)
            judge_t.append(time.perf_counter() - t)
            assert v_rules.outcome.value == "incorrect" and "judge agrees" in v_judge.detail, v_judge
            t = time.perf_counter()
            client.judge(None, f"raw {i}", "12")
            raw_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        for i in range(args.calls):
            check(rf"<think>scratch</think>The answer is \boxed{{answer number {i}}}.", "12", verifier=judge)
        hit_t = (time.perf_counter() - t) / args.calls
        added = [j - r for j, r in zip(judge_t, rules_t)]
        lat = {
            "calls": args.calls,
            "rules_only_ms_p50": 1e3 * statistics.median(rules_t),
            "with_judge_ms_p50": 1e3 * statistics.median(judge_t),
            "added_ms_p50": 1e3 * statistics.median(added),
            "added_ms_mean": 1e3 * statistics.fmean(added),
            "added_ms_p95": 1e3 * pct(added, 0.95),
            "client_round_trip_ms_p50": 1e3 * statistics.median(raw_t),
            "client_round_trip_ms_p95": 1e3 * pct(raw_t, 0.95),
            "cache_hit_check_ms": 1e3 * hit_t,
            "server_requests": server.count,
        }
        report["latency"] = lat
        judge.close()
        client.close()

    # -- 2. GRPO-shaped batches ----------------------------------------------------------------
    with ServerProcess(args.server_delay) as server:
        judge = create_verifier("accuracy_judge", url=server.url, model=server.model, concurrency=args.concurrency)
        check(r"\boxed{warm}", "12", verifier=judge)  # start-up (thread, connection) is not timed
        judge.stats.reset()
        rng = random.Random(args.seed)
        golds = [rng.randint(0, 12) for _ in range(args.groups)]
        steps = []
        for step in range(args.steps):
            comps, gs = grpo_batch(rng, args.groups, args.group_size, golds)
            before = judge.stats.snapshot()
            sent_before = server.count
            t = time.perf_counter()
            rules = check_groups(comps, gs, verifier="accuracy")
            t_rules = time.perf_counter() - t
            t = time.perf_counter()
            verdicts = check_groups(comps, gs, verifier=judge)
            t_judge = time.perf_counter() - t
            after = judge.stats.snapshot()
            flat_rules = [v for g in rules for v in g]
            flat = [v for g in verdicts for v in g]
            eligible = sum(v.outcome.value == "incorrect" for v in flat_rules)
            sent = server.count - sent_before
            steps.append({
                "step": step,
                "samples": len(flat),
                "rule_correct": sum(v.correct for v in flat_rules),
                "judge_eligible": eligible,
                "http_calls": sent,
                "hit_rate": 1 - sent / eligible if eligible else 0.0,
                "client_requests": after["requests"] - before["requests"],
                "client_cache_hits": after["cache_hits"] - before["cache_hits"],
                "final_correct": sum(v.correct for v in flat),
                "rules_s": t_rules,
                "with_judge_s": t_judge,
            })
        report["grpo"] = {"steps": steps, "stats": judge.stats.snapshot()}
        judge.close()

    print(f"judge benchmark on loopback (python {report['machine']['python']}, {report['machine']['cpus']} cpus)\n")
    print("added latency per judge call (distinct answers, no cache hits; check() with accuracy_judge minus check() with accuracy)")
    print(f"  rules only          p50 {lat['rules_only_ms_p50']:7.3f} ms")
    print(f"  rules + judge       p50 {lat['with_judge_ms_p50']:7.3f} ms")
    print(f"  added               p50 {lat['added_ms_p50']:7.3f} ms   mean {lat['added_ms_mean']:.3f} ms   p95 {lat['added_ms_p95']:.3f} ms")
    print(f"  client round trip   p50 {lat['client_round_trip_ms_p50']:7.3f} ms   p95 {lat['client_round_trip_ms_p95']:.3f} ms")
    print(f"  cache hit (check)       {lat['cache_hit_check_ms']:7.3f} ms")
    print(f"  server saw {lat['server_requests']} requests (cache hits never reach it)")
    print(f"\nGRPO-shaped batches: {args.groups} groups x {args.group_size}, server delay {args.server_delay * 1e3:.0f} ms, concurrency {args.concurrency}")
    print("eligible: samples the rules call incorrect; calls: HTTP calls made; hit rate: eligible samples answered")
    print("without a call (check_batch's duplicate grading + the judge cache); client hits: cache hits / judge requests")
    print(f"{'step':>4} {'samples':>7} {'eligible':>8} {'calls':>6} {'hit rate':>8} {'client hits':>11} {'correct: rules → +judge':>24} {'rules s':>8} {'+judge s':>8}")
    for s in steps:
        print(
            f"{s['step']:>4} {s['samples']:>7} {s['judge_eligible']:>8} {s['http_calls']:>6} {100 * s['hit_rate']:>7.1f}% "
            f"{s['client_cache_hits']:>5}/{s['client_requests']:<5} {s['rule_correct']:>13} → {s['final_correct']:<8} {s['rules_s']:>8.3f} {s['with_judge_s']:>8.3f}"
        )
    total_e = sum(s["judge_eligible"] for s in steps)
    total_c = sum(s["http_calls"] for s in steps)
    print(f"\noverall: {total_c} judge calls for {total_e} judge-eligible samples: hit rate {100 * (1 - total_c / total_e):.1f}%")
    report["overall_hit_rate"] = 1 - total_c / total_e if total_e else 0.0
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
