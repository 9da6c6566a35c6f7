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

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.engine._source import LazySource, scalars
from jupyter_dci.core.engine._sql import one_pass

__all__ = ["BinSpec", "approx_distinct", "duplicate_rows", "histograms", "quote", "sample_rows"]


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


@dataclass(frozen=True)
class BinSpec:
    """A histogram to count: a column, how its values become bins, and the bin edges.

    ``kind`` is ``"number"`` (linear bins over ``edges``), ``"log"`` (bins even in log),
    ``"datetime"`` (``edges`` in microseconds since the epoch, UTC) or ``"length"`` (rows
    per text length, no edges). A value below the edges counts in bin -1, above in
    ``len(edges) - 1``; the last bin holds its right edge.
    """

    column: str
    kind: str
    edges: tuple[float, ...] = ()


def _duckdb_bin(spec: BinSpec, dtype: Any) -> str:
    col = quote(spec.column)
    if spec.kind == "length":
        return f"length(CAST({col} AS VARCHAR))"
    if spec.kind == "datetime":
        stamp = f"CAST({col} AS TIMESTAMP)" if isinstance(dtype, nw.Date) else col
        x = f"CAST(epoch_us({stamp}) AS DOUBLE)"
        finite = f"{x} IS NOT NULL"
    else:
        x = f"CAST({col} AS DOUBLE)"
        finite = f"isfinite({x})"
    n = len(spec.edges) - 1
    e0, e1 = float(spec.edges[0]), float(spec.edges[-1])
    if spec.kind == "log":
        origin, width = math.log(e0), (math.log(e1) - math.log(e0)) / n
        scaled = f"ln(greatest({x}, {e0!r}))"
    else:
        origin, width = e0, (e1 - e0) / n
        scaled = x
    # Every number here is one this package computed (edges from the data's own range).
    return (
        f"CASE WHEN NOT ({finite}) THEN NULL WHEN {x} < {e0!r} THEN -1 "
        f"WHEN {x} > {e1!r} THEN {n} "
        f"ELSE least(greatest(CAST(floor(({scaled} - {origin!r}) / {width!r}) AS BIGINT), 0), "
        f"{n - 1}) END"
    )


def histograms(
    source: LazySource,
    specs: Sequence[BinSpec],
    group_by: Callable[[BinSpec], dict[int, int]],
) -> list[dict[int, int]]:
    """Count every histogram of ``specs``: bin (or length) -> rows, missing values left out.

    DuckDB counts them all in one pass (its ``histogram`` aggregate); other engines run
    ``group_by(spec)``, one group-by per histogram.
    """
    if not specs:
        return []
    if source.engine != "duckdb":
        return [group_by(spec) for spec in specs]
    schema = source.schema
    row = _duckdb_row(
        source,
        ", ".join(f"histogram({_duckdb_bin(s, schema[s.column])})" for s in specs),
    )
    return [{int(k): int(v) for k, v in (counts or {}).items()} for counts in row]


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


