"""Row keys: which rows an edit means, and whether a frame still matches its dataset.

A row is identified by a stable key, the index or declared key column(s). Inside
the store a row is its position in the base snapshot (``row_id``), which is fast to
replay; the key is checked every time a frame is (re)attached, so a position never
points at another row: a frame with dropped, added, reordered or re-keyed rows is
refused, never silently misapplied.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataMismatchError, InvalidParameterError, param_error
from ._codec import encode_array, encode_value

__all__ = ["KeySpec", "check_same_rows", "differing_cells", "encode_keys", "row_positions"]


@dataclass(frozen=True)
class KeySpec:
    """How rows are keyed: by the index (``columns == ()``) or by named columns."""

    columns: tuple[str, ...] = ()

    @property
    def is_index(self) -> bool:
        """Whether the index is the key."""
        return not self.columns

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored in the log's meta table."""
        return {"columns": list(self.columns)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeySpec:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(data["columns"]))

    def describe(self) -> str:
        """Human words for messages."""
        return "the index" if self.is_index else f"key column(s) {list(self.columns)}"

    @classmethod
    def from_param(cls, frame: pd.DataFrame, key: Any, func: str) -> KeySpec:
        """Validate the ``key`` parameter against a frame."""
        if key is None:
            return cls()
        names = [key] if isinstance(key, str) else key
        if not isinstance(names, list | tuple) or not names:
            raise param_error("key", func, "None (the index), a column name or a list", key)
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise param_error(
                "key", func, f"None or columns of the frame ({list(frame.columns)[:10]})", key
            )
        return cls(tuple(names))

    def values(self, frame: pd.DataFrame) -> pd.Index:
        """Return the key of every row, as an Index (a MultiIndex for several columns)."""
        if self.is_index:
            return frame.index
        if len(self.columns) == 1:
            return pd.Index(frame[self.columns[0]])
        return pd.MultiIndex.from_frame(frame[list(self.columns)])


def validate_keys(keys: pd.Index, spec: KeySpec) -> None:
    """Refuse missing or duplicate keys, naming a few and saying how to fix it.

    Examples
    --------
    >>> validate_keys(pd.Index([1, 2, 2]), KeySpec())
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.DataMismatchError: The rows of the frame must have unique keys ...
    """
    if isinstance(keys, pd.MultiIndex):
        # MultiIndex has no hasnans: a missing level value has code -1.
        n_missing = int(np.any(np.stack([c == -1 for c in keys.codes]), axis=0).sum())
    else:
        n_missing = int(np.count_nonzero(keys.isna())) if keys.hasnans else 0
    if n_missing:
        raise DataMismatchError(
            f"The rows of the frame must have a key in {spec.describe()}; {n_missing} "
            "row(s) have a missing key. Fill them, or track with another key (key=...)."
        )
    if keys.is_unique:
        return
    dupes = keys[keys.duplicated()].unique()[:5].tolist()
    raise DataMismatchError(
        f"The rows of the frame must have unique keys in {spec.describe()}; got duplicates "
        f"such as {dupes}. Deduplicate the frame, reset the index (df.reset_index()), or "
        "track with a unique key column (key=...)."
    )


def encode_keys(keys: pd.Index, positions: np.ndarray) -> list[str]:
    """Typed JSON text of the keys at ``positions`` (a list of texts for multi-keys).

    Examples
    --------
    >>> encode_keys(pd.Index(["a", "b"]), np.array([1]))
    ['["s","b"]']
    """
    picked = keys.take(positions)
    if isinstance(picked, pd.MultiIndex):
        levels = [encode_array(picked.get_level_values(i).array) for i in range(picked.nlevels)]
        return ["[" + ",".join(parts) + "]" for parts in zip(*levels, strict=True)]
    return encode_array(picked.array)


