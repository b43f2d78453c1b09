"""ms-swift adapter: outcome reward models (ORMs) for swift's ``orms`` registry.

Use the plugin file shipped in the package::

    swift rlhf --rlhf_type grpo ... \\
        --external_plugins $(rlvr-rewards plugin-path swift) \\
        --reward_funcs rlvr_accuracy rlvr_format

swift calls ``orm(completions, **kwargs)``: ``completions`` is a list of strings (the last
assistant message of each sample) and every dataset column arrives as a keyword argument holding
one value per sample (``solution``, ``messages``, ``images``, ...). Each ORM returns
``list[float | None]``; ``None`` (the gold could not be parsed) becomes NaN in swift, which skips it
in the weighted sum.

Nothing here imports swift at module load; :func:`register_orms` does, when the plugin runs.
All grading goes through :func:`rlvr_rewards.integrations.common.score_all`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..columns import OPTION_KEYS
from .common import build_adapter, find_golds, logger, option_texts, rewards, score_all

#: ORM name -> verifier spec registered by the shipped plugin.
DEFAULT_ORMS: dict[str, str] = {
    "rlvr_accuracy": "accuracy",
    "rlvr_math": "math",
    "rlvr_mcq": "mcq",
    "rlvr_format": "format",
    "rlvr_r1": "r1",
    "rlvr_cosine": "cosine",
    "rlvr_repetition": "repetition",
    "rlvr_overlong": "overlong",
    "rlvr_tag_count": "tag_count",
    "rlvr_think_format": "think_format",
    "rlvr_length": "length",
    "rlvr_reasoning_steps": "reasoning_steps",
    "rlvr_code_format": "code_format",
    "rlvr_overlong_linear": "overlong_linear",
    "rlvr_repetition_words": "repetition_words",
    "rlvr_repetition_chars": "repetition_chars",
}

# Per-sample MCQ option texts are read from the first present of ``OPTION_KEYS`` (``options``,
# ``choices``: :data:`rlvr_rewards.columns.OPTION_KEYS`, shared with the CLI and the other adapters).

_classes: dict[str, type] = {}


def plugin_path() -> str:
    """Absolute path of the plugin file to pass to ``--external_plugins``.

    It sits alone in its own directory: swift puts that directory on ``sys.path``, and the
    ``integrations`` directory holds ``swift.py``, ``trl.py``, ``verl.py`` that would shadow the real
    packages.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "swift_plugin", "rlvr_swift_plugin.py")


def swift_base() -> tuple[type, dict[str, Any]]:
    """swift's ``ORM`` base class and ``orms`` registry: ``swift.rewards`` (4.x), else ``swift.plugin`` (3.x)."""
    try:
        from swift.rewards import ORM, orms
    except ImportError as first:
        try:
            from swift.plugin import ORM, orms
        except ImportError:
            raise first from None
    return ORM, orms


class RlvrORM:
    """Grades ``completions`` against the gold column with one verifier spec.

    Constructor: ``(args=None, **kwargs)``. swift 4.x passes ``args=`` (the GRPO config), swift 3.x
    nothing. Keyword options: ``verifier`` (a spec string), ``gold_key`` (the dataset column; by
    default the first of ``solution``, ``answer``, ``ground_truth``, ``gold``, ``label``,
    ``reward_model``), ``timeout`` (seconds per item), ``option_key`` (column with MCQ option texts).

    The configuration is checked when the ORM is built (swift builds it when the trainer starts): an
    unknown verifier raises ``ValueError`` naming the valid choices, an unknown keyword ``TypeError``.
    Building it also starts the worker pool in the background.
    """

    verifier: Any = "accuracy"
    gold_key: str | None = None
    timeout: float | None = None
    option_key: str | None = None

    def __init__(self, args: Any = None, **kwargs: Any) -> None:
        self.args = args
        bad = sorted(set(kwargs) - {"verifier", "gold_key", "timeout", "option_key"})
        if bad:
            raise TypeError(f"{type(self).__name__}: unknown option(s) {', '.join(bad)}; valid: verifier, gold_key, timeout, option_key")
        for key in ("verifier", "gold_key", "timeout", "option_key"):
            if kwargs.get(key) is not None:
                setattr(self, key, kwargs[key])
        build_adapter(self.verifier, timeout=self.timeout, keys={"gold_key": self.gold_key, "option_key": self.option_key},
                      who=f"ms-swift ORM {type(self).__name__}")

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        try:
            n = len(completions)
        except Exception:  # noqa: BLE001
            return []
        try:
            golds = find_golds(kwargs, n, self.gold_key)
            options = option_column(kwargs, n, self.option_key)
            token_ids = kwargs.get("response_token_ids")  # swift's token ids: lengths count tokens
            if not (isinstance(token_ids, (list, tuple)) and len(token_ids) == n):
                token_ids = None
            from ..shaping.groups import column

            verdicts = score_all(
                list(completions), golds, verifier=self.verifier, timeout=self.timeout, options=options,
                token_ids=token_ids,
                groups=column(kwargs, "prompt_id", n),  # swift's GRPO group id (``length`` is group-relative)
                languages=column(kwargs, "language", n),  # ``code_format``: the sample's language
            )
            return rewards(verdicts)
        except Exception as exc:  # noqa: BLE001 - a reward function must never crash a training step
            # Not a silent 0: logged with its traceback, and None (NaN in swift: the sample is left
            # out of the weighted sum) rather than a wrong reward of 0 for every sample.
            logger.error("rlvr_rewards: ms-swift ORM %s failed on a batch of %d; rewards are None: %s: %s",
                         type(self).__name__, n, type(exc).__name__, exc, exc_info=exc)
            return [None] * n


