"""One version: the Python package's, which the npm package and the built extension repeat."""

from __future__ import annotations

import json
from pathlib import Path

import jupyter_dci

ROOT = Path(__file__).resolve().parents[1]


def test_npm_version_matches_python() -> None:
    package = json.loads((ROOT / "labextension" / "package.json").read_text())
    assert package["version"] == jupyter_dci.__version__


def test_built_extension_matches_python() -> None:
    built = Path(jupyter_dci.__file__).parent / "labextension" / "package.json"
    assert built.is_file(), "the labextension is not built: pip install -e . builds it"
    assert json.loads(built.read_text())["version"] == jupyter_dci.__version__


def test_changelog_names_the_version() -> None:
    assert f"## {jupyter_dci.__version__}" in (ROOT / "CHANGELOG.md").read_text()
