"""The results of ``slice_metrics`` and the statistics behind them.

A group's value is a sum over its rows (a count of set bits for 0/1 metrics); its
interval is Wilson's for rates, the normal approximation of the mean for other per-row
metrics, and a percentile bootstrap (or none) for a metric given as a function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.errors import param_error

__all__ = ["Group", "SliceMetric", "SliceMetrics", "callable_table", "metric_table"]

_FUNC = "slice_metrics"

#: (name, by column or None, slice or None, bool mask over the rows)
Group: TypeAlias = tuple[str, str | None, Slice | None, np.ndarray]


@dataclass(frozen=True)
class SliceMetric:
    """The metric of one group of rows (a slice, a value of a column, or all rows).

    Attributes
    ----------
    name : str
        The group's name (a slice's name, or its predicate text).
    column : str or None
        The ``by`` column the group comes from (None for slices and all rows).
    slice : Slice or None
        The predicate selecting the group (None for all rows and for the rare values
        a ``by`` column lumps together).
    support : int
        Rows in the group.
    support_fraction : float
        ``support / n_rows``.
    value : float
        The metric on the group's rows (NaN when it has none).
    ci_low, ci_high : float
        The confidence interval of ``value`` (NaN when there is none).
    rest : float
        The metric on the other rows.
    lift : float
        ``value / rest`` (NaN when rest is 0 or undefined).
    """

    name: str
    column: str | None
    slice: Slice | None
    support: int
    support_fraction: float
    value: float
    ci_low: float
    ci_high: float
    rest: float
    lift: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (NaN as None).

        Examples
        --------
        >>> m = SliceMetric("all rows", None, None, 3, 1.0, 0.5, 0.1, 0.9, math.nan,
        ...                 math.nan)
        >>> m.to_dict()["rest"] is None
        True
        """
        out: dict[str, Any] = {
            "name": self.name,
            "column": self.column,
            "slice": None if self.slice is None else self.slice.describe(),
            "support": self.support,
        }
        for key in ("support_fraction", "value", "ci_low", "ci_high", "rest", "lift"):
            value = getattr(self, key)
            out[key] = value if math.isfinite(value) else None
        return out


@dataclass(frozen=True)
class SliceMetrics:
    """The metric overall and per group (``slice_metrics``'s result).

    Attributes
    ----------
    metric : str
        The metric's name (a function's ``__name__``).
    ci_method : str
        ``"wilson"``, ``"normal"``, ``"bootstrap"`` or ``"none"``.
    confidence : float
        The intervals' confidence level.
    n_rows : int
        Rows measured.
    groups : tuple of SliceMetric
        All rows first, then the slices in the order given, then each ``by`` column's
        values.
    """

    metric: str
    ci_method: str
    confidence: float
    n_rows: int
    groups: tuple[SliceMetric, ...]

    @property
    def overall(self) -> float:
        """The metric over all rows."""
        return self.groups[0].value

    def __len__(self) -> int:
        return len(self.groups)

    def __iter__(self) -> Iterator[SliceMetric]:
        return iter(self.groups)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per group (all rows first), indexed by group name.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.slices import slice_metrics
        >>> df = pd.DataFrame({"y": [0, 1, 1], "p": [0, 0, 1], "g": ["a", "b", "b"]})
        >>> frame = slice_metrics(df, y_true="y", y_pred="p", by="g").to_frame()
        >>> frame["value"].round(2).to_dict()
        {'all rows': 0.33, "g == 'b'": 0.5, "g == 'a'": 0.0}
        """
        frame = pd.DataFrame([g.to_dict() for g in self.groups])
        return frame.set_index("name").astype(
            dict.fromkeys(("value", "ci_low", "ci_high", "rest", "lift"), float)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.slices import slice_metrics
        >>> df = pd.DataFrame({"y": [0, 1], "p": [0, 0]})
        >>> slice_metrics(df, y_true="y", y_pred="p").to_dict()["ci_method"]
        'wilson'
        """
        return {
            "metric": self.metric,
            "ci_method": self.ci_method,
            "confidence": self.confidence,
            "n_rows": self.n_rows,
            "groups": [g.to_dict() for g in self.groups],
        }


