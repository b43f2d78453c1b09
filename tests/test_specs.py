"""The spec grammar: names, numbers, unary -, ``+ - *``, ``>`` cascades and parentheses.

A table of specs with the score and outcome each gives, a table of bad specs with the error and
the column its caret points at, the named ±1 specs (``dapo``, ``verl_vlm_pm1``), and the
properties the rest of the package relies on (names, caching, ``parts``, pickling).
"""

import pickle

import pytest

from rlvr_rewards import Outcome, build, check, check_batch, list_verifiers, register_spec, registry
from rlvr_rewards.registry import UnknownVerifierError
from rlvr_rewards.verifiers.compose import Cascade, Product, Weighted, grades_gold
from rlvr_rewards.verifiers.specs import BUILTIN_SPECS, SpecError

THINK = "<think>\nI count the shapes one by one.\n</think>\n"
GOOD = THINK + "<answer>3</answer>"  # right answer, right format
WRONG = THINK + "<answer>4</answer>"  # wrong answer, right format
BOXED = r"The answer is $\boxed{3}$."  # right answer, no format
BOXED_WRONG = r"The answer is $\boxed{4}$."
DECIMAL = r"\boxed{3.0}"  # exact cannot tell, numeric can
NO_ANSWER = THINK  # no answer at all (and no format)
HEDGE = THINK + "<answer>3 or 4</answer>"
MCQ = THINK + "<answer>B</answer>"

C, I, N, B = Outcome.CORRECT, Outcome.INCORRECT, Outcome.NO_ANSWER, Outcome.BAD_GOLD  # noqa: E741

