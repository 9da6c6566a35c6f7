"""Lossless, typed JSON text for the values and dtypes the edit log records.

Every value becomes a small JSON array whose first item is a type tag, so the log
never guesses a type back and never needs pickle: ``["i", 3]``, ``["f", "nan"]``,
``["s", "chat"]``, ``["b", true]``, ``["na"]``, ``["ts", 1704067200000000000, "UTC"]``.
The encoding is canonical (one value, one text), so two texts are equal exactly
when the values are; the log compares old and new values as text.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
from collections.abc import Sequence
from json.encoder import encode_basestring  # the C string encoder: 10x json.dumps
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from pandas.api.typing import NaTType

from ..errors import DataMismatchError, StoreError, param_error

__all__ = [
    "decode_dtype",
    "decode_texts",
    "decode_value",
    "encode_array",
    "encode_dtype",
    "encode_value",
]

_NONE = '["none"]'
_NA = '["na"]'
_NAT = '["nat"]'
_NAN = '["f","nan"]'
_TRUE = '["b",true]'
_FALSE = '["b",false]'


def _encode_float(value: float) -> str:
    if math.isnan(value):
        return _NAN
    if math.isinf(value):
        return '["f","inf"]' if value > 0 else '["f","-inf"]'
    # repr is the shortest text that round-trips a double exactly.
    return f'["f",{value!r}]'


_Unit = Literal["ns", "us", "ms", "s"]
_NS_PER_UNIT: dict[_Unit, int] = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_INT64_MAX = 2**63 - 1


def _ns(value: pd.Timestamp | pd.Timedelta) -> int:
    # Exact ns count as a Python int, also beyond the ns range of int64 (year 2262).
    # `_value` is the count in the value's own unit (`.value` converts to ns and overflows).
    # pandas-stubs do not declare this attribute.
    return int(value._value) * _NS_PER_UNIT[value.unit]  # type: ignore[union-attr]


def _from_ns(count: int) -> tuple[int, _Unit]:
    """Return the finest unit that holds ``count`` ns exactly within int64."""
    for unit, factor in _NS_PER_UNIT.items():
        if count % factor == 0 and abs(count // factor) <= _INT64_MAX:
            return count // factor, unit
    raise StoreError(f"The edit log holds a time of {count} ns, beyond what pandas holds.")


def _encode_timestamp(value: pd.Timestamp | NaTType) -> str:
    if isinstance(value, NaTType):
        return _NAT
    tz = None if value.tz is None else str(value.tz)
    # The instant in ns since the epoch plus the zone name: exact, zone kept.
    return f'["ts",{_ns(value)},{json.dumps(tz)}]'


def _encode_timedelta(value: Any) -> str:
    if type(value) is dt.timedelta:
        # Exact for any datetime.timedelta, also beyond pandas' range.
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        return f'["td",{micros * 1_000}]'
    # pandas-stubs type the constructor as returning a Timedelta; a missing value gives NaT.
    delta = cast("pd.Timedelta | NaTType", pd.Timedelta(value))
    return _NAT if isinstance(delta, NaTType) else f'["td",{_ns(delta)}]'


def _encode_other(value: Any) -> str | None:
    """Encode a date, Decimal or bytes; None for any other type."""
    if isinstance(value, dt.date):
        return f'["date","{value.isoformat()}"]'
    if isinstance(value, decimal.Decimal):
        return f'["dec","{value}"]'
    if isinstance(value, bytes):
        return f'["bytes","{base64.b64encode(value).decode("ascii")}"]'
    return None


def encode_value(value: Any) -> str:
    """Encode one scalar as canonical, typed JSON text.

    Parameters
    ----------
    value : object
        A Python, NumPy or pandas scalar: None, pd.NA, NaT, bool, int, float (NaN and
        infinities included), str, bytes, Decimal, date, datetime, Timestamp (with its
        zone), timedelta.

    Returns
    -------
    str
        The JSON text, e.g. ``'["i",3]'``.

    Raises
    ------
    InvalidParameterError
        If the value has a type the log cannot hold exactly.

    Examples
    --------
    >>> encode_value(3), encode_value(float("nan")), encode_value("é")
    ('["i",3]', '["f","nan"]', '["s","é"]')
    """
    if value is None:
        return _NONE
    if value is pd.NA:
        return _NA
    if value is pd.NaT:
        return _NAT
    if isinstance(value, (bool, np.bool_)):
        return _TRUE if value else _FALSE
    if isinstance(value, np.timedelta64):
        # np.timedelta64 subclasses np.signedinteger: test it before ints.
        return _NAT if np.isnat(value) else f'["td",{_ns(pd.Timedelta(value))}]'
    if isinstance(value, (int, np.integer)):
        return f'["i",{int(value)}]'
    if isinstance(value, (float, np.floating)):
        return _encode_float(float(value))
    if isinstance(value, str):
        return f'["s",{encode_basestring(value)}]'
    if isinstance(value, (pd.Timestamp, dt.datetime, np.datetime64)):
        return _encode_timestamp(pd.Timestamp(value))
    if isinstance(value, (pd.Timedelta, dt.timedelta, np.timedelta64)):
        return _encode_timedelta(value)
    text = _encode_other(value)
    if text is not None:
        return text
    raise param_error(
        "value",
        "the edit log",
        "None, NA, a bool, int, float, str, bytes, Decimal, date, datetime, Timestamp or "
        "timedelta (convert other objects to one of these first)",
        value,
    )


def encode_array(values: Any) -> list[str]:
    """Encode a 1-D array of values, with vectorised fast paths for common dtypes.

    Parameters
    ----------
    values : array-like
        A NumPy array, pandas ExtensionArray or Series.

    Returns
    -------
    list of str
        One JSON text per value.

    Examples
    --------
    >>> encode_array(pd.array([1, None], dtype="Int64"))
    ['["i",1]', '["na"]']
    """
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        # Encode each category once, then pick by code: cheap for any number of rows.
        cats = [encode_value(v) for v in values.categories]
        # A categorical's missing value reads back as NaN whatever its categories are.
        return [cats[c] if c >= 0 else _NAN for c in values.codes.tolist()]
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "iu":
            return [f'["i",{v}]' for v in values.tolist()]
        if values.dtype.kind == "f":
            return [_encode_float(v) for v in values.tolist()]
        if values.dtype.kind == "b":
            return [_TRUE if v else _FALSE for v in values.tolist()]
    if isinstance(dtype, pd.StringDtype) or (
        isinstance(values, np.ndarray) and values.dtype == object
    ):
        return [
            f'["s",{encode_basestring(v)}]' if type(v) is str else encode_value(v) for v in values
        ]
    return [encode_value(v) for v in values]


def decode_value(item: list[Any]) -> Any:
    """Decode one parsed ``[tag, ...]`` item back to a Python or pandas scalar.

    Parameters
    ----------
    item : list
        The JSON array of one value, already parsed.

    Returns
    -------
    object
        The scalar.

    Raises
    ------
    StoreError
        If the tag is unknown (a log written by a newer version or corrupted).

    Examples
    --------
    >>> decode_value(["ts", 0, "UTC"])
    Timestamp('1970-01-01 00:00:00+0000', tz='UTC')
    """
    tag = item[0]
    if tag == "s" or tag == "i" or tag == "b":
        return item[1]
    if tag == "f":
        return float(item[1])
    if tag == "none":
        return None
    if tag == "na":
        return pd.NA
    if tag == "nat":
        return pd.NaT
    if tag == "ts":
        count, unit = _from_ns(item[1])
        ts = pd.Timestamp(np.datetime64(count, unit))
        return ts if item[2] is None else ts.tz_localize("UTC").tz_convert(item[2])
    if tag == "td":
        try:
            count, unit = _from_ns(item[1])
            return pd.Timedelta(np.timedelta64(count, unit))
        except (StoreError, OverflowError, ValueError):
            # Only a datetime.timedelta (in an object column) goes beyond pandas.
            return dt.timedelta(microseconds=item[1] // 1_000)
    if tag == "date":
        return dt.date.fromisoformat(item[1])
    if tag == "dec":
        return decimal.Decimal(item[1])
    if tag == "bytes":
        return base64.b64decode(item[1])
    raise StoreError(
        f"The edit log holds a value with the unknown type tag {tag!r}. Known tags are "
        "s, i, f, b, none, na, nat, ts, td, date, dec, bytes. The store may have been "
        "written by a newer jupyter_dci: upgrade it, or check the store for corruption."
    )


def decode_texts(texts: Sequence[str]) -> list[Any]:
    """Decode many JSON texts at once (one parse of the joined texts).

    Parameters
    ----------
    texts : sequence of str
        Texts made by :func:`encode_value` or :func:`encode_array`.

    Returns
    -------
    list
        The scalars, in order.

    Examples
    --------
    >>> decode_texts(['["i",1]', '["f","nan"]', '["none"]'])
    [1, nan, None]
    """
    if not texts:
        return []
    try:
        items = json.loads("[" + ",".join(texts) + "]")
        out: list[Any] = []
        append = out.append
        for item in items:
            tag = item[0]
            # Strings and ints dominate real logs: skip the general dispatch for them.
            if tag == "s" or tag == "i" or tag == "b":
                append(item[1])
            else:
                append(decode_value(item))
    except (ValueError, TypeError, IndexError, KeyError, RecursionError) as exc:
        raise unreadable(texts, exc) from None
    return out


def unreadable(texts: Any, exc: BaseException) -> StoreError:
    """Build the store's error for a value of the log that does not decode (edited, damaged)."""
    shown = next((t for t in texts if _bad(t)), texts[0] if texts else "") if texts else ""
    return StoreError(
        f"The edit log holds a value that cannot be read ({type(exc).__name__}: "
        f"{str(exc)[:100]}; the value starts {str(shown)[:60]!r}). The log was edited or "
        "damaged: restore the dataset's folder from a backup."
    )


