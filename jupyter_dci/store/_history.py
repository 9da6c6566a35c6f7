"""History operations over the log: diff pages, blame records, revert and restore plans.

Each function reads the log (and the tracked frame) and returns what the Dataset
facade writes; none of them writes anything itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import StoreError
from ._codec import decode_texts, decode_value, encode_array, unreadable
from ._log import EditLog
from ._replay import checkout_frame
from ._results import Change, Diff

__all__ = [
    "decode_key",
    "diff_page",
    "drop_added_categories",
    "merge_schema",
    "rebase_old_values",
    "restore_cells",
    "revert_cells",
    "taken",
    "to_changes",
]


def decode_key(text: str) -> Any:
    """Decode a stored row key (a tuple for multi-column keys).

    Examples
    --------
    >>> decode_key('["s","a"]'), decode_key('[["s","a"],["i",1]]')
    ('a', ('a', 1))
    """
    try:
        item = json.loads(text)
        if item and isinstance(item[0], list):
            return tuple(decode_value(part) for part in item)
        return decode_value(item)
    except (ValueError, TypeError, IndexError, KeyError, RecursionError) as exc:
        raise unreadable([text], exc) from None


def to_changes(rows: Sequence[tuple], *, swap: bool = False) -> tuple[Change, ...]:
    """Build Change records from log rows (key, column, old, new, who, why, where, v, t).

    Examples
    --------
    >>> row = ('["i",1]', "y", '["s","a"]', '["s","b"]', "ana", "", "", 2, "2026-01-01")
    >>> to_changes([row])[0].new
    'b'
    """
    old = decode_texts([r[2] for r in rows])
    new = decode_texts([r[3] for r in rows])
    if swap:
        old, new = new, old
    return tuple(
        Change(
            row=decode_key(r[0]),
            column=r[1],
            old=old[i],
            new=new[i],
            author=r[4],
            reason=r[5],
            source=r[6],
            version=r[7],
            time=pd.Timestamp(r[8]).to_pydatetime(),
        )
        for i, r in enumerate(rows)
    )


def diff_page(log: EditLog, a: Any, b: Any, *, offset: int, limit: int) -> Diff:
    """Return one page of the net changes between two versions (see Dataset.diff).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
    >>> diff_page(ds._log, 1, "HEAD", offset=0, limit=10).total
    0
    >>> tmp.cleanup()
    """
    with log.read_snapshot():
        va, vb = log.resolve(a, func="diff"), log.resolve(b, func="diff")
        lo, hi = sorted((va, vb))
        lo_edit, hi_edit = log.last_edit(lo), log.last_edit(hi)
        total = log.diff_count(lo_edit, hi_edit) if lo != hi else 0
        rows = log.diff_rows(lo_edit, hi_edit, offset, limit) if total else []
    return Diff(va, vb, total, offset, limit, to_changes(rows, swap=va > vb))


def revert_cells(log: EditLog, frame: pd.DataFrame, target: int) -> pd.DataFrame:
    """Return the cells to put back to undo ``target`` (row_id, column, old, new).

    Raises
    ------
    StoreError
        For the tracked snapshot, or when later versions changed the same cells.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
    >>> _ = ds.edit(0, "y", 5); _ = ds.commit("five")
    >>> revert_cells(ds._log, ds.frame, 2)[["row_id", "column"]].values.tolist()
    [[0, 'y']]
    >>> tmp.cleanup()
    """
    kind = log.version(target).kind
    if kind in ("track", "reshape"):
        what = "the tracked snapshot" if kind == "track" else "a reshape (new rows/columns)"
        raise StoreError(
            f"Version {target} is {what} and cannot be reverted. Revert the versions "
            "after it, or restore one with ds.restore(v)."
        )
    cells = log.version_edits(target)
    cells = cells[cells["old"] != cells["new"]]
    conflicts = []
    for column, group in cells.groupby("column", sort=False):
        positions = group["row_id"].to_numpy(dtype=np.int64)
        current = encode_array(taken(frame[column], positions))
        moved = np.asarray(current, dtype=object) != group["new"].to_numpy(dtype=object)
        conflicts += [(column, int(p)) for p in positions[moved][:3]]
    if conflicts:
        raise StoreError(
            f"Version {target} cannot be reverted cleanly: later versions changed "
            f"some of its cells again (column, row position: {conflicts[:5]}). Revert "
            "those versions first, or use ds.restore(v) to go back to a version."
        )
    return cells


def restore_cells(
    log: EditLog, frame: pd.DataFrame, target: int, *, sync: int, edited: pd.DataFrame
) -> Iterator[tuple[str, np.ndarray, list[Any]]]:
    """Yield (column, positions, values) that put ``frame`` back to version ``target``.

    Only cells edited between ``target`` and ``sync`` (the frame's version), or
    pending (``edited``), can differ, so only those are compared.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
    >>> _ = ds.edit(0, "y", 5); _ = ds.commit("five")
    >>> none = pd.DataFrame({"row_id": [], "column": []})
    >>> [(c, p.tolist(), v) for c, p, v in restore_cells(ds._log, ds.frame, 1, sync=2, edited=none)]
    [('y', [0], [1])]
    >>> tmp.cleanup()
    """
    wanted = checkout_frame(log, target)
    lo, hi = sorted((target, sync))
    touched = log.last_values(log.last_edit(lo), log.last_edit(hi))[["row_id", "column"]]
    touched = pd.concat([touched, edited]).drop_duplicates()
    for column, group in touched.groupby("column", sort=False):
        positions = np.sort(group["row_id"].to_numpy(dtype=np.int64))
        want = np.asarray(encode_array(taken(wanted[column], positions)), dtype=object)
        have = np.asarray(encode_array(taken(frame[column], positions)), dtype=object)
        differ = want != have
        if differ.any():
            yield str(column), positions[differ], decode_texts(list(want[differ]))


def taken(series: pd.Series, positions: np.ndarray) -> Any:
    """Return the values at ``positions`` (a NumPy array for NumPy dtypes)."""
    taken = series.array.take(positions)
    return np.asarray(taken) if isinstance(series.dtype, np.dtype) else taken


def rebase_old_values(cells: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """Replace each cell's first old value by the newest committed one, if any."""
    if theirs.empty:
        return cells
    merged = cells.merge(theirs, on=["row_id", "column"], how="left")
    use = merged["value"].notna()
    merged.loc[use, "old"] = merged.loc[use, "value"]
    return merged.drop(columns="value")


def merge_schema(head: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    """Merge schemas: mine, keeping the categories other writers added (theirs first)."""
    dtypes = dict(mine["dtypes"])
    for column, desc in mine["dtypes"].items():
        other = head["dtypes"].get(column)
        if desc["kind"] == "category" and other and other["kind"] == "category" and other != desc:
            seen = set(other["categories"])
            cats = other["categories"] + [c for c in desc["categories"] if c not in seen]
            dtypes[column] = {**desc, "categories": cats}
    return {"columns": list(mine["columns"]), "dtypes": dtypes}


def drop_added_categories(frame: pd.DataFrame, before: dict, after: dict) -> None:
    """Remove the categories a reverted version added, when no row uses them now."""
    for column, desc in after["dtypes"].items():
        old = before["dtypes"].get(column)
        if desc["kind"] != "category" or not old or old == desc:
            continue
        added = set(desc["categories"]) - set(old["categories"])
        current = frame[column]
        if not isinstance(current.dtype, pd.CategoricalDtype):
            continue
        texts = encode_array(np.asarray(current.cat.categories, dtype=object))
        used = set(current.cat.codes.unique().tolist())
        unused = [
            current.cat.categories[i] for i, t in enumerate(texts) if t in added and i not in used
        ]
        if unused:
            frame[column] = current.cat.remove_categories(unused)
