"""``rlvr-rewards``: grade one answer, score a JSONL file of rollouts, list verifiers."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from .columns import COMPLETION_KEYS, GOLD_KEYS, OPTION_KEYS, option_texts, unwrap_gold

#: Records read before the first batch is graded: the completion and gold fields are checked on them.
FIRST_CHUNK = 64
#: Share of ``no_answer`` / ``bad_gold`` records above which the summary warns of a wrong field.
WARN_SHARE = 0.5


class UsageError(Exception):
    """A configuration or usage mistake: printed as ``error: ...``, exit status 2, no traceback."""


def example_path() -> Path:
    """The small rollouts file shipped inside the package (the default for ``score``)."""
    return Path(str(resources.files("rlvr_rewards") / "data" / "example_rollouts.jsonl"))


def _build_verifier(spec: str) -> Any:
    """The verifier for ``--verifier``; a bad name or spec is a :class:`UsageError`."""
    from .verifiers.specs import build

    try:
        return build(spec)
    except (KeyError, ValueError, TypeError) as exc:
        raise UsageError(f"--verifier {spec!r}: {exc}") from None


def _check_timeout(timeout: float | None) -> None:
    from .config import make_config

    try:
        make_config(timeout=timeout)
    except ValueError as exc:
        raise UsageError(f"--timeout: {exc}") from None


def _cmd_grade(args: argparse.Namespace) -> int:
    from .api import check
    from .judge import with_judge  # registers "judge" / "accuracy_judge"; httpx loads on first call

    verifier = args.verifier
    _build_verifier(verifier)
    _check_timeout(args.timeout)
    if args.judge_url or args.judge_model or args.judge_api_key:
        try:
            verifier = with_judge(verifier, url=args.judge_url, model=args.judge_model, api_key=args.judge_api_key)
        except (ValueError, KeyError) as exc:
            raise UsageError(str(exc)) from None
    verdict = check(args.completion, args.gold, verifier=verifier, timeout=args.timeout, options=args.options)
    print(f"{verdict.score:g}")
    if args.explain:
        print(verdict.explain())
    return 0


Record = tuple[int, "dict[str, Any] | None", str]


def _records(stream: TextIO) -> Iterator[Record]:
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


def _pick(rec: dict[str, Any], key: str | None, candidates: tuple[str, ...]) -> tuple[str | None, Any]:
    """``(field, value)``: ``key`` if given, else the first of ``candidates`` present (None, None)."""
    if key:
        return (key, rec[key]) if key in rec else (None, None)
    for k in candidates:
        if k in rec:
            return k, rec[k]
    return None, None


def _count_lines(path: Path) -> int | None:
    try:
        if path.stat().st_size > 2 * 1024**3:
            return None
        with path.open("rb") as f:
            return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return None


def _needs_gold(verifier: Any) -> bool:
    """Whether any part of a (composed) verifier compares with the gold."""
    from .verifiers.compose import Cascade, Weighted

    if isinstance(verifier, Weighted):
        return any(_needs_gold(v) for _, v in verifier.parts)
    if isinstance(verifier, Cascade):
        return any(_needs_gold(v) for v in verifier.verifiers)
    return bool(getattr(verifier, "needs_gold", True))


def _check_fields(first: list[Record], args: argparse.Namespace, needs_gold: bool) -> None:
    """Stop (exit 2) when none of the first records has the completion (or gold) field."""
    recs = [r for _, r, _ in first if r is not None]
    if not recs:
        return
    present: dict[str, None] = {}
    for r in recs:
        present.update(dict.fromkeys(r))
    fields = ", ".join(repr(k) for k in present) or "(none)"
    where = f"none of the first {len(recs)} records" if len(recs) > 1 else "the first record"
    wanted = [("completion", args.completion_key, COMPLETION_KEYS, "--completion-key")]
    if needs_gold:
        wanted.append(("gold", args.gold_key, GOLD_KEYS, "--gold-key"))
    for what, key, candidates, flag in wanted:
        names = (key,) if key else candidates
        if not any(k in r for r in recs for k in names):
            asked = f"the field {key!r} ({flag})" if key else f"a {what} field ({', '.join(names)})"
            raise UsageError(f"{where} has {asked}; fields present: {fields}. Name the {what} field with {flag} FIELD")


def _output_path(src: Path, out: str | None) -> Path:
    """Where ``score`` writes; refuses the input itself, a directory, a missing directory."""
    import os

    target = Path(out) if out else Path.cwd() / (src.name.removesuffix(".jsonl") + ".scored.jsonl")
    if target.is_dir():
        raise UsageError(f"output {target} is a directory; give a file name, e.g. -o {target / 'scored.jsonl'}")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"output directory {parent} does not exist (create it first)")
    same = target.resolve() == src.resolve()
    if not same and target.exists():
        try:
            same = os.path.samefile(target, src)
        except OSError:
            same = False
    if same:
        raise UsageError(f"output {target} is the input file; it would be overwritten. Give another -o")
    return target


class _AtomicOutput:
    """A temporary file beside ``target``, renamed onto it only when the run succeeds.

    A failed or interrupted run removes the temporary file and leaves ``target`` as it was.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.tmp: Path | None = None
        self.file: TextIO | None = None

    def __enter__(self) -> TextIO:
        import os
        import tempfile

        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        self.tmp = Path(name)
        mask = os.umask(0)
        os.umask(mask)
        try:
            os.chmod(fd, 0o666 & ~mask)  # what open() would have given; mkstemp makes it 0600
        except OSError:
            pass
        self.file = os.fdopen(fd, "w", encoding="utf-8")
        return self.file

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        import os

        assert self.file is not None and self.tmp is not None
        try:
            self.file.close()
            if exc_type is None:
                os.replace(self.tmp, self.target)
        finally:
            if self.tmp.exists():
                self.tmp.unlink()


