"""Which option a multiple-choice completion chose: letters, letters with content, option text.

Everything here reads untrusted text, so every pattern is linear-time (bounded or
boundary-anchored quantifiers, no nested repetition) and only the tail of a long completion is
searched. Results are a letter ``"A"``–``"J"``, :data:`HEDGE` (several different options
chosen, or every option listed), :data:`CONTRA` (a letter whose stated content is another
option's, or a different value from its own) or ``None`` (no option named).
"""

from __future__ import annotations

import cmath
import math
import re
from collections.abc import Sequence
from functools import lru_cache

from ..letters import LETTERS, own_label
from ..parsing.normalize import normalize

HEDGE = False  # several different options chosen
CONTRA = "contradiction"  # a letter whose stated content is not that option

_TAIL = 4000
_MAX_CONTENT = 300  # content longer than this is not compared with option texts

# ---------------------------------------------------------------- a whole (extracted) answer

_ONLY = re.compile(r"^[(\[【]?([A-J])[)\]】]?[.:]?$")
_ONLY_LOWER = re.compile(r"^\(([a-j])\)[.:]?$")  # "\boxed{(e)}", "\text{(d)}": parenthesised only
_SEP = r"(?:\s*(?:,|;|&|/|\band\b|\bor\b)\s*|\s+)"
_LETTER_LIST = re.compile(rf"^\(?[A-J]\)?(?:{_SEP}\(?[A-J]\)?)+[.]?$")
# "Option B", "choice (C)", "选项B": a leading word that only announces the letter.
_OPTION_WORD = re.compile(r"^(?i:(?:the\s{1,3})?(?:option|choice|answer)\s{0,3}:?\s{0,3}|选项\s{0,3}|选\s{0,3})")
# "(B) 42", "(C): 10°", "B) 42", "B. 42", "B: 42", "B - 42" — a bare letter needs punctuation to
# lead an answer ("A careful…", "I think…").
_LEAD = re.compile(r"^(?:\(([A-J])\)\s{0,3}[.:,\-–]?|([A-J])\s{0,3}[.:)\-–](?![0-9]))(?:\s|$)(.*)$", re.S)
_LEAD_TIGHT = re.compile(r"^(?:\(([A-J])\)|([A-J])[.:)])(?=[^\sA-Za-z0-9.])(.*)$", re.S)  # "(A)$10$"
# "B (no)", "D (xenacanthus)", "A (9π)": a letter, then its content in parentheses.
_LEAD_PAREN = re.compile(r"^([A-J])\s{0,3}\((.{1,300})\)\s{0,3}[.!]?$", re.S)
_QUOTED = re.compile(r"^[\"“'‘]([^\"“”'‘’\n]{1,200}?)[.,]?[\"”'’]")
_QUOTED_LETTER = re.compile(r"^[\"“'‘]\(?([A-J])\)?[.:]?[\"”'’]")
_TRAIL = re.compile(r"[\s.!;,。！；，]+$")


def _strip_answer(text: str) -> str:
    return _strip_short(text) if len(text) <= 400 else _strip_short.__wrapped__(text)


@lru_cache(maxsize=8192)
def _strip_short(text: str) -> str:
    if "（" in text or "）" in text:
        text = text.replace("（", "(").replace("）", ")")
    text = normalize(text).strip()
    if "*" in text:
        text = text.strip("*").strip()
        if text.startswith("(") and "**" in text[:6]:  # "**(B)** 42" after the outer strip
            text = text.replace("**", "")
    return text


