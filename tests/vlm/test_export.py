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


def test_verl_blank_image_pads_text_only_rows(records, tmp_path):
    path = ex.export_verl_parquet(records, tmp_path / "mixed.parquet", blank_image=(32, 16))
    ds = datasets.load_dataset("parquet", data_files=str(path), split="train")
    for row, rec in zip(ds, records):
        tags = sum(m["content"].count("<image>") for m in row["prompt"])
        assert tags == len(row["images"]) == max(1, len(rec.images))
        assert row["extra_info"]["blank_image"] is (not rec.images)
        if not rec.images:
            (im,) = row["images"]
            assert im.size == (32, 16) and im.getextrema() == ((255, 255), (255, 255), (255, 255))
    # without the option a text-only row stays without images (and is not flagged)
    plain = datasets.load_dataset("parquet", data_files=str(ex.export_verl_parquet(records, tmp_path / "p.parquet")), split="train")
    last = plain[len(records) - 1]
    assert last["images"] == [] and last["extra_info"]["blank_image"] is False
    assert "<image>" not in last["prompt"][-1]["content"]


@pytest.mark.parametrize("text, size", [("224", (224, 224)), ("64x48", (64, 48)), ("64X48", (64, 48)), (32, (32, 32)), ((8, 4), (8, 4))])
def test_parse_size(text, size):
    assert ex.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "x", "0x10", "10x-1", "a x b", "1x2x3"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError, match="image size"):
        ex.parse_size(text)


def test_swift_solution_format(records, tmp_path):
    path = ex.export_swift_jsonl(records[:3], tmp_path / "clevr.jsonl", template="clevr", solution_format="<answer> {answer} </answer>")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["solution"] for r in rows] == [f"<answer> {r.answer} </answer>" for r in records[:3]]
    assert all("<answer> </answer> tags" in r["messages"][-1]["content"] for r in rows)
    with pytest.raises(ValueError, match="answer"):
        ex.export_swift_jsonl(records[:1], tmp_path / "x.jsonl", solution_format="<answer></answer>")


def test_clevr_counting_records():
    from rlvr_rewards import check
    from rlvr_rewards.vlm.synthetic import CLEVR_QUESTION, clevr_counting

    a, b = clevr_counting(5, seed=3, size=56), clevr_counting(5, seed=3, size=56)
    assert [r.answer for r in a] == [r.answer for r in b] and a[0].images[0].tobytes() == b[0].images[0].tobytes()
    assert all(r.question == CLEVR_QUESTION and r.images[0].size == (56, 56) for r in a)
    assert {r.answer for r in clevr_counting(40, counts=(2, 3))} == {"2", "3"}
    assert all(check(f"<answer> {r.answer} </answer>", f"<answer> {r.answer} </answer>").correct for r in a)
