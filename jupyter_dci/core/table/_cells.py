"""Turning cell values into what a table view shows, and columns into their display kind.

A cell becomes plain text, or a small tagged dict: ``{"na": "NaN"}`` for a missing
value (NaN, ``<NA>``, NaT and None stay distinct), ``{"text", "full"}`` for a long
value shown truncated with more on hover, ``{"img", "alt"}`` for an image thumbnail,
``{"err"}`` for a value whose ``repr`` failed. Nothing here escapes HTML: the view
puts text into the page as text, never as markup.
"""

from __future__ import annotations

import datetime as dt
import decimal
import reprlib
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from jupyter_dci.core.table._images import image_kind, thumbnail_data_url

__all__ = ["Cell", "column_kind", "display_name", "format_column", "format_value"]

Cell = str | dict[str, str]

#: Characters shown in a cell; the column width usually cuts earlier with an ellipsis.
DISPLAY_CHARS = 200
#: Characters of a long value shown on hover.
HOVER_CHARS = 5_000

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = 20
_REPR.maxdict = 10
_REPR.maxstring = HOVER_CHARS
_REPR.maxother = HOVER_CHARS


def display_name(label: Any) -> str:
    """Text for a column or index label: tuples (MultiIndex) joined with " / ".

    Examples
    --------
    >>> display_name(("sales", 2024)), display_name(3), display_name(None)
    ('sales / 2024', '3', '')
    """
    if label is None:
        return ""
    if isinstance(label, tuple):
        return " / ".join(display_name(part) for part in label)
    return str(label)


def column_kind(series: pd.Series) -> str:
    """Classify a column for display.

    The kinds are number, bool, datetime, timedelta, category, text, image and object.

    Object columns are classified by a sample of their non-missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> column_kind(pd.Series([1.5])), column_kind(pd.Series(["a"], dtype="string"))
    ('number', 'text')
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if ptypes.is_bool_dtype(dtype):
        return "bool"
    if ptypes.is_numeric_dtype(dtype):
        return "number"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_timedelta64_dtype(dtype):
        return "timedelta"
    if ptypes.is_string_dtype(dtype) and not isinstance(dtype, np.dtype):
        return "text"
    sample = series.iloc[:200].dropna() if len(series) else series
    values = list(sample.iloc[:50])
    if values and all(isinstance(v, str) for v in values):
        return "text"
    if values and all(image_kind(v) is not None for v in values):
        return "image"
    return "object"


def _truncate(text: str) -> Cell:
    if len(text) <= DISPLAY_CHARS:
        return text
    full = text[:HOVER_CHARS]
    if len(text) > HOVER_CHARS:
        full += f"… ({len(text):,} characters in all)"
    return {"text": text[:DISPLAY_CHARS] + "…", "full": full}


def _format_float(value: float | np.floating[Any]) -> Cell:
    if np.isnan(value):
        return {"na": "NaN"}
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(float(value))
    if magnitude == 0 or 1e-4 <= magnitude < 1e15:
        text = np.format_float_positional(value, precision=6, unique=True, trim="0")
    else:
        text = np.format_float_scientific(value, precision=6, unique=True, trim="-")
    full = repr(float(value)) if not isinstance(value, np.float32 | np.float16) else str(value)
    if full != text and full.rstrip("0").rstrip(".") != text:
        return {"text": text, "full": full}
    return text


def _is_missing_scalar(value: Any) -> str | None:
    if value is None:
        return "None"
    if value is pd.NA:
        return "<NA>"
    if value is pd.NaT:
        return "NaT"
    if isinstance(value, np.datetime64 | np.timedelta64) and np.isnat(value):
        return "NaT"
    if isinstance(value, decimal.Decimal) and value.is_nan():
        return "NaN"
    return None


def format_value(value: Any) -> Cell:
    """Format one cell value for display.

    Parameters
    ----------
    value : object
        Any value a DataFrame cell can hold.

    Returns
    -------
    str or dict
        Plain text, or a tagged dict (see the module docstring).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> format_value(3), format_value(np.nan), format_value(pd.NA), format_value(None)
    ('3', {'na': 'NaN'}, {'na': '<NA>'}, {'na': 'None'})
    >>> format_value("<b>bold</b>")  # text stays text: the view never parses it as HTML
    '<b>bold</b>'
    """
    try:
        missing = _is_missing_scalar(value)
        if missing is not None:
            return {"na": missing}
        if isinstance(value, bool | np.bool_):
            return "True" if value else "False"
        if isinstance(value, float | np.floating):
            return _format_float(value)
        if isinstance(value, int | np.integer):
            return str(value)
        if isinstance(value, str):
            return _truncate(value)
        kind = image_kind(value)
        if kind is not None:
            url, alt = thumbnail_data_url(value, kind)
            return {"img": url, "alt": alt} if url else alt
        if isinstance(value, bytes | bytearray | memoryview):
            return _truncate(_REPR.repr(bytes(value[:HOVER_CHARS])))
        if isinstance(value, np.ndarray):
            return _truncate(np.array2string(value, threshold=50, edgeitems=3))
        if isinstance(value, pd.Timestamp | pd.Timedelta | dt.date | dt.time | dt.timedelta):
            return str(value)
        if isinstance(value, list | tuple | dict | set | frozenset):
            return _truncate(_REPR.repr(value))
        return _truncate(str(value))
    except Exception as exc:
        return {"err": f"<cannot display: {type(exc).__name__}: {exc}>"[:DISPLAY_CHARS]}


def _format_float64(value: float) -> Cell:
    # The hot path of a page: Python's float repr is the shortest round-trip text, so
    # rounding to 6 decimals first gives the same text as _format_float, several times faster.
    if value != value:
        return {"na": "NaN"}
    magnitude = abs(value)
    if magnitude == 0 or 1e-4 <= magnitude < 1e15:
        text = repr(round(value, 6))
        full = repr(value)
        return text if text == full else {"text": text, "full": full}
    return _format_float(value)


def format_column(values: Any) -> list[Cell]:
    """Format the values of one column of a page.

    Parameters
    ----------
    values : numpy.ndarray or pandas ExtensionArray
        The page's values of one column.

    Returns
    -------
    list
        One cell per value, as :func:`format_value` makes them.

    Examples
    --------
    >>> import numpy as np
    >>> format_column(np.array([1.0, np.nan, np.pi]))
    ['1.0', {'na': 'NaN'}, {'text': '3.141593', 'full': '3.141592653589793'}]
    """
    if isinstance(values, np.ndarray):
        kind = values.dtype.kind
        if kind == "f" and values.dtype.itemsize == 8:
            return [_format_float64(v) for v in values.tolist()]
        if kind in "iu":
            return [str(v) for v in values.tolist()]
        if kind == "b":
            return ["True" if v else "False" for v in values.tolist()]
    return [format_value(v) for v in values]
