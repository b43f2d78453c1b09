"""Rollout tests need the ``vlm`` extra (torch, transformers, tokenizers, pillow); without it
they skip cleanly (the prompt tests need none of it and always run). Models are tiny and random,
built locally (no downloads)."""

import pytest

from rlvr_rewards.vlm.records import VLMRecord

VLM_DEPS = ("torch", "transformers", "tokenizers", "PIL")


def importorskip_vlm():
    for name in VLM_DEPS:
        pytest.importorskip(name)
    from rlvr_rewards import testing as tiny

    return tiny


def _builders():
    tiny = importorskip_vlm()
    return {"qwen2_5_vl": tiny.build_tiny_qwen2_5_vl, "idefics3": tiny.build_tiny_idefics3}


@pytest.fixture(scope="session")
def flat_models(tmp_path_factory):
    """Paths of tiny models whose LM head is zero: sampling is uniform over a ~80-token
    vocabulary, so the end-of-sequence token comes up about once in 75 steps."""
    out = {}
    for name, build in _builders().items():
        path = tmp_path_factory.mktemp(f"flat_{name}")
        build(path, vocab_size=80, flat_logits=True)
        out[name] = str(path)
    return out


@pytest.fixture(scope="session")
def random_models(tmp_path_factory):
    """Paths of tiny models with ordinary random weights."""
    out = {}
    for name, build in _builders().items():
        path = tmp_path_factory.mktemp(f"rand_{name}")
        build(path, seed=1)
        out[name] = str(path)
    return out


@pytest.fixture(scope="session")
def records():
    tiny = importorskip_vlm()
    imgs = tiny.random_images(4, seed=3)
    return [
        VLMRecord(id="one", question="How many cubes are there?", answer="3", images=[imgs[0]]),
        VLMRecord(id="two", question="<image><image>Compare the two figures. Which is larger?",
                  answer="B", images=[imgs[1], imgs[2]], options=["left", "right"],
                  format="multiple-choice"),
        VLMRecord(id="text", question="What is 2 + 2?", answer="4"),
        VLMRecord(id="four", question="Find x in the triangle, a much longer question than others.",
                  answer="\\frac{1}{2}", images=[imgs[3]]),
    ]
