"""Writing a review decision: into the user's frame, or as a tracked dataset's pending edit."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core._frames import assign, coerce_values

__all__ = ["relabel_through", "write_label"]


def relabel_through(
    dataset: Any,
    frame: pd.DataFrame,
    label: Hashable,
    row: Hashable,
    value: Any,
    reason: str,
    score: float,
) -> None:
    """Relabel ``row`` through a tracked dataset, so the change becomes a pending edit.

    ``dataset`` is anything with the store's ``relabel(mask, value, column=, reason=,
    source=)``; the core names no store type, so it never imports the store.
    """
    # A mask works whatever the dataset's key is (index or key columns).
    mask = np.asarray(frame.index == row, dtype=bool)
    dataset.relabel(
        mask,
        value,
        column=label,
        reason=reason,
        source=f"review: label issue, score {score:.2f}",
    )


def write_label(frame: pd.DataFrame, at: tuple[int, int], label: Hashable, value: Any) -> None:
    """Write ``value`` at (row position, column position) of ``frame``, keeping its dtype.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": pd.Categorical(["a", "b"])})
    >>> write_label(df, (1, 0), "y", "c")
    >>> df["y"].tolist(), list(df["y"].cat.categories)
    (['a', 'c'], ['a', 'b', 'c'])
    """
    pos, col = at
    # The store's rules: refuse a value that would change the column's dtype.
    array, new_dtype = coerce_values(
        frame.dtypes.iloc[col], [value], column=str(label), func="review"
    )
    if new_dtype is not None:
        widened = frame.iloc[:, col].cat.set_categories(new_dtype.categories)
        # A Series is taken as is; the stubs list only arrays (see core._frames.assign).
        frame.isetitem(col, widened)  # type: ignore[arg-type]
        # No Series viewing the column may stay alive while it is written: pandas 2.2's
        # copy-on-write "warn" mode would flag the write as a chained assignment.
        del widened
    assign(frame, np.array([pos]), col, array)
