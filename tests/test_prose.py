"""Final answers outside boxes and tags: prose statements, Chinese markers, end-of-turn tokens.

Each rule that widens acceptance is paired with a wrong answer of the same shape that must stay
incorrect, and a property test renders one value many equivalent ways.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards import check
from rlvr_rewards.extraction import extract_answer
from rlvr_rewards.prose import final_statement, reduce_statement, strip_end_tokens

# (completion, gold that it states, a wrong gold of the same shape)
STATED = [
    ("Therefore, the answer is 9.14.", "9.14", "9.15"),
    ("We use the formula for the energy.\nE = 3.0 eV", "3", "4"),
    ("The median of the numbers is 6.", "6", "7"),
    ("Final Answer: The smallest such $k$ is 12.", "12", "13"),
    ("Final Answer: The final answer is $7$. I hope it is correct.", "7", "8"),
    ("Answer:\n\\[ 12 \\]", "12", "21"),
    ("Answer:\n$$ 12 $$", "12", "21"),
    ("So, there are a total of 3 items that have been sold less than 5 units.", "3", "5"),
    ("Total: 374 + 305 = 679 words", "679", "305"),
    ("The number of bars with values smaller than 6 is 0.", "0", "6"),
    ("The highest number of responses is 17 for the 17-25% range.", "17", "25"),
    ("The mode of the numbers is 10, as it is the most frequently occurring number.", "10", "11"),
    ("The total amount Karen spent is $69.00", "69", "68"),
    ("The smallest individual bar in the whole chart is **1**.", "1", "2"),
    ("Thus $v_{PB} = v_{PA} - v_{BA} = -78 - 52 = -130$", "-130", "-78"),
    ("There are 4 people in the image, so the answer is 4.</s>", "4", "3"),
    ("The answer is 5.<|im_end|>\n<|im_start|>user\nThe answer is 6", "5", "6"),
    ("The answer is 7<|endoftext|>", "7", "8"),
    ("The answer is 30 ice cubes.", "30", "3"),
    ("The answer is (B) no.", "no", "yes"),
    ("The difference in time is 4 hours. The answer is (A) 4 hours.", "4 hours", "5 hours"),
    ("【答案】12<eoa>", "12", "13"),
    ("【答案】\n解方程得到n=8.<eoa>", "8", "9"),
    ("答案：12", "12", "13"),
    ("所以答案是12。", "12", "13"),
    ("最终答案：12", "12", "13"),
    ("【答案】\n首先，我们解这个方程组。\n最后得到$S_{10}=100$。<eoa>", "100", "10"),
    ("The ruler shows that the line is about 1 centimeter long.", "1", "2"),
    ("There are two bars with values smaller than 0.", "2", "0"),
    ("After removing the cubes, there are three objects left on the table.", "3", "4"),
    ("Therefore, the shortest path from node 0 to node 5 is [0, 5]", "[0, 5]", "[0, 3, 5]"),
    ("Therefore, the answer is `True'.", "True", "False"),
    ("Therefore, the answer is True: closing is dilation followed by erosion.", "True", "False"),
    ("So the statement in the question is false.", "False", "True"),
    ("Let me compute.\n\n12 ÷ 4 = 3\n\nThe final value is: 3\n\nI hope this helps!", "3", "4"),
]


@pytest.mark.parametrize(("completion", "gold", "wrong"), STATED)
def test_stated_answer_is_found(completion: str, gold: str, wrong: str) -> None:
    v = check(completion, gold)
    assert v.correct, v.explain()
    assert not check(completion, wrong).correct, f"{completion!r} accepted {wrong!r}"


HEDGES = [
    ("The nail is between 2 and 3 inches long.", "2"),
    ("So the answer is 3 or maybe 4.", "3"),
    ("It could be 3, or possibly 4.", "4"),
    ("x = 3 or x = 4", "3"),
    ("The bars are between 2 and 3 people, fewer than 2 prefer others.", "2"),
]


@pytest.mark.parametrize(("completion", "gold"), HEDGES)
def test_stated_hedges_stay_hedges(completion: str, gold: str) -> None:
    assert not check(completion, gold).correct


NO_ANSWER = [
    "The image does not provide any information about the age gap between the two people.",
    "Unfortunately I do not have enough information to determine the ratio of the two companies.",
    "I cannot determine the answer from the image; it might show 3 objects.",
    "Without more information, we cannot find the value of x = 5.",
    "We consider the problem carefully and stop here.",
    "4\n2",
]


@pytest.mark.parametrize("completion", NO_ANSWER)
def test_no_value_is_stated(completion: str) -> None:
    assert extract_answer(completion).answer is None


def test_refusal_in_last_statement_stops_the_search() -> None:
    text = "We count 3 apples and 2 pears.\nHowever, the total cannot be determined from the picture."
    assert final_statement(text) is None


def test_a_bound_is_not_the_stated_value() -> None:
    assert reduce_statement("the number of bars with values smaller than 6 is 0") == ["0"]
    assert reduce_statement("fewer than 2 people prefer it") == []
    assert reduce_statement("Therefore, the answer is g'(1) is undefined") == []


def test_joined_values_are_kept_together() -> None:
    assert reduce_statement("The roots are 1 and 3") == ["1", "3"]
    assert reduce_statement("x = 3 or x = 4") == ["3", "4"]
    assert reduce_statement("The numbers are 3, 5 and the mean is 4") == ["4"]


def test_end_tokens() -> None:
    assert strip_end_tokens("4.</s>") == "4."
    assert strip_end_tokens("<|im_start|>assistant\n5<|im_end|>") .strip().endswith("5")
    assert strip_end_tokens("no tokens here") == "no tokens here"
    assert strip_end_tokens("x < 3 and y > 2") == "x < 3 and y > 2"


def test_chinese_choice_marker() -> None:
    assert check("分析可知，故选C", "C").correct
    assert not check("分析可知，故选C", "B").correct


def test_currency_dollars_are_not_math_delimiters() -> None:
    r = extract_answer("The fare is $7 - $5 = $2 higher on that ferry")
    assert r.answer == "2"


# -- property: one value, many renderings ----------------------------------------------------
SUBJECTS = ["the total", "the number of objects", "the answer", "the value of x", "the perimeter"]
TEMPLATES = [
    "Therefore, {s} is {v}.",
    "So {s} is {v}.",
    "We add the parts: 3 + 4 = 7.\n\nThus {s} equals {v}.",
    "{S} = {v}",
    "After counting, {s} is about {v}.",
    "The answer is {v}.",
    "Final Answer: The final answer is ${v}$. I hope it is correct.",
    "【答案】{v}<eoa>",
    "所以答案是{v}。",
    "最终答案：{v}",
]
ENDINGS = ["", "</s>", "<|im_end|>", "<|endoftext|>", "\n\nI hope this helps!", "<|im_end|>\n<|im_start|>user\n9999"]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=-10_000, max_value=10_000),
    st.sampled_from(TEMPLATES),
    st.sampled_from(SUBJECTS),
    st.sampled_from(ENDINGS),
    st.integers(min_value=1, max_value=50),
)
def test_equivalent_renderings(value: int, template: str, subject: str, ending: str, delta: int) -> None:
    text = template.format(v=value, s=subject, S=subject.capitalize()) + ending
    assert check(text, str(value)).correct, text
    assert not check(text, str(value + delta)).correct, text


def test_option_label_before_a_value() -> None:
    # against a value gold the label is dropped; against a label gold the label is the answer
    assert check("The answer is (B) no.", "no").correct
    assert not check("The answer is (B) no.", "yes").correct
    assert check("the answer is (d) 0.5θ^-2", "0.5\\theta^{-2}").correct
    assert not check("the answer is (d) 0.5θ^-2", "0.5\\theta^{-3}").correct
    assert check("The answer is (b) Gamma.", "(b)").correct
    assert not check("The answer is (c) Gamma.", "(b)").correct


# A copula-free statement that opens with its value: the noun it counts, then a clause that says
# what for, with numbers of its own ("840 ways to select a committee of 2 men and 3 women",
# theoremqa_bare-199/-1237/-27/-392/-1148). The numbers in the clause are context, not answers.
LEADING = [
    ("{v} ways to select a committee of 2 men and 3 women from a group of 6 men and 8 women", "ways"),
    ("{v} ways to order a pizza with 3 toppings", "ways"),
    ("{v} equivalent parameter settings due to interchange symmetries in a model with 10 components", "settings"),
    ("{v} bits if the data rate increases from 10 Mbps to 1 Gbps", "bits"),
    ("{v} MiB (in 3 sig. fig.)", "MiB"),
    ("{v} seconds to transfer the 4 MB file from host 1 to host 2", "seconds"),
]


@settings(max_examples=300, deadline=None)
@given(value=st.integers(11, 99_999), case=st.sampled_from(LEADING), delta=st.integers(1, 9))
def test_leading_value_with_a_clause(value: int, case: tuple[str, str], delta: int) -> None:
    template, _ = case
    text = template.format(v=value)
    assert reduce_statement(text) == [str(value)]
    assert check(text, str(value)).correct
    assert not check(text, str(value + delta)).correct  # the same shape with a wrong value is still wrong
    assert not check(template.format(v=value + delta), str(value)).correct


@pytest.mark.parametrize(
    "text",
    [
        "840 or 841 ways to select 2 men",  # an alternative before the clause
        "840 ways to select them, or 420 if order does not matter",  # an alternative after it
        "840 ways to select them but 420 ways if unordered",
        "840 ways to seat them; 420 if rotations count",
        "5 apples and 3 pears",  # no clause: two values
        "7 ways with 2 ways for each",  # the counted noun again
    ],
)
def test_leading_value_rule_keeps_hedges(text: str) -> None:
    assert len(reduce_statement(text)) > 1
    assert not check(text, text.split()[0]).correct


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 20), delta=st.integers(1, 5), total=st.sampled_from(["a total of ", "in total ", "altogether ", ""]))
def test_cardinal_word_after_a_total_of(n: int, delta: int, total: str) -> None:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
    text = f"After removing the cubes, there are {total}{words[n]} objects left on the table."
    assert check(text, str(n)).correct  # mathvista_free-356
    assert not check(text, str(n + delta)).correct


@settings(max_examples=100, deadline=None)
@given(v=st.integers(1, 99), delta=st.integers(1, 9), blank=st.sampled_from(["__", "___", "\\_\\_"]))
def test_an_echoed_blank_is_not_the_answer(v: int, delta: int, blank: str) -> None:
    text = f"The missing number is {v}.\n\n{v - 1}, {blank}, {v + 1}"  # mathvista_free-1889
    assert check(text, str(v)).correct
    assert not check(text, str(v + delta)).correct
    assert final_statement(f"{v - 1}, {blank}, {v + 1}") is None  # only the blank: no answer


@settings(max_examples=100, deadline=None)
@given(
    title=st.sampled_from(["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St."]),
    name=st.sampled_from(["Park", "Watson", "Lee", "Louis"]),
    other=st.sampled_from(["Smith", "Brown"]),
    lead=st.sampled_from(["The answer is ", "The answer is (A) ", "Final answer: "]),
)
def test_a_title_full_stop_does_not_end_the_answer(title: str, name: str, other: str, lead: str) -> None:
    text = f"{title} {name} has the fewest. {lead}{title} {name}."  # tabmwp_gpt3-1516, -2672
    assert check(text, f"{title} {name}").correct
    assert not check(text, f"{title} {other}").correct
    assert check(f"The answer is 5. {title} {name} agrees.", "5").correct  # a real full stop still ends it


@settings(max_examples=100, deadline=None)
@given(v=st.integers(11, 500), step=st.integers(1, 9), delta=st.integers(1, 9))
def test_step_numbers_dimensions_and_precision_notes_are_not_values(v: int, step: int, delta: int) -> None:
    for text in (
        f"Step {step}) Therefore, Paul should buy {v} Twinkies to maximize utility.",  # theoremqa-1866
        f"Therefore, the answer is that the convex 3D object has {v} faces.",  # theoremqa-2295
        f"Therefore, the answer is {v}.5 MiB (3 sig.fig.).".replace(f"{v}.5", f"{v}"),  # theoremqa-259
        f"Rounded to 2 decimal places, the answer is {v}.",
    ):
        assert check(text, str(v)).correct, text
        assert not check(text, str(v + delta)).correct, text
    assert reduce_statement("(3) Banach Fixed Point Theorem") == ["3"]  # an option number stays


@settings(max_examples=100, deadline=None)
@given(p=st.integers(1, 99), delta=st.integers(1, 9))
def test_a_value_and_its_percentage_are_one_answer(p: int, delta: int) -> None:
    text = f"The answer is approximately {p / 100:g} or {p}%."  # theoremqa-2005
    assert check(text, f"{p / 100:g}").correct
    assert check(text, f"{p}\\%").correct
    assert not check(text, f"{(p + delta) / 100:g}").correct
    assert not check(f"The answer is {p / 100:g} or {p + delta}%.", f"{p / 100:g}").correct  # two values: a hedge
