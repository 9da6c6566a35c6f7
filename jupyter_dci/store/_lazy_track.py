"""Tracking data that stays in its engine: ``track`` and ``open_dataset`` for a lazy base.

Parquet or CSV files are tracked in place: the store records their paths, their schema and a
content pin (size, time, SHA-256 of each file), never a copy. A Polars frame, Arrow data or
a DuckDB relation lives only as long as the kernel, so the engine writes it, streaming, as
a Parquet copy in the dataset's folder (``base-000001.parquet``), pinned the same way. The
key is required and checked in the engine (unique, never missing) before anything is
written.

Examples
--------
>>> import tempfile
>>> import polars as pl
>>> tmp = tempfile.TemporaryDirectory()
>>> ds = track_lazy(pl.DataFrame({"id": [1, 2], "y": ["a", "b"]}), Path(tmp.name) / "d",
...                 "d", key="id", label="y", author=None)
>>> ds.base.kind, ds.engine, ds.head.id
('copy', 'polars', 1)
>>> tmp.cleanup()
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from ..core.engine import as_source, input_kind, unsupported
from ..core.engine._inputs import file_paths
from ..errors import DataMismatchError, StoreError, param_error
from ._author import default_author
from ._keys import KeySpec
from ._lazy_base import (
    LazyBase,
    arrow_schema,
    check_keys,
    connection_for,
    engine_of,
    scan_files,
    schema_record,
    write_copy,
)
from ._lazy_dataset import LazyDataset, describe_meta
from ._lazy_log import LazyLog
from ._log import EditLog, utc_now
from ._pin import FilePin, check_pins, pin_file
from ._schema import DB_NAME
from ._snapshot import base_file_name

__all__ = ["open_lazy", "track_lazy"]

_LITTER = re.compile(r"^base-\d{6}\.parquet(\.tmp)?$")


def _key_param(key: Any, func: str) -> tuple[str, ...]:
    names = [key] if isinstance(key, str) else key
    if (
        not isinstance(names, list | tuple)
        or not names
        or not all(isinstance(k, str) for k in names)
    ):
        raise param_error(
            "key",
            func,
            "a column name or a list of them, for data that stays in its engine (its rows "
            "have no index: edits name them by key)",
            key,
        )
    return tuple(dict.fromkeys(names))


def _check_columns(columns: list[str], key: tuple[str, ...], label: Any, what: str) -> None:
    missing = [k for k in key if k not in columns]
    if missing:
        raise param_error("key", "track", f"columns of {what} ({columns[:10]})", list(key))
    if label is not None and (label not in columns or label in key):
        raise param_error(
            "label", "track", f"None or a column of {what} that is not the key", label
        )


def _prepare_folder(folder: Path) -> bool:
    """Make the dataset's folder; remove litter a killed track left. Return whether new."""
    if folder.exists():
        entries = list(folder.iterdir())
        if any(not _LITTER.match(e.name) for e in entries):
            raise StoreError(
                f"{folder} exists and is not a jupyter_dci dataset; nothing was written. Pick "
                "another name or root."
            )
        for entry in entries:
            entry.unlink()
        return False
    folder.mkdir(parents=True)
    return True


def _copy(base: LazyBase, source: Any, folder: Path, key: tuple[str, ...]) -> tuple[FilePin, int]:
    """Write the copy as ``base-000001.parquet``; check its keys before it is renamed."""
    name = base_file_name(1)
    tmp = folder / (name + ".tmp")
    try:
        write_copy(source, tmp)
        # Checked on the copy: a Polars plan or a DuckDB query then runs once, not twice.
        frame = scan_files(base, [tmp], connection_for(base.engine))
        n_rows = check_keys(frame, key, what="the data tracked")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, folder / name)
    return pin_file(folder / name, name=name), n_rows


