"""Every export written and read back; the validators catch broken files."""

import json

import pytest

datasets = pytest.importorskip("datasets")
pytest.importorskip("PIL")

from rlvr_rewards.vlm import export as ex  # noqa: E402
from rlvr_rewards.vlm.records import VLMRecord  # noqa: E402
from rlvr_rewards.vlm.synthetic import generate  # noqa: E402


@pytest.fixture(scope="module")
def records():
    from PIL import Image

    recs = generate(6, seed=1)
    # a two-image record, a text-only record, a palette image and an odd id
    recs.append(VLMRecord(id="two/imgs", question="Compare the images.", answer="2",
                          images=[Image.new("P", (20, 10)), Image.new("L", (8, 8))], domain="misc"))
    recs.append(VLMRecord(id="text-only", question="What is 2+2?", answer="4", domain="math"))
    return recs


@pytest.fixture(scope="module")
def exported(records, tmp_path_factory):
    out = tmp_path_factory.mktemp("exp")
    return out, ex.export_all(records, out)


def test_grpo_jsonl(exported, records):
    out, paths = exported
    rows = [json.loads(line) for line in paths["grpo_jsonl"].read_text().splitlines()]
    assert len(rows) == len(records)
    assert {"id", "domain", "sub_domain", "format", "prompt", "gold", "images"} <= set(rows[0])
    two = next(r for r in rows if r["id"] == "two/imgs")
    assert len(two["images"]) == 2 and all((paths["grpo_jsonl"].parent / p).exists() for p in two["images"])
    assert next(r for r in rows if r["id"] == "text-only")["images"] == []
    assert ex.validate_grpo_jsonl(paths["grpo_jsonl"]) == len(records)


def test_verl_parquet_read_back_like_verl(exported, records):
    _, paths = exported
    ds = datasets.load_dataset("parquet", data_files=str(paths["verl_parquet"]), split="train")
    assert set(ds.column_names) == {"data_source", "prompt", "images", "ability", "reward_model", "extra_info"}
    feat = ds.features["images"]
    assert isinstance(getattr(feat, "feature", None), datasets.Image)
    for row, rec in zip(ds, records):
        assert sum(m["content"].count("<image>") for m in row["prompt"]) == len(row["images"]) == len(rec.images)
        assert row["reward_model"] == {"style": "rule", "ground_truth": rec.answer}
        assert row["extra_info"]["id"] == rec.id
    # raw bytes view (what veRL's process_image also accepts)
    raw = ds.cast_column("images", datasets.List(datasets.Image(decode=False)) if hasattr(datasets, "List") else datasets.Sequence(datasets.Image(decode=False)))
    assert raw[0]["images"][0]["bytes"][:4] == b"\x89PNG"
    # the extra_info struct is the same for every row, with and without options
    assert len({tuple(sorted(r["extra_info"])) for r in ds}) == 1
    mcq = next(r for r in ds if r["extra_info"]["format"] == "multiple-choice")
    assert len(mcq["extra_info"]["options"]) == 4


def test_verl_reward_function_accepts_rows(exported):
    from rlvr_rewards.integrations.verl import compute_score

    _, paths = exported
    ds = datasets.load_dataset("parquet", data_files=str(paths["verl_parquet"]), split="train")
    row = ds[0]
    res = compute_score(row["data_source"], f"\\boxed{{{row['reward_model']['ground_truth']}}}",
                        row["reward_model"]["ground_truth"], row["extra_info"])
    assert (res["score"] if isinstance(res, dict) else res) == 1.0


def test_trl_dataset(exported, records):
    _, paths = exported
    for p in (paths["trl_dataset"], paths["trl_dataset"].with_suffix(".parquet")):
        assert ex.validate_trl(p) == len(records)
    ds = datasets.load_from_disk(str(paths["trl_dataset"]))
    row = ds[0]
    assert row["prompt"][-1]["role"] == "user"
    assert [b["type"] for b in row["prompt"][-1]["content"]].count("image") == len(row["images"]) == 1
    assert row["solution"] == records[0].answer
    assert ds[len(records) - 1]["images"] == []


def test_trl_reward_function_reads_solution(exported, records):
    from rlvr_rewards.integrations.trl import make_reward

    _, paths = exported
    ds = datasets.load_from_disk(str(paths["trl_dataset"]))
    fn = make_reward("accuracy")
    golds = ds["solution"][:3]
    scores = fn(prompts=ds["prompt"][:3], completions=[[{"role": "assistant", "content": f"\\boxed{{{g}}}"}] for g in golds],
                solution=golds, options=ds["options"][:3])
    assert scores == [1.0, 1.0, 1.0]


def test_swift_jsonl(exported, records):
    _, paths = exported
    rows = [json.loads(line) for line in paths["swift_jsonl"].read_text().splitlines()]
    for row, rec in zip(rows, records):
        assert row["messages"][-1]["role"] == "user"
        assert sum(m["content"].count("<image>") for m in row["messages"]) == len(row["images"]) == len(rec.images)
        assert all(p.startswith("/") for p in row["images"]) and row["solution"] == rec.answer


def test_validators_catch_mismatch(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"messages": [{"role": "user", "content": "<image><image>hi"}], "images": [], "solution": "1"}) + "\n")
    with pytest.raises(ex.ExportError, match="tags"):
        ex.validate_swift_jsonl(bad)
    bad.write_text(json.dumps({"id": "x", "prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "q"}]}],
                               "gold": "1", "images": []}) + "\n")
    with pytest.raises(ex.ExportError, match="image blocks"):
        ex.validate_grpo_jsonl(bad)
    datasets.Dataset.from_dict({"a": [1]}).to_parquet(str(tmp_path / "x.parquet"))
    with pytest.raises(ex.ExportError):
        ex.validate_verl_parquet(tmp_path / "x.parquet")
