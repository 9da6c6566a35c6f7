"""What the engine path of the label functions needs beyond narwhals: a row number per row.

narwhals numbers the rows of a lazy frame only by an order it is given (``with_row_index``
needs ``order_by``); the label functions name a row by its position in the data as read, so
they ask each engine for it: Polars' row index, and DuckDB's ``row_number() OVER ()``, a
window without partition or order that DuckDB streams in the scan's order (insertion order,
which this package's connections keep when a source is opened with ``ordered=True``).

That window runs its whole pipeline on one thread. Parquet files number their own rows
(DuckDB's ``file_row_number``, read in parallel; one offset per file from the files'
metadata): :func:`parquet_rows` reads them so. A filter on a score computed from such a
frame would be pushed into the scan by DuckDB, repeating the score's expression at every
mention; :func:`computed_once` stops it there (the window did that by itself).

Examples
--------
>>> import narwhals.stable.v2 as nw
>>> import polars as pl
>>> frame = nw.from_native(pl.LazyFrame({"x": [5, 6, 7]}))
>>> with_row_numbers(frame, "row").collect()["row"].to_list()
[0, 1, 2]
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from jupyter_dci.core.engine import LazySource
from jupyter_dci.core.engine._inputs import PARQUET_SUFFIXES
from jupyter_dci.core.engine._native import quote
from jupyter_dci.errors import UnsupportedInputError

__all__ = ["computed_once", "parquet_rows", "with_row_numbers"]


def with_row_numbers(frame: Any, name: str) -> Any:
    """Add ``name``: each row's 0-based position in the frame's own order (Int64).

    Parameters
    ----------
    frame : narwhals.LazyFrame
        Over Polars or DuckDB, before any filter (positions are those of the data as read).
    name : str
        The new column's name.

    Returns
    -------
    narwhals.LazyFrame
        The frame with the row numbers added as a column.
    """
    native = frame.to_native()
    engine = str(frame.implementation).split(".")[-1].lower()
    if engine == "polars":
        import polars as pl

        return nw.from_native(native.with_row_index(name).with_columns(pl.col(name).cast(pl.Int64)))
    if engine == "duckdb":
        # The name is ours (a fixed alias), quoted as an identifier all the same.
        return nw.from_native(native.project(f"*, row_number() OVER () - 1 AS {quote(name)}"))
    raise UnsupportedInputError(  # pragma: no cover - every source is Polars or DuckDB today
        f"find_label_issues cannot number the rows of data computed by {engine}. Convert it "
        "to a Polars frame or write it to Parquet."
    )


def parquet_rows(source: LazySource, name: str) -> Any:
    """Read the source's Parquet files with ``name``, each row's position in them, or None.

    None unless DuckDB reads Parquet files here (the window of :func:`with_row_numbers`
    numbers the others). Positions run on from one file to the next, in the source's order.
    """
    if source.engine != "duckdb" or source.connection is None or not source.files:
        return None
    if not all(f.lower().endswith(PARQUET_SUFFIXES) for f in source.files):
        return None
    if "file_row_number" in source.columns:
        return None
    import pyarrow.parquet as pq

    parts = []
    offset = 0
    for path in source.files:
        native = source.connection.read_parquet(path, file_row_number=True)
        row = (nw.col("file_row_number").cast(nw.Int64()) + offset).alias(name)
        parts.append(nw.from_native(native).with_columns(row).drop("file_row_number"))
        offset += pq.read_metadata(path).num_rows
    if any(part.collect_schema() != parts[0].collect_schema() for part in parts[1:]):
        return None  # files that differ in their columns: left to the window
    return parts[0] if len(parts) == 1 else nw.concat(parts, how="vertical")


def computed_once(frame: Any, column: str) -> Any:
    """Make ``column`` one DuckDB will not rewrite into a filter above it (a no-op elsewhere).

    ``x + 0.0 * random()`` is ``x`` to the last bit (``random()`` is finite), but volatile:
    DuckDB then keeps a filter on it above the projection, where it reads the column.
    """
    if str(frame.implementation).split(".")[-1].lower() != "duckdb":
        return frame
    q = quote(column)
    return nw.from_native(frame.to_native().project(f"* REPLACE ({q} + 0.0 * random() AS {q})"))
