"""The adversarial corpus: inputs built to hang, crash or fool a reward function.

Each case: (class, name, completion, gold). Shared by tests/test_robustness.py and
benchmarks/bench_robustness.py (worst-case latency per class and execution context).
"""

from __future__ import annotations

BIG = 10 * 1024 * 1024  # a 10 MB completion


def _nested(open_: str, close: str, depth: int, core: str = "5") -> str:
    return open_ * depth + core + close * depth


def corpus() -> list[tuple[str, str, str, str]]:
    cases: list[tuple[str, str, str, str]] = [
        # SymPy / gmpy2 runaways: the worker must be killed at the deadline.
        ("runaway", "power tower", r"\boxed{2^{3^{4^{5}}}}", "1"),
        ("runaway", "10^10^10+1", r"\boxed{10^{10^{10}}+1}", "1"),
        ("runaway", "factorial 10^8", r"\boxed{(10^{8})!}", "1"),
        ("runaway", "factorial 10^8 vs itself", r"\boxed{(10^{8})!}", "(10^{8})!"),
        ("runaway", "nested factorial", r"\boxed{((10^{3})!)!}", "2"),
        # Huge literals and inputs.
        ("huge", "100k-digit number", r"\boxed{" + "7" * 100_000 + "}", "5"),
        ("huge", "100k-digit gold", r"\boxed{5}", "9" * 100_000),
        ("huge", "10 MB completion", "word " * (BIG // 5) + r"\boxed{4}", "4"),
        ("huge", "10 MB no answer", "x" * BIG, "4"),
        ("huge", "long sum", r"\boxed{" + "+".join(["1"] * 400) + "}", "400"),
        ("huge", "large matrix", r"\boxed{\begin{pmatrix}" + r"\\".join("&".join(["1"] * 30) for _ in range(30)) + r"\end{pmatrix}}", "1"),
        ("huge", "medium matrix", r"\boxed{\begin{pmatrix}" + r"\\".join("&".join(["1"] * 8) for _ in range(8)) + r"\end{pmatrix}}", "1"),
        # Deep nesting.
        ("nesting", "10k nested braces", r"\boxed{" + _nested("{", "}", 10_000) + "}", "5"),
        ("nesting", "10k nested parens", "The answer is " + _nested("(", ")", 10_000), "5"),
        ("nesting", "10k nested \\frac", r"\boxed{" + r"\frac{1}{" * 10_000 + "2" + "}" * 10_000 + "}", "1"),
        ("nesting", "10k nested gold", r"\boxed{5}", _nested("(", ")", 10_000)),
        ("nesting", "unterminated boxed", r"so \boxed{" + "1+" * 5000, "1"),
        ("nesting", "unterminated boxed x100k", r"\boxed{" * 100_000, "1"),
    ]
    bait = {
        "spaces": " " * 200_000 + "!",
        "answer colons": "Answer: " * 50_000,
        "answer is": "The answer is " * 30_000,
        "final answer": "Final answer " * 30_000,
        "boxed opens": "\\boxed{" * 100_000,
        "open braces": "{" * 200_000,
        "dollars": "$" * 200_000,
        "escaped dollars": "\\$" * 100_000,
        "inline math": "$x$ " * 50_000,
        "letters": "A " * 100_000 + "!",
        "paren letters": "(A) " * 50_000,
        "letter lines": "A\n" * 100_000,
        "not": "not " * 50_000 + "B",
        "or": "3 or " * 50_000 + "4",
        "commas": "1," * 100_000,
        "thousands": "1,000" * 40_000,
        "digits dot": "1." * 100_000,
        "text cmds": "\\text{" * 50_000,
        "degrees": "^\\circ" * 50_000,
        "fracs": "\\frac{" * 50_000,
        "answer tags": "<answer>" * 50_000,
        "think closes": "</think>" * 50_000,
        "left parens": "\\left(" * 50_000,
        "units": "5 cm " * 50_000,
        "eliminating": "eliminating option B and " * 20_000 + "D",
    }
    for name, text in bait.items():
        cases.append(("regex bait", name, text, "4"))
        cases.append(("regex bait", name + " (boxed, 900 chars)", "\\boxed{" + text[:900] + "}", "4"))
        cases.append(("regex bait", name + " (as gold)", r"\boxed{4}", text[:5000]))
    return cases


INJECTIONS = [
    "__import__('os').system('touch {sentinel}')",
    "__import__(\"os\").system(\"touch {sentinel}\")",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: __import__('os').system('touch {sentinel}')",
    "exec(\"open('{sentinel}','w')\")",
    "eval(\"open('{sentinel}','w')\")",
    "open('{sentinel}', 'w').write('x')",
    "import os; os.system('touch {sentinel}')",
    "Symbol('x').__class__.__init__.__globals__['__builtins__']['open']('{sentinel}','w')",
]
