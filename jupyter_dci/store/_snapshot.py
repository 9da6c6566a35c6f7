"""Base snapshots: a whole frame written once as Parquet, atomically.

A snapshot is written to a temporary name, flushed to disk and renamed, so a reader
never sees half a file; the log records it only after the rename, so a crash leaves
at most an unreferenced file, which the next writer removes under the write lock.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataMismatchError, StoreError
from ._pin import hash_file

__all__ = ["base_file_name", "read_base", "remove_litter", "write_base"]


def base_file_name(version: int) -> str:
    """Return the file name of the base snapshot taken at ``version``.

    Examples
    --------
    >>> base_file_name(12)
    'base-000012.parquet'
    """
    return f"base-{version:06d}.parquet"


#: Parquet schema metadata key naming the columns whose cells are Python lists.
_LIST_COLUMNS_KEY = b"jupyter_dci.list_columns"
#: What a base snapshot's file is called: nothing else is read as one.
_BASE_NAME = re.compile(r"base-\d{6,}\.parquet")
#: Parquet schema metadata key naming the columns whose cells are numpy arrays (as .npy bytes).
_ARRAY_COLUMNS_KEY = b"jupyter_dci.array_columns"


def _is_array_column(series: pd.Series) -> bool:
    if series.dtype != object:
        return False
    present = series.dropna()
    return len(present) > 0 and all(
        isinstance(v, np.ndarray) and v.dtype.kind in "biufcmM" for v in present
    )


def _npy_bytes(value: Any) -> bytes | None:
    if value is None or (not isinstance(value, np.ndarray) and pd.isna(value)):
        return None
    buf = io.BytesIO()
    np.save(buf, value, allow_pickle=False)
    return buf.getvalue()


def _encode_arrays(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """Turn columns of numpy arrays (images, embeddings) into .npy bytes Parquet can store.

    Parquet has no type for a cell holding an n-dimensional array; numpy's own .npy format
    keeps its dtype, shape and values exactly, and is read back without pickle.
    """
    positions = [j for j in range(frame.shape[1]) if _is_array_column(frame.iloc[:, j])]
    if not positions:
        return frame, []
    out = frame.copy(deep=False)
    for j in positions:
        # A Series is taken as is (aligned on the same index); the stubs list only arrays
        # and scalars.
        out.isetitem(j, frame.iloc[:, j].map(_npy_bytes))  # type: ignore[arg-type]
    return out, positions


def _decode_arrays(frame: pd.DataFrame, positions: list[int]) -> pd.DataFrame:
    for j in positions:
        col = frame.iloc[:, j]
        arrays = pd.Series(
            [None if b is None else np.load(io.BytesIO(b), allow_pickle=False) for b in col],
            index=col.index,
            dtype=object,
        )
        # A Series is taken as is (aligned on the same index); the stubs list only arrays
        # and scalars.
        frame.isetitem(j, arrays)  # type: ignore[arg-type]
    return frame


def write_base(folder: Path, version: int, frame: pd.DataFrame) -> str:
    """Write ``frame`` as the base snapshot of ``version``; return its file name.

    Parameters
    ----------
    folder : Path
        The dataset's folder.
    version : int
        The version the snapshot holds.
    frame : DataFrame
        The frame, index included (a RangeIndex costs nothing).

    Returns
    -------
    str
        The file name, relative to ``folder``.

    Raises
    ------
    DataMismatchError
        If a column cannot be stored in Parquet (e.g. an object column of mixed types).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_base(Path(tmp.name), 1, pd.DataFrame({"y": ["a"]}))
    'base-000001.parquet'
    >>> tmp.cleanup()
    """
    name = base_file_name(version)
    final = folder / name
    tmp = folder / (name + ".tmp")
    try:
        stored, arrays = _encode_arrays(frame)
        table = pa.Table.from_pandas(stored, preserve_index=None)
        lists = [str(c) for c in frame.columns if _is_list_column(frame[c])]
        if arrays or lists:
            meta = dict(table.schema.metadata or {})
            if arrays:
                meta[_ARRAY_COLUMNS_KEY] = json.dumps(arrays).encode()
            if lists:
                meta[_LIST_COLUMNS_KEY] = json.dumps(lists).encode()
            table = table.replace_schema_metadata(meta)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise DataMismatchError(
            f"The frame cannot be stored as Parquet: {exc}. Give each column one type "
            "(e.g. df[col] = df[col].astype(str) for an object column holding mixed "
            "types), then track again."
        ) from exc
    with pa.OSFile(str(tmp), "wb") as sink:
        pq.write_table(table, sink)
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, final)
    return name


def read_base(folder: Path, name: str, *, sha256: str | None = None) -> pd.DataFrame:
    """Read a base snapshot back as the frame that was written.

    Parameters
    ----------
    folder : Path
        The dataset's folder.
    name : str
        The file name recorded in the log.
    sha256 : str, optional
        The digest the log recorded for it: a file whose content differs (replaced by
        another of the same shape, edited, truncated) is refused, never read as the base.

    Returns
    -------
    DataFrame
        The frame; the caller restores exact dtypes from the log's schema.

    Raises
    ------
    StoreError
        If the file is missing or unreadable.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name)
    >>> read_base(folder, write_base(folder, 1, pd.DataFrame({"y": [1]}))).y.tolist()
    [1]
    >>> tmp.cleanup()
    """
    if not _BASE_NAME.fullmatch(str(name)):
        # The log is a file anyone can edit: a recorded name never leads out of the folder.
        raise StoreError(
            f"The log of the dataset in {folder} names its base snapshot {str(name)[:200]!r}, "
            "which is not a snapshot file of its folder (base-NNNNNN.parquet). The log was "
            "edited or damaged: restore the folder from a backup, or track the data again."
        )
    path = folder / name
    if sha256 is not None and path.is_file() and not _verified(path, sha256):
        raise StoreError(
            f"The base snapshot {path} changed since the store wrote it (its SHA-256 differs "
            "from the one in the log): it was replaced or edited, so its rows are not this "
            "dataset's. Restore the folder from a backup, or track the data again."
        )
    try:
        # Mapped, not read: Arrow decodes straight from the page cache, without first
        # copying the whole file into its own buffers (about 10% of a 1M-row read).
        # Safe because a snapshot is never changed once renamed into place.
        table = pq.read_table(path, memory_map=True)
    except (OSError, pa.ArrowInvalid) as exc:
        raise StoreError(
            f"The base snapshot {path} of this dataset cannot be read ({exc}). The store "
            "is damaged: restore the folder from a backup, or track the data again under "
            "a new name."
        ) from exc
    meta = table.schema.metadata or {}
    arrays = meta.get(_ARRAY_COLUMNS_KEY)
    frame = _writable_categoricals(table.to_pandas())
    for name in json.loads(meta.get(_LIST_COLUMNS_KEY, b"[]")):
        # Arrow hands lists back as numpy arrays; the cells were Python lists.
        cells = pd.Series(table.column(name).to_pylist(), index=frame.index, dtype=object)
        frame.isetitem(frame.columns.get_loc(name), cells)  # type: ignore[arg-type]
    return _decode_arrays(frame, json.loads(arrays)) if arrays else frame


#: Files whose digest this process checked, by (path, size, mtime_ns, digest): a checkout
#: after an open hashes the base once, not twice (about 0.15 s per 90 MiB here).
_VERIFIED: dict[tuple[str, int, int, str], bool] = {}
_VERIFIED_MAX = 64


def _verified(path: Path, sha256: str) -> bool:
    """Whether ``path`` holds the bytes ``sha256`` names (hashed once per size and time)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, sha256)
    if key not in _VERIFIED:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key] = hash_file(path) == sha256
    return _VERIFIED[key]


def _is_list_column(column: pd.Series) -> bool:
    """Whether an object column holds Python lists (and missing values) only."""
    if column.dtype != object:
        return False
    present = column.dropna()
    return len(present) > 0 and all(type(v) is list for v in present)


def _writable_categoricals(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy the codes of categorical columns, which Arrow hands over read-only.

    Without the copy ``frame.loc[0, "label"] = "dog"`` on a checked-out frame fails
    with "assignment destination is read-only"; the codes are one byte per row.
    """
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if isinstance(column.dtype, pd.CategoricalDtype):
            frame.isetitem(j, column.array.copy())
    return frame


def remove_litter(folder: Path, referenced: set[str]) -> list[str]:
    """Delete snapshot files no log entry references (left by a killed writer).

    Only call this while holding the log's write lock: a live writer only creates
    snapshot files under that lock, so every unreferenced one is dead.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> remove_litter(Path(tmp.name), set())
    []
    >>> tmp.cleanup()
    """
    removed = []
    for path in folder.glob("base-*.parquet*"):
        if path.name not in referenced:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
