"""The replay of a version: each distinct logged value is decoded once, then spread.

A 100,000-row relabel holds a handful of distinct texts; the replay decodes those and
writes them by position. These tests pin that the shortcut is exact for every dtype
kind, with few and with many distinct values, and across repeated edits of a cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.store import open_dataset, track
from jupyter_dci.store._log import EditLog
from jupyter_dci.store._replay import apply_values

N = 300  # above the 64 values where coerce_values switches to its vectorised path


def every_kind(n: int = N) -> pd.DataFrame:
    """One column per dtype kind the store edits, with missing values where it has them."""
    rng = np.random.default_rng(0)
    words = np.array(["a", "b", "héllo", "🐱", 'q"uote'])
    return pd.DataFrame(
        {
            "label": pd.Categorical(rng.choice(["cat", "dog", "bird"], n)),
            "ordered": pd.Categorical(
                rng.choice(["lo", "hi"], n), categories=["lo", "mid", "hi"], ordered=True
            ),
            "int_cats": pd.Categorical(rng.integers(0, 3, n)),
            # None, not NaN, marks missing text: Parquet keeps a null, read back as None.
            "obj": pd.Series(rng.choice(words, n), dtype=object).where(rng.random(n) > 0.1, None),
            "str_default": pd.Series(rng.choice(words, n)),
            "str_python": pd.array(rng.choice(words, n), dtype="string[python]"),
            "str_arrow": pd.array(rng.choice(words, n), dtype="string[pyarrow]"),
            "i64": rng.integers(-(2**62), 2**62, n),
            "u8": rng.integers(0, 255, n).astype(np.uint8),
            "ni": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "f": rng.normal(size=n),
            "nf": pd.array(rng.normal(size=n), dtype="Float64"),
            "b": rng.random(n) > 0.5,
            "nb": pd.array(rng.random(n) > 0.5, dtype="boolean"),
            "ts": pd.date_range("2024-03-30", periods=n, freq="7h", tz="Europe/Paris"),
            "naive": pd.to_datetime(rng.integers(0, 10**9, n), unit="s"),
            "td": pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
        }
    )


#: Per column, a few distinct new values (missing ones included where the dtype has them).
FEW = {
    "label": ["fish", "cat"],
    "ordered": ["mid", "hi"],
    "int_cats": [2, 0],
    "obj": [None, "new", "héllo"],
    "str_default": ["z", None],
    "str_python": [None, "zz"],
    "str_arrow": ["🐱🐱", pd.NA],
    "i64": [2**62, -1],
    "u8": [0, 255],
    "ni": [pd.NA, 7],
    "f": [np.nan, -np.inf, -0.0, 1e300],
    "nf": [None, 0.1],
    "b": [True, False],
    "nb": [pd.NA, True],
    "ts": [pd.Timestamp("2020-01-01 12:00", tz="UTC"), pd.NaT],
    "naive": [pd.Timestamp("1999-12-31 23:59:59.123456"), pd.NaT],
    "td": [pd.Timedelta("3 days 00:00:01"), pd.NaT],
}


def _edit_all(ds, rng: np.random.Generator, *, many: bool) -> None:
    n = len(ds.frame)
    for column, few in FEW.items():
        rows = np.sort(rng.choice(n, 200, replace=False))
        values = [few[i] for i in rng.integers(0, len(few), len(rows))]
        if many and column in ("f", "i64", "str_default", "naive"):
            # Every value distinct: the path where deduplication saves nothing.
            fresh = every_kind(n + 200)[column].iloc[n:].tolist()
            values = fresh[: len(rows)]
        ds.edit(rows.tolist(), column, values, reason="test")


@pytest.mark.parametrize("many", [False, True], ids=["few-distinct", "many-distinct"])
def test_replay_round_trips_every_dtype_kind(tmp_path, many):
    df = every_kind()
    original = df.copy()
    ds = track(df, name="kinds", label="label", root=tmp_path)
    rng = np.random.default_rng(1)
    _edit_all(ds, rng, many=many)
    ds.commit("first")
    after_first = df.copy()
    _edit_all(ds, rng, many=many)  # the same cells edited again: the last value wins
    ds.commit("second")
    for version, want in ((1, original), (2, after_first), (3, df)):
        pd.testing.assert_frame_equal(ds.checkout(version), want, check_exact=True)
    pd.testing.assert_frame_equal(open_dataset("kinds", root=tmp_path).frame, df)


def test_values_equal_as_texts_are_decoded_once_and_spread_exactly():
    # A categorical column whose recorded categories lack the logged label: the replay
    # widens it once, then places the label at every edited row.
    frame = pd.DataFrame({"y": pd.Categorical(["a"] * 100)})
    cells = pd.DataFrame(
        {
            "row_id": np.arange(0, 100, 2),
            "column": pd.Series(["y"] * 50, dtype=object),
            "value": pd.Series(['["s","new"]'] * 50, dtype=object),
        }
    )
    apply_values(frame, cells)
    assert list(frame["y"].cat.categories) == ["a", "new"]
    assert frame["y"].tolist() == ["new", "a"] * 50


@pytest.mark.parametrize("n", [1, 100])
def test_an_object_column_takes_a_missing_value_whatever_the_count(tmp_path, n):
    # Few values go through the checked path, 64 and more through the vectorised one;
    # the replay decodes a 100-row edit as one distinct value, so both must agree.
    df = pd.DataFrame({"o": pd.Series(["a"] * 100, dtype=object)})
    ds = track(df, name="o", root=tmp_path)
    ds.edit(list(range(n)), "o", [None] * n)
    ds.commit("blank")
    assert df["o"].tolist() == [None] * n + ["a"] * (100 - n)
    pd.testing.assert_frame_equal(ds.checkout("HEAD"), df)


def test_last_values_keeps_the_newest_value_of_each_cell_as_object_columns(tmp_path):
    df = pd.DataFrame({"y": ["a"] * 10, "z": [0.0] * 10})
    ds = track(df, name="d", label="y", root=tmp_path)
    ds.relabel([1, 2, 3], "b")
    ds.edit([2], "z", 1.5)
    ds.commit("one")
    ds.relabel([2, 4], "c")
    ds.commit("two")
    log = EditLog.open(ds.path)
    cells = log.last_values(0, log.last_edit(3))
    got = sorted(zip(cells["row_id"], cells["column"], cells["value"], strict=True))
    assert got == [
        (1, "y", '["s","b"]'),
        (2, "y", '["s","c"]'),
        (2, "z", '["f",1.5]'),
        (3, "y", '["s","b"]'),
        (4, "y", '["s","c"]'),
    ]
    assert cells["column"].dtype == object and cells["value"].dtype == object


def test_checked_out_frames_are_writable_in_every_column(tmp_path):
    # Arrow hands categorical codes over read-only, and the base file is memory-mapped:
    # none of it may reach the user's frame as an array that refuses writes.
    rng = np.random.default_rng(2)
    df = every_kind()
    df["image"] = [rng.random((2, 3)) for _ in range(N)]
    ds = track(df, name="w", label="label", root=tmp_path)
    ds.relabel(list(range(0, N, 3)), "dog")
    ds.commit("some dogs")
    for version in (1, 2):
        frame = ds.checkout(version)
        for column in frame.columns.drop("image"):
            frame.loc[0, column] = frame.loc[1, column]
            assert frame[column].iloc[[0]].equals(frame[column].iloc[[1]].set_axis([0]))
        assert all(
            np.array_equal(a, b) and a.dtype == b.dtype
            for a, b in zip(frame["image"], df["image"], strict=True)
        )
    reopened = open_dataset("w", root=tmp_path).frame
    reopened.loc[0, "label"] = "bird"  # the tracked frame of a reopened dataset too
    assert reopened.loc[0, "label"] == "bird"
