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


def test_cli_pipeline_blank_image_mixes_text_rows(tmp_path, capsys):
    """A dataset of image and text-only rows: with --blank-image the veRL parquet holds both kinds,
    every row with as many <image> tags as images."""
    from rlvr_rewards.vlm.export import export_grpo_jsonl
    from rlvr_rewards.vlm.records import VLMRecord

    recs = generate(3) + [VLMRecord(id=f"t{i}", question=f"What is {i} + 1?", answer=str(i + 1), domain="math") for i in range(3)]
    src = export_grpo_jsonl(recs, tmp_path / "src" / "mixed.jsonl")
    assert cli.main(["pipeline", "--dataset", str(src), "--out", str(tmp_path / "p"), "--k", "2", "-q", "--blank-image", "40x30"]) == 0
    capsys.readouterr()
    ds = datasets.load_dataset("parquet", data_files=str(tmp_path / "p" / "exports" / "verl.parquet"), split="train")
    assert len(ds) == 6
    padded = [r for r in ds if r["extra_info"]["blank_image"]]
    assert len(padded) == 3 and all(r["images"][0].size == (40, 30) for r in padded)
    assert all(sum(m["content"].count("<image>") for m in r["prompt"]) == len(r["images"]) == 1 for r in ds)
    assert cli.main(["pipeline", "--out", str(tmp_path / "q"), "--blank-image", "big"]) == 2
    assert "image size" in capsys.readouterr().err


def test_tiny_qwen_with_real_token_ids_answers_a_digit(tmp_path):
    """The tiny Qwen2.5-VL for trainers with Qwen's ids hard-coded: specials at their real ids,
    and the answer head: one of the answer tokens, then end-of-turn."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from rlvr_rewards import testing as tiny

    model, proc = tiny.build_tiny_qwen2_5_vl(tmp_path / "m", qwen_token_ids=True, patch_size=7, answers=["2", "3", "4"])
    tok = proc.tokenizer
    assert {t: tok.convert_tokens_to_ids(t) for t in tiny.QWEN_SPECIAL_IDS} == tiny.QWEN_SPECIAL_IDS
    assert model.config.text_config.vocab_size == len(tok) == 151657
    assert "<unk>" not in tok.decode(tok("You are a helpful assistant.\nuser\n")["input_ids"])
    msgs = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "How many items are there in the image?"}]}]
    inputs = proc(text=[proc.apply_chat_template(msgs, add_generation_prompt=True)], images=tiny.random_images(1, size=(56, 56)), return_tensors="pt")
    torch.manual_seed(0)
    out = model.generate(**inputs, do_sample=True, max_new_tokens=4, num_return_sequences=12)
    texts = [tok.decode(o[inputs["input_ids"].shape[1]:], skip_special_tokens=True) for o in out]
    assert set(texts) <= {"2", "3", "4"} and len(set(texts)) > 1, texts
    assert all(o[inputs["input_ids"].shape[1] + 1] == tok.convert_tokens_to_ids("<|im_end|>") for o in out)
    with pytest.raises(ValueError, match="single tokens"):
        tiny.build_tiny_qwen2_5_vl(answers=["twelve hundred"])
