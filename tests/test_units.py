"""Units, currency, ordinals and Unicode around numbers (issue 12, classes 4 and 8).

Every rule that widens acceptance has a test that a wrong answer of the same shape is still
rejected; the property tests render a random number with a random unit in every way the rules
read and check that the same number matches and a different one never does.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards import Outcome, check
from rlvr_rewards.parsing.normalize import normalize_unit, unicode_to_latex, units_compatible
from rlvr_rewards.parsing.values import Kind, parse_value

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def correct(completion: str, gold: str, boxed: bool = True) -> bool:
    """The answer in a box, so these tests exercise value parsing and the tiers, not extraction."""
    if boxed and "\\boxed" not in completion:
        completion = f"\\boxed{{{completion}}}"
    return check(completion, gold, timeout=5.0).outcome is Outcome.CORRECT


# ---------------------------------------------------------------- units glued, spaced, wrapped

UNIT_EQUAL = [
    ("7cm", "7"), ("3.5m", "3.5"), ("50Hz", "50"), ("8kHz", "8"), (r"36πcm^{2}", r"36\pi"),
    (r"36\pi \text{ cm}^2", r"36\pi"), (r"5\text{ feet}^2", "5"), (r"5\mbox{cm}^2", "5"),
    (r"3\mathrm{~cm}", "3"), (r"12\textnormal{ miles}", "12"), ("4 MeV", "4.0"), ("0.0387 eV", "0.0387"),
    ("12.3 m/s^2", "12.3"), ("110.3ms", "110.3"), ("-120 m/(min^2)", "-120"), ("5.93 MiB", "5.93"),
    ("500 kbps", "500"), ("179.7 N/mm^2", "179.7"), ("12mW", "12"), (r"26.02\text{ dB}", "26.02"),
    ("20μC", "20"), ("2.5 hours", "2.5"), ("0.95 cubic feet", "0.95"), ("7 square units", "7"),
    ("250 frames", "250"), ("87.97 Earth days", "87.97"), ("1 game per year", "1"), ("$6 per day", "6"),
    ("35°C", "35"), (r"30^\circ", "30"), ("x = 5 cm", "5"), ("[12, 8, 5] mW", "[12, 8, 5]"),
    ("7 cm", r"7\text{ cm}"), ("5 meters", "5 m"), ("3 in", "3"),
]


@pytest.mark.parametrize(("completion", "gold"), UNIT_EQUAL)
def test_unit_is_not_part_of_the_value(completion, gold):
    assert correct(completion, gold)


UNIT_WRONG = [
    ("7cm", "8"), ("3.5m", "3.6"), ("50Hz", "60"), (r"36πcm^{2}", r"35\pi"), (r"5\text{ feet}^2", "6"),
    ("4 MeV", "4.1"), ("12.3 m/s^2", "12"), ("5.93 MiB", "5.92"), ("250 frames", "251"),
    ("$6 per day", "7"), ("x = 5 cm", "6"), ("[12, 8, 5] mW", "[12, 8, 6]"),
]


@pytest.mark.parametrize(("completion", "gold"), UNIT_WRONG)
def test_a_unit_never_lets_a_wrong_number_through(completion, gold):
    assert not correct(completion, gold)


@pytest.mark.parametrize(
    ("completion", "gold"),
    [("7 cm", "7 m"), ("7 m", "7 cm"), ("5 kg", "5 g"), ("3 ms", "3 s"), ("5 cm^2", "5 cm"), ("2 $", "2 €"), ("100 cm", "1 m")],
)
def test_different_units_on_both_sides_are_not_equal(completion, gold):
    # documented rule: units are stripped when at most one side names one, or both name the same;
    # no conversion, so 100 cm against 1 m is also refused
    assert not correct(completion, gold)


def test_units_compatible_rule():
    assert units_compatible("", "cm") and units_compatible("cm", "") and units_compatible("cm", "cm")
    assert not units_compatible("cm", "m")
    assert units_compatible("billion*$", "")  # a scale word is not a unit


@pytest.mark.parametrize(
    "text",
    ["5 squared", "3 or 4", "2\\pi r", "5 pi", "0 as well", "2x", "x+1", "The answer 5", "5 times larger"],
)
def test_words_that_change_the_value_are_not_units(text):
    t, unit = normalize_unit(text)
    assert unit == "" and t == text.strip()


def test_squared_is_not_a_unit():
    assert not correct("5 squared", "5")


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("5米", "5", True), ("3厘米", "3", True), ("12海里", "12", True), ("5元", "5", True), ("30秒", "30", True),
        ("45度", "45", True), ("20平方米", "20", True), ("3个", "3", True),
        ("5米", "6", False), ("20平方米", "21", False), ("5米", "5 cm", False),
    ],
)
def test_cjk_units(completion, gold, ok):
    assert correct(completion, gold) is ok


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("$33,270", "33270", True), ("$33,270", "33389.35", False), (r"\$5", "5", True), ("€ 4.50", "4.5", True),
        ("US$5", "5", True), ("5 dollars", r"\$5", True), ("5 cents", r"\$5", False),
        ("$660 billion", "660", True), ("$660 billion", "660000000000", True), ("$660 billion", "661", False),
        ("3 million", "3000000", True), ("3 million", "4000000", False), ("3万", "30000", True),
    ],
)
def test_currency_and_scale_words(completion, gold, ok):
    assert correct(completion, gold) is ok


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [("21st", "21", True), ("2nd", "2", True), (r"3^{\text{rd}}", "3", True), ("4th", "4", True), (r"3^{rd}", "3", True),
     ("21st", "22", False), (r"3^{\text{rd}}", "4", False)],
)
def test_ordinals(completion, gold, ok):
    assert correct(completion, gold) is ok


# ---------------------------------------------------------------- Unicode


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [
        ("∞", r"\infty", True), ("-∞", r"-\infty", True), ("√{2}", r"\sqrt{2}", True), ("√2", r"\sqrt{2}", True),
        ("2√3", r"2\sqrt{3}", True), ("π", r"\pi", True), ("π/2", r"\frac{\pi}{2}", True),
        ("x ≤ 3", r"x \le 3", True), ("x≥3", r"x \geq 3", True), ("（1，2）", "(1,2)", True),
        ("①", "1", True), ("④", "4", True), ("３", "3", True), ("3.54 × 10⁻⁷", "3.54e-07", True),
        ("−5", "-5", True), ("x²", "x^2", True),
        ("√3", r"\sqrt{2}", False), ("∞", r"-\infty", False), ("①", "2", False), ("（1，2）", "(2,1)", False),
        ("x ≤ 3", r"x < 3", False), ("３", "4", False), ("π", "3.1415", False),
    ],
)
def test_unicode_renderings(completion, gold, ok):
    assert correct(completion, gold) is ok


def test_full_width_relation_is_read():
    assert unicode_to_latex("x＞3") == "x>3"
    v = parse_value("x＞3")
    assert v is not None and v.kind is Kind.RELATION and v.op == ">"


# ---------------------------------------------------------------- option labels before the answer


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [("(B) no", "no", True), ("(C) Thursday", "Thursday", True), ("(c) 25", "25", True), ("(A) 4 hours", "4 hours", True),
     ("(B) no", "yes", False), ("(C) Thursday", "Monday", False), ("(c) 25", "26", False)],
)
def test_option_label_before_a_stated_answer(completion, gold, ok):
    assert correct(completion, gold) is ok


# ---------------------------------------------------------------- property tests

UNITS = ["cm", "m", "km", "mm", "kg", "g", "s", "ms", "Hz", "kHz", "MeV", "eV", "V", "mW", "MiB", "bits", "feet", "miles",
         "hours", "m/s^2", "N/mm^2", "cm^2", "米", "厘米", "秒", "平方米", "元", "meters", "dollars", "units"]
PREFIX_CURRENCY = ["$", "\\$", "€", "£"]


def _number_text(n: int, places: int) -> str:
    if places == 0:
        return str(n)
    sign = "-" if n < 0 else ""
    digits = str(abs(n)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _render(num: str, unit: str, style: int) -> str:
    if style == 0:
        return f"{num}{unit}"
    if style == 1:
        return f"{num} {unit}"
    if style == 2:
        return rf"{num}\text{{ {unit}}}"
    if style == 3:
        return rf"{num}\,\mathrm{{{unit}}}"
    if style == 4:
        return rf"{num}\textnormal{{ {unit}}}"
    return rf"{num}~\mbox{{{unit}}}"


numbers = st.tuples(st.integers(-(10**6), 10**6), st.integers(0, 3))


@FAST
@given(numbers, st.sampled_from(UNITS), st.integers(0, 5), st.sampled_from(["plain", "boxed", "dollar"]))
def test_number_with_any_unit_rendering_matches_the_bare_gold(num, unit, style, wrap):
    n, places = num
    text = _number_text(n, places)
    answer = _render(text, unit, style)
    completion = {"plain": answer, "boxed": rf"\boxed{{{answer}}}", "dollar": f"${answer}$"}[wrap]
    assert correct(completion, text, boxed=wrap == "plain"), (completion, text)
    assert correct(text, answer), (text, answer)  # the unit on the gold side


@FAST
@given(numbers, st.integers(1, 10**4), st.sampled_from(UNITS), st.integers(0, 5))
def test_number_with_a_unit_never_matches_a_different_number(num, delta, unit, style):
    n, places = num
    text = _number_text(n, places)
    other = _number_text(n + delta, places)
    assert not correct(_render(text, unit, style), other)
    assert not correct(_render(other, unit, style), _render(text, unit, style))


@FAST
@given(numbers, st.sampled_from(PREFIX_CURRENCY), st.booleans())
def test_currency_before_the_number(num, sign, space):
    n, places = num
    if n < 0:
        n = -n
    text = _number_text(n, places)
    completion = f"{sign}{' ' if space else ''}{text}"
    assert correct(completion, text)
    assert not correct(completion, _number_text(n + 1, places))


@FAST
@given(numbers, st.sampled_from(["cm", "kg", "Hz", "MiB", "秒"]), st.sampled_from(["m", "g", "kHz", "KiB", "分钟"]))
def test_different_units_with_the_same_number_are_refused(num, unit_a, unit_b):
    n, places = num
    text = _number_text(n, places)
    assert not correct(f"{text} {unit_a}", f"{text} {unit_b}")


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [("根号3", r"\sqrt{3}", True), ("2根号3", r"2\sqrt{3}", True), ("3分之1", r"\frac{1}{3}", True),
     ("负3分之2", r"-\frac{2}{3}", True),
     ("根号2", r"\sqrt{3}", False), ("3分之2", r"\frac{1}{3}", False), ("负3分之2", r"\frac{2}{3}", False)],
)
def test_chinese_roots_and_fractions(completion, gold, ok):
    assert correct(completion, gold) is ok


@pytest.mark.parametrize(
    ("completion", "gold", "ok"),
    [("(d) 0.5θ^-2", "(d)", True), ("(a) Baire category theorem", "(a)", True), ("The answer is (b) Gamma.", "(b)", True),
     ("(c) 0.5θ^-2", "(d)", False), ("(b)", "(a)", False), ("(a) or (b)", "(a)", False), ("(a), (b), (c) or (d)", "(a)", False)],
)
def test_lowercase_option_label_gold(completion, gold, ok):
    assert correct(completion, gold, boxed=False) is ok


# Chinese answers: a word answer is text (gaokao_fill-107, "分层抽样" against "分层抽样." was
# "words against mathematics"), and relation words are relations.
@pytest.mark.parametrize(
    ("answer", "gold", "wrong"),
    [
        ("分层抽样", "分层抽样.", "简单随机抽样"),
        ("无解", "无解", "有两个解"),
        ("x大于2", "x>2", "x>3"),
        ("x小于等于2", "x \\le 2", "x < 2"),
        ("x大于或等于-1", "x \\geq -1", "x > -1"),
        ("x不等于0", "x \\neq 0", "x = 0"),
    ],
)
def test_chinese_words_and_relations(answer: str, gold: str, wrong: str) -> None:
    assert check(f"【答案】{answer}<eoa>", gold).correct
    assert not check(f"【答案】{answer}<eoa>", wrong).correct
    assert not check(f"【答案】{wrong}<eoa>", gold).correct


@settings(max_examples=100, deadline=None)
@given(v=st.integers(-50, 50), delta=st.integers(1, 9), word=st.sampled_from(["大于", "小于", "大于等于", "小于等于"]))
def test_chinese_relation_words_property(v: int, delta: int, word: str) -> None:
    op = {"大于": ">", "小于": "<", "大于等于": "\\ge", "小于等于": "\\le"}[word]
    assert check(f"所以答案是x{word}{v}", f"x {op} {v}").correct
    assert not check(f"所以答案是x{word}{v + delta}", f"x {op} {v}").correct
