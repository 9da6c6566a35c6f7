"""Statistics of datetime columns: range, distinct count and a time histogram.

Datetimes are profiled as their int64 ticks (UTC for tz-aware columns) sorted once; the range,
the distinct count and the histogram are then read off the sorted ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias, cast

import numpy as np
import pandas as pd

from jupyter_dci.core.profile._result import DatetimeStats, Histogram

__all__ = ["PLACEHOLDER_DATES", "DatetimeSummary", "datetime_ticks", "summarise_datetime"]

N_BINS = 30
#: Dates that systems write for "unknown".
PLACEHOLDER_DATES: tuple[str, ...] = ("1900-01-01", "1970-01-01", "2999-12-31", "9999-12-31")
#: The resolutions of pandas' datetimes: the unit of the ticks.
DatetimeUnit: TypeAlias = Literal["s", "ms", "us", "ns"]


@dataclass(frozen=True)
class DatetimeSummary:
    """Internal result: the public stats plus what the alerts need."""

    stats: DatetimeStats
    n_distinct: int
    placeholders: tuple[tuple[str, int], ...]


def datetime_ticks(series: pd.Series) -> tuple[np.ndarray, DatetimeUnit, str | None]:
    """Return int64 ticks (NaT as the int64 minimum), their numpy unit and the time zone.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ticks, unit, tz = datetime_ticks(pd.Series(pd.to_datetime(["2024-01-01", None])))
    >>> tz, int(ticks[0] > 0), int(ticks[1] == np.iinfo(np.int64).min)
    (None, 1, 1)
    """
    dtype = series.dtype
    tz = None
    if isinstance(dtype, pd.DatetimeTZDtype):
        tz = str(dtype.tz)
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    elif isinstance(dtype, pd.PeriodDtype):
        series = series.dt.to_timestamp()
    values = series.to_numpy()
    if values.dtype.kind != "M":
        values = pd.to_datetime(series, errors="coerce").to_numpy()
    unit = cast(DatetimeUnit, np.datetime_data(values.dtype)[0])  # numpy types it as str
    return values.view(np.int64), unit, tz


def _iso(tick: float, unit: DatetimeUnit) -> str:
    return str(np.datetime64(int(tick), unit))


def summarise_datetime(ticks: np.ndarray, unit: DatetimeUnit, tz: str | None) -> DatetimeSummary:
    """Summarise int64 datetime ticks (NaT = int64 minimum).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-01", "2024-03-01"], dtype="datetime64[s]").view(np.int64)
    >>> summarise_datetime(t, "s", None).stats.max
    '2024-03-01T00:00:00'
    """
    nat = np.iinfo(np.int64).min
    s = np.sort(ticks[ticks != nat])
    n = len(s)
    if n == 0:
        return DatetimeSummary(DatetimeStats(None, None, tz, None), 0, ())
    n_distinct = int(np.count_nonzero(s[1:] != s[:-1]) + 1)
    lo, hi = int(s[0]), int(s[-1])
    if hi == lo:
        edges = np.array([lo, lo + 1], dtype=np.float64)
    else:
        edges = np.linspace(lo, hi, N_BINS + 1)
    pos = np.searchsorted(s, edges, side="left")
    pos[-1] = n
    counts = np.diff(pos)
    hist = Histogram(
        edges=tuple(_iso(e, unit) for e in edges),
        counts=tuple(int(c) for c in counts),
    )
    placeholders = []
    first_day = np.datetime64(lo, unit).astype("M8[D]")
    last_day = np.datetime64(hi, unit).astype("M8[D]")
    for day in PLACEHOLDER_DATES:
        # Only days inside the observed range: others may not even fit in the column's unit.
        if not first_day <= np.datetime64(day, "D") <= last_day:
            continue
        start = np.datetime64(day, unit).astype(np.int64)
        end = (np.datetime64(day, "D") + np.timedelta64(1, "D")).astype(f"M8[{unit}]")
        count = int(
            np.searchsorted(s, end.astype(np.int64), "left") - np.searchsorted(s, start, "left")
        )
        if count:
            placeholders.append((day, count))
    stats = DatetimeStats(min=_iso(lo, unit), max=_iso(hi, unit), timezone=tz, histogram=hist)
    return DatetimeSummary(stats, n_distinct, tuple(placeholders))
