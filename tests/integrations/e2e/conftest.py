"""Integration tests run only inside their nox session (``nox -s trl`` etc.), which sets
RLVR_INTEGRATION; the main test run skips them because the frameworks are not installed there."""

import os

if not os.environ.get("RLVR_INTEGRATION"):
    collect_ignore_glob = ["test_*.py"]
