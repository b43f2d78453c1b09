"""The pipeline with a real (tiny, random, local) model: the --model path end to end, for both
architectures, through the CLI entry point, with every export written and read back."""

import json
from pathlib import Path

import pytest

for _name in ("torch", "transformers", "tokenizers", "PIL", "datasets", "matplotlib"):
    pytest.importorskip(_name)


@pytest.mark.parametrize("arch", ["qwen2_5_vl", "idefics3"])
def test_pipeline_with_a_model(arch, flat_models, tmp_path):
    from rlvr_rewards.vlm.cli import main

    out = tmp_path / "run"
    rc = main(["pipeline", "--out", str(out), "--model", flat_models[arch], "--k", "2", "--limit", "4", "--seed", "1"])
    assert rc in (0, None)
    rows = [json.loads(line) for line in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rows) == 4 * 2
    assert {r["sample_index"] for r in rows} == {0, 1}
    assert all(r["finish_reason"] in ("stop", "length") and r["num_tokens"] > 0 for r in rows)
    assert all(r["outcome"] in ("correct", "incorrect", "no_answer", "bad_gold", "timeout", "error") for r in rows)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rollout_kind"].startswith("model ")
    produced = {p.name for p in Path(out).rglob("*")}
    assert any(name.endswith(".html") for name in produced)
    assert any(name.endswith(".png") for name in produced)
    assert any(name.endswith(".parquet") for name in produced)