def _cmd_score(args: argparse.Namespace) -> int:
    from .api import check_batch
    from .verdict import Outcome
    from .workers import warmup_in_background

    # -- configuration: everything is checked before any file is opened for writing -----------
    path = Path(args.file) if args.file else example_path()
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a JSONL file of rollouts (one JSON object per line)")
    if args.chunk_size < 1:
        raise UsageError(f"--chunk-size must be at least 1, not {args.chunk_size}")
    out_path = _output_path(path, args.out)
    verifier = _build_verifier(args.verifier)
    _check_timeout(args.timeout)
    if args.backend == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise UsageError("--backend ray needs the ray extra: pip install 'rlvr-rewards[ray]'") from None
    needs_gold = _needs_gold(verifier)
    try:
        src = path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if args.backend == "local":
        warmup_in_background()  # the pool starts while the first records are read

    with src:
        records = _records(src)
        first: list[Record] = []
        for item in records:
            first.append(item)
            if len(first) >= FIRST_CHUNK:
                break
        _check_fields(first, args, needs_gold)

        total = None if args.quiet else _count_lines(path)
        progress = None
        if not args.quiet:
            from tqdm import tqdm

            progress = tqdm(total=total, unit="rec", desc="scoring", file=sys.stderr, mininterval=0.25)
            progress.refresh()
        stats = _Stats()
        start = time.perf_counter()
        try:
            with _AtomicOutput(out_path) as dst:

                def flush(chunk: list[Record]) -> None:
                    comp, gold, opts = [], [], []
                    used = stats.used
                    for _, r, _ in chunk:
                        if r is None:
                            continue
                        ck, c = _pick(r, ck_arg, COMPLETION_KEYS)
                        gk, g = _pick(r, gk_arg, GOLD_KEYS)
                        pair = (ck, gk)
                        used[pair] = used.get(pair, 0) + 1
                        comp.append(c)
                        gold.append(g if gk != "reward_model" else unwrap_gold(gk, g))
                        _, o = _pick(r, ok_arg, OPTION_KEYS)
                        opts.append(None if o is None else option_texts(o))
                    verdicts = check_batch(
                        comp, gold, verifier=args.verifier, timeout=args.timeout, backend=args.backend,
                        options=opts if any(o is not None for o in opts) else None,
                    )
                    it = iter(verdicts)
                    lines = []
                    for lineno, rec, err in chunk:
                        if rec is None:
                            row: dict[str, Any] = {"line": lineno, "score": None, "outcome": Outcome.ERROR.value, "detail": err}
                            stats.add_error()
                        else:
                            v = next(it)
                            row = dict(rec)
                            row.update(
                                score=v.reward, outcome=v.outcome.value, verifier=v.verifier,
                                extracted=v.answer, detail=v.detail,
                            )
                            stats.add(v)
                        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
                    dst.write("".join(lines))
                    if progress is not None:
                        progress.update(len(chunk))

                ck_arg, gk_arg, ok_arg = args.completion_key, args.gold_key, args.options_key
                # Small chunks first, so the progress bar moves in the first seconds.
                size = min(8, args.chunk_size)
                chunk: list[Record] = []
                for item in itertools.chain(first, records):
                    chunk.append(item)
                    if len(chunk) >= size:
                        flush(chunk)
                        chunk = []
                        size = min(size * 4, args.chunk_size)
                if chunk:
                    flush(chunk)
        finally:
            if progress is not None:
                progress.close()
    elapsed = time.perf_counter() - start
    _summary(stats, elapsed, path, out_path)
    return 0