def sample_rows(
    source: LazySource,
    n: int,
    *,
    seed: int = 0,
    columns: Sequence[str] | None = None,
    cut: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Draw about ``n`` rows spread over the data, as pandas (bounded: at most ``n``).

    DuckDB draws a seeded reservoir sample; other engines take every k-th row. ``columns``
    keeps only those (a scan then reads only them); ``cut`` maps text columns to the
    characters kept of each drawn value, cut in the engine after the draw, so the sample's
    size does not grow with a cell's length.
    """
    names = list(source.columns if columns is None else columns)
    cut = dict(cut or {})
    if source.engine == "duckdb":
        relation = source.frame.select(names).to_native()
        shown = ", ".join(
            f"substring(CAST({quote(c)} AS VARCHAR), 1, {int(cut[c])}) AS {quote(c)}"
            if c in cut
            else quote(c)
            for c in names
        )
        drawn = relation.query(
            "dci_sample",
            f"SELECT {shown} FROM (SELECT * FROM dci_sample USING SAMPLE "
            f"reservoir({int(n)} ROWS) REPEATABLE ({int(seed)}))",
        )
        return drawn.df()
    step = max(1, -(-source.n_rows // max(n, 1)))
    drawn_frame = source.frame.select(names).gather_every(step).head(n)
    exprs = [
        nw.col(c).cast(nw.String()).str.slice(0, cut[c]).alias(c) if c in cut else nw.col(c)
        for c in names
    ]
    return drawn_frame.select(exprs).collect().to_pandas()


@dataclass(frozen=True)
class Survey:
    """What the first pass over the data tells, before any column is summarised.

    Attributes
    ----------
    distinct : dict
        Column -> distinct non-missing values (estimates in DuckDB, see :func:`approx_distinct`).
    exact : bool
        Whether ``distinct`` holds exact counts.
    sample : pandas.DataFrame
        About ``n`` rows spread over the data (see :func:`sample_rows`).
    values : dict
        The value of each aggregate asked for with ``exprs``.
    """

    distinct: dict[str, int]
    exact: bool
    sample: pd.DataFrame
    values: dict[str, Any]


def survey(
    source: LazySource,
    columns: Sequence[str],
    n: int,
    *,
    sample_columns: Sequence[str] | None = None,
    cut: Mapping[str, int] | None = None,
    exprs: Mapping[str, Any] | None = None,
) -> Survey:
    """Estimate distinct counts, draw a sample and compute ``exprs``: one pass in DuckDB.

    In DuckDB the three share one scan (:func:`~jupyter_dci.core.engine._sql.one_pass`),
    where each alone is a scan: the sample is then the rows whose row hash falls in one
    residue class, about ``n`` rows spread over the data, drawn by content (identical rows
    are drawn together and a rerun draws the same rows). Duplicate rows are not counted here:
    a DISTINCT aggregate beside others makes DuckDB give up its parallel plan (4x slower,
    measured). Other engines run :func:`approx_distinct`, :func:`sample_rows` and a select
    of ``exprs``.

    Parameters
    ----------
    source : LazySource
        The data.
    columns : sequence of str
        The columns whose distinct values are counted.
    n : int
        The sample's size (at most).
    sample_columns : sequence of str, optional
        The sample's columns (default: all).
    cut : mapping, optional
        Text column -> characters kept of each drawn value.
    exprs : mapping, optional
        Alias -> a narwhals aggregate, computed in the same pass.

    Examples
    --------
    >>> import narwhals.stable.v2 as nw
    >>> import pyarrow as pa
    >>> from jupyter_dci.core.engine import as_source
    >>> source = as_source(pa.table({"x": [1, 1, 2], "y": ["a", "a", "bc"]}), "profile")
    >>> found = survey(source, ["x", "y"], 10, cut={"y": 1}, exprs={"m": nw.col("x").max()})
    >>> found.distinct, found.sample["y"].tolist(), found.values
    ({'x': 2, 'y': 2}, ['a', 'a', 'b'], {'m': 2})
    """
    names = list(source.columns if sample_columns is None else sample_columns)
    exprs = dict(exprs or {})
    if source.engine != "duckdb" or not source.columns:
        distinct, exact = approx_distinct(source, columns)
        values = scalars(source.frame.select(e.alias(k) for k, e in exprs.items())) if exprs else {}
        sample = sample_rows(source, n, columns=names, cut=cut)
        return Survey(distinct, exact, sample, values)
    native = _survey_sql(source, columns, n, names, dict(cut or {}))
    row = one_pass(source, exprs, native)
    if row is None:  # narwhals' SQL not understood: its aggregates in a pass of their own
        row = {**(one_pass(source, {}, native) or {}), **_select(source, exprs)}
    sample = _unpacked(row["_s"], names)[:n] if names else pd.DataFrame()
    return Survey(
        {c: int(row[f"_d{i}"]) for i, c in enumerate(columns)},
        False,
        sample.reset_index(drop=True),
        {k: row[k] for k in exprs},
    )


def _select(source: LazySource, exprs: Mapping[str, Any]) -> dict[str, Any]:
    return scalars(source.frame.select(e.alias(k) for k, e in exprs.items())) if exprs else {}


def _survey_sql(
    source: LazySource, columns: Sequence[str], n: int, names: list[str], cut: dict[str, int]
) -> dict[str, str]:
    """Write the survey's DuckDB aggregates: distinct-count estimates, the drawn rows."""
    schema = source.schema

    def present(c: str) -> str:
        if _is_float(schema[c]):
            return f"CASE WHEN isnan({quote(c)}) THEN NULL ELSE {quote(c)} END"
        return quote(c)

    native = {f"_d{i}": f"approx_count_distinct({present(c)})" for i, c in enumerate(columns)}
    if names:
        every = max(1, source.n_rows // max(n, 1))
        hashed = f"hash({', '.join(quote(c) for c in source.columns)})"
        fields = ", ".join(
            f"{quote(c)} := substring(CAST({quote(c)} AS VARCHAR), 1, {int(cut[c])})"
            if c in cut
            else f"{quote(c)} := {quote(c)}"
            for c in names
        )
        # Every number here is one this package chose (a modulus from the row count).
        native["_s"] = f"list(struct_pack({fields})) FILTER (WHERE {hashed} % {int(every)} = 0)"
    return native


def histogram_sql(source: LazySource, specs: Sequence[BinSpec]) -> dict[str, str]:
    """DuckDB aggregates counting each histogram of ``specs`` (alias ``_h<i>``).

    Read their values with :func:`histogram_counts`.
    """
    schema = source.schema
    return {f"_h{i}": f"histogram({_duckdb_bin(s, schema[s.column])})" for i, s in enumerate(specs)}


def distinct_integers_sql(column: str, lo: int, hi: int) -> str:
    """Write a DuckDB aggregate counting the distinct values of an integer column exactly.

    A bitmap of the column's range ``[lo, hi]`` (``hi - lo + 1`` bits, which the caller
    bounds) with a bit set per value present: far cheaper than a DISTINCT aggregate.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from jupyter_dci.core.engine import as_source
    >>> from jupyter_dci.core.engine._sql import one_pass
    >>> source = as_source(pa.table({"id": [3, 5, 5, 9]}), "profile")
    >>> one_pass(source, {}, {"d": distinct_integers_sql("id", 3, 9)})["d"]
    3
    """
    return f"bit_count(bitstring_agg({quote(column)}, {int(lo)}, {int(hi)}))"


def histogram_counts(value: Any) -> dict[int, int]:
    """Bin -> rows from the value of a DuckDB ``histogram`` aggregate (missing values left out)."""
    if isinstance(value, list):  # Arrow gives a map as (key, value) pairs
        value = dict(value)
    return {int(k): int(v) for k, v in (value or {}).items() if k is not None}


def _unpacked(drawn: Any, names: list[str]) -> pd.DataFrame:
    """Unpack the drawn rows (a list of structs in one cell) into pandas, typed by DuckDB."""
    import duckdb
    import pyarrow as pa

    cell = drawn.combine_chunks()[0]
    if not cell.is_valid:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in names})
    table = pa.Table.from_struct_array(cell.values)
    # Through DuckDB, so that the sample's pandas types are the ones DuckDB gives elsewhere.
    return duckdb.connect().from_arrow(table).df()
