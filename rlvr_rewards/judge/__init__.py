"""A verifier model as a fallback behind the rules (issue 7).

``create_verifier("accuracy_judge", url=..., model=...)`` (or ``REWARD_MODEL_URL`` /
``REWARD_MODEL_NAME`` / ``REWARD_MODEL_API_KEY``): the rules decide first; a verifier model
served by an OpenAI-compatible server (vLLM, e.g. xVerify) is asked only when they say
incorrect or cannot decide. See docs/judge.md. Importing this package registers ``judge`` and
``accuracy_judge``; ``openai`` (the ``judge`` extra) is imported on the first call.
"""

from . import gated  # noqa: F401  (registers "format_gated" / "verl_vlm")
from .client import ENV_API_KEY, ENV_MODEL, ENV_URL, JudgeClient, JudgeResult, JudgeStats
from .prompt import DEFAULT_TEMPLATE, JudgePrompt, answer_region, parse_verdict, suspicious
from .verifier import (
    AccuracyJudgeVerifier,
    JudgeVerifier,
    judge_metrics,
    judge_verifiers,
    with_judge,
)

__all__ = [
    "DEFAULT_TEMPLATE", "ENV_API_KEY", "ENV_MODEL", "ENV_URL", "AccuracyJudgeVerifier", "JudgeClient",
    "JudgePrompt", "JudgeResult", "JudgeStats", "JudgeVerifier", "answer_region", "judge_metrics",
    "judge_verifiers", "parse_verdict", "suspicious", "with_judge",
]
