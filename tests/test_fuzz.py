"""A short, bounded atheris session over grade/check (skipped when atheris is not installed)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TARGET = Path(__file__).parent / "fuzz" / "fuzz_grade.py"
SECONDS = int(os.environ.get("RLVR_FUZZ_SECONDS", "20"))


@pytest.mark.slow
def test_atheris_short_run(tmp_path):
    pytest.importorskip("atheris")
    proc = subprocess.run(
        [sys.executable, str(TARGET), f"-max_total_time={SECONDS}", "-rss_limit_mb=4096", f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=SECONDS + 120,
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, tail
    assert "Done" in tail or "DONE" in tail or "pulse" in tail or "INITED" in tail, tail
