"""The package's shape: dependencies point one way (checked on the source, nothing imported)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "rlvr_rewards"


def _graph_tool():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "benchmarks" / "import_graph.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_no_import_cycles_even_through_lazy_imports():
    tool = _graph_tool()
    cycles = tool.cycles(tool.graph(PKG))
    assert cycles == [], cycles


def test_bottom_modules_import_almost_nothing():
    g = _graph_tool().graph(PKG)
    assert g["rlvr_rewards.registry"] <= {"rlvr_rewards.protocol"}
    assert g["rlvr_rewards.protocol"] <= {"rlvr_rewards.verdict"}
    assert g["rlvr_rewards.verdict"] == set()
    assert g["rlvr_rewards.config"] == set()


def test_layers_point_one_way():
    """verifiers never import the engine, the public API, batch scaling, adapters or the CLI."""
    g = _graph_tool().graph(PKG)
    upper = {"rlvr_rewards.engine", "rlvr_rewards.api", "rlvr_rewards.scale", "rlvr_rewards.cli"}
    for mod, deps in g.items():
        if mod.startswith(("rlvr_rewards.verifiers", "rlvr_rewards.parsing", "rlvr_rewards.registry", "rlvr_rewards.protocol")):
            bad = {d for d in deps if d in upper or d.startswith("rlvr_rewards.integrations")}
            assert not bad, (mod, bad)
    assert not any(d.startswith("rlvr_rewards.integrations") for d in g["rlvr_rewards.engine"])


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("rlvr_rewards")):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module} {private}")
    assert not offenders, offenders


def test_import_rlvr_rewards_stays_light():
    code = (
        "import sys, rlvr_rewards\n"
        "heavy = [m for m in ('sympy', 'math_verify', 'numpy', 'rlvr_rewards.verifiers', 'rlvr_rewards.vlm', 'openai') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out


def test_about_fifteen_public_names_each_documented():
    import rlvr_rewards

    names = [n for n in rlvr_rewards.__all__ if n != "__version__"]
    assert len(names) <= 24
    for n in names:
        obj = getattr(rlvr_rewards, n)
        assert (obj.__doc__ or "").strip(), n


def test_doctests_of_the_public_entry_points():
    """grade, check, the batch functions, build, register and register_spec carry runnable examples."""
    import doctest

    import rlvr_rewards.api
    import rlvr_rewards.registry
    import rlvr_rewards.verifiers
    import rlvr_rewards.verifiers.specs
    from rlvr_rewards import registry

    state = registry.snapshot()
    try:
        for module in (rlvr_rewards.api, rlvr_rewards.registry, rlvr_rewards.verifiers.specs, rlvr_rewards.verifiers):
            result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
            assert result.failed == 0, module.__name__
        for fn in ("grade", "check", "check_batch", "grade_batch", "check_groups"):
            assert ">>>" in getattr(rlvr_rewards.api, fn).__doc__, fn
        assert ">>>" in rlvr_rewards.verifiers.specs.build.__doc__ and ">>>" in registry.register.__doc__
    finally:
        registry.restore(state)
