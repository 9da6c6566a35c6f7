"""Commits and reverts of a lazy dataset: the same log records as a pandas dataset's.

A commit appends the pending edits (one row per changed cell, with its row key) and a
version, under the log's write lock; old values are re-read from the log there when another
process committed in between, so every old -> new chain stays exact. Its size on disk grows
with the edits, never with the rows: the base is not touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import StoreError, param_error
from ._author import default_author
from ._commit import record_edits
from ._history import rebase_old_values
from ._log import utc_now
from ._pending import Batch
from ._results import Version

if TYPE_CHECKING:
    from ._lazy_dataset import LazyDataset

__all__ = ["commit_lazy", "revert_batches"]


def commit_lazy(
    ds: LazyDataset,
    message: str,
    *,
    author: str | None,
    kind: str = "commit",
    revert_of: int | None = None,
    allow_empty: bool = False,
) -> Version:
    """Record ``ds``'s pending edits as a new version (see :meth:`LazyDataset.commit`)."""
    if not isinstance(message, str):
        raise param_error("message", "commit", "a str", message)
    if author is not None and not isinstance(author, str):
        raise param_error("author", "commit", "a str or None", author)
    if not len(ds._pending) and not allow_empty:
        raise StoreError(
            f"Dataset {ds.name!r} has nothing to commit: no pending edits. Edit with "
            "ds.relabel(...) or ds.edit(...) first."
        )
    cells = ds._pending.cells(net=False)
    batches = ds._pending.batches
    log = ds._lazy_log
    with log.write_lock():
        head = log.head()
        if head != ds._sync:
            if log.reshaped_between(ds._sync, head):
                raise StoreError(
                    f"Dataset {ds.name!r} was rebased by another process after version "
                    f"{ds._sync}: its base now holds other content. Discard these edits "
                    f"(ds.discard()), reopen it (dci.open({ds.name!r})) and edit again. "
                    "Nothing was written."
                )
            # The log, read under the lock, holds the true old values of cells others edited.
            theirs = log.last_values(log.last_edit(ds._sync), log.last_edit(head))
            cells = rebase_old_values(cells, theirs)
        cells = cells[cells["old"] != cells["new"]]
        cells = cells.sort_values(["row_id", "column"], kind="stable")
        version = head + 1
        record_edits(log, cells, batches, version)
        log.add_version(
            version=version,
            message=message,
            author=author or default_author(),
            time=utc_now(),
            kind=kind,
            revert_of=revert_of,
            n_edits=len(cells),
            n_rows=int(cells["row_id"].nunique()),
            last_edit=log.max_edit_id(),
            schema=None,
        )
    ds._pending.clear()
    ds._sync = version
    return log.version(version)


def revert_batches(ds: LazyDataset, target: int, *, author: str | None) -> list[Batch]:
    """Return the pending batches that undo version ``target``, one per column.

    Raises
    ------
    StoreError
        For the tracked snapshot or a rebase, or when later versions changed the same cells.
    """
    log = ds._lazy_log
    kind = log.version(target).kind
    if kind in ("track", "reshape"):
        what = "the tracked base" if kind == "track" else "a rebase (new base content)"
        raise StoreError(
            f"Version {target} is {what} and cannot be reverted. Revert the versions after it."
        )
    cells = log.version_edits(target)
    cells = cells[cells["old"] != cells["new"]]
    head = log.head()
    now = log.last_values(0, log.last_edit(head)).rename(columns={"value": "now"})
    merged = cells.merge(now, on=["row_id", "column"], how="left")
    moved = merged[merged["now"] != merged["new"]]
    if len(moved):
        keys = log.keys_of(moved["row_id"].tolist()[:5])
        shown = [
            (c, keys.get(int(r))) for c, r in zip(moved["column"], moved["row_id"], strict=False)
        ]
        raise StoreError(
            f"Version {target} cannot be reverted cleanly: later versions changed some of its "
            f"cells again (column, row key: {shown[:5]}). Revert those versions first."
        )
    keys = log.keys_of(merged["row_id"].tolist())
    time, who = utc_now(), author or default_author()
    out = []
    for column, group in merged.groupby("column", sort=False):
        row_ids = group["row_id"].to_numpy(dtype=np.int64)
        out.append(
            Batch(
                column=str(column),
                row_ids=row_ids,
                row_keys=[keys[int(r)] for r in row_ids],
                old=group["new"].tolist(),
                new=group["old"].tolist(),
                author=who,
                reason="",
                source=f"revert of version {target}",
                time=time,
            )
        )
    return out
