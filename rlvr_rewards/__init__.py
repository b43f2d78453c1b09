"""rlvr_rewards: verifiable rewards for RL of language and vision-language models.

``grade(completion, gold) -> float`` for notebooks, ``check(...) -> Verdict`` for the details,
``grade_batch`` / ``check_batch`` / ``check_groups`` for trainers, ``build(spec)`` for a verifier
from a name or a spec string, ``register`` for your own, ``workers`` for the slow-work pool.
Heavy dependencies (SymPy, math-verify) load only in the worker processes and tiers that need
them, so ``import rlvr_rewards`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    # grading
    "grade": "api",
    "grade_batch": "api",
    "check": "api",
    "check_batch": "api",
    "check_groups": "api",
    # verifiers: one build() for names, specs and lists; registration
    "build": "verifiers",
    "list_verifiers": "verifiers",
    "register": "registry",
    "register_spec": "verifiers",
    # types
    "Verdict": "verdict",
    "Outcome": "verdict",
    "Decision": "verdict",
    "Tolerance": "config",
    "GradeConfig": "config",
    # what a new verifier needs (docs/extending.md)
    "Verifier": "protocol",
    "Deferred": "protocol",
    "ValueVerifier": "verifiers.base",
    "Sample": "sample",
    "Extraction": "extraction",
    "Value": "parsing.values",
    "Kind": "parsing.values",
}

#: Names that moved: still importable from here (with a DeprecationWarning) for one release.
_MOVED = {
    "acheck": "api",
    "agrade": "api",
    "grade_groups": None,  # check_groups
    "create_verifier": "verifiers",
    "get_verifier": "verifiers",
    "Cascade": "verifiers.compose",
    "Weighted": "verifiers.compose",
    "extract_answer": "extraction",
    "parse_value": "parsing.values",
    "warmup": "workers",
    "configure": "workers",
}

__all__ = [
    "Decision", "Deferred", "Extraction", "GradeConfig", "Kind", "Outcome", "Sample", "Tolerance", "Value",
    "ValueVerifier", "Verdict", "Verifier", "__version__", "build", "check", "check_batch", "check_groups",
    "grade", "grade_batch", "list_verifiers", "register", "register_spec", "workers",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    if name == "workers":
        return import_module(".workers", __name__)
    if name in _MOVED:
        import warnings

        home = _MOVED[name]
        if home is None:
            warnings.warn("rlvr_rewards.grade_groups is now rlvr_rewards.check_groups", DeprecationWarning, stacklevel=2)
            return import_module(".api", __name__).check_groups
        warnings.warn(f"rlvr_rewards.{name} moved to rlvr_rewards.{home}.{name}", DeprecationWarning, stacklevel=2)
        return getattr(import_module(f".{home}", __name__), name)
    raise AttributeError(f"module 'rlvr_rewards' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from . import workers
    from .api import check, check_batch, check_groups, grade, grade_batch
    from .config import GradeConfig, Tolerance
    from .extraction import Extraction
    from .parsing.values import Kind, Value
    from .protocol import Deferred, Verifier
    from .registry import register
    from .sample import Sample
    from .verdict import Decision, Outcome, Verdict
    from .verifiers import build, list_verifiers, register_spec
    from .verifiers.base import ValueVerifier
