"""Statistics of numeric columns, all read off one sorted copy of the finite values.

Sorting once (about 50 ms per million values) gives exact quantiles, the distinct count, zero
and negative counts, outlier counts and histogram counts by binary search, so no other pass over
the rows is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from jupyter_dci.core.profile._result import Histogram, NumericStats

__all__ = ["NumericSummary", "OutlierFences", "summarise_counts", "summarise_numeric"]

QUANTILES: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
N_BINS = 30
# Values the way people and old systems write "unknown" into a number column.
SENTINELS: tuple[float, ...] = (
    -1.0, -9.0, -99.0, -999.0, -9999.0, -99999.0, 999.0, 9999.0, 99999.0, 999999.0,
)  # fmt: skip
# How far beyond the bulk a value must lie to be an outlier: k times the distance between the
# median and a tail quantile, past that quantile. With k = 3 a normal sample never reaches the
# fence (it sits at 9.3 sigma), so the alert does not start firing as rows are added.
_FENCE_K = 3.0


@dataclass(frozen=True)
class OutlierFences:
    """Robust fences: values outside ``[low, high]`` are outliers (``log`` scale if set)."""

    low: float
    high: float
    log: bool
    n_low: int
    n_high: int


@dataclass(frozen=True)
class NumericSummary:
    """Internal result: the public stats plus what the alerts need."""

    stats: NumericStats
    n_valid: int
    n_distinct: int
    fences: OutlierFences | None
    sentinels: tuple[tuple[float, int], ...]


class _Sorted:
    """The finite values in order.

    Either a sorted array, or sorted distinct values with their counts (integers of a small
    range are counted with ``bincount`` instead of sorted).
    """

    def __init__(
        self, values: np.ndarray, counts: np.ndarray | None = None, *, counted: bool | None = None
    ) -> None:
        self.values = values
        self.cum = None if counts is None else np.concatenate(([0], np.cumsum(counts)))
        self.n = len(values) if counts is None else int(self.cum[-1])  # type: ignore[index]
        #: Whole numbers of a small range, counted rather than sorted (one bar per value).
        self.counted = counts is not None if counted is None else counted

    @property
    def first(self) -> float:
        return float(self.values[0])

    @property
    def last(self) -> float:
        return float(self.values[-1])

    def distinct(self) -> int:
        if self.cum is not None:
            return len(self.values)
        s = self.values
        return int(np.count_nonzero(s[1:] != s[:-1]) + 1) if len(s) else 0

    def rank(self, v: Any, side: Literal["left", "right"] = "left") -> Any:
        """Count the values below ``v`` (``side="left"``) or at most ``v`` (``"right"``)."""
        pos = np.searchsorted(self.values, v, side=side)
        return pos if self.cum is None else self.cum[pos]

    def at(self, k: int) -> float:
        """Return the k-th smallest value (0-based)."""
        if self.cum is None:
            return float(self.values[k])
        return float(self.values[np.searchsorted(self.cum, k, side="right") - 1])

    def quantile(self, q: float) -> float:
        # Linear interpolation between order statistics, numpy's default method.
        pos = q * (self.n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, self.n - 1)
        a, b = self.at(lo), self.at(hi)
        return float(a + (b - a) * (pos - lo))

    def inside(self, lo: float, hi: float) -> tuple[float, float] | None:
        """Smallest and largest values within ``[lo, hi]``, None if there are none."""
        i = np.searchsorted(self.values, lo, side="left")
        j = np.searchsorted(self.values, hi, side="right")
        if j <= i:
            return None
        return float(self.values[i]), float(self.values[j - 1])


def _countable(n: int, lo: float, hi: float, whole: bool) -> bool:
    """Whether values are whole numbers of a small range (counts, ratings, ages): counted."""
    return n > 10_000 and hi - lo <= 1_000_000 and hi - lo < n and whole


def _sorted(finite: np.ndarray) -> _Sorted:
    n = len(finite)
    if n > 10_000:
        lo, hi = float(finite.min()), float(finite.max())
        if _countable(n, lo, hi, bool(np.array_equal(finite, np.floor(finite)))):
            counts = np.bincount((finite - lo).astype(np.int64))
            present = np.flatnonzero(counts)
            return _Sorted(present.astype(np.float64) + lo, counts[present])
    return _Sorted(np.sort(finite))


def _fences(s: _Sorted) -> OutlierFences | None:
    n = s.n
    if n < 10:
        return None
    # A tail quantile the outliers themselves cannot move: they are at most 1% of the values.
    p = 0.99 if n >= 2000 else (0.95 if n >= 200 else 0.9)
    q10, q50, q90 = s.quantile(0.1), s.quantile(0.5), s.quantile(0.9)
    # Positive, right-skewed values (prices, durations) are judged on a log scale, where their
    # long natural tail is not mistaken for outliers.
    use_log = bool(s.first > 0 and q90 > q10 and (q90 + q10 - 2 * q50) / (q90 - q10) > 0.3)

    def tf(v: float) -> float:
        return float(np.log(v)) if use_log else v

    qlo, qmed, qhi = tf(s.quantile(1 - p)), tf(q50), tf(s.quantile(p))
    q25, q75 = tf(s.quantile(0.25)), tf(s.quantile(0.75))
    if qhi <= qlo:
        return None  # (almost) constant: the near-constant alert speaks for it
    iqr = q75 - q25
    high = max(qhi + _FENCE_K * (qhi - qmed), q75 + 3 * iqr)
    low = min(qlo - _FENCE_K * (qmed - qlo), q25 - 3 * iqr)
    if use_log:
        low, high = float(np.exp(low)), float(np.exp(high))
    n_low = int(s.rank(low, "left"))
    n_high = int(n - s.rank(high, "right"))
    return OutlierFences(low=low, high=high, log=use_log, n_low=n_low, n_high=n_high)


def _histogram(s: _Sorted, fences: OutlierFences | None) -> Histogram | None:
    if s.n == 0:
        return None
    lo, hi = s.first, s.last
    if fences is not None:
        # Outliers go to the under/overflow counts so they do not squash every other bar.
        inner = s.inside(max(lo, fences.low), min(hi, fences.high))
        if inner is not None:
            lo, hi = inner
    if hi == lo:
        edges = np.array([lo - 0.5, lo + 0.5])
    elif s.counted and hi - lo <= 2 * N_BINS:
        # Counted whole numbers of a small range: one bar per value, no empty bars between.
        edges = np.arange(lo - 0.5, hi + 1.0, 1.0)
    elif fences is not None and fences.log and lo > 0:
        # Right-skewed positive values are binned evenly on a log scale, where their shape shows.
        edges = np.geomspace(lo, hi, N_BINS + 1)
        edges[0], edges[-1] = lo, hi  # exact ends, whatever the rounding of geomspace
    else:
        edges = np.linspace(lo, hi, N_BINS + 1)
    pos = np.asarray(s.rank(edges, "left"))
    pos[-1] = s.rank(edges[-1], "right")
    counts = np.diff(pos)
    return Histogram(
        edges=tuple(float(e) for e in edges),
        counts=tuple(int(c) for c in counts),
        n_below=int(pos[0]),
        n_above=int(s.n - pos[-1]),
        scale="log" if fences is not None and fences.log and lo > 0 and hi > lo else "linear",
    )


def summarise_numeric(values: np.ndarray, *, unit: str = "") -> NumericSummary:
    """Summarise a float64 array whose missing values are NaN.

    Parameters
    ----------
    values : numpy.ndarray
        Float64 values, NaN for missing; infinities are counted apart.
    unit : str, default ""
        Unit of the values (e.g. ``"s"`` for timedeltas), shown beside them.

    Returns
    -------
    NumericSummary
        The public :class:`NumericStats` and what the alerts need.

    Examples
    --------
    >>> import numpy as np
    >>> summarise_numeric(np.array([1.0, 2.0, np.nan, 0.0])).stats.n_zeros
    1
    """
    valid = values[~np.isnan(values)]
    finite_mask = np.isfinite(valid)
    n_inf = int(len(valid) - np.count_nonzero(finite_mask))
    finite = valid[finite_mask] if n_inf else valid
    s = _sorted(finite)
    n_neg_inf = int(np.isneginf(valid).sum()) if n_inf else 0
    extra = int(np.isposinf(valid).any()) + int(n_neg_inf > 0) if n_inf else 0
    mean = float(finite.mean()) if s.n else None
    std = (float(finite.std(ddof=1)) if s.n > 1 else 0.0) if s.n else None
    return _summarise(s, mean, std, n_inf, n_neg_inf, extra, len(valid), unit)


def summarise_counts(values: np.ndarray, counts: np.ndarray, *, unit: str = "") -> NumericSummary:
    """Summarise a column given as its distinct values and their row counts.

    The same summary as :func:`summarise_numeric` of the column itself (quantiles, fences,
    histogram and sentinels exactly; mean and standard deviation to float rounding), from a
    value count that an engine computed without the rows leaving it.

    Parameters
    ----------
    values : numpy.ndarray
        Distinct float64 values; NaN stands for missing.
    counts : numpy.ndarray
        Rows holding each value.

    Examples
    --------
    >>> import numpy as np
    >>> a = summarise_counts(np.array([0.0, 2.0, np.nan]), np.array([3, 1, 2])).stats
    >>> b = summarise_numeric(np.array([0.0, 0.0, 0.0, 2.0, np.nan, np.nan])).stats
    >>> (a.n_zeros, a.quantiles == b.quantiles, a.mean == b.mean)
    (3, True, True)
    """
    values = np.asarray(values, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.int64)
    keep = ~np.isnan(values) & (counts > 0)
    values, counts = values[keep], counts[keep]
    finite = np.isfinite(values)
    n_inf = int(counts[~finite].sum())
    n_neg_inf = int(counts[np.isneginf(values)].sum())
    extra = int(np.isposinf(values).any()) + int(n_neg_inf > 0)
    order = np.argsort(values[finite], kind="stable")
    fv, fc = values[finite][order], counts[finite][order]
    whole = bool(np.array_equal(fv, np.floor(fv)))
    n_finite = int(fc.sum())
    counted = bool(len(fv)) and _countable(n_finite, float(fv[0]), float(fv[-1]), whole)
    s = _Sorted(fv, fc, counted=counted)
    mean = std = None
    if s.n:
        mean = float(np.dot(fv, fc) / s.n)
        std = float(np.sqrt(np.dot(fc, (fv - mean) ** 2) / (s.n - 1))) if s.n > 1 else 0.0
    return _summarise(s, mean, std, n_inf, n_neg_inf, extra, int(counts.sum()), unit)


def _summarise(
    s: _Sorted,
    mean: float | None,
    std: float | None,
    n_inf: int,
    n_neg_inf: int,
    extra_distinct: int,
    n_valid: int,
    unit: str,
) -> NumericSummary:
    """Summarise the finite values ``s`` (and the infinities counted apart)."""
    n = s.n
    n_distinct = s.distinct() + extra_distinct
    fences = _fences(s)
    if n:
        quantiles = {str(q): s.quantile(q) for q in QUANTILES}
        q05, q50, q95 = quantiles["0.05"], quantiles["0.5"], quantiles["0.95"]
        skew: float | None = (q95 + q05 - 2 * q50) / (q95 - q05) if q95 > q05 else 0.0
        n_neg = int(s.rank(0.0, "left"))
        n_zero = int(s.rank(0.0, "right")) - n_neg
        lo, hi = s.first, s.last
        sentinels = tuple(
            (v, c)
            for v in SENTINELS
            if v in (lo, hi) and (c := int(s.rank(v, "right") - s.rank(v, "left"))) > 0
        )
    else:
        quantiles, skew, n_neg, n_zero = {}, None, 0, 0
        sentinels, lo, hi = (), None, None
    stats = NumericStats(
        min=lo,
        max=hi,
        mean=mean,
        std=std,
        quantiles=quantiles,
        n_zeros=n_zero,
        n_negative=n_neg + n_neg_inf,
        n_inf=n_inf,
        skewness=None if skew is None else float(skew),
        histogram=_histogram(s, fences),
        unit=unit,
    )
    return NumericSummary(
        stats=stats,
        n_valid=n_valid,
        n_distinct=n_distinct,
        fences=fences,
        sentinels=sentinels,
    )