SPECS = [
    # names, aliases
    ("accuracy", GOOD, "3", 1.0, C),
    ("correctness + 0.1*think_answer_format", GOOD, "3", 1.1, C),
    # +: the outcome comes from the correctness term wherever it stands
    ("accuracy + 0.1*format", GOOD, "3", 1.1, C),
    ("0.1*format + accuracy", GOOD, "3", 1.1, C),
    ("accuracy + 0.1*format", WRONG, "3", 0.1, I),
    ("0.1*format + accuracy", WRONG, "3", 0.1, I),
    ("accuracy + 0.1*format", BOXED, "3", 1.0, C),
    ("0.1*format + accuracy", BOXED, "3", 1.0, C),
    ("accuracy + 0.1*format", GOOD, None, 0.0, B),
    ("0.1*format + accuracy", GOOD, None, 0.0, B),  # a bad gold is never a format bonus
    ("0.1*format + accuracy", NO_ANSWER, "3", 0.0, N),
    ("accuracy + 0.1*format", MCQ, "B", 1.1, C),
    # -: a negative weight; unary minus and plus
    ("accuracy - 0.5*format", GOOD, "3", 0.5, C),
    ("-0.5*format + accuracy", WRONG, "3", -0.5, I),
    ("-accuracy", GOOD, "3", -1.0, C),
    ("-accuracy", WRONG, "3", 0.0, I),
    ("+accuracy + 0.1*format", GOOD, "3", 1.1, C),
    ("accuracy - -format", GOOD, "3", 2.0, C),
    # *: a number times a term, a term times a number
    ("accuracy*0.5 + format*0.25", GOOD, "3", 0.75, C),
    ("0.5*2*accuracy", GOOD, "3", 1.0, C),
    ("1e-1*format + accuracy", GOOD, "3", 1.1, C),
    # constants
    ("accuracy + 1", WRONG, "3", 1.0, I),
    ("1 + accuracy", GOOD, "3", 2.0, C),
    ("accuracy - 1 + 1", GOOD, "3", 1.0, C),
    ("2*(accuracy + format) - 3", GOOD, "3", 1.0, C),
    ("-(accuracy - 1)", GOOD, "3", 0.0, C),
    ("-(accuracy - 1)", WRONG, "3", 1.0, I),
    # products of terms: a gate; the outcome is that of the factor that scored 0, else the
    # correctness factor's
    ("format*accuracy", GOOD, "3", 1.0, C),
    ("format*accuracy", BOXED, "3", 0.0, I),
    ("accuracy*format", BOXED, "3", 0.0, I),
    ("format*accuracy", WRONG, "3", 0.0, I),
    ("accuracy*format", WRONG, "3", 0.0, I),
    ("format*accuracy", GOOD, None, 0.0, B),  # bad gold first, as format_gated
    ("0.5*accuracy + 0.5*accuracy*format", BOXED, "3", 0.5, C),
    ("0.5*accuracy + 0.5*accuracy*format", GOOD, "3", 1.0, C),
    ("format*(accuracy + 1)", WRONG, "3", 1.0, I),
    ("(format + accuracy)*(format + accuracy)", GOOD, "3", 4.0, C),
    ("2*format*accuracy - 1", GOOD, "3", 1.0, C),
    ("2*format*accuracy - 1", WRONG, "3", -1.0, I),
    ("2*format*accuracy - 1", BOXED, "3", -1.0, I),  # right answer, wrong format: -1
    ("2*format*accuracy - 1", HEDGE, "3", -1.0, I),
    ("2*format*accuracy - 1", GOOD, "", 0.0, B),
    # >: a cascade, first decisive wins
    ("exact > numeric", DECIMAL, "3", 1.0, C),
    ("exact > numeric", BOXED_WRONG, "3", 0.0, I),
    ("exact > fraction > numeric", DECIMAL, "3", 1.0, C),
    ("(exact > fraction) > numeric", DECIMAL, "3", 1.0, C),
    ("exact > (fraction > numeric)", DECIMAL, "3", 1.0, C),
    # precedence: '>' binds looser than '+' and '*' (as in Python)
    ("exact > numeric + format", GOOD, "3", 1.0, C),  # exact > (numeric + format): exact decides
    ("(exact > numeric) + format", GOOD, "3", 2.0, C),
    ("0.5*(exact > numeric) + format", GOOD, "3", 1.5, C),
    ("format + 0.5*(exact > numeric)", WRONG, "3", 1.0, I),  # outcome from the cascade, not format
    ("accuracy + 0.5*format*2", GOOD, "3", 2.0, C),  # '*' before '+'
    ("(accuracy + 0.5*format)*2", GOOD, "3", 3.0, C),
    # named specs, alone and inside expressions
    ("r1", GOOD, "3", 1.1, C),
    ("math_format", GOOD, "3", 1.1, C),
    ("r1 - 0.1*format", GOOD, "3", 1.0, C),
    ("0.5*r1", GOOD, "3", 0.55, C),
    ("dapo", GOOD, "3", 1.0, C),
    ("dapo", WRONG, "3", -1.0, I),
    ("dapo", BOXED_WRONG, "3", -1.0, I),
    ("dapo", NO_ANSWER, "3", -1.0, N),
    ("dapo", HEDGE, "3", -1.0, I),
    ("dapo", BOXED, None, 0.0, B),
    ("dapo + 0.1*format", GOOD, "3", 1.1, C),
    ("2*accuracy - 1", BOXED, "3", 1.0, C),
    # whitespace is free, line breaks too (a folded YAML string)
    ("  accuracy+0.1 *format ", GOOD, "3", 1.1, C),
    ("accuracy\n  + 0.1*format", GOOD, "3", 1.1, C),
]


@pytest.mark.parametrize("spec, completion, gold, score, outcome", SPECS)
def test_spec_table(spec, completion, gold, score, outcome):
    v = check(completion, gold, verifier=spec)
    assert v.outcome is outcome, v.explain()
    assert v.score == pytest.approx(score), v.explain()
    assert v.reward == (None if outcome is B else pytest.approx(score))


def _caret(message):
    """(the spec line, the caret column) of an error message."""
    *_, spec_line, caret_line = message.splitlines()
    return spec_line[2:], caret_line.index("^") - 2