def row_positions(keys: pd.Index, rows: Any, *, func: str) -> np.ndarray:
    """Positions of the requested rows, or a clear error naming unknown keys.

    Parameters
    ----------
    keys : Index
        The key of every row of the tracked frame.
    rows : scalar, list-like of keys, or boolean mask
        One key, several keys, or a boolean mask aligned with the frame (a Series, a
        NumPy array, or anything with a ``mask(frame)`` method such as a slice).
    func : str
        The public method, for messages.

    Returns
    -------
    ndarray of int64
        Unique positions, in the order given.

    Raises
    ------
    InvalidParameterError
        If a key is unknown or the mask has the wrong length.

    Examples
    --------
    >>> row_positions(pd.Index(["a", "b", "c"]), ["c", "a"], func="relabel").tolist()
    [2, 0]
    """
    n_rows = len(keys)
    if callable(getattr(rows, "mask", None)) and not isinstance(rows, pd.Series | pd.Index):
        raise param_error("rows", func, "keys or a boolean mask (call slice.mask(df))", rows)
    dtype = getattr(rows, "dtype", None)
    if dtype is not None and pd.api.types.is_bool_dtype(dtype) and not isinstance(rows, pd.Index):
        # A mask is aligned with the frame by position (df["y"] == "cat" is).
        if len(rows) != n_rows:
            raise param_error("rows", func, f"a boolean mask of length {n_rows}", rows)
        series = rows if isinstance(rows, pd.Series) else pd.Series(rows, copy=False)
        return np.flatnonzero(series.to_numpy(dtype=bool, na_value=False))
    wanted = _as_key_list(rows, keys, func)
    if len(wanted) == 0:
        return np.empty(0, dtype=np.int64)
    # pandas makes the Index itself (tuples stay tuples, list of arrays a MultiIndex); the
    # stubs accept only an Index.
    try:
        positions = keys.get_indexer(wanted)  # type: ignore[arg-type]
    except TypeError:  # an unhashable "key" (a list or dict inside the list of rows)
        odd = next((w for w in wanted if not isinstance(w, Hashable)), wanted[0])
        raise param_error(
            "rows",
            func,
            "keys (numbers, text, or tuples for several key columns) or a boolean mask",
            odd,
        ) from None
    if (positions < 0).any():
        unknown = [wanted[i] for i in np.flatnonzero(positions < 0)[:5]]
        raise InvalidParameterError(
            f"The 'rows' parameter of {func} names {int((positions < 0).sum())} row(s) "
            f"that are not in the dataset, e.g. {unknown}. Rows are named by their key "
            f"(the index or the key column); check the keys, or pass a boolean mask. "
            "Nothing was changed."
        )
    positions = positions.astype(np.int64)
    # The same row twice would record two edits of one cell in one call: keep the first.
    _, first = np.unique(positions, return_index=True)
    return positions[np.sort(first)]


def _as_key_list(rows: Any, keys: pd.Index, func: str) -> Sequence[Hashable]:
    if isinstance(rows, dict | set | frozenset):
        # A dict's keys or a set's order would be a guess at what was meant.
        raise param_error("rows", func, "a key, a list of keys or a boolean mask", rows)
    is_multi = isinstance(keys, pd.MultiIndex)
    if isinstance(rows, tuple) and is_multi:
        return [rows]
    if isinstance(rows, str | bytes) or not pd.api.types.is_list_like(rows):
        return [rows]
    if isinstance(rows, pd.Index | pd.Series | np.ndarray):
        return list(rows.tolist()) if not isinstance(rows, pd.MultiIndex) else list(rows)
    return list(rows)


def check_same_rows(frame: pd.DataFrame, keys: pd.Index, spec: KeySpec, *, what: str) -> None:
    """Refuse a frame whose rows are not exactly the tracked rows, in the same order.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 2]})
    >>> check_same_rows(df.iloc[::-1], df.index, KeySpec(), what="the frame")
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.DataMismatchError: ...
    """
    got = spec.values(frame) if all(c in frame.columns for c in spec.columns) else None
    if got is not None and (got is keys or got.equals(keys)):
        return
    if got is None:
        detail = f"it lacks the key column(s) {list(spec.columns)}"
    elif len(got) != len(keys):
        detail = f"it has {len(got)} rows where the dataset has {len(keys)}"
    elif got.sort_values().equals(keys.sort_values()):
        detail = "its rows are in another order"
    else:
        unknown = got.difference(keys)[:3].tolist()
        detail = f"its keys differ (e.g. {unknown} are not in the dataset)"
    raise DataMismatchError(
        f"{what} no longer matches the tracked rows ({spec.describe()}): {detail}. Edits "
        "are recorded by row, so they would land on the wrong rows. Put the frame back "
        "(e.g. ds.checkout('HEAD')); for appended rows or new columns use "
        "ds.reshape(new_frame, message); or track the changed frame under a new name."
    )


def differing_cells(expected: pd.Series, got: pd.Series) -> np.ndarray:
    """Boolean mask of the cells whose values differ (missing equals missing).

    Examples
    --------
    >>> differing_cells(pd.Series([1.0, None]), pd.Series([2.0, None])).tolist()
    [True, False]
    """
    left = expected.reset_index(drop=True)
    right = got.reset_index(drop=True)
    if isinstance(left.dtype, pd.CategoricalDtype) or isinstance(right.dtype, pd.CategoricalDtype):
        # Categoricals with different categories refuse ==: compare their values.
        left = left.astype(object)
        right = right.astype(object)
    both_missing = (left.isna() & right.isna()).to_numpy(dtype=bool)
    try:
        equal = (left == right).to_numpy(dtype=bool, na_value=False)
    except TypeError:
        equal = np.array(
            [encode_value(a) == encode_value(b) for a, b in zip(left, right, strict=True)]
        )
    except ValueError:
        # Cells holding arrays (images): == is elementwise and ambiguous, compare them whole.
        equal = np.array([_same_cell(a, b) for a, b in zip(left, right, strict=True)], dtype=bool)
    return ~(equal | both_missing)


def _same_cell(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    return bool(a == b)
