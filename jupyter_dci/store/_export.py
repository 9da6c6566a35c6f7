"""Export a version where other engines read it: a Parquet file or a Delta table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import StoreError

__all__ = ["export_frame"]


def _require_deltalake() -> Any:
    try:
        from deltalake import write_deltalake
    except ImportError as exc:
        raise ImportError(
            "Exporting a Delta table needs the optional 'deltalake' package: pip install deltalake"
        ) from exc
    return write_deltalake


def _delta_table(frame: pd.DataFrame) -> pa.Table:
    # Delta has no pandas index and no dictionary type: keep the index as columns
    # (unless it is a plain RangeIndex) and store categoricals as their values.
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    table = pa.Table.from_pandas(frame, preserve_index=keep_index)
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_dictionary(field.type):
            column = column.cast(field.type.value_type)
        if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
            # Delta stores microseconds (a finer timestamp is refused, never truncated).
            column = column.cast(pa.timestamp("us", column.type.tz))
        elif pa.types.is_duration(column.type):
            # Delta has no duration type: store the count of the column's unit.
            column = column.cast(pa.int64())
        elif pa.types.is_unsigned_integer(column.type):
            # Delta has signed integers only: widen (uint64 must fit int64).
            wider = {8: pa.int16(), 16: pa.int32(), 32: pa.int64(), 64: pa.int64()}
            column = column.cast(wider[column.type.bit_width])
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def export_frame(frame: pd.DataFrame, path: Path, *, format: str) -> Path:
    """Write ``frame`` to a new Parquet file or a new Delta table at ``path``.

    Parameters
    ----------
    frame : DataFrame
        The version's frame.
    path : Path
        Must not exist yet.
    format : {"parquet", "delta"}
        The format.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    StoreError
        If ``path`` exists.
    ImportError
        If ``format="delta"`` and ``deltalake`` is missing.

    Notes
    -----
    Delta has fewer types than pandas: categoricals are written as their values,
    unsigned ints widened to signed ones, timedeltas as int64 counts of their unit,
    nanosecond timestamps as microseconds (refused if that would lose precision),
    and the index as columns unless it is a RangeIndex.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = Path(tmp.name) / "v.parquet"
    >>> export_frame(pd.DataFrame({"y": [1]}), out, format="parquet").exists()
    True
    >>> tmp.cleanup()
    """
    if path.exists():
        raise StoreError(
            f"The export path {path} exists; exports never overwrite. Remove it or pick "
            "another path."
        )
    if format == "delta":
        write_deltalake = _require_deltalake()
        try:
            table = _delta_table(frame)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise StoreError(
                f"This version cannot be written as a Delta table: {exc}. Export it as "
                "Parquet (format='parquet'), which keeps every pandas dtype."
            ) from exc
        write_deltalake(str(path), table, mode="error")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=None), path)
    return path
