"""What the slices need of an engine beyond narwhals: exact order statistics, first rows.

Binning a column in its engine the way ``_bins`` bins a pandas column needs two things
narwhals does not express for every engine:

- the values at given ranks of the sorted column (numpy's ``lower`` quantiles are the
  values at ranks ``floor((n - 1) q)``): Polars' ``quantile(q, "lower")`` takes the value
  at index ``floor((n - 1) q)`` and DuckDB's ``quantile_disc`` at ``ceil(n q) - 1``, so each
  is asked for the quantile in the middle of the wanted rank, which lands on it whatever
  the rounding;
- the commonest values of a column in the order pandas' ``factorize`` gives ties (first
  appearance): a row number in the scan's order, which DuckDB's ``row_number() OVER ()``
  and Polars' row index both give.

Column names never reach SQL here: the column is first selected, under a fixed alias, by a
narwhals expression; every number in the SQL text is one this package computed.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> import narwhals.stable.v2 as nw
>>> source = as_source(pl.DataFrame({"x": [5.0, 1.0, 3.0, 2.0, 4.0]}), "find_slices")
>>> order_statistics(source, nw.col("x"), [0, 2, 4], 5)
[1.0, 3.0, 5.0]
>>> source = as_source(pl.DataFrame({"c": ["b", "a", "a", "b", "c"]}), "find_slices")
>>> top_values(source, nw.col("c"), 2)
[('b', 2), ('a', 2)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw

from jupyter_dci.core.engine import LazySource

__all__ = ["order_statistics", "top_values"]

_VALUE, _ROW = "dci_value", "dci_row"


def order_statistics(
    source: LazySource, values: Any, ranks: Sequence[int], n_valid: int
) -> list[Any]:
    """Return the values at ``ranks`` (0-based) of the sorted non-missing ``values``.

    ``n_valid`` counts the non-missing values. Each rank is asked for as the quantile in
    the middle of it, for the engine's own rule of rounding a quantile to a rank.
    """
    if not ranks:
        return []
    picked = source.frame.select(values.alias(_VALUE)).filter(~nw.col(_VALUE).is_null())
    n = int(n_valid)
    if source.engine == "duckdb":
        # quantile_disc takes the value at index ceil(n q) - 1.
        wanted = ", ".join(repr((int(r) + 0.5) / n) for r in ranks)
        (row,) = picked.to_native().aggregate(f'quantile_disc("{_VALUE}", [{wanted}])').fetchall()
        return list(row[0])
    # Polars' "lower" quantile takes the value at index floor((n - 1) q), as numpy does.
    exprs = [
        nw.col(_VALUE)
        .quantile(min(1.0, (int(r) + 0.5) / (n - 1)) if n > 1 else 0.0, interpolation="lower")
        .alias(f"q{i}")
        for i, r in enumerate(ranks)
    ]
    return list(picked.select(exprs).collect().rows()[0])


def _numbered(source: LazySource, values: Any) -> Any:
    """Return the values beside their row number in the scan's order (a LazyFrame)."""
    picked = source.frame.select(values.alias(_VALUE))
    if source.engine == "duckdb":
        relation = picked.to_native().query(
            "dci_values",
            f'SELECT "{_VALUE}", row_number() OVER () AS {_ROW} FROM dci_values',
        )
        return nw.from_native(relation)
    if source.engine == "polars":
        return nw.from_native(picked.to_native().with_row_index(_ROW))
    return picked.with_columns(nw.lit(0).alias(_ROW))  # no row order to be had: ties by value


def top_values(
    source: LazySource, values: Any, limit: int, among: Sequence[Any] | None = None
) -> list[tuple[Any, int]]:
    """Return the ``limit`` commonest non-missing values and their rows, commonest first.

    Ties are in order of first appearance, as ``pandas.factorize`` orders them. ``among``
    restricts the count to those values (literals of the query).
    """
    frame = _numbered(source, values).filter(~nw.col(_VALUE).is_null())
    if among is not None:
        frame = frame.filter(nw.col(_VALUE).is_in(list(among)))
    top = (
        frame.group_by(_VALUE)
        .agg(nw.len().alias("n"), nw.col(_ROW).min().alias("first"))
        .sort(["n", "first", _VALUE], descending=[True, False, False])
        .head(limit)
        .collect()
        .to_pandas()
    )
    return [(v, int(n)) for v, n in zip(top[_VALUE].tolist(), top["n"], strict=True)]
