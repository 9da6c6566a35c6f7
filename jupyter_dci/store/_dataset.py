"""The Dataset facade: edit a tracked DataFrame, commit, and read any version back.

Layout of a store: ``<root>/<name>/log.sqlite`` (the edit log, the truth) and
``<root>/<name>/base-<version>.parquet`` (snapshots). ``track`` (in ``_track.py``)
writes the first snapshot at once, so every edit made after it has a committed old
value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._hooks import view
from ..errors import DataMismatchError, param_error
from ._codec import decode_texts
from ._commit import commit_pending, pull_versions, rebase_dataset
from ._edits import edit_cells, write_cells
from ._events import emit
from ._history import (
    diff_page,
    drop_added_categories,
    restore_cells,
    revert_cells,
    to_changes,
)
from ._keys import KeySpec, check_same_rows, row_positions
from ._log import EditLog
from ._pending import Pending, pending_frame
from ._replay import apply_dtypes, apply_values, checkout_frame, frame_schema
from ._results import Diff, Version, changes_frame

__all__ = ["Dataset"]

#: Edits since the last base snapshot after which a commit writes a new one, so that
#: reading the newest version stays a Parquet read plus a short replay.
REBASE_EDITS = 100_000


class Dataset:
    """A tracked DataFrame with its edit log: relabel, commit, diff, checkout, revert.

    Build it with :func:`track` or :func:`open_dataset`, not directly.

    Attributes
    ----------
    name : str
        The dataset's name.
    frame : DataFrame
        The tracked frame (the user's object); edits land in it at once.
    label : str or None
        The default column of :meth:`relabel`.
    rebase_edits : int
        Edits since the last base snapshot after which a commit writes a new snapshot
        (default 100,000), so any version reads as one Parquet file plus a short replay.

    Notes
    -----
    Change the tracked frame through :meth:`relabel` and :meth:`edit` only: a change
    made directly in the frame is not recorded (reattaching such a frame is refused).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> df = pd.DataFrame({"label": ["cat", "dog", "cat"]})
    >>> ds = track(df, name="pets", label="label", root=tmp.name)
    >>> ds.relabel([0], "dog", reason="typo")
    1
    >>> ds.commit("fix row 0").n_edits
    1
    >>> tmp.cleanup()
    """

    def __init__(
        self,
        log: EditLog,
        frame: pd.DataFrame,
        *,
        name: str,
        spec: KeySpec,
        label: str | None,
        sync: int,
    ) -> None:
        self._log = log
        self.frame = frame
        self.name = name
        self.label = label
        self._spec = spec
        self._keys = spec.values(frame)
        self._columns = list(frame.columns)
        self._sync = sync
        self._sync_schema = frame_schema(frame)
        self._pending = Pending()
        self.rebase_edits = REBASE_EDITS
        emit(self, "track")

    def __repr__(self) -> str:
        return (
            f"<Dataset {self.name!r}: {len(self.frame)} rows, version {self._sync}, "
            f"{self.n_pending} pending edit(s)>"
        )

    # -- state ---------------------------------------------------------------------------
    @property
    def head(self) -> Version:
        """The newest committed version (in the store, maybe by another process)."""
        return self._log.version(self._log.head())

    @property
    def n_pending(self) -> int:
        """Uncommitted changed cells, counted cheaply (no values decoded).

        ``len(ds.pending())`` decodes every value into a frame (seconds for 100,000
        cells); this counts them in milliseconds.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": ["a"]}), name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(0, "b")
        >>> ds.n_pending
        1
        >>> tmp.cleanup()
        """
        return len(self._pending.cells())

    @property
    def path(self) -> Path:
        """The dataset's folder."""
        return self._log.folder

    def _check_frame(self, func: str) -> None:
        what = f"The tracked frame of dataset {self.name!r} (at {func})"
        if list(self.frame.columns) != self._columns:
            raise DataMismatchError(
                f"{what} has columns {list(self.frame.columns)[:10]}; it was tracked with "
                f"{self._columns[:10]}. Put the columns back, record the change with "
                "ds.reshape(frame, message), or track the frame under a new name."
            )
        check_same_rows(self.frame, self._keys, self._spec, what=what)

    # -- editing -------------------------------------------------------------------------
    def relabel(
        self,
        rows: Any,
        value: Any,
        *,
        column: str | None = None,
        reason: str = "",
        author: str | None = None,
        source: str | None = None,
    ) -> int:
        """Set one value in some rows: written into the frame at once, pending a commit.

        Parameters
        ----------
        rows : key, list of keys, or boolean mask
            The rows, by key (the index or the key column), or a mask aligned with
            the frame.
        value : scalar
            The new value. In a categorical column a new label becomes a category.
        column : str, optional
            The column; by default the dataset's label column.
        reason : str, default ""
            Why, in the user's words.
        author : str, optional
            Who; by default ``JUPYTER_DCI_AUTHOR``, git's user.name or the OS user.
        source : str, optional
            Where the edit came from, e.g. ``"review: label issue, score 0.03"``.

        Returns
        -------
        int
            The number of cells written.

        Raises
        ------
        InvalidParameterError
            If a row is unknown or the value does not fit the column's dtype (nothing
            is written then).
        DataMismatchError
            If the frame no longer matches the tracked rows.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"label": pd.Categorical(["cat", "dog"])})
        >>> ds = track(df, name="pets", label="label", root=tmp.name)
        >>> ds.relabel(df.label == "cat", "bird", reason="looked again")
        1
        >>> df.label.tolist()
        ['bird', 'dog']
        >>> tmp.cleanup()
        """
        if column is None:
            if self.label is None:
                raise param_error(
                    "column", "relabel", "a column name (the dataset has no label column)", None
                )
            column = self.label
        if pd.api.types.is_list_like(value) and not isinstance(value, tuple):
            raise param_error("value", "relabel", "one scalar (use ds.edit for many)", value)
        return edit_cells(
            self, rows, column, [value], reason=reason, author=author, source=source, func="relabel"
        )

    def edit(
        self,
        rows: Any,
        column: str,
        values: Any,
        *,
        reason: str = "",
        author: str | None = None,
        source: str | None = None,
    ) -> int:
        """Set values of any column in some rows: written at once, pending a commit.

        Parameters
        ----------
        rows : key, list of keys, or boolean mask
            The rows.
        column : str
            The column.
        values : scalar or list-like
            One value for all rows, or one per row in the order of ``rows``.
        reason, author, source : str
            As in :meth:`relabel`.

        Returns
        -------
        int
            The number of cells written.

        Raises
        ------
        InvalidParameterError
            If a row is unknown, the lengths differ or a value does not fit the
            column's dtype (nothing is written then).

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"score": [0.1, 0.2]}, index=["a", "b"])
        >>> ds = track(df, name="scores", root=tmp.name)
        >>> ds.edit(["b", "a"], "score", [2.0, 1.0])
        2
        >>> df.score.tolist()
        [1.0, 2.0]
        >>> tmp.cleanup()
        """
        is_many = pd.api.types.is_list_like(values) and not isinstance(values, tuple)
        return edit_cells(
            self,
            rows,
            column,
            list(values) if is_many else [values],
            broadcast=not is_many,
            reason=reason,
            author=author,
            source=source,
            func="edit",
        )

    def pending(self) -> pd.DataFrame:
        """List the uncommitted edits, one row per changed cell.

        Returns
        -------
        DataFrame
            Columns row, column, old, new, author, reason, source, version (None),
            time.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(1, "c")
        >>> ds.pending()[["row", "old", "new"]].values.tolist()
        [[1, 'b', 'c']]
        >>> tmp.cleanup()
        """
        return pending_frame(self._pending)

    def discard(self) -> int:
        """Put the frame back as it was at its version: forget the pending edits.

        Returns
        -------
        int
            The number of cells put back.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(0, "z")
        >>> ds.discard(), df.y.tolist()
        (1, ['a', 'b'])
        >>> tmp.cleanup()
        """
        cells = self._pending.cells(net=False)
        old = cells.rename(columns={"old": "value"})[["row_id", "column", "value"]]
        apply_values(self.frame, old)
        apply_dtypes(self.frame, self._sync_schema)
        self._pending.clear()
        emit(self, "discard")
        return int((cells["old"] != cells["new"]).sum())

    # -- committing ------------------------------------------------------------------------
    def commit(self, message: str, *, author: str | None = None) -> Version:
        """Record the pending edits as a new version.

        The old value of each cell is read from the log under the write lock, so when
        another process committed in between, every old -> new chain stays exact, and
        its changes to other cells are brought into this frame.

        Parameters
        ----------
        message : str
            What the version does.
        author : str, optional
            Who commits; by default as for edits.

        Returns
        -------
        Version
            The new version.

        Raises
        ------
        StoreError
            If nothing is pending.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(0, "z")
        >>> v = ds.commit("fix")
        >>> (v.id, v.parent, v.n_edits)
        (2, 1, 1)
        >>> tmp.cleanup()
        """
        return commit_pending(self, message, author=author, kind="commit", revert_of=None)

    def pull(self) -> int:
        """Bring versions committed by other processes into the frame.

        Returns
        -------
        int
            The number of cells updated.

        Raises
        ------
        StoreError
            If edits are pending (commit or discard them first).

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
        >>> ds.pull()
        0
        >>> tmp.cleanup()
        """
        return pull_versions(self)

    def rebase(self) -> bool:
        """Write the newest version as a new base snapshot (old versions stay readable).

        Commits call this by themselves once ``rebase_edits`` edits have accumulated
        since the last snapshot, so reading the newest version stays fast.

        Returns
        -------
        bool
            Whether a snapshot was written (not when the frame is behind the store or
            has pending edits, or the newest version already is a snapshot).

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
        >>> ds.rebase()
        False
        >>> tmp.cleanup()
        """
        return rebase_dataset(self)

    def reshape(self, frame: pd.DataFrame, message: str, *, author: str | None = None) -> Version:
        """Track a frame with appended rows or added/dropped columns, as a new version.

        The new frame becomes the tracked frame and is written as a new base
        snapshot; older versions keep their shape. Existing rows must stay first and in
        order, and kept cells must equal the newest version (value changes are edits).

        Parameters
        ----------
        frame : DataFrame
            The tracked frame plus appended rows and/or with columns added or dropped.
        message : str
            What changed.
        author : str, optional
            Who; by default as for edits.

        Returns
        -------
        Version
            The new version, ``kind="reshape"``; ``n_rows`` counts the appended rows.

        Raises
        ------
        DataMismatchError
            If rows were removed or reordered, or kept cells or dtypes changed.
        StoreError
            If edits are pending.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1, 2]}), name="d", root=tmp.name)
        >>> bigger = pd.concat([ds.frame, pd.DataFrame({"y": [3]}, index=[2])])
        >>> v = ds.reshape(bigger.assign(z="new"), "add a row and a column")
        >>> (v.kind, v.n_rows, ds.checkout(1).shape, ds.checkout(v).shape)
        ('reshape', 1, (2, 1), (3, 2))
        >>> tmp.cleanup()
        """
        from ._reshape import reshape_dataset

        version = reshape_dataset(self, frame, message, author)
        emit(self, "reshape")
        return version

    # -- reading -------------------------------------------------------------------------
    def version(self, version: Any = "HEAD") -> Version:
        """One version's record.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
        >>> ds.version("HEAD").id
        1
        >>> tmp.cleanup()
        """
        return self._log.version(self._log.resolve(version, func="version"))

    def log(self) -> pd.DataFrame:
        """Every version, oldest first, as a frame indexed by version id.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
        >>> ds.log()[["kind", "n_edits"]].values.tolist()
        [['track', 0]]
        >>> tmp.cleanup()
        """
        versions = self._log.versions()
        frame = pd.concat([v.to_frame() for v in versions]) if versions else pd.DataFrame()
        tags: dict[int, list[str]] = {}
        for tag, version in self._log.tags().items():
            tags.setdefault(version, []).append(tag)
        frame["tags"] = [tags.get(v, []) for v in frame.index]
        return frame

    def tag(self, tag: str, version: Any = "HEAD") -> None:
        """Name a version, so that ``checkout("<tag>")`` finds it.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
        >>> ds.tag("raw")
        >>> ds.version("raw").id
        1
        >>> tmp.cleanup()
        """
        if not isinstance(tag, str) or not tag or tag.startswith("HEAD") or tag.isdigit():
            raise param_error("tag", "tag", "a non-empty str, not 'HEAD...' nor digits", tag)
        self._log.set_tag(tag, self._log.resolve(version, func="tag"))
        emit(self, "tag")

    def checkout(self, version: Any = "HEAD") -> pd.DataFrame:
        """Return a new DataFrame equal to the dataset at ``version``, dtypes included.

        Parameters
        ----------
        version : int, str or Version, default "HEAD"
            An id, ``"HEAD"``, ``"HEAD~n"`` or a tag.

        Returns
        -------
        DataFrame
            A new frame; the tracked frame is left alone.

        Raises
        ------
        StoreError
            If the version does not exist.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(0, "z"); _ = ds.commit("fix")
        >>> ds.checkout(1).y.tolist(), ds.checkout("HEAD").y.tolist()
        (['a', 'b'], ['z', 'b'])
        >>> tmp.cleanup()
        """
        return checkout_frame(self._log, self._log.resolve(version, func="checkout"))

    def diff(self, a: Any, b: Any = "HEAD", *, offset: int = 0, limit: int = 1000) -> Diff:
        """Return the net changes from version ``a`` to ``b``, one page at a time.

        Parameters
        ----------
        a, b : int, str or Version
            The versions; ``old`` is the value at ``a``, ``new`` the value at ``b``
            (``a`` may come after ``b``).
        offset, limit : int
            The page: changes ``[offset, offset + limit)`` ordered by row, column.

        Returns
        -------
        Diff
            The page, with the total number of changed cells.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(1, "z", reason="typo"); _ = ds.commit("fix")
        >>> ds.diff(1, 2).to_frame()[["row", "old", "new", "reason"]].values.tolist()
        [[1, 'b', 'z', 'typo']]
        >>> tmp.cleanup()
        """
        for param, number in (("offset", offset), ("limit", limit)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise param_error(param, "diff", "an int >= 0", number)
        return diff_page(self._log, a, b, offset=offset, limit=limit)

    def blame(self, row: Any) -> pd.DataFrame:
        """Every committed change to one row, oldest first.

        Parameters
        ----------
        row : key
            The row's key.

        Returns
        -------
        DataFrame
            Columns row, column, old, new, author, reason, source, version, time.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(1, "z", author="ana"); _ = ds.commit("fix")
        >>> ds.blame(1)[["old", "new", "author", "version"]].values.tolist()
        [['b', 'z', 'ana', 2]]
        >>> tmp.cleanup()
        """
        positions = row_positions(self._keys, [row], func="blame")
        return changes_frame(to_changes(self._log.row_edits(int(positions[0]))))

    # -- undoing ---------------------------------------------------------------------------
    def revert(
        self, version: Any, *, message: str | None = None, author: str | None = None
    ) -> Version:
        """Commit a new version that undoes the changes of ``version``.

        Parameters
        ----------
        version : int, str or Version
            The version to undo (not the tracked snapshot).
        message : str, optional
            By default ``"Revert <id>: <its message>"``.
        author : str, optional
            Who reverts.

        Returns
        -------
        Version
            The new version, with ``kind="revert"`` and ``revert_of`` set.

        Raises
        ------
        StoreError
            If edits are pending, or a later version changed the same cells again
            (revert that one first, or use :meth:`restore`).

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel(0, "z"); v = ds.commit("oops")
        >>> ds.revert(v).revert_of, df.y.tolist()
        (2, ['a', 'b'])
        >>> tmp.cleanup()
        """
        self.pull()
        log = self._log
        target = log.resolve(version, func="revert")
        record = log.version(target)
        cells = revert_cells(log, self.frame, target)
        source = f"revert of version {target}"
        for column, group in cells.groupby("column", sort=False):
            positions = group["row_id"].to_numpy(dtype=np.int64)
            values = decode_texts(group["old"].tolist())
            write_cells(
                self,
                positions,
                str(column),  # the log holds column names as text
                values,
                reason="",
                author=author,
                source=source,
                func="revert",
            )
        drop_added_categories(self.frame, log.schema_at(target - 1), log.schema_at(target))
        text = message if message is not None else f"Revert {target}: {record.message}"
        # A version of no-op edits leaves nothing to undo: the revert is still recorded.
        return commit_pending(
            self, text, author=author, kind="revert", revert_of=target, allow_empty=True
        )

    def restore(self, version: Any) -> int:
        """Put the tracked frame back to ``version``, as pending edits to commit.

        Parameters
        ----------
        version : int, str or Version
            The version to go back to.

        Returns
        -------
        int
            The number of cells changed in the frame.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b"]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.relabel([0, 1], "z"); _ = ds.commit("all z")
        >>> ds.restore(1), df.y.tolist()
        (2, ['a', 'b'])
        >>> tmp.cleanup()
        """
        if not len(self._pending):
            self.pull()
        target_version = self._log.resolve(version, func="restore")
        edited = self._pending.cells(net=False)[["row_id", "column"]]
        source = f"restore of version {target_version}"
        changed = 0
        for column, positions, values in restore_cells(
            self._log, self.frame, target_version, sync=self._sync, edited=edited
        ):
            changed += write_cells(
                self,
                positions,
                column,
                values,
                reason="",
                author=None,
                source=source,
                func="restore",
            )
        return changed

    # -- out -------------------------------------------------------------------------------
    def export(self, version: Any, path: str | Path, *, format: str = "parquet") -> Path:
        """Write a version where Spark, Polars or DuckDB read it.

        Parameters
        ----------
        version : int, str or Version
            The version.
        path : str or Path
            A new file (Parquet) or a new folder (Delta table).
        format : {"parquet", "delta"}
            Delta needs the optional ``deltalake`` package.

        Returns
        -------
        Path
            Where it was written.

        Raises
        ------
        StoreError
            If ``path`` exists.

        Examples
        --------
        >>> import tempfile, os
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp.name)
        >>> ds.export("HEAD", os.path.join(tmp.name, "d.parquet")).suffix
        '.parquet'
        >>> tmp.cleanup()
        """
        from ._export import export_frame

        if format not in ("parquet", "delta"):
            raise param_error("format", "export", "'parquet' or 'delta'", format)
        frame = self.checkout(version)
        return export_frame(frame, Path(path), format=format)

    # -- slices ----------------------------------------------------------------------------
    def save_slice(self, name: str, definition: Any, *, rows: Any = None) -> pd.Index:
        """Save a named slice with the dataset, and the rows it holds at HEAD.

        Parameters
        ----------
        name : str
            The slice's name.
        definition : str, dict or Slice
            An expression (``"country == 'IN' and age < 25"``), a JSON-ready dict or
            a ``jupyter_dci.core.Slice``; stored as JSON text.
        rows : keys or boolean mask, optional
            The rows it holds; by default the definition is evaluated on the frame.

        Returns
        -------
        Index
            The keys of the rows in the slice.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"x": [1, 5]}), name="d", root=tmp.name)
        >>> ds.save_slice("big", {"note": "x above 2"}, rows=[1]).tolist()
        [1]
        >>> tmp.cleanup()
        """
        from ._slices import save_slice

        return save_slice(self, name, definition, rows=rows)

    def slices(self) -> dict[str, Any]:
        """Return the saved slices: name -> definition.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"x": [1]}), name="d", root=tmp.name)
        >>> ds.slices()
        {}
        >>> tmp.cleanup()
        """
        from ._slices import list_slices

        return list_slices(self)

    def slice_rows(self, name: str, version: Any = "HEAD") -> pd.Index:
        """Return the keys of the rows a saved slice held at ``version``.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"x": [1, 5]}), name="d", root=tmp.name)
        >>> _ = ds.save_slice("big", {"note": "x above 2"}, rows=[1])
        >>> ds.slice_rows("big").tolist()
        [1]
        >>> tmp.cleanup()
        """
        from ._slices import slice_rows

        return slice_rows(self, name, version)

    # -- view ------------------------------------------------------------------------------
    def history(self, *, height: int = 360) -> Any:
        """Show the history panel: versions, pending edits, diffs, blame, checkout, revert.

        The panel comes from the widgets layer through the view the package registers
        (:mod:`jupyter_dci._hooks`), so the store itself never imports a UI library.

        Parameters
        ----------
        height : int, default 360
            Height of the panel's tables in pixels, 120 to 4000.

        Returns
        -------
        HistoryWidget
            An anywidget; display it, or let the notebook show it as a cell's last value.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": ["a"]}), name="d", label="y", root=tmp.name)
        >>> ds.history().n_versions
        1
        >>> tmp.cleanup()
        """
        return view("history")(self, height=height)

    # -- metrics ---------------------------------------------------------------------------
    def evaluate(
        self,
        y_pred: Any,
        *,
        y_true: Any = None,
        name: str = "default",
        metric: Any = None,
    ) -> pd.DataFrame:
        """Record a metric of HEAD, overall and on each saved slice, in the store.

        Parameters
        ----------
        y_pred : array-like, str or callable
            Predictions (one per row), a column name, or a function of the tracked
            DataFrame returning them (it must not modify the frame).
        y_true : array-like or str, optional
            The truth; by default the dataset's label column.
        name : str, default "default"
            The evaluation's name (a model, say); evaluating again under the same name
            at the same version replaces its figures.
        metric : str or callable, optional
            As in ``slice_metrics``: a name such as "accuracy", or a function (default:
            error rate).

        Returns
        -------
        DataFrame
            The rows recorded: all rows (slice ``""``) and each saved slice.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> df = pd.DataFrame({"y": ["a", "b", "a", "b"], "x": [1, 2, 3, 4]})
        >>> ds = track(df, name="d", label="y", root=tmp.name)
        >>> _ = ds.save_slice("small", "x < 3")
        >>> ds.evaluate(["a", "a", "a", "a"], name="m")[["slice", "value"]].values.tolist()
        [['', 0.5], ['small', 0.5]]
        >>> tmp.cleanup()
        """
        from ._metrics import evaluate

        return evaluate(self, y_pred, y_true=y_true, name=name, metric=metric)

    def metrics(self) -> pd.DataFrame:
        """Return every recorded metric across versions, oldest version first.

        Examples
        --------
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> from jupyter_dci.store import track
        >>> ds = track(pd.DataFrame({"y": [1, 0]}), name="d", label="y", root=tmp.name)
        >>> _ = ds.evaluate([1, 1])
        >>> ds.metrics()[["version", "slice", "value"]].values.tolist()
        [[1, '', 0.5]]
        >>> tmp.cleanup()
        """
        from ._metrics import read_metrics

        return read_metrics(self)
