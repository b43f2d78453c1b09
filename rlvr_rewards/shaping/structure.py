"""Structure rewards: tag count, reasoning steps, code format (open-r1's)."""

from __future__ import annotations

import re

from ..registry import register
from ..sample import Sample
from ..verdict import Decision, Outcome
from ..verifiers.base import Verifier


def _outcome(full: bool) -> Outcome:
    return Outcome.CORRECT if full else Outcome.INCORRECT


@register("tag_count", aliases=("tags",))
class TagCount(Verifier):
    """Structure reward (open-r1's tag_count_reward): a quarter per opening/closing think and answer
    tag present exactly once; a duplicated tag earns nothing.

    >>> TagCount().score("<think>x</think><answer>4</answer>"), TagCount().score("<think>x</think>")
    (1.0, 0.5)
    """

    name = "tag_count"
    needs_gold = False
    needs_answer = False

    def __init__(self, think_tag: str = "think", answer_tag: str = "answer", newlines: bool = False):
        self.newlines = newlines  # open-r1's exact strings: "<think>\\n", "\\n</think>\\n", "\\n<answer>\\n", "\\n</answer>"
        t, a = think_tag, answer_tag
        self.tags = (
            (f"<{t}>\n", f"\n</{t}>\n", f"\n<{a}>\n", f"\n</{a}>") if newlines else (f"<{t}>", f"</{t}>", f"<{a}>", f"</{a}>")
        )

    def score(self, text: str) -> float:
        return 0.25 * sum(text.count(tag) == 1 for tag in self.tags)

    def decide(self, sample: Sample) -> Decision:
        text = sample.completion
        ok = [text.count(tag) == 1 for tag in self.tags]
        score = 0.25 * sum(ok)
        return Decision(_outcome(all(ok)), score, f"{sum(ok)}/4 tags once", by=self.name)


#: open-r1's step markers: "Step 1:", a numbered line "1.", "-" / "*" bullets, transition words.
STEP_PATTERN = r"(Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,)"


@register("reasoning_steps", aliases=("steps",))
class ReasoningSteps(Verifier):
    """Step-by-step reasoning (open-r1's ``reasoning_steps_reward``): ``min(1, k / min_steps)`` for
    ``k`` step markers (``Step 1:``, ``1.``, ``\\n-``, ``\\n*``, ``First,``, ``Second,``,
    ``Next,``, ``Finally,``), ``min_steps=3``.

    open-r1's regex has no ``re.MULTILINE``, so ``^\\d+\\.`` counts a numbered item only at the
    very start of the text (its docstring says "at start of line"); that is the default here, for
    the same numbers. ``per_line=True`` counts a numbered item at the start of every line.

    >>> s = ReasoningSteps()
    >>> s.count("Step 1: a\\nStep 2: b"), s.score("Step 1: a\\nStep 2: b"), s.score("First, a. Next, b. Finally, c.")
    (2, 0.6666666666666666, 1.0)
    >>> s.score("1. a\\n2. b\\n3. c"), ReasoningSteps(per_line=True).score("1. a\\n2. b\\n3. c")
    (0.3333333333333333, 1.0)
    """

    name = "reasoning_steps"
    needs_gold = False
    needs_answer = False

    def __init__(self, min_steps: int = 3, per_line: bool = False, pattern: str | None = None):
        if min_steps < 1:
            raise ValueError("min_steps must be >= 1")
        self.min_steps = min_steps
        self.per_line = per_line
        self.pattern = re.compile(pattern or STEP_PATTERN, re.MULTILINE if per_line else 0)

    def count(self, text: str) -> int:
        return len(self.pattern.findall(text))

    def score(self, text: str) -> float:
        return min(1.0, self.count(text) / self.min_steps)

    def decide(self, sample: Sample) -> Decision:
        k = self.count(sample.completion)
        score = min(1.0, k / self.min_steps)
        return Decision(_outcome(score >= 1.0), score, f"{k} step markers", by=self.name)


