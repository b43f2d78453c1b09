"""End to end, offline: the default synthetic pipeline, a local dataset, and the CLI."""

import json

import pytest

datasets = pytest.importorskip("datasets")
pytest.importorskip("matplotlib")

from rlvr_rewards.vlm import cli  # noqa: E402
from rlvr_rewards.vlm.pipeline import reference_rollouts, run_pipeline  # noqa: E402
from rlvr_rewards.vlm.synthetic import generate  # noqa: E402


def test_default_pipeline(tmp_path):
    res = run_pipeline(out=tmp_path, limit=12, k=4, quiet=True)
    html = (tmp_path / "report.html").read_text()
    assert "One example per domain" in html and html.count("data:image/png;base64") >= 8 and "pseudo-rollouts" in html
    assert "src=\"http" not in html and "<script" not in html  # self-contained
    for name in ("domains", "answer_types", "lengths", "images", "rewards"):
        assert (tmp_path / "plots" / f"{name}.png").exists()
    assert set(res["exports"]) == {"grpo_jsonl", "verl_parquet", "trl_dataset", "swift_jsonl"}
    rows = [json.loads(line) for line in (tmp_path / "rollouts.jsonl").read_text().splitlines()]
    assert len(rows) == 48 and {"prompt_id", "sample_index", "completion", "num_tokens", "finish_reason"} <= set(rows[0])
    scored = [json.loads(line) for line in (tmp_path / "scored.jsonl").read_text().splitlines()]
    assert all(r["score"] in (0.0, 1.0) for r in scored)
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert 0 < m["overall"]["mean_reward"] < 1 and m["k"] == 4
    cur = json.loads((tmp_path / "curriculum.json").read_text())
    assert 0 < len(cur["kept_prompt_ids"]) < 12


def test_reference_rollouts_gold_scores_one():
    from rlvr_rewards.vlm.analysis import score_rollouts

    recs = generate(6)
    ros = score_rollouts(reference_rollouts(recs, k=8, seed=0), recs)
    for ro in ros:
        rec = next(r for r in recs if r.id == ro.prompt_id)
        assert ro.score == (1.0 if f"{{{rec.answer}}}" in ro.completion else 0.0)


def test_cli_pipeline_and_analyze_on_local_dataset(tmp_path, capsys):
    s = datasets.Value("string")
    feats = datasets.Features({"image": datasets.Image(), "problem": s, "solution": s})
    recs = generate(4)
    ds = datasets.Dataset.from_dict({"image": [r.images[0] for r in recs], "problem": [r.question for r in recs],
                                     "solution": [f"<answer> {r.answer} </answer>" for r in recs]}, features=feats)
    ds.to_parquet(str(tmp_path / "clevr.parquet"))
    assert cli.main(["data", "analyze", str(tmp_path / "clevr.parquet"), "--out", str(tmp_path / "a"), "--schema", "clevr"]) == 0
    assert (tmp_path / "a" / "report.html").exists() and "4 records" in capsys.readouterr().out
    assert cli.main(["pipeline", "--dataset", str(tmp_path / "clevr.parquet"), "--out", str(tmp_path / "p"), "--k", "2", "-q"]) == 0
    out = capsys.readouterr().out
    assert "8 rollouts" in out and "export verl_parquet" in out
    assert cli.main(["data", "analyze", str(tmp_path / "clevr.parquet"), "--out", str(tmp_path / "b"), "--mapping", '{"answer": "solution"}']) == 2
