"""Tables of data beyond pandas: filters and pages computed in the engine, as pandas shows them.

Every backend gets the same data; a page of any query (sort, filter) must hold the rows and
cells the pandas pager shows for it, and the filter language must mean the same everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.predicate import parse_predicate
from jupyter_dci.core.predicate._narwhals import to_expr
from jupyter_dci.core.table import FramePager, SortSpec
from jupyter_dci.core.table._cells import HOVER_CHARS
from jupyter_dci.core.table._lazy_pager import LazyPager
from jupyter_dci.errors import InvalidParameterError, PredicateError


def _frame(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "age": np.where(rng.random(n) < 0.1, np.nan, rng.integers(10, 80, n).astype(float)),
            "city": rng.choice(["IN", "FR", "N/A"], n),
            "ok": rng.random(n) < 0.5,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 86_400 * 60, n), unit="s"),
            "note": [None if i % 7 == 0 else f"x{i}" for i in range(n)],
        }
    )


def _parquet(df: pd.DataFrame, tmp: Path) -> str:
    path = tmp / "t.parquet"
    df.to_parquet(path, index=False)
    return str(path)


BACKENDS = {
    "polars": lambda df, _: pl.from_pandas(df),
    "polars-lazy": lambda df, _: pl.from_pandas(df).lazy(),
    "duckdb": lambda df, _: duckdb.from_arrow(pa.Table.from_pandas(df, preserve_index=False)),
    "parquet": _parquet,
}
FILTERS = [
    "",
    "age != 20",
    "age < 30 and city == 'IN'",
    "city in ['IN', None]",
    "not (age > 40)",
    "note contains '1'",
    "note not startswith 'x1'",
    "age between 20 and 30",
    "when > '2024-02-01'",
    "isna(note) or ok == true",
    "city not in ['FR']",
    "age in [20.0, 31]",
    "id in [20.0, 31]",
    "id in [20.5, 31, inf]",
]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return _frame()


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("filter", FILTERS)
def test_pages_hold_what_the_pandas_pager_shows(
    backend: str, filter: str, df: pd.DataFrame, tmp_path: Path
) -> None:
    lazy = LazyPager(as_source(BACKENDS[backend](df, tmp_path), "table"))
    eager = FramePager(df)
    # Sorted by a unique column (id, descending): an engine keeps no row order otherwise.
    sort = SortSpec(0, ascending=False)
    for offset, limit in ((0, 50), (120, 7), (10_000, 5)):
        got = lazy.page(offset, limit, sort=sort, filter=filter)
        want = eager.page(offset, limit, sort=sort, filter=filter)
        assert got.total == want.total
        assert [r.cells for r in got.rows] == [r.cells for r in want.rows]
        assert [r.pos for r in got.rows] == list(range(offset, offset + len(got.rows)))


def test_a_filter_means_the_same_in_every_engine(df: pd.DataFrame) -> None:
    for frame in (pl.from_pandas(df).lazy(), duckdb.from_arrow(pa.Table.from_pandas(df))):
        source = as_source(frame, "table")
        for text in FILTERS[1:]:
            predicate = parse_predicate(text)
            got = source.frame.filter(to_expr(predicate, source.schema)).collect()
            assert len(got) == int(predicate.mask(df).sum()), text


def test_bad_filters_and_sorts_are_refused_in_one_voice(df: pd.DataFrame) -> None:
    pager = LazyPager(as_source(pl.from_pandas(df), "table"))
    with pytest.raises(PredicateError, match=r"Unknown column 'agee'.*Did you mean 'age'"):
        pager.page(0, 10, filter="agee < 25")
    with pytest.raises(PredicateError, match="Cannot compare column 'age'"):
        pager.page(0, 10, filter="age == 'old'")
    with pytest.raises(PredicateError, match="Cannot read 'someday' as a date"):
        pager.page(0, 10, filter="when > 'someday'")
    with pytest.raises(InvalidParameterError, match="sort column must be a position"):
        pager.page(0, 10, sort=SortSpec(-1))
    with pytest.raises(InvalidParameterError, match="page limit"):
        pager.page(0, 0)
    nested = LazyPager(as_source(pl.DataFrame({"x": [[1], [2]]}), "table"))
    with pytest.raises(InvalidParameterError, match="cannot be sorted: it holds nested"):
        nested.page(0, 1, sort=SortSpec(0))
    with pytest.raises(InvalidParameterError, match="cannot be selected here"):
        pager.select("set", 0)


def test_counts_are_cached_per_filter(df: pd.DataFrame) -> None:
    pager = LazyPager(as_source(pl.from_pandas(df), "table"))
    assert pager.count(filter="age > 30") == int((df["age"] > 30).sum())
    assert "age > 30" in pager._counts
    pager.refresh()
    assert pager._counts == {}


@pytest.mark.parametrize("make", [pl.DataFrame, lambda d: pa.table(d)])
def test_long_text_is_cut_in_the_engine_and_its_length_said(make: Any) -> None:
    long = "x" * 300_000
    data = make({"t": [long, "short", None], "__dci_length_0": [1, 2, 3]})
    pager = LazyPager(as_source(data, "table"))
    sent: list[Any] = []
    real = pager._slice

    def spy(query: Any, offset: int, limit: int) -> Any:
        chunk = real(query, offset, limit)
        sent.append(chunk)
        return chunk

    pager._slice = spy  # type: ignore[method-assign]
    page = pager.page(0, 10)
    # Never more than a cell shows came out of the engine.
    assert max(len(v) for v in sent[0]["t"].dropna()) == HOVER_CHARS + 1
    cell = page.rows[0].cells[0]
    assert cell["full"].endswith("… (300,000 characters in all)")
    assert cell["full"].startswith("x" * HOVER_CHARS)
    assert page.rows[1].cells[0] == "short"
    # A column named like the helper column keeps its own values.
    assert [r.cells[1] for r in page.rows] == ["1", "2", "3"]
