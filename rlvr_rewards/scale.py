"""Where a batch runs: in this process (:func:`rlvr_rewards.engine.run_batch`) or on Ray.

:func:`run` is what ``check_batch`` / ``grade_batch`` and the batch-level shaping call: it checks
the configuration (verifier, tolerance, timeout, backend: a mistake raises here), broadcasts a
single gold, and hands the batch to the engine, or, with ``backend="ray"``, cuts it into chunks
that Ray tasks grade with the local engine (each with its own warm worker pool on its node);
verdicts come back in input order. Ray connects to a running cluster (``RAY_ADDRESS`` or
``ray.init(address=...)`` before the call) or starts a local one; it needs the ``ray`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import engine
from .config import GradeConfig, Tolerance, make_config
from .verdict import Verdict
from .verifiers.specs import build

BACKENDS = ("local", "ray")


def run(
    completions: Sequence[Any],
    golds: Sequence[Any] | Any,
    *,
    verifier: Any = "accuracy",
    options: Sequence[Sequence[str] | None] | None = None,
    questions: Sequence[str | None] | None = None,
    token_ids: Sequence[Sequence[int] | None] | None = None,
    tolerance: Tolerance | float | None = None,
    timeout: float | None = None,
    config: GradeConfig | None = None,
    backend: str = "local",
    dedupe: bool = True,
) -> list[Verdict]:
    """Verdicts for ``completions[i]`` against ``golds[i]`` (a single gold is broadcast)."""
    n = len(completions)
    if not isinstance(golds, (list, tuple)) or (len(golds) != n and n != 0):
        golds = [golds] * n
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (use 'local' or 'ray')")
    cfg = make_config(config, tolerance=tolerance, timeout=timeout)
    v = build(verifier if verifier is not None else "accuracy")
    if backend == "ray":
        return grade_batch_ray(
            completions, golds, verifier=verifier, options=options, questions=questions,
            token_ids=token_ids, tolerance=tolerance, timeout=timeout, config=config, dedupe=dedupe,
        )
    return engine.run_batch(v, completions, golds, cfg, options=options, questions=questions, token_ids=token_ids, dedupe=dedupe)

DEFAULT_CHUNK = 512


def _remote_grader() -> Any:
    import ray

    @ray.remote
    def grade_chunk(
        completions: list[Any], golds: list[Any], options: list[Any] | None, questions: list[Any] | None,
        token_ids: list[Any] | None, kwargs: dict[str, Any],
    ) -> list[Verdict]:
        from rlvr_rewards.scale import run

        return run(
            completions, golds, options=options, questions=questions, token_ids=token_ids,
            backend="local", **kwargs,
        )

    return grade_chunk


_GRADER: Any = None


def grade_batch_ray(
    completions: Sequence[Any],
    golds: Sequence[Any],
    *,
    options: Sequence[Sequence[str] | None] | None = None,
    questions: Sequence[str | None] | None = None,
    token_ids: Sequence[Sequence[int] | None] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    **kwargs: Any,
) -> list[Verdict]:
    """Grade on Ray; same result as the local backend (each chunk runs the local engine)."""
    global _GRADER
    try:
        import ray
    except ImportError as exc:
        raise ImportError("backend='ray' needs the ray extra: pip install 'rlvr-rewards[ray]'") from exc
    if not ray.is_initialized():
        ray.init(ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
    if _GRADER is None:
        _GRADER = _remote_grader()
    n = len(completions)
    refs = []
    for start in range(0, n, chunk_size):
        end = min(start + chunk_size, n)
        refs.append(
            _GRADER.remote(
                list(completions[start:end]), list(golds[start:end]),
                list(options[start:end]) if options else None,
                list(questions[start:end]) if questions else None,
                list(token_ids[start:end]) if token_ids else None, kwargs,
            )
        )
    out: list[Verdict] = []
    for chunk in ray.get(refs):
        out.extend(chunk)
    return out
