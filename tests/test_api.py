"""Public API: registry, composition, batches, async twins, Verdict helpers, lazy imports."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import uuid

import pytest

import rlvr_rewards
from rlvr_rewards import (
    Decision,
    Outcome,
    Verdict,
    Verifier,
    build,
    check,
    check_batch,
    check_groups,
    grade,
    list_verifiers,
    register,
    register_spec,
)
from rlvr_rewards.api import acheck, agrade
from rlvr_rewards.verifiers import create_verifier, get_verifier
from rlvr_rewards.verifiers.compose import Cascade, Weighted

BUILTINS = (
    "accuracy",
    "exact",
    "format",
    "fraction",
    "latex",
    "math",
    "mcq",
    "numeric",
    "symbolic",
)


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _run_py(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---------------------------------------------------------------- registry


def test_list_verifiers_has_builtins():
    names = list_verifiers()
    assert names == sorted(names)
    for name in BUILTINS:
        assert name in names


def test_register_class_verifier(fresh_registry):
    name = _name("short_answer")

    @register(name)
    class ShortAnswer(Verifier):
        needs_gold = False
        needs_answer = False

        def decide(self, sample):
            ok = len(sample.completion) < 10
            return Decision(Outcome.CORRECT if ok else Outcome.INCORRECT, 1.0 if ok else 0.0)

    assert ShortAnswer.name == name  # filled in from the registered name
    assert name in list_verifiers()
    assert isinstance(create_verifier(name), ShortAnswer)
    v = check("short", None, verifier=name)
    assert v.outcome is Outcome.CORRECT and v.score == 1.0 and v.verifier == name
    assert check("this one is far too long", None, verifier=name).score == 0.0


def test_register_function_verifier(fresh_registry):
    name = _name("is_42")

    @register(name)
    def is_42(sample):
        return sample.extraction.answer == "42"

    assert name in list_verifiers()
    v = check(r"\boxed{42}", "1", verifier=name)
    assert v.outcome is Outcome.CORRECT and v.verifier == name
    assert check(r"\boxed{41}", "1", verifier=name).outcome is Outcome.INCORRECT
    # the shared gates still apply to function verifiers
    assert check(r"\boxed{42}", None, verifier=name).outcome is Outcome.BAD_GOLD
    assert check("", "1", verifier=name).outcome is Outcome.NO_ANSWER


def test_function_verifier_float_result_is_clamped(fresh_registry):
    name = _name("half")
    register(name)(lambda sample: 7.5)
    assert check(r"\boxed{1}", "1", verifier=name).score == 1.0
    name2 = _name("neg")
    register(name2)(lambda sample: -3)
    assert check(r"\boxed{1}", "1", verifier=name2).score == 0.0


def test_duplicate_name_raises(fresh_registry):
    name = _name("dup")
    register(name)(lambda sample: True)
    with pytest.raises(ValueError):
        register(name)(lambda sample: False)
    with pytest.raises(ValueError):
        register("exact")(lambda sample: True)
    # replace=True is the explicit way to override
    register(name, replace=True)(lambda sample: False)
    assert check(r"\boxed{1}", "1", verifier=name).score == 0.0


def test_register_rejects_non_verifier_class(fresh_registry):
    with pytest.raises(TypeError):
        register(_name("bad"))(type("NotAVerifier", (), {}))


def test_create_and_get_verifier():
    assert get_verifier("exact") is get_verifier("exact")
    assert create_verifier("exact") is not create_verifier("exact")
    assert get_verifier("sympy") is get_verifier("symbolic")  # alias
    assert get_verifier("auto") is get_verifier("accuracy")
    with pytest.raises(KeyError):
        create_verifier("no_such_verifier")
    with pytest.raises(KeyError):
        get_verifier("no_such_verifier")


def test_unknown_verifier_in_check_raises_like_grade_batch():
    # configuration, not data: raised at once (a ValueError naming the valid choices), as check_batch does
    from rlvr_rewards import check_batch

    for call in (lambda: check(r"\boxed{3}", "3", verifier="acuracy"),
                 lambda: grade(r"\boxed{3}", "3", verifier="acuracy"),
                 lambda: check_batch([r"\boxed{3}"], "3", verifier="acuracy")):
        with pytest.raises(ValueError, match="acuracy") as info:
            call()
        assert "did you mean 'accuracy'" in str(info.value) and "valid choices" in str(info.value)


# ---------------------------------------------------------------- composition

R1_GOOD = "<think>3 is prime</think><answer>3</answer>"


def test_build_cascade():
    v = build("exact > numeric")
    assert isinstance(v, Cascade)
    assert [t.name for t in v.verifiers] == ["exact", "numeric"]
    verdict = check(r"\boxed{3.0}", "3", verifier=v)
    assert verdict.outcome is Outcome.CORRECT and verdict.verifier == "numeric"
    assert check(r"\boxed{3}", "3", verifier="exact > numeric").verifier == "exact"
    assert check(r"\boxed{4}", "3", verifier="exact > numeric").outcome is Outcome.INCORRECT
    # a list is a cascade too
    assert check(r"\boxed{3.0}", "3", verifier=["exact", "numeric"]).score == 1.0


def test_weighted_accuracy_plus_format():
    v = build("accuracy + 0.1*format")
    assert isinstance(v, Weighted)
    verdict = check(R1_GOOD, "3", verifier="accuracy + 0.1*format")
    assert verdict.outcome is Outcome.CORRECT
    assert verdict.score == pytest.approx(1.1)
    assert verdict.parts == {"accuracy": 1.0, "format": 1.0}
    wrong = check("<think>x</think><answer>4</answer>", "3", verifier="accuracy + 0.1*format")
    assert wrong.outcome is Outcome.INCORRECT
    assert wrong.score == pytest.approx(0.1)
    unformatted = check(r"\boxed{3}", "3", verifier="accuracy + 0.1*format")
    assert unformatted.score == pytest.approx(1.0)
    assert unformatted.parts == {"accuracy": 1.0, "format": 0.0}


def test_named_spec_r1():
    verdict = check(R1_GOOD, "3", verifier="r1")
    assert verdict.score == pytest.approx(1.1)
    assert verdict.parts == {"accuracy": 1.0, "format": 1.0}


def test_weighted_bad_gold_scores_zero_not_the_format_bonus():
    verdict = check(R1_GOOD, None, verifier="r1")
    assert verdict.outcome is Outcome.BAD_GOLD
    assert verdict.score == 0.0
    assert verdict.reward is None


def test_register_spec_composite(fresh_registry):
    name = _name("spec")
    register_spec(name, "exact > numeric")
    assert check(r"\boxed{3.0}", "3", verifier=name).score == 1.0
    with pytest.raises(KeyError):
        register_spec(_name("broken"), "exact > no_such_verifier")


def test_register_spec_single_name_keeps_builtin_name():
    proc = _run_py(
        """
        from rlvr_rewards import check, register_spec
        from rlvr_rewards.verifiers import get_verifier
        register_spec("strict_alias", "exact")
        check(r"\\boxed{3}", "3", verifier="strict_alias")
        print(get_verifier("exact").name)
        print(check(r"\\boxed{3}", "3", verifier="exact").verifier)
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["exact", "exact"]


