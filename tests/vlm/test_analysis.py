"""Answer types, statistics, warnings, pass@k and rollout scoring."""

import pytest

pytest.importorskip("PIL")
pytest.importorskip("matplotlib")

from rlvr_rewards.vlm.analysis import (  # noqa: E402
    analyze,
    answer_type,
    latex_blocks,
    pass_at_k,
    plot,
    rollout_metrics,
    score_rollouts,
)
from rlvr_rewards.vlm.records import Rollout, VLMRecord  # noqa: E402
from rlvr_rewards.vlm.synthetic import generate  # noqa: E402


@pytest.mark.parametrize("gold,kind", [
    ("3", "number"), ("-2.5", "number"), ("7,425,000", "number"), ("45°", "number"), ("\\[12\\]", "number"),
    ("\\frac{1}{2}", "fraction"), ("3/4", "fraction"), ("$\\dfrac{3}{4}$", "fraction"),
    ("x^2+1", "latex"), ("\\sqrt{3}", "latex"), ("2\\pi", "latex"), ("\\[\\frac{\\pi}{2}\\]", "latex"),
    ("(1, 2)", "interval/set/tuple"), ("[0, \\infty)", "interval/set/tuple"), ("\\{1,2\\}", "interval/set/tuple"),
    ("B", "choice"), ("(C)", "choice"), ("red", "text"), ("<answer> 3 </answer>", "number"),
])
def test_answer_type(gold, kind):
    assert answer_type(gold) == kind


def test_latex_blocks():
    assert latex_blocks("Let $x$ be \\[x^2\\] and $$y$$ and \\(z\\)") == 4


def test_pass_at_k():
    assert pass_at_k(4, 0, 1) == 0.0 and pass_at_k(4, 4, 4) == 1.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(1 - 3 / 6)


def test_analyze_counts_images_and_warnings(tmp_path):
    from PIL import Image

    recs = generate(12)
    recs += [VLMRecord(id=f"x{i}", question="What is $1+1$?", answer="2", images=[Image.new("L", (10, 20))],
                       domain="counting", format="free-form") for i in range(20)]
    recs.append(VLMRecord(id="bad", question="?", answer="", domain="counting", format="free-form"))
    st = analyze(recs, tokenizer=lambda s: s.split())
    assert st["n_records"] == 33 and st["domains"]["counting"] == 25
    assert st["image_modes"] == {"RGB": 12, "L": 20}
    assert st["latex_blocks"]["question"]["records_with_any"] == 20
    assert st["question_tokens"]["n"] == 33
    assert st["images_per_record_counts"] == {"0": 1, "1": 32}
    w = "\n".join(st["warnings"])
    assert "dominant domain: 'counting'" in w and "no image" in w and "bad_gold" in w
    plots = plot(st, tmp_path)
    assert {"domains", "answer_types", "lengths", "images"} <= set(plots) and all(p.stat().st_size > 1000 for p in plots.values())


def test_score_rollouts_and_metrics():
    recs = generate(6)
    ros = []
    for r in recs:
        ros.append(Rollout(r.id, 0, f"\\boxed{{{r.answer}}}", 3, "stop"))
        ros.append(Rollout(r.id, 1, "I do not know", 4, "length"))
    # the MCQ option text counts as the letter
    mcq = next(r for r in recs if r.options)
    ros.append(Rollout(mcq.id, 2, f"The answer is {mcq.options['ABCD'.index(mcq.answer)]}", 5, "stop"))
    score_rollouts(ros, recs)
    assert [ro.score for ro in ros[:2]] == [1.0, 0.0] and ros[-1].score == 1.0
    m = rollout_metrics(ros, recs, k=2)
    assert m["overall"]["pass@2"] == 1.0 and m["overall"]["pass@1"] == pytest.approx((5 * 0.5 + 2 / 3) / 6)
    assert set(m["by_domain"]) == {"counting", "charts", "geometry"} and "choice" in m["by_answer_type"]
