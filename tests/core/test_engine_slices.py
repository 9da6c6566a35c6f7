"""Slices of data beyond pandas: found and measured in the engine, as the pandas path finds them.

Each backend gets the same data (a pandas frame converted: Polars eager and lazy, a PyArrow
table and dataset, a DuckDB relation, a Parquet file); ``find_slices`` must report the same
slices, in the same order, with the same counts, rates and message as on the pandas frame,
for 0/1 errors and for losses, over number, text, datetime and bool columns with missing
values; ``slice_metrics`` must give the same figures per slice and per value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pytest

import jupyter_dci.core.slices._lazy_bins as lazy_bins
import jupyter_dci.core.slices._lazy_cuts as lazy_cuts
import jupyter_dci.core.slices._lazy_find as lazy_find
from jupyter_dci.core.engine import as_source
from jupyter_dci.core.slices import FoundSlices, SliceMetrics, find_slices, slice_metrics
from jupyter_dci.core.slices._bins import encode_feature
from jupyter_dci.core.slices._lazy_bins import encode_in_engine
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, UnsupportedInputError

PLANTED = "country == 'IN' and age < 25"


def _frame(n: int = 4_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    countries = np.array(["US", "IN", "BR", "DE", "FR", "CN"], dtype=object)
    country = rng.choice(countries, n, p=[0.3, 0.15, 0.15, 0.15, 0.15, 0.1])
    country[rng.random(n) < 0.03] = None
    age = rng.integers(18, 53, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    income = rng.lognormal(10, 0.6, n)
    income[::701] = np.inf  # pandas reads infinities at the ends of the float range
    income[rng.random(n) < 0.04] = np.nan
    flag = pd.array(rng.random(n) < 0.4, dtype="boolean")
    flag[rng.random(n) < 0.05] = pd.NA
    # 80 codes, a few common and many rare: the commonest 50 are levels, the rest "other".
    code = np.array([f"k{int(v) % 80:02d}" for v in rng.zipf(1.4, n)], dtype=object)
    frame = pd.DataFrame(
        {
            "country": pd.array(country, dtype="str"),
            "age": age,
            "income": income,
            "segment": rng.integers(0, 3, n),  # few values: one level each
            "is_active": rng.random(n) < 0.7,
            "flag": flag,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 86_400 * 90, n), unit="s"),
            "code": pd.array(code, dtype="str"),
            "ratio": rng.random(n).astype(np.float32),
        }
    )
    bad = ((frame["country"] == "IN") & (frame["age"] < 25)).to_numpy()
    frame["error"] = np.where(bad, rng.random(n) < 0.6, rng.random(n) < 0.06)
    frame["loss"] = np.where(bad, rng.exponential(2.0, n), rng.exponential(0.4, n))
    # Three planted slices at once: the picking weighs each against the ones before it.
    second = ((frame["segment"] == 2) & ~frame["is_active"]).to_numpy()
    third = ((frame["code"] == "k01") & (frame["flag"] == True)).fillna(False).to_numpy(bool)  # noqa: E712
    rate = np.where(bad, 0.6, np.where(second, 0.35, np.where(third, 0.3, 0.05)))
    frame["errors3"] = rng.random(n) < rate
    frame["y"] = rng.integers(0, 3, n)
    frame["pred"] = np.where(frame["error"], (frame["y"] + 1) % 3, frame["y"])
    frame["target"] = rng.normal(size=n)
    frame["guess"] = frame["target"] + np.where(bad, 2.0, 0.3) * rng.normal(size=n)
    return frame


def _parquet(df: pd.DataFrame, tmp: Path) -> str:
    path = tmp / "data.parquet"
    df.to_parquet(path, index=False)
    return str(path)


def _arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


BACKENDS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "polars": lambda df, _: pl.from_pandas(df),
    "polars-lazy": lambda df, _: pl.from_pandas(df).lazy(),
    "pyarrow-table": lambda df, _: _arrow(df),
    "pyarrow-dataset": lambda df, _: pads.dataset(_arrow(df)),
    "duckdb": lambda df, _: duckdb.from_arrow(_arrow(df)),
    "parquet": _parquet,
}
FEATURES = ["country", "age", "income", "segment", "is_active", "flag", "when", "code", "ratio"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def stored(data: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("slices")
    return {name: make(data, tmp) for name, make in BACKENDS.items()}


def _assert_same(got: FoundSlices, want: FoundSlices) -> None:
    a, b = got.to_dict(), want.to_dict()
    slices_a, slices_b = a.pop("slices"), b.pop("slices")
    assert a.pop("error") == pytest.approx(b.pop("error"))
    assert a == b
    assert len(slices_a) == len(slices_b)
    for x, y in zip(slices_a, slices_b, strict=True):
        for key, value in y.items():
            if isinstance(value, float):
                assert x[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
            else:
                assert x[key] == value, key


# -- find_slices --------------------------------------------------------------------------
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_the_planted_slice_is_found_as_in_pandas(
    backend: str, data: pd.DataFrame, stored: dict[str, Any]
) -> None:
    want = find_slices(data, "error", features=FEATURES)
    got = find_slices(stored[backend], "error", features=FEATURES)
    assert want.found and want[0].slice.describe() == PLANTED
    _assert_same(got, want)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_several_slices_are_picked_as_in_pandas(
    backend: str, data: pd.DataFrame, stored: dict[str, Any]
) -> None:
    want = find_slices(data, "errors3", features=FEATURES, min_support=0.005)
    got = find_slices(stored[backend], "errors3", features=FEATURES, min_support=0.005)
    assert [s.slice.describe() for s in want] == [
        PLANTED,
        "segment == 2 and is_active == False",
        "flag == True and code == 'k01'",
    ]
    _assert_same(got, want)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_losses_give_the_pandas_slices(
    backend: str, data: pd.DataFrame, stored: dict[str, Any]
) -> None:
    want = find_slices(data, "loss", features=FEATURES, max_predicates=2)
    got = find_slices(stored[backend], "loss", features=FEATURES, max_predicates=2)
    assert want.error_kind == "loss" and want[0].slice.describe() == PLANTED
    _assert_same(got, want)


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_every_column_codes_as_in_pandas(
    backend: str, data: pd.DataFrame, stored: dict[str, Any]
) -> None:
    source = as_source(stored[backend], "find_slices")
    columns = [*FEATURES, "y"]
    features, skipped, n_rows = encode_in_engine(source, columns, n_bins=4)
    assert n_rows == len(data) and skipped == {}
    for feature in features:
        want = encode_feature(data[feature.column], feature.column, n_bins=4)
        assert not isinstance(want, str)
        assert feature.levels == want.levels, feature.column
        codes = source.frame.select(feature.code().alias("c")).collect().to_pandas()["c"]
        assert np.array_equal(codes.to_numpy(), want.codes), feature.column


def _assert_codes_as_in_pandas(source: Any, data: pd.DataFrame, columns: list[str]) -> None:
    features, skipped, _ = encode_in_engine(source, columns, n_bins=7)
    assert skipped == {} and len(features) == len(columns)
    for feature in features:
        want = encode_feature(data[feature.column], feature.column, n_bins=7)
        assert not isinstance(want, str)
        assert feature.levels == want.levels, feature.column
        codes = source.frame.select(feature.code().alias("c")).collect().to_pandas()["c"]
        assert np.array_equal(codes.to_numpy(), want.codes), feature.column


@pytest.mark.parametrize(("spread", "drawn"), [(5.0, 1_000), (0.0, 50), (-5.0, 1_000)])
def test_cuts_of_large_columns_come_from_sampled_brackets_counted_exactly(
    spread: float,
    drawn: int,
    data: pd.DataFrame,
    stored: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As beyond a million values: brackets around each rank from a sample, counted exactly;
    # narrow ones from a tiny sample miss their ranks and are widened; inverted ones miss
    # twice, and the exact quantiles are asked for.
    monkeypatch.setattr(lazy_cuts, "EXACT_ROWS", 0)
    monkeypatch.setattr(lazy_cuts, "_SPREAD", spread)
    monkeypatch.setattr(lazy_bins, "SAMPLE_ROWS", drawn)
    monkeypatch.setattr(lazy_bins, "COUNTED", 0)
    monkeypatch.setattr(lazy_bins, "_FEW_IN_HEAD", 0)
    source = as_source(stored["parquet"], "find_slices")
    _assert_codes_as_in_pandas(source, data, ["age", "income", "when", "ratio", "target"])


def test_exact_quantiles_with_ties_in_polars(
    data: pd.DataFrame, stored: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lazy_bins, "COUNTED", 0)
    monkeypatch.setattr(lazy_bins, "_FEW_IN_HEAD", 0)
    source = as_source(stored["polars-lazy"], "find_slices")
    _assert_codes_as_in_pandas(source, data, ["age", "income", "when", "ratio"])


@pytest.mark.parametrize("backend", ["duckdb", "parquet"])
def test_wide_text_columns_are_searched_from_a_sample(
    backend: str, data: pd.DataFrame, stored: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A text column with many values in its first rows: only its values holding min_support
    # of the rows matter, found in a sample (here 1,000 rows: 50 expected per 5% value).
    monkeypatch.setattr(lazy_bins, "WIDE_HEAD", 10)
    monkeypatch.setattr(lazy_bins, "SAMPLE_ROWS", 1_000)
    calls: list[Any] = []
    real = lazy_bins._sampled_top
    monkeypatch.setattr(lazy_bins, "_sampled_top", lambda *a, **k: calls.append(a) or real(*a, **k))
    options: dict[str, Any] = {
        "features": ["segment", "is_active", "flag", "code"],
        "min_support": 0.05,
    }
    want = find_slices(data, "errors3", **options)
    got = find_slices(stored[backend], "errors3", **options)
    assert calls and "flag == True and code == 'k01'" in [s.slice.describe() for s in want]
    _assert_same(got, want)


def test_defaults_and_options_as_in_pandas(data: pd.DataFrame, stored: dict[str, Any]) -> None:
    frame = data.drop(columns=["loss", "errors3", "y", "pred", "target", "guess"])
    want = find_slices(frame, "error", k=3, min_support=0.02, n_bins=3, alpha=0.01)
    got = find_slices(
        stored["polars-lazy"].drop("loss", "errors3", "y", "pred", "target", "guess"),
        "error",
        k=3,
        min_support=0.02,
        n_bins=3,
        alpha=0.01,
    )
    _assert_same(got, want)
    assert "error" not in got.features


def test_nothing_found_and_skipped_columns_say_why(data: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "empty": [None] * 50,
            "same": ["a"] * 50,
            "nested": [[1]] * 50,
            "x": np.arange(50.0),
            "err": [0.0] * 50,
        }
    )
    # A text column of missing values on every pandas (2.2's astype("str") writes "None").
    frame["empty"] = pd.Series([None] * 50, dtype="string")
    lazy = pl.from_pandas(frame.drop(columns=["nested"])).with_columns(
        pl.Series("nested", [[1]] * 50)
    )
    got = find_slices(lazy, "err")
    assert not got.found and "No row has an error" in got.message
    assert got.skipped == {
        "empty": "only missing values",
        "same": "constant (one value, no missing values)",
        "nested": "dtype List(Int64) is not supported (numbers, datetimes, bools, text only)",
    }


# -- slice_metrics ------------------------------------------------------------------------
def _assert_same_metrics(got: SliceMetrics, want: SliceMetrics) -> None:
    assert (got.metric, got.ci_method, got.n_rows) == (want.metric, want.ci_method, want.n_rows)
    assert [g.name for g in got] == [g.name for g in want]
    for x, y in zip(got, want, strict=True):
        assert (x.column, x.support) == (y.column, y.support), y.name
        for key in ("support_fraction", "value", "ci_low", "ci_high", "rest", "lift"):
            a, b = getattr(x, key), getattr(y, key)
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9), key


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("metric", "truth", "pred"),
    [
        ("error_rate", "y", "pred"),
        ("accuracy", "y", "pred"),
        ("mae", "target", "guess"),
        ("mse", "target", "guess"),
    ],
)
def test_slice_metrics_as_in_pandas(
    backend: str, metric: str, truth: str, pred: str, data: pd.DataFrame, stored: dict[str, Any]
) -> None:
    options: dict[str, Any] = {
        "y_true": truth,
        "y_pred": pred,
        "metric": metric,
        "slices": [PLANTED, "isna(age)", "when >= '2024-02-01'", "flag == True"],
        "by": ["country", "age", "code"],
    }
    _assert_same_metrics(slice_metrics(stored[backend], **options), slice_metrics(data, **options))


# -- errors -------------------------------------------------------------------------------
def test_errors_must_be_a_column_of_lazy_data(data: pd.DataFrame) -> None:
    lazy = pl.from_pandas(data).lazy()
    with pytest.raises(InvalidParameterError, match="name of a column of the data") as err:
        find_slices(lazy, data["error"].to_numpy())
    assert "Polars LazyFrame" in str(err.value)
    with pytest.raises(DataMismatchError, match="errors='nope' names no column"):
        find_slices(lazy, "nope")
    with pytest.raises(InvalidParameterError, match="column 'country' of dtype String"):
        find_slices(lazy, "country")
    with pytest.raises(DataMismatchError, match="features names columns the frame does not"):
        find_slices(lazy, "error", features=["age", "nope"])
    with pytest.raises(InvalidParameterError, match="columns other than the errors column"):
        find_slices(lazy, "error", features=["age", "error"])


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([0.5, None, 1.0], "free of missing values"),
        ([0.5, float("nan"), 1.0], "free of missing values"),
        ([0.5, -1.0, 1.0], r"finite and non-negative.*\[-1\.0\]"),
        ([0.5, float("inf"), 1.0], r"finite and non-negative.*\[inf\]"),
    ],
)
def test_bad_errors_are_refused_in_the_engine(values: list[Any], match: str) -> None:
    lazy = pl.DataFrame({"x": [1, 2, 3], "e": values}, strict=False).lazy()
    with pytest.raises(InvalidParameterError, match=match):
        find_slices(lazy, "e")


def test_slice_metrics_refuses_what_aggregates_cannot_do(data: pd.DataFrame) -> None:
    lazy = pl.from_pandas(data).lazy()
    with pytest.raises(InvalidParameterError, match="error_rate, accuracy, mae, mse"):
        slice_metrics(lazy, y_true="y", y_pred="pred", metric=lambda t, p: 0.0)
    with pytest.raises(InvalidParameterError, match="error_rate, accuracy, mae, mse"):
        slice_metrics(lazy, y_true="y", pred_probs=np.ones((len(data), 3)) / 3)
    with pytest.raises(InvalidParameterError, match="name of a column"):
        slice_metrics(lazy, y_true=data["y"].to_numpy(), y_pred="pred")
    with pytest.raises(DataMismatchError, match="y_pred='nope' names no column"):
        slice_metrics(lazy, y_true="y", y_pred="nope")
    with pytest.raises(DataMismatchError, match="by='nope' names no column"):
        slice_metrics(lazy, y_true="y", y_pred="pred", by="nope")
    with pytest.raises(InvalidParameterError, match="numbers for metric='mae'"):
        slice_metrics(lazy, y_true="code", y_pred="pred", metric="mae")
    missing = pl.DataFrame({"y": [1, None, 0], "p": [1, 1, 0]}).lazy()
    with pytest.raises(DataMismatchError, match="y_true has 1 missing value"):
        slice_metrics(missing, y_true="y", y_pred="p")


def test_too_many_combinations_are_refused(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lazy_find, "MAX_ENTRIES", 20)
    with pytest.raises(InvalidParameterError, match="at most 20 distinct combinations"):
        find_slices(pl.from_pandas(data), "error", features=["age", "income"])


def test_other_inputs_are_refused_in_one_voice() -> None:
    with pytest.raises(UnsupportedInputError, match="find_slices takes a pandas DataFrame"):
        find_slices([1, 2], "e")
    with pytest.raises(UnsupportedInputError, match="slice_metrics takes a pandas DataFrame"):
        slice_metrics({"a": [1]}, y_true="a", y_pred="a")
