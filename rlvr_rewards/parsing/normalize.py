"""String normalisation shared by gold and prediction: strip wrappers, spacing, units, degrees.

Everything here is linear-time string work (no regex with nested quantifiers), so it is safe
on untrusted text of any size; callers cap the length first anyway.
"""

from __future__ import annotations

import re

from ..brackets import braces_balanced, matching_brace  # noqa: F401  (braces_balanced re-exported)

_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)"))
_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\quad|\\qquad|\\displaystyle|\\textstyle|~")  # not the "\\ " of a row break
_LEFT_RIGHT = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![A-Za-z])")
_FRAC = re.compile(r"\\[dt]frac(?![A-Za-z])")
_DEGREE = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree(?![A-Za-z])|\^\s*\{\s*\\degree\s*\}")
_TEXT_CMD = re.compile(
    r"\\(?:text|textbf|textit|textrm|textnormal|textsf|texttt|textup|mathrm|mathbf|mathit|mathsf|mathup|mbox|operatorname)\s*\{"
)
_DOLLAR_SIGN = re.compile(r"\\\$|(?<![\\])\$")
_WS = re.compile(r"\s+")
find_matching_brace = matching_brace  # the "}" closing the "{" at an index, or -1 (rlvr_rewards.brackets)


def unwrap_command(text: str, command: str) -> str:
    """``\\boxed{X}`` → ``X`` when the command wraps the whole string; otherwise unchanged."""
    t = text.strip()
    prefix = "\\" + command
    if not t.startswith(prefix):
        return text
    j = len(prefix)
    while j < len(t) and t[j] == " ":
        j += 1
    if j >= len(t) or t[j] != "{":
        return text
    end = find_matching_brace(t, j)
    if end == len(t) - 1:
        return t[j + 1 : end]
    return text


def strip_wrappers(text: str) -> str:
    """Remove math delimiters, ``\\boxed{}``, ``<answer>`` tags and a trailing full stop."""
    t = text.strip()
    for _ in range(4):
        before = t
        low = t.lower()
        if low.startswith("<answer>") and low.endswith("</answer>"):
            t = t[8:-9].strip()
        for left, right in _WRAPPERS:
            if len(t) >= len(left) + len(right) and t.startswith(left) and t.endswith(right):
                inner = t[len(left) : len(t) - len(right)]
                if left == "$" and "$" in inner:
                    continue
                t = inner.strip()
                break
        for cmd in ("boxed", "fbox"):
            t = unwrap_command(t, cmd).strip()
        if t.endswith(".") and not t[-2:-1].isdigit():
            t = t[:-1].rstrip()
        if t == before:
            break
    return t


def _strip_text_commands(t: str) -> str:
    """``\\text{ cm}`` and friends → their content (units are stripped afterwards)."""
    out = []
    pos = 0
    for _ in range(1000):
        m = _TEXT_CMD.search(t, pos)
        if not m:
            break
        end = find_matching_brace(t, m.end() - 1)
        if end < 0:
            break
        out.append(t[pos : m.start()])
        inner = t[m.end() : end]
        out.append(" " + inner + " " if inner.strip() else "")
        pos = end + 1
    out.append(t[pos:])
    return "".join(out)


def normalize(text: str, *, stripped: bool = False) -> str:
    """Canonical string for comparison: no delimiters, spacing commands, sizing, degrees, units.

    ``stripped=True`` when the caller already ran :func:`strip_wrappers`.
    """
    return normalize_unit(text, stripped=stripped)[0]


