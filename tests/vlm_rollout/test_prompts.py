import pytest

from rlvr_rewards.vlm import prompts
from rlvr_rewards.vlm.records import VLMRecord

IMG = object()  # prompts never look at the images, only count them


def rec(question="What is 2+2?", n=1, options=None, answer="4", fmt=None):
    return VLMRecord(id="x", question=question, answer=answer, images=[IMG] * n, options=options,
                     format=fmt)


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("template", ["final_answer", "r1", "clevr", "Q: {question}{options} A:"])
def test_placeholder_counts(n, template):
    r = rec(n=n)
    msgs = prompts.build_messages(r, template)
    user = msgs[-1]
    assert user["role"] == "user"
    assert [c["type"] for c in user["content"]] == ["image"] * n + ["text"]
    assert prompts.render(r, template, "trl") == {"prompt": msgs}
    verl = prompts.render(r, template, "verl")["prompt"][-1]["content"]
    swift = prompts.render(r, template, "swift")["messages"][-1]["content"]
    assert verl == swift
    assert verl.count("<image>") == n and verl.startswith("<image>" * n)
    assert "What is 2+2?" in verl


def test_geometry3k_tags_are_kept_not_duplicated():
    r = rec(question="<image>Find x. Round to the nearest tenth.", n=1)
    verl = prompts.render(r, "final_answer", "verl")["prompt"][0]["content"]
    assert verl.count("<image>") == 1 and verl.startswith("<image>Find x.")
    swift = prompts.render(r, "r1", "swift")["messages"]
    assert swift[-1]["content"].count("<image>") == 1
    text = prompts.build_messages(r)[0]["content"][-1]["text"]
    assert "<image>" not in text and text.startswith("Find x.")
    # tags that do not match the image count are replaced by one per image
    r2 = rec(question="<image>Compare the figures.", n=2)
    assert prompts.render(r2, "clevr", "verl")["prompt"][0]["content"].count("<image>") == 2


def test_templates():
    assert set(prompts.TEMPLATES) >= {"final_answer", "r1", "clevr"}
    r = rec(question="How many objects?")
    fa = prompts.build_messages(r, "final_answer")[0]["content"][-1]["text"]
    assert fa.startswith("How many objects?") and "Final answer:" in fa
    r1 = prompts.build_messages(r, "r1")
    assert r1[0]["role"] == "system" and "<think>" in r1[0]["content"][0]["text"]
    assert prompts.render(r, "r1", "verl")["prompt"][0] == {"role": "system",
                                                           "content": prompts.R1_SYSTEM_PROMPT}
    clevr = prompts.build_messages(r, "clevr")[0]["content"][-1]["text"]
    assert clevr == ("How many objects? Output the thinking process in <think> </think> and final "
                     "answer (number) in <answer> </answer> tags.")
    opts = prompts.build_messages(rec(options=["3", "4"]), "{question}{options}")
    assert opts[0]["content"][-1]["text"] == "What is 2+2?\nOptions:\nA. 3\nB. 4"
    with pytest.raises(ValueError):
        prompts.build_messages(r, "no_such_template")
    with pytest.raises(ValueError):
        prompts.render(r, "r1", "openrlhf")


def test_reward_spec():
    assert prompts.reward_spec(["choice", "choice"]) == "mcq"
    assert prompts.reward_spec(["multiple-choice"]) == "mcq"
    assert prompts.reward_spec(["number", "choice"]) == "accuracy"
    assert prompts.reward_spec(["number"], template="r1") == "accuracy + 0.1*format"
    assert prompts.reward_spec(["number"], template="clevr") == "accuracy + 0.1*format"
    assert prompts.reward_spec(["choice"], template="r1") == "mcq + 0.1*format"
    assert prompts.reward_spec(rec(answer="B", options=["x", "y"])) == "mcq"
    assert prompts.reward_spec(rec(answer="B", fmt="multiple-choice")) == "mcq"
    assert prompts.reward_spec(rec(answer="12")) == "accuracy"
    assert prompts.reward_spec(rec(answer="12"), template="r1") == "accuracy + 0.1*format"
