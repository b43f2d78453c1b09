"""Fixtures shared by the whole suite.

``fresh_registry``: a test that registers verifiers or named specs takes it, so what it adds (or
replaces) is gone when it ends and no other test sees it, whatever the order they run in.
"""

from __future__ import annotations

import pytest

from rlvr_rewards import registry


@pytest.fixture
def fresh_registry():
    """The verifier registry as it was before the test, restored afterwards (pass or fail)."""
    state = registry.snapshot()
    try:
        yield registry
    finally:
        registry.restore(state)