def _bad(text: Any) -> bool:
    try:
        item = json.loads(text)
        decode_value(item)
    except Exception:  # any failure marks the culprit shown in the message
        return True
    return False


def encode_dtype(dtype: Any) -> dict[str, Any]:
    """Describe a pandas dtype as JSON-ready data, exactly enough to rebuild it.

    Parameters
    ----------
    dtype : dtype
        A NumPy or pandas dtype.

    Returns
    -------
    dict
        ``{"kind": "category", ...}``, ``{"kind": "string", ...}`` or
        ``{"kind": "name", "name": str(dtype)}``.

    Examples
    --------
    >>> encode_dtype(pd.CategoricalDtype(["a", "b"]))["categories"]
    ['["s","a"]', '["s","b"]']
    """
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "kind": "category",
            "categories": encode_array(np.asarray(dtype.categories, dtype=object)),
            "categories_dtype": encode_dtype(dtype.categories.dtype),
            "ordered": bool(dtype.ordered),
        }
    if isinstance(dtype, pd.StringDtype):
        na_value = getattr(dtype, "na_value", pd.NA)
        return {
            "kind": "string",
            "storage": dtype.storage,
            "na_value": "NA" if na_value is pd.NA else "nan",
        }
    return {"kind": "name", "name": str(dtype)}


