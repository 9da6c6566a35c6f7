"""Kind inference: from a pandas column to one of the profile's kinds.

Two steps. :func:`prepare` looks at the dtype (and, for ``object`` columns, at the cells through
``pandas.api.types.infer_dtype``) and turns the column into the one array the computation needs:
float64 values for numbers, int64 ticks for datetimes, booleans, Arrow strings, category codes or
any Python objects. :func:`string_kind` then tells categories, free text and identifiers apart
from the distinct values, once they are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

__all__ = ["Family", "Prepared", "prepare", "string_kind"]

Family = Literal["numeric", "boolean", "datetime", "strings", "category", "objects", "empty"]

# Up to this many distinct values a string column is a category whatever its size.
MAX_CATEGORY_DISTINCT = 50
# From this share of distinct values (among non-missing) on, codes without spaces are ids.
ID_DISTINCT_RATIO = 0.3


@dataclass(frozen=True)
class Prepared:
    """A column turned into the one array its family is computed on.

    Exactly one of ``numbers`` (float64, NaN = missing), ``bools`` (with ``missing``) or
    ``series`` (datetimes, strings, categories, objects) is what the family reads.
    """

    family: Family
    series: pd.Series
    numbers: np.ndarray | None = None
    bools: np.ndarray | None = None
    missing: np.ndarray | None = None
    unit: str = ""
    integer_dtype: bool = False


def _as_float(series: pd.Series) -> np.ndarray:
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        return np.asarray(series.astype("float64"), dtype=np.float64)


def _as_text(series: pd.Series) -> pd.Series:
    """Cells shown through their ``str`` (complex, bytes, intervals, periods...)."""
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = [None if m else str(v) for v, m in zip(values, missing, strict=True)]
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def _object_booleans(series: pd.Series) -> Prepared:
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=object)
    bools = np.zeros(len(values), dtype=bool)
    bools[~missing] = values[~missing].astype(bool)
    return Prepared("boolean", series, bools=bools, missing=missing)


def _prepare_object(series: pd.Series) -> Prepared:
    inferred = ptypes.infer_dtype(series, skipna=True)
    if inferred == "string":
        return Prepared("strings", series)
    if inferred == "empty":
        return Prepared("empty", series)
    if inferred == "boolean":
        return _object_booleans(series)
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        numbers = pd.to_numeric(series, errors="coerce")
        return Prepared(
            "numeric", series, numbers=_as_float(numbers), integer_dtype=inferred == "integer"
        )
    if inferred in ("datetime", "datetime64", "date"):
        try:
            converted = pd.to_datetime(series, errors="coerce", utc=True)
        except (TypeError, ValueError, OverflowError):
            return Prepared("objects", series)
        return Prepared("datetime", converted)
    if inferred == "timedelta":
        seconds = pd.to_timedelta(series, errors="coerce").dt.total_seconds()
        return Prepared("numeric", series, numbers=_as_float(seconds), unit="s")
    if inferred in ("bytes", "complex", "period", "interval", "time"):
        return Prepared("strings", _as_text(series))
    return Prepared("objects", series)


def prepare(series: pd.Series) -> Prepared:
    """Turn a column into the array its family is profiled on.

    Parameters
    ----------
    series : pandas.Series
        One column, of any dtype.

    Returns
    -------
    Prepared
        The family (``numeric``, ``boolean``, ``datetime``, ``strings``, ``category``,
        ``objects`` or ``empty``) and its array.

    Examples
    --------
    >>> import pandas as pd
    >>> prepare(pd.Series([1, None], dtype="Int64")).family
    'numeric'
    >>> prepare(pd.Series(["a", 1], dtype=object)).family
    'objects'
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return Prepared("category", series)
    if ptypes.is_bool_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        missing = series.isna().to_numpy()
        bools = series.to_numpy(dtype=bool, na_value=False)
        return Prepared("boolean", series, bools=bools, missing=missing)
    if ptypes.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return Prepared("datetime", series)
    if ptypes.is_timedelta64_dtype(dtype):
        seconds = series.dt.total_seconds()
        return Prepared("numeric", series, numbers=_as_float(seconds), unit="s")
    if ptypes.is_complex_dtype(dtype):
        return Prepared("strings", _as_text(series))
    if ptypes.is_numeric_dtype(dtype):
        return Prepared(
            "numeric",
            series,
            numbers=_as_float(series),
            integer_dtype=ptypes.is_integer_dtype(dtype),
        )
    if isinstance(dtype, pd.StringDtype) or (
        ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype)
    ):
        return Prepared("strings", series)
    if ptypes.is_object_dtype(dtype):
        return _prepare_object(series)
    if isinstance(dtype, pd.ArrowDtype):
        # Arrow types pandas has no family for (binary, lists, structs, time of day...).
        return Prepared("objects", pd.Series(series.to_numpy(dtype=object), dtype=object))
    return Prepared("strings", _as_text(series))


def string_kind(
    *,
    n_present: int,
    n_distinct: int,
    whitespace_share: float,
    mean_length: float,
    personal_share: float,
) -> str:
    """Tell a category, free text and an identifier apart.

    Examples
    --------
    >>> string_kind(n_present=1000, n_distinct=5, whitespace_share=0.0, mean_length=3.0,
    ...             personal_share=0.0)
    'categorical'
    >>> string_kind(n_present=1000, n_distinct=990, whitespace_share=0.0, mean_length=8.0,
    ...             personal_share=0.0)
    'identifier'
    """
    if n_present == 0:
        return "empty"
    if personal_share >= 0.5:
        return "text"
    if n_distinct <= MAX_CATEGORY_DISTINCT:
        return "categorical"
    if whitespace_share >= 0.5 or mean_length >= 40:
        return "text"
    if n_distinct / n_present >= ID_DISTINCT_RATIO:
        return "identifier"
    return "categorical"