def _wilson(p: float, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return math.nan, math.nan
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _normal(values: np.ndarray, z: float) -> tuple[float, float]:
    if values.size < 2:
        return math.nan, math.nan
    mean, half = values.mean(), z * values.std(ddof=1) / math.sqrt(values.size)
    return float(mean - half), float(mean + half)


def _lift(value: float, rest: float) -> float:
    return value / rest if rest and math.isfinite(rest) and math.isfinite(value) else math.nan


def metric_table(
    per_row: np.ndarray,
    groups: list[Group],
    *,
    kind: str,
    confidence: float,
) -> list[SliceMetric]:
    """Group values of a per-row metric (mean over the group), all rows first.

    Parameters
    ----------
    per_row : numpy.ndarray
        The metric's value on each row.
    groups : list of (name, column, slice, mask)
        The groups; masks are bool arrays over the rows.
    kind : str
        ``"rate"`` (Wilson intervals) or ``"mean"`` (normal intervals).
    confidence : float
        The intervals' level.

    Returns
    -------
    list of SliceMetric

    Examples
    --------
    >>> import numpy as np
    >>> rows = metric_table(np.array([1.0, 0.0, 0.0, 0.0]),
    ...                     [("first", None, None, np.array([True, False, False, False]))],
    ...                     kind="rate", confidence=0.95)
    >>> [(r.name, r.value, r.rest) for r in rows]
    [('all rows', 0.25, nan), ('first', 1.0, 0.0)]
    """
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    n_rows, grand = per_row.size, float(per_row.sum())
    out = []
    every = ("all rows", None, None, np.ones(n_rows, dtype=bool))
    # 0/1 values are summed as a count of set bits: no gather, no float pass.
    flags = per_row.astype(bool) if kind == "rate" else None
    for name, column, found, mask in [every, *groups]:
        n = int(np.count_nonzero(mask))
        if flags is not None:
            total = float(np.count_nonzero(flags & mask))
        else:
            total = float(per_row.sum(where=mask)) if n else 0.0
        value = total / n if n else math.nan
        n_rest = n_rows - n
        rest = (grand - total) / n_rest if n_rest else math.nan
        if kind == "rate":
            low, high = _wilson(value, n, z)
        else:
            low, high = _normal(per_row[mask], z)
        frac = n / n_rows if n_rows else math.nan
        out.append(
            SliceMetric(name, column, found, n, frac, value, low, high, rest, _lift(value, rest))
        )
    return out


def callable_table(
    fn: Callable[..., Any],
    truth: np.ndarray,
    pred: np.ndarray,
    groups: list[Group],
    *,
    confidence: float,
    n_bootstrap: int,
    seed: int,
) -> list[SliceMetric]:
    """Call a metric function on each group's rows and on the rest's, all rows first.

    Examples
    --------
    >>> import numpy as np
    >>> truth, pred = np.array([1, 0, 1, 1]), np.array([1, 1, 1, 0])
    >>> def hits(t, p):
    ...     return float((t == p).sum())
    >>> rows = callable_table(hits, truth, pred, [("g", None, None, truth == 1)],
    ...                       confidence=0.9, n_bootstrap=0, seed=0)
    >>> [(r.name, r.value, r.rest) for r in rows]
    [('all rows', 2.0, nan), ('g', 2.0, 0.0)]
    """
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - confidence) / 2, (1 + confidence) / 2

    def call(mask: np.ndarray) -> float:
        if not mask.any():
            return math.nan
        try:
            return float(fn(truth[mask], pred[mask]))
        except Exception as exc:
            raise param_error(
                "metric",
                _FUNC,
                "a function (y_true, y_pred) -> float that works on any group of rows",
                f"{getattr(fn, '__name__', fn)!r}, which raised {exc!r}",
            ) from exc

    out = []
    every = ("all rows", None, None, np.ones(truth.size, dtype=bool))
    for name, column, found, mask in [every, *groups]:
        n = int(np.count_nonzero(mask))
        value, rest = call(mask), call(~mask)
        low = high = math.nan
        if n_bootstrap and n > 1:
            rows = np.flatnonzero(mask)
            draws = [
                float(fn(truth[pick], pred[pick]))
                for pick in (rng.choice(rows, rows.size) for _ in range(n_bootstrap))
            ]
            low, high = (float(v) for v in np.nanquantile(draws, [lo_q, hi_q]))
        frac = n / truth.size
        out.append(
            SliceMetric(name, column, found, n, frac, value, low, high, rest, _lift(value, rest))
        )
    return out
