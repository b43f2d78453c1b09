r"""Final answers stated in prose: end-of-turn tokens, and the answer inside a final statement.

Many models never box their answer: "So there are 3 items that …", "Total: 374 + 305 = 679
words", "The smallest such $k$ is 12.", "解方程得到n=8". :func:`final_statement` finds the last
statement of a completion and :func:`reduce_statement` the value it states:

* the element (a math span, a ``**bold**`` value or a number) right after the last copula
  ("is", "are", "equals", "=", ":", "为", "是" …) that is followed by one; otherwise the last
  element of the statement;
* an element joined to another by "or", "between … and …", "to" or "and" is reported with it
  (the caller treats several different values as a hedge, or as a collection when the gold is one);
* a statement that says the answer cannot be found gives nothing.

Everything here is linear-time and bounded (only the last few thousand characters are read).
"""

from __future__ import annotations

import re

from .letters import option_label, strip_option_label  # re-exported: the one label rule
from .parsing.normalize import CN_RELATION_WORDS


def _first_chars(chars: str, pattern: str) -> str:
    """``pattern`` behind a one-character lookahead of the characters it can start with: the regex
    engine then skips every other position at once (several times faster on long texts, the same
    matches)."""
    return f"(?=[{chars}])(?:{pattern})"


__all__ = [
    "strip_end_tokens", "final_statement", "reduce_statement", "has_words", "strip_option_label",
    "is_collection", "collection_text", "declines", "starts_with_value", "answer_parts", "several_values",
    "option_label",
]

# Tokens that end a model's turn: whatever follows is not the model's answer ("<|im_start|>user…").
_END_TOKENS = re.compile(
    r"<\|(?:im_end|im_start|endoftext|end_of_text|eot_id|end|eos|user|assistant|system)\|>"
    r"|</s>|<eoa>|<eos>|<end_of_turn>|<\|?end▁of▁sentence\|?>|<｜end▁of▁sentence｜>",
    re.IGNORECASE,
)
_MAY_END = ("<|", "</s", "<eo", "<EO", "<end", "<｜")


def strip_end_tokens(text: str) -> str:
    """Cut ``text`` at the first end-of-turn token that follows some content (``4.</s>`` -> ``4.``)."""
    k = text.find("<")
    if k < 0:
        return text
    if text.count("<", k, k + 20_000) <= 64:  # the usual case: a few "<" ("x < 3"), looked at one by one
        found = False
        while k >= 0:
            if text.startswith(_MAY_END, k) and _END_TOKENS.match(text, k):
                found = True
                if text[:k].strip():
                    return text[:k]
            k = text.find("<", k + 1)
        if not found:
            return text
    for m in _END_TOKENS.finditer(text):  # many "<": one regex scan
        if text[: m.start()].strip():
            return text[: m.start()]
    return _END_TOKENS.sub("", text)


_TAIL = 3000
# A statement that declines to answer: its numbers are not an answer.
_REFUSAL = re.compile(_first_chars(
    "cCuUiInNwWdDsS无不",
    r"(?i:\b(?:cannot|can\s*not|can't|unable\s+to|impossible\s+to|not\s+possible|no\s+way\s+to|"
    r"not\s+(?:enough|sufficient)\s+information|insufficient|unclear|not\s+(?:be\s+)?determin\w*|"
    r"without\s+(?:more|additional|further)\s+(?:information|context|data)|"
    r"(?:does|do|did)(?:n't|\s+not)\s+(?:provide|give|show|contain|include|mention|specify)|"
    r"(?:does|do|did)(?:n't|\s+not)\s+have\s+(?:enough\s+|sufficient\s+|any\s+|the\s+)?(?:information|data|context|details)|"
    r"no\s+(?:information|data)\s+(?:about|on|is|are|regarding)|not\s+(?:provided|given|shown|visible)\b|sorry)\b)"
    r"|无法|不能确定|不确定"
))
# Sentence ends: ". " (not the point of "3.5"), "! ", "? ", and the CJK full stops anywhere.
# A full stop after a title ("Mr. Park", "Dr. Lee", "St. Louis") does not end the sentence. The
# checks follow the "." so that a search still jumps from full stop to full stop.
FULL_STOP = r"\." + "".join(f"(?<!\\b{t}\\.)" for t in ("Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Mt", "Jr", "Sr", "Ft"))
_SENT_END = re.compile(FULL_STOP + r"(?=\s|$)|[!?](?=\s|$)|[。！？；]")


