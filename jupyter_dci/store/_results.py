"""Frozen result objects of the store: a version, one change, a page of a diff."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

__all__ = ["Change", "Diff", "Version"]


@dataclass(frozen=True)
class Version:
    """One committed version of a dataset.

    Attributes
    ----------
    id : int
        1 for the tracked snapshot, then 2, 3, ... (history is linear).
    parent : int or None
        The version before it.
    message, author : str
        What the commit said and who made it.
    time : datetime
        When it was committed (UTC).
    kind : str
        ``"track"``, ``"commit"`` or ``"revert"``.
    revert_of : int or None
        The version this one undoes, for a revert.
    n_edits : int
        Cells changed.
    n_rows : int
        Rows touched.

    Examples
    --------
    >>> v = Version(2, 1, "fix", "ana", dt.datetime(2026, 1, 1), "commit", None, 3, 2)
    >>> v.to_dict()["n_edits"]
    3
    """

    id: int
    parent: int | None
    message: str
    author: str
    time: dt.datetime
    kind: str
    revert_of: int | None
    n_edits: int
    n_rows: int

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict (time as ISO 8601 text)."""
        data = asdict(self)
        data["time"] = self.time.isoformat()
        return data

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row frame, the shape of :meth:`Dataset.log`."""
        return pd.DataFrame([asdict(self)]).set_index("id")


@dataclass(frozen=True)
class Change:
    """One cell's change: its row key, column, old and new value, who, why, where.

    Examples
    --------
    >>> c = Change(7, "label", "cat", "dog", "ana", "typo", "review", 3, None)
    >>> c.to_dict()["new"]
    'dog'
    """

    row: Any
    column: str
    old: Any
    new: Any
    author: str
    reason: str
    source: str
    version: int | None
    time: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a dict (values as they are)."""
        return asdict(self)


_CHANGE_COLUMNS = [f.name for f in fields(Change)]


def changes_frame(changes: tuple[Change, ...]) -> pd.DataFrame:
    """Return a frame with one row per change (columns as :class:`Change`'s fields)."""
    frame = pd.DataFrame([asdict(c) for c in changes], columns=_CHANGE_COLUMNS)
    return frame.astype({"old": object, "new": object})


@dataclass(frozen=True)
class Diff:
    """One page of the net changes between two versions.

    Attributes
    ----------
    a, b : int
        The versions compared: ``old`` is the value at ``a``, ``new`` at ``b``.
    total : int
        Changed cells in the whole diff (all pages).
    offset, limit : int
        The page: changes ``[offset, offset + limit)``, ordered by row then column.
    changes : tuple of Change
        This page. ``author``, ``reason``, ``source`` and ``version`` are those of
        the last edit of the cell between ``a`` and ``b``.

    Examples
    --------
    >>> d = Diff(1, 1, 0, 0, 100, ())
    >>> d.to_frame().empty, len(d)
    (True, 0)
    """

    a: int
    b: int
    total: int
    offset: int
    limit: int
    changes: tuple[Change, ...]

    def __len__(self) -> int:
        return len(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the page as a dict, changes as a list of dicts."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "changes"}
        data["changes"] = [c.to_dict() for c in self.changes]
        return data

    def to_frame(self) -> pd.DataFrame:
        """Return the page as a frame (row, column, old, new, author, reason, ...)."""
        return changes_frame(self.changes)
