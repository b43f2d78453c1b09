"""rlvr_rewards: verifiable rewards for RL of language and vision-language models.

``grade(completion, gold) -> float`` for notebooks, ``check(...) -> Verdict`` for the details,
``grade_batch`` for trainers. Heavy dependencies (SymPy, math-verify) load only in the worker
processes and tiers that need them, so ``import rlvr_rewards`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "grade": "api",
    "check": "api",
    "agrade": "api",
    "acheck": "api",
    "grade_batch": "batch",
    "grade_groups": "batch",
    "Verdict": "verdict",
    "Outcome": "verdict",
    "Decision": "verdict",
    "Tolerance": "config",
    "GradeConfig": "config",
    "Sample": "sample",
    "Verifier": "protocol",
    "register": "registry",
    "create_verifier": "verifiers",
    "get_verifier": "verifiers",
    "list_verifiers": "verifiers",
    "build": "verifiers",
    "Cascade": "verifiers.compose",
    "Weighted": "verifiers.compose",
    "register_spec": "verifiers",
    "extract_answer": "extraction",
    "parse_value": "parsing.values",
    "warmup": "guard",
    "configure": "guard",
}

__all__ = [
    "Cascade", "Decision", "GradeConfig", "Outcome", "Sample", "Tolerance", "Verdict", "Verifier",
    "Weighted", "__version__", "acheck", "agrade", "build", "check", "configure", "create_verifier",
    "extract_answer", "get_verifier", "grade", "grade_batch", "grade_groups", "list_verifiers",
    "parse_value", "register", "register_spec", "warmup",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rlvr_rewards' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from .api import acheck, agrade, check, grade
    from .batch import grade_batch, grade_groups
    from .config import GradeConfig, Tolerance
    from .extraction import extract_answer
    from .guard import configure, warmup
    from .parsing.values import parse_value
    from .registry import create_verifier, get_verifier, list_verifiers, register
    from .sample import Sample
    from .verdict import Decision, Outcome, Verdict
    from .verifiers.base import Verifier
    from .verifiers.compose import Cascade, Weighted, build, register_spec