def read_answer(answer: str, options: Sequence[str] | None = None) -> str | bool | None:
    """The option an extracted final answer names (a letter, HEDGE, CONTRA or None)."""
    text = _strip_answer(answer)
    if not text:
        return None
    if text[0] in "\"“'‘":  # '"C." The supply of salmon will stay the same', '"soup." Soup is …'
        m = _QUOTED.match(text)
        if m and not _QUOTED_LETTER.match(text):
            return read_answer(m.group(1), options)
        text = _QUOTED_LETTER.sub(r"\1)", text, count=1)
    m = _OPTION_WORD.match(text)
    if m and m.end() < len(text):
        rest = text[m.end() :].lstrip()
        if rest[:1] == "(" or (rest[:1] in LETTERS and (len(rest) == 1 or not rest[1].isalpha())):
            text = rest
    if len(text) <= 60 and _LETTER_LIST.match(text):
        letters = set(re.findall(r"[A-J]", text))
        return letters.pop() if len(letters) == 1 else HEDGE
    m = _ONLY.match(text)
    if m:
        return _unambiguous(m.group(1), text, options)
    m = _ONLY_LOWER.match(text)
    if m:
        return _unambiguous(m.group(1).upper(), text, options)
    m = _LEAD_PAREN.match(text)
    if m:
        return agree(m.group(1), m.group(2), options)
    m = _LEAD.match(text) or _LEAD_TIGHT.match(text)
    if m:
        return agree(m.group(1) or m.group(2), m.group(3), options)
    got = cue_choice(text[-_TAIL:], options) if len(text) > 2 else None
    if got is not None:
        return got
    if options:
        return option_named(text, options)
    return None


def leads_with_letter(answer: str) -> bool:
    """Whether an answer opens with its option letter ("(B) Does Linda's snowboard … or …?")."""
    text = _strip_answer(answer)
    return bool(_LEAD_PAREN.match(text) or _LEAD.match(text) or _LEAD_TIGHT.match(text))


def _letterish(option: str) -> bool:
    """An option text that could read as a letter ("B", "(b)", "$\\text{B}$")."""
    if len(option) > 24:
        return False
    core = option.replace("$", "").replace("\\text", "").replace("\\mathrm", "").strip("(){} .*")
    return len(core) == 1 and core.isalpha()


def _unambiguous(letter: str, text: str, options: Sequence[str] | None) -> str | None:
    """A lone letter, unless it is also the text of another option ("(b)" when D is "(b)")."""
    if options and any(_letterish(str(o)) for o in options):  # options that are letters themselves
        key = canon(text)
        for i, option in enumerate(options[: len(LETTERS)]):
            if canon(option) == key and LETTERS[i] != letter:
                return CONTRA  # a letter that is also another option's text: ambiguous
    return letter


# ---------------------------------------------------------------- option texts


def clean_options(options: Sequence[object] | None) -> list[str] | None:
    """Option texts without their own labels: ["A. 3", "(B) 4"] -> ["3", "4"] (only when the
    label is that option's own letter); None for no options."""
    if not options:
        return None
    return list(_clean_options(tuple(str(o) for o in options[: len(LETTERS)])))


