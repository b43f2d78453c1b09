"""ms-swift adapter (``rlvr_rewards.integrations.swift`` and the shipped plugin file) without swift.

swift's side is reproduced from its released code: 4.x ``import_external_file`` (sys.path insert +
``spec_from_file_location`` under a hashed module name), 3.x (sys.path insert +
``importlib.import_module``), ``orms[name](args=args)`` (4.x) or ``orms[name]()`` (3.x), and
``orm(completions, **columns)`` with every dataset column batched into lists.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import pickle
import sys
import types

import pytest

from rlvr_rewards.integrations import swift as adapter
from rlvr_rewards.integrations.swift import (
    DEFAULT_ORMS,
    RlvrORM,
    plugin_path,
    register_orm,
    register_orms,
)

THINK = (
    "<think>\nThe bag has 8 marbles and 6 of them are red, so the probability of drawing a red one is "
    "6/8. Both are divisible by 2, which gives 3/4. Let me double-check: 0.75 * 8 = 6. Yes.\n</think>\n"
)
R1_RIGHT = THINK + "<answer>\\frac{3}{4}</answer>"
BOXED_RIGHT = THINK + "The probability is $\\boxed{\\dfrac{3}{4}}$."
WRONG = THINK + "<answer>\\frac{2}{3}</answer>"
HEDGED = THINK + "It is either $\\boxed{\\frac{3}{4}}$ or $\\boxed{\\frac{2}{3}}$."
MCQ_RIGHT = (
    "<think>\nA confuses mitosis with meiosis; B is about the cell wall; D is transcription. C matches "
    "semi-conservative replication.\n</think>\n<answer>C</answer>"
)
MCQ_WRONG = "<think>\nB mentions the cell wall.\n</think>\n<answer>B</answer>"
MCQ_HEDGED = "<think>\nCannot decide.\n</think>\nThe answer is A or C."

COMPLETIONS = [R1_RIGHT, BOXED_RIGHT, WRONG, HEDGED, MCQ_RIGHT, MCQ_WRONG, MCQ_HEDGED, R1_RIGHT]
SOLUTIONS = ["\\frac{3}{4}", "$\\frac{3}{4}$", "3/4", "0.75", "C", "C", "C", None]


def columns(n: int = len(COMPLETIONS)) -> dict:
    """What swift passes besides completions: every dataset column batched, plus trainer_state."""
    return {
        "messages": [[{"role": "user", "content": "Q?"}, {"role": "assistant", "content": c}] for c in COMPLETIONS][:n],
        "solution": SOLUTIONS[:n],
        "images": [[] for _ in range(n)],
        "prompt_id": [f"p{i // 4}" for i in range(n)],
        "is_truncated": [False] * n,
        "trainer_state": object(),
    }


class FakeORM:
    """swift 4.x ``swift.rewards.ORM``."""

    def __init__(self, args=None, **kwargs):
        self.args = args

    def __call__(self, **kwargs):
        raise NotImplementedError


class FakeORM3:
    """swift 3.x ``swift.plugin.ORM`` (no constructor)."""

    def __call__(self, **kwargs):
        raise NotImplementedError


@pytest.fixture
def swift4(monkeypatch):
    orms: dict = {"accuracy": object}
    pkg = types.ModuleType("swift")
    pkg.__path__ = []
    rewards = types.ModuleType("swift.rewards")
    rewards.ORM, rewards.orms = FakeORM, orms
    monkeypatch.setitem(sys.modules, "swift", pkg)
    monkeypatch.setitem(sys.modules, "swift.rewards", rewards)
    monkeypatch.delitem(sys.modules, "swift.plugin", raising=False)
    return orms


@pytest.fixture
def swift3(monkeypatch):
    orms: dict = {"accuracy": object}
    pkg = types.ModuleType("swift")
    pkg.__path__ = []
    plugin = types.ModuleType("swift.plugin")
    plugin.ORM, plugin.orms = FakeORM3, orms
    monkeypatch.setitem(sys.modules, "swift", pkg)
    monkeypatch.setitem(sys.modules, "swift.plugin", plugin)
    monkeypatch.setitem(sys.modules, "swift.rewards", None)  # import fails as in 3.x
    return orms


@pytest.fixture
def clean_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    return sys.path


def import_external_file_4x(file_path: str):
    """swift 4.6 ``swift.utils.import_external_file``."""
    file_path = os.path.abspath(os.path.expanduser(file_path))
    sys.path.insert(0, os.path.dirname(file_path))
    module_name = f"_swift_external_{hashlib.sha256(file_path.encode()).hexdigest()}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, file_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def import_external_file_3x(file_path: str):
    """swift 3.12 ``swift.utils.import_external_file``."""
    file_path = os.path.abspath(os.path.expanduser(file_path))
    py_dir, py_file = os.path.split(file_path)
    sys.path.insert(0, py_dir)
    return importlib.import_module(py_file.split(".", 1)[0])


def test_plugin_path_is_the_shipped_file():
    path = plugin_path()
    assert os.path.isabs(path) and os.path.isfile(path)
    assert os.path.basename(path) == "rlvr_swift_plugin.py"
    assert os.listdir(os.path.dirname(path)) in (["rlvr_swift_plugin.py"], ["rlvr_swift_plugin.py", "__pycache__"], ["__pycache__", "rlvr_swift_plugin.py"])


def test_plugin_registers_in_swift4(swift4, clean_path, monkeypatch):
    path = plugin_path()
    name = f"_swift_external_{hashlib.sha256(path.encode()).hexdigest()}"
    monkeypatch.delitem(sys.modules, name, raising=False)
    module = import_external_file_4x(path)
    assert set(DEFAULT_ORMS) <= set(swift4) and swift4["accuracy"] is object  # swift's own entries kept
    # swift put the plugin's directory (which holds swift.py, verl.py, trl.py ...) first on sys.path
    integrations = os.path.dirname(path)
    assert all(os.path.abspath(p) != integrations for p in sys.path if p)
    assert module.ORMS["rlvr_accuracy"] is swift4["rlvr_accuracy"]
    cls = swift4["rlvr_accuracy"]
    assert issubclass(cls, FakeORM) and cls.__name__ == "rlvr_accuracy"
    orm = cls(args=types.SimpleNamespace(num_generations=8))  # swift 4.x: orms[name](args=args)
    assert orm.args.num_generations == 8
    assert orm(COMPLETIONS, **columns()) == [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, None]


def test_plugin_registers_in_swift3(swift3, clean_path, monkeypatch):
    monkeypatch.delitem(sys.modules, "rlvr_swift_plugin", raising=False)
    import_external_file_3x(plugin_path())
    assert set(DEFAULT_ORMS) <= set(swift3)
    assert issubclass(swift3["rlvr_mcq"], FakeORM3)
    assert all(os.path.abspath(p) != os.path.dirname(plugin_path()) for p in sys.path if p)
    # swift 3.x builds kwargs from the __init__ signature minus self/args/kwargs: nothing here.
    import inspect

    params = set(inspect.signature(swift3["rlvr_mcq"].__init__).parameters) - {"self", "args", "kwargs"}
    assert params == set()
    orm = swift3["rlvr_mcq"]()
    assert orm(COMPLETIONS[4:7], solution=["C", "C", "C"]) == [1.0, 0.0, 0.0]


@pytest.fixture
def registry():
    return {}


def test_accuracy_rewards(registry):
    orm = register_orms(registry=registry)["rlvr_accuracy"]()
    assert orm(COMPLETIONS, **columns()) == [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, None]


def test_format_rewards(registry):
    orm = register_orms(registry=registry)["rlvr_format"]()
    # format ignores the gold, so the bad-gold sample still gets its format score
    assert orm(COMPLETIONS, **columns()) == [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    assert orm(COMPLETIONS[:3]) == [1.0, 0.0, 1.0]  # no gold column needed


def test_mcq_and_math_and_r1(registry):
    orms = register_orms(registry=registry)
    assert orms["rlvr_mcq"]()(COMPLETIONS[4:7], solution=["C"] * 3) == [1.0, 0.0, 0.0]
    assert orms["rlvr_math"]()(COMPLETIONS[:4], solution=SOLUTIONS[:4]) == [1.0, 1.0, 0.0, 0.0]
    r1 = orms["rlvr_r1"]()(COMPLETIONS[:4], solution=SOLUTIONS[:4])
    assert r1 == pytest.approx([1.1, 1.0, 0.1, 0.0])


def test_bad_gold_is_none(registry):
    orm = register_orms(registry=registry)["rlvr_accuracy"]()
    assert orm([R1_RIGHT, R1_RIGHT, R1_RIGHT], solution=[None, "", "not a math answer at all ???"])[:2] == [None, None]
    assert orm([R1_RIGHT, WRONG]) == [None, None]  # no gold column at all


def test_gold_key_and_options(registry):
    cls = register_orm("my_reward", "accuracy", gold_key="answer", registry=registry)
    assert registry["my_reward"] is cls
    orm = cls()
    assert orm([R1_RIGHT, WRONG], answer=["3/4", "3/4"], solution=["9", "9"]) == [1.0, 0.0]
    text = "<think>Paris is the capital of France.</think>\nThe answer is Paris."
    opts = [["Lyon", "Paris", "Nice", "Lille"]]
    assert register_orms(registry=registry)["rlvr_mcq"]()([text], solution=["B"], options=opts) == [1.0]
    arc = [{"label": ["A", "B", "C", "D"], "text": ["Lyon", "Paris", "Nice", "Lille"]}]
    assert registry["rlvr_mcq"]()([text], solution=["B"], choices=arc) == [1.0]
    assert registry["rlvr_mcq"]()([text], solution=["C"], options=opts) == [0.0]


def test_constructor_options_and_args(registry):
    cls = register_orms(registry=registry)["rlvr_accuracy"]
    orm = cls(args=None, verifier="format", timeout=2)
    assert orm.verifier == "format" and orm.timeout == 2
    assert orm([R1_RIGHT, BOXED_RIGHT], solution=["9", "9"]) == [1.0, 0.0]


def test_conversation_completions(registry):
    orm = register_orms(registry=registry)["rlvr_accuracy"]()
    conv = [{"role": "assistant", "content": "<answer>3/4</answer>", "reasoning_content": "6/8 = 3/4"}]
    assert orm([conv], solution=["0.75"]) == [1.0]


def test_never_raises(registry, monkeypatch):
    orm = register_orms(registry=registry)["rlvr_accuracy"]()
    assert orm([None, 5, b"\\boxed{3}", {"content": 3}], solution=["3", "5", "3", "3"]) == [0.0, 1.0, 1.0, 1.0]
    assert orm([]) == []
    assert orm(None) == []

    def boom(*a, **k):
        raise RuntimeError("broken")

    monkeypatch.setattr(adapter, "find_golds", boom)
    # an internal failure is logged with its traceback and gives None (skipped), never a silent 0.0
    assert orm([R1_RIGHT, WRONG], solution=["3/4", "3/4"]) == [None, None]


def test_classes_pickle_by_reference(registry):
    cls = register_orms(registry=registry)["rlvr_accuracy"]
    orm = pickle.loads(pickle.dumps(cls()))
    assert type(orm) is cls
    assert orm([R1_RIGHT], solution=["3/4"]) == [1.0]


def test_base_class_lookup(swift4, swift3):
    # swift3 fixture ran last: swift.rewards import fails, swift.plugin is found
    base, orms = adapter.swift_base()
    assert base is FakeORM3 and orms is swift3


def test_base_class_error_without_swift(monkeypatch):
    monkeypatch.setitem(sys.modules, "swift", None)
    with pytest.raises(ImportError):
        adapter.swift_base()


def test_is_plain_ormbase():
    assert isinstance(RlvrORM(), RlvrORM) and RlvrORM().verifier == "accuracy"
