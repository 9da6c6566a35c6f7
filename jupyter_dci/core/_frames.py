"""Dtype-safe writes into a DataFrame, shared by the review session and the store.

An edit must never change a column's dtype by accident (pandas would silently upcast
an int column to float, or to object). So every value is checked against the dtype
first, all of them, and only then written (:func:`coerce_values`), and the write itself
copes with the read-only Arrow buffers of frames read from Parquet (:func:`assign`). The
one deliberate dtype change: a new label in a categorical column adds that category.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.errors import InvalidParameterError

__all__ = ["assign", "coerce_values", "is_missing"]


def is_missing(value: Any) -> bool:
    """Whether a scalar is a missing value (None, NA, NaT or a float NaN).

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(0)
    (True, True, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return isinstance(value, np.datetime64 | np.timedelta64) and bool(np.isnat(value))


def _refuse(column: str, dtype: Any, value: Any, allowed: str, func: str) -> InvalidParameterError:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return InvalidParameterError(
        f"The values of {func} for column {column!r} (dtype {dtype}) must be {allowed}. "
        f"Got {text} ({type(value).__name__}) instead. Nothing was changed. Convert the "
        f"value, or change the column's dtype before tracking (e.g. "
        f"df[{column!r}] = df[{column!r}].astype('object'))."
    )


def _to_int(value: Any, info: np.iinfo, column: str, dtype: Any, func: str) -> int:
    if isinstance(value, (bool, np.bool_, np.timedelta64)):
        raise _refuse(column, dtype, value, "integers", func)
    integral_float = (
        isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value)
    )
    if not (isinstance(value, (int, np.integer)) or integral_float):
        raise _refuse(column, dtype, value, "integers", func)
    number = int(value)
    if not info.min <= number <= info.max:
        raise _refuse(column, dtype, value, f"integers in [{info.min}, {info.max}]", func)
    return number


