"""Shaping rewards side by side with the peers': TRL, open-r1, ms-swift, veRL, PrimeIntellect verifiers.

Every case is a documented example of a peer reward (a docstring, a test of the peer's, or the
formula in its released code) written down as data: the inputs, the peer's documented value, and
the rlvr_rewards reward that maps onto it. The script grades each case with ours and reports
agreement. Where our convention differs on purpose, the case says so (``differs``) and what we
give instead; those are counted apart, never as agreement.

With ``--peers DIR`` the released peer code is run too, on the same inputs: TRL's
``trl/rewards`` files, ms-swift's ``swift/rewards/orm.py`` and verifiers' ``ThinkParser`` are
loaded from unpacked wheels (their heavy imports — torch, the inference engine, the API clients —
replaced by empty stand-ins; the reward code itself runs as released). open-r1 is not on PyPI and
veRL's DAPO manager needs torch and a batch, so their rows compare with the documented values only.

    python benchmarks/compare_shaping.py                       # documented values
    python benchmarks/compare_shaping.py --download /tmp/peers # pip download + unzip the pinned wheels, then run them
    python benchmarks/compare_shaping.py --peers /tmp/peers --json out.json

Pinned peers: trl==1.16.0, ms-swift==4.6.0, verifiers==0.3.1 (0.4 dropped the legacy parsers).
Exit status 1 if any case disagrees without a documented reason.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import subprocess
import sys
import types
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rlvr_rewards.shaping import grade_shaped  # noqa: E402
from rlvr_rewards.verifiers import create_verifier

PEER_WHEELS = ("trl==1.16.0", "ms-swift==4.6.0", "verifiers==0.3.1")


@dataclass
class Case:
    peer: str  # "TRL 1.16", "open-r1", "ms-swift 4.6", "veRL 0.9", "verifiers 0.3"
    reward: str  # the peer's reward name
    ours: str  # our spec / registered name
    inputs: list[str]  # completions (one group, for group-relative rewards)
    expected: list[float]  # the peer's documented value for each input
    source: str  # where the value is documented
    options: dict[str, Any] = field(default_factory=dict)  # our create_verifier options
    golds: list[Any] | None = None
    token_ids: list[list[int]] | None = None
    languages: list[str] | None = None
    differs: str = ""  # a documented convention difference: why ours differs
    ours_expected: list[float] | None = None  # what ours gives instead, where it differs
    run: str = ""  # key of the peer runner that calls the released code
    peer_args: dict[str, Any] = field(default_factory=dict)
    tol: float = 1e-6


def _many(peer: str, reward: str, ours: str, source: str, pairs: list[tuple[str, float]], **kw: Any) -> list[Case]:
    return [Case(peer, reward, ours, [text], [value], source, **kw) for text, value in pairs]


TRL, OPEN_R1, SWIFT, VERL, VF = "TRL 1.16", "open-r1", "ms-swift 4.6", "veRL 0.9", "verifiers 0.3"
R1_OK = "<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>"
MULTILINE_R1 = (
    "<think>\nI will count each distinct object in the image:\n1. Purple scooter\n2. Red bicycle\n"
    "3. Green motorcycle\n4. Gray sedan\n5. Yellow school bus\n6. Small green double-decker bus\n"
    "7. Small red car\n8. Small purple car\n9. Small gray dirt bike\n\nThere are 9 distinct objects in total.\n"
    "</think>\n<answer>\n9\n</answer>"
)
CODE = "<think>\nSome reasoning\n</think>\n<answer>\n{before}```{lang}\nprint('Hello, world!')\n```\n</answer>"
FRAC = r"\boxed{\frac{63}{400}}"
FRAC_WRONG = r"\boxed{\frac{64}{400}}"


def cases() -> list[Case]:
    out: list[Case] = []
    # ---------------------------------------------------------------- TRL think_format_reward
    src = "trl/rewards/format_rewards.py: docstring and pattern ^<think>(?!.*<think>)(.*?)</think>.*$"
    out += _many(TRL, "think_format_reward", "think_format", src, [
        ("<think>\nThis is my reasoning.\n</think>\nThis is my answer.", 1.0),
        ("<think>\nThis is my reasoning.\nThis is my answer.", 0.0),
        ("<think>This is my reasoning.</think>This is my answer.", 1.0),
        ("<think>\nThis is\nmy reasoning.\n</think>\nThis is my answer.", 1.0),
        ("<think>\nThis is <some tag> my reasoning.</think>\nThis is my answer.", 1.0),
        ("<think></think>\nThis is my answer.", 1.0),
        ("<think>reasoning</think>", 1.0),
        ("<think>This is</think>\nmy\nreasoning.</think>\nThis is my answer.", 1.0),
        ("This is my reasoning. This is my answer.", 0.0),
        ("This is my reasoning.</think>\nThis is my answer.", 0.0),
        ("This<think>is my reasoning.</think>\nThis is my answer.", 0.0),
        ("<think>This is<think>my reasoning.</think></think>This is my answer.", 0.0),
        (" <think>reasoning</think>answer", 0.0),
        ("<think>\nThis is my reasoning.\nThis is my answer.<think>", 0.0),
    ], run="trl.think_format")
    # ---------------------------------------------------------------- TRL repetition / overlong / cosine
    src = "trl/rewards/other_rewards.py: get_repetition_penalty_reward docstring"
    out.append(Case(TRL, "get_repetition_penalty_reward", "repetition", ["", ""], [0.0, -0.75], src,
                    options={"ngram_size": 2}, token_ids=[[1, 2, 3, 4], [5, 5, 5, 5, 5]], run="trl.repetition",
                    peer_args={"ngram_size": 2, "max_penalty": -1.0}))
    out.append(Case(TRL, "get_repetition_penalty_reward", "repetition", ["", "", ""], [-0.9, 0.0, -1.0], "formula in the docstring",
                    options={"ngram_size": 2, "max_penalty": -1.5}, token_ids=[[1, 2, 1, 2, 1, 2], [7], [3] * 4],
                    run="trl.repetition", peer_args={"ngram_size": 2, "max_penalty": -1.5}))
    src = "trl/rewards/other_rewards.py: get_soft_overlong_punishment docstring / DAPO Eq. 13"
    for length, value in ((50, 0.0), (80, 0.0), (90, -0.5), (100, -1.0), (110, -1.0)):
        out.append(Case(TRL, "get_soft_overlong_punishment", "overlong", [""], [value], src,
                        options={"max_len": 100, "buffer": 20}, token_ids=[[1] * length], run="trl.overlong",
                        peer_args={"max_completion_len": 100, "soft_punish_cache": 20}))
    for length, value in ((100, 0.0), (101, -1.0)):  # soft_punish_cache=0: "no minimum length", a hard cut-off
        out.append(Case(TRL, "get_soft_overlong_punishment (cache 0)", "overlong", [""], [value], "released code: the linear branch is empty",
                        options={"max_len": 100, "buffer": 0}, token_ids=[[1] * length], run="trl.overlong",
                        peer_args={"max_completion_len": 100, "soft_punish_cache": 0}))
    out.append(Case(TRL, "get_cosine_scaled_reward", "cosine",
                    [r"\boxed{\frac{1}{3}}", r"\boxed{\frac{1}{2}}"], [0.75, -0.75], "trl/rewards/accuracy_rewards.py docstring",
                    options={"max_len": 100}, golds=[r"\frac{1}{3}"] * 2, token_ids=[[1] * 50] * 2, run="trl.cosine",
                    peer_args={"max_len": 100}))
    out.append(Case(TRL, "get_cosine_scaled_reward", "cosine", [FRAC, FRAC_WRONG], [0.5, -0.5], "docstring: clamped past max_len",
                    options={"max_len": 100}, golds=[r"\frac{63}{400}"] * 2, token_ids=[[1] * 150] * 2, run="trl.cosine",
                    peer_args={"max_len": 100}))
    # ---------------------------------------------------------------- open-r1 (documented values only)
    src = "open-r1 tests/test_rewards.py (format_reward)"
    out += _many(OPEN_R1, "format_reward", "format", src, [
        (R1_OK, 1.0), (MULTILINE_R1, 1.0),
        ("<think>Only thinking</think>", 0.0), ("<answer>Only answer</answer>", 0.0), ("No tags at all", 0.0),
        ("<think>Missing closing</think><answer>Missing closing", 0.0),
        ("<think>Wrong order</answer><answer>Wrong order</think>", 0.0),
    ])
    out.append(Case(OPEN_R1, "format_reward", "format", ["<think>r</think><answer>42</answer>"], [0.0],
                    "open-r1 pattern ^<think>\\n.*?\\n</think>\\n<answer>\\n.*?\\n</answer>$",
                    differs="our format takes any whitespace between the blocks; open-r1 wants its exact newlines",
                    ours_expected=[1.0]))
    src = "open-r1 tests/test_rewards.py (tag_count_reward)"
    out += _many(OPEN_R1, "tag_count_reward", "tag_count", src, [
        (R1_OK, 1.0),
        ("Some reasoning\n</think>\n<answer>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n<answer>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n</think>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer", 0.75),
        ("Some reasoning\nThe answer", 0.0),
    ], options={"newlines": True})
    src = "open-r1 tests/test_rewards.py (reasoning_steps_reward)"
    out += _many(OPEN_R1, "reasoning_steps_reward", "reasoning_steps", src, [
        ("Step 1: First step\nStep 2: Second step\nStep 3: Third step", 1.0),
        ("First, we do this.\nSecond, we do that.\nFinally, we conclude.", 1.0),
        ("Step 1: Only step", 1 / 3),
        ("First, we do this.\nFinally, we conclude.", 2 / 3),
        ("Just plain text without any clear steps", 0.0),
    ])
    out.append(Case(OPEN_R1, "reasoning_steps_reward", "reasoning_steps", ["1. a\n2. b\n3. c"], [1 / 3],
                    "open-r1 pattern (no re.MULTILINE: ^\\d+\\. only at the start of the text)"))
    src = "open-r1 tests/test_rewards.py (get_code_format_reward, language='python')"
    out += _many(OPEN_R1, "get_code_format_reward", "code_format", src, [
        (CODE.format(before="", lang="python"), 1.0),
        (CODE.format(before="A solution\n", lang="python"), 1.0),
        ("<think>\nSome reasoning\n</think>\n<answer>\nprint('Hello, world!')\n</answer>", 0.0),
        ("<think>\nSome reasoning\n</think>\n```python\nprint('Hello, world!')\n```", 0.0),
        ("```python\nprint('Hello, world!')\n```", 0.0),
        (CODE.format(before="", lang="javascript"), 0.0),
    ])
    out.append(Case(OPEN_R1, "get_code_format_reward (language column)", "code_format",
                    [CODE.format(before="", lang="javascript"), CODE.format(before="", lang="python")], [1.0, 0.0],
                    "open-r1 rewards.py: kwargs['language'] overrides the default", languages=["javascript", "javascript"]))
    src = "open-r1 tests/test_rewards.py (get_repetition_penalty_reward, language='en')"
    for text, n, penalty, value in [
        ("this is a test sentence", 2, -1.0, 0.0), ("this this this this this", 2, -1.0, -0.75),
        ("this is a this is a test", 2, -1.0, -1 / 3), ("test test test test", 2, -1.0, -2 / 3), ("", 2, -1.0, 0.0),
        ("this is a this is a test", 3, -2.0, -0.4), ("This is A Test", 2, -1.0, 0.0), ("word", 3, -1.0, 0.0),
        ("two words", 3, -1.0, 0.0), ("three different words", 3, -1.0, 0.0), ("word word word word", 3, -1.0, -0.5),
        ("one two one two", 3, -1.0, 0.0), ("A B C A B", 3, -1.0, 0.0), ("A B C A B C", 3, -1.0, -0.25),
        ("A B C A B C E F G A B C A B C", 3, -1.0, -0.3846), ("A B C D E F G H I", 3, -1.0, 0.0),
    ]:
        out.append(Case(OPEN_R1, "get_repetition_penalty_reward", "repetition", [text], [value], src,
                        options={"ngram_size": n, "max_penalty": penalty}, tol=1e-4))
    src = "open-r1 tests/test_rewards.py (get_soft_overlong_punishment)"
    for length, value in ((50, 0.0), (110, -1.0), (90, -0.5)):
        out.append(Case(OPEN_R1, "get_soft_overlong_punishment", "overlong", [""], [value], src,
                        options={"max_len": 100, "buffer": 20}, token_ids=[[1] * length]))
    src = "open-r1 tests/test_rewards.py (get_cosine_scaled_reward, max_len=100, characters)"
    for content, length, value in ((FRAC, 20, 0.943), (FRAC, 80, 0.547), (FRAC_WRONG, 20, -0.942), (FRAC_WRONG, 80, -0.547)):
        padded = content + " " * (length - len(content))
        out.append(Case(OPEN_R1, "get_cosine_scaled_reward", "cosine", [padded], [value], src,
                        options={"max_len": 100}, golds=[r"\frac{63}{400}"], tol=5e-3))
    src = "open-r1 tests/test_rewards.py (len_reward)"
    long_ok, long_wrong = FRAC + " " + "x" * 10, FRAC_WRONG + " " + "x" * 10
    for group, value in (
        ([FRAC, FRAC], [0.0, 0.0]), ([FRAC, long_ok], [0.5, -0.5]), ([FRAC_WRONG, long_wrong], [0.0, -0.5]),
        ([FRAC, long_ok, FRAC_WRONG, long_wrong], [0.5, -0.5, 0.0, -0.5]),
    ):
        out.append(Case(OPEN_R1, "len_reward", "length", group, value, src, golds=[r"\frac{63}{400}"] * len(group)))
    out.append(Case(OPEN_R1, "len_reward", "length", [r"\boxed{answer}", r"\boxed{answer} " + "x" * 10], [0.5, -0.5], src,
                    golds=["unparseable_latex"] * 2,
                    differs="open-r1 counts a gold it cannot parse as correct; ours grades it (here: wrong) or gives None for a bad gold",
                    ours_expected=[0.0, -0.5]))
    # ---------------------------------------------------------------- ms-swift
    src = "swift/rewards/orm.py Format: ^<think>.*?</think>\\s*<answer>.*?</answer>(?![\\s\\S])"
    out += _many(SWIFT, "format", "format", src, [
        ("<think>a</think><answer>b</answer>", 1.0), ("<think>a</think>\n<answer>b</answer>", 1.0),
        ("<think>a</think><answer>b</answer>tail", 0.0), ("<answer>b</answer>", 0.0),
    ], run="swift.format")
    for text, value, ours, why in (
        ("<think>a</think><answer>b</answer>\n", 0.0, 1.0, "ms-swift refuses a trailing newline; ours ignores surrounding whitespace"),
        ("<think></think><answer>b</answer>", 1.0, 0.0, "ours needs non-empty thinking and answer"),
        (" <think>a</think><answer>b</answer>", 0.0, 1.0, "ms-swift refuses leading whitespace; ours ignores it"),
    ):
        out.append(Case(SWIFT, "format", "format", [text], [value], src, differs=why, ours_expected=[ours], run="swift.format"))
    src = "swift/rewards/orm.py RepetitionPenalty (lower-cased whitespace words)"
    for text, value in (("A B C A B C", -0.25), ("this is a this is a test", -0.2), ("这个这个这个这个这个", 0.0)):
        out.append(Case(SWIFT, "repetition", "repetition_words", [text], [value], src, run="swift.repetition",
                        peer_args={"repetition_n_grams": 3, "repetition_max_penalty": -1.0}))
    out.append(Case(SWIFT, "repetition", "repetition", ["这个这个这个这个这个"], [0.0], src, run="swift.repetition",
                    peer_args={"repetition_n_grams": 3, "repetition_max_penalty": -1.0},
                    differs="ours counts unspaced scripts per character (issue 17); repetition_words is ms-swift's unit",
                    ours_expected=[-0.75]))
    src = "swift/rewards/orm.py SoftOverlong: min(-(L - (max - cache)) / cache, 0)"
    for length, value in ((50, 0.0), (80, 0.0), (90, -0.5), (100, -1.0), (110, -1.5)):
        out.append(Case(SWIFT, "soft_overlong", "overlong_linear", [""], [value], src, options={"max_len": 100, "buffer": 20},
                        token_ids=[[1] * length], run="swift.overlong",
                        peer_args={"soft_max_length": 100, "soft_cache_length": 20}))
    src = "swift/rewards/orm.py CosineReward.cosfn (length not clamped)"
    for correct, length, value in ((True, 50, 0.75), (False, 50, -0.75), (True, 100, 0.5)):
        out.append(Case(SWIFT, "cosine", "cosine", [r"\boxed{7}" if correct else r"\boxed{8}"], [value], src,
                        options={"max_len": 100}, golds=["7"], token_ids=[[1] * length], run="swift.cosine",
                        peer_args={"correct": correct, "length": length, "max_len": 100}))
    out.append(Case(SWIFT, "cosine", "cosine", [r"\boxed{7}"], [0.75], src, options={"max_len": 100}, golds=["7"],
                    token_ids=[[1] * 150], run="swift.cosine", peer_args={"correct": True, "length": 150, "max_len": 100},
                    differs="ms-swift's cosine is periodic past max_len (a 1.5x-long right answer climbs back to 0.75); ours and TRL clamp",
                    ours_expected=[0.5]))
    # ---------------------------------------------------------------- veRL DAPO reward manager
    src = "verl/workers/reward_manager/dapo.py: min(-(L - (max_resp_len - buffer)) / buffer * penalty_factor, 0)"
    for length, factor, value in ((70, 1.0, 0.0), (90, 1.0, -0.5), (100, 1.0, -1.0), (90, 0.5, -0.25), (100, 0.5, -0.5)):
        out.append(Case(VERL, "overlong_buffer", "overlong_linear", [""], [value], src,
                        options={"max_len": 100, "buffer": 20, "penalty_factor": factor}, token_ids=[[1] * length]))
    # ---------------------------------------------------------------- verifiers ThinkParser
    src = "verifiers/legacy/parsers/think_parser.py get_format_reward_func"
    out += _many(VF, "ThinkParser format reward", "think_format", src, [
        ("<think>r</think>answer", 1.0), ("  <think>r</think>answer", 1.0), ("<think>r</think>\n", 1.0),
        ("<think>r</think>", 0.0), ("<think>r</think>a</think>", 0.0), ("x<think>r</think>a", 0.0), ("no tags", 0.0),
    ], options={"style": "verifiers"}, run="vf.think_format")
    out.append(Case(VF, "ThinkParser format reward", "think_format", ["  <think>r</think>answer"], [1.0], src,
                    run="vf.think_format", differs="think_format's default is TRL's (nothing before <think>); style='verifiers' is ThinkParser's",
                    ours_expected=[0.0]))
    return out


# ------------------------------------------------------------------------------------------ ours
def ours(case: Case) -> list[float | None]:
    v = create_verifier(case.ours, **case.options) if case.options else case.ours
    golds = case.golds if case.golds is not None else [None] * len(case.inputs)
    verdicts = grade_shaped(case.inputs, golds, verifier=v, token_ids=case.token_ids, languages=case.languages)
    return [x.reward for x in verdicts]


# ------------------------------------------------------------------------------------------ peers
def _load(name: str, path: Path, package: str | None = None) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=None)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    if package is not None:
        module.__package__ = package
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _stub(name: str, **attrs: Any) -> types.ModuleType:
    module = sys.modules.get(name) or types.ModuleType(name)
    module.__path__ = []  # type: ignore[attr-defined]  (a package, so submodules resolve)
    for k, val in attrs.items():
        setattr(module, k, val)
    sys.modules[name] = module
    return module


def load_peers(root: Path) -> tuple[dict[str, Callable[[Case], list[float]]], dict[str, str]]:
    """Runners calling the released peer code found under ``root`` (unpacked wheels)."""
    runners: dict[str, Callable[[Case], list[float]]] = {}
    status: dict[str, str] = {}
    trl = root / "trl" / "rewards"
    if trl.is_dir():
        try:
            fmt = _load("_peer_trl_format", trl / "format_rewards.py")
            other = _load("_peer_trl_other", trl / "other_rewards.py")
            runners["trl.think_format"] = lambda c: fmt.think_format_reward([[{"content": t}] for t in c.inputs])
            runners["trl.repetition"] = lambda c: other.get_repetition_penalty_reward(**c.peer_args)(completion_ids=c.token_ids)
            runners["trl.overlong"] = lambda c: other.get_soft_overlong_punishment(**c.peer_args)(completion_ids=c.token_ids)
            _stub("_peer_trl")
            _stub("_peer_trl.rewards")
            _stub("_peer_trl.import_utils", is_math_verify_available=lambda: importlib.util.find_spec("math_verify") is not None)
            acc = _load("_peer_trl.rewards.accuracy_rewards", trl / "accuracy_rewards.py", package="_peer_trl.rewards")
            runners["trl.cosine"] = lambda c: acc.get_cosine_scaled_reward(**c.peer_args)(
                [[{"content": t}] for t in c.inputs], c.golds, c.token_ids)
            status["TRL"] = f"ran {trl}"
        except Exception as exc:  # noqa: BLE001 - report and go on with the documented values
            status["TRL"] = f"not run: {type(exc).__name__}: {exc}"
    orm = root / "swift" / "rewards" / "orm.py"
    if orm.is_file():
        try:
            if importlib.util.find_spec("swift") is None:
                _stub("swift")
                _stub("swift.infer_engine", InferRequest=dict)
            sw = _load("_peer_swift_orm", orm)
            runners["swift.format"] = lambda c: sw.Format()(c.inputs)
            runners["swift.repetition"] = lambda c: sw.RepetitionPenalty(types.SimpleNamespace(**c.peer_args))(c.inputs)
            runners["swift.overlong"] = lambda c: sw.SoftOverlong(types.SimpleNamespace(**c.peer_args))(c.inputs, response_token_ids=c.token_ids)

            def swift_cosine(c: Case) -> list[float]:
                args = types.SimpleNamespace(
                    cosine_min_len_value_wrong=-1.0, cosine_max_len_value_wrong=-0.5, cosine_min_len_value_correct=1.0,
                    cosine_max_len_value_correct=0.5, cosine_max_len=c.peer_args["max_len"],
                )
                correct = 1.0 if c.peer_args["correct"] else 0.0  # ms-swift's own correctness (MathAccuracy) left out
                reward = sw.CosineReward(args, accuracy_orm=lambda completions, solution, **kw: [correct] * len(completions))
                return reward(c.inputs, c.golds, response_token_ids=c.token_ids)

            runners["swift.cosine"] = swift_cosine
            status["ms-swift"] = f"ran {orm}"
        except Exception as exc:  # noqa: BLE001
            status["ms-swift"] = f"not run: {type(exc).__name__}: {exc}"
    parsers = root / "verifiers" / "legacy" / "parsers"
    if parsers.is_dir():
        try:
            if importlib.util.find_spec("verifiers") is None:
                for name in ("verifiers", "verifiers.legacy", "verifiers.legacy.parsers"):
                    _stub(name)
                _stub("verifiers.legacy.types", Messages=list)
                _load("verifiers.legacy.parsers.parser", parsers / "parser.py")
            think = _load("_peer_vf_think", parsers / "think_parser.py")
            fn = think.ThinkParser().get_format_reward_func()
            runners["vf.think_format"] = lambda c: [fn([{"role": "assistant", "content": t}]) for t in c.inputs]
            status["verifiers"] = f"ran {parsers}"
        except Exception as exc:  # noqa: BLE001
            status["verifiers"] = f"not run: {type(exc).__name__}: {exc}"
    return runners, status


def download(root: Path) -> None:
    """``pip download --no-deps`` the pinned peer wheels into ``root`` and unpack them there."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(root), *PEER_WHEELS], check=True)
    for wheel in root.glob("*.whl"):
        with zipfile.ZipFile(wheel) as z:
            z.extractall(root)


