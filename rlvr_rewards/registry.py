"""Name → verifier registry, in the style of timm's ``register_model`` / ``create_model``.

Verifiers register with ``@register("name")``; third-party packages add theirs through the
``rlvr_rewards.verifiers`` entry-point group (each entry point names a class or factory), found
the first time a name is missing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

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
            if ep.name not in _FACTORIES:
                register(ep.name)(obj)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the others, but is reported
            PLUGIN_ERRORS[ep.name] = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "rlvr_rewards: verifier plugin %r (entry point %r in group %s) failed to load: %s: %s",
                ep.name, ep.value, ENTRY_POINT_GROUP, type(exc).__name__, exc, exc_info=True,
            )


def _resolve(name: str) -> str:
    _load_builtins()
    key = _ALIASES.get(name, name)
    if key not in _FACTORIES:
        _load_entry_points()
        key = _ALIASES.get(name, name)
    if key not in _FACTORIES:
        if not isinstance(name, str):
            raise TypeError(f"a verifier name must be a string, not {type(name).__name__} ({name!r})")
        known = ", ".join(list_verifiers())
        broken = f"; plugin {name!r} failed to load: {PLUGIN_ERRORS[name]}" if name in PLUGIN_ERRORS else ""
        close = _close_matches(name)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        from .compose import list_specs

        specs = ", ".join(sorted(list_specs()))
        raise UnknownVerifierError(
            f"unknown verifier {name!r}{hint}{broken}; valid choices: {known}; named specs: {specs}; "
            "or compose them, e.g. 'exact > numeric' or 'accuracy + 0.1*format'"
        )
    return key


def _close_matches(name: str) -> list[str]:
    import difflib

    from .compose import list_specs

    return difflib.get_close_matches(name, [*_FACTORIES, *_ALIASES, *list_specs()], n=2, cutoff=0.7)


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
