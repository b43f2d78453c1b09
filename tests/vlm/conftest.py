"""Skip tests/vlm when the ``vlm`` extra (datasets, Pillow, matplotlib, pyarrow) is not installed."""

import importlib.util

collect_ignore_glob = (
    ["test_*.py"] if any(importlib.util.find_spec(m) is None for m in ("datasets", "PIL", "matplotlib", "pyarrow")) else []
)
