"""Rebuild any version: the newest base at or before it plus the last edit per cell.

The replay is vectorised: one SQL query picks the last value of every cell edited
since the base, one JSON parse decodes each column's distinct values, one positional
assignment writes them.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from ..core._frames import assign, coerce_values
from ..errors import StoreError
from ._codec import decode_dtype, decode_texts, encode_dtype
from ._log import EditLog
from ._snapshot import read_base

__all__ = ["apply_dtypes", "apply_values", "checkout_frame", "frame_schema"]


def frame_schema(frame: pd.DataFrame) -> dict[str, Any]:
    """Describe the columns and exact dtypes of a frame, JSON-ready.

    Examples
    --------
    >>> frame_schema(pd.DataFrame({"y": [1]}))
    {'columns': ['y'], 'dtypes': {'y': {'kind': 'name', 'name': 'int64'}}}
    """
    return {
        "columns": list(frame.columns),
        "dtypes": {c: encode_dtype(frame[c].dtype) for c in frame.columns},
    }


def apply_dtypes(frame: pd.DataFrame, schema: dict[str, Any]) -> None:
    """Give each column of ``frame`` (in place) the dtype the schema records.

    Examples
    --------
    >>> df = pd.DataFrame({"y": ["a"]})
    >>> apply_dtypes(df, frame_schema(df.astype("category")))
    >>> isinstance(df.y.dtype, pd.CategoricalDtype)
    True
    """
    for column, desc in schema["dtypes"].items():
        dtype = decode_dtype(desc)
        current = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) and isinstance(current, pd.CategoricalDtype):
            # Unordered categoricals compare equal whatever the order of their
            # categories; the order is part of what must round-trip.
            same = (
                current.ordered == dtype.ordered
                and current.categories.dtype == dtype.categories.dtype
                and current.categories.equals(dtype.categories)
            )
            if not same:
                frame[column] = frame[column].cat.set_categories(
                    dtype.categories, ordered=dtype.ordered
                )
        elif current != dtype:
            converted = frame[column].astype(dtype)
            if getattr(dtype, "kind", "") == "O" and isinstance(current, pd.StringDtype):
                # Text read back as a string dtype marks missing with NaN (pandas 3's str)
                # or NA; the object column it came from held None, as every edit does.
                converted = converted.where(converted.notna(), None)
            frame[column] = converted


def apply_values(frame: pd.DataFrame, cells: pd.DataFrame) -> None:
    """Write encoded cell values into ``frame`` (in place), column by column.

    Parameters
    ----------
    frame : DataFrame
        The frame, already with the dtypes of the target version.
    cells : DataFrame
        Columns ``row_id`` (position), ``column`` and ``value`` (typed JSON text).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 2]})
    >>> apply_values(df, pd.DataFrame({"row_id": [1], "column": ["y"], "value": ['["i",9]']}))
    >>> df.y.tolist()
    [1, 9]
    """
    if cells.empty:
        return
    rows = cells["row_id"].to_numpy(dtype=np.int64)
    outside = rows[(rows < 0) | (rows >= len(frame))]
    if len(outside):
        # A negative position would write the last rows; one past the end would fail raw.
        raise StoreError(
            f"The edit log edits row position(s) {sorted(set(outside.tolist()))[:5]} of a "
            f"snapshot of {len(frame):,} rows. The log was edited or damaged: restore the "
            "dataset's folder from a backup."
        )
    for column, group in cells.groupby("column", sort=False):
        if column not in frame.columns:
            raise StoreError(
                f"The edit log edits column {column!r}, which the snapshot does not have. "
                "The store is damaged: restore it from a backup."
            )
        # Tracked column names are unique, so get_loc gives a position (not a slice or mask).
        position = cast(int, frame.columns.get_loc(column))
        # The codec is canonical (equal texts are equal values), so each distinct text
        # is decoded and checked once, then spread by position: a relabel of 100,000
        # rows holds a handful of distinct labels, and decoding them all took 0.1 s.
        codes, texts = pd.factorize(group["value"].to_numpy(dtype=object))
        values = decode_texts(texts.tolist())
        array, new_dtype = coerce_values(
            frame[column].dtype, values, column=str(column), func="checkout"
        )
        if len(texts) < len(codes):
            array = array.take(codes)
        if new_dtype is not None:
            # The recorded schema lacks a category the log uses: widen, never fail a read.
            frame[column] = frame[column].cat.set_categories(new_dtype.categories)
        assign(frame, group["row_id"].to_numpy(dtype=np.int64), position, array)


def checkout_frame(log: EditLog, version: int) -> pd.DataFrame:
    """Rebuild the dataset at ``version`` as a new frame, dtypes included.

    Parameters
    ----------
    log : EditLog
        The dataset's log.
    version : int
        A resolved version id.

    Returns
    -------
    DataFrame
        A frame the caller owns.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from pathlib import Path
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": ["cat"]}), name="doc", root=tmp.name)
    >>> checkout_frame(ds._log, 1).y.tolist()
    ['cat']
    >>> tmp.cleanup()
    """
    with log.read_snapshot():
        base_version, file = log.base_for(version)
        digest = log.base_digest(base_version)
        base_schema = log.schema_at(base_version)
        schema = log.schema_at(version)
        cells = log.last_values(log.last_edit(base_version), log.last_edit(version))
    frame = read_base(log.folder, file, sha256=digest)
    apply_dtypes(frame, base_schema)
    if schema != base_schema:
        apply_dtypes(frame, schema)
    apply_values(frame, cells)
    return frame
