from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=300),
            "city": rng.choice(["NY", "ny ", "LA"], 300),
            "email": [f"u{i}@example.com" for i in range(300)],
        }
    )


def test_csv_to_html_and_json(tmp_path, frame, capsys):
    src = tmp_path / "data.csv"
    frame.to_csv(src, index=False)
    html, js = tmp_path / "out.html", tmp_path / "out.json"
    assert main(["profile", str(src), "--html", str(html), "--json", str(js)]) == 0
    captured = capsys.readouterr()
    assert "data.csv: 300 rows x 3 columns" in captured.out
    assert "personal_data" in captured.out
    assert "profiling [" in captured.err  # progress goes to stderr
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["n_rows"] == 300
    assert data["columns"]["city"]["kind"] == "categorical"


def test_parquet(tmp_path, frame, capsys):
    src = tmp_path / "data.parquet"
    frame.to_parquet(src)
    assert main(["profile", str(src), "--quiet", "--label", "city"]) == 0
    assert capsys.readouterr().err == ""


def test_unreadable_inputs_exit_non_zero_with_a_clear_message(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    assert main(["profile", str(missing)]) == 2
    assert "is not a file" in capsys.readouterr().err
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    assert main(["profile", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "jupyter-dci: error: cannot read" in err
    assert "Traceback" not in err
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    assert main(["profile", str(odd)]) == 2
    assert "--format" in capsys.readouterr().err


def test_bad_label_is_a_clear_error(tmp_path, frame, capsys):
    src = tmp_path / "data.csv"
    frame.to_csv(src, index=False)
    assert main(["profile", str(src), "--label", "nope"]) == 2
    assert "'label' parameter of profile" in capsys.readouterr().err


def test_usage_error_exit_code():
    assert main(["nonsense"]) == 2


def test_as_a_subprocess(tmp_path, frame):
    src = tmp_path / "data.csv"
    frame.to_csv(src, index=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run(
        [sys.executable, "-m", "jupyter_dci.cli", "profile", str(src), "--sample", "100"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "sampled: counts are over 100 random rows" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "jupyter_dci.cli", "profile", str(tmp_path / "x.csv")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "jupyter-dci: error:" in bad.stderr


def test_parquet_is_profiled_in_its_engine(tmp_path, frame, capsys):
    src = tmp_path / "data.parquet"
    frame.to_parquet(src)
    js = tmp_path / "out.json"
    assert main(["profile", str(src), "--json", str(js)]) == 0
    out = capsys.readouterr().out
    assert "300 rows x 3 columns" in out and "computed in duckdb, never in memory" in out
    assert json.loads(js.read_text(encoding="utf-8"))["n_rows"] == 300
    # --sample reads the file into pandas and samples it there.
    assert main(["profile", str(src), "--sample", "100"]) == 0
    assert "sampled: counts are over 100 random rows" in capsys.readouterr().out


def test_terminal_control_sequences_in_the_data_are_shown_escaped(tmp_path, capsys):
    evil = "col\x1b]0;pwned\x07\x1b[2J\u202e"
    src = tmp_path / "data.csv"
    pd.DataFrame({evil: [1, 1, 1, 1], "ok": ["a\x1b[31m", "b", "c", None]}).to_csv(src, index=False)
    assert main(["profile", str(src)]) == 0
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
    assert "col\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in captured.out


@pytest.mark.parametrize("option", ["--html", "--json"])
def test_an_output_that_cannot_be_written_is_one_clear_line(tmp_path, frame, capsys, option):
    src = tmp_path / "data.csv"
    frame.to_csv(src, index=False)
    for target, words in [
        (tmp_path / "no" / "such" / "out", "does not exist"),
        (tmp_path, "is a folder"),
    ]:
        assert main(["profile", str(src), "--quiet", option, str(target)]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
    if os.geteuid() != 0:  # root writes anywhere: no permission to deny
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["profile", str(src), "--quiet", option, str(locked / "out")]) == 2
        assert "permission denied" in capsys.readouterr().err


def test_a_write_failing_midway_is_one_clear_line(tmp_path, frame, capsys, monkeypatch):
    src = tmp_path / "data.csv"
    frame.to_csv(src, index=False)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out.json"))

    monkeypatch.setattr(Path, "write_text", full)
    assert main(["profile", str(src), "--quiet", "--json", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
