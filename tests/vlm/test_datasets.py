"""Synthetic datasets with each supported schema's exact features, loaded through the real loader."""

import json

import pytest

datasets = pytest.importorskip("datasets")
PIL = pytest.importorskip("PIL.Image")

from rlvr_rewards.vlm.datasets import (  # noqa: E402
    answer_from_solution,
    detect_schema,
    load_records,
    parse_ground_truth,
    schema_for_id,
)
from rlvr_rewards.vlm.synthetic import generate  # noqa: E402

LIST = getattr(datasets, "List", None) or datasets.Sequence
S = datasets.Value("string")


def img(color="red", size=(32, 24)):
    return PIL.new("RGB", size, color)


def test_open_mm_rl_parquet(tmp_path):
    feats = datasets.Features({"conversation_id": S, "domain": S, "subDomain": S, "format": S, "question": S,
                               "answer": S, "images": LIST(datasets.Image())})
    ds = datasets.Dataset.from_dict({
        "conversation_id": ["c1", "c2"], "domain": ["Math", "Physics"], "subDomain": ["Algebra", "Optics"],
        "format": ["free-form", "free-form"], "question": ["<image>Solve for x.", "Find f."],
        "answer": ["\\[\\frac{1}{2}\\]", "\\[3\\,\\text{cm}\\]"], "images": [[img(), img("blue")], [img()]],
    }, features=feats)
    ds.to_parquet(str(tmp_path / "mm.parquet"))
    recs = load_records(str(tmp_path / "mm.parquet"))
    assert [r.id for r in recs] == ["c1", "c2"]
    assert recs[0].question == "Solve for x." and recs[0].answer == "\\[\\frac{1}{2}\\]"
    assert (recs[0].domain, recs[0].sub_domain, recs[0].format) == ("Math", "Algebra", "free-form")
    assert len(recs[0].images) == 2 and recs[0].images[1].getpixel((0, 0)) == (0, 0, 255)
    assert recs[0].source == "TuringEnterprises/Open-MM-RL"


def test_mmk12_save_to_disk_dict(tmp_path):
    feats = datasets.Features({"id": S, "subject": S, "question": S, "answer": S, "image": datasets.Image()})
    ds = datasets.Dataset.from_dict({
        "id": ["m1"], "subject": ["biology"], "image": [img()],
        "question": ["Which organ is shown?\nA. heart\nB. lung\nC. liver\nD. kidney"], "answer": ["B"],
    }, features=feats)
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp_path / "mmk12"))
    (r,) = load_records(str(tmp_path / "mmk12"))
    assert (r.id, r.domain, r.answer, r.format) == ("m1", "biology", "B", "multiple-choice")
    assert r.options == ["heart", "lung", "liver", "kidney"] and len(r.images) == 1


def test_geometry3k_arrow_file(tmp_path):
    feats = datasets.Features({"images": LIST(datasets.Image()), "problem": S, "answer": S})
    ds = datasets.Dataset.from_dict({"images": [[img()]], "problem": ["<image>Find x. Round to the nearest tenth."],
                                     "answer": ["7.5"]}, features=feats)
    ds.save_to_disk(str(tmp_path / "g3k"))
    arrow = next((tmp_path / "g3k").glob("*.arrow"))
    (r,) = load_records(str(arrow))
    assert r.question == "Find x. Round to the nearest tenth." and r.answer == "7.5"
    assert r.domain == "geometry" and len(r.images) == 1


def test_clevr_parquet_schema_detection_and_override(tmp_path):
    feats = datasets.Features({"image": datasets.Image(), "problem": S, "solution": S})
    ds = datasets.Dataset.from_dict({"image": [img()], "problem": ["How many items are there in the image?"],
                                     "solution": ["<answer> 3 </answer>"]}, features=feats)
    ds.to_parquet(str(tmp_path / "clevr.parquet"))
    (r,) = load_records(str(tmp_path / "clevr.parquet"))
    assert r.answer == "3" and r.meta["raw_solution"] == "<answer> 3 </answer>" and len(r.images) == 1
    (r,) = load_records(str(tmp_path / "clevr.parquet"), schema="clevr")
    assert r.domain == "counting"


def test_geoqa_jsonl_with_relative_image_paths(tmp_path):
    img().save(tmp_path / "a.png")
    row = {"image": "a.png", "problem": "<image>As shown, angle 1 = ?", "solution": "<think>...</think><answer>40°</answer>"}
    (tmp_path / "geoqa.jsonl").write_text(json.dumps(row) + "\n")
    (r,) = load_records(str(tmp_path / "geoqa.jsonl"), schema="geoqa_r1v")
    assert r.answer == "40°" and r.domain == "geometry" and r.images[0].size == (32, 24)


