"""``format``: the strict R1 layout ``<think>…</think><answer>…</answer>``.

One pair of each tag, both non-empty, thinking first, nothing but whitespace around them.
Multi-line thinking is fine. Tag names are configurable, and ``partial=True`` gives a quarter
point per satisfied rule instead of all-or-nothing.
"""

from __future__ import annotations

from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from .base import Verifier


@register("format", aliases=("think_answer_format",))
class FormatVerifier(Verifier):
    """Strict ``<think>…</think><answer>…</answer>`` layout (tag names configurable)."""

    name = "format"
    needs_gold = False
    needs_answer = False

    def __init__(self, think_tag: str = "think", answer_tag: str = "answer", partial: bool = False):
        self.think_tag = think_tag
        self.answer_tag = answer_tag
        self.partial = partial

    def rules(self, text: str) -> dict[str, bool]:
        """Which of the four layout rules ``text`` satisfies."""
        to, tc = f"<{self.think_tag}>", f"</{self.think_tag}>"
        ao, ac = f"<{self.answer_tag}>", f"</{self.answer_tag}>"
        counts_ok = all(text.count(tag) == 1 for tag in (to, tc, ao, ac))
        layout = nonempty = False
        if counts_ok:
            i_to, i_tc, i_ao, i_ac = (text.index(tag) for tag in (to, tc, ao, ac))
            ordered = i_to < i_tc < i_ao < i_ac
            layout = (
                ordered
                and not text[:i_to].strip()
                and not text[i_tc + len(tc) : i_ao].strip()
                and not text[i_ac + len(ac) :].strip()
            )
            nonempty = ordered and bool(text[i_to + len(to) : i_tc].strip()) and bool(text[i_ao + len(ao) : i_ac].strip())
        return {
            "one_think_pair": text.count(to) == 1 and text.count(tc) == 1,
            "one_answer_pair": text.count(ao) == 1 and text.count(ac) == 1,
            "layout": layout,
            "non_empty": nonempty,
        }

    def decide(self, sample: Sample) -> Decision:
        rules = self.rules(sample.completion)
        failed = [k for k, ok in rules.items() if not ok]
        if not failed:
            return Decision(Outcome.CORRECT, 1.0, "format ok")
        score = (len(rules) - len(failed)) / len(rules) if self.partial else 0.0
        return Decision(Outcome.INCORRECT, score, "format: failed " + ", ".join(failed))


@register("think_format", aliases=("think_only_format",))
class ThinkFormat(Verifier):
    """One leading ``<think>…</think>`` block, then the answer as plain text (DeepSeek-R1 / Qwen3).

    ``style="trl"`` (default) is TRL's ``think_format_reward``: the text starts with ``<think>``
    (nothing before it, not even whitespace), contains no second ``<think>``, and closes it;
    empty reasoning and an empty answer are allowed. ``style="verifiers"`` is PrimeIntellect
    verifiers' ``ThinkParser`` format reward: leading whitespace allowed, exactly one ``<think>``
    and one ``</think>``, and something (even a newline) after ``</think>``.

    >>> t = ThinkFormat()
    >>> t.matches("<think>reasoning</think>answer"), t.matches("<think></think>answer")
    (True, True)
    >>> t.matches(" <think>r</think>a"), t.matches("<think>r<think>s</think>a"), t.matches("<think>r")
    (False, False, False)
    >>> ThinkFormat(style="verifiers").matches(" <think>r</think>a"), ThinkFormat(style="verifiers").matches("<think>r</think>")
    (True, False)
    """

    name = "think_format"
    needs_gold = False
    needs_answer = False
    STYLES = ("trl", "verifiers")

    def __init__(self, think_tag: str = "think", style: str = "trl"):
        if style not in self.STYLES:
            raise ValueError(f"style must be one of {', '.join(self.STYLES)}, not {style!r}")
        self.think_tag = think_tag
        self.style = style
        self.open, self.close = f"<{think_tag}>", f"</{think_tag}>"

    def why_not(self, text: str) -> str | None:
        """None when ``text`` has the layout, else the rule it breaks."""
        to, tc = self.open, self.close
        if self.style == "verifiers":
            if not text.strip().startswith(to):
                return f"does not start with {to}"
            if text.count(to) != 1 or text.count(tc) != 1:
                return f"needs exactly one {to} and one {tc}"
            if not text.split(tc)[-1]:
                return f"nothing after {tc}"
            return None
        if not text.startswith(to):
            return f"does not start with {to}" + (" (leading whitespace)" if text.lstrip().startswith(to) else "")
        rest = text[len(to):]
        if to in rest:
            return f"a second {to}"
        if tc not in rest:
            return f"{to} is never closed"
        return None

    def matches(self, text: str) -> bool:
        return self.why_not(text) is None

    def decide(self, sample: Sample) -> Decision:
        why = self.why_not(sample.completion)
        if why is None:
            return Decision(Outcome.CORRECT, 1.0, "think format ok")
        return Decision(Outcome.INCORRECT, 0.0, f"think format: {why}")