class _Stats:
    """What the summary reports, accumulated chunk by chunk."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.deciders: Counter[str] = Counter()
        self.settled: Counter[str] = Counter()
        self.used: dict[tuple[str | None, str | None], int] = {}  # (completion field, gold field) -> records
        self.scored = 0
        self.score_sum = 0.0
        self.timeout_wait = 0.0

    def add_error(self) -> None:
        self.outcomes["error"] += 1
        self.settled["unreadable line (invalid JSON / not an object)"] += 1

    @property
    def fields(self) -> Counter[tuple[str, str | None]]:
        c: Counter[tuple[str, str | None]] = Counter()
        for (ck, gk), n in self.used.items():
            c["completion", ck] += n
            c["gold", gk] += n
        return c

    def add(self, v: Any) -> None:
        outcome = v.outcome.value
        self.outcomes[outcome] += 1
        by = v.verifier
        if by and by != "gold" and by != "extraction":
            self.deciders[by] += 1
        elif by == "gold":  # the gate before any verifier: the gold did not parse
            self.settled["gold could not be parsed"] += 1
        elif by == "extraction":  # the gate before any verifier: nothing (or a hedge) to compare
            self.settled["no final answer found" if outcome == "no_answer" else "answer rejected (hedge or unparseable)"] += 1
        else:
            self.settled[f"not graded ({outcome})"] += 1
        if outcome == "timeout":
            self.timeout_wait += float(v.elapsed or 0.0)
        if v.reward is not None:
            self.score_sum += v.reward
            self.scored += 1


def _summary(st: _Stats, elapsed: float, src: Path, out: Path) -> None:
    n = sum(st.outcomes.values())
    if n == 0:
        print(f"no records in {src}: nothing scored ({out} is empty)")
        return
    print(f"scored {n} records in {elapsed:.2f} s ({n / elapsed if elapsed else 0:.0f} records/s) -> {out}")
    if st.scored:
        print(f"mean reward: {st.score_sum / st.scored:.4f} over {st.scored} records with a usable gold")
    else:
        print("mean reward: none (no record has a usable gold)")
    used = ", ".join(
        f"{what} from {k!r}" + (f" ({c} of {n})" if c != n else "")
        for (what, k), c in sorted(st.fields.items(), key=lambda kv: (kv[0][0], -kv[1])) if k
    )
    if used:
        print(f"fields: {used}")
    print("")
    print(f"{'outcome':<12} {'count':>8} {'share':>7}")
    for name in ("correct", "incorrect", "no_answer", "bad_gold", "timeout", "error"):
        c = st.outcomes.get(name, 0)
        print(f"{name:<12} {c:>8} {100 * c / n:>6.1f}%")
    print("")
    width = max([24, *(len(k) + 2 for k in st.settled)])
    print(f"{'decided by verifier':<{width}} {'count':>8}")
    for name, c in st.deciders.most_common():
        print(f"{name:<{width}} {c:>8}")
    if st.settled:
        print(f"{'settled before any verifier':<{width}} {'count':>8}")
        for name, c in st.settled.most_common():
            print(f"{name:<{width}} {c:>8}")
    if st.outcomes.get("timeout"):
        k = st.outcomes["timeout"]
        print(f"\ntimeouts: {k} comparisons hit the deadline; {st.timeout_wait:.1f} s spent waiting on them "
              f"(summed over the comparisons, which run side by side in the worker pool; run took {elapsed:.1f} s)")
    warnings = []
    if st.outcomes.get("bad_gold"):
        warnings.append(f"{st.outcomes['bad_gold']} records have a gold that could not be parsed (score null: skip them)")
    if st.outcomes.get("no_answer", 0) > WARN_SHARE * n:
        warnings.append(f"{st.outcomes['no_answer']} of {n} records have no final answer: is the completion in "
                        f"another field? (--completion-key; fields read: {_fields_read(st, 'completion')})")
    if st.outcomes.get("bad_gold", 0) > WARN_SHARE * n:
        warnings.append(f"{st.outcomes['bad_gold']} of {n} records have no usable gold: is the gold in another "
                        f"field? (--gold-key; fields read: {_fields_read(st, 'gold')})")
    for w in warnings:
        print(f"\nwarning: {w}")


def _fields_read(st: _Stats, what: str) -> str:
    keys = [f"{k!r}" if k else "none" for (w, k), _ in st.fields.most_common() if w == what]
    return ", ".join(keys) or "none"


def _cmd_verifiers(args: argparse.Namespace) -> int:
    from . import registry
    from .verifiers import describe, list_specs, list_verifiers

    names = list_verifiers(include_specs=False)
    al = registry.aliases()
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
    if registry.PLUGIN_ERRORS:
        print("plugins that failed to load:")
        for name, err in sorted(registry.PLUGIN_ERRORS.items()):
            print(f"  {name:<{width}}{err}")
    return 0


def _cmd_plugin_path(args: argparse.Namespace) -> int:
    if args.framework == "swift":
        from .integrations.swift import plugin_path
    else:
        from .integrations.openrlhf import plugin_path
    print(plugin_path())
    return 0


#: The ``vlm`` extra's subcommands and their help: listed here so that ``--help`` and the other
#: commands never import :mod:`rlvr_rewards.vlm`; :mod:`rlvr_rewards.vlm.cli` loads when one runs.
VLM_COMMANDS = {
    "data": "dataset tools (vlm extra)",
    "pipeline": "analysis → prompts → rollouts → scoring → advantages → exports (vlm extra)",
}


def _command_of(argv: list[str] | None) -> str | None:
    """The subcommand named in ``argv`` (its first argument that is not an option)."""
    return next((a for a in argv or () if not a.startswith("-")), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; the vlm subcommands get their full parsers only when ``argv`` names one."""
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
    s.add_argument("--out", "-o", help="output JSONL (default: ./<name>.scored.jsonl in the current directory); written to a temporary file and renamed at the end, never the input")
    s.add_argument("--completion-key", default=None, help=f"field with the completion (default: first of {', '.join(COMPLETION_KEYS)})")
    s.add_argument("--gold-key", default=None, help=f"field with the gold (default: first of {', '.join(GOLD_KEYS)})")
    s.add_argument("--options-key", default=None, help=f"field with MCQ option texts, passed as options= (default: first of {', '.join(OPTION_KEYS)})")
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

    if _command_of(argv) in VLM_COMMANDS:
        from .vlm.cli import register_cli as _register_vlm_cli  # argparse only until a command runs

        _register_vlm_cli(sub)
    else:  # names and help only: parsing never gets past the command name here
        for name, text in VLM_COMMANDS.items():
            sub.add_parser(name, help=text)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