def normalize_unit(text: str, *, stripped: bool = False) -> tuple[str, str]:
    """:func:`normalize`, and the unit it removed in canonical form (``""`` when none).

    The unit is kept so that two answers naming *different* units (``7 cm`` and ``7 m``) are
    not silently equal; see :func:`units_compatible`.
    """
    t = text if stripped else strip_wrappers(text)
    if not t.isascii():
        t = unicode_to_latex(t)
        if "根号" in t or "分之" in t:  # 根号3 = √3, 3分之1 = 1/3, 负 = minus
            t = _CN_SQRT.sub(r"\\sqrt{\1}", t)
            t = _CN_FRACTION.sub(lambda m: f"{'-' if m.group(1) else ''}\\frac{{{m.group(3)}}}{{{m.group(2)}}}", t)
        if "于" in t:  # x大于2 = x > 2, 小于等于 = \le, 不等于 = \ne
            t = _CN_RELATION.sub(lambda m: _CN_RELATIONS[m.group()], t)
    unit = ""
    m = _CURRENCY_PREFIX.match(t)
    if m:  # "$33,270", "€ 4,50", "US$5": the currency is a unit written before the number
        unit = _canonical_atom(m.group(1).replace("\\", ""))
        t = t[m.end() :]
    elif t.endswith("$") and len(t) > 1 and (t[-2].isdigit() or t[-2] == " " or t[-2] == "\\"):
        unit = "$"  # "5$", "5 \\$"
        t = t[:-2] if t[-2] == "\\" else t[:-1]
    if "\\circ" in t or "°" in t or "\\degree" in t:
        unit = unit or "deg"
    t = _SPACING.sub(" ", t)
    t = _LEFT_RIGHT.sub("", t)
    t = _FRAC.sub(r"\\frac", t)
    t = _DEGREE.sub(" ", t)
    t = _strip_text_commands(t)
    t = _DOLLAR_SIGN.sub("", t)
    t = t.replace("{,}", ",")
    t = _WS.sub(" ", t).strip()
    if t.endswith(".") and not t[-2:-1].isdigit():
        t = t[:-1].rstrip()
    t, tail_unit = _strip_unit(t)
    m = _APPROX_PREFIX.match(t)
    if m and m.end() < len(t):  # "approximately 0.368", "\approx 2.70": the value stated
        t = t[m.end() :]
    if tail_unit:
        if unit in ("", "deg"):
            unit = tail_unit if unit == "" or tail_unit in ("C", "F", "K") else unit
        elif scale_of(tail_unit.split("*", 1)[0]) is not None:
            unit = tail_unit + "*" + unit  # "$660 billion"
    if t.endswith(".") and not t[-2:-1].isdigit():
        t = t[:-1].rstrip()
    return t, unit


def compact(text: str) -> str:
    """Whitespace-free form of a normalised string, for exact comparison."""
    return text.replace(" ", "")


# ---------------------------------------------------------------- Unicode

