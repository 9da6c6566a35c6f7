"""Shared fixtures: the awkward frames every view and function must survive."""

from __future__ import annotations

import datetime as dt
import decimal
import os

import numpy as np
import pandas as pd
import pytest

# Two cores: tests that fit models must not let BLAS/OpenMP spawn a thread per core each.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

XSS = "<img src=x onerror=alert(1)>"


def _awkward() -> dict[str, pd.DataFrame]:
    n = 6
    frames: dict[str, pd.DataFrame] = {
        "empty": pd.DataFrame(),
        "zero_columns": pd.DataFrame(index=range(4)),
        "zero_rows": pd.DataFrame(
            {"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype="str")}
        ),
        "duplicate_columns": pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"]),
        "non_string_columns": pd.DataFrame(
            {0: [1, 2], 1.5: ["x", "y"], None: [True, False], ("t", 1): [1, 2]}
        ),
        "multiindex_rows": pd.DataFrame(
            {"v": range(4)},
            index=pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "n"]),
        ),
        "multiindex_columns": pd.DataFrame(
            np.arange(8).reshape(2, 4), columns=pd.MultiIndex.from_product([["x", "y"], ["p", "q"]])
        ),
        "mixed_object": pd.DataFrame({"m": [1, "two", 3.0, None, b"bytes", [1, 2]]}),
        "containers": pd.DataFrame(
            {"l": [[1, 2, 3], {"k": "v"}, (1,), {1, 2}, [], {"deep": [[[[1]]]]}]}
        ),
        "bytes": pd.DataFrame(
            {"b": [b"\x00\x01", b"plain", bytearray(b"ba"), None, b"", b"\xff" * 10]}
        ),
        "decimal": pd.DataFrame({"d": [decimal.Decimal("1.10"), decimal.Decimal("NaN"), None] * 2}),
        "tz_datetimes": pd.DataFrame(
            {
                "t": pd.date_range("2024-03-30", periods=n, freq="7h", tz="Europe/Paris").insert(
                    2, pd.NaT
                )[:n]
            }
        ),
        "timedeltas": pd.DataFrame({"td": pd.to_timedelta([1, 2, None, 4, 5, 6], unit="h")}),
        "categoricals": pd.DataFrame({"c": pd.Categorical(["a", "b", None, "a", "c", "b"])}),
        "nullable": pd.DataFrame(
            {
                "i": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
                "f": pd.array([1.5, None, 3.0, 4.0, 5.0, 6.0], dtype="Float64"),
                "b": pd.array([True, None, False, True, True, False], dtype="boolean"),
                "s": pd.array(["a", None, "c", "d", "e", "f"], dtype="string"),
            }
        ),
        "inf": pd.DataFrame({"x": [np.inf, -np.inf, np.nan, 0.0, -0.0, 1e300]}),
        "huge_string": pd.DataFrame({"s": ["x" * 1_000_000, "short"]}),
        "html": pd.DataFrame({XSS: [XSS, "<script>alert(1)</script>", "&amp;"]}),
        "dates_and_times": pd.DataFrame(
            {"d": [dt.date(2024, 1, 1), dt.time(12, 30), dt.datetime(2024, 1, 1, 1)]}
        ),
        "images": pd.DataFrame(
            {
                "gray": [np.random.default_rng(0).random((8, 8)) for _ in range(3)],
                "rgb": [np.zeros((40, 30, 3), dtype=np.uint8) for _ in range(3)],
                "bool": [np.eye(5, dtype=bool) for _ in range(3)],
            }
        ),
        "nan_index": pd.DataFrame({"v": [1, 2, 3]}, index=[np.nan, 1.0, np.nan]),
    }
    return frames


AWKWARD = _awkward()


@pytest.fixture(params=sorted(AWKWARD), ids=sorted(AWKWARD))
def awkward_case(request: pytest.FixtureRequest) -> pd.DataFrame:
    """Each awkward frame in turn (a fresh copy, so tests may change it)."""
    return AWKWARD[request.param].copy()
