"""Profile data that stays in its engine: Polars, DuckDB, Arrow data, Parquet or CSV files.

The same :class:`DataFrameProfile` as the pandas path, computed so that only bounded results
leave the engine, in a few passes over the data whatever the number of columns:

1. distinct values are estimated for every column at once (HyperLogLog in DuckDB and Polars);
2. a column with at most :data:`EXACT_DISTINCT` distinct values comes back as its value counts
   (value, rows), from which the pandas path's own functions compute everything exactly:
   quantiles, histogram, outlier fences, placeholders, spellings, top values;
3. wider columns are summarised by engine aggregates, batched into one pass each: missing
   values, min, max, mean, standard deviation, zeros and infinities (exact); quantiles (a
   t-digest sketch in DuckDB, exact elsewhere); then the histogram, outlier and placeholder
   counts; text lengths and the commonest values by group-bys. Their distinct counts are
   estimates, and the profile says so (``ColumnProfile.estimated``);
4. duplicate rows are counted by a row hash in the engine; associations and the label's
   leakage are measured on a sample of at most 50,000 rows, as on the pandas path.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> prof = profile_lazy(as_source(pl.DataFrame({"x": [1.0, 2.0, 2.0, None]}), "profile"))
>>> prof.n_rows, prof.n_duplicate_rows, prof.columns["x"].n_missing, prof.engine
(4, 1, 1, 'polars')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa

from jupyter_dci.core.engine import LazySource, column_family, scalars
from jupyter_dci.core.engine._native import (
    BinSpec,
    approx_distinct,
    duplicate_rows,
    histograms,
    sample_rows,
)
from jupyter_dci.core.profile._alerts import (
    association_alerts,
    column_alerts,
    duplicate_rows_alert,
)
from jupyter_dci.core.profile._associations import ASSOCIATION_ROWS, AssocInput
from jupyter_dci.core.profile._categorical import Encoded, top_values
from jupyter_dci.core.profile._columns import ColumnFacts, _encoded_column
from jupyter_dci.core.profile._datetime import N_BINS as DATETIME_BINS
from jupyter_dci.core.profile._datetime import PLACEHOLDER_DATES
from jupyter_dci.core.profile._kinds import string_kind
from jupyter_dci.core.profile._label import MAX_CLASSES, label_alerts
from jupyter_dci.core.profile._numeric import (
    N_BINS,
    QUANTILES,
    SENTINELS,
    NumericSummary,
    OutlierFences,
    summarise_counts,
)
from jupyter_dci.core.profile._result import (
    Alert,
    ColumnProfile,
    DataFrameProfile,
    DatetimeStats,
    Histogram,
    NumericStats,
    TextStats,
    TopValues,
)
from jupyter_dci.core.profile._text import personal_data, whitespace_share
from jupyter_dci.errors import param_error

__all__ = ["EXACT_DISTINCT", "profile_lazy"]

#: Up to this many distinct values a column comes back as its value counts and is profiled
#: exactly; beyond, by engine aggregates. HyperLogLog errs by ~2%: the margin keeps a column of
#: exactly this many on the exact side.
EXACT_DISTINCT = 100_000
_MARGIN = 1.05
#: The commonest values of a wide text column read for its kind and personal-data shares.
_WIDE_TEXT_VALUES = 2_000
_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
#: Quantiles a wide numeric column needs: the profile's, and those of the outlier fences.
_FENCE_QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
_FENCE_K = 3.0
#: Up to this many rows the quantiles of wide numeric columns are exact; beyond, they are
#: estimated from the sample (an exact quantile sorts the column in the engine).
EXACT_QUANTILE_ROWS = 1_000_000
_ID_SPAN_RATIO = 2.0
_DAY_US = 86_400_000_000

Work = tuple[ColumnProfile, ColumnFacts]


class _Pass:
    """Expressions over several columns, computed in one pass over the data."""

    def __init__(self) -> None:
        self._exprs: list[Any] = []
        self.row: dict[str, Any] = {}

    def add(self, expr: Any) -> str:
        """Queue ``expr`` (an aggregate); return the key of its value in :attr:`row`."""
        key = f"e{len(self._exprs)}"
        self._exprs.append(expr.alias(key))
        return key

    def run(self, source: LazySource) -> dict[str, Any]:
        """Compute every queued expression in one select."""
        if self._exprs:
            self.row = scalars(source.frame.select(self._exprs))
        return self.row

    def int(self, key: str) -> int:
        """Return an integer result (a sum of nothing is 0, not None)."""
        return int(self.row[key] or 0)


@dataclass
class _Column:
    """One column's plan and the keys of its results in the passes."""

    name: str
    position: int
    dtype: Any
    family: str
    n_rows: int
    approx: int = 0
    #: Whether ``approx`` is an exact count (Polars counts; DuckDB estimates).
    counted: bool = False
    keys: dict[str, Any] = field(default_factory=dict)

    @property
    def estimated(self) -> tuple[str, ...]:
        """The figures of a wide column that are estimates: its distinct count in DuckDB."""
        return () if self.counted else ("n_distinct",)

    @property
    def exact(self) -> bool:
        return self.approx <= EXACT_DISTINCT * _MARGIN

    @property
    def values(self) -> Any:
        """The column as the expression its family is summarised on."""
        col = nw.col(self.name)
        if self.family == "duration":
            return col.dt.total_microseconds().cast(nw.Float64()) / 1e6
        if self.family == "numeric":
            return col.cast(nw.Float64())
        if self.family == "string":
            return col.cast(nw.String())
        if self.family == "datetime" and isinstance(self.dtype, nw.Date):
            return col.cast(nw.Datetime("us"))
        return col

    def base(self, n_missing: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "position": self.position,
            "dtype": str(self.dtype),
            "n_rows": self.n_rows,
            # Never in the kernel's memory: the engine holds it (and may stream it from disk).
            "memory": 0,
        }
        if n_missing is not None:
            out["n_missing"] = n_missing
        return out


