"""The package's import graph: layers, cycles and module sizes (the shape of the code).

    python benchmarks/import_graph.py [PACKAGE_DIR] [--module-level-only] [--json OUT]

Reads every module of the package with :mod:`ast` (nothing is imported) and records, for each
module, the package modules it imports: at module level and inside functions (a lazy import is
still a dependency). ``from .x import y`` counts as an edge to ``x.y`` when that is a module,
else to ``x``, as grimp does. Prints the strongly connected components of more than one module
(import cycles), the modules each top-level part depends on, and lines per module.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path


def modules(root: Path) -> dict[str, Path]:
    pkg = root.name
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    assert pkg in out, f"{root} is not a package"
    return out


def type_checking_imports(path: Path) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (not runtime dependencies)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    lines.add(sub.lineno)
    return lines


def graph(root: Path, module_level_only: bool = False) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    g: dict[str, set[str]] = {}
    for name, path in mods.items():
        skip = type_checking_imports(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keep = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno not in skip]
        if module_level_only:
            keep = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        g[name] = _imports_of(name, path, ast.Module(body=keep, type_ignores=[]), known)
    return g


def _imports_of(name: str, path: Path, tree: ast.Module, known: set[str]) -> set[str]:
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in known:
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(target)
    found.discard(name)
    return found


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in sorted(g):
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "rlvr_rewards")
    ap.add_argument("--module-level-only", action="store_true", help="ignore imports inside functions")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    g = graph(args.package, args.module_level_only)
    mods = modules(args.package)
    sizes = {m: sum(1 for _ in p.open(encoding="utf-8")) for m, p in mods.items()}
    cyc = cycles(g)
    print(f"{len(g)} modules, {sum(len(v) for v in g.values())} import edges, {len(cyc)} cycles")
    for comp in cyc:
        print("  cycle:", " <-> ".join(c.removeprefix(args.package.name + ".") for c in comp))
    print("\nlargest modules (lines):")
    for m, n in sorted(sizes.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {n:5d}  {m}")
    print("\nimports of the bottom modules:")
    for m in ("registry", "protocol", "verdict", "config"):
        full = f"{args.package.name}.{m}"
        if full in g:
            print(f"  {m}: {sorted(x.removeprefix(args.package.name + '.') for x in g[full]) or 'nothing of the package'}")
    if args.json:
        args.json.write_text(json.dumps({"edges": {k: sorted(v) for k, v in g.items()}, "cycles": cyc, "lines": sizes}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