# ------------------------------------------------------------------------------------------ report
def _same(a: list[Any] | None, b: list[Any] | None, tol: float) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    return all(x is not None and y is not None and math.isclose(float(x), float(y), abs_tol=tol) for x, y in zip(a, b))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers", type=Path, help="directory with the unpacked peer wheels (trl/, swift/, verifiers/)")
    ap.add_argument("--download", type=Path, metavar="DIR", help="download and unpack the pinned peer wheels into DIR, then use them")
    ap.add_argument("--json", type=Path, help="write every case and result as JSON")
    args = ap.parse_args(argv)
    root = args.download or args.peers
    if args.download:
        download(args.download)
    runners, status = load_peers(root) if root else ({}, {})

    rows: dict[tuple[str, str, str], dict[str, int]] = {}
    problems, differences, records = [], [], []
    for case in cases():
        got = ours(case)
        peer = None
        if case.run in runners:
            try:
                peer = [float(x) for x in runners[case.run](case)]
            except Exception as exc:  # noqa: BLE001
                peer = None
                problems.append(f"{case.peer} {case.reward}: the peer code raised {type(exc).__name__}: {exc}")
        row = rows.setdefault((case.peer, case.reward.split(" (")[0], case.ours), dict.fromkeys(
            ("cases", "agree", "differs", "differs_as_documented", "peer_run", "peer_is_doc", "ours_is_peer", "differs_run"), 0))
        row["cases"] += 1
        if case.differs:
            row["differs"] += 1
            ok = _same(got, case.ours_expected, case.tol)
            row["differs_as_documented"] += ok
            differences.append((case, got))
            if not ok:
                problems.append(f"{case.peer} {case.reward} {case.inputs!r}: expected ours {case.ours_expected}, got {got}")
        else:
            ok = _same(got, case.expected, case.tol)
            row["agree"] += ok
            if not ok:
                problems.append(f"{case.peer} {case.reward} {case.inputs!r}: documented {case.expected}, ours {got}")
        if peer is not None:
            row["peer_run"] += 1
            row["differs_run"] += bool(case.differs)
            row["peer_is_doc"] += _same(peer, case.expected, case.tol)
            row["ours_is_peer"] += _same(got, peer, case.tol)
            if not _same(peer, case.expected, case.tol):
                problems.append(f"{case.peer} {case.reward} {case.inputs!r}: documented {case.expected}, the peer's code gives {peer}")
        records.append({**asdict(case), "ours_value": got, "peer_value": peer})

    head = f"{'peer':<13} {'peer reward':<31} {'ours':<16} {'cases':>5} {'agree':>7} {'differs':>8} {'peer run':>8} {'peer=doc':>8} {'ours=peer':>9}"
    print(head)
    print("-" * len(head))
    total = dict.fromkeys(("cases", "agree", "differs", "differs_as_documented", "peer_run", "peer_is_doc", "ours_is_peer", "differs_run"), 0)
    for (peer, reward, our), r in rows.items():
        for k in total:
            total[k] += r[k]
        mapped = r["cases"] - r["differs"]
        run = r["peer_run"]
        print(f"{peer:<13} {reward:<31} {our:<16} {r['cases']:>5} {r['agree']:>3}/{mapped:<3} {r['differs']:>8} {run:>8} "
              f"{(str(r['peer_is_doc']) + '/' + str(run)) if run else '-':>8} {(str(r['ours_is_peer']) + '/' + str(run)) if run else '-':>9}")
    print("-" * len(head))
    mapped = total["cases"] - total["differs"]
    print(f"{'total':<62} {total['cases']:>5} {total['agree']:>3}/{mapped:<3} {total['differs']:>8} {total['peer_run']:>8} "
          f"{total['peer_is_doc']}/{total['peer_run']:<4} {total['ours_is_peer']}/{total['peer_run']}")
    print()
    print(f"agreement with the documented values: {total['agree']}/{mapped} cases that map onto our rewards; "
          f"{total['differs_as_documented']}/{total['differs']} documented convention differences confirmed")
    if total["peer_run"]:
        print(f"released peer code run on {total['peer_run']} cases: it gives the documented value on {total['peer_is_doc']}, "
              f"ours equals it on {total['ours_is_peer']}; the other {total['peer_run'] - total['ours_is_peer']} are "
              f"{total['differs_run']} documented convention differences")
    for name, line in status.items():
        print(f"  {name}: {line}")
    if not root:
        print("  (peer code not run: --download DIR or --peers DIR to run TRL, ms-swift and verifiers as released)")
    print("\ndocumented convention differences:")
    for case, got in differences:
        print(f"  {case.peer} {case.reward}: {case.inputs[0][:48]!r} peer {case.expected} ours {got} - {case.differs}")
    if problems:
        print("\nUNEXPECTED:")
        for p in problems:
            print("  " + p)
    if args.json:
        args.json.write_text(json.dumps({"total": total, "peers": status, "cases": records, "problems": problems}, indent=1, default=str))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
