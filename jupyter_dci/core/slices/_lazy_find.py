"""``find_slices`` on data that stays in its engine: the rows, grouped by their codes.

The columns are encoded in the engine (``_lazy_bins``: the same levels and codes as the
pandas path), then the engine groups the rows by the tuple of their codes and returns, per
distinct tuple, its rows and the sum of their errors: a weighted table whose size depends
on the combinations of levels, not on the rows. The lattice search and the picking run on
that table (``_search`` and ``_pick`` take weights), so the slices, their order and their
figures are those the pandas path finds in the same rows.

Levels known to hold fewer than ``min_support`` rows (rare text values, rare bools) can be
in no slice: their rows are lumped into the "no level" code before grouping, which keeps
the table small (the search skips them all the same). The table may hold at most
:data:`MAX_ENTRIES` combinations (24 bytes each with 8 features; measured: 1.97M
combinations of 4 columns of 6M Parquet rows, 0.50 GiB peak for the whole call, DuckDB
included); beyond, ``find_slices`` says so and asks for fewer features or bins rather than
bringing rows into memory.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> frame = pl.DataFrame({"c": ["a", "a", "b", "b", "b"], "err": [1, 1, 0, 0, 1]})
>>> source = as_source(frame, "find_slices")
>>> rows = engine_rows(source, "err", ["c"], n_bins=5, min_count=lambda n: 1)
>>> sorted(zip(rows.features[0].codes.tolist(), rows.weights.tolist(), rows.errors.tolist()))
[(0, 3.0, 1.0), (1, 2.0, 2.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from jupyter_dci.core.engine import LazySource, scalars
from jupyter_dci.core.slices._bins import Feature, small_codes
from jupyter_dci.core.slices._lazy_bins import EngineFeature, encode_in_engine
from jupyter_dci.core.slices._lazy_plan import Pass
from jupyter_dci.core.slices._search import ErrorSummary, SearchRows
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["MAX_ENTRIES", "engine_rows", "error_column"]

#: The most distinct combinations of codes brought into the kernel.
MAX_ENTRIES = 2_000_000
_ERR = "dci_error"
_ADD_COLUMN = {
    "polars": "e.g. df.with_columns(pl.Series('error', errors)), ",
    "polars-lazy": "e.g. lf.with_columns(...) or with the predictions' own columns, ",
    "pyarrow-table": "e.g. table.append_column('error', pa.array(errors)), ",
    "files": "e.g. computed where the predictions are written, ",
}


def error_column(source: LazySource, errors: Any, func: str) -> str:
    """Check that ``errors`` names a bool or number column of the data; return it.

    Raises
    ------
    InvalidParameterError
        ``errors`` is not a column name (an array, a Series), or names a column of
        another type.
    DataMismatchError
        No column has that name.
    """
    if not isinstance(errors, str):
        raise param_error(
            "errors",
            func,
            f"the name of a column of the data when the data stays in its engine "
            f"({source.description}, computed by {source.engine}); add the errors to it as "
            f"a column (bools, or non-negative losses), {_ADD_COLUMN.get(source.kind, '')}"
            "and pass its name",
            f"values ({type(errors).__name__})",
        )
    if errors not in source.columns:
        raise DataMismatchError(
            f"errors={errors!r} names no column of the data (it has "
            f"{source.columns[:10]}). Pass the name of a column of bools or "
            "non-negative numbers."
        )
    dtype = source.schema[errors]
    if not (isinstance(dtype, nw.Boolean) or dtype.is_numeric()):
        raise param_error(
            "errors",
            func,
            "a column of bools (is the prediction wrong?) or non-negative numbers (a loss per row)",
            f"column {errors!r} of dtype {dtype}",
        )
    return errors


def _error_pass(source: LazySource, column: str) -> tuple[Pass, dict[str, Any]]:
    """Queue the errors' checks and summary as aggregates of the first pass over the rows."""
    dtype = source.schema[column]
    e = nw.col(column).cast(nw.Float64())
    missing = nw.col(column).is_null()
    if isinstance(dtype, (nw.Float32, nw.Float64)):
        missing = missing | e.is_nan()
    bad = ~missing & (~e.is_finite() | (e < 0))
    row: dict[str, Any] = {}
    errors = Pass()
    errors.add(row, "n", nw.len())
    errors.add(row, "missing", missing.sum())
    errors.add(row, "bad", bad.sum())
    errors.add(row, "total", e.sum())
    errors.add(row, "minimum", e.min())
    errors.add(row, "maximum", e.max())
    errors.add(row, "variance", e.var(ddof=0))
    errors.add(row, "sigma", e.std(ddof=0))
    errors.add(row, "binary", ((e == 0) | (e == 1)).fill_null(True).all())
    return errors, row