@lru_cache(maxsize=2048)
def _clean_options(options: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for i, o in enumerate(options):
        label = own_label(o)
        if label is not None and not o[label[1] :].strip():
            out.append("")  # "(E)" and nothing else: a label with no content, not an option text
            continue
        own = label is not None and label[0] == LETTERS[i] and label[1] < len(o)
        out.append(o[label[1] :] if own else o)  # type: ignore[index]
    return tuple(out)


_ROOT_BRACES = re.compile(r"√\{([^{}]{1,20})\}")


def canon(text: str) -> str:
    """Option text compared as written: normalised, lower case, no spacing or end punctuation."""
    return _canon(str(text)) if len(text) <= 400 else _canon.__wrapped__(str(text))


_PLAIN_WORDS = re.compile(r"[A-Za-z ,.'?!-]{1,400}")  # nothing for normalize() to do but spacing


@lru_cache(maxsize=8192)
def _canon(text: str) -> str:
    if _PLAIN_WORDS.fullmatch(text):
        return _TRAIL.sub("", "".join(text.lower().split()))
    key = _TRAIL.sub("", "".join(normalize(str(text)).lower().split()))
    return _ROOT_BRACES.sub(r"√\1", key) if "√" in key else key


def _is_value(text: str) -> bool:
    """A short stated value ("140°", "5√3 m", "0.33%"), not a sentence that mentions numbers."""
    t = text.strip().lstrip("$")
    return bool(t) and len(t) <= 40 and (t[0].isdigit() or t[0] in "-+.\\√π(") and len(t.split()) <= 3


def _looks_math(text: str) -> bool:
    return any(c.isdigit() for c in text) or "\\" in text or "π" in text or "√" in text


_RATIO = re.compile(r"^\s{0,3}\$?\s{0,3}([^:$]{1,40}?)\s{0,3}:\s{0,3}([^:$]{1,40}?)\s{0,3}\$?\s{0,3}$")


def _ratio(answer: str, option: str) -> str:
    """A ratio option "5:12" as the fraction "\\frac{5}{12}" when the answer is not a ratio."""
    if ":" in option and ":" not in answer:
        m = _RATIO.match(option)
        if m:
            return f"\\frac{{{m.group(1)}}}{{{m.group(2)}}}"
    return option


@lru_cache(maxsize=8192)
def _number(text: str) -> tuple[object, bool] | None:
    """(value, percent) of a plain number ("6 cm", "40^\\circ", "0.5"), None for anything else."""
    from ..parsing.values import Kind, parse_value

    try:
        v = parse_value(text)
    except Exception:  # noqa: BLE001
        return None
    if v is None or v.kind is not Kind.NUMBER or v.number is None:
        return None
    return v.number, bool(v.percent)


@lru_cache(maxsize=8192)
def _signature(text: str) -> tuple[str, object] | None:
    """A cheap fingerprint for prefiltering: ("num", float value) of a constant expression,
    ("sym", its free symbols) otherwise; None when the expression parser cannot read it."""
    from ..parsing import expr as X

    try:
        e = X.parse_expr(normalize(text), max_len=300)
        names = e.free_symbols()
        if names:
            return "sym", frozenset(names)
        return "num", _float(e, X, 0)
    except Exception:  # noqa: BLE001  (unsupported, undefined or too large: no fingerprint)
        return None


_FLOAT_FUNCS = {"sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "ln": cmath.log, "sqrt": cmath.sqrt}


def _float(e: object, X: object, depth: int) -> complex:
    """Double-precision value of a constant expression (raises when it has no cheap value)."""
    if depth > 60:
        raise ValueError("too deep")
    t = type(e)
    if t is X.Num:  # type: ignore[attr-defined]
        return complex(float(e.value))  # type: ignore[attr-defined]
    if t is X.Const:  # type: ignore[attr-defined]
        return {"pi": complex(math.pi), "e": complex(math.e), "i": 1j}[e.name]  # type: ignore[attr-defined]
    if t is X.Neg:  # type: ignore[attr-defined]
        return -_float(e.arg, X, depth + 1)  # type: ignore[attr-defined]
    if t is X.Add:  # type: ignore[attr-defined]
        return sum((_float(a, X, depth + 1) for a in e.args), 0j)  # type: ignore[attr-defined]
    if t is X.Mul:  # type: ignore[attr-defined]
        acc = 1 + 0j
        for a in e.args:  # type: ignore[attr-defined]
            acc *= _float(a, X, depth + 1)
        return acc
    if t is X.Div:  # type: ignore[attr-defined]
        return _float(e.num, X, depth + 1) / _float(e.den, X, depth + 1)  # type: ignore[attr-defined]
    if t is X.Pow:  # type: ignore[attr-defined]
        base, exp = _float(e.base, X, depth + 1), _float(e.exp, X, depth + 1)  # type: ignore[attr-defined]
        if abs(exp) > 64:
            raise ValueError("large power")
        return base**exp
    if t is X.Func and e.name in _FLOAT_FUNCS and len(e.args) == 1:  # type: ignore[attr-defined]
        return _FLOAT_FUNCS[e.name](_float(e.args[0], X, depth + 1))  # type: ignore[attr-defined]
    raise ValueError("no cheap value")


def _may_equal(a: str, b: str) -> bool:
    """False only when the fingerprints prove two values different (then no comparison runs)."""
    if _prose(b):
        return False  # "a number between 3π/2 and 2π": not a value
    sa, sb = _signature(a), _signature(_ratio(a, b))
    if sa is None or sb is None:
        return True
    if sa[0] != sb[0]:
        return False  # free symbols against a constant
    if sa[0] == "sym":
        return sa[1] == sb[1]
    va, vb = sa[1], sb[1]
    return abs(va - vb) <= 1e-9 * max(abs(va), abs(vb), 1e-300)  # type: ignore[operator]


@lru_cache(maxsize=4096)
def _same_value(answer: str, option: str) -> bool | None:
    """True / False when the fast math tiers tell, None otherwise (never SymPy, never a worker)."""
    from ..sample import Sample
    from .specs import build  # late: specs imports the tiers

    option = _ratio(answer, option)
    a, b = _number(answer), _number(option)
    if a is not None and b is not None and a[1] == b[1]:
        return a[0] == b[0]  # two plain numbers (units and degrees stripped): exact rationals
    try:
        sample = Sample(answer, option)
        d = build("exact > numeric > fraction > latex").decide(sample)  # no slow tier in it
    except Exception:  # noqa: BLE001  (a grader never raises on model text)
        return None
    if d is None:
        return None
    return d.score >= 1.0


_UNIT_TAIL = re.compile(
    r"(?<=[0-9})])(?:[a-z]{1,3}(?:\^\{?[23]\}?)?|平方米|立方米|平方厘米|厘米|毫米|千米|海里|米|元|秒|分钟|小时|度|个|千克|克)$"
)
_WORD = re.compile(r"[A-Za-z]{3,}")
_WORDS = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")
_COMMAND = re.compile(r"\\[A-Za-z]+")


def _split_unit(key: str) -> tuple[str, str]:
    """A canonical key as (value, unit): "160√3m" -> ("160√3", "m"), "3.85米" -> ("3.85", "米")."""
    m = _UNIT_TAIL.search(key)
    return (key[: m.start()], m.group()) if m and m.start() else (key, "")


def _prose(text: str) -> bool:
    """Words around the value ("The perimeter can never be 34 or 38"): not a value to compare."""
    return len(_WORD.findall(_COMMAND.sub(" ", text))) >= 2


def same(content: str, option: str) -> bool | None:
    """Whether stated content is an option's text: as written, or the same value."""
    a, b = canon(content), canon(option)
    if not a or not b:
        return None
    if a == b:
        return True
    if len(content) > _MAX_CONTENT or not (_looks_math(a) and _looks_math(b)) or _prose(content):
        return False
    (va, ua), (vb, ub) = _split_unit(a), _split_unit(b)
    if va == vb and (ua == ub or not ua or not ub):
        return True  # "5√3 m" is "5√{3}m"; "3.85" is "3.85米"
    a, b = content.strip(), str(option).strip()
    num_a, num_b = _number(a), _number(b)
    if num_a is not None and num_b is not None and num_a[1] == num_b[1]:
        return num_a[0] == num_b[0]
    if not _may_equal(a, b):
        return False
    return _same_value(a, b)


def option_named(text: str, options: Sequence[str]) -> str | bool | None:
    """The one option whose content the answer states in full (None: none or several).

    Cheapest first: the text as written, then plain numbers (units and degrees stripped), then
    the fast math tiers; an answer that is a plain number is compared only with plain-number
    options when there are any.
    """
    opts = list(options[: len(LETTERS)])
    key = canon(text)
    if not key:
        return None
    hits = {LETTERS[i] for i, o in enumerate(opts) if canon(o) == key}
    if not hits and _looks_math(key) and not _prose(text):
        va, ua = _split_unit(key)
        for i, o in enumerate(opts):
            vb, ub = _split_unit(canon(o))
            if va == vb and (ua == ub or not ua or not ub):
                hits.add(LETTERS[i])
    if not hits and len(text) <= _MAX_CONTENT and _looks_math(key) and not _prose(text):
        num = _number(text.strip())
        numbers = [_number(str(o).strip()) for o in opts] if num is not None else []
        if num is not None and any(n is not None for n in numbers):
            hits = {LETTERS[i] for i, n in enumerate(numbers) if n is not None and n[1] == num[1] and n[0] == num[0]}
        else:
            t = text.strip()
            hits = {
                LETTERS[i] for i, o in enumerate(opts)
                if _looks_math(canon(o)) and _may_equal(t, str(o).strip()) and _same_value(t, str(o).strip())
            }
    if len(hits) == 1:
        return hits.pop()
    if not hits and _WORDS.search(_COMMAND.sub(" ", text) if "\\" in text else text):
        return stated_in_sentence(text, options)  # a sentence, not a bare value or expression
    return None


_STOP = frozenset(
    "the and are was were this that with for from into than then there their they its it's not"
    " has have had will would can could should which what when where who whom".split()
)


_META = re.compile(r"(?i:^\s*(?:is|was|as|because|since|which|seems|appears)\b|\b(?:answer|correct|option|choice|right)\b)")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


def _unrelated(content: str, option: str) -> bool:
    """Text content that shares no word with its option's text (both worded, no numbers)."""
    if _looks_math(option) or _looks_math(content) or _META.search(content):
        return False  # "(B) is the correct answer" says nothing about the option's text
    a, b = _stems(content), _stems(option)
    return bool(a) and bool(b) and not (a & b)


def agree(letter: str, content: str, options: Sequence[str] | None) -> str | bool | None:
    """``letter`` unless its stated ``content`` contradicts that option (then CONTRA)."""
    content = content.strip()
    if "(" in content and any(x != letter for x in _PAREN_LETTER.findall(content)):
        return HEDGE  # "(A) Paris or (B) London"
    if not options or not content or len(content) > _MAX_CONTENT:
        return letter
    idx = LETTERS.index(letter)
    opts = list(options[: len(LETTERS)])
    if idx >= len(opts):
        return letter
    own = opts[idx]
    if same(content, own):
        return letter
    ckey, okey = canon(content), canon(own)
    if okey and not _looks_math(okey) and ckey.startswith(okey) and not ckey[len(okey) : len(okey) + 1].isalnum():
        return letter  # "(A) Yes. There are fewer …"
    if any(same(content, o) for j, o in enumerate(opts) if j != idx):
        return CONTRA  # "(A) No" when B is "No"
    if _is_value(content) and _looks_math(okey) and same(content, str(own)) is False:
        return CONTRA  # "(D) 140°" when D is 20°
    if _unrelated(content, str(own)):
        return CONTRA  # "A) Olivia Colman" when A is "decrease"
    return letter


# ---------------------------------------------------------------- option content in a sentence

_COPULA = re.compile(r"(?:\b(?:is|are|was|were|be)|[:=])\s{1,3}(?:the\s{1,3})?$")
_SENT_NEGATION = re.compile(r"\b(?:not|cannot|never|neither|nor|no\s+longer)\b|n't\b")
_SENT_SPLIT = re.compile(r"(?<=[.!?。！？])\s+|\n")


_BEFORE_OK = frozenset(",:;\"'“‘(")
_AFTER_OK = frozenset(".,;:!?\"'”’)")


def _occurrences(low: str, ns: str, pos: list[int], key: str) -> list[tuple[int, int]]:
    """Where ``key`` (spacing-free) occurs in ``low`` bounded by spacing or punctuation, never by
    math: "10" is not stated in "10\\sqrt{3}+10". ``ns``/``pos``: ``low`` without spacing and
    the index in ``low`` of each of its characters. Linear: ``str.find`` from each hit on."""
    out = []
    n = len(low)
    j = ns.find(key)
    while j >= 0:
        a, b = pos[j], pos[j + len(key) - 1] + 1
        before = low[a - 1] if a else " "
        after = low[b] if b < n else " "
        if (before.isspace() or before in _BEFORE_OK) and (after.isspace() or after in _AFTER_OK):
            if not (after == "." and b + 1 < n and low[b + 1].isdigit()):
                out.append((a, b))
        j = ns.find(key, j + 1)
    return out


def stated_in_sentence(text: str, options: Sequence[str]) -> str | None:
    """The option whose text opens or closes the final sentence, when exactly one does.

    "If all the algae dies, the water flea population will decrease." names "decrease";
    "No, the function is not differentiable." names "No"; "The hottest month is July and August,
    with …" names "July and August" (after "is", up to a clause end). An option elsewhere in the
    sentence, or two options, name nothing. The last sentence is read first, then the first
    sentence of the last line.
    """
    tail = text[-600:].strip()
    if not tail:
        return None
    last_line = tail.splitlines()[-1] if "\n" in tail else tail
    sentences = [x for x in _SENT_SPLIT.split(last_line) if x.strip()]
    if not sentences:
        return None
    got = _stated(sentences[-1], options)
    if got is None and len(sentences) > 1:
        got = _stated(sentences[0], options)
    return got


def _stated(sentence: str, options: Sequence[str]) -> str | None:
    low = _TRAIL.sub("", normalize(sentence).lower().strip()).lstrip("\"“'‘*( ")
    low = _TRAIL.sub("", low.rstrip("\"”'’*) "))
    if "√" in low:
        low = _ROOT_BRACES.sub(r"√\1", low)
    if not low or len(low) > 400:
        return None
    pos = [i for i, c in enumerate(low) if not c.isspace()]
    ns = "".join(low[i] for i in pos)
    hits: set[str] = set()
    anchored: set[str] = set()
    for i, option in enumerate(options[: len(LETTERS)]):
        key = canon(option)
        if len(key) < 2 or len(key) > 200:
            continue  # one-character options ("A", "b") are letters, not stated text ("a" article)
        for start, end in _occurrences(low, ns, pos, key):
            hits.add(LETTERS[i])
            if _SENT_NEGATION.search(low, 0, start):
                continue  # "the population will not decrease", "it cannot be 5"
            after = low[end : end + 1]
            if (
                # "No, …" but not "No matter …": one word opens a sentence only with punctuation
                (start == 0 and (end == len(low) or after in ",.;:!" or " " in low[start:end]))
                or end == len(low)
                or (after in ",;:" and _COPULA.search(low, max(0, start - 12), start))
            ):
                anchored.add(LETTERS[i])
    if len(hits) == 1 and anchored == hits:
        return hits.pop()
    return None


# ---------------------------------------------------------------- a completion without a marked answer

# Cues that name the chosen option. Letters themselves are case-sensitive.
_CUE = re.compile(
    r"(?:(?i:\b(?:answer|option|choice|letter)(?:\s{1,3}(?:to|for|of)\s{1,3}[^.\n]{1,40}?)?\s{0,3}"
    r"(?:is|:|would\s{1,3}be|should\s{1,3}be|=)?"
    r"|\bmust\s{1,3}be|\bwe\s{1,3}get|\bchoose|\bselect|\bpick|\bgo\s{1,3}with"
    r"|\bis\s{1,3}(?=\(\s{0,2}[A-J]\s{0,2}\)))"
    r"|答案\s{0,2}(?:应该?|就)?\s{0,2}(?:是|为|选)?\s{0,2}[:：]?|故选|应选|选择|所以选|因此选|选项\s{0,2}(?:是|为)\s{0,2}[:：]?"
    r"|选(?=\s{0,2}\(?[A-J](?![A-Za-z]))"
    r")\s{0,3}:?\s{0,3}\**\s{0,2}[\"“'‘]?[(\[【]?([A-J])[)\]】]?(?![A-Za-z'])"
)
# "A is the correct option", "(C) is the best answer": the letter before its cue.
_CUE_BEFORE = re.compile(
    r"(?<![A-Za-z'])\(?([A-J])\)?\s{1,3}is\s{1,3}(?:the\s{1,3})?(?:(?i:correct|right|best)"
    r"(?:\s{1,3}(?i:answer|option|choice)|\s{0,2}[.!;,]|\s{0,2}$)|(?i:answer)\b)"
)
# A letter named in a clause that rules it out: "not B", "eliminating option B and option C".
_NEGATION = re.compile(
    r"(?i:\bnot\b|\bn't\b|eliminat\w*|\brule[sd]?\s+out|\bruling\s+out|exclud\w*|\bexcept\b)[^,.;:!?\n]*$"
)
_WRONG_AFTER = re.compile(
    r"\)?\s{0,3}(?i:is\s{1,3}(?:wrong|incorrect|false|not|eliminated|ruled\s+out|impossible)"
    r"|can\s{1,3}be\s{1,3}(?:eliminated|ruled\s+out)|isn't)"
)
_FINAL_LETTER = re.compile(
    r"(?:[.!?。]|(?i:\b(?:therefore|thus|hence|so)),?)\s{1,3}\**\(?([A-J])\)?\**\s{0,2}[.!]?\s{0,2}$"
)
_PAREN_LETTER = re.compile(r"\(([A-J])\)")
_MORE_LETTERS = re.compile(r"\s{0,3}(?:,|/|&|\bor\b|\band\b)\s{0,3}\(?([A-J])\)?(?![A-Za-z'])")
# What a cue's letter says it is: "(B) No.", "B (no)", "(C): 10°", "D. 140°" (to the clause end).
_AFTER_PAREN = re.compile(r"\s{0,3}\(([^()\n]{1,120})\)")
_AFTER_TEXT = re.compile(r"\s{0,3}[:.\-–]?\s{0,3}([^\n]{1,200})")
_CLAUSE_END = re.compile(r"\.(?=\s|$)|[。！!？?;；\n]|,\s+(?:which|because|since|so|as)\b")
# An echoed prompt: the model repeats the instruction or starts a new question.
_ECHO_START = re.compile(
    r"^\s{0,8}(?i:hint\s{0,2}:|question\s{0,2}:|choices\s{0,2}:|options\s{0,2}:|please\s{1,3}answer\b"
    r"|answer\s{1,3}with\s{1,3}the\b|answer\s{1,3}the\s{1,3}question\b)"
)
_ECHO_INSTR = re.compile(r"(?i:e\.g\.,?\s{0,3}A,\s{0,3}B,\s{0,3}C|option'?s?\s{1,3}letter\s{1,3}from|correct\s{1,3}option\s{1,3}letter,)")
_OPTION_LINE = re.compile(r"^\s{0,8}\(?[A-J][).:]")
_LAST_ANSWER_TAG = re.compile(r"<answer>\s{0,8}([^<]{1,300}?)\s{0,8}</answer>")
_END_TOKENS = ("</s>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|end|>", "<eoa>", "<eos>")


def _strip_end_tokens(text: str) -> str:
    """Without trailing chat-template tokens ("… (B) No.</s>")."""
    text = text.rstrip()
    while text.endswith(_END_TOKENS):
        for tok in _END_TOKENS:
            if text.endswith(tok):
                text = text[: -len(tok)].rstrip()
    return text


_LEAD_LINE = re.compile(r"^\s{0,8}(?:\(([A-J])\)\s{0,3}[.:]?|([A-J])[.:)])(?:\s(.{0,200}))?$")


def drop_echo(text: str) -> str:
    """The text without echoed prompt blocks (an instruction, a question and its choices)."""
    if not (_ECHO_START.search(text) or "Hint" in text or "Question" in text or "Choices" in text
            or _ECHO_INSTR.search(text)):
        return text
    out: list[str] = []
    echo = False
    listed = False
    for line in text.splitlines():
        if _ECHO_START.match(line) or _ECHO_INSTR.search(line):
            echo, listed = True, False
            continue
        if echo:
            if _OPTION_LINE.match(line):
                listed = True
                continue
            if not line.strip():
                if listed:
                    echo = False
                continue
            if _CUE.search(line) and listed:
                echo = False  # "The answer is (B)" after the echoed choices
            else:
                continue
        out.append(line)
    return "\n".join(out)


def _content_after(tail: str, pos: int) -> str:
    m = _AFTER_PAREN.match(tail, pos)
    if m:
        return m.group(1)
    m = _AFTER_TEXT.match(tail, pos)
    if not m:
        return ""
    s = m.group(1)
    end = _CLAUSE_END.search(s)
    return s[: end.start()] if end else s


def cue_choice(tail: str, options: Sequence[str] | None = None) -> str | bool | None:
    """The option named by the last cue in ``tail`` ("answer is D", "we get D", "答案：D",
    "A is the correct option")."""
    found: str | bool | None | re.Match[str] = None
    after = None
    if "orrect" in tail or "est" in tail or "ight" in tail or "nswer" in tail:
        befores = list(_CUE_BEFORE.finditer(tail))
        after = befores[-1] if befores else None
    for m in _CUE.finditer(tail):
        if _NEGATION.search(tail[max(0, m.start() - 80) : m.start(1)]) or _WRONG_AFTER.match(tail, m.end(1)):
            continue
        more = _MORE_LETTERS.match(tail, m.end())
        found = HEDGE if more and more.group(1) != m.group(1) else m  # "go with A or C"
    if after is not None and (not isinstance(found, re.Match) or after.start() > found.start()):
        if not _NEGATION.search(tail[max(0, after.start() - 80) : after.start()]):
            return after.group(1)
    if isinstance(found, re.Match):
        letter = found.group(1)
        close = found.end()
        if tail[close : close + 1] in ("\"", "”", "'", "’"):
            close += 1
        if tail[close - 1 : close] != ")" and tail[close : close + 1] == ")":
            close += 1
        return agree(letter, _content_after(tail, close), options) if options else letter
    return found


def cue_after(
    text: str, answer: str, options: Sequence[str] | None = None, *, anywhere: bool = False
) -> str | bool | None:
    """The option a cue names after the marked ``answer`` (``anywhere``: the marker is itself a
    cue phrase, "the answer is …", so the last cue of the tail is that marker or a later one)."""
    tail = drop_echo(_strip_end_tokens(text[-_TAIL:]))
    at = -1 if anywhere or not answer else tail.rfind(answer)
    if at >= 0:
        tail = tail[at + len(answer) :]
    return cue_choice(tail, options) if tail.strip() else None


def search_text(text: str, options: Sequence[str] | None = None) -> str | bool | None:
    """The chosen option in a completion without a marked answer.

    The last cue ("answer is D", "we get D", "choose D", "答案：D") wins, skipping letters ruled
    out in their clause ("it is not B", "eliminating option B and option C", "B is wrong"); its
    stated content must agree with the option. Without a cue: lines that hold only letters, a
    final "(D)", a line that opens with one option ("(A) Yes."), then the option text that opens
    or closes the last sentence. Two different letters there are a hedge (HEDGE).
    """
    if len(text) <= 12:  # the commonest completion: a lone letter, "(B)"
        short = _strip_answer(text)
        m = _ONLY.match(short)
        if m:
            return _unambiguous(m.group(1), short, options)  # as read_answer() reads it
    tail = drop_echo(_strip_end_tokens(text[-_TAIL:]))
    if "（" in tail:
        tail = tail.replace("（", "(").replace("）", ")")
    if "<answer>" in tail:  # an answer tag inside unfinished thinking: the last one is the choice
        m = _LAST_ANSWER_TAG.search(tail[tail.rfind("<answer>") :])
        if m:
            got = read_answer(m.group(1), options)
            if got is not None:
                return got
    found = cue_choice(tail, options)
    if found is not None:
        return found
    letters: set[str] = set()
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    for line in lines:
        clean = line.strip("*").strip()
        if (len(clean) <= 60 and _LETTER_LIST.match(clean)) or _ONLY.match(clean):
            letters.update(re.findall(r"[A-J]", clean))
    if lines and re.search(r"\([A-J]\)\s{0,3}[.!]?$", lines[-1]):
        letters.update(_PAREN_LETTER.findall(lines[-1]))
    if lines and not letters:
        m = _FINAL_LETTER.search(lines[-1][-200:])  # "No, the orange is not larger. B"
        if m:
            letters.add(m.group(1))
    if len(letters) > 1:
        return HEDGE
    if letters:
        return letters.pop()
    # "(A) Yes." / "B) no" opening the first or the last line; two letters there are a hedge.
    led: dict[str, str] = {}
    for line in (lines[0], lines[-1]) if lines else ():
        m = _LEAD_LINE.match(line.strip("*").strip())
        if m:
            led.setdefault(m.group(1) or m.group(2), m.group(3) or "")
    if len(led) == 1 and len(lines) > 2:  # other lines that open with another letter: a list
        for line in lines[1:-1]:
            m = _OPTION_LINE.match(line)
            if m and line.lstrip("*( ")[:1] not in led:
                return HEDGE
    if len(led) > 1:
        return HEDGE
    if led:
        letter, content = next(iter(led.items()))
        return agree(letter, content, options)
    if options and lines:
        got = _inline_labelled(lines[-1], options)
        if got is not None:
            return got
        return stated_in_sentence(lines[-1], options)
    return None


def _inline_labelled(line: str, options: Sequence[str]) -> str | bool | None:
    """ "The ports are located in the (B) Lower half of the mold.": one "(X)" in the last line,
    followed by option X's own text."""
    labels = _PAREN_LETTER.findall(line[-600:])
    if len(set(labels)) != 1:
        return HEDGE if len(set(labels)) > 1 else None
    letter = labels[0]
    idx = LETTERS.index(letter)
    if idx >= len(options):
        return None
    rest = " ".join(normalize(line[line.rfind(f"({letter})") + 3 :][:300]).lower().split())
    own = " ".join(normalize(str(options[idx])).lower().split())
    if own and rest.startswith(own) and not rest[len(own) : len(own) + 1].isalnum():
        return letter
    return None
