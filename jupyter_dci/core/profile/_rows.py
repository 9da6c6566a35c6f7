"""Find again the rows an alert concerns, from the alert's details and the profiled frame.

A profile keeps no row ids (a million of them would not be "small"), so each alert kind knows
how to select its rows from the frame: missing cells, values beyond the fences, placeholder
values, minority spellings, copies of earlier rows...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jupyter_dci.core.profile._categorical import _arrow_strings
from jupyter_dci.core.profile._columns import profile_column
from jupyter_dci.core.profile._kinds import prepare
from jupyter_dci.core.profile._profile import RowHasher, column_keys
from jupyter_dci.core.profile._result import cut_prefix
from jupyter_dci.core.profile._text import PERSONAL_PATTERNS
from jupyter_dci.errors import DataMismatchError

if TYPE_CHECKING:
    from jupyter_dci.core.profile._result import Alert, DataFrameProfile

__all__ = ["alert_rows"]


def _numbers(series: pd.Series) -> np.ndarray:
    prep = prepare(series)
    if prep.numbers is None:
        return np.full(len(series), np.nan)
    return prep.numbers


def _duplicates(df: pd.DataFrame) -> np.ndarray:
    hasher = RowHasher(len(df), n_columns=df.shape[1])
    for pos in range(df.shape[1]):
        hasher.add(profile_column(df.iloc[:, pos], key=str(pos), position=pos).hash_input)
    return pd.Series(hasher.value).duplicated(keep="first").to_numpy()


def _isin_text(series: pd.Series, values: list[object]) -> np.ndarray:
    """Rows holding one of ``values``; a value the profile cut matches the rows it starts."""
    prefixes = [p for p in map(cut_prefix, values) if p is not None]
    whole = [v for v in values if cut_prefix(v) is None]
    prep = prepare(series)
    if prep.family == "strings":
        strings = _arrow_strings(prep.series)
        hit = pc.is_in(strings, value_set=pa.array([str(v) for v in whole], type=strings.type))
        mask = hit.to_numpy(zero_copy_only=False).astype(bool)
        for prefix in prefixes:
            starts = pc.fill_null(pc.starts_with(strings, pattern=prefix), False)
            mask |= starts.to_numpy(zero_copy_only=False).astype(bool)
        return mask
    mask = series.astype(object).isin(whole).to_numpy()
    for prefix in prefixes:
        mask |= series.map(lambda v, p=prefix: isinstance(v, str) and v.startswith(p)).to_numpy(
            dtype=bool
        )
    return mask


def _string_mask(series: pd.Series, pattern: str) -> np.ndarray:
    prep = prepare(series)
    if prep.family != "strings":
        return np.zeros(len(series), dtype=bool)
    hit = pc.match_substring_regex(_arrow_strings(prep.series), pattern)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)


def _placeholder_mask(series: pd.Series, kind: str, values: list[object]) -> np.ndarray:
    if kind == "datetime":
        days = pd.to_datetime(series, errors="coerce", utc=True).dt.strftime("%Y-%m-%d")
        return days.isin([str(v) for v in values]).to_numpy()
    if kind in ("numeric", "identifier"):
        return np.isin(_numbers(series), np.asarray(values, dtype=float))
    return _isin_text(series, values)


def _personal_data_mask(series: pd.Series, found: Iterable[str]) -> np.ndarray:
    mask = np.zeros(len(series), dtype=bool)
    for name in found:
        mask |= _string_mask(series, PERSONAL_PATTERNS[name])
    return mask


def _mixed_types_mask(series: pd.Series, dominant: str) -> np.ndarray:
    values = series.to_numpy(dtype=object)
    names = np.array([type(v).__name__ for v in values], dtype=object)
    return series.notna().to_numpy() & (names != dominant)


def _minority_spellings(groups: Iterable[Mapping[str, Any]]) -> list[object]:
    # Each group lists its spellings most common first; the rest are the minority.
    return [v for g in groups for v in g["values"][1:]]


def _column_mask(alert: Alert, series: pd.Series, kind: str) -> np.ndarray:
    d = alert.details
    if alert.kind in ("missing", "empty_column", "missing_labels"):
        return series.isna().to_numpy()
    if alert.kind == "constant":
        return series.notna().to_numpy()
    if alert.kind == "near_constant":
        return series.notna().to_numpy() & ~_isin_text(series, [d["value"]])
    if alert.kind == "outliers":
        x = _numbers(series)
        with np.errstate(invalid="ignore"):
            return np.isfinite(x) & ((x < d["low"]) | (x > d["high"]))
    if alert.kind == "infinite":
        return np.isinf(_numbers(series))
    if alert.kind == "zero_inflated":
        return _numbers(series) == 0
    if alert.kind == "placeholder":
        return _placeholder_mask(series, kind, list(d["values"]))
    if alert.kind == "inconsistent_spelling":
        return _isin_text(series, _minority_spellings(d["groups"]))
    if alert.kind == "personal_data":
        return _personal_data_mask(series, d["found"])
    if alert.kind == "mixed_types":
        return _mixed_types_mask(series, d["dominant"])
    if alert.kind == "rare_classes":
        return _isin_text(series, list(d["classes"]))
    return np.zeros(len(series), dtype=bool)


def alert_rows(prof: DataFrameProfile, alert: Alert, df: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows of ``df`` that ``alert`` concerns (see ``alert_rows``).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile import profile
    >>> df = pd.DataFrame({"a": [1, 1, 2]})
    >>> prof = profile(df)
    >>> dup = next(a for a in prof.alerts if a.kind == "duplicate_rows")
    >>> alert_rows(prof, dup, df).tolist()
    [False, True, False]
    """
    if not isinstance(df, pd.DataFrame) or column_keys(df.columns) != list(prof.columns):
        got = list(map(str, df.columns))[:10] if isinstance(df, pd.DataFrame) else type(df)
        raise DataMismatchError(
            f"alert_rows needs the frame that was profiled, with columns "
            f"{list(prof.columns)[:10]}. Got {got} instead; pass the same DataFrame."
        )
    if alert.kind == "duplicate_rows":
        mask = _duplicates(df)
    elif alert.column is None or alert.column not in prof.columns:
        mask = np.zeros(len(df), dtype=bool)
    else:
        col = prof.columns[alert.column]
        mask = _column_mask(alert, df.iloc[:, col.position], col.kind)
    return pd.Series(mask, index=df.index, name=alert.kind, dtype=bool)
