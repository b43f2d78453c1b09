"""Property-based tests: self-consistency across renderings, and never raising on any input."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rlvr_rewards import Outcome, check, check_batch, grade

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIMEOUT = 2.0  # hard per-call deadline: arbitrary text must not stall the suite

integers = st.integers(min_value=-(10**30), max_value=10**30)


def completion_renderings(s: str) -> list[str]:
    return [s, rf"\boxed{{{s}}}", f"${s}$", f"The answer is {s}.", f"<answer>{s}</answer>"]


def gold_renderings(s: str) -> list[str]:
    return [s, rf"\boxed{{{s}}}", f"${s}$", f"<answer>{s}</answer>", rf"\[{s}\]"]


def exact_decimal(q: Fraction) -> str | None:
    """The exact decimal of ``q`` when it terminates, else None."""
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    k = 0
    while (q * 10**k).denominator != 1:
        k += 1
    digits = str(abs((q * 10**k).numerator)).rjust(k + 1, "0")
    text = f"{digits[:-k]}.{digits[-k:]}" if k else digits
    return ("-" if q < 0 else "") + text


def _assert_correct(completion, gold) -> None:
    v = check(completion, gold, timeout=TIMEOUT * 5)
    assert v.outcome is Outcome.CORRECT, v.explain()
    assert v.score == 1.0


@FAST
@given(integers)
def test_integer_against_itself(n):
    s = str(n)
    for completion in completion_renderings(s):
        for gold in [*gold_renderings(s), n]:
            _assert_correct(completion, gold)


@FAST
@given(st.integers(-1000, 1000), st.integers(1, 1000))
def test_fraction_against_itself(p, q):
    value = Fraction(p, q)
    forms = [rf"\frac{{{p}}}{{{q}}}", f"{p}/{q}"]
    if value.denominator == 1:
        forms.append(str(value.numerator))
    decimal = exact_decimal(value)
    if decimal is not None:
        forms.append(decimal)
    for a in forms:
        for b in forms:
            _assert_correct(rf"\boxed{{{a}}}", b)
            _assert_correct(f"The answer is ${a}$.", b)
    _assert_correct(rf"\boxed{{{forms[0]}}}", value)  # a Fraction gold


@FAST
@given(integers, st.integers(-(10**6), 10**6).filter(bool))
def test_different_integers_are_incorrect(a, delta):
    b = a + delta
    for completion in (str(a), rf"\boxed{{{a}}}", f"The answer is {a}."):
        v = check(completion, str(b))
        assert v.outcome is Outcome.INCORRECT, v.explain()
        assert v.score == 0.0
    assert grade(rf"\boxed{{{a}}}", b) == 0.0


@FAST
@given(
    st.integers(-1000, 1000), st.integers(1, 1000), st.integers(-1000, 1000), st.integers(1, 1000)
)
def test_different_fractions_are_incorrect(p, q, r, s):
    assume(Fraction(p, q) != Fraction(r, s))
    v = check(rf"\boxed{{\frac{{{p}}}{{{q}}}}}", f"{r}/{s}")
    assert v.outcome is Outcome.INCORRECT, v.explain()


def _assert_sane(v) -> None:
    assert isinstance(v.outcome, Outcome)
    assert 0.0 <= v.score <= 1.0
    assert isinstance(v.explain(), str)


@SLOW
@given(st.text(max_size=300))
def test_arbitrary_text_as_completion(text):
    _assert_sane(check(text, "3", timeout=TIMEOUT))
    _assert_sane(check(text, "B", timeout=TIMEOUT))


@SLOW
@given(st.text(max_size=300))
def test_arbitrary_text_as_gold(text):
    v = check(r"The answer is \boxed{3}.", text, timeout=TIMEOUT)
    _assert_sane(v)


@SLOW
@given(st.text(max_size=200), st.text(max_size=200))
def test_arbitrary_text_both_sides(completion, gold):
    _assert_sane(check(completion, gold, timeout=TIMEOUT))


LATEX_TOKENS = [
    *"0123456789+-*/^_{}()[]<>=,.|!$ xyzABCD\\",
    r"\frac",
    r"\boxed",
    r"\sqrt",
    r"\pi",
    r"\text",
    " or ",
    r"\infty",
]
LATEXISH = st.lists(st.sampled_from(LATEX_TOKENS), max_size=40).map("".join)


@SLOW
@given(LATEXISH, LATEXISH)
def test_latexish_noise_never_raises(completion, gold):
    _assert_sane(check(completion, gold, timeout=TIMEOUT))
    _assert_sane(check(rf"\boxed{{{completion}}}", gold, timeout=TIMEOUT))


ODD = st.one_of(
    st.none(),
    st.binary(max_size=100),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.fractions(max_denominator=1000),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=5),
    st.tuples(st.text(max_size=10)),
    st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=3),
    st.text(max_size=50),
)


@SLOW
@given(ODD, ODD)
def test_odd_input_types_never_raise(completion, gold):
    v = check(completion, gold, timeout=TIMEOUT)
    _assert_sane(v)
    assert v.outcome is not Outcome.ERROR, v.explain()
    assert 0.0 <= grade(completion, gold, timeout=TIMEOUT) <= 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(ODD, ODD), max_size=8))
def test_odd_batches_never_raise(pairs):
    completions = [c for c, _ in pairs]
    golds = [g for _, g in pairs]
    verdicts = check_batch(completions, golds, timeout=TIMEOUT)
    assert len(verdicts) == len(pairs)
    for v in verdicts:
        _assert_sane(v)


CHEAP = (
    "exact > numeric > fraction > latex"  # no deadline-dependent tier: outcomes are deterministic
)
POOL_COMPLETIONS = [
    r"\boxed{3}",
    "The answer is 3.",
    r"\boxed{3.0}",
    r"\boxed{4}",
    r"\boxed{\frac{6}{2}}",
    r"\boxed{3 \text{ or } 4}",
    "<answer>3</answer>",
    "<answer></answer>",
    "The answer is (B).",
    r"\boxed{B}",
    "no answer\n" * 3,
    r"\boxed{(1,2)}",
]
POOL_GOLDS = ["3", 3, "B", None, "(1,2)", "[1,2]", r"\frac{1}{", ["3", "4"]]


@FAST
@given(
    st.lists(
        st.tuples(st.sampled_from(POOL_COMPLETIONS) | LATEXISH, st.sampled_from(POOL_GOLDS)),
        max_size=12,
    )
)
def test_grade_batch_equals_check(pairs):
    completions = [c for c, _ in pairs]
    golds = [g for _, g in pairs]
    verdicts = check_batch(completions, golds, verifier=CHEAP)
    assert len(verdicts) == len(pairs)
    for (c, g), v in zip(pairs, verdicts):
        single = check(c, g, verifier=CHEAP)
        assert (v.outcome, v.score, v.answer) == (single.outcome, single.score, single.answer), (
            c,
            g,
        )


@FAST
@given(st.text(max_size=300))
def test_bad_gold_never_scores(completion):
    for gold in (None, "", r"\frac{1}{"):
        v = check(completion, gold)
        assert v.outcome is Outcome.BAD_GOLD, v.explain()
        assert v.score == 0.0
