"""The layers, proved from the code: dependencies point down only, and no package circles.

Every ``import`` of every module under ``jupyter_dci/`` is read with :mod:`ast` (also the
ones inside functions and under ``TYPE_CHECKING``: a lazy import is still a dependency),
relative imports resolved. Each module belongs to a layer; a module may import only its
own layer and those below:

    base (errors, _hooks, _version) <- core <- store <- charts <- widgets <- the package

The core and the base import no UI library and the store none either; packages (a folder
with ``__init__.py``; top-level modules count one each) import one another without circles.
An exception would be listed in ``ALLOWED`` with its reason; there is none today.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_dci"

#: Layer of each top-level module or package of jupyter_dci, bottom first.
LAYERS = {
    "errors": 0,
    "_hooks": 0,
    "_version": 0,
    "core": 1,
    # Seeded noisy versions of scikit-learn's sets: pure data, like the core.
    "datasets": 1,
    "store": 2,
    "charts": 3,
    "widgets": 4,
    "cli": 5,
    "": 5,  # jupyter_dci/__init__.py: the package wires every layer
}
LAYER_NAMES = ["base", "core", "store", "charts", "widgets", "package"]
UI_MODULES = ("ipywidgets", "anywidget", "traitlets", "altair", "IPython", "ipykernel", "comm")
#: (importer, imported) pairs allowed against the rules, each with its reason. Empty: the
#: store reaches the history panel and the sidebar through _hooks, registered by the package.
ALLOWED: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module name ``name`` imports (``from a import b`` yields ``a`` and ``a.b``)."""
    path, is_package = MODULES[name]
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = here.split(".")
                parts = parts[: len(parts) - node.level + 1]
                target = ".".join(parts + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _own(target: str) -> str | None:
    """The jupyter_dci module ``target`` names (a name imported from it maps to it)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    return LAYERS[top]


def _package(module: str) -> str:
    """The node of the package graph: a module's package, or a top-level module itself."""
    if MODULES[module][1] or module.count(".") == 1:
        return module
    return module.rpartition(".")[0]


GRAPH = {name: {t for t in map(_own, _imports(name)) if t and t != name} for name in MODULES}


def test_every_module_has_a_layer() -> None:
    assert {m.split(".")[1] for m in MODULES if "." in m} <= set(LAYERS)


def test_dependencies_point_down_only() -> None:
    upward = [
        f"{m} ({LAYER_NAMES[_layer(m)]}) imports {t} ({LAYER_NAMES[_layer(t)]})"
        for m, targets in sorted(GRAPH.items())
        for t in sorted(targets)
        if _layer(t) > _layer(m) and (m, t) not in ALLOWED
    ]
    assert upward == []


@pytest.mark.parametrize("layer", ["_hooks", "errors", "core", "store"])
def test_lower_layers_import_no_ui_library(layer: str) -> None:
    names = [m for m in MODULES if m.split(".")[1:2] == [layer]]
    assert names
    ui = [
        f"{m} imports {t}"
        for m in names
        for t in _imports(m)
        if t.split(".")[0] in UI_MODULES and (m, t) not in ALLOWED
    ]
    assert ui == []


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a path, or [] (depth-first search, three colours)."""
    colour: dict[str, int] = defaultdict(int)
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour[nxt] == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if colour[nxt] == 0 and (found := visit(nxt)):
                return found
        stack.pop()
        colour[node] = 2
        return []

    for node in sorted(graph):
        if colour[node] == 0 and (found := visit(node)):
            return found
    return []


def test_no_circles_between_packages() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for m, targets in GRAPH.items():
        for t in targets:
            a, b = _package(m), _package(t)
            if a != b and (m, t) not in ALLOWED:
                packages[a].add(b)
    assert _cycle(packages) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    # A lazy import inside a function (the store's metrics reach the core's slices) and a
    # relative one (the store's modules) are both edges: the test cannot be fooled by them.
    assert "jupyter_dci.core.slices._metrics" in GRAPH["jupyter_dci.store._metrics"]
    assert "jupyter_dci.store._log" in GRAPH["jupyter_dci.store._dataset"]


PROBE = """
import importlib, json, pkgutil, sys
import jupyter_dci, jupyter_dci.core, jupyter_dci.store, jupyter_dci.errors
for pkg in (jupyter_dci.core, jupyter_dci.store):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def test_core_and_store_import_no_ui_library_at_run_time() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (UI_MODULES,)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_importing_the_package_is_light() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import jupyter_dci, sys; print('anywidget' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == "False"