def _value_counts(source: LazySource, column: _Column) -> pd.DataFrame:
    """Rows per distinct non-missing value of one column, in the engine, in value order."""
    counted = (
        source.frame.filter(~nw.col(column.name).is_null())
        .select(column.values.alias("value"))
        .group_by("value")
        .agg(nw.len().alias("n"))
        .sort("value")
    )
    return counted.collect().to_pandas()


# ---- exact columns: value counts through the pandas path's own functions -------------------


def _numeric_profile(
    summary: NumericSummary, base: dict[str, Any], integer: bool, *, estimated: tuple[str, ...]
) -> Work:
    stats = summary.stats
    n_valid = summary.n_valid
    kind = "numeric"
    if n_valid == 0:
        kind = "empty"
    elif (
        integer
        and n_valid > 50
        and summary.n_distinct >= (0.97 * n_valid if estimated else n_valid)
        and stats.max is not None
        and stats.min is not None
        and stats.max - stats.min + 1 <= _ID_SPAN_RATIO * n_valid
    ):
        kind = "identifier"
    profile = ColumnProfile(
        kind=kind,  # type: ignore[arg-type]  # one of the Kind literals above
        n_missing=base["n_rows"] - n_valid,
        n_distinct=summary.n_distinct,
        numeric=stats if n_valid else None,
        estimated=estimated,
        **base,
    )
    return profile, ColumnFacts(fences=summary.fences, sentinels=summary.sentinels)


def _exact_numeric(counts: pd.DataFrame, column: _Column) -> Work:
    values = counts["value"].to_numpy(dtype=np.float64)
    n = counts["n"].to_numpy(dtype=np.int64)
    unit = "s" if column.family == "duration" else ""
    summary = summarise_counts(values, n, unit=unit)
    return _numeric_profile(summary, column.base(), column.dtype.is_integer(), estimated=())


