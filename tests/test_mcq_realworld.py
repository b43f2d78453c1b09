"""Multiple-choice answers as real models write them (issue 12, class 9, and the MCQ soundness rules).

Every rule that widens what is accepted has a test that the same shape naming another option is
still rejected. The examples are our own, written after the phrasings seen in MathVista /
MATH-Vision evaluation logs; none is a row of the dev sets.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import check
from rlvr_rewards.verdict import Outcome
from rlvr_rewards.verifiers.mcq import gold_letter
from rlvr_rewards.verifiers.mcq_extract import CONTRA, HEDGE, read_answer, search_text

YES_NO = ["Yes", "No"]
ANGLES = ["20°", "15°", "10°", "5°"]


def ok(completion, gold, options=None, verifier="accuracy"):
    v = check(completion, gold, options=options, verifier=verifier)
    assert v.outcome is Outcome.CORRECT, v.explain()
    assert v.score == 1.0
    return v


def rejected(completion, gold, options=None, verifier="accuracy"):
    v = check(completion, gold, options=options, verifier=verifier)
    assert v.outcome is not Outcome.CORRECT, v.explain()
    assert v.score == 0.0
    return v


def only(completion, letter, options=None, letters="ABCD"):
    """``completion`` chooses ``letter`` and no other option."""
    ok(completion, letter, options)
    for other in letters:
        if other != letter:
            rejected(completion, other, options)


# ---------------------------------------------------------------- phrasings (issue 12, class 9)


@pytest.mark.parametrize(
    ("completion", "letter", "options"),
    [
        ("So the spring is not long enough.\n\nThus, the answer is B (no).", "B", ["yes", "no"]),
        ("Thus, the answer is D (xenacanthus).", "D", ["chinlea", "arganodus", "semionotus", "xenacanthus"]),
        ("The correct answer is (C): 10°.", "C", ANGLES),
        ("(A) Yes.", "A", YES_NO),
        ("(A) Yes. There are fewer red cubes than blue balls.", "A", YES_NO),
        ("B) no", "B", ["yes", "no"]),
        ("The answer is (A) 3.", "A", ["3", "4", "5", "6"]),
        ("The answer to your question is (B) No.</s>", "B", YES_NO),
        ("The correct option letter is A.", "A", YES_NO),
        ("So the correct option is (D) 8.", "D", ["15", "13", "11", "8"]),
        ("It is C, \"no.\" The colours do not overlap.", None, None),  # no cue, not a lead: no letter
        ("The answer is option C.", "C", None),
        ("Checking each one, C is correct.", "C", None),
        ("So C is the answer.", "C", None),
        ("All things considered: therefore, C.", "C", None),
        ("The answer is [B].", "B", None),
        ("[D]", "D", None),
        ("So (B) is the right choice here.", "B", None),
        ("Therefore the only option that fits is (B) 96, since 96 = 5·20 - 4.", "B", ["95", "96", "97", "98"]),
    ],
)
def test_letter_phrasings(completion, letter, options):
    if letter is None:
        for gold in "ABCD":
            rejected(completion, gold, options)
        return
    only(completion, letter, options, letters="ABCD"[: max(2, len(options or "ABCD"))])


@pytest.mark.parametrize(
    ("completion", "letter"),
    [
        ("所以△ABC的周长为2。\n\n答案:B", "B"),
        ("答案：C", "C"),
        ("因此，答案是 (C) 27°。", "C"),
        ("综上所述，故选D", "D"),
        ("答案为A", "A"),
        ("所以∠MPB = 80°，选项为D。", "D"),
        ("因此，答案是C（36°）。", "C"),
        ("所以我选B。", "B"),
        ("综上，正确答案是（D）", "D"),
    ],
)
def test_chinese_markers(completion, letter):
    only(completion, letter)


@pytest.mark.parametrize("gold", ["(B) 60°", "B. 60°", "B) 60", "(B)", r"\text{(B)}", "B"])
def test_gold_written_with_its_option_text_is_the_letter(gold):
    assert gold_letter(gold) == "B"
    ok("The answer is B.", gold, verifier="mcq")
    rejected("The answer is C.", gold, verifier="mcq")


@pytest.mark.parametrize("gold", ["60°", "Because (B) 60", "Bob", "b) 60"])
def test_not_letter_golds(gold):
    assert gold_letter(gold) is None


@pytest.mark.parametrize(
    ("completion", "letter", "options"),
    [
        (r"so $r = \boxed{\frac{10}{3}}$.", "B", ["$8 / 3$", "$10 / 3$", "$11 / 3$", "4"]),
        (r"The ratio is $\boxed{\frac{5}{12}}$.", "C", ["1:3", "3:8", "5:12", "7:16"]),
        (r"so $x = \boxed{5\sqrt{5}-10}$.", "D", ["1", "1.2", r"$2(\sqrt{5}-2)$", r"$5(\sqrt{5}-2)$"]),
        (r"Hence $TR=\boxed{10 \mathrm{~cm}}$.", "D", ["$8 \\mathrm{~cm}$", "$9 \\mathrm{~cm}$", "$9.5 \\mathrm{~cm}$", "$10 \\mathrm{~cm}$"]),
        (r"so $\alpha = \boxed{36^\circ}$.", "C", ["$24^{\\circ}$", "$30^{\\circ}$", "$36^{\\circ}$", "$45^{\\circ}$"]),
        ("The greatest drop was in $\\boxed{\\text{March}}$.", "B", ["$\\text{January}$", "$\\text{March}$", "$\\text{April}$", "$\\text{May}$"]),
        ("Basket 4", "D", ["Basket 1", "Basket 2", "Basket 3", "Basket 4"]),
        ("The ladder is 4.40 m long, so the answer is 4.40 m.", "C", ["3.85 m", "4.00 m", "4.40 m", "4.50 m"]),
        ("The length is (B) 160√3 m.", "B", ["160m", "160√{3}m", "(160-160√{3})m", "360m"]),
    ],
)
def test_stated_option_content_is_that_letter(completion, letter, options):
    only(completion, letter, options)


@pytest.mark.parametrize(
    ("completion", "letter", "options"),
    [
        ("If all the algae dies, the water flea population will decrease.", "B", ["remains the same", "decrease", "increase", "NA"]),
        ("If the snakes grow in number, the frogs will most likely decrease.", "A", ["decrease", "remain the same", "increase", "None"]),
        ("No, the function is not differentiable at every point.", "B", YES_NO),
        ("Yes, Sky Blue is less than Chartreuse.", "A", YES_NO),
        ("The hottest months are most years July and August, with about 30°C.", None, ["December, January, and February", "July and August", "March and April"]),
        ("The hottest period in Rome is July and August, with about 30°C.", "B", ["December, January, and February", "July and August", "March and April"]),
        ("Looking at the map, the highest value is 45.2%-65.6%.", "B", ["43.2%-63.6%", "45.2%-65.6%", "42.2%-62.6%", "41.2%-61.6%"]),
        ("Thus the smallest species shown is the xenacanthus.", "D", ["chinlea", "arganodus", "semionotus", "xenacanthus"]),
    ],
)
def test_option_text_opening_or_closing_the_last_sentence(completion, letter, options):
    if letter is None:
        for gold in "ABC":
            rejected(completion, gold, options)
        return
    only(completion, letter, options, letters="ABCD"[: len(options)])


@pytest.mark.parametrize(
    ("completion", "options"),
    [
        # an option inside the sentence, not opening or closing it
        ("The lizard population would most likely experience a decrease in food.", ["plant", "human", "lizard", "snake"]),
        # two options in the sentence
        ("The matchstick on the bottom left corner needs to be moved.", ["Top", "Bottom", "Left", "Right"]),
        # two options, one a condition: no guess which is the answer
        ("If the snakes increase, the frogs will most likely decrease.", ["decrease", "remain the same", "increase", "None"]),
        ("The frog population will increase, not decrease.", ["decrease", "remain the same", "increase", "None"]),
        # a word that contains an option ("increase" inside "increases"), or the other way round
        ("The plant population increases", ["decrease", "increase", "stay", "NA"]),
        # "no" as a determiner is not the option "No"
        ("There is no red cube behind the cylinder.", YES_NO),
        # a number inside an expression is not the option
        (r"\[\boxed{10\sqrt{3}+10}\]", ["8", "9", "9.5", "10"]),
        # a negation before the option, an option word that opens a phrase
        ("The frog population will not decrease.", ["decrease", "remain the same", "increase", "None"]),
        ("So the side cannot be 5", ["3", "4", "5", "6"]),
        ("No matter which cube we pick, the answer stays the same", YES_NO),
        # a sentence that names two numbers
        ("The perimeter of a triangle can never be 34 or 38.", ["29", "34", "38", "19"]),
    ],
)
def test_option_text_not_stated_names_nothing(completion, options):
    for gold in "ABCD"[: len(options)]:
        rejected(completion, gold, options)


# ---------------------------------------------------------------- soundness


@pytest.mark.parametrize(
    ("completion", "options", "golds"),
    [
        ("Therefore, the correct answer is (D) 140°.", ["45°", "40°", "25°", "20°"], "ABCD"),
        ("The correct option is (D) R2.", ["R1", "R2", "R5", "R3"], "ABCD"),
        ("A) no", ["yes", "no"], "AB"),
        ("A: No", ["Yes", "No"], "AB"),
        ("(E) 0.33%", ["0.33%", "0.31%", "0.29%", "0.32%", "0.30%"], "ABCDE"),
        ("Therefore, the answer is (C) 120.", ["33", "38", "52", "87"], "ABCD"),
        ("∠2 = (C) 15°", ["36°", "45°", "44°", "64°"], "ABCD"),
        ("The answer is A) Olivia Colman.", ["decrease", "can't tell", "stay same", "increase"], "ABCD"),
    ],
)
def test_letter_whose_content_contradicts_its_option_is_not_accepted(completion, options, golds):
    for gold in golds:
        rejected(completion, gold, options)


def test_consistent_content_still_accepted():
    ok("Therefore, the correct answer is (D) 20°.", "D", ["45°", "40°", "25°", "20°"])
    ok("The correct option is (B) R2.", "B", ["R1", "R2", "R5", "R3"])
    ok("(B) is the correct answer.", "B", ["Solution A", "Solution B"])  # says nothing about the text


def test_options_written_with_their_own_labels():
    options = ["A. 3", "B. 4", "C. 5", "D. 6"]
    only("The answer is (B) 4.", "B", options)
    only(r"\boxed{5}", "C", options)
    for gold in "ABCD":
        rejected("The answer is (B) 5.", gold, options)


def test_without_options_a_letter_is_taken_as_written():
    ok("Therefore, the correct answer is (D) 140°.", "D")


@pytest.mark.parametrize(
    "completion",
    [
        "(A) yes\n(B) no",
        "(C) Yes\n(D) No",
        "A. 4\nB. 6\nC. 8\nD. 12",
        "The options are (A) 1, (B) 2, (C) 3 and (D) 4.",
    ],
)
def test_listing_the_options_is_no_choice(completion):
    for gold in "ABCD":
        rejected(completion, gold, ["yes", "no", "maybe", "never"])


@pytest.mark.parametrize(
    "completion",
    [
        "Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.",
        "Answer with the option's letter from the given choices directly.",
        "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.\n"
        "Question: Is the cube red?\nChoices:\n(A) Yes\n(B) No",
    ],
)
def test_echoed_instruction_is_no_answer(completion):
    for gold in "ABCD":
        v = rejected(completion, gold, YES_NO)
        assert v.outcome in (Outcome.NO_ANSWER, Outcome.INCORRECT)


def test_answer_around_an_echoed_prompt():
    text = (
        "The answer is (A) 3.\n\nHint: Please answer the question and provide the correct option letter, "
        "e.g., A, B, C, D, at the end.\nQuestion: What is x?\nChoices:\n(A) 3\n(B) 6\n(C) 8\n(D) 9\n"
    )
    only(text, "A", ["3", "6", "8", "9"])
    # an unmarked completion: the echoed block is skipped, the answer after it counts
    text = "So x is small.\nQuestion: What is x?\nChoices:\n(A) 3\n(B) 6\n\nWe choose (B)"
    only(text, "B", ["3", "6", "8", "9"])


@pytest.mark.parametrize(
    ("completion", "options"),
    [
        (r"The answer is \boxed{\text{B}}.", ["$\\text{B}$", "$\\text{G}$", "$\\text{O}$", "$\\text{R}$"]),
        (r"\boxed{(b)}", ["(c)", "(d)", "(a)", "(b)"]),
    ],
)
def test_letter_that_is_another_options_text_is_ambiguous(completion, options):
    for gold in "ABCD":
        rejected(completion, gold, options)


def test_letter_options_agreeing_with_the_letter():
    ok("The cat ends up at point $D$.", "D", ["A", "B", "C", "D", "E"])


@pytest.mark.parametrize(
    ("completion", "options"),
    [
        (r"\boxed{B}\boxed{C}", None),
        ("The answer is B or C", None),
        ("I would go with A or C.", None),
        (r"\boxed{Paris or London}", ["Paris", "London", "Berlin", "Rome"]),
        ("It is (A) Paris or (B) London.", ["Paris", "London", "Berlin", "Rome"]),
    ],
)
def test_hedges_stay_hedges(completion, options):
    for gold in "ABCD":
        rejected(completion, gold, options)


def test_option_text_with_or_is_not_a_hedge():
    options = ["Is it faster with a thin or a thick layer of wax?", "Is it faster with wax or without wax?"]
    only("The question it answers is (B) Is it faster with wax or without wax?", "B", options, letters="AB")


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        ("It is not B, the answer is D", "B"),
        ("Answer B is wrong, so it must be D.", "B"),
        ("A is not correct; nothing else fits.", "A"),
        ("A is not the answer.", "A"),
        ("The answer is \\text{(d)}.", "D"),
        (r"The answer is \boxed{(e)}.", "E"),
    ],
)
def test_negation_and_lowercase_parenthesised(completion, gold):
    v = check(completion, gold)
    if "not" in completion or "wrong" in completion:
        rejected(completion, gold)
    else:
        assert v.outcome is Outcome.CORRECT, v.explain()
        rejected(completion, "A")


@pytest.mark.parametrize("completion", ["b", r"\boxed{b}", "The answer is b", "A careful reading gives b"])
def test_bare_lowercase_is_not_a_letter(completion):
    for gold in "AB":
        rejected(completion, gold)


# ---------------------------------------------------------------- reading helpers


def test_reader_results():
    assert read_answer("B (no)", ["yes", "no"]) == "B"
    assert read_answer("B (yes)", ["yes", "no"]) == CONTRA
    assert read_answer("A, B or C") is HEDGE
    assert read_answer("it is London", ["Paris", "London"]) == "B"
    assert search_text("blah\n答案：C") == "C"
    assert search_text("nothing to see here") is None


# ---------------------------------------------------------------- properties


def _renderings(letter: str) -> list[str]:
    return [
        letter, f"({letter})", f"{letter})", f"{letter}.", f"**{letter}**", f"**({letter})**",
        f"The answer is {letter}.", f"The answer is ({letter}).", f"The correct answer is **{letter}**",
        f"答案：{letter}", f"答案:{letter}", f"故选{letter}", f"\\boxed{{{letter}}}", f"\\boxed{{({letter})}}",
        f"Answer: {letter}", f"**Answer:** {letter}", f"Therefore, the correct option is ({letter}).",
        f"<think>it could be anything</think><answer>{letter}</answer>", f"We choose {letter}.",
    ]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from("ABCDE"), st.sampled_from("ABCDE"), st.integers(0, 18))
def test_property_renderings_of_a_letter(letter, gold, k):
    completion = _renderings(letter)[k]
    v = check(completion, gold)
    assert (v.outcome is Outcome.CORRECT) == (letter == gold), (completion, gold, v.explain())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 400), min_size=4, max_size=4, unique=True),
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from(["({L}) {X}", "{L}) {X}", "The answer is ({L}) {X}.", "The answer is {L} ({X}).", "答案是 ({L}) {X}。"]),
)
def test_property_letter_with_content(values, chosen, stated, template):
    """A letter with its own option's content is that letter; with another option's, nothing."""
    options = [f"{v}°" for v in values]
    letter = "ABCD"[chosen]
    completion = template.format(L=letter, X=options[stated])
    for gold in "ABCD":
        v = check(completion, gold, options=options)
        expect = chosen == stated and gold == letter
        assert (v.outcome is Outcome.CORRECT) == expect, (completion, gold, v.explain())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 99), min_size=3, max_size=5, unique=True), st.data())
def test_property_stated_value_names_its_option(values, data):
    options = [f"${v} \\mathrm{{~cm}}$" for v in values]
    i = data.draw(st.integers(0, len(values) - 1))
    completion = f"So the side is $\\boxed{{{values[i]}}}$ cm."
    for j in range(len(values)):
        v = check(completion, "ABCDE"[j], options=options)
        assert (v.outcome is Outcome.CORRECT) == (i == j), v.explain()


# ---------------------------------------------------------------- linear time on hostile input


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "(" * n,
        lambda n: "the answer is " * (n // 14),
        lambda n: "A) " * (n // 3),
        lambda n: "\n(A) x" * (n // 6),
        lambda n: "Question:\n(A) 1\n" * (n // 15),
        lambda n: "答案" * (n // 2),
        lambda n: " " * n + "B",
        lambda n: "is (" * (n // 4),
        lambda n: "The answer to " + "x" * n + " is B",
        lambda n: "option " * (n // 7) + "B",
        lambda n: "e.g., A, B, C, " * (n // 15),
        lambda n: "The answer" + " " * n + "x",
        lambda n: "(A)" + " " * n + "x",
        lambda n: "A)" + " " * n + "\n" + "B." + " " * n,
        lambda n: "答案" + " " * n + "是",
        lambda n: "<answer>" + " " * n,
        lambda n: "x" * n + " (B) " + " " * n + "y",
        lambda n: "Yes, " + "no " * (n // 3),
        lambda n: ("1 " * (n // 2)) + ".",
    ],
)
def test_hostile_inputs_stay_linear(make):
    options = ["yes", "no", "1", "2"]
    times = []
    for n in (200_000, 400_000):
        text = make(n)
        t = time.perf_counter()
        check(text, "B", options=options, verifier="mcq")
        times.append(time.perf_counter() - t)
    assert times[1] < 2.0, times
    assert times[1] < 6 * times[0] + 0.05, times  # doubling the input does not square the time


def test_labelled_gold_dispatches_to_mcq_under_accuracy() -> None:
    from rlvr_rewards import check

    assert check("\\boxed{B}", "(B) 60°").correct
    assert not check("\\boxed{C}", "(B) 60°").correct
    assert check("The answer is B.", "B. 60°", options=["30°", "60°"]).correct
    assert not check("The answer is A.", "B. 60°", options=["30°", "60°"]).correct


@pytest.mark.parametrize("letter", list("ABCDE"))
def test_an_option_that_is_only_a_label_has_no_content(letter: str) -> None:
    # mathv_mcq-433: options ["", …, "(E)"]; the answer "(E)" was read as option I's text
    options = ["", "", "", "", "", "", "", "", f"({letter})"]
    assert check(f"({letter})", letter, options=options).correct
    other = "A" if letter != "A" else "B"
    assert not check(f"({other})", letter, options=options).correct
    assert not check(f"({letter})", other, options=options).correct
