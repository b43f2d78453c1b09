"""Scale-out: ``check_batch(..., backend="ray")`` spreads a batch over a Ray cluster.

The batch is cut into chunks; each chunk is graded by :func:`rlvr_rewards.check_batch` inside a
Ray task (with its own warm worker pool on that node), and verdicts come back in input order.
Connects to a running cluster (``RAY_ADDRESS`` or ``ray.init(address=...)`` before the call) or
starts a local one. Needs the ``ray`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .verdict import Verdict

DEFAULT_CHUNK = 512


def _remote_grader() -> Any:
    import ray

    @ray.remote
    def grade_chunk(
        completions: list[Any], golds: list[Any], options: list[Any] | None, questions: list[Any] | None,
        token_ids: list[Any] | None, kwargs: dict[str, Any],
    ) -> list[Verdict]:
        from rlvr_rewards.api import check_batch

        return check_batch(
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