def test_multimodal_open_r1_boxed_solution(tmp_path):
    feats = datasets.Features({"image": datasets.Image(), "problem": S, "solution": S, "original_question": S, "original_answer": S})
    ds = datasets.Dataset.from_dict({"image": [img()], "problem": ["What is the area?"], "solution": ["... so $\\boxed{12}$"],
                                     "original_question": ["q"], "original_answer": ["12"]}, features=feats)
    ds.to_parquet(str(tmp_path / "r1.parquet"))
    (r,) = load_records(str(tmp_path / "r1.parquet"), schema="multimodal_open_r1")
    assert r.answer == "12"


def test_skywork_verl_text_parquet(tmp_path):
    feats = datasets.Features({
        "data_source": S, "prompt": LIST({"role": S, "content": S}), "ability": S,
        "reward_model": {"style": S, "ground_truth": S},
        "extra_info": {"index": datasets.Value("int64"), "model_difficulty": {"DeepSeek-R1-Distill-Qwen-7B": datasets.Value("int64")}},
    })
    ds = datasets.Dataset.from_dict({
        "data_source": ["train-math-numinamath1.5_olympiads", "train-math-deepscaler"],
        "prompt": [[{"role": "user", "content": "What is 1+2?"}], [{"role": "user", "content": "x^2=4, x>0. x=?"}]],
        "ability": ["math", "math"],
        "reward_model": [{"style": "rule", "ground_truth": '["3"]'}, {"style": "rule", "ground_truth": "['2', '2.0']"}],
        "extra_info": [{"index": 7, "model_difficulty": {"DeepSeek-R1-Distill-Qwen-7B": 3}},
                       {"index": 8, "model_difficulty": {"DeepSeek-R1-Distill-Qwen-7B": 5}}],
    }, features=feats)
    ds.to_parquet(str(tmp_path / "sky.parquet"))
    a, b = load_records(str(tmp_path / "sky.parquet"))
    assert (a.id, a.question, a.answer, a.domain, a.images) == ("7", "What is 1+2?", "3", "math", [])
    assert b.meta["ground_truths"] == ["2", "2.0"]
    from rlvr_rewards import check

    assert check("\\boxed{2}", b.answer).score == 1.0  # a stringified list gold is accepted


def test_user_mapping_and_directory_of_parquet(tmp_path):
    feats = datasets.Features({"uid": S, "query": S, "label": S, "pic": datasets.Image(), "cat": S})
    ds = datasets.Dataset.from_dict({"uid": ["u1", "u1"], "query": ["q1", "q2"], "label": ["5", "6"], "pic": [img(), img()],
                                     "cat": ["charts", "charts"]}, features=feats)
    (tmp_path / "d").mkdir()
    ds.to_parquet(str(tmp_path / "d" / "part-0.parquet"))
    recs = load_records(str(tmp_path / "d"), mapping={"id": "uid", "question": "query", "answer": "label", "images": "pic", "domain": "cat"})
    assert [r.id for r in recs] == ["u1", "u1-1"]  # duplicate ids made unique
    assert recs[1].answer == "6" and recs[1].domain == "charts" and len(recs[1].images) == 1
    with pytest.raises(ValueError, match="question"):
        load_records(str(tmp_path / "d"), mapping={"answer": "label"})


def test_unknown_schema_is_a_clear_error(tmp_path):
    datasets.Dataset.from_dict({"foo": ["x"]}).to_parquet(str(tmp_path / "x.parquet"))
    with pytest.raises(ValueError, match="mapping"):
        load_records(str(tmp_path / "x.parquet"))


def test_helpers():
    assert schema_for_id("TuringEnterprises/Open-MM-RL") == "open_mm_rl"
    assert schema_for_id("leonardPKU/clevr_cogen_a_train") == "clevr"
    assert schema_for_id("Skywork/Skywork-OR1-RL-Data") == "verl"
    assert detect_schema(["image", "problem", "solution"]) == "r1v"
    assert answer_from_solution("<answer> 3 </answer>") == "3"
    assert parse_ground_truth('["a"]') == ("a", ["a"])
    assert parse_ground_truth("[1, 2]")[1] == ["1", "2"]


def test_synthetic_deterministic_and_gradable():
    from rlvr_rewards import check

    a, b = generate(12, seed=3), generate(12, seed=3)
    assert [r.answer for r in a] == [r.answer for r in b]
    assert all(x.images[0].tobytes() == y.images[0].tobytes() for x, y in zip(a, b))
    assert [r.answer for r in generate(12, seed=4)] != [r.answer for r in a]
    assert {r.domain for r in a} == {"counting", "charts", "geometry"}
    for r in a:
        assert check(f"\\boxed{{{r.answer}}}", r.answer, options=r.options).score == 1.0
    mcq = [r for r in a if r.format == "multiple-choice"]
    assert mcq and all(r.options and r.answer in "ABCD" for r in mcq)
    assert load_records("synthetic", limit=5)[4].id == "synth-0-00004"
