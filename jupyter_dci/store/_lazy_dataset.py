"""A tracked dataset whose data stays in its engine: files in place, or a Parquet copy.

:class:`LazyDataset` is a :class:`Dataset` (the same log, versions, diff, tags, history
panel, sidebar) whose rows are never in the kernel: edits name rows by key and are checked
in the engine, commits append them to the log, and a checkout is a lazy frame of the
tracked engine (a Polars LazyFrame for Polars input, a DuckDB relation otherwise) joining the
pinned base with the last edit per key and column. Operations that need the rows in memory
(reshape, restore, slices and metrics evaluated on the frame) are refused with what to do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import pyarrow as pa

from ..core.engine._inputs import file_paths
from ..errors import DataMismatchError, InvalidParameterError, StoreError, param_error
from ._author import default_author
from ._dataset import Dataset
from ._events import emit
from ._history import to_changes
from ._keys import KeySpec
from ._lazy_base import (
    LazyBase,
    arrow_schema,
    check_keys,
    connection_for,
    scan_files,
    schema_record,
)
from ._lazy_checkout import checkout_lazy
from ._lazy_commit import commit_lazy, revert_batches
from ._lazy_edits import edit_lazy, key_list, key_texts, keys_table
from ._lazy_log import LazyLog
from ._log import utc_now
from ._pending import Pending
from ._pin import check_pins, pin_file
from ._results import Version, changes_frame

__all__ = ["LazyDataset"]


class LazyDataset(Dataset):
    """A tracked dataset whose data stays in its engine; edits by key, checkouts lazy.

    Build it with :func:`track` (a Polars frame, Arrow data, a DuckDB relation, or Parquet
    or CSV files, with ``key=``) or :func:`open_dataset`, not directly.

    Attributes
    ----------
    name : str
        The dataset's name.
    label : str or None
        The default column of :meth:`relabel`.
    key : tuple of str
        The key column(s): every edit names its rows by them.
    base : LazyBase
        Where the rows are read from (files in place, or the store's Parquet copy).

    Examples
    --------
    >>> import tempfile
    >>> import polars as pl
    >>> from jupyter_dci.store import track
    >>> tmp = tempfile.TemporaryDirectory()
    >>> data = pl.DataFrame({"id": [1, 2, 3], "label": ["cat", "dog", "cat"]})
    >>> ds = track(data, name="pets", key="id", label="label", root=tmp.name)
    >>> ds.relabel([2], "cat", reason="typo")
    1
    >>> ds.commit("fix row 2").n_edits
    1
    >>> ds.checkout("HEAD").sort("id").collect()["label"].to_list()
    ['cat', 'cat', 'cat']
    >>> tmp.cleanup()
    """

    def __init__(
        self,
        log: LazyLog,
        *,
        name: str,
        key: tuple[str, ...],
        label: str | None,
        base: LazyBase,
        sync: int,
    ) -> None:
        self._log = log
        self._lazy_log = log
        self.name = name
        self.label = label
        self.key = key
        self.base = base
        self._spec = KeySpec(key)
        self._sync = sync
        self._pending = Pending()
        self.rebase_edits = 0
        self._connection = connection_for(base.engine)
        self._schemas: dict[int, pa.Schema] = {}
        emit(self, "track")

    def __repr__(self) -> str:
        return (
            f"<LazyDataset {self.name!r}: {self.base.kind} base in {self.engine}, keyed by "
            f"{list(self.key)}, version {self._sync}, {self.n_pending} pending edit(s)>"
        )

    # -- what it is ----------------------------------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        """Refuse: the rows stay in their engine; :meth:`checkout` returns them lazily."""
        raise InvalidParameterError(
            f"Dataset {self.name!r} keeps its rows in {self.engine}, not in a pandas frame. "
            "Read a version with ds.checkout('HEAD') (a lazy frame of that engine)."
        )

    @frame.setter
    def frame(self, value: pd.DataFrame) -> None:
        self._refuse("frame")

    @property
    def engine(self) -> str:
        """The engine of checkouts: ``"polars"`` or ``"duckdb"``."""
        return self.base.engine

    @property
    def versions(self) -> list[Version]:
        """Every version, oldest first."""
        return self._log.versions()

    @property
    def arrow_schema(self) -> pa.Schema:
        """The columns and their types, as the engine reads the newest base."""
        return self._schema_of(self._log.head())

    @property
    def n_rows(self) -> int:
        """Rows of the newest base (counted in the engine)."""
        import narwhals.stable.v2 as nw

        from ..core.engine import scalars

        return int(scalars(self._base_frame().select(nw.len().alias("n")))["n"])

    def files(self, version: Any = "HEAD") -> list[Path]:
        """Return the files the base of ``version`` is read from, in read order."""
        base_version = self._lazy_log.pin_version(self._log.resolve(version, func="files"))
        return [p.resolve(self.path) for p in self._lazy_log.pins(base_version)]

    def _schema_of(self, version: int) -> pa.Schema:
        base_version = self._lazy_log.pin_version(version)
        if base_version not in self._schemas:
            self._schemas[base_version] = arrow_schema(self._base_frame(version))
        return self._schemas[base_version]

    def _base_frame(self, version: int | None = None) -> Any:
        """Return the base in force at ``version`` (default HEAD), its pins checked first."""
        log = self._lazy_log
        head = log.head()
        base_version = log.pin_version(head if version is None else version)
        pins = log.pins(base_version)
        try:
            touched = check_pins(pins, self.path, dataset=self.name)
        except StoreError as exc:
            newest = log.pin_version(head)
            if base_version != newest:
                raise StoreError(
                    f"Version {version} of dataset {self.name!r} was read from content its "
                    f"files no longer hold (the dataset was rebased at version {newest}). "
                    f"Versions from {newest} on read the new content. ({exc})"
                ) from None
            raise
        if touched:
            log.touch_pins(base_version, touched)
        return scan_files(self.base, [p.resolve(self.path) for p in pins], self._connection)

    def verify(self) -> None:
        """Hash every file of the newest base again (a full check, ~0.7 s per GiB).

        Opening, editing and checking out compare each file's size and modification time
        and hash only files whose size or time moved; ``verify`` also catches a writer
        that kept both.

        Raises
        ------
        StoreError
            If a file is missing or holds other bytes.

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1]}), name="d", key="id", root=tmp.name)
        >>> ds.verify()
        >>> tmp.cleanup()
        """
        log = self._lazy_log
        base_version = log.pin_version(log.head())
        check_pins(log.pins(base_version), self.path, dataset=self.name, full=True)

    def _edited_values(self, column: str) -> dict[str, str]:
        """Row key -> last value (typed JSON) of ``column``'s cells edited up to the sync."""
        log = self._lazy_log
        cells = log.latest_cells(0, log.last_edit(self._sync))
        return {key: value for key, name, value in cells if name == column}

    def _follow(self) -> None:
        # No frame to update: without pending edits, simply follow the newest version.
        if not len(self._pending):
            self._sync = self._log.head()

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
        """Set one value in some rows, named by key: checked in the engine, pending a commit.

        Parameters
        ----------
        rows : key or list of keys
            The rows, by the key column(s) (a tuple per row for several key columns).
        value : scalar
            The new value; it must fit the column's type.
        column : str, optional
            The column; by default the dataset's label column.
        reason, author, source : str
            As in :meth:`Dataset.relabel`.

        Returns
        -------
        int
            The number of cells written.

        Raises
        ------
        InvalidParameterError
            A key not in the data, a key or value of the wrong type, a mask (nothing is
            kept then).

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> data = pl.DataFrame({"id": ["a", "b"], "y": [0, 1]})
        >>> ds = track(data, name="d", key="id", label="y", root=tmp.name)
        >>> ds.relabel(["a", "b"], 1), ds.n_pending
        (2, 1)
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
        self._follow()
        return edit_lazy(
            self,
            rows,
            column,
            [value],
            broadcast=True,
            reason=reason,
            author=author,
            source=source,
            func="relabel",
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
        """Set values of any column in some rows, named by key: pending a commit.

        Parameters
        ----------
        rows : key or list of keys
            The rows.
        column : str
            The column (not a key column).
        values : scalar or list-like
            One value for all rows, or one per row in the order of ``rows``.
        reason, author, source : str
            As in :meth:`relabel`.

        Returns
        -------
        int
            The number of cells written.

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1, 2], "x": [0.5, 1.5]}), name="d", key="id",
        ...            root=tmp.name)
        >>> ds.edit([2, 1], "x", [2.0, 1.0])
        2
        >>> ds.edit(1, "x", "one")
        Traceback (most recent call last):
        ...
        jupyter_dci.errors.InvalidParameterError: The values of edit for column 'x' ...
        >>> tmp.cleanup()
        """
        is_many = pd.api.types.is_list_like(values) and not isinstance(values, tuple)
        self._follow()
        return edit_lazy(
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

    def discard(self) -> int:
        """Forget the pending edits (nothing was written anywhere); return the cells dropped.

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1], "y": ["a"]}), name="d", key="id", label="y",
        ...            root=tmp.name)
        >>> _ = ds.relabel(1, "b")
        >>> ds.discard(), ds.n_pending
        (1, 0)
        >>> tmp.cleanup()
        """
        dropped = self.n_pending
        self._pending.clear()
        emit(self, "discard")
        return dropped

    def commit(self, message: str, *, author: str | None = None) -> Version:
        """Record the pending edits as a new version (bytes on disk grow with the edits).

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1], "y": ["a"]}), name="d", key="id", label="y",
        ...            root=tmp.name)
        >>> _ = ds.relabel(1, "b")
        >>> v = ds.commit("fix")
        >>> (v.id, v.n_edits)
        (2, 1)
        >>> tmp.cleanup()
        """
        version = commit_lazy(self, message, author=author)
        emit(self, "commit")
        return version

    def pull(self) -> int:
        """Follow versions committed by other processes; return how many there were.

        Raises
        ------
        StoreError
            If edits are pending (commit or discard them first).
        """
        if len(self._pending):
            raise StoreError(
                f"Dataset {self.name!r} has pending edits; commit or discard them before "
                "pulling newer versions."
            )
        head = self._log.head()
        behind = head - self._sync
        self._sync = head
        if behind:
            emit(self, "pull")
        return behind

    def rebase(self, message: str | None = None) -> bool:
        """Re-pin the base: record the files' current content as a new base version.

        For files tracked in place that changed on purpose (new rows appended, values
        corrected upstream). The path, folder or glob tracked is expanded again; the keys
        are checked again (unique, never missing), and the edits recorded so far apply to
        the new content by key. Earlier versions keep their pins (and are refused if their
        content is gone).

        Parameters
        ----------
        message : str, optional
            The new version's message; by default ``"rebase: <location>"``.

        Returns
        -------
        bool
            Whether a new base version was recorded (not when the content is unchanged).

        Raises
        ------
        StoreError
            For a base this store copied (it never changes), or with pending edits.
        DataMismatchError
            If the new content lost a key or edited column, changed their types, or has
            missing or duplicate keys.
        """
        if self.base.kind != "files":
            raise StoreError(
                f"Dataset {self.name!r} reads a Parquet copy this store wrote when it was "
                "tracked; there is nothing to re-pin. Track the new data under a new name."
            )
        if len(self._pending):
            raise StoreError(
                f"Dataset {self.name!r} has pending edits; commit or discard them before a rebase."
            )
        return _rebase(self, message)

    # -- reading -------------------------------------------------------------------------
    def checkout(self, version: Any = "HEAD") -> Any:
        """Return a version as a lazy frame of the tracked engine, edits joined by key.

        A Polars LazyFrame for Polars input, a DuckDB relation otherwise. Nothing is read
        until it is collected; the base's pins are checked first. Rows come in the order
        the engine's join gives: sort by the key for a stable order.

        Raises
        ------
        StoreError
            If the version does not exist, or a file of its base changed or is missing.

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1, 2], "y": ["a", "b"]}), name="d", key="id",
        ...            label="y", root=tmp.name)
        >>> _ = ds.relabel(1, "z"); _ = ds.commit("fix")
        >>> ds.checkout(1).sort("id").collect()["y"].to_list()
        ['a', 'b']
        >>> ds.checkout().sort("id").collect()["y"].to_list()
        ['z', 'b']
        >>> tmp.cleanup()
        """
        return checkout_lazy(self, self._log.resolve(version, func="checkout"))

    def blame(self, row: Any) -> pd.DataFrame:
        """Every committed change to one row (by key), oldest first.

        Examples
        --------
        >>> import tempfile
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1], "y": ["a"]}), name="d", key="id", label="y",
        ...            root=tmp.name)
        >>> _ = ds.relabel(1, "b", author="ana"); _ = ds.commit("fix")
        >>> ds.blame(1)[["old", "new", "author"]].values.tolist()
        [['a', 'b', 'ana']]
        >>> tmp.cleanup()
        """
        keys = key_list(row, len(self.key), "blame")
        if len(keys) != 1:
            raise param_error("row", "blame", "one key", row)
        text = key_texts(keys_table(keys, self.key, self.arrow_schema, "blame"), self.key)[0]
        row_id = self._lazy_log.known_key_ids([text]).get(text)
        rows = [] if row_id is None else self._log.row_edits(row_id)
        return changes_frame(to_changes(rows))

    def export(self, version: Any, path: str | Path, *, format: str = "parquet") -> Path:
        """Write a version to a new Parquet file, in its engine (streaming).

        Examples
        --------
        >>> import tempfile, os
        >>> import polars as pl
        >>> from jupyter_dci.store import track
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = track(pl.DataFrame({"id": [1]}), name="d", key="id", root=tmp.name)
        >>> ds.export("HEAD", os.path.join(tmp.name, "d.parquet")).suffix
        '.parquet'
        >>> tmp.cleanup()
        """
        if format != "parquet":
            raise param_error("format", "export", "'parquet' (data in an engine)", format)
        target = Path(path)
        if target.exists():
            raise StoreError(f"{target} exists; export writes a new file. Pick another path.")
        native = self.checkout(version)
        if self.engine == "polars":
            native.sink_parquet(str(target))
        else:
            native.write_parquet(str(target))
        return target

    # -- undoing -------------------------------------------------------------------------
    def revert(
        self, version: Any, *, message: str | None = None, author: str | None = None
    ) -> Version:
        """Commit a new version that undoes the changes of ``version``.

        Raises
        ------
        StoreError
            If edits are pending, for the tracked base or a rebase, or when a later version
            changed the same cells again.
        """
        if len(self._pending):
            raise StoreError(
                f"Dataset {self.name!r} has pending edits; commit or discard them before a revert."
            )
        self._follow()
        target = self._log.resolve(version, func="revert")
        record = self._log.version(target)
        for batch in revert_batches(self, target, author=author):
            self._pending.add(batch)
        text = message if message is not None else f"Revert {target}: {record.message}"
        try:
            new = commit_lazy(
                self, text, author=author, kind="revert", revert_of=target, allow_empty=True
            )
        except BaseException:
            self._pending.clear()
            raise
        emit(self, "commit")
        return new

    # -- what needs the rows in memory ---------------------------------------------------
    def _refuse(self, func: str) -> NoReturn:
        raise StoreError(
            f"ds.{func} needs the rows in the kernel; dataset {self.name!r} keeps them in "
            f"{self.engine}. Check out a version (ds.checkout(v)), bring what you need into "
            "pandas, and track that frame under its own name for this."
        )

    def reshape(self, frame: pd.DataFrame, message: str, *, author: str | None = None) -> Version:
        """Refuse: the base of a lazy dataset changes by :meth:`rebase` (files re-pinned)."""
        self._refuse("reshape")

    def restore(self, version: Any) -> int:
        """Refuse (needs the rows in memory); revert the versions after it instead."""
        self._refuse("restore")

    def save_slice(self, name: str, definition: Any, *, rows: Any = None) -> pd.Index:
        """Refuse (a slice is evaluated on the rows in memory)."""
        self._refuse("save_slice")

    def slice_rows(self, name: str, version: Any = "HEAD") -> pd.Index:
        """Refuse (a slice is evaluated on the rows in memory)."""
        self._refuse("slice_rows")

    def evaluate(
        self, y_pred: Any, *, y_true: Any = None, name: str = "default", metric: Any = None
    ) -> pd.DataFrame:
        """Refuse (metrics are computed on the rows in memory)."""
        self._refuse("evaluate")


def _rebase(ds: LazyDataset, message: str | None) -> bool:
    """Re-pin ``ds``'s files (see :meth:`LazyDataset.rebase`)."""
    log = ds._lazy_log
    head = log.head()
    paths, fmt = file_paths(ds.base.location, "rebase")
    if fmt != ds.base.format:
        raise StoreError(
            f"Dataset {ds.name!r} was tracked from {ds.base.format} files; "
            f"{ds.base.location!r} now holds {fmt} files. Track them under a new name."
        )
    old_pins = log.pins(log.pin_version(head))
    resolved = [Path(p).resolve() for p in paths]
    pins = [pin_file(p) for p in resolved]
    if [(p.path, p.sha256) for p in pins] == [(p.path, p.sha256) for p in old_pins]:
        if any(p != q for p, q in zip(pins, old_pins, strict=True)):
            log.touch_pins(log.pin_version(head), pins)
        return False
    frame = scan_files(ds.base, resolved, ds._connection)
    schema = arrow_schema(frame)
    _check_compatible(ds, schema, head)
    check_keys(frame, ds.key, what=f"the new content of dataset {ds.name!r}")
    with log.write_lock():
        version = log.head() + 1
        log.add_pins(version, pins)
        log.add_version(
            version=version,
            message=message if message is not None else f"rebase: {ds.base.location}",
            author=default_author(),
            time=utc_now(),
            kind="reshape",
            revert_of=None,
            n_edits=0,
            n_rows=0,
            last_edit=log.last_edit(version - 1),
            schema=schema_record(schema),
        )
    ds._sync = version
    emit(ds, "reshape")
    return True


def _check_compatible(ds: LazyDataset, schema: pa.Schema, head: int) -> None:
    """Refuse new content that lost or retyped a key column or an edited column."""
    log = ds._lazy_log
    # The recorded types: the old content itself may be gone.
    old = {c: d["name"] for c, d in log.schema_at(head)["dtypes"].items()}
    new = {f.name: str(f.type) for f in schema}
    edited = {c for _, c, _ in log.latest_cells(0, log.last_edit(head))}
    for column in [*ds.key, *sorted(edited)]:
        if new.get(column) != old.get(column):
            raise DataMismatchError(
                f"The new content of dataset {ds.name!r} changes column {column!r} "
                f"({old.get(column)} -> {new.get(column, 'missing')}), which is a key or "
                "holds edits. Put the column back, or track the new files under a new name."
            )


def describe_meta(meta: dict[str, str]) -> tuple[tuple[str, ...], str | None, LazyBase]:
    """Read the key, label and base of a lazy dataset from its ``meta`` entries."""
    key = tuple(json.loads(meta["key"])["columns"])
    label = json.loads(meta.get("label", "null"))
    return key, label, LazyBase.from_json(meta["source"])
