"""Content pins: the files a lazy dataset's base is read from, and proof they did not change.

A dataset whose data stays in its engine does not copy Parquet or CSV files: it records each
file's path, size, modification time and SHA-256 (computed streaming, 1 MiB at a time), and
checks them before the base is read. A file whose size or modification time changed is hashed
again; a different hash, or a missing file, is refused with the file named, never read
silently. The hash costs about 0.7 s per GiB from the page cache (1.2 s with BLAKE2b, so
SHA-256, which CPUs accelerate); the size and time check costs microseconds, so it runs on
every open, edit and checkout, and :func:`check_pins` with ``full=True`` hashes on demand
(``ds.verify()``).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> tmp = tempfile.TemporaryDirectory()
>>> path = Path(tmp.name) / "a.csv"
>>> _ = path.write_bytes(b"x,y")
>>> pin = pin_file(path)
>>> pin.size, pin.sha256[:12]
(3, '968e772cf168')
>>> check_pins([pin], Path(tmp.name), dataset="demo")
[]
>>> tmp.cleanup()
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import StoreError

__all__ = ["FilePin", "check_pins", "hash_file", "pin_file"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FilePin:
    """One file of a base: where it is, and what it held when pinned.

    Attributes
    ----------
    path : str
        An absolute path, or a file name inside the dataset's folder (a copy the store wrote).
    size : int
        Bytes.
    mtime_ns : int
        Last modification, ns since the epoch.
    sha256 : str
        The hex digest of its bytes.
    """

    path: str
    size: int
    mtime_ns: int
    sha256: str

    def resolve(self, folder: Path) -> Path:
        """Return where the file is (a relative path is inside the dataset's folder)."""
        path = Path(self.path)
        return path if path.is_absolute() else folder / path


def hash_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read 1 MiB at a time (bounded memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pin_file(path: Path, *, name: str | None = None) -> FilePin:
    """Pin one file: its size, time and hash, recorded under ``name`` (default: its path).

    Raises
    ------
    StoreError
        If the file cannot be read.
    """
    try:
        before = os.stat(path)
        digest = hash_file(path)
        after = os.stat(path)
    except OSError as exc:
        raise StoreError(f"Cannot read {path} to pin its content: {exc}.") from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise StoreError(
            f"{path} changed while it was being hashed. Track it when no process is writing it."
        )
    return FilePin(name or str(path), after.st_size, after.st_mtime_ns, digest)


def _refuse(pin: FilePin, path: Path, dataset: str, what: str) -> StoreError:
    return StoreError(
        f"The base of dataset {dataset!r} changed: {path} {what} (pinned at {pin.size:,} "
        f"bytes, SHA-256 {pin.sha256[:16]}...). The dataset's edits were made on the pinned "
        "content, so it is not read. Put the file back; or record its new content as a new "
        f"base with dci.open({dataset!r}, rebase=True) (ds.rebase() on an open dataset), "
        "after which the edits apply by key to the new content; or track the files under "
        "a new name."
    )


def check_pins(
    pins: Sequence[FilePin], folder: Path, *, dataset: str, full: bool = False
) -> list[FilePin]:
    """Refuse a base whose files changed; return the pins whose time moved, content equal.

    Parameters
    ----------
    pins : sequence of FilePin
        The base's pins.
    folder : Path
        The dataset's folder (for copies it wrote).
    dataset : str
        The dataset's name, for messages.
    full : bool, default False
        Hash every file, not only those whose size or modification time changed.

    Returns
    -------
    list of FilePin
        New pins of files touched but unchanged (same bytes): record them, so the next
        check is cheap again.

    Raises
    ------
    StoreError
        A file is missing or holds other bytes; the message names it and says how to re-pin.
    """
    touched = []
    for pin in pins:
        path = pin.resolve(folder)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            raise _refuse(pin, path, dataset, "is missing") from None
        except OSError as exc:
            raise _refuse(pin, path, dataset, f"cannot be read ({exc})") from exc
        if stat.st_size != pin.size:
            raise _refuse(pin, path, dataset, f"now has {stat.st_size:,} bytes")
        if stat.st_mtime_ns == pin.mtime_ns and not full:
            continue
        if hash_file(path) != pin.sha256:
            raise _refuse(pin, path, dataset, "now holds other bytes")
        if stat.st_mtime_ns != pin.mtime_ns:
            touched.append(replace(pin, mtime_ns=stat.st_mtime_ns))
    return touched
