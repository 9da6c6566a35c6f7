"""Named slices saved with a dataset: a definition (JSON text) and its rows per version.

Definitions are never evaluated here: an expression is handed to
``jupyter_dci.core.Slice`` when that module is available, otherwise the caller passes
the rows. The rows a slice held are stored per version as row ids, so "the hard
cases" can be followed across versions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import StoreError, param_error
from ._author import default_author
from ._keys import row_positions
from ._log import utc_now
from ._replay import checkout_frame

if TYPE_CHECKING:
    from ._dataset import Dataset

__all__ = ["list_slices", "save_slice", "slice_rows"]


def _definition_json(definition: Any) -> str:
    if hasattr(definition, "to_dict") and callable(definition.to_dict):
        definition = definition.to_dict()
    if isinstance(definition, str):
        definition = {"expression": definition}
    if not isinstance(definition, dict):
        raise param_error(
            "definition", "save_slice", "an expression str, a dict or a Slice", definition
        )
    try:
        return json.dumps(definition, allow_nan=False, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise param_error("definition", "save_slice", "JSON-ready data", definition) from exc


def _loads(text: str, what: str) -> Any:
    """Parse JSON the log holds, or say that this part of the log cannot be read."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise StoreError(
            f"The {what} cannot be read ({type(exc).__name__}). The log was edited or "
            "damaged: save the slice again, or restore the folder from a backup."
        ) from None


def _evaluate(definition_text: str, frame: pd.DataFrame) -> np.ndarray:
    data = _loads(definition_text, "slice's definition")
    if not isinstance(data, dict):
        raise StoreError("This slice's definition is not an object: save the slice again.")
    try:
        from ..core.predicate._slice import Slice
    except ImportError as exc:
        raise StoreError(
            "Evaluating a slice needs jupyter_dci.core's Slice, which is not available; "
            "pass the rows yourself: save_slice(name, definition, rows=mask)."
        ) from exc
    if set(data) == {"expression"}:
        return np.asarray(Slice(data["expression"]).mask(frame), dtype=bool)
    if data.get("format") == "jupyter_dci.slice":
        return np.asarray(Slice.from_dict(data).mask(frame), dtype=bool)
    raise StoreError(
        "This slice's definition is not an expression jupyter_dci can evaluate; its rows "
        "are known only at the versions they were saved for. Save it again with rows=..."
    )


def _store_rows(ds: Dataset, name: str, version: int, positions: np.ndarray) -> None:
    with ds._log.write_lock() as con:
        con.execute(
            "INSERT OR REPLACE INTO slice_rows VALUES (?, ?, ?)",
            (name, version, json.dumps(positions.tolist())),
        )


def save_slice(ds: Dataset, name: str, definition: Any, *, rows: Any) -> pd.Index:
    """Store a slice's definition and its rows at the dataset's current version."""
    if not isinstance(name, str) or not name:
        raise param_error("name", "save_slice", "a non-empty str", name)
    if len(ds._pending):
        raise StoreError(
            "Slices are saved against a committed version; this dataset has pending "
            "edits. Commit or discard them first."
        )
    ds.pull()
    text = _definition_json(definition)
    if rows is None:
        positions = np.flatnonzero(_evaluate(text, ds.frame))
    else:
        positions = np.sort(row_positions(ds._keys, rows, func="save_slice"))
    with ds._log.write_lock() as con:
        con.execute(
            "INSERT OR REPLACE INTO slices VALUES (?, ?, ?, ?)",
            (name, text, default_author(), utc_now()),
        )
        con.execute("DELETE FROM slice_rows WHERE name = ?", (name,))
        con.execute(
            "INSERT INTO slice_rows VALUES (?, ?, ?)",
            (name, ds._sync, json.dumps(positions.tolist())),
        )
    return ds._keys.take(positions)


def list_slices(ds: Dataset) -> dict[str, Any]:
    """Every saved slice: name -> definition (as saved).

    A definition that cannot be read (an edited log) is listed as ``{"unreadable": why}``:
    one bad slice never hides the others.
    """
    rows = ds._log.con.execute("SELECT name, definition FROM slices ORDER BY name")
    out: dict[str, Any] = {}
    for name, text in rows:
        try:
            out[name] = _loads(text, f"definition of slice {name!r}")
        except StoreError as exc:
            out[name] = {"unreadable": str(exc)}
    return out


def slice_rows(ds: Dataset, name: str, version: Any) -> pd.Index:
    """Return the keys of a slice's rows at a version (evaluated once, then stored)."""
    log = ds._log
    target = log.resolve(version, func="slice_rows")
    found = log.con.execute("SELECT definition FROM slices WHERE name = ?", (name,)).fetchone()
    if found is None:
        raise StoreError(f"No slice named {name!r}; saved slices: {sorted(list_slices(ds))}.")
    stored = log.con.execute(
        "SELECT row_ids FROM slice_rows WHERE name = ? AND version = ?", (name, target)
    ).fetchone()
    if stored is not None:
        positions = np.asarray(_loads(stored[0], f"rows of slice {name!r}"), dtype=np.int64)
        if positions.ndim != 1 or ((positions < 0) | (positions >= len(ds._keys))).any():
            raise StoreError(
                f"The stored rows of slice {name!r} are not positions of this dataset's rows. "
                "The log was edited or damaged: save the slice again."
            )
        return ds._keys.take(positions)
    positions = np.flatnonzero(_evaluate(found[0], checkout_frame(log, target)))
    _store_rows(ds, name, target, positions)
    return ds._keys.take(positions)