def _exact_encoded(counts: pd.DataFrame, column: _Column, n_missing: int) -> Work:
    n = counts["n"].to_numpy(dtype=np.int64)
    if column.family == "boolean":
        by_value = dict(zip(counts["value"].astype(bool), n, strict=True))
        uniques: Any = np.array([False, True], dtype=object)
        n = np.array([by_value.get(False, 0), by_value.get(True, 0)], dtype=np.int64)
        enc = Encoded(np.empty(0, np.int64), uniques, n, n_missing, False)
        work = _encoded_column(enc, column.base(), family="boolean")
    else:
        strings = pa.array(counts["value"].astype(str).to_numpy(dtype=object), type=pa.string())
        enc = Encoded(np.empty(0, np.int64), strings, n, n_missing, True)
        work = _encoded_column(enc, column.base(), family="strings")
    return work.profile, work.facts


# ---- wide numeric columns ---------------------------------------------------------------------


def _queue_numeric(p: _Pass, column: _Column) -> None:
    col = column.values
    finite = nw.when(col.is_finite()).then(col)
    column.keys.update(
        n=p.add(finite.count()),
        min=p.add(finite.min()),
        max=p.add(finite.max()),
        mean=p.add(finite.mean()),
        std=p.add(finite.std(ddof=1)),
        zeros=p.add((col == 0).sum()),
        negative=p.add((col < 0).sum()),
        inf=p.add((col.abs() == float("inf")).sum()),
    )


def _quantiles(
    source: LazySource, columns: list[_Column], sample: pd.DataFrame
) -> dict[str, dict[float, Any]]:
    """Return the quantiles of the wide numeric columns.

    Exact up to :data:`EXACT_QUANTILE_ROWS` rows (one pass), else estimated from the sample
    (rank error about 0.2% at 50,000 rows).
    """
    if not columns:
        return {}
    if source.n_rows > EXACT_QUANTILE_ROWS and len(sample):
        out = {}
        for c in columns:
            values = pd.to_numeric(sample[c.name], errors="coerce").to_numpy(dtype=np.float64)
            if c.family == "duration":
                values = (
                    values / 1e6
                    if sample[c.name].dtype.kind != "m"
                    else (sample[c.name].dt.total_seconds().to_numpy(dtype=np.float64))
                )
            finite = values[np.isfinite(values)]
            c.keys["sampled"] = True
            out[c.name] = {
                q: (float(np.quantile(finite, q)) if len(finite) else None)
                for q in _FENCE_QUANTILES
            }
        return out
    p = _Pass()
    keys = {}
    for c in columns:
        finite = nw.when(c.values.is_finite()).then(c.values)
        keys[c.name] = [p.add(finite.quantile(q, interpolation="linear")) for q in _FENCE_QUANTILES]
    p.run(source)
    return {
        name: {q: p.row[k] for q, k in zip(_FENCE_QUANTILES, ks, strict=True)}
        for name, ks in keys.items()
    }


def _fences_from_quantiles(q: dict[float, Any], n: int, lo: float) -> OutlierFences | None:
    """Return the pandas path's robust fences (see ``_numeric._fences``) from quantiles."""
    if n < 10 or any(v is None for v in q.values()):
        return None
    p = 0.99 if n >= 2000 else (0.95 if n >= 200 else 0.9)
    q10, q50, q90 = q[0.1], q[0.5], q[0.9]
    use_log = bool(lo > 0 and q90 > q10 and (q90 + q10 - 2 * q50) / (q90 - q10) > 0.3)

    def tf(v: float) -> float:
        return float(np.log(v)) if use_log else float(v)

    qlo, qmed, qhi = tf(q[round(1 - p, 2)]), tf(q50), tf(q[p])
    q25, q75 = tf(q[0.25]), tf(q[0.75])
    if qhi <= qlo:
        return None
    iqr = q75 - q25
    high = max(qhi + _FENCE_K * (qhi - qmed), q75 + 3 * iqr)
    low = min(qlo - _FENCE_K * (qmed - qlo), q25 - 3 * iqr)
    if use_log:
        low, high = float(np.exp(low)), float(np.exp(high))
    return OutlierFences(low=low, high=high, log=use_log, n_low=0, n_high=0)


