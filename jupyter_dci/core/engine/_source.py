"""A lazy source: any non-pandas input, as a narwhals LazyFrame over its own engine.

Polars frames compute in Polars; DuckDB relations in their own connection; Arrow tables and
datasets, and Parquet or CSV files, in an embedded DuckDB connection that this package opens
with a bounded memory budget (it spills to disk beyond it) and a bounded thread count. Work
is written once, as narwhals expressions, and runs in whichever engine holds the data; only
aggregates and pages come back.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.engine._inputs import file_paths, input_kind, unsupported

__all__ = ["DUCKDB_MEMORY", "LazySource", "as_source", "column_family"]

#: The memory DuckDB may hold for one query of ours before it spills to disk.
DUCKDB_MEMORY = os.environ.get("JUPYTER_DCI_DUCKDB_MEMORY", "512MB")


def _duckdb_connection(ordered: bool) -> Any:
    import duckdb

    threads = max(1, min(os.cpu_count() or 1, 4))
    connection = duckdb.connect(
        config={
            "threads": threads,
            "memory_limit": DUCKDB_MEMORY,
            "temp_directory": os.path.join(tempfile.gettempdir(), "jupyter_dci_duckdb"),
            # A table's pages need the files' row order (stable row numbers); aggregates do
            # not, and without it DuckDB's group-bys spill to disk instead of failing.
            "preserve_insertion_order": ordered,
        }
    )
    # Its own progress bar would print into the notebook over our panels' progress (a
    # connection setting: DuckDB refuses it in the global config).
    connection.execute("SET enable_progress_bar = false")
    return connection


def column_family(dtype: Any) -> str:
    """Sort a narwhals dtype into the family the profile treats it as.

    One of ``"numeric"``, ``"boolean"``, ``"datetime"``, ``"duration"``, ``"string"``,
    ``"other"`` (nested, binary, object: counted, not summarised).

    Examples
    --------
    >>> import narwhals.stable.v2 as nw
    >>> column_family(nw.Int64()), column_family(nw.String()), column_family(nw.List(nw.Int8()))
    ('numeric', 'string', 'other')
    """
    if dtype.is_numeric():
        return "numeric"
    if isinstance(dtype, nw.Boolean):
        return "boolean"
    if isinstance(dtype, (nw.Datetime, nw.Date)):
        return "datetime"
    if isinstance(dtype, nw.Duration):
        return "duration"
    if isinstance(dtype, (nw.String, nw.Categorical, nw.Enum)):
        return "string"
    return "other"


@dataclass
class LazySource:
    """Data that stays in its engine: a narwhals LazyFrame plus what was given.

    Attributes
    ----------
    frame : narwhals.LazyFrame
        The data, lazily, in its engine.
    kind : str
        The kind of input (see :func:`~jupyter_dci.core.engine._inputs.input_kind`).
    description : str
        Words for messages and panels, e.g. ``"3 Parquet files"``.
    files : tuple of str
        The files read, for file inputs.
    """

    frame: Any
    kind: str
    description: str
    files: tuple[str, ...] = ()
    connection: Any = None
    _n_rows: int | None = field(default=None, repr=False)

    @property
    def engine(self) -> str:
        """The engine computing: ``"duckdb"``, ``"polars"``..."""
        return str(self.frame.implementation).split(".")[-1].lower()

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return list(self.frame.collect_schema().names())

    @property
    def schema(self) -> dict[str, Any]:
        """Column name -> narwhals dtype."""
        return dict(self.frame.collect_schema().items())

    @property
    def n_rows(self) -> int:
        """The number of rows (counted once, in the engine)."""
        if self._n_rows is None:
            self._n_rows = int(scalars(self.frame.select(nw.len().alias("n")))["n"])
        return self._n_rows


def scalars(frame: Any) -> dict[str, Any]:
    """Collect a one-row lazy result into a dict of Python scalars.

    Engines return sums as decimals or numpy scalars; numbers come back as int or float.
    """
    table = frame.collect().to_native()
    if hasattr(table, "to_pylist"):  # pyarrow (DuckDB's collect)
        row = table.to_pylist()[0]
    elif hasattr(table, "to_dicts"):  # polars
        row = table.to_dicts()[0]
    else:  # pandas
        row = table.iloc[0].to_dict()
    return {k: _plain_number(v) for k, v in row.items()}


def _plain_number(value: Any) -> Any:
    import decimal

    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value


def to_pandas(frame: Any) -> pd.DataFrame:
    """Collect a (bounded) lazy result into pandas, whatever the engine."""
    return frame.collect().to_pandas()


def as_source(
    x: Any, func: str, *, columns: Sequence[str] | None = None, ordered: bool = True
) -> LazySource:
    """Wrap a non-pandas input as a :class:`LazySource`.

    Parameters
    ----------
    x : object
        A Polars DataFrame or LazyFrame, a PyArrow Table or Dataset, a DuckDB relation, or
        a path, folder or glob of Parquet or CSV files.
    func : str
        The public function's name, for errors.
    columns : sequence of str, optional
        Keep only these columns.
    ordered : bool, default True
        Keep the rows' order in the engines this package opens (a table pages by it); False
        for work that only aggregates, which then needs less memory.

    Raises
    ------
    UnsupportedInputError
        Anything else (a pandas frame included: it takes the eager path).

    Examples
    --------
    >>> import pyarrow as pa
    >>> source = as_source(pa.table({"x": [1, 2, 3]}), "profile")
    >>> source.engine, source.n_rows, source.columns
    ('duckdb', 3, ['x'])
    """
    kind = input_kind(x)
    connection = None
    files: tuple[str, ...] = ()
    if kind in ("polars", "polars-lazy"):
        native = x.lazy()
        description = "a Polars " + ("LazyFrame" if kind == "polars-lazy" else "DataFrame")
    elif kind == "duckdb":
        native = x
        description = "a DuckDB relation"
    elif kind in ("pyarrow-table", "pyarrow-dataset"):
        connection = _duckdb_connection(ordered)
        native = connection.from_arrow(x)
        description = "a PyArrow " + ("Table" if kind == "pyarrow-table" else "Dataset")
    elif kind == "files":
        paths, fmt = file_paths(x, func)
        connection = _duckdb_connection(ordered)
        reader = connection.read_parquet if fmt == "parquet" else connection.read_csv
        native = reader(paths if len(paths) > 1 else paths[0])
        files = tuple(paths)
        noun = "Parquet" if fmt == "parquet" else "CSV"
        description = f"{len(paths)} {noun} file{'s' if len(paths) > 1 else ''}"
    else:
        raise unsupported(x, func)
    frame = nw.from_native(native)
    if columns is not None:
        frame = frame.select(list(columns))
    return LazySource(frame, kind, description, files, connection)