def check_storable(dtype: Any, column: Any, func: str) -> None:
    """Refuse a dtype the store could record but not rebuild, before anything is written.

    A dtype is kept as a description (:func:`encode_dtype`) and rebuilt on every read; one
    that does not come back equal (Arrow lists, structs, maps, dictionaries, decimals) would
    make the dataset unreadable after the write.

    Examples
    --------
    >>> import pyarrow as pa
    >>> check_storable(pd.ArrowDtype(pa.list_(pa.int64())), "tags", "track")
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.DataMismatchError: Column 'tags' has the dtype list<item: int64>[pyarrow]...
    """
    try:
        decode_dtype(encode_dtype(dtype))
        return
    except (StoreError, TypeError, ValueError, NotImplementedError):
        pass
    hint = (
        "df[col] = df[col].astype(object) (lists and dicts are kept as Python values)"
        if isinstance(dtype, pd.ArrowDtype) and pa_nested(dtype)
        else "df[col] = df[col].astype(str), or a NumPy dtype (float64, int64, category)"
    )
    raise DataMismatchError(
        f"Column {column!r} has the dtype {dtype}, which the store cannot rebuild exactly "
        f"when it reads the dataset back. Convert it first: {hint}. Nothing was written by "
        f"{func}."
    )


def pa_nested(dtype: Any) -> bool:
    """Whether an ArrowDtype holds lists, structs or maps."""
    import pyarrow as pa

    return bool(pa.types.is_nested(dtype.pyarrow_dtype))


def decode_dtype(desc: dict[str, Any]) -> Any:
    """Rebuild a dtype described by :func:`encode_dtype`.

    Parameters
    ----------
    desc : dict
        The description.

    Returns
    -------
    dtype
        The NumPy or pandas dtype.

    Raises
    ------
    StoreError
        If the description cannot be rebuilt with this pandas.

    Examples
    --------
    >>> decode_dtype(encode_dtype(np.dtype("int64")))
    dtype('int64')
    """
    kind = desc.get("kind")
    try:
        if kind == "category":
            cats_dtype = decode_dtype(desc["categories_dtype"])
            values = decode_texts(desc["categories"])
            cats = pd.Index(pd.array(values, dtype=cats_dtype)) if values else None
            if cats is None:
                return pd.CategoricalDtype(pd.Index([], dtype=cats_dtype), desc["ordered"])
            return pd.CategoricalDtype(cats, ordered=desc["ordered"])
        if kind == "string":
            if desc["na_value"] == "nan":
                return pd.StringDtype(desc["storage"], na_value=np.nan)
            return pd.StringDtype(desc["storage"])
        if kind == "name":
            return pd.api.types.pandas_dtype(desc["name"])
    except (TypeError, ValueError, ImportError) as exc:
        raise StoreError(
            f"The store records a column dtype {desc!r} that this pandas "
            f"({pd.__version__}) cannot rebuild: {exc}. Open the store with the pandas "
            "version that wrote it, or upgrade pandas."
        ) from exc
    raise StoreError(
        f"The store records an unknown dtype description {desc!r}. The store may have "
        "been written by a newer jupyter_dci: upgrade it."
    )