def _numeric_edges(lo: float, hi: float, fences: OutlierFences | None) -> tuple[np.ndarray, str]:
    """Bin edges over the values inside the fences (the outliers are counted apart)."""
    if fences is not None:
        lo, hi = max(lo, fences.low), min(hi, fences.high)
    if hi <= lo:
        return np.array([lo - 0.5, lo + 0.5]), "linear"
    if fences is not None and fences.log and lo > 0:
        edges = np.geomspace(lo, hi, N_BINS + 1)
        edges[0], edges[-1] = lo, hi
        return edges, "log"
    return np.linspace(lo, hi, N_BINS + 1), "linear"


def _spec_values(source: LazySource, spec: BinSpec) -> Any:
    """Return the values a histogram spec counts, as a narwhals expression."""
    col = nw.col(spec.column)
    dtype = source.schema[spec.column]
    if spec.kind == "length":
        return col.cast(nw.String()).str.len_chars()
    if spec.kind == "datetime":
        if isinstance(dtype, nw.Date):
            col = col.cast(nw.Datetime("us"))
        tz = getattr(dtype, "time_zone", None)
        return (col - nw.lit(_literal(0, tz))).dt.total_microseconds().cast(nw.Float64())
    values = col.cast(nw.Float64())
    return nw.when(values.is_finite()).then(values)


def _group_by_bins(source: LazySource, spec: BinSpec) -> dict[int, int]:
    """Count one histogram by a group-by in the engine (the path for engines but DuckDB)."""
    values = _spec_values(source, spec)
    if spec.kind == "length":
        index = values
    else:
        n_bins = len(spec.edges) - 1
        e0, e1 = spec.edges[0], spec.edges[-1]
        log = spec.kind == "log"
        scaled = values.log() if log else values
        origin = float(np.log(e0)) if log else e0
        width = ((float(np.log(e1)) if log else e1) - origin) / n_bins
        index = (
            nw.when(values < e0)
            .then(nw.lit(-1))
            .when(values > e1)
            .then(nw.lit(n_bins))
            .otherwise(((scaled - origin) / width).floor().clip(0, n_bins - 1))
        )
    counted = (
        source.frame.select(index.cast(nw.Int64()).alias("bin"))
        .filter(~nw.col("bin").is_null())
        .group_by("bin")
        .agg(nw.len().alias("n"))
        .collect()
        .to_pandas()
    )
    return dict(zip(counted["bin"].astype(int), counted["n"].astype(int), strict=True))


def _split_bins(counts: dict[int, int], n_bins: int) -> tuple[int, list[int], int]:
    """(below, per bin, above) from the counts per bin index."""
    return counts.get(-1, 0), [counts.get(i, 0) for i in range(n_bins)], counts.get(n_bins, 0)


def _queue_numeric_counts(
    source: LazySource, p: _Pass, column: _Column, first: _Pass, q: dict[float, Any]
) -> None:
    """After the first pass: queue the histogram and the placeholder counts."""
    n = first.int(column.keys["n"])
    if n == 0:
        return
    lo, hi = float(first.row[column.keys["min"]]), float(first.row[column.keys["max"]])
    fences = _fences_from_quantiles(q, n, lo)
    edges, scale = _numeric_edges(lo, hi, fences)
    keys = column.keys
    keys.update(fences=fences, edges=edges, scale=scale, lo=lo, hi=hi, quantiles=q)
    # The edges are the fences where the fences fall inside the range: the values beyond the
    # edges are the outliers the fences count.
    keys["spec"] = BinSpec(
        column.name, "log" if scale == "log" else "number", tuple(float(e) for e in edges)
    )
    keys["sentinels"] = {v: p.add((column.values == v).sum()) for v in SENTINELS if v in (lo, hi)}


