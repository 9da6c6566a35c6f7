"""The lazy profile's column summaries, one family at a time.

Exact columns go through the pandas path's own functions (value counts in,
:func:`summarise_counts` and ``_encoded_column`` out); wide numeric columns are summarised from
engine aggregates, quantiles (exact, or from the sample past a million rows) and a histogram
counted in the engine; datetimes from their range and a histogram; wide text from its length
counts and commonest values.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa

from jupyter_dci.core.engine import LazySource
from jupyter_dci.core.engine._native import BinSpec
from jupyter_dci.core.profile._categorical import N_TOP, Encoded
from jupyter_dci.core.profile._columns import ColumnFacts, _encoded_column
from jupyter_dci.core.profile._datetime import N_BINS as DATETIME_BINS
from jupyter_dci.core.profile._datetime import PLACEHOLDER_DATES
from jupyter_dci.core.profile._kinds import string_kind
from jupyter_dci.core.profile._lazy_plan import (
    SAMPLE_CHARS,
    ColumnPlan,
    Pass,
    Work,
    literal,
    split_bins,
    utc_micros,
)
from jupyter_dci.core.profile._numeric import (
    N_BINS,
    QUANTILES,
    SENTINELS,
    NumericSummary,
    OutlierFences,
    summarise_counts,
)
from jupyter_dci.core.profile._result import (
    ColumnProfile,
    DatetimeStats,
    Histogram,
    NumericStats,
    TextStats,
    TopValues,
)
from jupyter_dci.core.profile._text import personal_data, whitespace_share

__all__ = [
    "EXACT_QUANTILE_ROWS",
    "datetime_result",
    "exact_encoded",
    "exact_numeric",
    "other_result",
    "quantiles",
    "queue_datetime",
    "queue_datetime_counts",
    "queue_numeric",
    "queue_numeric_counts",
    "wide_numeric",
    "wide_text",
]

#: A wide text column's commonest values in the sample, counted exactly for its top values.
_TOP_CANDIDATES = 20
#: Quantiles a wide numeric column needs: the profile's, and those of the outlier fences.
_FENCE_QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
_FENCE_K = 3.0
#: Up to this many rows the quantiles of wide numeric columns are exact; beyond, they are
#: estimated from the sample (an exact quantile sorts the column in the engine).
EXACT_QUANTILE_ROWS = 1_000_000
_ID_SPAN_RATIO = 2.0
_DAY_US = 86_400_000_000


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


def exact_numeric(counts: pd.DataFrame, column: ColumnPlan) -> Work:
    values = counts["value"].to_numpy(dtype=np.float64)
    n = counts["n"].to_numpy(dtype=np.int64)
    unit = "s" if column.family == "duration" else ""
    summary = summarise_counts(values, n, unit=unit)
    return _numeric_profile(summary, column.base(), column.dtype.is_integer(), estimated=())


def exact_encoded(counts: pd.DataFrame, column: ColumnPlan, n_missing: int) -> Work:
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


def queue_numeric(p: Pass, column: ColumnPlan) -> None:
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


def quantiles(
    source: LazySource, columns: list[ColumnPlan], sample: pd.DataFrame
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
    p = Pass()
    keys = {}
    for c in columns:
        finite = nw.when(c.values.is_finite()).then(c.values)
        keys[c.name] = [p.add(finite.quantile(q, interpolation="linear")) for q in _FENCE_QUANTILES]
    p.run(source)
    return {
        name: {q: p.row[k] for q, k in zip(_FENCE_QUANTILES, ks, strict=True)}
        for name, ks in keys.items()
    }


def _fences_fromquantiles(q: dict[float, Any], n: int, lo: float) -> OutlierFences | None:
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


def queue_numeric_counts(
    source: LazySource, p: Pass, column: ColumnPlan, first: Pass, q: dict[float, Any]
) -> None:
    """After the first pass: queue the histogram and the placeholder counts."""
    n = first.int(column.keys["n"])
    if n == 0:
        return
    lo, hi = float(first.row[column.keys["min"]]), float(first.row[column.keys["max"]])
    fences = _fences_fromquantiles(q, n, lo)
    edges, scale = _numeric_edges(lo, hi, fences)
    keys = column.keys
    keys.update(fences=fences, edges=edges, scale=scale, lo=lo, hi=hi, quantiles=q)
    # The edges are the fences where the fences fall inside the range: the values beyond the
    # edges are the outliers the fences count.
    keys["spec"] = BinSpec(
        column.name, "log" if scale == "log" else "number", tuple(float(e) for e in edges)
    )
    keys["sentinels"] = {v: p.add((column.values == v).sum()) for v in SENTINELS if v in (lo, hi)}


def wide_numeric(column: ColumnPlan, first: Pass, n_missing: int) -> Work:
    keys = column.keys
    counts: Pass = keys["pass"]
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
    below, bins, above = split_bins(keys["counts"], len(keys["edges"]) - 1)
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


def queue_datetime(p: Pass, column: ColumnPlan) -> None:
    col = column.values
    column.keys.update(lo=p.add(col.min()), hi=p.add(col.max()))


def queue_datetime_counts(source: LazySource, p: Pass, column: ColumnPlan, first: Pass) -> None:
    """After the first pass: queue the histogram and the placeholder-day counts."""
    keys = column.keys
    if first.row[keys["lo"]] is None:
        return
    lo, hi = utc_micros(first.row[keys["lo"]]), utc_micros(first.row[keys["hi"]])
    tz = getattr(column.dtype, "time_zone", None)
    edges = [lo, lo + 1] if hi == lo else np.linspace(lo, hi, DATETIME_BINS + 1).tolist()
    keys.update(lo_us=lo, hi_us=hi, edges=edges, tz=tz)
    col = column.values
    keys["spec"] = BinSpec(column.name, "datetime", tuple(float(e) for e in edges))
    if column.exact:
        # n_unique counts a missing value as one more distinct value, as Polars does.
        keys["distinct"] = p.add(nw.col(column.name).n_unique())
    keys["days"] = {}
    for day in PLACEHOLDER_DATES:
        start = int(np.datetime64(day, "us").astype(np.int64))
        if lo < start + _DAY_US and start <= hi:
            inside = (col >= literal(start, tz)) & (col < literal(start + _DAY_US, tz))
            keys["days"][day] = p.add(inside.sum())


def datetime_result(column: ColumnPlan, first: Pass, n_missing: int) -> Work:
    keys = column.keys
    counts: Pass = keys["pass"]
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
            counts=tuple(split_bins(keys["counts"], len(keys["edges"]) - 1)[1]),
        ),
    )
    exact = column.exact
    n_distinct = counts.int(keys["distinct"]) - (n_missing > 0) if exact else column.approx
    placeholders = tuple((day, counts.int(k)) for day, k in keys["days"].items() if counts.int(k))
    profile = ColumnProfile(
        kind="datetime",
        n_distinct=n_distinct,
        datetime=stats,
        estimated=() if column.exact else column.estimated,
        **base,
    )
    return profile, ColumnFacts(placeholders=placeholders)


def _sampled_values(column: ColumnPlan, sample: pd.DataFrame) -> pd.Series:
    """Count the column's drawn values in the sample, commonest first."""
    drawn = sample[column.name].dropna().astype(str) if column.name in sample else pd.Series()
    return drawn.value_counts(sort=True)


