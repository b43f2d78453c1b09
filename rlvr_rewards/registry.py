"""Name → verifier registry, in the style of timm's ``_registry.py``: a leaf module.

It imports nothing of the package but the protocol. Built-in verifiers register themselves when
:mod:`rlvr_rewards.verifiers` is imported (``build()`` and the public ``list_verifiers`` /
``get_verifier`` / ``create_verifier`` import it once); third-party packages add theirs through
the ``rlvr_rewards.verifiers`` entry-point group (each entry point names a class or factory),
loaded the first time a name is missing. Named specs (``"r1"``: ``"accuracy + 0.1*format"``)
live in the same registry, so one ``build()`` resolves names, specs and lists.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from .protocol import FunctionVerifier, Verifier

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "rlvr_rewards.verifiers"


class UnknownVerifierError(KeyError, ValueError):
    """A verifier name that is not registered: a configuration error, raised where the verifier
    is built. Both a ``KeyError`` (a registry lookup) and a ``ValueError`` (a bad argument)."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


#: Entry points that failed to load: name -> "ExceptionType: message" (also logged).
PLUGIN_ERRORS: dict[str, str] = {}

_FACTORIES: dict[str, Callable[..., Any]] = {}
_ALIASES: dict[str, str] = {}
_DEFAULTS: dict[str, Any] = {}
_SPECS: dict[str, str] = {}
_lock = threading.Lock()
_entry_points_loaded = False
#: Bumped by every (re-)registration, so caches of built specs know they are stale.
generation = 0


def register(name: str, *, aliases: tuple[str, ...] = (), replace: bool = False) -> Callable[[Any], Any]:
    """Class or factory decorator: make it available as ``name`` (and ``aliases``).

    A :class:`~rlvr_rewards.Verifier` subclass is registered as its own factory; a plain function
    ``f(sample) -> Decision | bool | float | None`` is wrapped into a verifier. Registering a
    taken name raises unless ``replace=True``.

    >>> from rlvr_rewards import register, grade
    >>> @register("states_gold", replace=True)
    ... def states_gold(sample):
    ...     return sample.gold in sample.completion
    >>> grade("so x = 4", "4", verifier="states_gold")
    1.0
    """

    def decorator(obj: Any) -> Any:
        if isinstance(obj, type) and issubclass(obj, Verifier):
            factory: Callable[..., Any] = obj
            if not getattr(obj, "name", ""):
                obj.name = name
        elif isinstance(obj, type):
            raise TypeError(f"{obj!r} must subclass rlvr_rewards.Verifier")
        elif callable(obj):
            factory = partial(_function_verifier, obj, name)
        else:
            raise TypeError(f"only a Verifier subclass or a function can be registered, not {obj!r}")
        with _lock:
            _check_free((name, *aliases), replace)
            _FACTORIES[name] = factory
            _DEFAULTS.pop(name, None)
            _SPECS.pop(name, None)
            for alias in aliases:
                _ALIASES[alias] = name
            _bump()
        return obj

    return decorator


def _function_verifier(fn: Callable[..., Any], name: str, **kwargs: Any) -> FunctionVerifier:
    return FunctionVerifier(fn, name=name, **kwargs)


def register_spec_text(name: str, spec: str, *, replace: bool = True) -> None:
    """Store a named spec (already validated by the caller, which can build it)."""
    with _lock:
        if name in _FACTORIES or name in _ALIASES:
            raise ValueError(f"{name!r} is a registered verifier; a named spec needs a name of its own")
        if not replace and name in _SPECS:
            raise ValueError(f"spec {name!r} is already registered")
        _SPECS[name] = spec
        _bump()


def _check_free(keys: tuple[str, ...], replace: bool) -> None:
    for key in keys:
        if not replace and (key in _FACTORIES or key in _ALIASES or key in _SPECS):
            raise ValueError(f"verifier {key!r} is already registered")


def _bump() -> None:
    global generation
    generation += 1


def snapshot() -> tuple[dict[str, Any], ...]:
    """A copy of the registry's tables, for :func:`restore` (the tests' isolation fixture)."""
    with _lock:
        return dict(_FACTORIES), dict(_ALIASES), dict(_DEFAULTS), dict(_SPECS)


def restore(state: tuple[dict[str, Any], ...]) -> None:
    with _lock:
        for table, saved in zip((_FACTORIES, _ALIASES, _DEFAULTS, _SPECS), state):
            table.clear()
            table.update(saved)
        _bump()


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _FACTORIES:
            continue
        try:
            obj = ep.load()
            if ep.name not in _FACTORIES:
                register(ep.name)(obj)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the others, but is reported
            PLUGIN_ERRORS[ep.name] = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "rlvr_rewards: verifier plugin %r (entry point %r in group %s) failed to load: %s: %s",
                ep.name, ep.value, ENTRY_POINT_GROUP, type(exc).__name__, exc, exc_info=True,
            )


def spec_of(name: str) -> str | None:
    """The spec string of a named spec, None when ``name`` is not one."""
    return _SPECS.get(name)


def resolve(name: str) -> str:
    """The registered verifier ``name`` (or its alias) stands for; raises a clear error naming
    the valid choices and the closest names when it is unknown."""
    key = _ALIASES.get(name, name)
    if key not in _FACTORIES:
        _load_entry_points()
        key = _ALIASES.get(name, name)
    if key not in _FACTORIES:
        if not isinstance(name, str):
            raise TypeError(f"a verifier name must be a string, not {type(name).__name__} ({name!r})")
        known = ", ".join(sorted(_FACTORIES))
        broken = f"; plugin {name!r} failed to load: {PLUGIN_ERRORS[name]}" if name in PLUGIN_ERRORS else ""
        close = _close_matches(name)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        specs = ", ".join(sorted(_SPECS))
        raise UnknownVerifierError(
            f"unknown verifier {name!r}{hint}{broken}; valid choices: {known}; named specs: {specs}; "
            "or compose them, e.g. 'exact > numeric' or 'accuracy + 0.1*format'"
        )
    return key


def _close_matches(name: str) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, [*_FACTORIES, *_ALIASES, *_SPECS], n=2, cutoff=0.7)


def create_verifier(name: str, **kwargs: Any) -> Any:
    """A new verifier instance by registered name, with constructor options."""
    return _FACTORIES[resolve(name)](**kwargs)


def get_verifier(name: str) -> Any:
    """The shared default-configured instance of a registered verifier."""
    key = resolve(name)
    inst = _DEFAULTS.get(key)
    if inst is None:
        inst = _DEFAULTS.setdefault(key, _FACTORIES[key]())
    return inst


def list_verifiers(include_plugins: bool = True, include_specs: bool = True) -> list[str]:
    """Registered names (and, unless disabled, entry-point plugins and named specs), sorted."""
    if include_plugins:
        _load_entry_points()
    return sorted({*_FACTORIES, *(_SPECS if include_specs else ())})


def list_specs() -> dict[str, str]:
    """Named specs: name -> spec string."""
    return dict(_SPECS)


def aliases() -> dict[str, str]:
    return dict(_ALIASES)


def describe(name: str) -> str:
    """First line of a verifier's docstring (a named spec: its spec string)."""
    if name in _SPECS:
        return f"spec: {_SPECS[name]}"
    factory = _FACTORIES[resolve(name)]
    doc = (getattr(factory, "__doc__", None) or "").strip()
    if isinstance(factory, partial):
        doc = (getattr(factory.args[0], "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""