def _wide_numeric(column: _Column, first: _Pass, n_missing: int) -> Work:
    keys = column.keys
    counts: _Pass = keys["pass"]
    estimated = column.estimated
    n = first.int(keys["n"])
    n_inf = first.int(keys["inf"])
    integer = column.dtype.is_integer()
    if n == 0:
        summary = summarise_counts(np.empty(0), np.empty(0, np.int64))
        return _numeric_profile(summary, column.base(), integer, estimated=estimated)
    if column.keys.get("sampled"):
        estimated = (*estimated, "quantiles")
    fences = keys["fences"]
    below, bins, above = _split_bins(keys["counts"], len(keys["edges"]) - 1)
    if fences is not None:
        n_low = below if fences.low >= keys["lo"] else 0
        n_high = above if fences.high <= keys["hi"] else 0
        fences = OutlierFences(fences.low, fences.high, fences.log, n_low, n_high)
    q = keys["quantiles"]
    quantiles = {str(p): float(q[p]) for p in QUANTILES}
    q05, q50, q95 = quantiles["0.05"], quantiles["0.5"], quantiles["0.95"]
    std = first.row[keys["std"]]
    stats = NumericStats(
        min=keys["lo"],
        max=keys["hi"],
        mean=float(first.row[keys["mean"]]),
        std=float(std) if n > 1 and std is not None else 0.0,
        quantiles=MappingProxyType(quantiles),
        n_zeros=first.int(keys["zeros"]),
        n_negative=first.int(keys["negative"]),
        n_inf=n_inf,
        skewness=float((q95 + q05 - 2 * q50) / (q95 - q05)) if q95 > q05 else 0.0,
        histogram=Histogram(
            edges=tuple(float(e) for e in keys["edges"]),
            counts=tuple(bins),
            n_below=below,
            n_above=above,
            scale=keys["scale"],
        ),
        unit="s" if column.family == "duration" else "",
    )
    sentinels = tuple((v, counts.int(k)) for v, k in keys["sentinels"].items() if counts.int(k))
    summary = NumericSummary(
        stats=stats,
        n_valid=column.n_rows - n_missing,
        n_distinct=column.approx,
        fences=fences,
        sentinels=sentinels,
    )
    return _numeric_profile(summary, column.base(), integer, estimated=estimated)


# ---- datetime columns -------------------------------------------------------------------------


def _as_utc_micros(value: Any) -> int:
    """Return a datetime or date from the engine as microseconds since the epoch (UTC)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.to_datetime64().astype("datetime64[us]").astype(np.int64))


def _literal(micros: float, tz: str | None) -> Any:
    """Return a comparison literal for ``micros`` in the column's own time zone."""
    stamp = pd.Timestamp(int(micros), unit="us")
    if tz is not None:
        stamp = stamp.tz_localize("UTC").tz_convert(tz)
    return stamp.to_pydatetime()


def _queue_datetime(p: _Pass, column: _Column) -> None:
    col = column.values
    column.keys.update(lo=p.add(col.min()), hi=p.add(col.max()))
    if column.exact:
        # n_unique counts a missing value as one more distinct value, as Polars does.
        column.keys["distinct"] = p.add(nw.col(column.name).n_unique())


def _queue_datetime_counts(source: LazySource, p: _Pass, column: _Column, first: _Pass) -> None:
    """After the first pass: queue the histogram and the placeholder-day counts."""
    keys = column.keys
    if first.row[keys["lo"]] is None:
        return
    lo, hi = _as_utc_micros(first.row[keys["lo"]]), _as_utc_micros(first.row[keys["hi"]])
    tz = getattr(column.dtype, "time_zone", None)
    edges = [lo, lo + 1] if hi == lo else np.linspace(lo, hi, DATETIME_BINS + 1).tolist()
    keys.update(lo_us=lo, hi_us=hi, edges=edges, tz=tz)
    col = column.values
    keys["spec"] = BinSpec(column.name, "datetime", tuple(float(e) for e in edges))
    keys["days"] = {}
    for day in PLACEHOLDER_DATES:
        start = int(np.datetime64(day, "us").astype(np.int64))
        if lo < start + _DAY_US and start <= hi:
            inside = (col >= _literal(start, tz)) & (col < _literal(start + _DAY_US, tz))
            keys["days"][day] = p.add(inside.sum())


