"""Shaping rewards beside correctness: length (cosine, overlong, group-relative), repetition,
structure (tag count, reasoning steps, code format).

Registered like verifiers and composed with them by weight, e.g. ``"accuracy + 0.1*format +
cosine"``. Lengths are counted in tokens when the trainer supplies token ids (TRL
``completion_ids``, ms-swift ``response_token_ids``), otherwise in characters (``cosine``,
``overlong``, ``length``); repetition runs on token ids, else on words with unspaced scripts (CJK)
counted per character. ``length`` (group-relative) and ``code_format``'s language column need the
batch: :func:`grade_shaped`. Formulas, sources and how each peer differs: docs/rewards.md.
"""

from __future__ import annotations

from .groups import (
    apply_groups,
    grade_shaped,
    info_group,
    language_variant,
    prompt_key,
    with_language,
)
from .length import CosineLength, LengthReward, LinearOverlong, SoftOverlong
from .repetition import (
    RepetitionChars,
    RepetitionPenalty,
    RepetitionWords,
    repetition_value,
    text_units,
)
from .structure import CodeFormat, ReasoningSteps, TagCount, fence_languages

__all__ = [
    "CodeFormat", "CosineLength", "LengthReward", "LinearOverlong", "ReasoningSteps", "RepetitionChars",
    "RepetitionPenalty", "RepetitionWords", "SoftOverlong", "TagCount", "apply_groups", "fence_languages",
    "grade_shaped", "info_group", "language_variant", "prompt_key", "repetition_value", "text_units", "with_language",
]