def queue_text_counts(p: Pass, column: ColumnPlan, sample: pd.DataFrame) -> None:
    """Queue exact counts of a wide text column's candidate top values: the sample's commonest.

    A group-by of every distinct value would hold them all in the engine's memory (5M
    strings of a 100M-row file did not fit in 512 MB); the candidates are counted in the
    pass that counts the histograms.
    """
    in_sample = _sampled_values(column, sample)
    # A value cut to SAMPLE_CHARS in the sample is not itself a value of the column.
    whole = in_sample[in_sample.index.str.len() < SAMPLE_CHARS]
    candidates = whole.index[:_TOP_CANDIDATES].tolist()
    col = column.values
    column.keys["candidates"] = {v: p.add((col == v).sum()) for v in candidates}


def wide_text(column: ColumnPlan, n_missing: int, sample: pd.DataFrame) -> Work:
    """Summarise a wide text column: lengths, top values, kind and personal data.

    Lengths come from their counts in the engine, the top values from the sample's commonest
    values counted exactly in the engine (:func:`queue_text_counts`), the kind and personal
    data from the sample.
    """
    by_length = sorted(column.keys["counts"].items())
    lengths = pd.DataFrame(by_length, columns=["length", "n"])
    in_sample = _sampled_values(column, sample)
    # The sample's values, weighted by how often the sample holds them, stand for the
    # column in the kind and personal-data checks.
    enc = Encoded(
        np.empty(0, np.int64),
        pa.array(in_sample.index.to_numpy(dtype=object), type=pa.string()),
        in_sample.to_numpy(dtype=np.int64),
        n_missing,
        True,
    )
    counts: Pass = column.keys["pass"]
    exact = sorted(
        ((counts.int(key), v) for v, key in column.keys["candidates"].items()),
        key=lambda cv: (-cv[0], cv[1]),
    )[:N_TOP]
    n_present = column.n_rows - n_missing
    text = _length_stats(lengths)
    personal = personal_data(enc)
    kind = string_kind(
        n_present=n_present,
        n_distinct=column.approx,
        whitespace_share=whitespace_share(enc),
        mean_length=text.mean_length if text else 0.0,
        personal_share=max(personal.values(), default=0) / max(int(enc.counts.sum()), 1),
    )
    top = TopValues(
        values=tuple(v for _, v in exact),
        counts=tuple(c for c, _ in exact),
        n_other_rows=n_present - sum(c for c, _ in exact),
        n_other_values=max(column.approx - len(exact), 0),
    )
    profile = ColumnProfile(
        kind=kind,  # type: ignore[arg-type]  # string_kind returns one of the Kind literals
        n_missing=n_missing,
        n_distinct=column.approx,
        top=top,
        text=text,
        estimated=(*column.estimated, "top"),
        **column.base(),
    )
    # Personal data counted in the sample, scaled to the column's rows.
    scale = n_present / max(int(enc.counts.sum()), 1)
    facts = ColumnFacts(
        personal={k: round(v * scale) for k, v in personal.items()},
        top_count=top.counts[0] if top.counts else 0,
    )
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


def other_result(column: ColumnPlan, n_missing: int) -> Work:
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
