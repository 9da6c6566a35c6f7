"""Shared awkward frames: every profile test runs on the data that breaks profilers."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest


def _awkward_columns(n: int = 60) -> dict[str, pd.Series]:
    rng = np.random.default_rng(0)
    idx = np.arange(n)
    ints = pd.array(rng.integers(0, 10, n), dtype="Int64")
    ints[::7] = pd.NA
    boolean = pd.array(rng.random(n) < 0.5, dtype="boolean")
    boolean[::5] = pd.NA
    strings = pd.array([f"s{i % 4}" for i in idx], dtype="string")
    strings[::6] = pd.NA
    cat = pd.Categorical(
        [["lo", "mid", "hi"][i % 3] if i % 9 else None for i in idx],
        categories=["lo", "mid", "hi", "unused"],
    )
    tz = pd.Series(pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris"))
    tz[3] = pd.NaT
    mixed = pd.Series([[1, "a", 2.5, None, b"x"][i % 5] for i in idx], dtype=object)
    lists = pd.Series([[i, i + 1] if i % 4 else {"k": i} for i in idx], dtype=object)
    return {
        "float_nan": pd.Series(np.where(idx % 3 == 0, np.nan, rng.normal(size=n))),
        "int64_nullable": pd.Series(ints),
        "boolean": pd.Series(boolean),
        "string": pd.Series(strings),
        "category": pd.Series(cat),
        "tz_datetime": tz,
        "naive_datetime": pd.Series(pd.date_range("2020-01-01", periods=n, freq="D")),
        "timedelta": pd.Series(pd.to_timedelta(idx, unit="s")),
        "period": pd.Series(pd.period_range("2020-01", periods=n, freq="M")),
        "interval": pd.Series(pd.interval_range(0, n)),
        "mixed": mixed,
        "lists_dicts": lists,
        "decimal": pd.Series([decimal.Decimal(int(i)) / 4 for i in idx], dtype=object),
        "complex": pd.Series(idx + 1j * idx),
        "bytes": pd.Series([f"b{i % 3}".encode() for i in idx], dtype=object),
        "inf": pd.Series(np.where(idx % 10 == 0, np.inf, idx.astype(float))),
        "all_nan": pd.Series(np.full(n, np.nan)),
        "all_none_object": pd.Series([None] * n, dtype=object),
        "dates_object": pd.Series([dt.date(2024, 1, 1 + i % 28) for i in idx], dtype=object),
        "long_text": pd.Series(["word " * (200 + i) for i in idx]),
        "bool": pd.Series(idx % 2 == 0),
    }


@pytest.fixture
def awkward_frame() -> pd.DataFrame:
    """A 60-row frame with one awkward column of each kind."""
    return pd.DataFrame(_awkward_columns())


@pytest.fixture(
    params=[
        "empty_rows",
        "zero_columns",
        "empty_both",
        "single_row",
        "duplicate_names",
        "non_string_names",
        "multiindex",
        "pyarrow_dtypes",
    ]
)
def odd_shape_frame(request: pytest.FixtureRequest) -> pd.DataFrame:
    """Frames of odd shape: no rows, no columns, repeated or non-string names, MultiIndex."""
    kind = request.param
    if kind == "empty_rows":
        return pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})
    if kind == "zero_columns":
        return pd.DataFrame(index=range(5))
    if kind == "empty_both":
        return pd.DataFrame()
    if kind == "single_row":
        return pd.DataFrame({"a": [1.0], "b": ["x"], "c": [pd.Timestamp("2024-01-01")]})
    if kind == "duplicate_names":
        return pd.DataFrame([[1, "x", 2.0], [2, "y", 3.0]], columns=["a", "a", "b"])
    if kind == "non_string_names":
        return pd.DataFrame({0: [1, 2], 1.5: ["x", "y"], None: [True, False]})
    if kind == "multiindex":
        cols = pd.MultiIndex.from_tuples([("g", "a"), ("g", "b"), ("h", "a")])
        rows = pd.MultiIndex.from_product([["r1", "r2"], [1, 2]])
        return pd.DataFrame(np.arange(12).reshape(4, 3), index=rows, columns=cols)
    return pd.DataFrame(
        {
            "i": pd.array([1, None, 3], dtype="int64[pyarrow]"),
            "s": pd.array(["a", None, "c"], dtype="string[pyarrow]"),
            "f": pd.array([1.5, 2.5, None], dtype="double[pyarrow]"),
            "b": pd.array([True, None, False], dtype="bool[pyarrow]"),
            "t": pd.array(
                [pd.Timestamp("2024-01-01"), None, pd.Timestamp("2024-01-03")],
                dtype="timestamp[us][pyarrow]",
            ),
        }
    )


@pytest.fixture
def clean_frame() -> pd.DataFrame:
    """A 2,000-row frame with nothing wrong in it: no alert should fire."""
    rng = np.random.default_rng(1)
    n = 2_000
    return pd.DataFrame(
        {
            "height": rng.normal(170, 10, n),
            "weight": rng.normal(70, 12, n),
            "city": rng.choice(["Paris", "Lyon", "Nice", "Lille"], n),
            "score": rng.integers(0, 100, n),
            "joined": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 1000, n), unit="D"),
            "active": rng.random(n) < 0.5,
        }
    )