# ---------------------------------------------------------------- batches

BATCH = [
    (r"\boxed{3}", "3"),
    (r"So the answer is \boxed{3}.", "3"),
    (r"\boxed{3}", "3"),
    (r"\boxed{4}", "3"),
    ("no answer here\n" * 10, "3"),
    (r"\boxed{3 \text{ or } 4}", "3"),
    (r"\boxed{3}", None),  # bad gold in the batch
    (r"\boxed{3}", r"\frac{1}{"),
    (r"\boxed{(-\infty,-5)}", "k<-5"),  # needs the symbolic tier
    (r"\boxed{\sum_{k=1}^{10} k}", "55"),
    (r"\boxed{\sum_{k=1}^{10} k}", "56"),
    ("The answer is (B).", "B"),
    ("it is not B, the answer is D", "B"),
    (r"\boxed{\dfrac{\pi}{2}}", "pi/2"),
    (R1_GOOD, "3"),
    (b"\\boxed{3}", 3),
]


def _same(a: Verdict, b: Verdict) -> None:
    assert a.outcome is b.outcome, (a.explain(), b.explain())
    assert a.score == b.score, (a.explain(), b.explain())
    assert a.answer == b.answer


@pytest.mark.parametrize("dedupe", [True, False])
def test_grade_batch_matches_check(dedupe):
    completions = [c for c, _ in BATCH]
    golds = [g for _, g in BATCH]
    verdicts = check_batch(completions, golds, dedupe=dedupe)
    assert len(verdicts) == len(BATCH)
    for (c, g), v in zip(BATCH, verdicts):
        _same(v, check(c, g))
    assert verdicts[6].outcome is Outcome.BAD_GOLD and verdicts[6].reward is None


def test_grade_batch_grpo_group_with_duplicates():
    group = (
        [r"\boxed{3}"] * 4 + [r"\boxed{4}"] * 3 + ["The answer is 3.", r"\boxed{3 \text{ or } 4}"]
    )
    verdicts = check_batch(group, "3")  # a single gold is broadcast
    assert [v.score for v in verdicts] == [1.0] * 4 + [0.0] * 3 + [1.0, 0.0]
    for c, v in zip(group, verdicts):
        _same(v, check(c, "3"))