BAD = [
    ("accuracy / 2", "'/' is not allowed", 9),
    ("accuracy // 2", "'//' is not allowed", 9),
    ("accuracy % 2", "'%' is not allowed", 9),
    ("accuracy ** 2", r"'\*\*' is not allowed", 9),
    ("(accuracy)/2", "'/' is not allowed", 10),
    ("accuracy @ format", "'@' is not allowed", 9),
    ("accuracy | format", r"'\|' is not allowed", 9),
    ("f(accuracy)", "a call", 1),
    ("rlvr.accuracy", "must be Python identifiers", 4),
    ("accuracy[0]", "a subscript", 8),
    ("accuracy + 'format'", "a string", 11),
    ("exact < numeric", "'<' .only '>' makes a cascade", 6),
    ("exact >= numeric", "'>='", 6),
    ("exact == numeric", "'=='", 6),
    ("exact > numeric != symbolic", "'!='", 16),
    ("exact is numeric", "'is'", 6),
    ("accuracy in format", "'in'", 9),
    ("accuracy and format", "'and' is not allowed", 9),
    ("accuracy or format", "'or' is not allowed", 9),
    ("not accuracy", "'not' is not allowed", 0),
    ("~accuracy", "'~' is not allowed", 0),
    ("True * accuracy", "True is not allowed", 0),
    ("accuracy + None", "None is not allowed", 11),
    ("accuracy + 1j", "a complex number", 11),
    ("1e999*accuracy", "a number this large", 0),
    ("accuracy if format else exact", "'if … else'", 0),
    ("lambda: accuracy", "'lambda'", 0),
    ("accuracy, format", "a tuple", 0),
    ("[accuracy]", "a list", 0),
    ("{accuracy}", "a set", 0),
    ("accuracy +", "invalid syntax", 10),
    ("accuracy + * format", "invalid syntax", 11),
    ("accuracy format", "invalid syntax", 9),
    ("(accuracy", "never closed", 0),
    ("accuracy)", "unmatched", 8),
    ("1 + 2", "at least one verifier", 0),
    ("-1", "at least one verifier", 0),
    ("exact > 0.5", "a cascade step must be a verifier", 8),
    ("", "empty spec", 0),
    ("   ", "empty spec", 0),
]


@pytest.mark.parametrize("spec, message, column", BAD)
def test_bad_spec_table(spec, message, column):
    with pytest.raises(SpecError, match=message) as info:
        build(spec)
    assert isinstance(info.value, ValueError)
    shown, col = _caret(str(info.value))
    assert shown == spec.strip()
    assert col == column == info.value.column
    if "syntax" in message or "not allowed" in message:
        assert "a spec may use verifier names" in str(info.value)  # names what is allowed


def test_caret_counts_characters_not_bytes():
    with pytest.raises(SpecError) as info:
        build("accuracy + 0.1*формат / 2")
    assert _caret(str(info.value)) == ("accuracy + 0.1*формат / 2", 22)


@pytest.mark.parametrize("spec, name, column", [
    ("accuracy + 0.1*formatt", "formatt", 15),
    ("acuracy > exact", "acuracy", 0),
    ("exact > (numeric + 2*sympi)", "sympi", 21),
])
def test_unknown_name_points_at_it(spec, name, column):
    with pytest.raises(UnknownVerifierError) as info:
        build(spec)
    text = str(info.value)
    assert text.startswith(f"unknown verifier {name!r}") and "did you mean" in text and "valid choices" in text
    assert _caret(text) == (spec, column)
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_unknown_bare_name_keeps_the_plain_message():
    with pytest.raises(UnknownVerifierError) as info:
        build("acuracy")
    assert "^" not in str(info.value) and "did you mean 'accuracy'" in str(info.value)


def test_a_dash_between_names_is_subtraction():
    with pytest.raises(UnknownVerifierError, match="subtraction") as info:
        build("exact-match")
    assert _caret(str(info.value)) == ("exact-match", 6)
    assert check(GOOD, "3", verifier="accuracy-format").score == 0.0  # a - b, spaces or not


def test_a_registered_name_that_is_not_an_identifier_builds_alone():
    state = registry.snapshot()
    try:
        registry.register("my-tier.v2")(lambda sample: True)
        assert check(GOOD, "3", verifier="my-tier.v2").score == 1.0
        with pytest.raises(ValueError, match="identifiers"):  # 'my' minus 'tier.v2'
            build("accuracy + my-tier.v2")
    finally:
        registry.restore(state)


