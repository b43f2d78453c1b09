"""``rlvr-rewards``: grade one answer, score a JSONL file of rollouts, list verifiers."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

COMPLETION_KEYS = ("completion", "response", "output", "solution_str", "prediction")
GOLD_KEYS = ("gold", "answer", "solution", "ground_truth", "label")


def example_path() -> Path:
    """The small rollouts file shipped inside the package (the default for ``score``)."""
    return Path(str(resources.files("rlvr_rewards") / "data" / "example_rollouts.jsonl"))


def _cmd_grade(args: argparse.Namespace) -> int:
    from .api import check
    from .judge import with_judge  # registers "judge" / "accuracy_judge"; httpx loads on first call

    verifier = args.verifier
    if args.judge_url or args.judge_model or args.judge_api_key:
        try:
            verifier = with_judge(verifier, url=args.judge_url, model=args.judge_model, api_key=args.judge_api_key)
        except (ValueError, KeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    verdict = check(args.completion, args.gold, verifier=verifier, timeout=args.timeout, options=args.options)
    print(f"{verdict.score:g}")
    if args.explain:
        print(verdict.explain())
    return 0


def _records(stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            yield lineno, None, "invalid JSON"
            continue
        if not isinstance(rec, dict):
            yield lineno, None, "not a JSON object"
            continue
        yield lineno, rec, ""


def _pick(rec: dict[str, Any], key: str | None, candidates: tuple[str, ...]) -> Any:
    if key:
        return rec.get(key)
    for k in candidates:
        if k in rec:
            return rec[k]
    return None


def _count_lines(path: Path) -> int | None:
    try:
        if path.stat().st_size > 2 * 1024**3:
            return None
        with path.open("rb") as f:
            return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return None


def _cmd_score(args: argparse.Namespace) -> int:
    from .batch import grade_batch
    from .verdict import Outcome

    path = Path(args.file) if args.file else example_path()
    if not path.exists():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    out_path = Path(args.out) if args.out else Path.cwd() / (path.name.removesuffix(".jsonl") + ".scored.jsonl")
    total = None if args.quiet else _count_lines(path)
    progress = None
    if not args.quiet:
        from tqdm import tqdm

        progress = tqdm(total=total, unit="rec", desc="scoring", file=sys.stderr, mininterval=0.5)
    outcomes: Counter[str] = Counter()
    deciders: Counter[str] = Counter()
    scored = 0
    score_sum = 0.0
    start = time.perf_counter()
    with path.open(encoding="utf-8", errors="replace") as src, out_path.open("w", encoding="utf-8") as dst:
        chunk: list[tuple[int, dict[str, Any] | None, str]] = []

        def flush() -> None:
            nonlocal scored, score_sum
            good = [(n, r) for n, r, _ in chunk if r is not None]
            verdicts = grade_batch(
                [_pick(r, args.completion_key, COMPLETION_KEYS) for _, r in good],
                [_pick(r, args.gold_key, GOLD_KEYS) for _, r in good],
                verifier=args.verifier,
                timeout=args.timeout,
                backend=args.backend,
            )
            it = iter(verdicts)
            for lineno, rec, err in chunk:
                if rec is None:
                    row: dict[str, Any] = {"line": lineno, "score": None, "outcome": Outcome.ERROR.value, "detail": err}
                    outcomes[Outcome.ERROR.value] += 1
                else:
                    v = next(it)
                    row = dict(rec)
                    row.update(
                        score=v.reward, outcome=v.outcome.value, verifier=v.verifier,
                        extracted=v.answer, detail=v.detail,
                    )
                    outcomes[v.outcome.value] += 1
                    deciders[v.verifier or "-"] += 1
                    if v.reward is not None:
                        score_sum += v.reward
                        scored += 1
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
            if progress is not None:
                progress.update(len(chunk))
            chunk.clear()

        for item in _records(src):
            chunk.append(item)
            if len(chunk) >= args.chunk_size:
                flush()
        if chunk:
            flush()
    if progress is not None:
        progress.close()
    elapsed = time.perf_counter() - start
    n = sum(outcomes.values())
    _summary(n, outcomes, deciders, scored, score_sum, elapsed, out_path)
    return 0


def _summary(n: int, outcomes: Counter[str], deciders: Counter[str], scored: int, score_sum: float, elapsed: float, out: Path) -> None:
    print(f"scored {n} records in {elapsed:.2f} s ({n / elapsed if elapsed else 0:.0f} records/s) -> {out}")
    print(f"mean reward: {score_sum / scored if scored else 0:.4f} over {scored} records with a usable gold")
    print("")
    print(f"{'outcome':<12} {'count':>8} {'share':>7}")
    for name in ("correct", "incorrect", "no_answer", "bad_gold", "timeout", "error"):
        c = outcomes.get(name, 0)
        print(f"{name:<12} {c:>8} {100 * c / n if n else 0:>6.1f}%")
    print("")
    print(f"{'decided by':<24} {'count':>8}")
    for name, c in deciders.most_common():
        print(f"{name:<24} {c:>8}")
    if outcomes.get("bad_gold"):
        print(f"\nwarning: {outcomes['bad_gold']} records have a gold that could not be parsed (score null: skip them)")


def _cmd_verifiers(args: argparse.Namespace) -> int:
    from .compose import list_specs
    from .registry import aliases, describe, list_verifiers

    names = list_verifiers()
    al = aliases()
    specs = list_specs()
    width = max(len(n) for n in [*names, *al, *specs]) + 2
    print("verifiers:")
    for name in names:
        print(f"  {name:<{width}}{describe(name)}")
    if al:
        print("aliases:")
        for a, target in sorted(al.items()):
            print(f"  {a:<{width}}→ {target}")
    print("named specs:")
    for name, spec in sorted(specs.items()):
        print(f"  {name:<{width}}{spec}")
    return 0


def _cmd_plugin_path(args: argparse.Namespace) -> int:
    if args.framework == "swift":
        from .integrations.swift import plugin_path
    else:
        from .integrations.openrlhf import plugin_path
    print(plugin_path())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rlvr-rewards", description="Verifiable rewards for RL: grade, score, list verifiers.")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade one completion against a gold answer (score on the first line)")
    g.add_argument("completion")
    g.add_argument("gold")
    g.add_argument("--explain", action="store_true", help="print the verdict explanation after the score")
    g.add_argument("--verifier", default="accuracy", help="verifier name or spec (default: accuracy)")
    g.add_argument("--timeout", type=float, default=None, help="hard deadline in seconds (default 5)")
    g.add_argument("--options", nargs="*", default=None, help="MCQ option texts, in letter order")
    g.add_argument("--judge-url", default=None, help="verifier-model server (OpenAI-compatible); rules first, judge as fallback (default: $REWARD_MODEL_URL with --verifier accuracy_judge)")
    g.add_argument("--judge-model", default=None, help="served model name (default: $REWARD_MODEL_NAME, else the server's first model)")
    g.add_argument("--judge-api-key", default=None, help="bearer token for the judge server (default: $REWARD_MODEL_API_KEY)")
    g.set_defaults(func=_cmd_grade)

    s = sub.add_parser("score", help="score a JSONL file of rollouts (default: the shipped example)")
    s.add_argument("file", nargs="?", help="input JSONL (default: the example rollouts in the package)")
    s.add_argument("--out", "-o", help="output JSONL (default: ./<name>.scored.jsonl)")
    s.add_argument("--completion-key", default=None, help=f"field with the completion (default: first of {', '.join(COMPLETION_KEYS)})")
    s.add_argument("--gold-key", default=None, help=f"field with the gold (default: first of {', '.join(GOLD_KEYS)})")
    s.add_argument("--verifier", default="accuracy")
    s.add_argument("--timeout", type=float, default=None)
    s.add_argument("--backend", default="local", choices=("local", "ray"))
    s.add_argument("--chunk-size", type=int, default=1024, help="records graded per batch (memory stays bounded)")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_score)

    v = sub.add_parser("verifiers", help="list registered verifiers and named specs")
    v.set_defaults(func=_cmd_verifiers)

    pp = sub.add_parser("plugin-path", help="print the path of a trainer plugin file shipped in the package")
    pp.add_argument("framework", choices=("swift", "openrlhf"))
    pp.set_defaults(func=_cmd_plugin_path)

    from .vlm.cli import register_cli as _register_vlm_cli  # light: argparse only until run

    _register_vlm_cli(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
