"""Comparison tiers, cheapest first; importing this package registers the built-in verifiers."""

from .. import compose  # noqa: F401  (registers "math" and "accuracy")
from . import exact, format, latex, mcq, numeric, symbolic  # noqa: F401