# ---------------------------------------------------------------- structure


def test_names_are_the_spec_text():
    for spec in ("accuracy + 0.1*format", "exact > numeric", "2*format*accuracy - 1", "format*accuracy",
                 "0.5*(exact > numeric) + format", "accuracy - 0.1*repetition"):
        assert build(spec).name == spec
    assert build("  accuracy + 0.1*format ").name == "accuracy + 0.1*format"
    assert build("(accuracy)") is build("accuracy")  # the shared instance, not renamed
    assert build("(accuracy)").name == "accuracy"
    assert build("dapo").name == "dapo" and build("r1").name == "r1"


def test_built_shapes():
    v = build("0.5*(exact > numeric) + format - 0.25")
    assert isinstance(v, Weighted) and v.constant == -0.25
    (w1, casc), (w2, fmt) = v.parts
    assert (w1, w2) == (0.5, 1.0) and isinstance(casc, Cascade) and fmt is build("format")
    assert [t.name for t in casc.verifiers] == ["exact", "numeric"]
    assert [t.name for t in build("(exact > fraction) > numeric").verifiers] == ["exact", "fraction", "numeric"]
    # nested sums and named sums flatten (exact); weights multiply out of products
    flat = build("accuracy + 0.5*(0.2*format + repetition) + r1")
    assert [(w, p.name) for w, p in flat.parts] == [
        (1.0, "accuracy"), (0.1, "format"), (0.5, "repetition"), (1.0, "accuracy"), (0.1, "format")]
    pm1 = build("2*format*accuracy - 1")
    ((w, prod),) = pm1.parts
    assert w == 2.0 and pm1.constant == -1.0 and isinstance(prod, Product)
    assert [f.name for f in prod.verifiers] == ["format", "accuracy"]
    ((w, prod),) = build("format*(2*accuracy)*think_format").parts
    assert w == 2.0 and [f.name for f in prod.verifiers] == ["format", "accuracy", "think_format"]
    assert build("exact > numeric + format").verifiers[1].name == "numeric + format"


def test_the_correctness_term_rule():
    assert grades_gold(build("accuracy")) and grades_gold(build("cosine")) and grades_gold(build("exact > numeric"))
    assert not grades_gold(build("format")) and not grades_gold(build("repetition"))
    assert grades_gold(build("format*accuracy")) and not grades_gold(build("format*think_format"))
    assert build("0.1*format + accuracy").main == 1 and build("accuracy + 0.1*format").main == 0
    assert build("0.1*format + repetition").main == 0  # no correctness term: the first part
    # no correctness term: the outcome is the first part's; no gold needed
    v = check(GOOD, None, verifier="0.1*format + repetition")
    assert v.outcome is C and v.score == pytest.approx(0.1)


def test_parts_are_logged():
    v = check(GOOD, "3", verifier="0.1*format + accuracy")
    assert v.parts == {"format": 1.0, "accuracy": 1.0} and v.verifier != "format"
    pm1 = check(GOOD, "3", verifier="2*format*accuracy - 1")
    assert pm1.parts == {"format*accuracy": 1.0, "format": 1.0, "accuracy": 1.0}
    gated = check(BOXED, "3", verifier="2*format*accuracy - 1")
    assert gated.parts == {"format*accuracy": 0.0, "format": 0.0}  # accuracy not evaluated


def test_subtracting_a_penalty():
    text = GOOD + " the cat sat on the mat." * 20
    rep = check(text, "3", verifier="repetition").score
    assert rep < 0  # repetition scores a penalty (<= 0): add it to penalise, subtract to reward
    v = check(text, "3", verifier="accuracy - 0.1*repetition")
    assert v.score == pytest.approx(1 - 0.1 * rep) and v.outcome is C
    assert check(text, "3", verifier="accuracy + 0.1*repetition").score == pytest.approx(1 + 0.1 * rep)


