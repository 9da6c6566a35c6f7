"""The base of a lazy dataset: where its rows are read from, in which engine, and its checks.

A base is either the user's Parquet or CSV files, read in place (``kind="files"``), or, for
data that does not outlive the kernel (a Polars frame, Arrow data, a DuckDB relation), a
Parquet copy the engine writes streaming into the dataset's folder (``kind="copy"``,
``base-000001.parquet``). Checkouts come back in the engine of what was tracked: a Polars
LazyFrame for Polars input, a DuckDB relation otherwise. Everything here is a narwhals
expression run in that engine, values reaching it only as Arrow data, never as SQL text.

Examples
--------
>>> base = LazyBase(kind="files", format="parquet", engine="duckdb", input="files",
...                 location="/data/*.parquet")
>>> LazyBase.from_json(base.to_json()) == base
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import pyarrow as pa

from ..core.engine import LazySource, column_family, scalars
from ..core.engine._source import _duckdb_connection
from ..errors import DataMismatchError, InvalidParameterError

__all__ = [
    "LazyBase",
    "arrow_schema",
    "check_keys",
    "from_arrow",
    "scan_files",
    "schema_record",
    "to_arrow_values",
    "write_copy",
]


@dataclass(frozen=True)
class LazyBase:
    """How a lazy dataset's base is read (the ``source`` entry of the log's ``meta``).

    Attributes
    ----------
    kind : str
        ``"files"`` (the user's files, in place) or ``"copy"`` (a Parquet copy in the folder).
    format : str
        ``"parquet"`` or ``"csv"``.
    engine : str
        ``"polars"`` or ``"duckdb"``: the engine checkouts are returned in.
    input : str
        What was tracked (see :func:`jupyter_dci.core.engine.input_kind`).
    location : str
        The path, folder or glob tracked (files only): a rebase expands it again.
    """

    kind: str
    format: str
    engine: str
    input: str
    location: str = ""

    def to_json(self) -> str:
        """Return the JSON text stored in ``meta``."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LazyBase:
        """Inverse of :meth:`to_json`."""
        return cls(**json.loads(text))


def engine_of(kind: str) -> str:
    """Return the engine a checkout of tracked input of ``kind`` comes back in."""
    return "polars" if kind in ("polars", "polars-lazy") else "duckdb"


def connection_for(engine: str) -> Any:
    """Open the embedded DuckDB a dataset reads with (None for Polars)."""
    # In read order: a checkout's rows come in the files' order where the engine keeps it.
    return _duckdb_connection(True) if engine == "duckdb" else None


def scan_files(base: LazyBase, paths: Sequence[Path], connection: Any) -> Any:
    """Return the base's files as a narwhals LazyFrame in the dataset's engine."""
    names = [str(p) for p in paths]
    if base.engine == "polars":
        import polars as pl

        return nw.from_native(pl.scan_parquet(names))
    reader = connection.read_parquet if base.format == "parquet" else connection.read_csv
    return nw.from_native(reader(names if len(names) > 1 else names[0]))


def from_arrow(table: pa.Table, engine: str, connection: Any) -> Any:
    """Put a small Arrow table in ``engine``, as a narwhals LazyFrame (to join with a base)."""
    if engine == "polars":
        import polars as pl

        frame = pl.from_arrow(table)
        return nw.from_native(frame.lazy())  # type: ignore[union-attr]  # a table gives a frame
    return nw.from_native(connection.from_arrow(table))


def write_copy(source: LazySource, path: Path) -> None:
    """Write ``source`` to a Parquet file in its engine, streaming, then fsync it."""
    native = source.frame.to_native()
    if source.engine == "polars":
        native.sink_parquet(str(path))
    else:
        native.write_parquet(str(path))
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def arrow_schema(frame: Any) -> pa.Schema:
    """Return the Arrow schema of a narwhals LazyFrame (no row is read)."""
    return frame.head(0).collect().to_arrow().schema


def schema_record(schema: pa.Schema) -> dict[str, Any]:
    """Describe a base's columns for ``versions.schema`` (``{"kind": "arrow", ...}``).

    Examples
    --------
    >>> schema_record(pa.schema([("x", pa.int64())]))["dtypes"]
    {'x': {'kind': 'arrow', 'name': 'int64'}}
    """
    return {
        "columns": list(schema.names),
        "dtypes": {f.name: {"kind": "arrow", "name": str(f.type)} for f in schema},
    }


def check_keys(frame: Any, key: Sequence[str], *, what: str) -> int:
    """Refuse missing or duplicate keys, counted in the engine; return the number of rows.

    One group-by on the key: rows, rows with a missing key part, keys held by several rows.
    """
    schema = frame.collect_schema()
    nested = [k for k in key if column_family(schema[k]) == "other"]
    if nested:
        raise DataMismatchError(
            f"The key of {what} must be plain columns (numbers, text, dates); {nested} hold "
            "nested or binary values. Pass another key=..."
        )
    counts = frame.group_by(*key).agg(nw.len().alias("__dci_n"))
    missing = nw.any_horizontal(*[nw.col(k).is_null() for k in key], ignore_nulls=True)
    row = scalars(
        counts.select(
            nw.col("__dci_n").sum().alias("rows"),
            nw.when(missing).then(nw.col("__dci_n")).otherwise(0).sum().alias("missing"),
            (nw.col("__dci_n") > 1).cast(nw.Int64()).sum().alias("repeated"),
        )
    )
    if row["missing"]:
        raise DataMismatchError(
            f"The rows of {what} must have a key in {list(key)}; {row['missing']} row(s) have "
            "a missing key. Fill them, or track with another key (key=...). Nothing was written."
        )
    if row["repeated"]:
        shown = counts.filter(nw.col("__dci_n") > 1).head(5).collect().to_pandas()
        examples = [tuple(r) if len(key) > 1 else r[0] for r in shown[list(key)].to_numpy()]
        raise DataMismatchError(
            f"The rows of {what} must have unique keys in {list(key)}; {row['repeated']} key(s) "
            f"are held by several rows, such as {[_plain(e) for e in examples]}. Deduplicate "
            "the data, or track with a unique key (key=[...] may name several columns). "
            "Nothing was written."
        )
    return int(row["rows"] or 0)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value


def _fits(value: Any, target: pa.DataType) -> bool:
    """Whether Arrow's conversion kept ``value`` exactly (it truncates 1.5 to 1 in int)."""
    if pa.types.is_integer(target) and isinstance(value, float):
        return value.is_integer()
    return True


def to_arrow_values(
    values: Sequence[Any], target: pa.DataType, *, column: str, func: str
) -> pa.Array:
    """Convert values to an Arrow array of ``target``, or refuse them all, naming one.

    A missing value (None, NA, NaT) becomes null; NaN stays NaN (a float, not a null, in
    the engines). Integral floats fit an int column; 1.5 does not.

    Examples
    --------
    >>> to_arrow_values([1, 2.0, None], pa.int64(), column="x", func="edit").to_pylist()
    [1, 2, None]
    >>> to_arrow_values(["a"], pa.int64(), column="x", func="edit")
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.InvalidParameterError: The values of edit for column 'x' ...
    """
    import pandas as pd

    plain = [None if v is None or v is pd.NA or v is pd.NaT else _plain(v) for v in values]
    inner = target.value_type if pa.types.is_dictionary(target) else target
    bad = next((v for v in plain if v is not None and not _fits(v, inner)), None)
    try:
        array = pa.array(plain, type=inner) if bad is None else None
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        array = None
    if array is None:
        if bad is None:
            bad = next(v for v in plain if not _converts(v, inner))
        text = repr(bad)
        text = text[:57] + "..." if len(text) > 60 else text
        raise InvalidParameterError(
            f"The values of {func} for column {column!r} (type {target}) must be values of "
            f"that type. Got {text} ({type(bad).__name__}) instead. Nothing was changed. "
            "Convert the value first."
        )
    return array.dictionary_encode().cast(target) if inner is not target else array


def _converts(value: Any, target: pa.DataType) -> bool:
    try:
        pa.array([value], type=target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return False
    return _fits(value, target)


def refuse_nested(schema: pa.Schema, column: str, func: str) -> None:
    """Refuse an edit of a nested or binary column (the log holds plain values)."""
    kind = schema.field(column).type
    if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        raise InvalidParameterError(
            f"Column {column!r} holds {kind} values, which {func} cannot edit on data that "
            "stays in its engine. Edit plain columns (numbers, text, dates, booleans)."
        )
