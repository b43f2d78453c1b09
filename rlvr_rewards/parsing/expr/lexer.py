"""The tokenizer: normalised LaTeX / plain-text math into ``(kind, value)`` tokens.

Kinds: ``num`` (a number literal, thousands groups removed), ``let`` (one letter, or a
decorated name such as ``vec:b``), ``cmd`` (a known command or plain word: ``frac``, ``sin``,
a Greek letter), ``op`` (one operator character) and a final ``end``.
"""

from __future__ import annotations

from .tree import ExprError

__all__ = ["CHAIN_FUNCS", "GREEK", "TRIG_INVERSE", "Token", "tokenize"]

Token = tuple[str, str]  # (kind, value); kinds: num, let, cmd, op, end

TRIG_INVERSE = {
    "sin": "arcsin", "cos": "arccos", "tan": "arctan",
    "cot": "arccot", "sec": "arcsec", "csc": "arccsc",
}  # fmt: skip
CHAIN_FUNCS = frozenset(
    {*TRIG_INVERSE, *TRIG_INVERSE.values(), "sinh", "cosh", "tanh", "ln", "log", "exp"}
)
GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
    "mu nu xi omicron rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
_CMD_ALIASES = {
    "dfrac": "frac", "tfrac": "frac", "cfrac": "frac", "dbinom": "binom", "tbinom": "binom",
}  # fmt: skip
_CMD_OPS = {
    "cdot": "*",
    "times": "*",
    "ast": "*",
    "div": "/",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
}
_ATOM_CMDS = frozenset({"pi", "frac", "binom", "sqrt", "abs", *CHAIN_FUNCS, *GREEK})
_SKIP_CMDS = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr "
    "displaystyle textstyle quad qquad limits".split()
)
_DECORATIONS = frozenset("vec overrightarrow overleftarrow bar hat tilde overline widehat widetilde dot ddot".split())
_TEXT_CMDS = frozenset(
    "text mathrm textrm mathit textit mathbf textbf mathsf mbox operatorname".split()
)
_PLAIN_WORDS = sorted(
    (
        "pi",
        "sqrt",
        "abs",
        "exp",
        "ln",
        "log",
        "sinh",
        "cosh",
        "tanh",
        *TRIG_INVERSE,
        *TRIG_INVERSE.values(),
    ),
    key=len,
    reverse=True,
)
_OP_CHARS = frozenset("+-*/^_!(){}[]|")
_UNICODE = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/",
            "\u03c0": "\\pi ", "\u221a": "\\sqrt ", "\u221e": "\\infty "}  # fmt: skip


def _isdigit(c: str) -> bool:
    return "0" <= c <= "9"


def _isletter(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


def _scan_number(s: str, i: int) -> tuple[str, int]:
    """Read digits with ``{,}`` / ``\\,`` thousands groups and an optional decimal part."""
    n = len(s)
    j = i
    while j < n and _isdigit(s[j]):
        j += 1
    parts = [s[i:j]]
    while j > i:
        for sep in ("{,}", "\\,"):
            k = j + len(sep)
            if (
                s.startswith(sep, j)
                and k + 3 <= n
                and all(_isdigit(c) for c in s[k : k + 3])
                and (k + 3 == n or not _isdigit(s[k + 3]))
            ):
                parts.append(s[k : k + 3])
                j = k + 3
                break
        else:
            break
    if j < n and s[j] == "." and j + 1 < n and _isdigit(s[j + 1]):
        k = j + 1
        while k < n and _isdigit(s[k]):
            k += 1
        parts.append(s[j:k])
        j = k
    return "".join(parts), j


def _read_braced(s: str, i: int) -> tuple[str, int]:
    """Raw content of a ``{...}`` group starting at ``s[i] == '{'``."""
    if i >= len(s) or s[i] != "{":
        raise ExprError("expected '{'")
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1 : j], j + 1
    raise ExprError("unbalanced braces")


def _split_word(run: str, out: list[Token]) -> None:
    """Split a plain-text letter run into known words and single-letter symbols."""
    k = streak = 0
    while k < len(run):
        for w in _PLAIN_WORDS:
            if run.startswith(w, k):
                out.append(("cmd", w))
                k += len(w)
                streak = 0
                break
        else:
            out.append(("let", run[k]))
            k += 1
            streak += 1
            if streak >= 3:
                raise ExprError(f"unsupported word {run!r}")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with ``("end", "")``; :class:`ExprError` for anything unsupported."""
    s = "".join(_UNICODE.get(c, c) for c in text)
    out: list[Token] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in " \t\n\r~":
            i += 1
        elif c == "\\":
            j = i + 1
            while j < n and _isletter(s[j]):
                j += 1
            name = s[i + 1 : j]
            if not name:
                if j < n and s[j] in ",;:! ":
                    i = j + 1
                    continue
                raise ExprError(f"unsupported escape {s[i : i + 2]!r}")
            i = j
            if name in _SKIP_CMDS:
                if name in ("left", "right") and i < n and s[i] == ".":
                    i += 1
            elif name in _TEXT_CMDS:
                while i < n and s[i] == " ":
                    i += 1
                body, i = _read_braced(s, i)
                body = body.strip()
                if not body:
                    continue
                if body in ("e", "i") and name != "operatorname":
                    out.append(("let", body))
                elif body in _PLAIN_WORDS and body != "pi":
                    out.append(("cmd", body))
                else:
                    raise ExprError(f"unsupported \\{name}{{{body}}}")
            elif name in _DECORATIONS:
                # \vec{b}, \overrightarrow{AB}, \bar{x}: a name of its own (|\vec{b}| is a quantity)
                while i < n and s[i] == " ":
                    i += 1
                body, i = _read_braced(s, i)
                body = body.strip()
                if not body or not body.isalnum() or len(body) > 8:
                    raise ExprError(f"unsupported \\{name}{{{body}}}")
                out.append(("let", f"{name}:{body}"))
            elif name in _CMD_OPS:
                out.append(("op", _CMD_OPS[name]))
            else:
                name = _CMD_ALIASES.get(name, name)
                if name not in _ATOM_CMDS:
                    raise ExprError(f"unsupported command \\{name}")
                out.append(("cmd", name))
        elif _isdigit(c) or (c == "." and i + 1 < n and _isdigit(s[i + 1])):
            num, i = _scan_number(s, i)
            out.append(("num", num))
        elif _isletter(c):
            j = i
            while j < n and _isletter(s[j]):
                j += 1
            if j - i == 1:
                out.append(("let", c))
            else:
                _split_word(s[i:j], out)
            i = j
        elif c == "*" and s.startswith("**", i):
            out.append(("op", "^"))
            i += 2
        elif c in _OP_CHARS:
            out.append(("op", c))
            i += 1
        else:
            raise ExprError(f"unsupported character {c!r}")
    out.append(("end", ""))
    return out
