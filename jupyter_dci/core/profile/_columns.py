"""Profile one column: from a pandas Series to a :class:`ColumnProfile` and the facts alerts use.

Each family is encoded once; what the frame-level steps need from the column (an array to hash
for duplicate rows, a small sample for associations) is handed back beside the profile, so no
column is read twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from jupyter_dci.core.profile._categorical import (
    Encoded,
    encode_booleans,
    encode_category,
    encode_objects,
    encode_strings,
    placeholder_counts,
    spelling_groups,
    top_values,
)
from jupyter_dci.core.profile._datetime import datetime_ticks, summarise_datetime
from jupyter_dci.core.profile._kinds import prepare, string_kind
from jupyter_dci.core.profile._numeric import OutlierFences, summarise_numeric
from jupyter_dci.core.profile._result import ColumnProfile, Kind
from jupyter_dci.core.profile._text import personal_data, text_stats, whitespace_share

__all__ = ["ColumnFacts", "ColumnWork", "profile_column"]

# Non-numeric columns with more distinct values than this take no part in associations.
MAX_ASSOCIATION_CODES = 100
# Integer columns whose values are all distinct and span at most this many times their count
# are row ids (1, 2, 3...), not measurements.
_ID_SPAN_RATIO = 2.0


@dataclass(frozen=True)
class ColumnFacts:
    """What the alerts need beyond the public profile (all small)."""

    fences: OutlierFences | None = None
    sentinels: tuple[tuple[float, int], ...] = ()
    placeholders: tuple[tuple[Any, int], ...] = ()
    spelling: tuple[dict[str, Any], ...] = ()
    personal: dict[str, int] = field(default_factory=dict)
    top_count: int = 0
    n_unused_categories: int = 0


@dataclass(frozen=True)
class ColumnWork:
    """A column's profile, its facts, its array to hash, and its association input."""

    profile: ColumnProfile
    facts: ColumnFacts
    hash_input: np.ndarray
    numbers: np.ndarray | None = None
    codes: np.ndarray | None = None
    n_codes: int = 0
    classes: dict[Any, int] | None = None


def _memory(series: pd.Series) -> int:
    try:
        return int(series.memory_usage(deep=True, index=False))
    except (TypeError, ValueError):  # exotic cells whose size pandas cannot read
        return int(series.memory_usage(deep=False, index=False))


def _object_string_memory(enc: Encoded, n_rows: int) -> int:
    """Estimate ``memory_usage(deep=True)`` of an object column of str from its distinct values.

    pandas would call ``sys.getsizeof`` on every cell (about 150 ms per million); CPython's size
    of a str is 49 bytes plus one byte per character when ASCII (exact), about 73 plus its UTF-8
    bytes otherwise; a missing cell is taken as a NaN float (24 bytes), each cell has an 8-byte
    pointer.
    """
    nbytes = pc.binary_length(enc.uniques).to_numpy(zero_copy_only=False).astype(np.int64)
    ascii_ = pc.string_is_ascii(enc.uniques).to_numpy(zero_copy_only=False)
    per_value = np.where(ascii_, 49 + nbytes, 73 + nbytes)
    return int(8 * n_rows + (per_value * enc.counts).sum() + 24 * enc.n_missing)


def _float_hash_input(values: np.ndarray) -> np.ndarray:
    # -0.0 and 0.0 are the same value, and every NaN is the same missing value.
    out = values + 0.0
    nan = np.isnan(out)
    if nan.any():
        out[nan] = np.nan
    return out.view(np.uint64)


def _numeric_column(prep: Any, base: dict[str, Any]) -> ColumnWork:
    numbers = prep.numbers
    summary = summarise_numeric(numbers, unit=prep.unit)
    stats = summary.stats
    n_valid = summary.n_valid
    kind: Kind = "numeric"
    if n_valid == 0:
        kind = "empty"
    elif (
        prep.integer_dtype
        and n_valid > 50
        and summary.n_distinct == n_valid
        and stats.max is not None
        and stats.min is not None
        and stats.max - stats.min + 1 <= _ID_SPAN_RATIO * n_valid
    ):
        kind = "identifier"
    profile = ColumnProfile(
        kind=kind,
        n_missing=base["n_rows"] - n_valid,
        n_distinct=summary.n_distinct,
        numeric=stats if n_valid else None,
        **base,
    )
    facts = ColumnFacts(fences=summary.fences, sentinels=summary.sentinels)
    return ColumnWork(profile, facts, _float_hash_input(numbers), numbers=numbers)