def _sentences(line: str) -> list[str]:
    parts, last = [], 0
    for m in _SENT_END.finditer(line):
        parts.append(line[last : m.end()])  # the terminator is kept: a question is not an answer
        last = m.end()
    parts.append(line[last:])
    return [p.strip() for p in parts if p.strip()]


# Elements: math spans (Pandoc's rule for $…$: no space just inside either dollar, no digit right
# after the closing one, so "$7 - $5 = $2" is currency), bold values and numbers.
_ELEMENT = re.compile(_first_chars(
    r"$\\*\[\d+\-−",
    r"(?P<dmath>\$\$(?P<dm>[^$]{1,400}?)\$\$)"
    r"|(?P<bmath>\\\[(?P<bm>.{1,400}?)\\\])"
    r"|(?P<pmath>\\\((?P<pm>.{1,400}?)\\\))"
    r"|(?P<imath>(?<![\\$])\$(?P<im>[^\s$](?:[^$\n]{0,300}?[^\s$\\])?)\$(?!\d))"
    r"|(?P<bold>\*\*(?P<bo>[^*\n]{1,80}?)\*\*)"
    r"|(?P<blist>(?<!\\)\[(?P<bl>[-−+\d.,\s]{1,200})\])"  # "[0, 5]": a list answer (TheoremQA)
    r"|(?P<num>(?<![\w.^_{])(?<![\w'.^_]\()(?<![A-Za-z)][-+*/])(?<![A-Za-z)] [-+*/])[-−+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
    r"(?:\s*/\s*\d+(?:\.\d+)?)?(?:\s*(?:\\?%|percent\b))?(?!\d)"
    r"(?!D\b)"  # "a 3D object", "2D plane": a dimension, not a value
    r"(?!\s*(?:\\cdot|\\times|[*×·^])))",  # an operand of a product or a power is not a value
))
_COPULA = re.compile(_first_chars(
    "iIaAwWbBeEgGyYcCtTrR=:≈为是等得＝：",
    r"(?i:\b(?:is|are|was|were|be|equals?|equal\s+to|gives?|yields?|becomes?|comes\s+to|totals?|"
    r"amounts?\s+to|remains?)\b)"
    r"|(?<![<>=!])=(?!=)|:|≈|为|是|等于|得|＝|："
))
_JOIN = re.compile(
    r"\s*(?:,?\s*(?:or|and|to|and/or|或|和|与|至)\s*(?:[A-Za-z]\w{0,3}\s*=\s*)?|\s*[-–~]\s*|,\s*)", re.IGNORECASE
)
# A number after a comparison is a bound, not the stated value ("values smaller than 6 is 0").
_BOUND_BEFORE = re.compile(_first_chars(
    "fFlLmMgGsShHbBoOaAuUeE<>≤≥\\\\大小超不至",
    r"(?i:\b(?:fewer|less|more|greater|larger|smaller|higher|lower|bigger|other)\s+than|\bat\s+(?:least|most)"
    r"|\bup\s+to|\b(?:below|above|over|under|exceeds?|exceeding|except|besides|beyond)|[<>≤≥]|\\[lg]eq?)\s*\$?\s*$"
    r"|(?:大于|小于|超过|不足|至少|至多)\s*$"
))
# Two values with an "or" between them, however worded ("3 or maybe 4", "3, or possibly even 4").
_OR_GAP = re.compile(r"[^.;!?\n]{0,40}?(?i:\bor\b|\beither\b|或者?)[^.;!?\n]{0,40}")
_WORD = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")
_LATEX_CMD = re.compile(r"\\[A-Za-z]+")


def declines(text: str) -> bool:
    """Does ``text`` say the answer cannot be found ("cannot be determined", "无法确定")?"""
    return _REFUSAL.search(text[-_TAIL:]) is not None


# Function names written without a backslash are maths, not words ("3 sin x").
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp sqrt pi mod gcd lcm "
    "max min lim det dx dy dt inf infty".split()
) | {"or", "and", "或", "和"}  # joins between values are not words either


def starts_with_value(text: str) -> bool:
    """Does ``text`` begin with a value ("5 cm", "$3$ or 4"), not with words?"""
    m = _ELEMENT.search(text)
    return m is not None and not text[: m.start()].strip(" *([")


_CJK_MATH = re.compile("根号|分之|平方|立方|倍")  # "2根号3", "3分之1": maths written in words


def has_words(text: str, minimum: int = 2) -> bool:
    """Does ``text`` read as a sentence (words outside math), not a bare value?"""
    outside = _ELEMENT.sub(" ", _CJK_MATH.sub(" ", text) if not text.isascii() else text)
    outside = _LATEX_CMD.sub(" ", outside) if "\\" in outside else outside
    count = 0
    for m in _WORD.finditer(outside):
        if m.group().lower() not in _MATH_WORDS:
            count += 1
            if count >= minimum:
                return True
    return False


