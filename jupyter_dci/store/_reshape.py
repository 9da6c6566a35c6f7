"""Deliberate shape changes: rows appended or columns added/dropped, as a new base.

Edits address rows by their position in the base snapshots, so rows may only be
appended (every existing row keeps its position) and the kept cells must equal the
newest version: a reshape adds or removes data, it never hides an edit. The new
frame is written as the base of a new version; older versions keep reading their
own, older bases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DataMismatchError, StoreError, param_error
from ._author import default_author
from ._keys import differing_cells, validate_keys
from ._log import utc_now
from ._replay import frame_schema
from ._results import Version
from ._schema import pause_point
from ._snapshot import remove_litter, write_base

if TYPE_CHECKING:
    from ._dataset import Dataset

__all__ = ["check_reshape", "reshape_dataset"]


def check_reshape(ds: Dataset, frame: pd.DataFrame) -> pd.Index:
    """Refuse a new frame that is not the tracked one plus appended rows/new columns.

    Returns
    -------
    Index
        The keys of the new frame.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
    >>> check_reshape(ds, pd.DataFrame({"y": [1, 2], "z": 0})).tolist()
    [0, 1]
    >>> tmp.cleanup()
    """
    if not isinstance(frame, pd.DataFrame):
        raise param_error("frame", "reshape", "a pandas DataFrame", type(frame).__name__)
    bad = [c for c in frame.columns if not isinstance(c, str)]
    if bad or not frame.columns.is_unique:
        raise DataMismatchError(
            f"A tracked frame needs unique str column names; got {list(frame.columns)[:10]}."
        )
    missing_keys = [c for c in ds._spec.columns if c not in frame.columns]
    if missing_keys:
        raise DataMismatchError(f"The new frame lacks the key column(s) {missing_keys}.")
    keys = ds._spec.values(frame)
    validate_keys(keys, ds._spec)
    n_old = len(ds._keys)
    if len(keys) < n_old or not keys[:n_old].equals(ds._keys):
        raise DataMismatchError(
            f"The new frame must start with the {n_old} tracked rows, in their order, "
            "and may only append rows after them (edits address rows by position). "
            "Put the rows back in order (e.g. df.loc[ds.frame.index]), or track the "
            "frame under a new name."
        )
    old = ds.frame
    for column in [c for c in old.columns if c in frame.columns]:
        if frame[column].dtype != old[column].dtype:
            raise DataMismatchError(
                f"Column {column!r} has dtype {frame[column].dtype} in the new frame and "
                f"{old[column].dtype} in the tracked one. A reshape keeps the dtypes of "
                "kept columns: convert it back, or add it as a new column."
            )
        differ = differing_cells(old[column], frame[column].iloc[:n_old])
        if differ.any():
            first = int(np.flatnonzero(differ)[0])
            raise DataMismatchError(
                f"The new frame changes {int(differ.sum())} existing cell(s) of column "
                f"{column!r} (first at position {first}). A reshape only adds rows or "
                "columns: make value changes with ds.edit(...) and commit them."
            )
    return keys


def reshape_dataset(ds: Dataset, frame: pd.DataFrame, message: str, author: str | None) -> Version:
    """Write ``frame`` as the base of a new version and make it the tracked frame."""
    if not isinstance(message, str):
        raise param_error("message", "reshape", "a str", message)
    if len(ds._pending):
        raise StoreError(
            "A reshape needs a clean frame; this dataset has pending edits. Commit or "
            "discard them first."
        )
    ds.pull()
    keys = check_reshape(ds, frame)
    log = ds._log
    with log.write_lock():
        head = log.head()
        if head != ds._sync:
            raise StoreError(
                f"Another process committed version {head} during the reshape; nothing "
                "was written. Pull (ds.pull()) and reshape again."
            )
        version = head + 1
        remove_litter(log.folder, log.base_files())
        file = write_base(log.folder, version, frame)
        pause_point("reshape:written")
        log.add_base(version, file, len(frame))
        log.add_version(
            version=version,
            message=message,
            author=author or default_author(),
            time=utc_now(),
            kind="reshape",
            revert_of=None,
            n_edits=0,
            n_rows=len(frame) - len(ds._keys),
            last_edit=log.max_edit_id(),
            schema=frame_schema(frame),
        )
    ds.frame = frame
    ds._keys = keys
    ds._columns = list(frame.columns)
    ds._sync = version
    ds._sync_schema = frame_schema(frame)
    return log.version(version)
