"""Metrics per version: ``Dataset.evaluate`` records them, ``Dataset.metrics`` reads them.

They live in a ``metrics`` table of the dataset's ``log.sqlite``, created the first
time a metric is recorded (``CREATE TABLE IF NOT EXISTS``, under the write lock). A
store written before this table existed opens unchanged and simply has no metrics
yet, and an older jupyter_dci opening a newer store ignores a table it does not know,
so the store's format version stays 1. Rows are keyed by (evaluation name, version,
slice, metric): evaluating again under the same name at the same version replaces
them.
"""

from __future__ import annotations

import math
import sqlite3
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DCIWarning, StoreError, param_error
from ._author import default_author
from ._keys import row_positions
from ._log import utc_now

if TYPE_CHECKING:
    from ..core.slices._metrics_table import Group
    from ._dataset import Dataset

__all__ = ["ALL_ROWS", "evaluate", "read_metrics"]

#: The ``slice`` value of the row that measures every row.
ALL_ROWS = ""

_DDL = """
CREATE TABLE IF NOT EXISTS metrics (
    name TEXT NOT NULL,            -- the evaluation's name, e.g. 'baseline model'
    version INTEGER NOT NULL,
    slice TEXT NOT NULL,           -- a saved slice's name; '' for all rows
    metric TEXT NOT NULL,
    value REAL,                    -- NULL when the slice holds no rows
    support INTEGER NOT NULL,
    ci_low REAL,
    ci_high REAL,
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    PRIMARY KEY (name, version, slice, metric)
)
"""
_COLUMNS = ["name", "version", "slice", "metric", "value", "support", "ci_low", "ci_high"]
_COLUMNS += ["author", "time"]


def _real(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _predictions(ds: Dataset, y_pred: Any) -> Any:
    if callable(y_pred) and not isinstance(y_pred, str):
        try:
            return y_pred(ds.frame)
        except Exception as exc:
            raise param_error(
                "y_pred",
                "evaluate",
                "predictions, a column name, or a function of the DataFrame that returns "
                "one prediction per row",
                f"a function that raised {exc!r}",
            ) from exc
    return y_pred


def evaluate(
    ds: Dataset,
    y_pred: Any,
    *,
    y_true: Any,
    name: str,
    metric: str | Callable[..., Any] | None,
) -> pd.DataFrame:
    """Measure HEAD overall and on each saved slice, store it, and return the rows.

    The work behind :meth:`Dataset.evaluate` (see its docstring for the parameters).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": [1, 0]}), name="d", label="y", root=tmp.name)
    >>> evaluate(ds, [1, 1], y_true=None, name="m", metric=None)["value"].tolist()
    [0.5]
    >>> tmp.cleanup()
    """
    # Imported here: the store works without the core (as _slices.py does).
    from ..core.slices._metrics import group_metrics

    if not isinstance(name, str) or not name.strip():
        raise param_error("name", "evaluate", "a non-empty str, e.g. 'baseline'", name)
    if len(ds._pending):
        raise StoreError(
            "Metrics are recorded against a committed version; this dataset has pending "
            "edits. Commit or discard them first, then evaluate."
        )
    ds.pull()
    if y_true is None:
        if ds.label is None:
            raise param_error(
                "y_true", "evaluate", "given when the dataset has no label column", None
            )
        y_true = ds.label
    version = ds._sync
    frame = ds.frame
    predictions = _predictions(ds, y_pred)
    groups: list[Group] = []
    skipped: list[str] = []
    for slice_name in sorted(ds.slices()):
        mask = np.zeros(len(frame), dtype=bool)
        try:
            keys = ds.slice_rows(slice_name, version)
        except StoreError:
            # Rows picked by hand are known only at the versions they were saved for.
            skipped.append(slice_name)
            continue
        mask[row_positions(ds._keys, keys, func="evaluate")] = True
        groups.append((slice_name, None, None, mask))
    if skipped:
        warnings.warn(
            f"Slices {skipped} were saved as rows, not as an expression, and have no rows "
            f"at version {version}; they were not measured. Save their rows again at this "
            "version (ds.save_slice(name, definition, rows=...)) to measure them.",
            DCIWarning,
            stacklevel=3,
        )
    result = group_metrics(frame, groups, y_true=y_true, y_pred=predictions, metric=metric)
    keyed = zip([ALL_ROWS] + [g[0] for g in groups], result.groups, strict=True)
    author, now = default_author(), utc_now()
    rows = [
        (
            name,
            version,
            key,
            result.metric,
            _real(g.value),
            g.support,
            _real(g.ci_low),
            _real(g.ci_high),
            author,
            now,
        )
        for key, g in keyed
    ]
    with ds._log.write_lock() as con:
        con.execute(_DDL)
        con.execute(
            "DELETE FROM metrics WHERE name = ? AND version = ? AND metric = ?",
            (name, version, result.metric),
        )
        con.executemany(f"INSERT INTO metrics VALUES ({', '.join('?' * 10)})", rows)
    return pd.DataFrame(rows, columns=_COLUMNS)


def read_metrics(ds: Dataset) -> pd.DataFrame:
    """Return every recorded metric, oldest version first (an empty frame when none).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": [1]}), name="d", label="y", root=tmp.name)
    >>> read_metrics(ds).empty
    True
    >>> tmp.cleanup()
    """
    try:
        rows = ds._log.con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM metrics ORDER BY version, name, slice, metric"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        rows = []
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame["version"] = frame["version"].astype("int64")
    frame["support"] = frame["support"].astype("int64")
    return frame.astype({"value": float, "ci_low": float, "ci_high": float})
