"""The wheel carries the built front end, and installs a working JupyterLab extension."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (found,) = out.glob("jupyter_dci-*.whl")
    return found


def test_wheel_carries_the_built_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for bundle in ("table", "chart", "review", "profile", "slices", "history"):
        assert f"jupyter_dci/widgets/static/{bundle}.js" in names
    share = "jupyter_dci-{v}.data/data/share/jupyter/labextensions/jupyter-dci/"
    version = wheel.name.split("-")[1]
    assert share.format(v=version) + "package.json" in names
    assert share.format(v=version) + "install.json" in names
    assert any(n.startswith(share.format(v=version) + "static/remoteEntry.") for n in names)
    # The license travels with the wheel (hatchling takes LICENSE* into the dist-info).
    licenses = [n for n in names if ".dist-info/" in n and n.rsplit("/", 1)[-1] == "LICENSE"]
    assert len(licenses) == 1
    assert b"BSD 3-Clause" in zipfile.ZipFile(wheel).read(licenses[0])
    # Sources and build tooling stay out.
    assert not any("node_modules" in n or n.endswith(".ts") for n in names)


def test_wheel_installs_an_enabled_extension_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel), "jupyterlab>=4.2,<5"],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    listed = subprocess.run(
        [str(venv / "bin" / "jupyter"), "labextension", "list"],
        check=True, capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    text = listed.stdout + listed.stderr
    line = next(ln for ln in text.splitlines() if "jupyter-dci" in ln)
    assert "enabled" in line and "OK" in line
    probe = (
        "import jupyter_dci, pathlib, json, pandas as pd; "
        "v = jupyter_dci.table(pd.DataFrame({'a': [1]})); "
        "print(json.dumps([jupyter_dci.__file__, len(v._esm)]))"
    )
    out = subprocess.run(
        [str(py), "-c", probe], check=True, capture_output=True, text=True, env=env, cwd=tmp_path
    )
    where, esm_chars = json.loads(out.stdout)
    assert str(venv) in where  # the wheel's copy, not the source tree
    assert esm_chars > 1000
    cli = subprocess.run(
        [str(venv / "bin" / "jupyter-dci"), "--help"], capture_output=True, text=True, env=env
    )
    assert cli.returncode == 0
    assert "profile" in cli.stdout