def _datetime_column(prep: Any, base: dict[str, Any]) -> ColumnWork:
    ticks, unit, tz = datetime_ticks(prep.series)
    summary = summarise_datetime(ticks, unit, tz)
    nat = np.iinfo(np.int64).min
    n_missing = int(np.count_nonzero(ticks == nat))
    n_valid = base["n_rows"] - n_missing
    profile = ColumnProfile(
        kind="datetime" if n_valid else "empty",
        n_missing=n_missing,
        n_distinct=summary.n_distinct,
        datetime=summary.stats if n_valid else None,
        **base,
    )
    facts = ColumnFacts(placeholders=summary.placeholders)
    numbers = ticks.astype(np.float64)
    numbers[ticks == nat] = np.nan
    return ColumnWork(profile, facts, ticks.view(np.uint64), numbers=numbers)


def _encoded_column(
    enc: Encoded, base: dict[str, Any], *, family: str, types: dict[str, int] | None = None
) -> ColumnWork:
    n_present = int(enc.counts.sum())
    n_distinct = enc.n_distinct
    text = text_stats(enc) if enc.is_string else None
    personal = personal_data(enc) if enc.is_string else {}
    if n_present == 0:
        kind = "empty"
    elif family == "boolean":
        kind = "boolean"
    elif family == "category":
        kind = "categorical"
    elif types is not None and len(types) > 1:
        kind = "mixed"
    else:
        kind = string_kind(
            n_present=n_present,
            n_distinct=n_distinct,
            whitespace_share=whitespace_share(enc) if n_distinct > 50 else 0.0,
            mean_length=text.mean_length if text else 0.0,
            personal_share=max(personal.values(), default=0) / n_present,
        )
    top = top_values(enc) if n_present else None
    facts = ColumnFacts(
        placeholders=tuple(placeholder_counts(enc)),
        spelling=tuple(spelling_groups(enc)) if kind == "categorical" else (),
        personal=personal,
        top_count=top.counts[0] if top and top.counts else 0,
        n_unused_categories=int(np.count_nonzero(enc.counts == 0)) if family == "category" else 0,
    )
    profile = ColumnProfile(
        kind=kind,  # type: ignore[arg-type]
        n_missing=enc.n_missing,
        n_distinct=n_distinct,
        top=top,
        text=text if kind in ("text", "identifier", "categorical") else None,
        types=MappingProxyType(types or {}),
        **base,
    )
    codes = enc.codes
    few = n_distinct <= MAX_ASSOCIATION_CODES
    classes = None
    if few and n_present:
        every = top_values(enc, k=MAX_ASSOCIATION_CODES)
        classes = dict(zip(every.values, every.counts, strict=True))
    return ColumnWork(
        profile,
        facts,
        codes.astype(np.int64, copy=False).view(np.uint64),
        codes=codes if few else None,
        n_codes=len(enc.counts),
        classes=classes,
    )


def profile_column(series: pd.Series, *, key: str, position: int) -> ColumnWork:
    """Profile one column.

    Parameters
    ----------
    series : pandas.Series
        The column.
    key : str
        Its key in the profile (its name as text, made unique).
    position : int
        Its position in the frame.

    Returns
    -------
    ColumnWork
        The profile, the facts alerts use, and the arrays the frame-level steps use.

    Examples
    --------
    >>> import pandas as pd
    >>> profile_column(pd.Series([True, False, None]), key="b", position=0).profile.kind
    'boolean'
    """
    prep = prepare(series)
    base: dict[str, Any] = {
        "name": key,
        "position": position,
        "dtype": str(series.dtype),
        "n_rows": len(series),
        # An object column of str gets its deep memory from its distinct values, once encoded.
        "memory": None
        if prep.family == "strings" and prep.series is series and series.dtype == object
        else _memory(series),
    }
    family = prep.family
    if family == "numeric":
        return _numeric_column(prep, base)
    if family == "datetime":
        return _datetime_column(prep, base)
    if family == "boolean":
        # prepare() sets both arrays for the boolean family.
        bools, missing = cast(np.ndarray, prep.bools), cast(np.ndarray, prep.missing)
        return _encoded_column(encode_booleans(bools, missing), base, family=family)
    if family == "category":
        return _encoded_column(encode_category(prep.series), base, family=family)
    if family == "strings":
        enc = encode_strings(prep.series)
        if base["memory"] is None:
            base["memory"] = _object_string_memory(enc, len(series))
        return _encoded_column(enc, base, family=family)
    missing = prep.series.isna().to_numpy()
    values = prep.series.to_numpy(dtype=object)
    enc, types = encode_objects(values, missing)
    return _encoded_column(enc, base, family=family, types=types)
