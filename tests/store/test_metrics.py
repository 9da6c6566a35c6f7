"""Per-version metrics: ds.evaluate records them, ds.metrics reads them across versions."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.errors import DCIWarning, InvalidParameterError, StoreError
from jupyter_dci.store import open_dataset, track


@pytest.fixture
def root(tmp_path):
    return tmp_path / "store"


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["IN", "IN", "US", "US", "FR", "IN"],
            "label": ["cat", "dog", "cat", "cat", "dog", "dog"],
        },
        index=pd.Index([f"r{i}" for i in range(6)], name="row"),
    )


PRED = np.array(["cat", "cat", "cat", "cat", "dog", "cat"])


def test_metrics_across_versions_overall_and_per_slice(root) -> None:
    ds = track(frame(), name="pets", label="label", root=root)
    ds.save_slice("india", "country == 'IN'")
    ds.save_slice("first two", {"note": "picked by hand"}, rows=["r0", "r1"])
    first = ds.evaluate(PRED, name="model")
    assert first["version"].tolist() == [1, 1, 1]
    assert first["slice"].tolist() == ["", "first two", "india"]
    # Labels r1 and r5 disagree with the model; fixing them is a data fix.
    assert first["value"].tolist() == pytest.approx([2 / 6, 1 / 2, 2 / 3])
    ds.relabel(["r1", "r5"], "cat", reason="the model was right")
    ds.commit("fix two labels")
    with pytest.warns(DCIWarning, match="first two"):
        ds.evaluate(PRED, name="model")
    ds.save_slice("first two", {"note": "picked by hand"}, rows=["r0", "r1"])
    ds.evaluate(PRED, name="model")
    table = ds.metrics()
    assert table["version"].tolist() == [1, 1, 1, 2, 2, 2]
    india = table[table["slice"] == "india"].set_index("version")["value"]
    assert india.tolist() == pytest.approx([2 / 3, 0.0])
    assert set(table.columns) >= {"name", "metric", "support", "ci_low", "ci_high", "time"}
    assert (table["metric"] == "error_rate").all()
    # Reopening the dataset reads the same figures.
    again = open_dataset("pets", root=root)
    pd.testing.assert_frame_equal(again.metrics(), table)


def test_evaluate_again_replaces_and_functions_of_the_frame(root) -> None:
    ds = track(frame(), name="pets", label="label", root=root)
    ds.evaluate(PRED, name="m")
    ds.evaluate(lambda df: np.where(df["country"] == "FR", "dog", "cat"), name="m")
    table = ds.metrics()
    assert len(table) == 1
    assert table["value"].iloc[0] == pytest.approx(2 / 6)
    ds.evaluate(PRED, name="other", metric="accuracy")
    assert sorted(ds.metrics()["name"]) == ["m", "other"]


def test_older_store_without_the_table_opens_and_reads_empty(root) -> None:
    ds = track(frame(), name="pets", label="label", root=root)
    con = sqlite3.connect(ds.path / "log.sqlite")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "metrics" not in tables  # created lazily, so stores written before still match
    empty = open_dataset("pets", root=root).metrics()
    assert empty.empty
    assert {"version", "slice", "value"} <= set(empty.columns)
    ds.evaluate(PRED)
    assert open_dataset("pets", root=root)._log.meta()["format_version"] == "1"


def test_evaluate_refuses_what_it_cannot_measure(root) -> None:
    ds = track(frame(), name="pets", label="label", root=root)
    ds.relabel("r0", "dog", reason="test")
    with pytest.raises(StoreError, match="pending edits"):
        ds.evaluate(PRED)
    ds.discard()
    with pytest.raises(InvalidParameterError, match="name"):
        ds.evaluate(PRED, name="")
    with pytest.raises(InvalidParameterError, match="raised"):
        ds.evaluate(lambda df: 1 / 0)
    unlabeled = track(frame(), name="nolabel", root=root)
    with pytest.raises(InvalidParameterError, match="y_true"):
        unlabeled.evaluate(PRED)
    assert unlabeled.evaluate(PRED, y_true="label")["value"].iloc[0] == pytest.approx(2 / 6)
