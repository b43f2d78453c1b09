"""The rollout through the real ``generate`` path of tiny random Qwen2.5-VL and Idefics3 models
loaded from disk (AutoModelForImageTextToText + AutoProcessor)."""

import pytest

for _name in ("torch", "transformers", "tokenizers", "PIL"):
    pytest.importorskip(_name)

from rlvr_rewards.vlm import rollout as R  # noqa: E402
from rlvr_rewards.vlm.records import Rollout, VLMRecord  # noqa: E402

ARCHS = ["qwen2_5_vl", "idefics3"]
MAX_NEW = 40


def _run(path, records, **kw):
    kw = {"k": 3, "max_new_tokens": MAX_NEW, "batch_size": 3, "seed": 0, "progress": False} | kw
    return R.rollout(records, path, **kw)


@pytest.mark.parametrize("arch", ARCHS)
def test_k_samples_order_finish_reasons(arch, flat_models, records):
    rolls = _run(flat_models[arch], records)
    assert len(rolls) == 3 * len(records)
    assert [(r.prompt_id, r.sample_index) for r in rolls] == [
        (rec.id, j) for rec in records for j in range(3)]
    for r in rolls:
        assert isinstance(r, Rollout) and isinstance(r.completion, str)
        assert 1 <= r.num_tokens <= MAX_NEW
        assert r.finish_reason in ("stop", "length")
        if r.finish_reason == "length":
            assert r.num_tokens == MAX_NEW
        for special in ("<|im_end|>", "<end_of_utterance>", "<|endoftext|>", "<image>"):
            assert special not in r.completion
    # uniform sampling over ~80 tokens: some samples end early, some run to the limit
    reasons = {r.finish_reason for r in rolls}
    assert reasons == {"stop", "length"}, [(r.num_tokens, r.finish_reason) for r in rolls]
    assert len({r.completion for r in rolls}) > len(rolls) // 2  # samples differ


@pytest.mark.parametrize("arch", ARCHS)
def test_seeded(arch, flat_models, records):
    a = _run(flat_models[arch], records[:2], k=2, max_new_tokens=10)
    b = _run(flat_models[arch], records[:2], k=2, max_new_tokens=10)
    c = _run(flat_models[arch], records[:2], k=2, max_new_tokens=10, seed=1)
    assert a == b
    assert [r.completion for r in a] != [r.completion for r in c]


@pytest.mark.parametrize("arch", ARCHS)
def test_left_padding_batched_equals_unbatched(arch, random_models, records):
    """Greedy decoding of prompts of different lengths gives the same tokens alone and in a
    left-padded batch (right padding would corrupt the batched continuations)."""
    kw = {"k": 2, "temperature": 0.0, "max_new_tokens": 8}
    alone = _run(random_models[arch], records, batch_size=1, **kw)
    batched = _run(random_models[arch], records, batch_size=4, **kw)
    assert [r.completion for r in alone] == [r.completion for r in batched]
    assert [r.num_tokens for r in alone] == [r.num_tokens for r in batched]
    for i in range(0, len(alone), 2):  # greedy: the k samples are identical
        assert alone[i].completion == alone[i + 1].completion


def test_loaded_model_and_processor(flat_models, records):
    model = R.load_model(flat_models["idefics3"])
    processor = R.load_processor(flat_models["idefics3"])
    from_objects = R.rollout(records[:2], model, processor, k=2, max_new_tokens=6, progress=False)
    from_path = _run(flat_models["idefics3"], records[:2], k=2, max_new_tokens=6)
    assert from_objects == from_path


def test_finish_counting():
    eos = {7}
    assert R._finish([3, 4, 7, 0, 0], eos, 5) == (3, "stop")  # pad 0 after eos
    assert R._finish([3, 4, 7, 7, 7], eos, 5) == (3, "stop")  # pad == eos
    assert R._finish([3, 4, 5, 6, 2], eos, 5) == (5, "length")
    assert R._finish([3, 4, 5, 6, 7], eos, 5) == (5, "stop")  # eos as the last allowed token


def test_bad_arguments(records):
    with pytest.raises(ValueError):
        R.rollout(records, "unused", backend="tgi")
    with pytest.raises(ValueError):
        R.rollout(records, "unused", k=0)


def test_save_load_score(tmp_path, flat_models, records):
    rolls = _run(flat_models["qwen2_5_vl"], records, k=2, max_new_tokens=8)
    scored = R.score_rollouts(rolls, records)
    assert all(r.outcome is not None for r in scored)
    path = tmp_path / "r.jsonl"
    R.save_rollouts(scored, path)
    assert R.load_rollouts(path) == scored


def test_score_known_completions(records):
    rolls = [
        Rollout("one", 0, "There are three. Final answer: 3", 9, "stop"),
        Rollout("one", 1, "Final answer: 4", 5, "stop"),
        Rollout("two", 0, "The right one is larger. Final answer: B", 9, "stop"),
        Rollout("two", 1, "blah", 40, "length"),
        Rollout("text", 0, "<think>2+2</think><answer>4</answer>", 12, "stop"),
        Rollout("four", 0, "x = \\boxed{0.5}", 7, "stop"),
    ]
    R.score_rollouts(rolls, records)
    assert [r.score for r in rolls] == [1.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    assert [r.outcome for r in rolls] == ["correct", "incorrect", "correct", "incorrect", "correct",
                                          "correct"]
    R.score_rollouts(rolls, records, template="r1")  # R1 template: + 0.1 * format
    assert rolls[4].score == pytest.approx(1.1) and rolls[0].score == pytest.approx(1.0)
    with pytest.raises(KeyError):
        R.score_rollouts([Rollout("nope", 0, "", 0, "stop")], records)


def test_text_only_records(flat_models):
    recs = [VLMRecord(id=str(i), question=f"What is {i} + {i}?", answer=str(2 * i)) for i in range(3)]
    rolls = _run(flat_models["qwen2_5_vl"], recs, k=2, max_new_tokens=5)
    assert len(rolls) == 6


def test_video_processor_leniency_stays_in_its_thread(monkeypatch):
    """Building an image-only processor must not relax the check for threads building others."""
    import threading

    from transformers import ProcessorMixin

    def strict(self, name, arg):  # stands in for transformers' check, which refuses None
        return "checked"

    monkeypatch.setattr(ProcessorMixin, "check_argument_for_proper_class", strict)
    inside, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def holder():
        with R._allow_missing_video_processor():
            seen["inside"] = ProcessorMixin.check_argument_for_proper_class(None, "video_processor", None)
            seen["other arg"] = ProcessorMixin.check_argument_for_proper_class(None, "tokenizer", None)
            inside.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert inside.wait(10)
    try:
        assert ProcessorMixin.check_argument_for_proper_class(None, "video_processor", None) == "checked"
    finally:
        release.set()
        t.join(10)
    assert seen == {"inside": None, "other arg": "checked"}
    assert ProcessorMixin.check_argument_for_proper_class is strict  # restored once nobody needs it