def _datetime(column: _Column, first: _Pass, n_missing: int) -> Work:
    keys = column.keys
    counts: _Pass = keys["pass"]
    base = column.base(n_missing)
    if "edges" not in keys:
        return ColumnProfile(kind="empty", n_distinct=0, **base), ColumnFacts()

    unit = getattr(column.dtype, "time_unit", "us")

    def iso(micros: float) -> str:
        # In the column's own unit, as the pandas path writes it (a date: whole seconds).
        stamp = np.datetime64(int(micros), "us")
        return str(stamp.astype(f"M8[{unit}]")) if unit in ("s", "ms") else str(stamp)

    stats = DatetimeStats(
        min=iso(keys["lo_us"]),
        max=iso(keys["hi_us"]),
        timezone=keys["tz"],
        histogram=Histogram(
            edges=tuple(iso(e) for e in keys["edges"]),
            counts=tuple(_split_bins(keys["counts"], len(keys["edges"]) - 1)[1]),
        ),
    )
    exact = column.exact
    n_distinct = first.int(keys["distinct"]) - (n_missing > 0) if exact else column.approx
    placeholders = tuple((day, counts.int(k)) for day, k in keys["days"].items() if counts.int(k))
    profile = ColumnProfile(
        kind="datetime",
        n_distinct=n_distinct,
        datetime=stats,
        estimated=() if column.exact else column.estimated,
        **base,
    )
    return profile, ColumnFacts(placeholders=placeholders)


# ---- wide text columns ------------------------------------------------------------------------


def _wide_text(source: LazySource, column: _Column, n_missing: int) -> Work:
    """Lengths from their counts, the commonest values by a group-by, the kind from both."""
    by_length = sorted(column.keys["counts"].items())
    lengths = pd.DataFrame(by_length, columns=["length", "n"])
    common = (
        source.frame.filter(~nw.col(column.name).is_null())
        .select(column.values.alias("value"))
        .group_by("value")
        .agg(nw.len().alias("n"))
        .sort("n", "value", descending=[True, False])
        .head(_WIDE_TEXT_VALUES)
        .collect()
        .to_pandas()
    )
    n_present = column.n_rows - n_missing
    # The commonest values stand for the column in the kind and personal-data checks.
    enc = Encoded(
        np.empty(0, np.int64),
        pa.array(common["value"].astype(str).to_numpy(dtype=object), type=pa.string()),
        common["n"].to_numpy(dtype=np.int64),
        n_missing,
        True,
    )
    text = _length_stats(lengths)
    personal = personal_data(enc)
    kind = string_kind(
        n_present=n_present,
        n_distinct=column.approx,
        whitespace_share=whitespace_share(enc),
        mean_length=text.mean_length if text else 0.0,
        personal_share=max(personal.values(), default=0) / max(int(enc.counts.sum()), 1),
    )
    top = top_values(enc)
    top = TopValues(
        values=top.values,
        counts=top.counts,
        n_other_rows=n_present - sum(top.counts),
        n_other_values=max(column.approx - len(top.values), 0),
    )
    profile = ColumnProfile(
        kind=kind,  # type: ignore[arg-type]  # string_kind returns one of the Kind literals
        n_missing=n_missing,
        n_distinct=column.approx,
        top=top,
        text=text,
        estimated=column.estimated,
        **column.base(),
    )
    facts = ColumnFacts(personal=personal, top_count=top.counts[0] if top.counts else 0)
    return profile, facts


