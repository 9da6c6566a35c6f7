"""Start and reopen tracking: ``track`` and ``open_dataset``, and their checks.

A frame is (re)attached to a dataset only if it equals the dataset's newest version:
same rows in the same order, same columns, dtypes and values. Anything else is
refused with what differs, so an edit never lands on the wrong row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.engine._inputs import is_pandas, pandas_only
from ..errors import DataMismatchError, StoreError, param_error
from ._author import default_author
from ._codec import check_storable
from ._dataset import Dataset
from ._keys import KeySpec, check_same_rows, differing_cells, validate_keys
from ._log import EditLog, utc_now
from ._replay import checkout_frame, frame_schema
from ._schema import DB_NAME, pause_point
from ._snapshot import remove_litter, write_base

__all__ = ["open_dataset", "track"]

_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")


def _folder(root: str | Path, name: Any, func: str) -> Path:
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
        raise param_error(
            "name",
            func,
            "1-100 letters, digits, '_', '-' or '.', not starting with '.' and without "
            "'..' (it names a folder under root)",
            name,
        )
    root_path = Path(root)
    if root_path.exists() and not root_path.is_dir():
        raise StoreError(f"The store root {root_path} is a file, not a folder. Pass root=...")
    return root_path / name


def _check_columns(frame: Any, func: str) -> None:
    pandas_only(frame, func)
    bad = [c for c in frame.columns if not isinstance(c, str)]
    if bad:
        raise DataMismatchError(
            f"Tracked frames need str column names (Parquet stores only those); got "
            f"{bad[:5]}. Rename them, e.g. df.columns = df.columns.map(str)."
        )
    if not frame.columns.is_unique:
        dupes = frame.columns[frame.columns.duplicated()].tolist()[:5]
        raise DataMismatchError(f"Tracked frames need unique column names; got {dupes} twice.")
    for name in frame.columns:
        _check_storable(frame[name], name)


def _check_storable(column: pd.Series, name: str) -> None:
    """Refuse, before anything is written, a column the store could not give back exactly."""
    if isinstance(column.dtype, pd.SparseDtype):
        raise DataMismatchError(
            f"Column {name!r} is sparse ({column.dtype}), which the store cannot keep as "
            f"it is. Make it dense first: df[{name!r}] = df[{name!r}].sparse.to_dense(). "
            "Nothing was written."
        )
    if column.dtype == object:
        huge = [v for v in column.dropna() if type(v) is int and not -(2**63) <= v < 2**63]
        if huge:
            raise DataMismatchError(
                f"Column {name!r} holds integers beyond 64 bits (e.g. {huge[0]}), which "
                f"Parquet cannot store. Keep them as text: df[{name!r}] = "
                f"df[{name!r}].astype(str). Nothing was written."
            )
    check_storable(column.dtype, name, "track")


def track(
    df: pd.DataFrame,
    name: str,
    *,
    label: str | None = None,
    key: str | list[str] | None = None,
    root: str | Path = ".dci",
    author: str | None = None,
) -> Dataset:
    """Start tracking a DataFrame (the same object) as a versioned dataset.

    The first call for a name snapshots the frame as version 1. Calling it again for
    an existing name reattaches the frame after checking that it equals the newest
    version (same rows, columns, dtypes and values); a frame that does not match is
    refused with what differs.

    Parameters
    ----------
    df : DataFrame, or data in an engine
        The frame. Edits made through the dataset land in this object at once. Or data
        that stays in its engine (a Polars DataFrame or LazyFrame, a PyArrow Table or
        Dataset, a DuckDB relation, or a path, folder or glob of Parquet or CSV files):
        then ``key`` is required and a :class:`LazyDataset` is returned (files are pinned
        in place, other data is copied to Parquet by its engine; see its docs).
    name : str
        The dataset's name: 1-100 letters, digits, ``_``, ``-`` or ``.``.
    label : str, optional
        The label column, the default column of :meth:`Dataset.relabel`.
    key : str or list of str, optional
        Key column(s) identifying rows; by default the index (required for data in an
        engine). Keys must be unique and never missing (checked in the engine).
    root : str or Path, default ".dci"
        The folder holding datasets.
    author : str, optional
        Who tracked it, recorded with version 1 (a reattach records nothing); by default
        as for edits (``JUPYTER_DCI_AUTHOR``, else git's ``user.name``, else the system
        user).

    Returns
    -------
    Dataset
        The tracked dataset.

    Raises
    ------
    DataMismatchError
        If keys are missing or duplicated, or the frame does not match the dataset.
    StoreError
        If the folder is not a jupyter_dci store.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> df = pd.DataFrame({"text": ["a", "b"], "label": ["cat", "dog"]})
    >>> ds = track(df, name="pets", label="label", root=tmp.name)
    >>> ds.head.id, ds.head.kind
    (1, 'track')
    >>> track(df, name="pets2", root=ds.path.parent, author="ana").head.author
    'ana'
    >>> import polars as pl
    >>> lazy = track(pl.from_pandas(df), name="pets3", key="text", root=tmp.name)
    >>> type(lazy).__name__, lazy.engine
    ('LazyDataset', 'polars')
    >>> tmp.cleanup()
    """
    if author is not None and (not isinstance(author, str) or not author.strip()):
        raise param_error("author", "track", "a non-empty str or None", author)
    if not is_pandas(df):
        from ._lazy_track import track_lazy

        # Data that stays in its engine: files in place, or a Parquet copy (see _lazy_track).
        return track_lazy(
            df, _folder(root, name, "track"), name, key=key, label=label, author=author
        )
    _check_columns(df, "track")
    folder = _folder(root, name, "track")
    spec = KeySpec.from_param(df, key, "track")
    if label is not None and label not in df.columns:
        raise param_error("label", "track", "None or a column of the frame", label)
    validate_keys(spec.values(df), spec)
    if folder.exists() and not (folder / DB_NAME).exists() and any(folder.iterdir()):
        raise StoreError(
            f"{folder} exists and is not a jupyter_dci dataset; nothing was written. Pick "
            "another name or root."
        )
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"name": name, "key": json.dumps(spec.to_dict()), "label": json.dumps(label)}
    log = EditLog.create(folder, meta)
    with log.write_lock():
        if log.head() == 0:
            remove_litter(folder, log.base_files())
            pause_point("track:snapshot")
            file = write_base(folder, 1, df)
            pause_point("track:written")
            log.add_base(1, file, len(df))
            log.add_version(
                version=1,
                message=f"track {name}",
                author=author or default_author(),
                time=utc_now(),
                kind="track",
                revert_of=None,
                n_edits=0,
                n_rows=0,
                last_edit=0,
                schema=frame_schema(df),
            )
            return Dataset(log, df, name=name, spec=spec, label=label, sync=1)
    return _attach(log, df, name=name, key=key, label=label, func="track")


def open_dataset(
    name: str,
    *,
    root: str | Path = ".dci",
    frame: pd.DataFrame | None = None,
    rebase: bool = False,
) -> Dataset:
    """Reopen a tracked dataset, from another process or notebook.

    Parameters
    ----------
    name : str
        The dataset's name.
    root : str or Path, default ".dci"
        The folder holding datasets.
    frame : DataFrame, optional
        A frame to attach, which must equal the newest version; by default the newest
        version is read into a new frame (``ds.frame``). Not for a dataset whose data
        stays in its engine.
    rebase : bool, default False
        For a dataset tracked from files in place: when its files changed, record their
        new content as a new base version (:meth:`LazyDataset.rebase`) instead of refusing.

    Returns
    -------
    Dataset
        The dataset, in sync with its newest version: a :class:`LazyDataset` (rows in
        their engine, files' pins checked) for data tracked beyond pandas.

    Raises
    ------
    StoreError
        If there is no such dataset, or its folder is damaged or foreign, or (without
        ``rebase``) a file of a lazy dataset's base changed or is missing.
    DataMismatchError
        If ``frame`` does not equal the newest version.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = tmp.name
    >>> _ = track(pd.DataFrame({"y": [1, 2]}), name="nums", root=root)
    >>> open_dataset("nums", root=root).frame.y.tolist()
    [1, 2]
    >>> tmp.cleanup()
    """
    folder = _folder(root, name, "open_dataset")
    log = EditLog.open(folder)
    if log.head() == 0:
        raise StoreError(
            f"Dataset {name!r} has no snapshot yet (its first track was interrupted). "
            "Track the frame again: dci.track(df, name=...)."
        )
    meta = log.meta()
    if not isinstance(rebase, bool):
        raise param_error("rebase", "open_dataset", "a bool", rebase)
    if "source" in meta:
        from ._lazy_track import open_lazy

        if frame is not None:
            raise param_error(
                "frame", "open_dataset", "None for a dataset whose data stays in its engine", frame
            )
        return open_lazy(log, name, rebase=rebase)
    if rebase:
        raise param_error(
            "rebase",
            "open_dataset",
            "False for a dataset tracked from pandas (ds.rebase())",
            rebase,
        )
    spec = KeySpec.from_dict(json.loads(meta["key"]))
    label = json.loads(meta.get("label", "null"))
    if frame is None:
        head = log.head()
        return Dataset(log, checkout_frame(log, head), name=name, spec=spec, label=label, sync=head)
    _check_columns(frame, "open_dataset")
    key = list(spec.columns) if spec.columns else None
    return _attach(log, frame, name=name, key=key, label=label, func="open_dataset")


def _attach(
    log: EditLog, df: pd.DataFrame, *, name: str, key: Any, label: str | None, func: str
) -> Dataset:
    meta = log.meta()
    if "source" in meta:
        raise DataMismatchError(
            f"Dataset {name!r} was tracked from data that stays in its engine; {func} got a "
            f"pandas frame. Open it with dci.open({name!r}), or track the frame under a new name."
        )
    stored = KeySpec.from_dict(json.loads(meta["key"]))
    wanted = KeySpec.from_param(df, key, func) if key is not None else KeySpec()
    if wanted != stored:
        raise DataMismatchError(
            f"Dataset {name!r} is keyed by {stored.describe()}; {func} got "
            f"{wanted.describe()}. Pass key={list(stored.columns) or None!r}."
        )
    if label is None:
        label = json.loads(meta.get("label", "null"))
    head = log.head()
    expected = checkout_frame(log, head)
    _check_matches(expected, df, stored, name=name, version=head)
    return Dataset(log, df, name=name, spec=stored, label=label, sync=head)


def _check_matches(
    expected: pd.DataFrame, df: pd.DataFrame, spec: KeySpec, *, name: str, version: int
) -> None:
    what = f"The frame given for dataset {name!r}"
    if list(df.columns) != list(expected.columns):
        raise DataMismatchError(
            f"{what} has columns {list(df.columns)[:10]}; version {version} has "
            f"{list(expected.columns)[:10]}. Add or drop columns with ds.reshape(df, "
            f"message), track the frame under a new name, or get version {version} with "
            f"dci.open({name!r})."
        )
    check_same_rows(df, spec.values(expected), spec, what=what)
    for column in expected.columns:
        got_dtype, want_dtype = df[column].dtype, expected[column].dtype
        if got_dtype != want_dtype or (
            # Here got_dtype == want_dtype, so it is categorical too; == ignores the order of
            # unordered categories.
            isinstance(want_dtype, pd.CategoricalDtype)
            and isinstance(got_dtype, pd.CategoricalDtype)
            and list(got_dtype.categories) != list(want_dtype.categories)
        ):
            raise DataMismatchError(
                f"{what} has dtype {_show_dtype(got_dtype)} in column {column!r}; version "
                f"{version} has {_show_dtype(want_dtype)}. Convert it back, or open the "
                f"dataset without a frame: dci.open({name!r})."
            )
        differ = differing_cells(expected[column], df[column])
        if differ.any():
            first = int(np.flatnonzero(differ)[0])
            raise DataMismatchError(
                f"{what} differs from version {version} in {int(differ.sum())} cell(s) of "
                f"column {column!r} (first at position {first}: "
                f"{_show(expected[column].iloc[first])} recorded, "
                f"{_show(df[column].iloc[first])} given). Edits made outside the dataset "
                f"are not recorded. Get version {version} with dci.open({name!r}), or "
                "track this frame under a new name."
            )


def _show(value: Any) -> str:
    # NumPy scalars print as np.int64(3) in NumPy 2: show the plain value.
    return repr(value.item() if isinstance(value, np.generic) else value)


def _show_dtype(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return f"category {list(dtype.categories)[:10]}"
    return str(dtype)