def test_product_stops_at_a_zero_factor():
    calls = []
    state = registry.snapshot()
    try:
        @registry.register("counting_probe")
        def counting_probe(sample):
            calls.append(sample.completion)
            return True

        assert check(BOXED, "3", verifier="format*counting_probe").score == 0.0
        assert calls == []
        assert check(GOOD, "3", verifier="format*counting_probe").score == 1.0
        assert calls == [GOOD]
    finally:
        registry.restore(state)


def test_build_is_cached_per_registry_generation():
    assert build("accuracy + 0.2*format") is build("accuracy + 0.2*format")
    state = registry.snapshot()
    try:
        before = build("accuracy + 0.2*format")
        register_spec("spec_cache_probe", "exact > numeric")
        assert build("accuracy + 0.2*format") is not before
    finally:
        registry.restore(state)


@pytest.mark.parametrize("spec", ["accuracy + 0.1*format", "2*format*accuracy - 1", "dapo", "exact > numeric", "r1"])
def test_built_specs_pickle(spec):
    v = build(spec)
    back = pickle.loads(pickle.dumps(v))
    assert back.name == v.name
    assert check(GOOD, "3", verifier=back).score == check(GOOD, "3", verifier=v).score


def test_batches_match_check():
    completions = [GOOD, WRONG, BOXED, BOXED_WRONG, NO_ANSWER, HEDGE, DECIMAL, r"\boxed{\sum_{k=1}^{10} k}"]
    golds = ["3"] * 7 + ["55"]
    for spec in ("2*format*accuracy - 1", "0.1*format + accuracy", "dapo", "exact > numeric + format"):
        for one, many in zip((check(c, g, verifier=spec) for c, g in zip(completions, golds)),
                             check_batch(completions, golds, verifier=spec)):
            assert (one.outcome, one.score) == (many.outcome, many.score), (spec, one.explain(), many.explain())


# ---------------------------------------------------------------- registering specs


def test_register_spec_validates_without_building():
    state = registry.snapshot()
    try:
        with pytest.raises(SpecError, match="'/'"):
            register_spec("spec_bad_op", "accuracy / 2")
        with pytest.raises(UnknownVerifierError, match="formatt"):
            register_spec("spec_bad_name", "accuracy + formatt")
        assert registry.spec_of("spec_bad_op") is None and registry.spec_of("spec_bad_name") is None
        register_spec("spec_a", "format")
        register_spec("spec_b", "spec_a + accuracy")
        assert check(GOOD, "3", verifier="spec_b").score == 2.0
        with pytest.raises(ValueError, match="refers to itself"):
            register_spec("spec_a", "spec_b")
        with pytest.raises(ValueError, match="refers to itself"):
            register_spec("spec_a", "spec_a + format")
        register_spec("spec_cascade", "exact > numeric")
        assert build("spec_cascade").name == "spec_cascade"
        assert build("spec_cascade + format").parts[0][1].name == "spec_cascade"
    finally:
        registry.restore(state)


def test_builtin_specs_are_registered():
    assert {"r1", "math_format", "dapo", "verl_vlm_pm1"} <= set(list_verifiers())
    assert BUILTIN_SPECS["dapo"] == "2*accuracy - 1"
    assert BUILTIN_SPECS["verl_vlm_pm1"] == "2*format*accuracy_judge - 1"
    assert registry.describe("dapo") == "spec: 2*accuracy - 1"


# ---------------------------------------------------------------- the ±1 recipes

PM1_INPUTS = [
    (GOOD, "3", C, 1.0),
    (WRONG, "3", I, -1.0),
    (BOXED, "3", I, -1.0),  # format failure
    (NO_ANSWER, "3", I, -1.0),  # no answer: a format failure
    (HEDGE, "3", I, -1.0),
    (GOOD, "", B, 0.0),
    (THINK + "<answer>\\frac{6}{2}</answer>", "<answer> 3 </answer>", C, 1.0),
]