@pytest.mark.parametrize(
    "completions",
    [["Value $x$, pick (B)", "Value $x$, pick (C)"], [r"\boxed{3}", "$3$ (B)"]],
)
def test_grade_batch_dedupe_keeps_mcq_tail_letter_apart(completions):
    verdicts = check_batch(completions, ["B", "B"])
    for c, v in zip(completions, verdicts):
        _same(v, check(c, "B"))


def test_grade_batch_with_composed_verifier():
    completions = [R1_GOOD, r"\boxed{3}", "<think>x</think><answer>4</answer>", R1_GOOD]
    golds = ["3", "3", "3", None]
    verdicts = check_batch(completions, golds, verifier="r1")
    for c, g, v in zip(completions, golds, verdicts):
        _same(v, check(c, g, verifier="r1"))
        assert v.parts == check(c, g, verifier="r1").parts


def test_grade_batch_mcq_options():
    options = [["Paris", "London"], ["Paris", "London"], None]
    verdicts = check_batch(
        [r"\boxed{London}", r"\boxed{Paris}", r"\boxed{B}"], ["B", "B", "B"], options=options
    )
    assert [v.score for v in verdicts] == [1.0, 0.0, 1.0]


def test_grade_batch_empty():
    assert check_batch([], []) == []


def test_grade_groups():
    out = check_groups([[r"\boxed{3}", r"\boxed{4}"], [r"\boxed{B}"]], ["3", "B"])
    assert [[v.score for v in g] for g in out] == [[1.0, 0.0], [1.0]]


# ---------------------------------------------------------------- async


def test_acheck_and_agrade_in_asyncio_run():
    async def main():
        v = await acheck(r"\boxed{3}", "3")
        s = await agrade(r"\boxed{4}", "3")
        many = await asyncio.gather(*[agrade(rf"\boxed{{{i}}}", str(i)) for i in range(8)])
        sym = await acheck(r"\boxed{(-\infty,-5)}", "k<-5")
        return v, s, many, sym

    v, s, many, sym = asyncio.run(main())
    assert v.outcome is Outcome.CORRECT
    assert s == 0.0
    assert many == [1.0] * 8
    assert sym.outcome is Outcome.CORRECT


# ---------------------------------------------------------------- Verdict


def test_explain_mentions_outcome_answer_gold():
    v = check(r"The answer is \boxed{41}.", "42")
    text = v.explain()
    assert "incorrect" in text
    assert "41" in text
    assert "42" in text
    assert isinstance(v.to_dict()["outcome"], str)


def test_explain_for_bad_gold_and_parts():
    text = check(r"\boxed{3}", None).explain()
    assert "bad_gold" in text
    text = check(R1_GOOD, "3", verifier="r1").explain()
    assert "format" in text and "accuracy" in text


def test_reward_property():
    assert check(r"\boxed{3}", None).reward is None
    assert check(r"\boxed{3}", "3").reward == 1.0
    assert check(r"\boxed{4}", "3").reward == 0.0
    assert check("", "3").reward == 0.0
    assert check(r"\boxed{3}", "3").correct


def test_grade_and_check_never_raise_on_odd_inputs():
    for completion in (
        None,
        3,
        3.5,
        b"\xff\xfe",
        ["x", r"\boxed{3}"],
        {"content": r"\boxed{3}"},
        object(),
    ):
        for gold in (None, 3, "3", b"3", object(), {"a": 1}, float("inf")):
            v = check(completion, gold)
            assert isinstance(v.outcome, Outcome)
            assert 0.0 <= v.score <= 1.0
            assert 0.0 <= grade(completion, gold) <= 1.0


# ---------------------------------------------------------------- lazy imports

HEAVY = ("sympy", "mpmath", "math_verify", "numpy")


def test_import_does_not_load_heavy_modules():
    proc = _run_py(
        f"""
        import json, sys
        import rlvr_rewards
        print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_cheap_grading_does_not_load_heavy_modules():
    proc = _run_py(
        f"""
        import json, sys
        import rlvr_rewards
        assert rlvr_rewards.grade(r"\\boxed{{3}}", "3") == 1.0
        assert rlvr_rewards.grade(r"\\boxed{{\\frac{{1}}{{2}}}}", "0.5") == 1.0
        print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_public_names_resolve():
    for name in rlvr_rewards.__all__:
        assert getattr(rlvr_rewards, name) is not None
    with pytest.raises(AttributeError):
        rlvr_rewards.no_such_name  # noqa: B018