def _to_float(value: Any, column: str, dtype: Any, func: str) -> float:
    if isinstance(value, (bool, np.bool_, np.timedelta64)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise _refuse(column, dtype, value, "numbers", func)
    return float(value)


def _to_bool(value: Any, column: str, dtype: Any, func: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _refuse(column, dtype, value, "True or False", func)
    return bool(value)


def _to_timestamp(value: Any, dtype: Any, column: str, func: str) -> pd.Timestamp:
    if not isinstance(value, (pd.Timestamp, dt.datetime, np.datetime64)):
        raise _refuse(column, dtype, value, "timestamps (pd.Timestamp or datetime)", func)
    ts = pd.Timestamp(value)
    tz = getattr(dtype, "tz", None)
    if (ts.tz is None) != (tz is None):
        zone = f"aware, in zone {tz}" if tz is not None else "naive (no time zone)"
        raise _refuse(column, dtype, value, f"timestamps that are {zone}", func)
    return ts if tz is None else ts.tz_convert(tz)


#: The missing marker of a dtype that holds no missing value (None is a real marker:
#: an object column's missing value).
_NO_MISSING: Any = object()


def _is_object(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _scalar_converter(dtype: Any, column: str, func: str) -> tuple[Any, Any]:
    """Return (convert one non-missing value, missing marker) for a dtype.

    The marker is ``_NO_MISSING`` when the dtype holds no missing value.
    """
    if isinstance(dtype, pd.StringDtype):

        def to_str(value: Any) -> str:
            if not isinstance(value, str):
                raise _refuse(column, dtype, value, "strings", func)
            return value

        return to_str, dtype.na_value
    kind = getattr(dtype, "kind", "O")
    masked = isinstance(dtype, pd.api.extensions.ExtensionDtype)
    if kind in "iu":
        info = np.iinfo(dtype.numpy_dtype if masked else dtype)
        # NumPy int columns have no missing value: only the nullable ones accept NA.
        marker = pd.NA if masked else _NO_MISSING
        return (lambda v: _to_int(v, info, column, dtype, func)), marker
    if kind == "f":
        return (lambda v: _to_float(v, column, dtype, func)), (pd.NA if masked else np.nan)
    if kind == "b":
        return (lambda v: _to_bool(v, column, dtype, func)), (pd.NA if masked else _NO_MISSING)
    if kind == "M":
        return (lambda v: _to_timestamp(v, dtype, column, func)), pd.NaT
    if kind == "m":

        def to_delta(value: Any) -> pd.Timedelta:
            if not isinstance(value, (pd.Timedelta, dt.timedelta, np.timedelta64)):
                raise _refuse(column, dtype, value, "timedeltas", func)
            return pd.Timedelta(value)

        return to_delta, pd.NaT
    if _is_object(dtype):
        # Missing becomes None, as on the vectorised path (which 64+ values take).
        return (lambda v: v), None
    raise InvalidParameterError(
        f"Column {column!r} has dtype {dtype}, which {func} cannot edit. Editable dtypes: "
        "int, float, bool, str/string, object, category, datetime, timedelta and their "
        "nullable versions. Convert the column before tracking, or leave it unedited."
    )


def coerce_values(
    dtype: Any, values: list[Any], *, column: str, func: str
) -> tuple[Any, Any | None]:
    """Convert values to an array of ``dtype``, or refuse them all with a clear error.

    Parameters
    ----------
    dtype : dtype
        The column's current dtype.
    values : list
        The new values, one per edited cell.
    column : str
        The column's name, for messages.
    func : str
        The public method that received the values, for messages.

    Returns
    -------
    array : ndarray or ExtensionArray
        The values, with exactly ``dtype`` (or the widened categorical dtype).
    new_dtype : dtype or None
        The categorical dtype with the new categories appended, when some were new;
        None when the column keeps its dtype.

    Raises
    ------
    InvalidParameterError
        If any value cannot be held by the column without changing its dtype.

    Examples
    --------
    >>> arr, new = coerce_values(pd.CategoricalDtype(["cat"]), ["dog"], column="y", func="f")
    >>> list(new.categories), list(arr)
    (['cat', 'dog'], ['dog'])
    """
    if isinstance(dtype, pd.CategoricalDtype):
        return _coerce_categorical(dtype, values, column=column, func=func)
    fast = _fast_path(dtype, values)
    if fast is not None:
        return fast, None
    convert, missing = _scalar_converter(dtype, column, func)
    out: list[Any] = []
    for value in values:
        if is_missing(value):
            if missing is _NO_MISSING:
                raise _refuse(column, dtype, value, "non-missing values", func)
            out.append(missing)
        else:
            out.append(convert(value))
    if _is_object(dtype):
        array = np.empty(len(out), dtype=object)
        array[:] = out
        return array, None
    if isinstance(dtype, np.dtype):
        if dtype.kind == "M" or dtype.kind == "m":
            converted = pd.array(out, dtype=dtype)
            return _check_exact(converted, out, column, dtype, func), None
        return np.asarray(out, dtype=dtype), None
    converted = pd.array(out, dtype=dtype)
    if getattr(dtype, "kind", "") in "Mm":
        converted = _check_exact(converted, out, column, dtype, func)
    return converted, None


# infer_dtype answers (in C) which values a dtype kind takes without a per-value check.
_FAST_KINDS = {
    "i": {"integer"},
    "u": {"integer"},
    "f": {"floating", "integer", "mixed-integer-float"},
    "b": {"boolean"},
}


def _fast_path(dtype: Any, values: list[Any]) -> Any | None:
    """Convert many plain values at C speed; None sends them to the checked path."""
    if len(values) < 64:
        return None
    array = np.empty(len(values), dtype=object)
    array[:] = values
    missing = pd.isna(array)
    if _is_object(dtype):
        array[missing] = None  # as the checked path: an object column's missing is None
        return array
    inferred = pd.api.types.infer_dtype(array[~missing], skipna=False)
    if isinstance(dtype, pd.StringDtype):
        if inferred not in ("string", "empty"):
            return None
        return pd.array(array, dtype=dtype)
    kind = getattr(dtype, "kind", "O")
    masked = isinstance(dtype, pd.api.extensions.ExtensionDtype)
    if kind not in _FAST_KINDS or inferred not in _FAST_KINDS[kind]:
        return None
    if missing.any() and not (masked or kind == "f"):
        return None
    try:
        if masked:
            return pd.array(array, dtype=dtype)
        # NumPy refuses out-of-range ints (OverflowError) instead of wrapping them.
        return np.asarray(array.tolist(), dtype=dtype) if kind != "f" else array.astype(dtype)
    except (OverflowError, TypeError, ValueError):
        return None


def _check_exact(converted: Any, out: list[Any], column: str, dtype: Any, func: str) -> Any:
    # Timestamps finer than the column's unit would be silently truncated.
    for got, want in zip(converted, out, strict=True):
        if not (got is pd.NaT and want is pd.NaT) and got != want:
            raise _refuse(column, dtype, want, "values the column's unit holds exactly", func)
    return converted


def _coerce_categorical(
    dtype: pd.CategoricalDtype, values: list[Any], *, column: str, func: str
) -> tuple[Any, Any | None]:
    cats = dtype.categories
    array = np.empty(len(values), dtype=object)
    array[:] = values
    missing = pd.isna(array)
    present = array[~missing]
    known = pd.Index(present, dtype=object).isin(cats) if len(present) else np.ones(0, bool)
    new = list(pd.unique(present[~known]))
    new_dtype = None
    if new:
        # New categories must have the categories' own type (no "3" into int labels).
        coerced, _ = coerce_values(cats.dtype, new, column=column, func=func)
        if _is_object(cats.dtype) and len(cats):
            # Object categories (pandas 2 strings) hold anything: keep their one type.
            kind = pd.api.types.infer_dtype(cats, skipna=True)
            like = {"string": pd.StringDtype(), "integer": np.dtype("int64")}.get(kind)
            if like is not None:
                coerce_values(like, new, column=column, func=func)
        new_dtype = pd.CategoricalDtype(cats.append(pd.Index(coerced)), ordered=dtype.ordered)
    target = new_dtype if new_dtype is not None else dtype
    return pd.Categorical(array, dtype=target), new_dtype


def assign(frame: pd.DataFrame, rows: np.ndarray, position: int, array: Any) -> None:
    """Write ``array`` into column ``position`` at ``rows`` (in place).

    Frames read from Parquet may share read-only Arrow buffers; such a column is
    copied once, then written.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 2]})
    >>> assign(df, np.array([0]), 0, np.array([5]))
    >>> df.y.tolist()
    [5, 2]
    """
    try:
        frame.iloc[rows, position] = array
    except ValueError as exc:
        if "read-only" not in str(exc):
            raise
        # A Series is taken as is (aligned on the same index, no second copy); the stubs
        # list only arrays and scalars.
        frame.isetitem(position, frame.iloc[:, position].copy())  # type: ignore[arg-type]
        frame.iloc[rows, position] = array
