"""Committing, pulling and rebasing a dataset: the writes that go through the log's lock.

The :class:`~jupyter_dci.store._dataset.Dataset` facade documents these operations; the
work is here. A commit reads each cell's old value under the write lock, so when another
process committed in between, every old -> new chain stays exact and its changes to other
cells are brought into this frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import StoreError, param_error
from ._author import default_author
from ._codec import check_storable
from ._events import emit
from ._history import merge_schema, rebase_old_values
from ._log import utc_now
from ._replay import apply_dtypes, apply_values, frame_schema
from ._results import Version
from ._schema import pause_point
from ._snapshot import remove_litter, write_base

if TYPE_CHECKING:
    from ._dataset import Dataset

__all__ = ["commit_pending", "pull_versions", "rebase_dataset", "refuse_reshaped"]

#: Edit rows inserted per statement: bounded memory for the parameters of a big commit.
_INSERT_CHUNK = 50_000


def record_edits(log: Any, cells: pd.DataFrame, batches: Any, version: int) -> None:
    """Write the batches and the changed cells of one version (inside the write lock).

    ``cells`` holds ``row_id``, ``row_key``, ``column``, ``old``, ``new`` and ``batch`` (an
    index into ``batches``); a pandas and a lazy dataset's commits write them alike.
    """
    batch_ids = {}
    for b in sorted(set(cells["batch"].tolist())):
        bt = batches[b]
        batch_ids[b] = log.add_batch(bt.author, bt.reason, bt.source, bt.time)
    rows = list(
        zip(
            [version] * len(cells),
            cells["row_id"].tolist(),
            cells["row_key"].tolist(),
            cells["column"].tolist(),
            cells["old"].tolist(),
            cells["new"].tolist(),
            [batch_ids[b] for b in cells["batch"].tolist()],
            strict=True,
        )
    )
    for start in range(0, max(len(rows), 1), _INSERT_CHUNK):
        log.add_edits(rows[start : start + _INSERT_CHUNK])
        pause_point("commit:edits")


def commit_pending(
    ds: Dataset,
    message: str,
    *,
    author: str | None,
    kind: str,
    revert_of: int | None,
    allow_empty: bool = False,
) -> Version:
    """Record ``ds``'s pending edits as a new version (see :meth:`Dataset.commit`)."""
    if not isinstance(message, str):
        raise param_error("message", "commit", "a str", message)
    if not len(ds._pending) and not allow_empty:
        raise StoreError(
            f"Dataset {ds.name!r} has nothing to commit: no pending edits. Edit with "
            "ds.relabel(...) or ds.edit(...) first."
        )
    ds._check_frame("commit")
    # A column whose dtype was changed in the frame to one the store cannot rebuild would
    # land a version no process could open: refused before the write, edits kept.
    for column in ds.frame.columns:
        check_storable(ds.frame[column].dtype, column, "commit (the pending edits are kept)")
    cells = ds._pending.cells(net=False)
    batches = ds._pending.batches
    log = ds._log
    theirs = None
    with log.write_lock():
        head = log.head()
        head_schema = log.schema_at(head)
        if head != ds._sync:
            refuse_reshaped(ds, head)
            # Another writer committed since this frame's version: the log, read
            # under the lock, holds the true old values of the cells it touched.
            theirs = log.last_values(log.last_edit(ds._sync), log.last_edit(head))
            cells = rebase_old_values(cells, theirs)
        cells = cells[cells["old"] != cells["new"]]
        # In key order the index grows at its end: 2x faster inserts than random order.
        cells = cells.sort_values(["row_id", "column"], kind="stable")
        pause_point("commit:begin")
        new_version = head + 1
        record_edits(log, cells, batches, new_version)
        schema = frame_schema(ds.frame)
        if theirs is not None:
            schema = merge_schema(head_schema, schema)
        log.add_version(
            version=new_version,
            message=message,
            author=author or default_author(),
            time=utc_now(),
            kind=kind,
            revert_of=revert_of,
            n_edits=len(cells),
            n_rows=int(cells["row_id"].nunique()),
            last_edit=log.max_edit_id(),
            schema=None if schema == head_schema else schema,
        )
        remove_litter(log.folder, log.base_files())
        pause_point("commit:version")
    ds._pending.clear()
    if theirs is not None:
        _pull_cells(ds, theirs, mine=cells)
    apply_dtypes(ds.frame, schema)
    ds._sync = new_version
    ds._sync_schema = schema
    if log.edits_since_base(new_version) > ds.rebase_edits:
        rebase_dataset(ds)
    emit(ds, "commit")
    return log.version(new_version)


def _pull_cells(ds: Dataset, theirs: pd.DataFrame, *, mine: pd.DataFrame) -> None:
    """Write other writers' committed values into the frame (cells not edited here)."""
    if theirs.empty:
        return
    mine_keys = set(zip(mine["row_id"].tolist(), mine["column"].tolist(), strict=True))
    keep = [
        (r, c) not in mine_keys
        for r, c in zip(theirs["row_id"].tolist(), theirs["column"].tolist(), strict=True)
    ]
    apply_values(ds.frame, theirs[keep])


def pull_versions(ds: Dataset) -> int:
    """Bring versions committed by other processes into the frame (see :meth:`Dataset.pull`)."""
    if len(ds._pending):
        raise StoreError(
            f"Dataset {ds.name!r} has pending edits; commit or discard them before "
            "pulling newer versions."
        )
    head = ds._log.head()
    if head == ds._sync:
        return 0
    with ds._log.read_snapshot():
        head = ds._log.head()
        refuse_reshaped(ds, head)
        lo, hi = ds._log.last_edit(ds._sync), ds._log.last_edit(head)
        theirs = ds._log.last_values(lo, hi)
        schema = ds._log.schema_at(head)
    apply_dtypes(ds.frame, merge_schema(schema, frame_schema(ds.frame)))
    apply_values(ds.frame, theirs)
    apply_dtypes(ds.frame, schema)
    ds._sync, ds._sync_schema = head, schema
    emit(ds, "pull")
    return len(theirs)


def refuse_reshaped(ds: Dataset, head: int) -> None:
    """Refuse to follow a store reshaped by another process since ``ds``'s version."""
    if ds._log.reshaped_between(ds._sync, head):
        raise StoreError(
            f"Dataset {ds.name!r} was reshaped by another process after version "
            f"{ds._sync} (rows or columns changed); this frame cannot follow. "
            f"Reopen it: dci.open({ds.name!r}). Nothing was written."
        )


def rebase_dataset(ds: Dataset) -> bool:
    """Write the newest version as a base snapshot (see :meth:`Dataset.rebase`)."""
    log = ds._log
    with log.write_lock():
        head = log.head()
        if head != ds._sync or len(ds._pending) or log.base_for(head)[0] == head:
            return False
        remove_litter(log.folder, log.base_files())
        file = write_base(log.folder, head, ds.frame)
        pause_point("rebase:written")
        log.add_base(head, file, len(ds.frame))
    return True