def _length_stats(lengths: pd.DataFrame) -> TextStats | None:
    """Text length statistics from (length, rows) counts, as ``text_stats`` computes them."""
    if lengths.empty:
        return None
    values = lengths["length"].to_numpy(dtype=np.int64)
    counts = lengths["n"].to_numpy(dtype=np.int64)
    total = int(counts.sum())
    cum = np.cumsum(counts)
    lo = int(values[np.searchsorted(cum, (total - 1) // 2, side="right")])
    hi = int(values[np.searchsorted(cum, total // 2, side="right")])
    return TextStats(
        min_length=int(values[0]),
        max_length=int(values[-1]),
        mean_length=float(np.dot(values, counts) / total),
        median_length=(lo + hi) / 2.0,
        n_empty=int(counts[values == 0].sum()),
    )


def _other(column: _Column, n_missing: int) -> Work:
    """Nested, binary or object columns: counted, not summarised."""
    kind = "empty" if n_missing == column.n_rows else "mixed"
    types = {str(column.dtype): column.n_rows - n_missing} if kind == "mixed" else {}
    profile = ColumnProfile(
        kind=kind,  # type: ignore[arg-type]
        n_missing=n_missing,
        n_distinct=0,
        types=MappingProxyType(types),
        estimated=("n_distinct",),
        **column.base(),
    )
    return profile, ColumnFacts()


# ---- the frame -----------------------------------------------------------------------------


def _plan(source: LazySource) -> list[_Column]:
    n_rows = source.n_rows
    columns = [
        _Column(name, pos, dtype, column_family(dtype), n_rows)
        for pos, (name, dtype) in enumerate(source.schema.items())
    ]
    approx, exact = approx_distinct(source, [c.name for c in columns if c.family != "other"])
    for c in columns:
        c.approx = approx.get(c.name, 0)
        c.counted = exact
    return columns


def _first_pass(source: LazySource, columns: list[_Column]) -> _Pass:
    """Missing values of every column, aggregates of the wide and datetime ones: one pass."""
    first = _Pass()
    for c in columns:
        col = nw.col(c.name)
        is_float = isinstance(c.dtype, (nw.Float32, nw.Float64))
        missing = col.is_null() | col.is_nan() if is_float else col.is_null()
        c.keys["missing"] = first.add(missing.sum())
        if c.family in ("numeric", "duration") and not c.exact:
            _queue_numeric(first, c)
        elif c.family == "datetime":
            _queue_datetime(first, c)
    first.run(source)
    return first


def _count_pass(
    source: LazySource, columns: list[_Column], first: _Pass, sample: pd.DataFrame
) -> None:
    """Histograms (all at once in DuckDB), then placeholder counts (one pass)."""
    wide_numeric = [c for c in columns if c.family in ("numeric", "duration") and not c.exact]
    quantiles = _quantiles(source, wide_numeric, sample)
    counts = _Pass()
    for c in columns:
        if c in wide_numeric:
            _queue_numeric_counts(source, counts, c, first, quantiles[c.name])
        elif c.family == "datetime":
            _queue_datetime_counts(source, counts, c, first)
        elif c.family == "string" and not c.exact:
            c.keys["spec"] = BinSpec(c.name, "length")
    with_specs = [c for c in columns if "spec" in c.keys]
    found = histograms(
        source, [c.keys["spec"] for c in with_specs], lambda spec: _group_by_bins(source, spec)
    )
    for c, counted in zip(with_specs, found, strict=True):
        c.keys["counts"] = counted
    counts.run(source)
    for c in columns:
        c.keys["pass"] = counts


def _column_work(
    source: LazySource, columns: list[_Column], sample: pd.DataFrame, progress: Any
) -> list[Work]:
    """Profile every column: exact ones by value counts, wide ones in batched passes."""
    first = _first_pass(source, columns)
    _count_pass(source, columns, first, sample)
    works: list[Work] = []
    for c in columns:
        works.append(_column_result(source, c, first, first.int(c.keys["missing"])))
        if progress is not None:
            progress(c.position + 1, len(columns), c.name)
    return works


def _column_result(source: LazySource, c: _Column, first: _Pass, n_missing: int) -> Work:
    """One column's profile and facts, once the batched passes are done."""
    if c.family in ("numeric", "duration"):
        if c.exact:
            return _exact_numeric(_value_counts(source, c), c)
        return _wide_numeric(c, first, n_missing)
    if c.family == "datetime":
        return _datetime(c, first, n_missing)
    if c.family in ("string", "boolean") and (c.exact or c.family == "boolean"):
        return _exact_encoded(_value_counts(source, c), c, n_missing)
    if c.family == "string":
        return _wide_text(source, c, n_missing)
    return _other(c, n_missing)


def _label_classes(source: LazySource, label: ColumnProfile | None) -> dict[Any, int]:
    """Exact rows per class of the label (empty for a regression target)."""
    if label is None:
        return {}
    if label.top is not None and label.top.n_other_values == 0:
        return dict(zip(label.top.values, label.top.counts, strict=True))
    if label.numeric is not None and label.n_distinct <= MAX_CLASSES and not label.estimated:
        column = _Column(label.name, 0, nw.Float64(), "numeric", label.n_rows)
        counts = _value_counts(source, column)
        return {float(v): int(n) for v, n in zip(counts["value"], counts["n"], strict=True)}
    return {}


def _sample_part(
    source: LazySource,
    sample: pd.DataFrame,
    label: str | None,
    label_profile: ColumnProfile | None,
) -> tuple[Any, list[Alert], int]:
    """Associations and the label's alerts: leakage on the sample, class counts exact."""
    from jupyter_dci.core.profile._profile import profile as profile_frame

    if sample.empty:
        return (), [], 0
    sampled = profile_frame(sample, label=label)
    alerts = association_alerts(sampled.associations, n_rows_used=len(sample))
    alerts += [a for a in sampled.alerts if a.kind == "leakage"]
    classes = _label_classes(source, label_profile)
    if label_profile is not None and classes:
        # Imbalance, rare classes, missing labels: from the exact counts of all rows.
        alerts += label_alerts(
            label_profile, classes, AssocInput(label_profile.name), [], n_rows_used=len(sample)
        )
    return sampled.associations, alerts, len(sample)


def profile_lazy(
    source: LazySource,
    *,
    label: Hashable | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DataFrameProfile:
    """Profile a :class:`~jupyter_dci.core.engine.LazySource` in its engine.

    Parameters
    ----------
    source : LazySource
        The data (see :func:`jupyter_dci.core.engine.as_source`).
    label : str, optional
        The label column: class imbalance, rare classes and missing labels from exact
        counts, leakage on the sample.
    progress : callable, optional
        ``progress(done, total, what)`` after each column.

    Returns
    -------
    DataFrameProfile
        As the pandas path's; ``engine`` names the engine and ``source`` the data, and
        ``ColumnProfile.estimated`` the figures that are estimates.
    """
    start = time.perf_counter()
    names = source.columns
    if label is not None and label not in names:
        shown = ", ".join(repr(c) for c in names[:20])
        raise param_error("label", "profile", f"one column of the data ({shown})", label)
    columns = _plan(source)
    # Wide text and nested columns take no part in associations or quantiles: left out of
    # the sample, which then reads far less (long strings dominate a scan).
    kept = [c.name for c in columns if c.family != "other" and (c.exact or c.family != "string")]
    sample = sample_rows(source, ASSOCIATION_ROWS, columns=kept)
    works = _column_work(source, columns, sample, progress)
    alerts: list[Alert] = []
    for profile, facts in works:
        alerts.extend(column_alerts(profile, facts))
    n_rows = source.n_rows
    n_dup = duplicate_rows(source) if names else 0
    alerts.extend(duplicate_rows_alert(n_dup, n_rows))
    by_name = {p.name: p for p, _ in works}
    label_name = str(label) if label is not None else None
    found, sample_alerts, n_sample = _sample_part(
        source, sample, label_name, by_name.get(label_name) if label_name else None
    )
    alerts.extend(sample_alerts)
    alerts.sort(key=lambda a: (_SEVERITY_ORDER[a.severity], a.column is None))
    return DataFrameProfile(
        n_rows=n_rows,
        n_columns=len(names),
        n_duplicate_rows=n_dup,
        memory=0,
        columns=MappingProxyType(by_name),
        alerts=tuple(alerts),
        associations=tuple(found),
        label=label_name,
        n_rows_profiled=n_rows,
        association_rows=n_sample,
        seconds=round(time.perf_counter() - start, 4),
        engine=source.engine,
        source=source.description,
    )
