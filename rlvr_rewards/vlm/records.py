"""The normalised record every dataset loader produces and every later stage consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class VLMRecord:
    """One multimodal (or text-only) problem with a verifiable answer.

    ``images`` holds PIL images (empty for text-only data); ``answer`` is the gold as the dataset
    writes it (graded by :func:`rlvr_rewards.check`); ``options`` are MCQ option texts in letter
    order when the dataset has them.
    """

    id: str
    question: str
    answer: str
    images: list[Any] = field(default_factory=list)
    domain: str | None = None
    sub_domain: str | None = None
    format: str | None = None
    source: str = ""
    options: list[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rollout:
    """One sampled completion for one prompt."""

    prompt_id: str
    sample_index: int
    completion: str
    num_tokens: int
    finish_reason: str  # "stop" | "length"
    score: float | None = None
    outcome: str | None = None
