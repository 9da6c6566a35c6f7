"""The SQLite schema of a dataset's edit log, its format version and the connection.

One dataset is one folder: ``log.sqlite`` (versions, edits, bases, tags, slices) and
``base-<n>.parquet`` snapshots. The flat edit-log shape of DESIGN.md (version, row key,
column, old, new, author, reason, source, time) is the ``edit_log`` view; the table
underneath keeps author, reason, source and time once per relabel call (``batches``),
which keeps a 100,000-cell commit small on disk. The same shape moves to Delta tables
unchanged if the engine ever changes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import StoreError

__all__ = ["DB_NAME", "FORMAT", "FORMAT_VERSION", "connect", "create_schema", "pause_point"]

FORMAT = "jupyter_dci.store"
FORMAT_VERSION = 1
DB_NAME = "log.sqlite"

_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE versions (
    version INTEGER PRIMARY KEY,
    parent INTEGER,
    message TEXT NOT NULL,
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,            -- 'track', 'commit', 'revert'
    revert_of INTEGER,
    n_edits INTEGER NOT NULL,
    n_rows INTEGER NOT NULL,       -- rows touched by this version's edits
    last_edit INTEGER NOT NULL,    -- edits (parent.last_edit, last_edit] belong here
    schema TEXT                    -- column dtypes (JSON) when they changed, else NULL
);
CREATE TABLE bases (
    base_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    file TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    sha256 TEXT
);
CREATE TABLE batches (
    batch_id INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    time TEXT NOT NULL
);
CREATE TABLE edits (
    edit_id INTEGER PRIMARY KEY,   -- grows with every edit: its order is the log's order
    version INTEGER NOT NULL,
    row_id INTEGER NOT NULL,       -- position of the row in every base snapshot
    row_key TEXT NOT NULL,         -- the row's key as typed JSON, for people and exports
    column_name TEXT NOT NULL,
    old_value TEXT NOT NULL,       -- typed JSON (see _codec.py)
    new_value TEXT NOT NULL,
    batch_id INTEGER NOT NULL
);
CREATE INDEX edits_cell ON edits (row_id, column_name);
CREATE TABLE tags (tag TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE slices (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,      -- JSON text, never evaluated here
    author TEXT NOT NULL,
    time TEXT NOT NULL
);
CREATE TABLE slice_rows (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    row_ids TEXT NOT NULL,         -- JSON list of row ids
    PRIMARY KEY (name, version)
);
CREATE VIEW edit_log AS
    SELECT e.version, e.row_key, e.column_name, e.old_value, e.new_value,
           b.author, b.reason, b.source, b.time, e.edit_id, e.row_id
    FROM edits e JOIN batches b USING (batch_id);
"""


def pause_point(name: str) -> None:
    """Stop here forever when a reliability test asks to (kill -9 tests only).

    The test sets ``JUPYTER_DCI_STORE_PAUSE_AT`` to a point name and
    ``JUPYTER_DCI_STORE_PAUSE_FILE`` to a path; on reaching that point the process
    creates the file and sleeps, so the test can SIGKILL it exactly there (or, with
    ``JUPYTER_DCI_STORE_PAUSE_SECONDS``, sleeps that long and goes on).

    Examples
    --------
    >>> pause_point("commit:edits")  # does nothing unless a test asked for it
    """
    if os.environ.get("JUPYTER_DCI_STORE_PAUSE_AT") != name:
        return
    import time

    Path(os.environ["JUPYTER_DCI_STORE_PAUSE_FILE"]).write_text(name)
    # With a delay the process only lingers there (to overlap two writers).
    delay = os.environ.get("JUPYTER_DCI_STORE_PAUSE_SECONDS")
    if delay is not None:
        time.sleep(float(delay))
        return
    while True:
        time.sleep(60)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open the log of a store on a read-only folder or file system, to read it.

    SQLite reads a WAL database through a shared-memory file it creates beside it; where
    nothing can be created, a log whose last writer checkpointed it (no ``-wal`` data left)
    is opened as immutable, which needs no such file. Writes then fail, and the store says
    the folder is read-only.

    Raises
    ------
    StoreError
        A log that holds uncheckpointed changes in a ``-wal`` file it cannot open.
    """
    uri = path.resolve().as_uri()
    con = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=60.0,
                          check_same_thread=False)  # fmt: skip
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.OperationalError:
        con.close()
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"{path} is on a read-only folder and its last changes are still in {wal.name}, "
            "which SQLite cannot read without writing beside it. Open it once where it can "
            "be written (or copy the folder somewhere writable) to fold them in."
        )
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None,
                           check_same_thread=False)  # fmt: skip


def connect(path: Path) -> sqlite3.Connection:
    """Open the log database in WAL mode, with commits as explicit transactions.

    Parameters
    ----------
    path : Path
        The ``log.sqlite`` file.

    Returns
    -------
    sqlite3.Connection
        In autocommit mode; writers use ``BEGIN IMMEDIATE`` (the concurrency guard).

    Raises
    ------
    StoreError
        If the file is not an SQLite database.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> con = connect(Path(tmp.name) / "log.sqlite")
    >>> con.execute("PRAGMA journal_mode").fetchone()[0]
    'wal'
    >>> tmp.cleanup()
    """
    try:
        con = sqlite3.connect(path, isolation_level=None, timeout=60.0, check_same_thread=False)
        # A second writer waits for the first (BEGIN IMMEDIATE) instead of failing.
        con.execute("PRAGMA busy_timeout = 60000")
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        # NORMAL is durable across process crashes in WAL mode; FULL also survives
        # power loss, at an fsync per commit. Correctness first: FULL.
        con.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is not a jupyter_dci edit log (SQLite said: {exc}). The folder is "
            "corrupt or belongs to something else: open another root or name, or move "
            "the folder away."
        ) from exc
    if mode.lower() != "wal":
        raise StoreError(
            f"{path} could not switch to WAL journaling (got {mode!r}); its file system "
            "may not support it. Put the store root on a local disk."
        )
    return con


def create_schema(con: sqlite3.Connection) -> None:
    """Create the tables of an empty log, inside the caller's transaction.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> create_schema(con)
    >>> con.execute("SELECT count(*) FROM versions").fetchone()[0]
    0
    """
    for statement in _DDL.split(";\n"):
        # executescript would COMMIT the caller's open transaction: run one by one.
        if statement.strip():
            con.execute(statement)