def _error_summary(source: LazySource, column: str, row: dict[str, Any], func: str) -> ErrorSummary:
    """Refuse missing, negative or infinite errors; summarise the others."""
    if row["missing"]:
        raise param_error(
            "errors", func, "free of missing values", f"{row['missing']:,} missing in {column!r}"
        )
    if row["bad"]:
        e = nw.col(column).cast(nw.Float64())
        bad = ~nw.col(column).is_null() & (~e.is_finite() | (e < 0))
        shown = source.frame.filter(bad).select(e.alias("e")).head(5).collect().to_pandas()
        raise param_error(
            "errors",
            func,
            "finite and non-negative (a loss per row); NaN, inf and negative values are "
            "not allowed",
            shown["e"].tolist(),
        )
    n = int(row["n"])
    total = float(row["total"] or 0.0)

    def number(key: str) -> float:
        return math.nan if row[key] is None or n == 0 else float(row[key])

    return ErrorSummary(
        n_rows=n,
        total=total,
        mean=total / n if n else math.nan,
        minimum=number("minimum"),
        maximum=number("maximum"),
        variance=number("variance"),
        sigma=number("sigma"),
        binary=bool(row["binary"]) if n else True,
    )


def _grouped(
    source: LazySource, column: str, features: list[EngineFeature], min_count: int
) -> tuple[dict[int, np.ndarray], np.ndarray, np.ndarray]:
    """Rows and error sums per combination of codes: codes by feature, weights, sums."""
    codes = {i: f.code(f.rare(min_count)) for i, f in enumerate(features)}
    # A feature whose levels are all too rare has one code on every row: no need to group.
    keys = [i for i, f in enumerate(features) if len(f.rare(min_count)) < f.n_levels]
    err = nw.col(column).cast(nw.Float64())
    if not keys:
        row = scalars(source.frame.select(nw.len().alias("n"), err.sum().alias("s")))
        weights, sums = np.array([row["n"]], dtype=float), np.array([row["s"] or 0.0])
        return {i: np.array([f.n_levels]) for i, f in enumerate(features)}, weights, sums
    names = [f"c{i}" for i in keys]
    table = (
        source.frame.select(*[codes[i].alias(f"c{i}") for i in keys], err.alias(_ERR))
        .group_by(names)
        .agg(nw.len().alias("n"), nw.col(_ERR).sum().alias("s"))
        .head(MAX_ENTRIES + 1)
        .collect()
        .to_pandas()
    )
    if len(table) > MAX_ENTRIES:
        raise param_error(
            "features",
            "find_slices",
            f"columns whose bins and values form at most {MAX_ENTRIES:,} distinct "
            "combinations (the search runs on their counts, which come into memory); pass "
            "fewer features, ones with fewer values, or a smaller n_bins",
            f"{len(features)} columns forming more",
        )
    out = {i: table[f"c{i}"].to_numpy() for i in keys}
    for i, f in enumerate(features):
        if i not in out:
            out[i] = np.full(len(table), f.n_levels)
    return out, table["n"].to_numpy(dtype=float), table["s"].to_numpy(dtype=float)


def engine_rows(
    source: LazySource,
    column: str,
    columns: list[str],
    *,
    n_bins: int,
    min_count: Callable[[int], int],
    func: str = "find_slices",
) -> SearchRows:
    """Encode ``columns`` in the engine and group the rows by their codes.

    Parameters
    ----------
    source : LazySource
        The data.
    column : str
        The errors column (checked by :func:`error_column`).
    columns : list of str
        The features.
    n_bins : int
        Quantile bins of number and datetime columns.
    min_count : callable
        The fewest rows of a slice, given the number of rows.
    func : str
        The public function, for errors.

    Returns
    -------
    SearchRows
        One entry per combination of codes, weighted by its rows.
    """
    # The errors are checked in the first pass over the rows, before any other: the rows
    # (and so the least share of them a slice may hold) are known only then.
    errors, row = _error_pass(source, column)
    checked: dict[str, Any] = {}

    def share(n_rows: int) -> float | None:
        checked["summary"] = _error_summary(source, column, row, func)
        checked["fewest"] = min_count(n_rows)
        return checked["fewest"] / n_rows if n_rows else None

    encoded, skipped, _ = encode_in_engine(
        source, columns, n_bins=n_bins, min_share=share, extra=errors
    )
    summary, fewest = checked["summary"], checked["fewest"]
    codes, weights, sums = _grouped(source, column, encoded, fewest)
    features = [
        Feature(f.column, small_codes(codes[i], f.n_levels + 1), f.levels, f.kind)
        for i, f in enumerate(encoded)
    ]
    return SearchRows(features, sums, weights, summary, skipped, fewest)
