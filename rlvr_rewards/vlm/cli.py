"""``rlvr-rewards data analyze`` and ``rlvr-rewards pipeline`` (the ``vlm`` extra)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    from pathlib import Path

    p = Path(text)
    raw = p.read_text(encoding="utf-8") if p.is_file() else text
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"--mapping is neither a JSON object nor a file holding one: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError("--mapping must be a JSON object {record field: column}")
    return {str(k): str(v) for k, v in value.items()}


def _missing_extra(exc: ImportError) -> int:
    print(f"error: {exc}. The VLM commands need the vlm extra: pip install 'rlvr-rewards[vlm]'", file=sys.stderr)
    return 2


def _io_error(exc: OSError) -> int:
    """A file, network or model-loading failure: one line, no traceback."""
    print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 2


def _check_out(out: str) -> None:
    from pathlib import Path

    p = Path(out)
    if p.exists() and not p.is_dir():
        raise ValueError(f"--out {out} is a file; give a directory (created if missing)")


def _cmd_analyze(args: argparse.Namespace) -> int:
    try:
        _check_out(args.out)
        from .pipeline import analyze_dataset

        res = analyze_dataset(args.dataset, args.out, split=args.split, limit=args.limit,
                              mapping=_mapping(args.mapping), schema=args.schema, seed=args.seed)
    except ImportError as exc:
        return _missing_extra(exc)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        return _io_error(exc)
    st = res["stats"]
    print(f"{res['records']} records; domains: {st['domains']}; answer types: {st['answer_types']}")
    for w in st["warnings"]:
        print(f"warning: {w}")
    print(f"report: {res['report']}")
    return 0


def _cmd_pipeline(args: argparse.Namespace) -> int:
    try:
        _check_out(args.out)
        if args.model:
            from pathlib import Path

            from .datasets import looks_like_path

            if looks_like_path(args.model) and not Path(args.model).expanduser().exists():
                raise ValueError(f"--model {args.model}: no such model directory")
        from .pipeline import run_pipeline

        blank = None
        if getattr(args, "blank_image", None):
            from .export import parse_size

            blank = parse_size(args.blank_image)  # a bad size stops here, before any work
        res = run_pipeline(args.dataset, args.out, model=args.model, k=args.k, template=args.template,
                           limit=args.limit, seed=args.seed, split=args.split, mapping=_mapping(args.mapping),
                           schema=args.schema, export=not args.no_export, quiet=args.quiet, blank_image=blank)
    except ImportError as exc:
        return _missing_extra(exc)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a model that cannot be loaded, a dataset that cannot be fetched
        return _io_error(exc)
    m = res["metrics"]
    o = m["overall"]
    pk = f"pass@{m['k']}"
    print(f"{res['records']} records, {o['samples']} rollouts ({m['rollout_kind']}): mean reward {o['mean_reward']:.3f}, "
          f"pass@1 {o.get('pass@1', 0):.3f}, {pk} {o.get(pk, 0):.3f}")
    for d, v in m["by_domain"].items():
        print(f"  {d:<20} mean reward {v['mean_reward']:.3f}  {pk} {v.get(pk, 0):.3f}")
    for key, value in m["advantages"].items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    for key, path in res["exports"].items():
        print(f"export {key}: {path}")
    print(f"report: {res['report']}")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--split", default="train", help="dataset split (default: train)")
    p.add_argument("--limit", type=int, default=None, help="first N records only")
    p.add_argument("--schema", default=None, help="built-in schema (default: from the id or the columns)")
    p.add_argument("--mapping", default=None, help='JSON column mapping or a file with one, e.g. \'{"question": "query", "answer": "label", "images": "image"}\'')
    p.add_argument("--seed", type=int, default=0)


def register_cli(subparsers: Any) -> None:
    """Add ``data analyze`` and ``pipeline`` to an ``argparse`` sub-parser set."""
    # rlvr_rewards.cli.VLM_COMMANDS lists these names and help texts without importing this
    # module (tests/test_scaffolding.py keeps the two equal).
    d = subparsers.add_parser("data", help="dataset tools (vlm extra)")
    dsub = d.add_subparsers(dest="data_command", required=True)
    a = dsub.add_parser("analyze", help="statistics, plots and an HTML report for a dataset")
    a.add_argument("dataset", help="Hugging Face id, local parquet/jsonl/arrow/save_to_disk path, or 'synthetic'")
    a.add_argument("--out", required=True, help="output directory")
    _common(a)
    a.set_defaults(func=_cmd_analyze)

    p = subparsers.add_parser("pipeline", help="analysis → prompts → rollouts → scoring → advantages → exports (vlm extra)")
    p.add_argument("--dataset", default=None, help="Hugging Face id or local path (default: built-in synthetic tasks, offline)")
    p.add_argument("--out", default="vlm_pipeline", help="output directory (default: ./vlm_pipeline)")
    p.add_argument("--model", default=None, help="local Hugging Face model directory; without it, reference pseudo-rollouts are scored")
    p.add_argument("--k", type=int, default=4, help="samples per prompt (default 4)")
    p.add_argument("--template", default="final_answer", help="prompt template: final_answer, r1, clevr or a format string")
    p.add_argument("--no-export", action="store_true", help="skip the four exports")
    p.add_argument("--blank-image", default=None, metavar="WxH",
                   help="veRL export: give text-only rows one blank white image of this size (e.g. 224x224), "
                        "so text and image rows share one parquet")
    p.add_argument("--quiet", "-q", action="store_true")
    _common(p)
    p.set_defaults(func=_cmd_pipeline)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rlvr-rewards")
    register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