#: Fence info strings accepted for a language (lower-case): ``python`` also takes ``py``, ``python3``.
LANGUAGE_ALIASES = {
    "python": ("python", "py", "python3"),
    "javascript": ("javascript", "js", "node"),
    "typescript": ("typescript", "ts"),
    "cpp": ("cpp", "c++", "cxx"),
    "bash": ("bash", "sh", "shell"),
    "r": ("r",),
    "java": ("java",),
    "rust": ("rust", "rs"),
    "go": ("go", "golang"),
}
_FENCE = re.compile(r"```[ \t]*([^\s`]*)[^\n`]*\n?.*?```", re.DOTALL)


def fence_languages(text: str) -> list[str]:
    """The info-string languages of the complete fenced code blocks in ``text`` (lower-cased).

    >>> fence_languages("a\\n```python\\nprint(1)\\n```\\n```\\nplain\\n```")
    ['python', '']
    """
    return [m.group(1).lower() for m in _FENCE.finditer(text)]


@register("code_format")
class CodeFormat(Verifier):
    """Code answers (open-r1's ``get_code_format_reward``): the R1 layout
    ``<think>…</think><answer>…</answer>`` with a fenced code block of the sample's language
    inside the answer; 1 or 0.

    The language is ``language`` (default ``python``) or, through the batch paths and the
    adapters, the sample's ``language`` column. A fence matches when its info string is the
    language or an alias (``py``, ``python3`` for python; :data:`LANGUAGE_ALIASES`). The layout is
    that of :class:`~rlvr_rewards.verifiers.format.FormatVerifier` (whitespace between the blocks
    free); open-r1 wants exactly ``<think>\\n…\\n</think>\\n<answer>\\n…\\n</answer>``.
    ``think=False`` checks only the ``<answer>`` block.

    >>> cf = CodeFormat()
    >>> cf.matches("<think>\\nplan\\n</think>\\n<answer>\\n```python\\nprint(1)\\n```\\n</answer>")
    True
    >>> cf.matches("<think>\\nplan\\n</think>\\n<answer>\\n```js\\nf()\\n```\\n</answer>")
    False
    >>> CodeFormat(language="javascript").matches("<think>p</think><answer>```js\\nf()\\n```</answer>")
    True
    """

    name = "code_format"
    needs_gold = False
    needs_answer = False
    language_option = True  # the batch paths build one per ``language`` column value

    def __init__(self, language: str = "python", think: bool = True, think_tag: str = "think", answer_tag: str = "answer"):
        from ..verifiers.format import FormatVerifier

        self.language = str(language or "python").strip().lower()
        self.think = think
        self.think_tag, self.answer_tag = think_tag, answer_tag
        self.layout = FormatVerifier(think_tag=think_tag, answer_tag=answer_tag)
        names = LANGUAGE_ALIASES.get(self.language)
        if names is None:
            for canonical, alias in LANGUAGE_ALIASES.items():
                if self.language in alias:
                    names = LANGUAGE_ALIASES[canonical]
                    break
        self.accepted = frozenset(names or (self.language,))

    def with_language(self, language: str) -> CodeFormat:
        """The same check for another language."""
        return type(self)(language=language, think=self.think, think_tag=self.think_tag, answer_tag=self.answer_tag)

    def answer_block(self, text: str) -> str | None:
        """The answer block's content if the layout is right, else None."""
        ao, ac = f"<{self.answer_tag}>", f"</{self.answer_tag}>"
        if self.think:
            if not all(self.layout.rules(text).values()):
                return None
        elif text.count(ao) != 1 or text.count(ac) != 1 or text.index(ao) > text.index(ac) or text[text.index(ac) + len(ac):].strip():
            return None
        return text[text.index(ao) + len(ao) : text.index(ac)]

    def matches(self, text: str) -> bool:
        block = self.answer_block(text)
        return block is not None and any(lang in self.accepted for lang in fence_languages(block))

    def decide(self, sample: Sample) -> Decision:
        block = self.answer_block(sample.completion)
        if block is None:
            return Decision(Outcome.INCORRECT, 0.0, "code format: layout is not <think>…</think><answer>…</answer>", by=self.name)
        langs = fence_languages(block)
        if any(lang in self.accepted for lang in langs):
            return Decision(Outcome.CORRECT, 1.0, f"```{self.language} block in the answer", by=self.name)
        found = ", ".join(repr(x) for x in langs) or "none"
        return Decision(Outcome.INCORRECT, 0.0, f"code format: no ```{self.language} block (fences: {found})", by=self.name)
