"""Profiling beyond pandas: the same figures from every engine as from the pandas path.

Each backend gets the same data (a pandas frame converted: Polars eager and lazy, a PyArrow
table and dataset, a DuckDB relation, Parquet and CSV files); exact figures must equal the
pandas profile's, and the wide-column path (engine aggregates) is forced on small data to be
checked against pandas too.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
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

import jupyter_dci as dci
import jupyter_dci.core.profile._lazy_columns as lazy_columns
import jupyter_dci.core.profile._lazy_plan as lazy_plan
from jupyter_dci.core.engine import as_source, input_kind
from jupyter_dci.core.profile import profile
from jupyter_dci.errors import InvalidParameterError, UnsupportedInputError


def _frame(n: int = 3_000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.normal(50, 10, n)
    x[rng.random(n) < 0.08] = np.nan
    x[::97] = -999.0  # a placeholder code at the edge of the range
    price = rng.lognormal(3, 1, n)
    price[::500] *= 1e4  # extreme outliers
    frame = pd.DataFrame(
        {
            "x": x,
            "price": price,
            "count": rng.poisson(2, n).astype(np.int64),
            "zeros": np.where(rng.random(n) < 0.7, 0.0, rng.exponential(3, n)),
            "id": np.arange(n, dtype=np.int64),
            "city": rng.choice(["Paris", "paris", "Lyon", "N/A", "Nice"], n),
            "note": [f"note {i % 700}" if i % 11 else None for i in range(n)],
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 86_400 * 60, n), unit="s"),
            "label": rng.choice(["cat", "dog", "eel"], n, p=[0.6, 0.38, 0.02]),
        }
    )
    frame.loc[:20, "when"] = pd.Timestamp("1970-01-01")  # a placeholder date
    return pd.concat([frame, frame.iloc[:15]], ignore_index=True)  # 15 duplicate rows


def _files(df: pd.DataFrame, tmp: Path, fmt: str) -> str:
    path = tmp / f"data.{fmt}"
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return str(path)


BACKENDS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "polars": lambda df, _: pl.from_pandas(df),
    "polars-lazy": lambda df, _: pl.from_pandas(df).lazy(),
    "pyarrow-table": lambda df, _: pa.Table.from_pandas(df, preserve_index=False),
    "pyarrow-dataset": lambda df, _: pads.dataset(pa.Table.from_pandas(df, preserve_index=False)),
    "duckdb": lambda df, _: duckdb.from_arrow(pa.Table.from_pandas(df, preserve_index=False)),
    "parquet": lambda df, tmp: _files(df, tmp, "parquet"),
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def expected(data: pd.DataFrame) -> Any:
    return profile(data, label="label")


def _assert_same_column(a: Any, b: Any, *, wide: bool = False) -> None:
    assert (b.n_rows, b.n_missing) == (a.n_rows, a.n_missing), a.name
    if "n_distinct" in b.estimated and {a.kind, b.kind} == {"numeric", "identifier"}:
        pass  # all but 0.5% distinct: an estimate cannot tell (DuckDB)
    else:
        assert b.kind == a.kind, a.name
    if not wide:
        assert b.n_distinct == a.n_distinct, a.name
    if a.numeric is not None:
        x, y = a.numeric, b.numeric
        assert (y.min, y.max, y.n_zeros, y.n_negative, y.n_inf) == (
            x.min,
            x.max,
            x.n_zeros,
            x.n_negative,
            x.n_inf,
        ), a.name
        assert y.mean == pytest.approx(x.mean, rel=1e-9), a.name
        assert y.std == pytest.approx(x.std, rel=1e-6), a.name
        if not wide:
            assert y.quantiles == pytest.approx(x.quantiles), a.name
            assert y.histogram == x.histogram, a.name
    if a.top is not None and not wide:
        assert b.top.counts == a.top.counts, a.name
        assert (b.top.n_other_rows, b.top.n_other_values) == (
            a.top.n_other_rows,
            a.top.n_other_values,
        ), a.name
        # Values tied at the cut may differ (pandas keeps the first seen, engines have no
        # order); every value above the cut is the same.
        cut = min(a.top.counts)
        above = {v: c for v, c in zip(a.top.values, a.top.counts, strict=True) if c > cut}
        assert {v: c for v, c in zip(b.top.values, b.top.counts, strict=True) if c > cut} == above
    if a.text is not None and b.text is not None:
        assert b.text == a.text, a.name
    if a.datetime is not None:
        got = (pd.Timestamp(b.datetime.min), pd.Timestamp(b.datetime.max))
        assert got == (pd.Timestamp(a.datetime.min), pd.Timestamp(a.datetime.max))
        assert b.datetime.histogram.counts == a.datetime.histogram.counts


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_every_engine_gives_the_pandas_figures(
    backend: str, data: pd.DataFrame, expected: Any, tmp_path: Path
) -> None:
    got = profile(BACKENDS[backend](data, tmp_path), label="label")
    assert got.engine == ("polars" if backend.startswith("polars") else "duckdb")
    assert (got.n_rows, got.n_columns, got.n_duplicate_rows) == (
        expected.n_rows,
        expected.n_columns,
        expected.n_duplicate_rows,
    )
    for name, column in expected.columns.items():
        _assert_same_column(column, got.columns[name])
        assert got.columns[name].estimated == ()
    # The same problems are found: placeholders, spellings, outliers, duplicates, imbalance...
    kinds = {(a.kind, a.column) for a in got.alerts}
    assert {(a.kind, a.column) for a in expected.alerts if a.kind != "associated"} <= kinds
    assert {"placeholder", "inconsistent_spelling", "outliers", "duplicate_rows"} <= {
        k for k, _ in kinds
    }
    json.dumps(got.to_dict())  # serialisable as the pandas profile


def test_csv_files_are_read_lazily_too(data: pd.DataFrame, tmp_path: Path) -> None:
    small = data[["x", "count", "city"]]
    got = profile(_files(small, tmp_path, "csv"))
    want = profile(small)
    assert got.source == "1 CSV file" and got.n_rows == want.n_rows
    for name in small.columns:
        _assert_same_column(want.columns[name], got.columns[name])


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_wide_columns_are_summarised_in_the_engine(
    backend: str, data: pd.DataFrame, expected: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # Force the aggregate path on small data: every column with over 50 distinct values.
    monkeypatch.setattr(lazy_plan, "EXACT_DISTINCT", 50)
    got = profile(BACKENDS[backend](data, tmp_path), label="label")
    for name in ("x", "price", "zeros", "id", "note", "when"):
        _assert_same_column(expected.columns[name], got.columns[name], wide=True)
        if backend == "duckdb":  # HyperLogLog, within a few percent
            assert "n_distinct" in got.columns[name].estimated
            assert got.columns[name].n_distinct == pytest.approx(
                expected.columns[name].n_distinct, rel=0.05
            )
        else:  # Polars counts exactly (a wide text's top values are a sample's, counted)
            assert "n_distinct" not in got.columns[name].estimated
            assert got.columns[name].n_distinct == expected.columns[name].n_distinct
    # Under a million rows the quantiles of wide columns are still exact.
    assert got.columns["x"].numeric.quantiles == pytest.approx(
        expected.columns["x"].numeric.quantiles
    )
    hist = got.columns["price"].numeric.histogram
    want = expected.columns["price"].numeric.histogram
    # The edges span the fences, not the extreme values inside them: the same outliers are
    # counted apart, and every value is counted once.
    assert hist.scale == want.scale == "log" and hist.edges[0] == want.edges[0]
    assert (hist.n_below, hist.n_above) == (want.n_below, want.n_above)
    assert sum(hist.counts) == sum(want.counts)
    kinds = {(a.kind, a.column) for a in got.alerts}
    assert ("outliers", "price") in kinds
    top = got.columns["note"].top
    assert top.n_other_rows + sum(top.counts) == got.n_rows - got.columns["note"].n_missing


def test_quantiles_of_wide_columns_beyond_a_million_rows_come_from_the_sample(
    data: pd.DataFrame, monkeypatch: Any
) -> None:
    monkeypatch.setattr(lazy_plan, "EXACT_DISTINCT", 50)
    monkeypatch.setattr(lazy_columns, "EXACT_QUANTILE_ROWS", 100)
    got = profile(pl.from_pandas(data))
    assert got.columns["x"].estimated == ("quantiles",)
    want = profile(data).columns["x"].numeric.quantiles
    # 3,015 rows sampled whole here: the estimate is the exact figure.
    assert got.columns["x"].numeric.quantiles == pytest.approx(want)


def test_top_level_profile_and_its_panel_take_polars(data: pd.DataFrame) -> None:
    result = dci.profile(pl.from_pandas(data[["x", "city"]]))
    assert result.engine == "polars" and result.n_rows == len(data)


@pytest.mark.parametrize(
    ("value", "fix"),
    [
        (np.zeros((2, 2)), r"pd\.DataFrame\(array, columns="),
        ({"a": [1]}, r"pd\.DataFrame\(\.\.\.\)"),
        (pd.Series([1]), r"Wrap a Series with \.to_frame\(\)"),
        (pl.Series([1]), r"Wrap a Series with \.to_frame\(\)"),
        (3, r"Convert it"),
    ],
)
def test_other_inputs_are_refused_in_one_voice(value: Any, fix: str) -> None:
    with pytest.raises(
        UnsupportedInputError, match=r"profile takes a pandas DataFrame, a Polars"
    ) as err:
        profile(value)
    assert isinstance(err.value, TypeError)
    assert "Got " in str(err.value)
    with pytest.raises(UnsupportedInputError, match=fix):
        profile(value)


def test_paths_that_match_nothing_or_mix_formats_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedInputError, match="found no file at"):
        profile(str(tmp_path / "missing*.parquet"))
    (tmp_path / "a.parquet").write_bytes(b"")
    (tmp_path / "b.txt").write_text("x")
    with pytest.raises(UnsupportedInputError, match="one format at a time"):
        profile(str(tmp_path / "*"))


def test_sample_and_unknown_labels_are_refused_for_lazy_data(data: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="'sample' parameter of profile"):
        profile(pl.from_pandas(data), sample=10)
    with pytest.raises(InvalidParameterError, match="'label' parameter of profile"):
        profile(pl.from_pandas(data), label="nope")


def test_input_kinds(tmp_path: Path) -> None:
    assert input_kind(pl.DataFrame()) == "polars"
    assert input_kind(duckdb.sql("select 1")) == "duckdb"
    assert input_kind(tmp_path) == "files"
    assert input_kind(pa.table({"a": [1]})) == "pyarrow-table"
    assert input_kind([1]) is None
    assert as_source(pa.table({"a": [1, 2]}), "profile").description == "a PyArrow Table"


def test_time_zones_and_dates_are_profiled_in_utc() -> None:
    times = pd.Series(pd.date_range("2024-03-30", periods=100, freq="h", tz="Europe/Paris"))
    frame = pd.DataFrame({"t": times, "d": [dt.date(2024, 1, 1 + i % 28) for i in range(100)]})
    frame["d"] = pd.to_datetime(frame["d"])
    want = profile(frame)
    got = profile(pl.from_pandas(frame))
    for name in ("t", "d"):
        got_min = pd.Timestamp(got.columns[name].datetime.min)
        assert got_min == pd.Timestamp(want.columns[name].datetime.min)
        assert (
            got.columns[name].datetime.histogram.counts
            == want.columns[name].datetime.histogram.counts
        )
    assert got.columns["t"].datetime.timezone == "Europe/Paris"


PEAK = textwrap.dedent(
    """
    import json, resource, sys
    from jupyter_dci.core.profile import profile
    prof = profile(sys.argv[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": prof.n_rows, "peak": peak, "alerts": len(prof.alerts)}))
    """
)


def test_a_file_larger_than_its_budget_is_profiled_in_bounded_memory(tmp_path: Path) -> None:
    # 3M rows x 10 columns: 1.1 GiB as a pandas frame (its strings as objects). Profiled from
    # the file, the process stays under the 1 GiB budget: DuckDB holds at most its memory
    # limit and streams the rest, and only bounded results come back.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.scale_data import write_scale_file

    path = write_scale_file(tmp_path / "big.parquet", 3_000_000)
    out = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["rows"] == 3_000_000
    assert result["peak"] < 2**30, result


def test_long_text_stays_in_the_engine_and_the_profile_stays_small() -> None:
    # 40 distinct values of 1 MiB: their value counts would bring 40 MiB into the kernel, and
    # a sample of them as much again. The column is summarised in the engine instead, the
    # sample keeps 200 characters a value, and the profile's size does not grow with a cell.
    words = [f"{i:03d} " + "x" * (2**20) for i in range(40)]
    frame = pl.DataFrame({"text": words * 3, "n": list(range(120))})
    prof = profile(frame.lazy())
    text = prof.columns["text"]
    assert text.n_distinct == 40 and text.n_missing == 0
    assert "top" in text.estimated  # the wide path
    assert text.text.min_length == 2**20 + 4
    assert text.top.values == ()  # no value shorter than the sample's cut: none shown
    assert len(json.dumps(prof.to_dict())) < 50_000
