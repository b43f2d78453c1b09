"""Name → verifier registry, in the style of timm's ``register_model`` / ``create_model``.

Verifiers register with ``@register("name")``; third-party packages add theirs through the
``rlvr_rewards.verifiers`` entry-point group (each entry point names a class or factory), found
the first time a name is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ENTRY_POINT_GROUP = "rlvr_rewards.verifiers"

_FACTORIES: dict[str, Callable[..., Any]] = {}
_ALIASES: dict[str, str] = {}
_DEFAULTS: dict[str, Any] = {}
_lock = threading.Lock()
_entry_points_loaded = False


def register(name: str, *, aliases: tuple[str, ...] = (), replace: bool = False) -> Callable[[Any], Any]:
    """Class or factory decorator: make it available as ``name`` (and ``aliases``).

    A plain function ``f(sample) -> Decision | bool | float | None`` is wrapped into a verifier.
    """

    def decorator(obj: Any) -> Any:
        from .tiers.base import FunctionVerifier, Verifier

        if isinstance(obj, type) and issubclass(obj, Verifier):
            factory: Callable[..., Any] = obj
            if not getattr(obj, "name", ""):
                obj.name = name
        elif isinstance(obj, type):
            raise TypeError(f"{obj!r} must subclass rlvr_rewards.Verifier")
        else:

            def factory(**kwargs: Any) -> Any:
                return FunctionVerifier(obj, name=name, **kwargs)

        with _lock:
            for key in (name, *aliases):
                if not replace and (key in _FACTORIES or key in _ALIASES):
                    raise ValueError(f"verifier {key!r} is already registered")
            _FACTORIES[name] = factory
            _DEFAULTS.pop(name, None)
            _clear_built()
            for alias in aliases:
                _ALIASES[alias] = name
        return obj

    return decorator


def _clear_built() -> None:
    """A (re-)registered name invalidates specs built from the old one."""
    import sys

    compose = sys.modules.get(__package__ + ".compose")
    built = getattr(compose, "_BUILT", None)
    if built:
        built.clear()


def _load_builtins() -> None:
    from . import judge, shaping, tiers  # noqa: F401  (register the built-ins; httpx loads lazily)


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
        except Exception:  # noqa: BLE001 - a broken plugin must not break grading
            continue
        if ep.name not in _FACTORIES:
            register(ep.name)(obj)


def _resolve(name: str) -> str:
    _load_builtins()
    key = _ALIASES.get(name, name)
    if key not in _FACTORIES:
        _load_entry_points()
        key = _ALIASES.get(name, name)
    if key not in _FACTORIES:
        raise KeyError(f"unknown verifier {name!r}; known: {', '.join(list_verifiers())}")
    return key


def create_verifier(name: str, **kwargs: Any) -> Any:
    """A new verifier instance by registered name, with constructor options."""
    return _FACTORIES[_resolve(name)](**kwargs)


def get_verifier(name: str) -> Any:
    """The shared default-configured instance of a registered verifier."""
    key = _resolve(name)
    inst = _DEFAULTS.get(key)
    if inst is None:
        inst = _DEFAULTS.setdefault(key, _FACTORIES[key]())
    return inst


def list_verifiers(include_plugins: bool = True) -> list[str]:
    """Registered names (built-ins and, unless disabled, entry-point plugins), sorted."""
    _load_builtins()
    if include_plugins:
        _load_entry_points()
    return sorted(_FACTORIES)


def aliases() -> dict[str, str]:
    _load_builtins()
    return dict(_ALIASES)


def describe(name: str) -> str:
    """First line of a verifier's docstring."""
    factory = _FACTORIES[_resolve(name)]
    doc = (getattr(factory, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""
