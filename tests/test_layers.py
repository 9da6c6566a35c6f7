"""The core and the store never import a UI library (DESIGN.md: dependencies point down only)."""

from __future__ import annotations

import json
import subprocess
import sys

UI_MODULES = ("ipywidgets", "anywidget", "traitlets", "altair", "IPython", "ipykernel", "comm")

PROBE = """
import importlib, json, pkgutil, sys
import jupyter_dci, jupyter_dci.core, jupyter_dci.store, jupyter_dci.errors
for pkg in (jupyter_dci.core, jupyter_dci.store):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def test_core_and_store_import_no_ui_library() -> None:
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