_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u00d7": "\\times ", "\u00f7": "\\div ", "\u00b7": "\\cdot ",
    "\u22c5": "\\cdot ", "\u2219": "\\cdot ", "\u221e": "\\infty ", "\u03c0": "\\pi ", "\u2264": "\\le ",
    "\u2265": "\\ge ", "\u2a7d": "\\le ", "\u2a7e": "\\ge ", "\u2260": "\\ne ", "\u2248": "\\approx ",
    "\u2208": "\\in ", "\u222a": "\\cup ", "\u2229": "\\cap ", "\u2205": "\\emptyset ", "\u2103": "°C",
    "\u2109": "°F", "\u3002": ".", "\u3001": ",", "\u3000": " ", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "\u03b1": "\\alpha ", "\u03b2": "\\beta ", "\u03b3": "\\gamma ", "\u03b4": "\\delta ",
    "\u03b8": "\\theta ", "\u03bb": "\\lambda ", "\u03c3": "\\sigma ", "\u03c6": "\\phi ",
    "\u03c9": "\\omega ", "\u2032": "'", "\u00b1": "\\pm ", "\u2213": "\\mp ", "\u2220": "\\angle ",
}
_SUPERSCRIPT = {c: d for c, d in zip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207a", "0123456789-+")}
_SUBSCRIPT = {chr(0x2080 + k): str(k) for k in range(10)}


def unicode_to_latex(t: str) -> str:
    """``∞ π ≤ × √2 ①`` and full-width ``＞（）`` as the ASCII / LaTeX a parser reads.

    One linear pass (``√(`` … ``)`` is closed by a depth stack, never by a rescan); only called on
    text that is not pure ASCII.
    """
    out: list[str] = []
    closes: list[int] = []  # paren depths at which a "√(" opened: its ")" also closes the brace
    depth = 0
    i, n = 0, len(t)
    while i < n:
        c = t[i]
        o = ord(c)
        if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII
            c = chr(o - 0xFEE0)
            o = ord(c)
        if o < 128:
            if c == "(":
                depth += 1
            elif c == ")":
                if closes and closes[-1] == depth:
                    closes.pop()
                    out.append(")}")
                    depth -= 1
                    i += 1
                    continue
                depth -= 1
            out.append(c)
        elif 0x2460 <= o <= 0x2473:  # ① … ⑳
            out.append(str(o - 0x2460 + 1))
        elif c in _SUPERSCRIPT or c in _SUBSCRIPT:
            table = _SUPERSCRIPT if c in _SUPERSCRIPT else _SUBSCRIPT
            j = i
            while j < n and t[j] in table:
                j += 1
            out.append(("^{" if table is _SUPERSCRIPT else "_{") + "".join(table[x] for x in t[i:j]) + "}")
            i = j
            continue
        elif c == "\u221a":  # √: √2, √{2}, √(x+1), √x
            j = i + 1
            nxt = t[j] if j < n else ""
            if nxt in ("(", "\uff08"):
                depth += 1
                closes.append(depth)
                out.append("\\sqrt{(")
                i = j + 1
                continue
            if nxt == "{":
                out.append("\\sqrt")
            else:
                k = j
                while k < n and (t[k].isascii() and t[k].isalnum() or t[k] == "."):
                    k += 1
                if k > j:
                    out.append("\\sqrt{" + t[j:k] + "}")
                    i = k
                    continue
                out.append("\\sqrt ")
        else:
            out.append(_UNICODE.get(c, c))
        i += 1
    return "".join(out) + "}" * len(closes)


# ---------------------------------------------------------------- units

_CN_RELATIONS = {
    "大于或等于": " \\ge ", "大于等于": " \\ge ", "不小于": " \\ge ",
    "小于或等于": " \\le ", "小于等于": " \\le ", "不大于": " \\le ",
    "不等于": " \\ne ", "大于": " > ", "小于": " < ", "等于": " = ",
}
# the relation words, longest first (prose.py reads an answer that is one relation with them)
CN_RELATION_WORDS = tuple(sorted(_CN_RELATIONS, key=len, reverse=True))
_CN_RELATION = re.compile("|".join(CN_RELATION_WORDS))
_CN_SQRT = re.compile(r"根号\s*\{?(\d+(?:\.\d+)?)\}?")
_CN_FRACTION = re.compile(r"(负|-)?(\d+)\s*分之\s*(\d+)")
_APPROX_PREFIX = re.compile(r"(?:approximately|approx\.?|about|roughly|around|\\approx|=)\s*(?=[-+.]?\d)", re.IGNORECASE)
_CURRENCY_PREFIX = re.compile(r"(\\\$|\$|€|£|¥|₹|US\$|USD|EUR|GBP|RMB|Rs\.?|INR)\s*(?=[-+]?\.?\d)")
_ORDINAL = re.compile(r"([-+]?\d+)\s*(?:\^\s*\{\s*(?:st|nd|rd|th)\s*\}|\^\s*(?:st|nd|rd|th)|(?:st|nd|rd|th))")
_PERCENT_WORD = re.compile(r"(?<=[0-9}])\s*(?:percent|per cent|pct)\.?\s*$", re.IGNORECASE)
_CN_PERCENT = re.compile(r"百分之\s*([-+]?\d+(?:\.\d+)?)")
_TIMES_TEN = re.compile(r"(?<=\d)\s*[xX]\s*(?=10\^)")
# The unit candidate at the end: words, symbols and CJK characters joined by "/", "*", "\cdot",
# "-", spaces or "per", each with an optional exponent. Possessive quantifiers: linear time.
_UNIT_TAIL = re.compile(
    r"(?:(?:\\cdot|[/*\-]|\bper\b)?\s*+\(?+\s*+"
    r"(?:[A-Za-zµμΩ$€£¥]++|\\Omega|\\mu\s*[A-Za-z]++|[\u3400-\u9fff]++)"
    r"(?:\s*\^\s*\{?-?\d\}?)?+\)?+\s*+)++$"
)
_UNIT_ATOM = re.compile(r"\\Omega|\\mu\s*[A-Za-z]+|[A-Za-zµμΩ$€£¥]+|[\u3400-\u9fff]+")
_UNIT_TAIL_WINDOW = 80

_SI_BASE = frozenset(
    "m g s A K mol cd Hz N Pa J W C V F Ω ohm T H S Wb eV L l B b bit bps Wh VA VAR var rad sr bar "
    "t Da M cal atm".split()
)
_SI_PREFIX = ("da", "Ki", "Mi", "Gi", "Ti", "Y", "Z", "E", "P", "T", "G", "M", "k", "K", "h", "d", "c", "m", "µ", "μ", "u", "n", "p", "f", "a")
_SYMBOLS = frozenset(
    "ft in yd mi mph kph kmh lb lbs oz psi gal qt hr hrs sec secs min mins deg rpm AU ly cc ppm ppb "
    "kts torr mmHg Btu hp kcal mAh kWh sq cu yr yrs wk wks mo mos dB kt nmi ha".split()
)
_WORD_UNITS = frozenset(
    """meter metre centimeter centimetre millimeter millimetre kilometer kilometre nanometer micrometer
    micron angstrom inch inche foot feet yard mile second minute hour day week month year decade century
    millisecond microsecond nanosecond gram kilogram milligram pound ounce ton tonne liter litre milliliter
    millilitre gallon quart pint cup volt millivolt kilovolt ampere amp milliamp watt milliwatt kilowatt
    megawatt joule kilojoule newton pascal kilopascal hertz kilohertz megahertz gigahertz coulomb farad
    ohm tesla henry kelvin celsius fahrenheit degree radian electronvolt calorie kilocalorie bit byte
    kilobyte megabyte gigabyte terabyte kibibyte mebibyte gibibyte kilobit megabit gigabit mebibit
    dollar cent euro yen yuan rupee unit square cubic knot lightyear parsec atmosphere mole
    percentage""".split()
)
# Words after a number that change its value or its meaning: never read as a unit.
_NOT_UNIT = frozenset(
    """squared cubed factorial inverse half halves third thirds quarter quarters fifth fifths sixth sixths
    dozen dozens or and nor but not no none never to of for from as is are was were be the an than then
    more less fewer greater smaller larger bigger higher lower minus plus over under above below
    approximately approx roughly about around nearly almost exactly precisely least most at each
    total only respectively if when where which that this with without per pi mod modulo
    percent pct sin cos tan log ln exp sqrt frac infty div cdot lim max sum int
    negative positive odd even real complex imaginary undefined infinite infinity divergent
    convergent true false yes none all any some""".split()
)
_SCALE = {
    "hundred": 10**2, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "百": 10**2, "千": 10**3, "万": 10**4, "亿": 10**8,
}
# CJK units: a trailing run of these characters after a number.
_CJK_UNITS = {
    "米": "m", "厘米": "cm", "毫米": "mm", "千米": "km", "公里": "km", "分米": "dm", "海里": "nmi",
    "元": "¥", "角": "角", "秒": "s", "分钟": "min", "小时": "h", "度": "deg", "平方米": "m^2",
    "平方厘米": "cm^2", "平方分米": "dm^2", "平方千米": "km^2", "平方公里": "km^2", "立方米": "m^3",
    "立方厘米": "cm^3", "立方分米": "dm^3", "千克": "kg", "公斤": "kg", "克": "g", "吨": "t", "升": "L",
    "毫升": "mL", "公顷": "ha", "亩": "亩", "天": "day", "年": "year", "月": "month", "周": "week",
    "个": "", "人": "", "只": "", "条": "", "本": "", "张": "", "辆": "", "页": "", "颗": "", "棵": "",
    "种": "", "名": "", "位": "", "件": "", "台": "", "次": "", "倍": "", "岁": "year", "块": "", "道": "",
    "题": "", "枚": "", "支": "", "盒": "", "箱": "", "双": "", "套": "", "组": "", "排": "", "行": "",
    "列": "", "层": "", "间": "", "所": "", "座": "", "头": "", "匹": "", "瓶": "", "杯": "", "碗": "",
    "株": "", "根": "", "片": "", "段": "", "份": "", "元钱": "¥", "分": "",
}
_ALIASES = {
    "meter": "m", "metre": "m", "centimeter": "cm", "centimetre": "cm", "millimeter": "mm", "millimetre": "mm",
    "kilometer": "km", "kilometre": "km", "nanometer": "nm", "micrometer": "µm", "micron": "µm",
    "inch": "in", "inche": "in", "foot": "ft", "feet": "ft", "yard": "yd", "mile": "mi", "second": "s",
    "sec": "s", "secs": "s", "minute": "min", "mins": "min", "hour": "h", "hr": "h", "hrs": "h",
    "millisecond": "ms", "microsecond": "µs", "nanosecond": "ns", "gram": "g", "kilogram": "kg",
    "milligram": "mg", "pound": "lb", "lbs": "lb", "ounce": "oz", "liter": "L", "litre": "L", "l": "L",
    "milliliter": "mL", "millilitre": "mL", "ml": "mL", "volt": "V", "millivolt": "mV", "kilovolt": "kV",
    "ampere": "A", "amp": "A", "milliamp": "mA", "watt": "W", "milliwatt": "mW", "kilowatt": "kW",
    "megawatt": "MW", "joule": "J", "kilojoule": "kJ", "newton": "N", "pascal": "Pa", "kilopascal": "kPa",
    "hertz": "Hz", "kilohertz": "kHz", "megahertz": "MHz", "gigahertz": "GHz", "coulomb": "C",
    "farad": "F", "ohm": "Ω", "\\Omega": "Ω", "tesla": "T", "henry": "H", "kelvin": "K",
    "celsius": "C", "fahrenheit": "F", "degree": "deg", "radian": "rad", "electronvolt": "eV",
    "calorie": "cal", "kilocalorie": "kcal", "bit": "b", "byte": "B", "kilobyte": "kB", "megabyte": "MB",
    "gigabyte": "GB", "terabyte": "TB", "kibibyte": "KiB", "mebibyte": "MiB", "gibibyte": "GiB",
    "kilobit": "kb", "megabit": "Mb", "gigabit": "Gb", "mebibit": "Mib", "dollar": "$", "usd": "$",
    "us$": "$", "\\$": "$", "cent": "¢", "euro": "€", "eur": "€", "yen": "¥", "yuan": "¥", "rmb": "¥",
    "rupee": "₹", "rs": "₹", "inr": "₹", "gbp": "£", "year": "year", "yr": "year", "yrs": "year",
    "day": "day", "week": "week", "wk": "week", "wks": "week", "month": "month", "mo": "month",
    "mos": "month", "unit": "", "lightyear": "ly", "mole": "mol", "knot": "kt", "kts": "kt",
    "percentage": "%",
}


def _canonical_atom(atom: str) -> str:
    a = atom.strip()
    if a.startswith("\\mu"):
        a = "µ" + a[3:].strip()
    a = a.replace("μ", "µ")
    if a in _ALIASES:
        return _ALIASES[a]
    low = a.lower()
    if low in _ALIASES:
        return _ALIASES[low]
    if len(low) > 3 and low.endswith("s") and low[:-1] in _ALIASES:
        return _ALIASES[low[:-1]]
    if len(low) > 3 and low.endswith("s") and not low.endswith("ss"):
        return low[:-1] if a.islower() or a[:1].isupper() and a[1:].islower() else a
    return low if a.islower() or a[:1].isupper() and a[1:].islower() and len(a) > 3 else a


def _is_symbol_unit(atom: str) -> bool:
    a = atom.replace("μ", "µ")
    if a.startswith("\\mu"):
        a = "µ" + a[3:].strip()
    if a in _SYMBOLS or a in _SI_BASE or a == "\\Omega" or a in "$€£¥":
        return True
    for p in _SI_PREFIX:
        if a.startswith(p) and a[len(p) :] in _SI_BASE:
            return True
    return False


def _is_word_unit(atom: str) -> bool:
    low = atom.lower()
    if low in _WORD_UNITS or low in _ALIASES:
        return True
    return len(low) > 3 and low.endswith("s") and (low[:-1] in _WORD_UNITS or low[:-2] in _WORD_UNITS)


def _generic_word(atom: str) -> bool:
    """A count noun after a number (``250 frames``, ``15 vertices``): letters only, 3+ long."""
    return (
        len(atom) >= 3 and atom.isascii() and atom.isalpha() and (atom.islower() or atom[0].isupper() and atom[1:].islower())
        and atom.lower() not in _NOT_UNIT
    )


def _cjk_unit(run: str) -> str | None:
    """Canonical unit of a trailing CJK run (``平方米`` → ``m^2``), or None."""
    if run in _CJK_UNITS:
        return _CJK_UNITS[run]
    if run in _SCALE:
        return run
    return None


def _strip_unit(t: str) -> tuple[str, str]:
    """Split a trailing unit off a normalised answer: (what is left, canonical unit or "").

    The unit is removed only after something that ends like a number (a digit, ``}``, ``)``,
    ``\\pi``, ``%``), and only when every word of it is a unit: a known symbol (``cm``, ``kHz``,
    ``m/s^2``, ``MiB``), a unit name (``feet``, ``square units``), a CJK unit (``平方米``), or, after a
    plain number, up to two count nouns (``250 frames``). Words that change the value
    (``squared``, ``thousand`` read as a scale, ``or``, ``approximately``) are never units.
    """
    if len(t) < 2 or t[-1] in "0123456789})]" and "^" not in t[-7:] and t.isascii():
        return t, ""  # ends like a number, no exponent: no unit (the common case, decided at once)
    t = _TIMES_TEN.sub("\\\\times", t) if "10^" in t else t
    m = _PERCENT_WORD.search(t, max(0, len(t) - _UNIT_TAIL_WINDOW))
    if m:
        return t[: m.start()].rstrip() + "\\%", ""
    if not t.isascii():
        m = _CN_PERCENT.fullmatch(t)
        if m:
            return m.group(1) + "\\%", ""
    m = _ORDINAL.fullmatch(t)
    if m:
        return m.group(1), ""
    start = max(0, len(t) - _UNIT_TAIL_WINDOW)
    m = None
    for _ in range(4):
        m = _UNIT_TAIL.search(t, start)
        if m is None or m.start() == 0 or t[m.start() - 1] != "\\":
            break
        k = m.start()  # the search started inside a command ("\pi cm"): resume after its name
        while k < len(t) and t[k].isalpha():
            k += 1
        start = k
    if m is None:
        return t, ""
    head = t[: m.start()].rstrip()
    tail = t[m.start() :].strip()
    if not head or head.endswith(("\\", "^", "_")):
        return t, ""
    if not (tail[0].isalpha() or tail[0] in "$€£¥µμΩ\\" or tail[0] == "(" and _looks_numeric(head)):
        return t, ""  # "N_1/N": a tail that starts with an operator divides, it is no unit
    if not (head[-1].isdigit() or head[-1] in "})]%" or head.endswith("\\pi")):
        return t, ""
    atoms = _UNIT_ATOM.findall(tail)
    if not atoms or len(atoms) > 6:
        return t, ""
    plain_number = _looks_numeric(head)
    canon: dict[str, str] = {}
    generic = 0
    for k, atom in enumerate(atoms):
        low = atom.lower()
        if atom == "per" and k < len(atoms) - 1:
            canon[atom] = "/"
        elif atom[0] >= "\u3400":
            c = _cjk_unit(atom)
            if c is None:
                return t, ""
            canon[atom] = c
        elif low in ("square", "sq", "cubic", "cu") and k < len(atoms) - 1:
            canon[atom] = "sq" if low in ("square", "sq") else "cu"
        elif low in _NOT_UNIT and atom != "per":
            return t, ""
        elif low in _SCALE:
            canon[atom] = low
        elif _is_symbol_unit(atom):
            canon[atom] = _ALIASES.get(atom) or ("µ" + atom[3:].strip() if atom.startswith("\\mu") else atom.replace("μ", "µ"))
        elif _is_word_unit(atom):
            canon[atom] = _canonical_atom(atom)
        elif plain_number and _generic_word(atom):
            generic += 1
            canon[atom] = _canonical_atom(atom)
        else:
            return t, ""
    if generic > 2:
        return t, ""
    if not plain_number and "^" not in tail and "/" not in tail and not any(len(a) >= 2 or not a.isascii() for a in atoms):
        return t, ""  # "2\pi r": a single letter after an expression is a variable, not a unit
    return head, _render_unit(tail, canon)


_POWER_WORD = re.compile(r"\b(sq|cu)\*([^*/]+)")


def _render_unit(tail: str, canon: dict[str, str]) -> str:
    """Canonical text of a unit: atoms by their canonical names, no spaces or braces."""
    u = _UNIT_ATOM.sub(lambda m: " " + canon.get(m.group(0), m.group(0)) + " ", tail)
    u = u.replace("\\cdot", "*").replace("{", "").replace("}", "")
    u = _WS.sub(" ", u).strip()
    u = re.sub(r"\s*([/*^()\-])\s*", r"\1", u).replace(" ", "*")
    u = u.replace("*/*", "/").replace("*/", "/").replace("/*", "/")
    if "sq*" in u or "cu*" in u:
        u = _POWER_WORD.sub(lambda m: m.group(2) + ("^2" if m.group(1) == "sq" else "^3"), u)
    return u.strip("*")


_NUMERIC_HEAD = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:[.,]\d+)?(?:\\times\s*10\^\{?-?\d+\}?)?(?:\\%)?")


def _looks_numeric(head: str) -> bool:
    return bool(head) and _NUMERIC_HEAD.fullmatch(head.replace(" ", "")) is not None and any(ch.isdigit() for ch in head)


def units_compatible(a: str, b: str) -> bool:
    """Two answers' units allow them to be equal: at most one names a unit, or both the same one.

    No conversion: ``100 cm`` and ``1 m`` are different answers. A degree sign against no unit is
    compatible (``30^\\circ`` equals ``30``). Scale words (``billion``) are not units here: the
    number is compared both as written and scaled (see :func:`scale_of`).
    """
    if not a or not b or a == b:
        return True
    a, b = _drop_scale(a), _drop_scale(b)
    return not a or not b or a == b


def _drop_scale(unit: str) -> str:
    if "*" not in unit:
        return "" if unit in _SCALE else unit
    return "*".join(p for p in unit.split("*") if p not in _SCALE)


def scale_of(unit: str) -> int | None:
    """The multiplier of a leading scale word (``660 billion``, ``3万``): 10**9, else None."""
    return _SCALE.get(unit.split("*", 1)[0]) if unit else None