_NUMBER_WORDS = {
    w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"}
_NUMBER_WORD = re.compile(r"\b(?i:" + "|".join(_NUMBER_WORDS) + r")\b")


_WORD_COPULA = re.compile(
    r"(?i:\b(?:is|are|was|were|be|equals?|there's|remains?)\s+"
    r"(?:(?:only|exactly|just|about|still|now)\s+)?(?:(?:a\s+total\s+of|in\s+total|altogether)\s+)?$)"
)


def _word_elements(statement: str) -> list[re.Match[str]]:
    """Cardinal words ("there are three objects left") as values: only in a statement with no
    digit or math at all, and only right after a copula, so "one of them" or "the two people"
    is never read as an answer."""
    return [
        m for m in _NUMBER_WORD.finditer(statement)
        if _WORD_COPULA.search(statement[max(0, m.start() - 30) : m.start()])
    ]


def _content(m: re.Match[str]) -> str:
    if m.re is _NUMBER_WORD:
        return _NUMBER_WORDS[m.group().lower()]
    for group in ("dm", "bm", "pm", "im", "bo"):
        text = m.group(group)
        if text is not None:
            return text.strip()
    if m.group("bl") is not None:
        return m.group().strip()
    return m.group("num").replace("−", "-").strip()


# "840 ways to select 2 men and 3 women", "51,200 bits if the rate rises from 10 to 100 Mbps":
# a value that opens the statement, the noun it counts, then a clause that says what for.
_POST_MODIFIER = re.compile(
    r"[ \t]*(?P<noun>[A-Za-z][\w'-]*(?:[ \t]+[A-Za-z][\w'-]*){0,3}?)[ \t]*\(?[ \t]*"
    r"(?i:to|for|of|with|from|in|if|due[ \t]+to|given|when|using|needed|required)\b"
)
_NOT_A_NOUN = re.compile(
    r"(?i:\b(?:or|and|but|nor|either|neither|maybe|perhaps|possibly|probably|respectively|then|than|plus|"
    r"minus|times|over|per|is|are|was|were|not|instead|otherwise|alternatively)\b)"
)
_HEDGE_AFTER = re.compile(
    r"(?i:\b(?:or|either|but|alternatively|otherwise|instead|respectively|maybe|perhaps|possibly)\b)|/|;"
)


def _leading_value(statement: str, elements: list[re.Match[str]]) -> str | None:
    """The value a copula-free statement opens with, when every other value sits in the clause
    after the noun it counts ("56 ways to order a pizza with 3 toppings" -> 56); None otherwise.

    Not for "2 or 3 ways", "840 ways, or 420 if ...", "10 ways when x = 2 and 20 ways when
    x = 3" (an alternative, or the counted noun again): those stay several values.
    """
    first = elements[0]
    if len(elements) < 2 or statement[: first.start()].strip(_QUOTES):
        return None
    m = _POST_MODIFIER.match(statement, first.end())
    if m is None or _NOT_A_NOUN.search(m.group("noun")):
        return None
    rest = statement[m.end() :]
    head = m.group("noun").split()[-1]
    if _HEDGE_AFTER.search(rest) or re.search(r"\b" + re.escape(head) + r"\b", rest, re.IGNORECASE):
        return None
    return _content(first)


def _joined_values(statement: str, first: re.Match[str], elements: list[re.Match[str]]) -> list[str]:
    """``first`` with the elements joined to it ("2 or 3", "between 2 and 3", "x = 1 or x = 2")."""
    idx = elements.index(first)
    while idx > 0 and _JOIN.fullmatch(statement[elements[idx - 1].end() : elements[idx].start()]):
        idx -= 1
    first = elements[idx]
    values = [_content(first)]
    if idx > 0 and _OR_GAP.fullmatch(statement[elements[idx - 1].end() : first.start()]):
        values.insert(0, _content(elements[idx - 1]))  # "$3$ or maybe $4$"
    end = first.end()
    for nxt in elements[idx + 1 :]:
        gap = statement[end : nxt.start()]
        if not _JOIN.fullmatch(gap):
            break
        values.append(_content(nxt))
        end = nxt.end()
    later = [m for m in elements if m.start() >= end]
    if later and _OR_GAP.fullmatch(statement[end : later[0].start()]):
        values.append(_content(later[0]))  # "3, or possibly 4"
    return values


_QUOTES = "`'\"*“”‘’ "
_TRUTH_START = re.compile(r"^[`'\"*“‘\s]{0,3}(True|False)(?![A-Za-z])", re.IGNORECASE)
_TRUTH_AFTER = re.compile(
    r"(?i:\b(?:is|are|be|was|:)\s*[`'\"*“‘]{0,3}\s*(true|false)(?![A-Za-z]))"
)


def _truth_value(statement: str) -> str | None:
    """"True: closing is dilation then erosion", "the statement is true", "`False'": the truth
    value stated, as ``True`` / ``False``; None when the statement states none."""
    if "rue" not in statement and "alse" not in statement and "RUE" not in statement and "ALSE" not in statement:
        return None
    m = _TRUTH_START.match(statement)
    if m is None:
        found = list(_TRUTH_AFTER.finditer(statement))
        m = found[-1] if found else None
    return m.group(1) if m is not None else None


# "x大于或等于-1": one relation ("等于" alone is a copula here: "x等于3" states 3)
_CN_RELATION_ONLY = re.compile(
    r"\s*[A-Za-z]\w{0,3}\s*(?:" + "|".join(w for w in CN_RELATION_WORDS if w != "等于") + r")"
    r"\s*[-+−]?[\w.\\{}^/()]+\s*[。.]?\s*",
    re.ASCII,
)


_ENUMERATION = re.compile(r"^\s*(?i:step|part|case)\s*\d{1,3}\s*[).:]\s*(?=[^\n]*[A-Za-z])")
_PRECISION = re.compile(
    r"\(?\s*(?i:(?:correct|accurate|accurately|rounded|round|to|in|with|up)\s+){0,3}\d{1,2}\s*"
    r"(?i:sig(?:nificant)?\.?\s*(?:fig(?:ure)?s?|digits?)\.?|s\.\s?f\.|d\.\s?p\.|decimal\s+(?:places?|digits?|points?))"
    r"\s*\)?"
)


def reduce_statement(statement: str) -> list[str]:
    """The value(s) a statement gives: ``[]`` none, one item, or several joined ones.

    >>> reduce_statement("The smallest such $k$ is 12")
    ['12']
    >>> reduce_statement("Total: 374 + 305 = 679 words")
    ['679']
    >>> reduce_statement("The nail is between 2 and 3 inches long")
    ['2', '3']
    >>> reduce_statement("56 ways to order a pizza with 3 toppings")
    ['56']
    """
    statement = statement[-_TAIL:]
    if _REFUSAL.search(statement):
        return []
    if "于" in statement and _CN_RELATION_ONLY.fullmatch(statement):
        return []  # "x大于或等于-1" is itself the answer, a relation: nothing to reduce
    # "Step 6) Therefore, Paul should buy 5 Twinkies": the step's number is not a value; nor is the
    # count of a precision note ("5.9 MiB (3 sig. fig.)", "rounded to 3 decimal places")
    if statement[:1] in "SsPpCc ":  # ("(3) Banach's theorem" may be option 3: left alone)
        statement = _ENUMERATION.sub("", statement, count=1)
    if "ig" in statement or "IG" in statement or "ecimal" in statement or ".p." in statement or ".f." in statement:
        statement = _PRECISION.sub(" ", statement)
    truth = _truth_value(statement)
    if truth is not None:
        return [truth]
    def stated(found: list[re.Match[str]]) -> list[re.Match[str]]:
        return [
            m for m in found
            if _content(m) and not _BOUND_BEFORE.search(statement[max(0, m.start() - 24) : m.start()])
        ]

    elements = stated(list(_ELEMENT.finditer(statement))) or stated(_word_elements(statement))
    if not elements:
        return []
    # The element after the last copula that has one; copulas inside math spans do not count.
    spans = [(m.start(), m.end()) for m in elements if m.lastgroup not in ("num", None)]
    copulas = [c for c in _COPULA.finditer(statement) if not any(s <= c.start() < e for s, e in spans)]
    for c in reversed(copulas):
        after = [m for m in elements if m.start() >= c.end()]
        if after:
            return _joined_values(statement, after[0], elements)
    if not copulas:
        lead = _leading_value(statement, elements)
        if lead is not None:
            return [lead]
        # no copula says which value is the answer: several different ones are a hedge
        distinct = list(dict.fromkeys(_content(m) for m in elements))
        if len(distinct) > 1:
            return distinct
    return _joined_values(statement, elements[-1], elements)


# Closing pleasantries after the answer ("I hope this helps!", "Let me know if …").
_CLOSING = re.compile(
    r"(?i:\bhope\b|let\s+me\s+know|feel\s+free|happy\s+to\s+help|good\s+luck|\bthank|any\s+(?:other|more|further)\s+questions?"
    r"|\bclarif|help\s+you|assist\s+you|is\s+(?:it\s+)?correct\b|希望|如有)"
)


_BLANK = re.compile(r"(?<![\w\\])_{2,}|(?:\\_){2,}|＿{2,}")


def final_statement(text: str, max_skip: int = 2) -> str | None:
    """The last statement of ``text`` that holds a value, skipping a few closing pleasantries.

    A closing line that declines to answer stops the search (None). Only the last few thousand
    characters are read.
    """
    tail = text[-_TAIL:]
    skipped = 0
    lines = [ln for ln in tail.split("\n") if ln.strip()]
    for k in range(len(lines) - 1, -1, -1):
        for sentence in reversed(_sentences(lines[k])):
            if _REFUSAL.search(sentence):
                return None
            if _BLANK.search(sentence):
                # "1, 2, 3, __, 5": the question echoed with its blank, not the answer to it
                skipped += 1
                if skipped > max_skip:
                    return None
                continue
            if (
                _ELEMENT.search(sentence)
                or (has_words(sentence, 3) and _NUMBER_WORD.search(sentence))
                or _truth_value(sentence) is not None
            ):
                if not has_words(sentence, 1) and (k == 0 or not has_words(lines[k - 1], 1)):
                    return None  # "4\n2": bare values, no prose to say which one is the answer
                return sentence
            skipped += 1
            closing = len(sentence) <= 60 or sentence.endswith(("?", "？")) or _CLOSING.search(sentence)
            if skipped > max_skip or not closing:
                return None  # a concluding sentence that states no value: no answer
    return None


# -- several answers against a gold that is a collection ---------------------------------------
_ITEM_SEP = re.compile(
    r"\\q?quad|\\text\{\s*(?:and|和|,)\s*\}|\s+(?:and|和|与)\s+|[;；、]|(?<=\d)\s*和\s*(?=\d)"
)
_LHS = re.compile(r"^\s*([A-Za-z](?:_\{?\w+\}?)?)\s*=\s*(?=\S)")


def is_collection(golds: object) -> bool:
    """Is some gold alternative a collection of several values (``1, 3``, ``\\{1,3\\}``)?"""
    if not golds:
        return False
    for g in golds:  # type: ignore[attr-defined]
        # Kind is a str enum: == against its value, no import of the parsing layer needed
        if (g.kind == "list" or g.kind == "set") and len(g.items) > 1:
            return True
    return False


def collection_text(ext: object) -> str | None:
    """Several answers as one comma-separated collection, for a gold that is one.

    The candidates of a "hedge" (``\\boxed{1}`` and ``\\boxed{3}``; "1 and 3") or the parts of
    one answer joined by ``\\quad`` / "and" / "和" / ";". A shared left-hand side is dropped
    (``x=1 \\quad x=2`` -> ``1, 2``). None: a single answer.
    """
    candidates = getattr(ext, "candidates", ())
    items = list(candidates) if getattr(ext, "hedge", False) and len(candidates) > 1 else []
    if not items:
        items = answer_parts(getattr(ext, "answer", None) or "")
        if len(items) < 2:
            return None
    return ", ".join(_drop_shared_lhs(items))


def answer_parts(answer: str) -> list[str]:
    """The parts of one answer joined by ``\\quad``, ";", "和" or "and" (``[answer]`` if none)."""
    if len(answer) > 2000 or not _ITEM_SEP.search(answer):
        return [answer] if answer else []
    return [p for p in (q.strip(" ,") for q in _ITEM_SEP.split(answer)) if p]


def _drop_shared_lhs(items: list[str]) -> list[str]:
    lhs = {m.group(1) if (m := _LHS.match(it)) else None for it in items}
    if len(lhs) == 1 and None not in lhs:
        return [_LHS.sub("", it, count=1) for it in items]
    return items


def several_values(answer: str) -> bool:
    """Does one answer give several different values ("x=1 \\quad x=2", "1; 2")? A hedge against a
    single-valued gold."""
    if "quad" not in answer and ";" not in answer and "；" not in answer and "和" not in answer:
        return False
    parts = [p for p in re.split(r"\\q?quad|[;；]|和", answer) if p.strip(" ,{}")]
    if len(parts) < 2:
        return False
    values = {"".join(p.split()) for p in _drop_shared_lhs([p.strip() for p in parts])}
    return len(values) > 1 and all(any(c.isdigit() for c in v) or len(v) <= 3 for v in values)