def track_lazy(
    x: Any,
    folder: Path,
    name: str,
    *,
    key: Any,
    label: str | None,
    author: str | None,
) -> LazyDataset:
    """Track data beyond pandas as dataset ``name`` in ``folder`` (see :func:`track`)."""
    func = "track"
    kind = input_kind(x)
    if kind is None or kind == "pandas":
        raise unsupported(x, func)
    keys = _key_param(key, func)
    if (folder / DB_NAME).exists():
        return _reattach(x, folder, name, keys, label)
    what = "the data tracked"
    if kind == "files":
        paths, fmt = file_paths(x, func)
        location = os.path.abspath(os.path.expanduser(os.fspath(x)))
        base = LazyBase("files", fmt, engine_of(kind), kind, location)
        resolved = [Path(p).resolve() for p in paths]
        frame = scan_files(base, resolved, connection_for(base.engine))
        _check_columns(list(frame.collect_schema().names()), keys, label, what)
        check_keys(frame, keys, what=what)
        _prepare_folder(folder)
        pins, copy = [pin_file(p) for p in resolved], None
    else:
        source = as_source(x, func)
        _check_columns(source.columns, keys, label, what)
        base = LazyBase("copy", "parquet", engine_of(kind), kind)
        created = _prepare_folder(folder)
        try:
            pin, n_rows = _copy(base, source, folder, keys)
        except BaseException:
            if created:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        pins, copy = [pin], n_rows
    meta = {
        "name": name,
        "key": json.dumps(KeySpec(keys).to_dict()),
        "label": json.dumps(label),
        "source": base.to_json(),
    }
    log = LazyLog.of(EditLog.create(folder, meta))
    schema = arrow_schema(
        scan_files(base, [p.resolve(folder) for p in pins], connection_for(base.engine))
    )
    with log.write_lock():
        if log.head() == 0:
            log.create_lazy_tables()
            log.add_pins(1, pins)
            if copy is not None:
                log.add_base(1, pins[0].path, copy)
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
                schema=schema_record(schema),
            )
    return LazyDataset(log, name=name, key=keys, label=label, base=base, sync=log.head())


def _reattach(x: Any, folder: Path, name: str, keys: tuple[str, ...], label: Any) -> LazyDataset:
    """Track again under an existing name: the same files, or data equal to the copy."""
    ds = open_lazy(EditLog.open(folder), name, rebase=False)
    if ds.key != keys:
        raise DataMismatchError(
            f"Dataset {name!r} is keyed by {list(ds.key)}; track got key={list(keys)}. "
            f"Pass key={list(ds.key)!r}, or track under a new name."
        )
    if label is not None and label != ds.label:
        raise DataMismatchError(
            f"Dataset {name!r} has label column {ds.label!r}; track got {label!r}. Pass "
            f"label={ds.label!r}, or track under a new name."
        )
    kind = input_kind(x)
    if ds.base.kind == "files" and kind == "files":
        paths, _ = file_paths(x, "track")
        if [Path(p).resolve() for p in paths] == ds.files():
            return ds
    elif ds.base.kind == "copy" and kind != "files" and _same_as_copy(x, ds):
        return ds
    raise DataMismatchError(
        f"Dataset {name!r} exists and was tracked from other data ({ds.base.kind} of "
        f"{ds.base.input}). Open it with dci.open({name!r}), or track this data under a new "
        "name."
    )


def _same_as_copy(x: Any, ds: LazyDataset) -> bool:
    """Whether ``x`` holds the rows of the dataset's copy (same columns, rows and content)."""
    source = as_source(x, "track", ordered=False)
    copy = ds._base_frame(1)
    if source.columns != list(copy.collect_schema().names()):
        return False
    fingerprint = [_fingerprint(f) for f in (source.frame, copy)]
    return fingerprint[0] == fingerprint[1]


def _fingerprint(frame: Any) -> tuple[int, Any]:
    """Rows and an order-free sum of row hashes, in the frame's engine."""
    native = frame.to_native()
    if frame.implementation.is_polars():
        import polars as pl

        out = native.select(
            pl.len(), pl.struct(pl.all()).hash(seed=0).cast(pl.Float64).sum()
        ).collect()
        return int(out[0, 0]), out[0, 1]
    columns = ", ".join('"' + c.replace('"', '""') + '"' for c in native.columns)
    row = native.aggregate(f"count(*), sum(hash({columns})::HUGEINT)").fetchall()[0]
    return int(row[0]), row[1]


def open_lazy(log: EditLog, name: str, *, rebase: bool) -> LazyDataset:
    """Open a lazy dataset: check its pins (or re-pin changed files with ``rebase``)."""
    key, label, base = describe_meta(log.meta())
    ds = LazyDataset(LazyLog.of(log), name=name, key=key, label=label, base=base, sync=log.head())
    lazy = ds._lazy_log
    try:
        pins = lazy.pins(lazy.pin_version(log.head()))
        touched = check_pins(pins, ds.path, dataset=name)
    except StoreError:
        if not rebase:
            raise
        ds.rebase()
        return ds
    if touched:
        lazy.touch_pins(lazy.pin_version(log.head()), touched)
    if rebase and base.kind == "files":
        ds.rebase()
    return ds
