"""The edit log of a lazy dataset: the shared :class:`EditLog` plus its pins and row keys.

A dataset whose data stays in its engine has no row positions the store could trust (files
are read in the engine's order and may be re-pinned), so a row's ``row_id`` is the id its key
got in ``row_keys`` when it was first edited; everything else (versions, batches, edits,
tags, diffs) is the same tables and code as for a pandas dataset. ``pins`` records which
files each base version was read from.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> tmp = tempfile.TemporaryDirectory()
>>> log = LazyLog.create(Path(tmp.name), {"name": "demo"})
>>> with log.write_lock():
...     log.create_lazy_tables()
>>> log.key_ids(['["i",7]', '["i",3]', '["i",7]']).tolist()
[1, 2, 1]
>>> tmp.cleanup()
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._log import EditLog
from ._pin import FilePin

__all__ = ["LAZY_DDL", "LazyLog"]

#: Tables only a lazy dataset has (created by its ``track``).
LAZY_DDL = (
    """CREATE TABLE IF NOT EXISTS pins (
    version INTEGER NOT NULL,      -- the base version these files hold (1, or a rebase)
    position INTEGER NOT NULL,     -- the file's place in the read order
    path TEXT NOT NULL,            -- absolute, or a file name in the dataset's folder
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (version, position)
)""",
    """CREATE TABLE IF NOT EXISTS row_keys (
    row_id INTEGER PRIMARY KEY,    -- the row_id of edits: an id per key, not a position
    row_key TEXT NOT NULL UNIQUE   -- the key as typed JSON, as in edits.row_key
)""",
)

#: Keys looked up per statement (SQLite takes up to 32,766 parameters).
_CHUNK = 10_000


class LazyLog(EditLog):
    """The :class:`EditLog` of a lazy dataset, with its pins and row keys."""

    @classmethod
    def of(cls, log: EditLog) -> LazyLog:
        """Wrap an opened log (same folder and connection)."""
        return cls(log.folder, log.con)

    def create_lazy_tables(self) -> None:
        """Create the pins and row keys tables (inside a write transaction)."""
        for statement in LAZY_DDL:
            self.con.execute(statement)

    # -- pins ----------------------------------------------------------------------------
    def add_pins(self, version: int, pins: Sequence[FilePin]) -> None:
        """Record the files of the base of ``version`` (inside a write transaction)."""
        self.con.executemany(
            "INSERT INTO pins VALUES (?, ?, ?, ?, ?, ?)",
            [(version, i, p.path, p.size, p.mtime_ns, p.sha256) for i, p in enumerate(pins)],
        )

    def pin_version(self, version: int) -> int:
        """Return the base version in force at ``version`` (the newest pinned at or before)."""
        row = self.con.execute(
            "SELECT max(version) FROM pins WHERE version <= ?", (version,)
        ).fetchone()
        return int(row[0] or 0)

    def pins(self, base_version: int) -> list[FilePin]:
        """Return the files of one base version, in read order."""
        rows = self.con.execute(
            "SELECT path, size, mtime_ns, sha256 FROM pins WHERE version = ? ORDER BY position",
            (base_version,),
        ).fetchall()
        return [FilePin(*row) for row in rows]

    def touch_pins(self, base_version: int, pins: Sequence[FilePin]) -> None:
        """Record new modification times of files whose bytes did not change."""
        with self.write_lock() as con:
            con.executemany(
                "UPDATE pins SET mtime_ns = ? WHERE version = ? AND path = ?",
                [(p.mtime_ns, base_version, p.path) for p in pins],
            )

    # -- row keys --------------------------------------------------------------------------
    def key_ids(self, texts: Sequence[str]) -> np.ndarray:
        """Return the row id of each key text, giving new keys the next ids."""
        unique = list(dict.fromkeys(texts))
        with self.write_lock() as con:
            con.executemany(
                "INSERT OR IGNORE INTO row_keys (row_key) VALUES (?)", [(t,) for t in unique]
            )
            ids = self._lookup(unique)
        return np.fromiter((ids[t] for t in texts), dtype=np.int64, count=len(texts))

    def known_key_ids(self, texts: Sequence[str]) -> dict[str, int]:
        """Return the row id of each key text that has one (keys ever edited)."""
        return self._lookup(list(dict.fromkeys(texts)))

    def _lookup(self, texts: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(texts), _CHUNK):
            chunk = texts[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.con.execute(
                f"SELECT row_key, row_id FROM row_keys WHERE row_key IN ({marks})", chunk
            )
            found.update(rows.fetchall())
        return found

    def keys_of(self, row_ids: Sequence[int]) -> dict[int, str]:
        """Return the key text of each row id."""
        ids = list(dict.fromkeys(int(r) for r in row_ids))
        found: dict[int, str] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.con.execute(
                f"SELECT row_id, row_key FROM row_keys WHERE row_id IN ({marks})", chunk
            )
            found.update(rows.fetchall())
        return found

    def latest_cells(self, lo_edit: int, hi_edit: int) -> list[tuple[str, str, str]]:
        """Return (row_key, column, new value) of the last edit of each cell in the span."""
        return self.con.execute(
            "SELECT e.row_key, e.column_name, e.new_value FROM edits AS e JOIN ("
            "SELECT max(edit_id) AS edit_id FROM edits WHERE edit_id > ? AND edit_id <= ? "
            "GROUP BY row_id, column_name) AS last USING (edit_id) ORDER BY e.edit_id",
            (lo_edit, hi_edit),
        ).fetchall()
