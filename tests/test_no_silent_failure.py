"""Issue 13: no silent failure, no lost data.

Configuration (verifier names and specs, options, column names) raises where it is built, with a
message naming the bad part and the valid choices; only per-sample data becomes a verdict; a
``score`` run never destroys a file; the CLI says clearly what went wrong.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rlvr_rewards import check, check_batch, grade
from rlvr_rewards.columns import GOLD_KEYS, OPTION_KEYS
from rlvr_rewards.sample import to_text
from rlvr_rewards.verdict import Outcome

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 180,
        pre: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m rlvr_rewards ARGS``; ``pre`` is Python run first (e.g. to hide a module)."""
    code = f"{pre}\nimport sys\nfrom rlvr_rewards.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [{"completion": r"\boxed{3}", "gold": "3"}, {"completion": r"\boxed{4}", "gold": "3"}]


# ------------------------------------------------------------------------------- data loss

def test_score_refuses_output_equal_to_input(tmp_path):
    src = _jsonl(tmp_path / "x.jsonl", ROWS)
    before = src.read_bytes()
    for out in (str(src), "x.jsonl", "./x.jsonl"):
        proc = cli("score", str(src), "-o", out, "-q", cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "input" in proc.stderr and "Traceback" not in proc.stderr
        assert src.read_bytes() == before
    link = tmp_path / "hard.jsonl"
    os.link(src, link)  # the same file under another name
    assert cli("score", str(src), "-o", str(link), "-q").returncode == 2
    assert src.read_bytes() == before


@pytest.mark.parametrize("args, pre", [
    (["--verifier", "acuracy"], ""),
    (["--backend", "ray"], "import sys; sys.modules['ray'] = None  # ray not installed"),
    (["--timeout", "-1"], ""),
])
def test_failed_score_run_leaves_existing_output_untouched(tmp_path, args, pre):
    src = _jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    proc = cli("score", str(src), "-o", str(out), "-q", *args, pre=pre)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr, proc.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temp file left


def test_interrupted_score_run_leaves_existing_output_untouched(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", ROWS * 50)
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    pre = textwrap.dedent("""
        import rlvr_rewards.api as b
        calls = []
        real = b.check_batch
        def flaky(*a, **k):
            calls.append(1)
            if len(calls) > 1:
                raise KeyboardInterrupt
            return real(*a, **k)
        b.check_batch = flaky
    """)
    proc = cli("score", str(src), "-o", str(out), "-q", "--chunk-size", "8", pre=pre)
    assert proc.returncode == 130
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_score_replaces_output_only_on_success(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    proc = cli("score", str(src), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["outcome"] for line in out.read_text().splitlines()] == ["correct", "incorrect"]
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # what open() gives, not mkstemp's 0600


# ------------------------------------------------------------------------------- wrong fields

def test_wrong_completion_key_stops_with_the_fields_that_exist(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"response": r"\boxed{3}", "answer": "3", "id": 1}] * 3)
    out = tmp_path / "out.jsonl"
    proc = cli("score", str(src), "--completion-key", "completion", "-o", str(out), "-q")
    assert proc.returncode == 2
    assert "'completion'" in proc.stderr and "'response'" in proc.stderr and "'answer'" in proc.stderr
    assert not out.exists()
    proc = cli("score", str(src), "--gold-key", "gold", "-o", str(out), "-q")
    assert proc.returncode == 2 and "'gold'" in proc.stderr and "--gold-key" in proc.stderr
    # no known field at all, no key given
    src2 = _jsonl(tmp_path / "odd.jsonl", [{"text": r"\boxed{3}", "ref": "3"}])
    proc = cli("score", str(src2), "-o", str(out), "-q")
    assert proc.returncode == 2 and "'text'" in proc.stderr and "'ref'" in proc.stderr
    # a verifier that needs no gold does not ask for one
    assert cli("score", str(src2), "--completion-key", "text", "--verifier", "format", "-o", str(out), "-q").returncode == 0


def test_summary_warns_when_most_records_have_no_answer_or_bad_gold(tmp_path):
    rows = [{"completion": "", "gold": "3"}] * 3 + [{"completion": r"\boxed{3}", "gold": "3"}]
    proc = cli("score", str(_jsonl(tmp_path / "a.jsonl", rows)), "-o", str(tmp_path / "a.out"), "-q")
    assert proc.returncode == 0
    assert "warning: 3 of 4 records have no final answer" in proc.stdout and "--completion-key" in proc.stdout
    rows = [{"completion": r"\boxed{3}", "gold": None}] * 3 + [{"completion": r"\boxed{3}", "gold": "3"}]
    proc = cli("score", str(_jsonl(tmp_path / "b.jsonl", rows)), "-o", str(tmp_path / "b.out"), "-q")
    assert "warning: 3 of 4 records have no usable gold" in proc.stdout and "--gold-key" in proc.stdout


def test_one_list_of_columns_for_cli_and_adapters(tmp_path):
    from rlvr_rewards import cli as cli_module
    from rlvr_rewards.integrations import common, swift, trl

    assert cli_module.GOLD_KEYS is common.GOLD_KEYS is GOLD_KEYS
    assert cli_module.OPTION_KEYS is trl.OPTION_KEYS is swift.OPTION_KEYS is OPTION_KEYS
    # the same record: the CLI and the TRL adapter read the same gold column
    rec = {"completion": r"\boxed{7}", "solution": "7", "answer": "9"}
    proc = cli("score", str(_jsonl(tmp_path / "c.jsonl", [rec])), "-o", str(tmp_path / "c.out"), "-q")
    assert json.loads((tmp_path / "c.out").read_text())["outcome"] == "correct", proc.stdout
    assert trl.accuracy_reward(completions=[rec["completion"]], solution=[rec["solution"]], answer=[rec["answer"]]) == [1.0]


# ------------------------------------------------------------------------------- verifier names

def test_grade_unknown_verifier_exits_2():
    proc = cli("grade", r"\boxed{3}", "3", "--verifier", "nope")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "unknown verifier 'nope'" in proc.stderr and "accuracy" in proc.stderr and "Traceback" not in proc.stderr


def test_check_and_grade_batch_raise_alike_for_configuration():
    for call in (lambda: check("x", "1", verifier="acuracy"), lambda: check_batch(["x"], ["1"], verifier="acuracy")):
        with pytest.raises(ValueError, match="did you mean 'accuracy'.*valid choices: .*accuracy"):
            call()
    with pytest.raises(ValueError, match="'formatt'"):
        check("x", "1", verifier="accuracy + 0.1*formatt")  # the bad part of a spec is named
    with pytest.raises(ValueError, match="timeout"):
        check("x", "1", timeout="soon")
    with pytest.raises(TypeError, match="verifier must be"):
        check("x", "1", verifier=42)


def test_grade_never_raises_for_data_but_a_misspelt_keyword_does():
    for completion, gold in ((None, None), (b"\xff", 3), ([1, {"x": 2}], object()), ("\ud800", "\\frac{")):
        assert isinstance(grade(completion, gold), float)
    with pytest.raises(TypeError, match="verifer"):
        grade(r"\boxed{3}", "3", verifer="exact")
    with pytest.raises(TypeError, match="timout"):
        check(r"\boxed{3}", "3", timout=1)


def test_trl_reward_function_checks_its_configuration_when_built():
    from rlvr_rewards.integrations.trl import RewardFunction, make_reward

    with pytest.raises(ValueError, match="acuracy.*valid choices"):
        RewardFunction("acuracy")
    with pytest.raises(ValueError, match="acuracy"):
        make_reward("acuracy", asynchronous=True)
    with pytest.raises(TypeError, match="tolerence"):
        RewardFunction("accuracy", tolerence=0.1)
    with pytest.raises(TypeError, match="gold_key"):
        RewardFunction("accuracy", gold_key=["answer"])
    with pytest.raises(ValueError, match="timeout"):
        RewardFunction("accuracy", timeout=-1)


def test_swift_orm_checks_its_configuration_and_never_hides_a_failure(caplog, monkeypatch):
    from rlvr_rewards.integrations import swift

    with pytest.raises(ValueError, match="acuracy"):
        swift.register_orm("bad_orm", "acuracy", registry={})
    cls = swift.orm_class("rlvr_accuracy_t13", "accuracy", base=object)
    with pytest.raises(ValueError, match="acuracy"):
        cls(verifier="acuracy")
    with pytest.raises(TypeError, match="gold_kye"):
        cls(gold_kye="answer")
    orm = cls()

    def boom(*a, **k):
        raise RuntimeError("broken column")

    monkeypatch.setattr(swift, "find_golds", boom)
    with caplog.at_level(logging.ERROR):
        out = orm([r"\boxed{3}", "x"], solution=["3", "3"])
    assert out == [None, None]  # skipped by swift, not a silent reward of 0
    assert "broken column" in caplog.text and "Traceback" in caplog.text


def test_verl_configuration_raises_and_sample_data_does_not(caplog):
    from rlvr_rewards.integrations.verl import compute_score, compute_score_batch

    with pytest.raises(ValueError, match="acuracy"):
        compute_score("openai/gsm8k", r"\boxed{3}", "3", verifier="acuracy")
    with pytest.raises(ValueError, match="routes\\['mine'\\].*mcqq"):
        compute_score("mine", r"\boxed{3}", "3", routes={"mine": "mcqq"})
    with pytest.raises(ValueError, match="acuracy"):
        compute_score_batch(["x"], [r"\boxed{3}"], ["3"], verifier="acuracy")
    with pytest.raises(ValueError, match="timeout"):
        compute_score("openai/gsm8k", r"\boxed{3}", "3", timeout="soon")
    with caplog.at_level(logging.WARNING):
        out = compute_score("openai/gsm8k", r"\boxed{3}", "3", {"verifier": "nope"})  # per-sample data
    assert out["error"] == 1.0 and "nope" in caplog.text
    assert compute_score("openai/gsm8k", r"\boxed{3}", "3", verifier="math")["score"] == 1.0


def test_openrlhf_checks_its_configuration_when_built(monkeypatch):
    from rlvr_rewards.integrations import openrlhf

    with pytest.raises(ValueError, match="acuracy"):
        openrlhf.RewardFunc("acuracy")
    with pytest.raises(TypeError, match="tolerence"):
        openrlhf.make_reward_func("accuracy", tolerence=0.1)
    monkeypatch.setenv("RLVR_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="RLVR_TIMEOUT"):
        openrlhf.from_env()


def test_broken_plugin_is_logged_with_its_exception(tmp_path, monkeypatch):
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[rlvr_rewards.verifiers]\nbroken_t13 = broken_t13_mod:verifier\n")
    (tmp_path / "broken_t13_mod.py").write_text("raise ImportError('needs libfoo')\n")
    code = textwrap.dedent("""
        import logging, sys
        logging.basicConfig(level=logging.WARNING)
        from rlvr_rewards import check
        try:
            check("x", "1", verifier="broken_t13")
        except ValueError as exc:
            print("raised:", exc)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])})
    assert "plugin 'broken_t13'" in proc.stderr and "needs libfoo" in proc.stderr, proc.stderr
    assert "raised:" in proc.stdout and "failed to load: ImportError: needs libfoo" in proc.stdout, proc.stdout
    listed = cli("verifiers", env={"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])})
    assert "plugins that failed to load" in listed.stdout and "needs libfoo" in listed.stdout, listed.stdout


# ------------------------------------------------------------------------------- conversations

def test_conversation_grades_assistant_turns_only():
    conv = [
        {"role": "system", "content": "Answer in a box."},
        {"role": "user", "content": r"Is it \boxed{3}?"},
        {"role": "assistant", "content": r"No, it is \boxed{4}."},
    ]
    assert check(conv, "3").outcome is Outcome.INCORRECT  # the user's box is not the model's answer
    assert check(conv, "4").outcome is Outcome.CORRECT
    assert check_batch([conv], ["4"])[0].outcome is Outcome.CORRECT
    assert to_text(conv) == r"No, it is \boxed{4}."
    blocks = [{"role": "assistant", "content": [{"type": "text", "text": "so "}, {"type": "image"}, {"type": "text", "text": r"\boxed{5}"}],
               "reasoning_content": "2+3"}]
    assert to_text(blocks) == r"<think>2+3</think>so \boxed{5}"
    tool = [{"role": "assistant", "content": r"\boxed{6}"}, {"role": "tool", "content": r"\boxed{7}"}]
    assert check(tool, "6").correct

    from rlvr_rewards.integrations.common import completion_text
    from rlvr_rewards.integrations.verl import compute_score

    assert completion_text(conv) == to_text(conv)
    assert compute_score("openai/gsm8k", conv, "3")["score"] == 0.0


# ------------------------------------------------------------------------------- summary

def test_empty_file_says_no_records(tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_text("", encoding="utf-8")
    proc = cli("score", str(src), "-o", str(tmp_path / "o.jsonl"), "-q")
    assert proc.returncode == 0
    assert "no records" in proc.stdout and "mean reward" not in proc.stdout


def test_summary_names_the_gates_and_reports_timeout_wait(tmp_path):
    rows = [
        {"completion": "Let me think about this problem step by step. First we add the numbers", "gold": "3"},
        {"completion": r"\boxed{3}", "gold": None},
        {"completion": r"\boxed{3}", "gold": "3"},
        {"completion": r"\boxed{(10^{8})!}", "gold": "1"},
    ]
    proc = cli("score", str(_jsonl(tmp_path / "s.jsonl", rows)), "-o", str(tmp_path / "s.out"), "-q", "--timeout", "0.5")
    assert proc.returncode == 0, proc.stderr
    import re

    assert not re.search(r"^(extraction|gold)\s+\d+$", proc.stdout, re.M), proc.stdout  # the old rows
    assert "no final answer found" in proc.stdout and "gold could not be parsed" in proc.stdout
    assert "timeouts: 1 comparisons hit the deadline" in proc.stdout and "s spent waiting" in proc.stdout


def test_progress_bar_moves_before_the_first_full_chunk(tmp_path):
    rows = ROWS * 600  # 1,200 records: more than one default chunk of 1,024
    slow = "import time, rlvr_rewards.api as b\nreal = b.check_batch\nb.check_batch = lambda *a, **k: (time.sleep(0.3), real(*a, **k))[1]"
    proc = cli("score", str(_jsonl(tmp_path / "p.jsonl", rows)), "-o", str(tmp_path / "p.out"), pre=slow)
    assert proc.returncode == 0, proc.stderr
    counts = {int(m.split("/")[0].split()[-1]) for m in proc.stderr.replace("\r", "\n").splitlines() if "/1200" in m}
    assert any(0 < c < 1024 for c in counts), proc.stderr[-2000:]


# ------------------------------------------------------------------------------- options

def test_score_passes_the_options_column(tmp_path):
    text = "The capital of France is Paris."
    rows = [
        {"completion": text, "gold": "B", "options": ["Lyon", "Paris", "Nice"]},
        {"completion": text, "gold": "B", "choices": {"label": ["A", "B"], "text": ["Lyon", "Paris"]}},
        {"completion": text, "gold": "B"},
    ]
    out = tmp_path / "o.jsonl"
    proc = cli("score", str(_jsonl(tmp_path / "mcq.jsonl", rows)), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(line)["outcome"] for line in out.read_text().splitlines()]
    assert got[:2] == ["correct", "correct"] and got[2] != "correct"


# ------------------------------------------------------------------------------- unclear errors

@pytest.mark.parametrize("argv, needle", [
    (["score", "{tmp}"], "is a directory"),
    (["score", "{tmp}/missing.jsonl"], "no such file"),
    (["score", "{src}", "-o", "{tmp}/no/such/dir/out.jsonl"], "does not exist"),
    (["score", "{src}", "-o", "{tmp}"], "is a directory"),
])
def test_cli_errors_are_one_clear_line(tmp_path, argv, needle):
    src = _jsonl(tmp_path / "in.jsonl", ROWS)
    proc = cli(*(a.format(tmp=tmp_path, src=src) for a in argv))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_vlm_errors_are_clear(tmp_path):
    pytest.importorskip("datasets")
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    for argv, needle in (
        (["data", "analyze", "no-such-user/no-such-dataset-t13", "--out", str(tmp_path / "a")], "Hugging Face"),
        (["data", "analyze", str(tmp_path / "missing.parquet"), "--out", str(tmp_path / "b")], "no such file"),
        (["pipeline", "--dataset", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "c"), "-q"], "no such file"),
        (["pipeline", "--model", str(tmp_path / "no_model"), "--out", str(tmp_path / "d"), "-q", "--limit", "2"], "no such model"),
    ):
        proc = cli(*argv, env=env)
        assert proc.returncode == 2, (argv, proc.stderr[-2000:])
        assert needle in proc.stderr and "Traceback" not in proc.stderr, (argv, proc.stderr[-2000:])


def test_data_analyze_reads_all_four_of_our_exports(tmp_path):
    pytest.importorskip("datasets")
    pytest.importorskip("matplotlib")
    from rlvr_rewards.vlm.pipeline import analyze_dataset, run_pipeline

    res = run_pipeline(None, tmp_path / "run", limit=4, quiet=True)
    exports = res["exports"]
    paths = [Path(p) for p in exports.values()]
    trl_dir = next(p for p in paths if p.is_dir())
    paths.append(trl_dir.with_suffix(".parquet"))  # the TRL export is written both ways
    assert {p.name for p in paths} == {"grpo.jsonl", "verl.parquet", "trl_dataset", "trl_dataset.parquet", "swift.jsonl"}
    for p in paths:
        got = analyze_dataset(str(p), tmp_path / ("analysis_" + p.name))
        st = got["stats"]
        assert got["records"] == 4 and st["n_bad_gold"] == 0, p.name
        assert st["images_per_record_counts"] == {"1": 4}, (p.name, st["images_per_record_counts"])


# ------------------------------------------------------------------------------- first call, README

def test_adapters_start_the_pool_in_the_background():
    code = textwrap.dedent("""
        import time, threading
        t = time.perf_counter()
        from rlvr_rewards.integrations.trl import RewardFunction
        RewardFunction("accuracy", name="x")
        names = [th.name for th in threading.enumerate()]
        from rlvr_rewards.guard import get_pool
        built = not get_pool().warm  # construction returned before the pool was up: it did not block
        deadline = time.monotonic() + 120
        while not get_pool().warm and time.monotonic() < deadline:
            time.sleep(0.05)
        print(built, "rlvr-warmup" in names, get_pool().warm)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert proc.stdout.split() == ["True", "True", "True"], proc.stdout + proc.stderr
    off = subprocess.run([sys.executable, "-c", "from rlvr_rewards.workers import warmup_in_background as w; print(w())"],
                         capture_output=True, text=True, timeout=60, env={**os.environ, "RLVR_WARMUP": "0"})
    assert off.stdout.strip() == "None"


def test_default_score_output_is_in_cwd_and_git_ignored(tmp_path):
    proc = cli("score", "-q", "--timeout", "2", cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "example_rollouts.scored.jsonl").exists()
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "example_rollouts.scored.jsonl" in ignored or "*.scored.jsonl" in ignored


def test_readme_says_how_to_get_the_cpu_torch_wheel_and_what_the_first_call_costs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install torch==2.13.0 &&" in readme  # the command as written keeps working
    assert "--index-url https://download.pytorch.org/whl/cpu" in readme
    assert "example_rollouts.scored.jsonl" in readme and "current directory" in readme
    assert "first call" in readme.lower()
