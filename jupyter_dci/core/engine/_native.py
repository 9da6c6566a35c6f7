"""What narwhals does not express, written once per engine: distinct counts, row hashes, samples.

Each function takes a :class:`~jupyter_dci.core.engine._source.LazySource` and answers in
its engine (DuckDB or Polars), with a generic narwhals fallback that is exact but costlier.
Column names reach DuckDB's SQL only as quoted identifiers and values never do: every
number in these queries is one this package chose (a probability, a sample size, a seed).

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> source = as_source(pl.DataFrame({"x": [1, 1, 2], "y": ["a", "a", "b"]}), "profile")
>>> approx_distinct(source, ["x", "y"]), duplicate_rows(source)
(({'x': 2, 'y': 2}, True), 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.engine._source import LazySource, scalars

__all__ = ["approx_distinct", "duplicate_rows", "quote", "sample_rows"]


def quote(name: str) -> str:
    """Quote a column name as a DuckDB identifier (a double quote inside is doubled).

    Examples
    --------
    >>> quote('a"b')
    '"a""b"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def _duckdb_row(source: LazySource, select: str) -> tuple[Any, ...]:
    relation = source.frame.to_native()
    return tuple(relation.aggregate(select).fetchall()[0])


def _is_float(dtype: Any) -> bool:
    return isinstance(dtype, (nw.Float32, nw.Float64))


def approx_distinct(source: LazySource, columns: Sequence[str]) -> tuple[dict[str, int], bool]:
    """Count the distinct non-missing values of each column (NaN is missing, as in pandas).

    Returns the counts and whether they are exact: DuckDB estimates them with HyperLogLog
    (about 2% error, a few bytes per column whatever the data's size); Polars and the
    generic path count exactly (Polars' own sketch errs by up to ~10%, too much to quote).
    """
    if not columns:
        return {}, True
    schema = source.schema
    if source.engine == "duckdb":

        def present(c: str) -> str:
            if _is_float(schema[c]):
                return f"CASE WHEN isnan({quote(c)}) THEN NULL ELSE {quote(c)} END"
            return quote(c)

        values = _duckdb_row(
            source, ", ".join(f"approx_count_distinct({present(c)})" for c in columns)
        )
        return {c: int(v) for c, v in zip(columns, values, strict=True)}, False
    if source.engine == "polars":
        import polars as pl

        def distinct(c: str) -> Any:
            col = pl.col(c).drop_nulls()
            return (col.drop_nans() if _is_float(schema[c]) else col).n_unique()

        native = source.frame.to_native()
        out = native.select([distinct(c).alias(f"_{i}") for i, c in enumerate(columns)]).collect()
        return {c: int(out[0, i]) for i, c in enumerate(columns)}, True
    # n_unique counts a missing value as one more distinct value, as Polars does.
    exprs = [nw.col(c).n_unique().alias(f"_{i}") for i, c in enumerate(columns)]
    exprs += [nw.col(c).is_null().any().alias(f"m{i}") for i, c in enumerate(columns)]
    row = scalars(source.frame.select(exprs))
    return {c: int(row[f"_{i}"]) - bool(row[f"m{i}"]) for i, c in enumerate(columns)}, True


def duplicate_rows(source: LazySource) -> int:
    """Count rows equal to an earlier row, by a 64-bit hash of each row in the engine."""
    columns = source.columns
    if not columns:
        return 0
    if source.engine == "duckdb":
        hashed = f"hash({', '.join(quote(c) for c in columns)})"
        (n, distinct) = _duckdb_row(source, f"count(*), count(DISTINCT {hashed})")
        return int(n) - int(distinct)
    if source.engine == "polars":
        import polars as pl

        native = source.frame.to_native()
        out = native.select(
            pl.len().alias("n"), pl.struct(pl.all()).hash(seed=0).n_unique().alias("d")
        ).collect()
        return int(out[0, "n"]) - int(out[0, "d"])
    distinct = scalars(source.frame.unique().select(nw.len().alias("n")))["n"]
    return source.n_rows - int(distinct)


def sample_rows(source: LazySource, n: int, *, seed: int = 0) -> pd.DataFrame:
    """Draw about ``n`` rows spread over the data, as pandas (bounded: at most ``n``).

    DuckDB draws a seeded reservoir sample; other engines take every k-th row.
    """
    if source.engine == "duckdb":
        relation = source.frame.to_native()
        drawn = relation.query(
            "dci_sample",
            f"SELECT * FROM dci_sample USING SAMPLE reservoir({int(n)} ROWS) "
            f"REPEATABLE ({int(seed)})",
        )
        return drawn.df()
    step = max(1, -(-source.n_rows // max(n, 1)))
    return source.frame.gather_every(step).head(n).collect().to_pandas()
