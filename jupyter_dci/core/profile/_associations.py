"""Pairwise associations between columns, and label purity for leakage.

Pearson (numeric), bias-corrected Cramér's V (categorical) and the correlation ratio (numeric
against categorical).

All measures are estimates of a population value, so they are computed on at most
``ASSOCIATION_ROWS`` randomly drawn rows (their standard error is then about 0.005, far from any
alert threshold); the profile reports how many rows were used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jupyter_dci.core.profile._result import Association

__all__ = [
    "ASSOCIATION_ROWS",
    "MAX_ASSOCIATION_COLUMNS",
    "AssocInput",
    "associations",
    "cramers_v",
    "purity_gain",
    "quantile_codes",
]

ASSOCIATION_ROWS = 50_000
# Fewer rows than this (with both values present) say nothing reliable about a pair.
MIN_PAIR_ROWS = 30
# Above this many candidate columns of one family only the first ones are paired: the number of
# pairs grows with the square of the columns.
MAX_ASSOCIATION_COLUMNS = 60


@dataclass(frozen=True)
class AssocInput:
    """A column's sampled values: float numbers (NaN = missing) or codes (-1 = missing)."""

    key: str
    numbers: np.ndarray | None = None
    codes: np.ndarray | None = None
    n_codes: int = 0


def _pearson_matrix(columns: list[np.ndarray]) -> np.ndarray:
    """Absolute Pearson r of every pair, each on the rows where both values are present.

    Four matrix products give, for every pair at once, the count, sums and sums of squares over
    the rows both columns have (missing values are zeroed and masked), so no pair is visited in
    Python. Columns are standardised first so the differences of sums do not cancel.
    """
    x = np.column_stack(columns)
    mask = ~np.isnan(x)
    counts = mask.sum(axis=0)
    mean = np.where(counts > 0, np.nansum(x, axis=0) / np.maximum(counts, 1), 0.0)
    z = np.where(mask, x - mean, 0.0)
    scale = np.sqrt((z * z).sum(axis=0) / np.maximum(counts, 1))
    z = z / np.where(scale > 0, scale, 1.0)
    m = mask.astype(np.float64)
    n = m.T @ m
    sx = z.T @ m  # sx[i, j]: sum of column i over the rows where i and j are both present
    sxx = (z * z).T @ m
    sxy = z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        r = cov / np.sqrt(var_i * var_i.T)
    r = np.where((n >= MIN_PAIR_ROWS) & np.isfinite(r), np.abs(r), 0.0)
    return np.clip(r, 0.0, 1.0)


def cramers_v(a: np.ndarray, b: np.ndarray, ka: int, kb: int) -> float:
    """Bias-corrected Cramér's V (Bergsma 2013) of two code arrays (-1 = missing).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([0, 1, 0, 1] * 50)
    >>> round(cramers_v(a, a, 2, 2), 3)
    1.0
    """
    ok = (a >= 0) & (b >= 0)
    n = int(ok.sum())
    if n < MIN_PAIR_ROWS:
        return 0.0
    table = np.bincount(a[ok] * kb + b[ok], minlength=ka * kb).reshape(ka, kb).astype(float)
    table = table[table.sum(1) > 0][:, table.sum(0) > 0]
    r, k = table.shape
    if r < 2 or k < 2:
        return 0.0
    expected = np.outer(table.sum(1), table.sum(0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    rc = r - (r - 1) ** 2 / (n - 1)
    kc = k - (k - 1) ** 2 / (n - 1)
    den = min(kc - 1, rc - 1)
    return float(min(1.0, np.sqrt(phi2 / den))) if den > 0 else 0.0


def _correlation_ratio(x: np.ndarray, codes: np.ndarray, k: int) -> float:
    ok = ~np.isnan(x) & (codes >= 0)
    if ok.sum() < MIN_PAIR_ROWS:
        return 0.0
    x, c = x[ok], codes[ok]
    counts = np.bincount(c, minlength=k)
    sums = np.bincount(c, weights=x, minlength=k)
    mean = x.mean()
    total = float(((x - mean) ** 2).sum())
    if total <= 0:
        return 0.0
    present = counts > 0
    between = float((counts[present] * (sums[present] / counts[present] - mean) ** 2).sum())
    return float(np.sqrt(min(1.0, between / total)))


def associations(inputs: list[AssocInput]) -> list[Association]:
    """Measure every pair of columns (numeric and categorical).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(100.0)
    >>> [a.value for a in associations([AssocInput("x", numbers=x), AssocInput("y", numbers=2 * x)])]
    [1.0]
    """  # noqa: E501
    nums = [i for i in inputs if i.numbers is not None][:MAX_ASSOCIATION_COLUMNS]
    cats = [i for i in inputs if i.codes is not None][:MAX_ASSOCIATION_COLUMNS]
    out: list[Association] = []
    if len(nums) > 1:
        r = _pearson_matrix([a.numbers for a in nums])  # type: ignore[misc]
        for i, a in enumerate(nums):
            for j in range(i + 1, len(nums)):
                out.append(Association((a.key, nums[j].key), "pearson", round(float(r[i, j]), 4)))
    for i, a in enumerate(cats):
        for b in cats[i + 1 :]:
            value = cramers_v(a.codes, b.codes, a.n_codes, b.n_codes)  # type: ignore[arg-type]
            out.append(Association((a.key, b.key), "cramers_v", round(value, 4)))
    for a in nums:
        for b in cats:
            value = _correlation_ratio(a.numbers, b.codes, b.n_codes)  # type: ignore[arg-type]
            out.append(Association((a.key, b.key), "correlation_ratio", round(value, 4)))
    return out


def quantile_codes(x: np.ndarray, n_bins: int = 20) -> tuple[np.ndarray, int]:
    """Codes of equal-frequency bins of ``x`` (-1 for NaN) and the number of bins.

    Examples
    --------
    >>> import numpy as np
    >>> quantile_codes(np.array([1.0, 2.0, 3.0, np.nan]), 2)[0].tolist()
    [0, 1, 1, -1]
    """
    ok = ~np.isnan(x)
    codes = np.full(len(x), -1, dtype=np.int64)
    if not ok.any():
        return codes, 1
    edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, n_bins + 1)[1:-1]))
    codes[ok] = np.searchsorted(edges, x[ok], side="right")
    return codes, len(edges) + 1


def purity_gain(feature: np.ndarray, k_feature: int, label: np.ndarray, k_label: int) -> float:
    """How much knowing ``feature`` tells the label, in [0, 1].

    The share of rows whose label is the most common one of their feature value, rescaled so
    that 0 is "no better than always guessing the majority class" and 1 is "the feature
    determines the label". Missing feature values form their own group; rows without a label are
    left out.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1] * 50)
    >>> purity_gain(y.copy(), 2, y, 2), purity_gain(np.zeros(100, int), 1, y, 2)
    (1.0, 0.0)
    """
    ok = label >= 0
    if ok.sum() == 0:
        return 0.0
    f = feature[ok] + 1  # the missing group becomes 0
    y = label[ok]
    table = np.bincount(f * k_label + y, minlength=(k_feature + 1) * k_label)
    table = table.reshape(k_feature + 1, k_label)
    n = int(y.size)
    purity = table.max(axis=1).sum() / n
    base = np.bincount(y, minlength=k_label).max() / n
    if base >= 1.0:
        return 0.0
    return float(max(0.0, (purity - base) / (1.0 - base)))