@pytest.mark.parametrize("completion, gold, outcome, score", PM1_INPUTS)
def test_format_gated_as_one_string(completion, gold, outcome, score):
    spec = check(completion, gold, verifier="2*format*accuracy - 1")
    gated = check(completion, gold, verifier="format_gated")
    assert (spec.outcome, spec.score) == (outcome, score) == (gated.outcome, gated.score), spec.explain()


@pytest.mark.parametrize("completion, gold, outcome, score", [
    (GOOD, "3", C, 1.0), (WRONG, "3", I, -1.0), (BOXED_WRONG, "3", I, -1.0), (NO_ANSWER, "3", N, -1.0),
    (BOXED, "3", C, 1.0), (GOOD, None, B, 0.0),
])
def test_dapo(completion, gold, outcome, score):
    v = check(completion, gold, verifier="dapo")
    assert (v.outcome, v.score) == (outcome, score), v.explain()


@pytest.fixture
def judge_env(monkeypatch):
    """REWARD_MODEL_URL / _NAME pointing at the scripted judge; the registry (and the shared
    accuracy_judge instance bound to that server) restored afterwards."""
    pytest.importorskip("openai")
    from support.fake_server import ScriptedJudgeServer

    state = _without_shared_judge()
    with ScriptedJudgeServer() as server:
        monkeypatch.setenv("REWARD_MODEL_URL", server.url)
        monkeypatch.setenv("REWARD_MODEL_NAME", server.model)
        try:
            yield server
        finally:
            for v in registry.snapshot()[2].values():
                close = getattr(v, "close", None)
                if close is not None and v not in state[2].values():
                    close()
            registry.restore(state)


def _without_shared_judge():
    """Drop the shared accuracy_judge instance (another test may have built one bound to its own
    server); returns the registry state to restore."""
    state = registry.snapshot()
    factories, aliases, defaults, specs = state
    registry.restore((factories, aliases, {k: v for k, v in defaults.items() if k != "accuracy_judge"}, specs))
    return state


def test_verl_vlm_pm1_needs_a_judge_url_only_when_built(monkeypatch):
    monkeypatch.delenv("REWARD_MODEL_URL", raising=False)
    assert registry.spec_of("verl_vlm_pm1") == "2*format*accuracy_judge - 1"  # registered at import
    state = _without_shared_judge()
    try:
        with pytest.raises(ValueError, match="judge URL"):
            build("verl_vlm_pm1")
    finally:
        registry.restore(state)


def test_verl_vlm_pm1_with_the_judge(judge_env):
    server = judge_env
    v = build("verl_vlm_pm1")
    assert v.name == "verl_vlm_pm1"
    words = check(THINK + "<answer>three</answer>", "3", verifier=v, question="How many shapes?")
    assert (words.outcome, words.score, words.verifier) == (C, 1.0, "judge")  # the judge where the rules say no
    wrong = check(THINK + "<answer>five</answer>", "3", verifier=v)
    assert (wrong.outcome, wrong.score) == (I, -1.0)
    asked = len(server.requests)
    for completion, gold, outcome, score in PM1_INPUTS:
        got = check(completion, gold, verifier=v)
        assert (got.outcome, got.score) == (outcome, score), got.explain()
    # format failures, hedges, rules-correct answers and bad golds never reach the judge; only
    # WRONG (rules: incorrect) was asked
    assert len(server.requests) == asked + 1
    batch = check_batch([THINK + "<answer>three</answer>", THINK + "<answer>five</answer>", "three"], "3", verifier=v)
    assert [b.score for b in batch] == [1.0, -1.0, -1.0]
    from rlvr_rewards.judge.verifier import judge_verifiers

    assert [j.name for j in judge_verifiers(v)] == ["accuracy_judge"]
    # the same scores as the registered verl_vlm verifier
    vlm = build("verl_vlm", url=server.url, model=server.model)
    try:
        for completion in (GOOD, WRONG, BOXED, THINK + "<answer>three</answer>"):
            a, b = check(completion, "3", verifier=v), check(completion, "3", verifier=vlm)
            assert (a.outcome, a.score) == (b.outcome, b.score)
    finally:
        vlm.close()
