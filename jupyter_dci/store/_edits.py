"""Writing edits: check the rows and values, write them into the frame, keep them pending.

Everything is validated and encoded before the frame is touched, so a refused value or an
unknown row leaves the frame and the pending edits as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core._frames import assign, coerce_values
from ..errors import param_error
from ._author import default_author
from ._codec import encode_array
from ._events import emit
from ._keys import encode_keys, row_positions
from ._log import utc_now
from ._pending import Batch

if TYPE_CHECKING:
    from ._dataset import Dataset

__all__ = ["edit_cells", "write_cells"]


def edit_cells(
    ds: Dataset,
    rows: Any,
    column: Any,
    values: list[Any],
    *,
    broadcast: bool = True,
    reason: str,
    author: str | None,
    source: str | None,
    func: str,
) -> int:
    """Check ``rows`` and ``column`` of an edit, then write ``values`` there.

    ``values`` holds one value for every row (``broadcast``) or one per row, in order.
    """
    ds._check_frame(func)
    if not isinstance(column, str) or column not in ds._columns:
        allowed = f"a column of the frame ({ds._columns[:10]})"
        raise param_error("column", func, allowed, column)
    if column in ds._spec.columns:
        raise param_error("column", func, "a column that is not the row key", column)
    if callable(getattr(rows, "mask", None)) and not isinstance(
        rows, pd.Series | pd.Index | np.ndarray
    ):
        # A jupyter_dci Slice (or anything with .mask(frame)): its rows, right now.
        rows = np.asarray(rows.mask(ds.frame), dtype=bool)
    positions = row_positions(ds._keys, rows, func=func)
    if not broadcast and len(values) != len(positions):
        raise param_error("values", func, f"one value per row ({len(positions)} rows)", values)
    return write_cells(
        ds, positions, column, values, reason=reason, author=author, source=source, func=func
    )


def write_cells(
    ds: Dataset,
    positions: np.ndarray,
    column: str,
    values: list[Any],
    *,
    reason: str,
    author: str | None,
    source: str | None,
    func: str,
) -> int:
    """Write ``values`` at row ``positions`` of ``column`` and record them as one pending batch."""
    for param, text in (("reason", reason), ("author", author), ("source", source)):
        if text is not None and not isinstance(text, str):
            raise param_error(param, func, "a str", text)
    if len(positions) == 0:
        return 0
    series = ds.frame[column]
    # Validate and encode everything first: a refused value leaves the frame as is.
    array, new_dtype = coerce_values(series.dtype, values, column=column, func=func)
    new_texts = encode_array(array)
    if len(values) == 1 < len(positions):
        # One value for many rows: checked and encoded once, then repeated.
        array = array.take(np.zeros(len(positions), dtype=np.intp))
        new_texts = new_texts * len(positions)
    old = series.array.take(positions)
    if isinstance(series.dtype, np.dtype):
        old, array = np.asarray(old), np.asarray(array)
    batch = Batch(
        column=column,
        row_ids=positions,
        row_keys=encode_keys(ds._keys, positions),
        old=encode_array(old),
        new=new_texts,
        author=author or default_author(),
        reason=reason,
        source=source or func,
        time=utc_now(),
    )
    if new_dtype is not None:
        ds.frame[column] = series.cat.set_categories(new_dtype.categories)
    assign(ds.frame, positions, ds._columns.index(column), array)
    ds._pending.add(batch)
    emit(ds, "edit")
    return len(positions)
