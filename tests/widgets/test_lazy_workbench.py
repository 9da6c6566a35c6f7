"""dci.inspect of data kept in its engine: every tab computed there, decisions kept by key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

import jupyter_dci as dci
from jupyter_dci.errors import InvalidParameterError
from jupyter_dci.widgets.inspect._lazy import LazyWorkbench


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 3_000
    y = rng.integers(0, 2, n)
    p1 = np.clip(y * 0.8 + 0.1 + rng.normal(0, 0.05, n), 0.01, 0.99)
    y[:30] = 1 - y[:30]  # planted label errors
    city = rng.choice(["IN", "FR", "US"], n)
    # The model fails in one city: the slice to find.
    pred = np.where((city == "IN") & (rng.random(n) < 0.5), 1 - y, y)
    return pd.DataFrame(
        {
            "id": np.arange(n) + 1000,
            "y": y,
            "p0": 1 - p1,
            "p1": p1,
            "city": city,
            "age": rng.integers(18, 70, n),
            "pred": pred,
        }
    )


def test_a_tracked_parquet_file_goes_round_the_loop(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    ds = dci.track(str(path), name="d", key="id", label="y", root=tmp_path / "store")
    wb = dci.inspect(ds, pred_probs=["p0", "p1"], predictions="pred")
    assert isinstance(wb, LazyWorkbench) and wb.tab == "overview"
    assert wb.profile.n_rows == len(frame) and wb.profile.engine == "duckdb"
    assert "3,000 rows × 7 columns, kept in duckdb" in wb.header.value
    # Look: the profile panel over a table paged in DuckDB.
    assert wb.profile_panel is not None and wb.profile_panel.table is not None
    # Find and fix: the same flags as the in-memory function, reviewed by key.
    wb.open_tab("labels")
    expected = dci.find_label_issues(frame["y"], frame[["p0", "p1"]].to_numpy())
    flagged = set(frame["id"].to_numpy()[expected.issues.index.to_numpy()])
    assert set(wb.issues.issues.index) == flagged
    first = wb.review_panel.frame.index[0]
    wb.review_panel.decide(0, "accept")
    assert ds.pending()["row"].tolist() == [first]
    # Record: the history panel commits it; the file itself is never written.
    before = path.read_bytes()
    wb.open_tab("history")
    assert wb.history_panel is not None
    ds.commit("review")
    assert path.read_bytes() == before
    # Measure where the model fails: the planted city, found in the engine.
    wb.open_tab("slices")
    top = wb.slices_panel.found[0]
    assert top.slice.describe() == "city == 'IN'"


def test_untracked_polars_data_says_what_each_tab_needs(frame: pd.DataFrame) -> None:
    wb = dci.inspect(pl.from_pandas(frame), label="y", key="id")
    for tab, words in [
        ("labels", "pred_probs="),
        ("slices", "predictions="),
        ("history", "dci.track"),
    ]:
        wb.open_tab(tab)
        (note,) = wb._holders[["overview", "labels", "slices", "history"].index(tab)].children
        assert words in note.value
    with pytest.raises(InvalidParameterError, match="'name' parameter of open_tab"):
        wb.open_tab("nope")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"pred_probs": ["p0", "nope"]}, "'pred_probs' parameter"),
        ({"pred_probs": "p0"}, "'pred_probs' parameter"),
        ({"predictions": "nope"}, "'predictions' parameter"),
        ({"key": "nope"}, "'key' parameter"),
    ],
)
def test_bad_options_are_refused_before_any_work(
    frame: pd.DataFrame, options: dict[str, object], words: str
) -> None:
    with pytest.raises(InvalidParameterError, match=words):
        dci.inspect(pl.from_pandas(frame), label="y", **options)
