"""Uncommitted edits: what relabel/edit wrote into the frame and the log has not seen.

Each call is kept as one batch of already-encoded cells (columnar, so 100,000 cells
cost one list per field, not 100,000 objects). The first old value of a cell is its
value at the version the frame was in sync with; the last new value is what a
commit records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._codec import decode_texts
from ._history import decode_key
from ._results import _CHANGE_COLUMNS, changes_frame

__all__ = ["Batch", "Pending", "pending_frame"]


@dataclass(frozen=True)
class Batch:
    """One relabel/edit call: cells of one column, with who, why, where and when."""

    column: str
    row_ids: np.ndarray
    row_keys: list[str]
    old: list[str]
    new: list[str]
    author: str
    reason: str
    source: str
    time: str


class Pending:
    """The uncommitted batches of a dataset, oldest first.

    Examples
    --------
    >>> p = Pending()
    >>> p.add(Batch("y", np.array([0]), ['["i",0]'], ['["s","a"]'], ['["s","b"]'],
    ...             "ana", "", "", "t"))
    >>> p.cells()[["row_id", "old", "new"]].values.tolist()
    [[0, '["s","a"]', '["s","b"]']]
    """

    def __init__(self) -> None:
        self.batches: list[Batch] = []

    def __len__(self) -> int:
        return len(self.batches)

    def add(self, batch: Batch) -> None:
        """Append a batch."""
        if len(batch.row_ids):
            self.batches.append(batch)

    def clear(self) -> None:
        """Forget every batch."""
        self.batches = []

    def cells(self, *, net: bool = True) -> pd.DataFrame:
        """One row per edited cell: first old value, last new value, last batch.

        Parameters
        ----------
        net : bool, default True
            Drop cells whose last new value equals their first old value.

        Returns
        -------
        DataFrame
            Columns ``row_id``, ``row_key``, ``column``, ``old``, ``new``, ``batch``
            (index into :attr:`batches`), ordered by first edit.
        """
        columns = ["row_id", "row_key", "column", "old", "new", "batch"]
        if not self.batches:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
                {"row_id": "int64", "batch": "int64"}
            )
        parts = [
            pd.DataFrame(
                {
                    "row_id": b.row_ids.astype(np.int64),
                    "row_key": pd.Series(b.row_keys, dtype=object),
                    "column": pd.Series([b.column] * len(b.row_ids), dtype=object),
                    "old": pd.Series(b.old, dtype=object),
                    "new": pd.Series(b.new, dtype=object),
                    "batch": np.full(len(b.row_ids), i, dtype=np.int64),
                }
            )
            for i, b in enumerate(self.batches)
        ]
        if len(parts) == 1:
            # One call: its rows are unique already, nothing to merge.
            cells = parts[0].drop(columns="batch").assign(batch=0)
            return (cells[cells["old"] != cells["new"]] if net else cells).reset_index(drop=True)
        every = pd.concat(parts, ignore_index=True)
        first = every.drop_duplicates(["row_id", "column"], keep="first")
        last = every.drop_duplicates(["row_id", "column"], keep="last")
        cells = first[["row_id", "row_key", "column", "old"]].merge(
            last[["row_id", "column", "new", "batch"]], on=["row_id", "column"], how="left"
        )
        if net:
            cells = cells[cells["old"] != cells["new"]]
        return cells.reset_index(drop=True)


def pending_frame(pending: Pending) -> pd.DataFrame:
    """List the pending edits one row per changed cell, values decoded (``Dataset.pending``)."""
    cells = pending.cells()
    if cells.empty:
        return changes_frame(())
    # Built column by column: one Change object per cell (then asdict) took 20 s for
    # 100,000 pending cells. A batch's author, reason, source and time are looked up once.
    batches = pending.batches
    batch_ids = cells["batch"].tolist()
    times = {b: pd.Timestamp(batches[b].time).to_pydatetime() for b in set(batch_ids)}
    frame = pd.DataFrame(
        {
            "row": [decode_key(t) for t in cells["row_key"]],
            "column": cells["column"].tolist(),
            "old": decode_texts(cells["old"].tolist()),
            "new": decode_texts(cells["new"].tolist()),
            "author": [batches[b].author for b in batch_ids],
            "reason": [batches[b].reason for b in batch_ids],
            "source": [batches[b].source for b in batch_ids],
            "version": [None] * len(batch_ids),
            "time": [times[b] for b in batch_ids],
        },
        columns=_CHANGE_COLUMNS,
    )
    return frame.astype({"old": object, "new": object})
