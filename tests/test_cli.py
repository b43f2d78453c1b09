"""The ``python -m rlvr_rewards`` command line: grade, score, verifiers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rlvr_rewards

EXAMPLE = Path(rlvr_rewards.__file__).parent / "data" / "example_rollouts.jsonl"
OUTCOMES = {"correct", "incorrect", "no_answer", "bad_gold", "timeout", "error"}


def cli(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rlvr_rewards", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def test_grade_prints_score_first():
    proc = cli("grade", r"The answer is \boxed{42}", "42")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "1"


def test_grade_wrong_answer():
    proc = cli("grade", r"The answer is \boxed{41}", "42")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "0"


def test_grade_explain():
    proc = cli("grade", r"The answer is \boxed{42}", "42", "--explain")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "1"
    rest = "\n".join(lines[1:])
    assert "correct" in rest
    assert "42" in rest
    assert "verifier" in rest


def test_grade_with_verifier_and_options():
    proc = cli("grade", r"\boxed{London}", "B", "--options", "Paris", "London")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "1"
    proc = cli("grade", "<think>x</think><answer>7</answer>", "3", "--verifier", "format")
    assert proc.stdout.splitlines()[0] == "1"


def _write_jsonl(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _summary_ok(stdout: str, n: int) -> None:
    assert f"scored {n} records" in stdout
    assert "outcome" in stdout and "count" in stdout
    for name in OUTCOMES:
        assert name in stdout


def test_score_file(tmp_path):
    src = tmp_path / "rollouts.jsonl"
    lines = [
        json.dumps({"completion": r"\boxed{3}", "gold": "3"}),
        "{this is not json",
        json.dumps({"completion": r"\boxed{3}", "gold": None}),  # bad gold
        json.dumps({"response": r"\boxed{4}", "answer": "3"}),  # alternative default keys
        json.dumps([1, 2]),  # valid JSON but not an object
        json.dumps({"completion": "The answer is (B).", "gold": "B"}),
    ]
    _write_jsonl(src, lines)
    out = tmp_path / "scored.jsonl"
    proc = cli("score", str(src), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(lines)
    for row in rows:
        assert "score" in row and "outcome" in row
        assert row["outcome"] in OUTCOMES
    assert [r["outcome"] for r in rows] == [
        "correct",
        "error",
        "bad_gold",
        "incorrect",
        "error",
        "correct",
    ]
    assert rows[0]["score"] == 1.0
    assert rows[2]["score"] is None  # bad gold: skip the sample
    assert rows[3]["score"] == 0.0
    assert rows[0]["completion"] == r"\boxed{3}"  # input fields are kept
    _summary_ok(proc.stdout, len(lines))
    assert "bad_gold" in proc.stdout


def test_score_custom_keys(tmp_path):
    src = tmp_path / "custom.jsonl"
    lines = [
        json.dumps({"pred": r"\boxed{3}", "ref": "3"}),
        # the default keys are present too but must be ignored
        json.dumps({"pred": r"\boxed{5}", "ref": "3", "completion": r"\boxed{3}", "gold": "3"}),
        json.dumps({"pred": r"\boxed{5}"}),  # missing gold key
    ]
    _write_jsonl(src, lines)
    out = tmp_path / "custom.scored.jsonl"
    proc = cli(
        "score", str(src), "--completion-key", "pred", "--gold-key", "ref", "-o", str(out), "-q"
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(lines)
    assert [r["score"] for r in rows] == [1.0, 0.0, None]
    assert [r["outcome"] for r in rows] == ["correct", "incorrect", "bad_gold"]
    _summary_ok(proc.stdout, len(lines))


def test_score_default_output_path_in_cwd(tmp_path):
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, [json.dumps({"completion": r"\boxed{1}", "gold": 1})])
    proc = cli("score", str(src), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "in.scored.jsonl").exists()


def test_score_missing_file(tmp_path):
    proc = cli("score", str(tmp_path / "nope.jsonl"), "-q", cwd=tmp_path)
    assert proc.returncode != 0
    assert "nope.jsonl" in proc.stderr


@pytest.mark.skipif(not EXAMPLE.exists(), reason=f"shipped example {EXAMPLE} does not exist yet")
def test_score_shipped_example(tmp_path):
    proc = cli("score", "-q", "--timeout", "2", cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "example_rollouts.scored.jsonl"
    assert out.exists()
    n_in = sum(1 for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.strip())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n_in
    assert all(r["outcome"] in OUTCOMES for r in rows)
    _summary_ok(proc.stdout, n_in)


def test_verifiers_lists_builtins():
    proc = cli("verifiers")
    assert proc.returncode == 0, proc.stderr
    for name in (
        "exact",
        "numeric",
        "mcq",
        "format",
        "symbolic",
        "accuracy",
        "latex",
        "fraction",
        "math",
    ):
        assert f"  {name} " in proc.stdout, name
    assert "r1" in proc.stdout


@pytest.mark.parametrize("framework", ["swift", "openrlhf"])
def test_plugin_path(framework):
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_rewards", "plugin-path", framework], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    path = proc.stdout.strip()
    assert os.path.isabs(path) and os.path.isfile(path) and path.endswith(".py")