def option_column(columns: Mapping[str, Any], n: int, key: str | None = None) -> list[list[str] | None] | None:
    """Per-sample MCQ option texts from an ``options`` / ``choices`` column, or ``None``.

    Accepts a list of strings per sample, or the ``{"label": [...], "text": [...]}`` shape of ARC-style
    datasets. Anything else gives ``None`` for that sample (letters are still graded).
    """
    for k in (key,) if key else OPTION_KEYS:
        value = columns.get(k)
        if isinstance(value, (list, tuple)) and len(value) == n:
            out = [option_texts(v) for v in value]
            return out if any(o for o in out) else None
    return None




def orm_class(name: str, spec: Any = None, *, gold_key: str | None = None, timeout: float | None = None, base: type | None = None) -> type:
    """An ORM class named ``name`` (the name swift logs, e.g. ``rewards/rlvr_accuracy/mean``).

    It subclasses swift's ``ORM`` (found with :func:`swift_base` unless ``base`` is given).
    """
    spec = DEFAULT_ORMS.get(name, "accuracy") if spec is None else spec
    build_adapter(spec, timeout=timeout, keys={"gold_key": gold_key}, who=f"ms-swift ORM {name!r}")
    if base is None:
        base = swift_base()[0]
    attrs = {
        "verifier": spec,
        "gold_key": gold_key,
        "timeout": timeout,
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"rlvr_rewards ORM: verifier {spec!r}.",
    }
    bases = (RlvrORM,) if base is object else (RlvrORM, base)
    return type(name, bases, attrs)


def register_orm(name: str, spec: Any = None, *, gold_key: str | None = None, timeout: float | None = None, registry: dict[str, Any] | None = None) -> type:
    """Register ``name`` in swift's ``orms`` (``--reward_funcs name``) and return the class.

    In your own plugin file: ``register_orm("my_reward", "accuracy + 0.1*format", gold_key="answer")``.
    """
    if registry is None:
        base, registry = swift_base()
        cls = orm_class(name, spec, gold_key=gold_key, timeout=timeout, base=base)
    else:
        cls = orm_class(name, spec, gold_key=gold_key, timeout=timeout, base=object)
    registry[name] = cls
    if name.isidentifier():
        _classes[name] = cls
        globals()[name] = cls  # picklable by reference (module attribute == qualname)
    return cls


def register_orms(specs: Mapping[str, Any] | None = None, registry: dict[str, Any] | None = None) -> dict[str, type]:
    """Register every ORM in ``specs`` (default :data:`DEFAULT_ORMS`) into swift's ``orms``."""
    specs = DEFAULT_ORMS if specs is None else specs
    return {name: register_orm(name, spec, registry=registry) for name, spec in specs.items()}


def __getattr__(name: str) -> Any:
    # A pickled ORM instance is found again by its class name in a fresh process.
    if name in DEFAULT_ORMS:
        if name not in _classes:
            _classes[name] = orm_class(name)
        return _classes[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
