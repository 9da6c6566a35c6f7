"""``slice_metrics``: a metric (error rate by default) for each slice or each value of a column.

Per-row metrics (error rate, accuracy, log loss, absolute and squared error) are
computed once for all rows; a group's value is then a sum over its rows: one boolean
mask per slice, one ``bincount`` per ``by`` column, so 50 slices over a million rows
cost 50 mask evaluations and nothing more. A metric given as a function is called on
each group's rows (and on the rest's), which is slower; its confidence interval is a
bootstrap when ``n_bootstrap > 0``, else none.

Confidence intervals: Wilson for rates (error rate, accuracy), normal approximation of
the mean for the other per-row metrics, percentile bootstrap or none for functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.engine import input_kind, is_pandas, unsupported
from jupyter_dci.core.labels._input import validate_labels_and_probs
from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.core.slices._bins import encode_feature
from jupyter_dci.core.slices._lazy_metrics import ENGINE_METRICS, engine_slice_metrics
from jupyter_dci.core.slices._metrics_table import (
    Group,
    SliceMetric,
    SliceMetrics,
    callable_table,
    metric_table,
)
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = [
    "METRICS",
    "SliceMetric",
    "SliceMetrics",
    "group_metrics",
    "metric_table",
    "slice_metrics",
]

_FUNC = "slice_metrics"

#: Built-in metrics: name -> (needs, kind). Rates get Wilson intervals.
METRICS: dict[str, tuple[str, str]] = {
    "error_rate": ("labels", "rate"),
    "accuracy": ("labels", "rate"),
    "log_loss": ("probs", "mean"),
    "mae": ("numbers", "mean"),
    "mse": ("numbers", "mean"),
}
# Probabilities are clipped before the log so a confident miss costs ~34.5, not inf.
_EPS = 1e-15


# -- inputs -----------------------------------------------------------------------------
def _column_or_array(df: pd.DataFrame, value: Any, name: str) -> np.ndarray:
    if isinstance(value, str):
        if value not in df.columns:
            raise DataMismatchError(
                f"{name}={value!r} names no column of the frame (it has "
                f"{list(map(str, df.columns))[:10]}). Pass a column name or an array "
                "with one value per row."
            )
        value = df[value]
    if isinstance(value, pd.Series) and not value.index.equals(df.index):
        raise DataMismatchError(
            f"{name} is a Series whose index differs from the frame's; pass "
            f"{name}.reindex(df.index) or {name}.to_numpy() (one value per row, in order)."
        )
    if isinstance(value, pd.Series | pd.Index):
        if value.isna().any():
            # Index.isna() returns an ndarray; the stubs say Index[bool], which has no sum.
            n_missing = int(value.isna().sum())  # type: ignore[union-attr]
            raise DataMismatchError(
                f"{name} has {n_missing:,} missing value(s); the metric "
                "needs a value on every row. Drop those rows first, e.g. "
                f"df[{name}.notna()]."
            )
        dtype = value.dtype
        # Nullable numbers (Int64, Float64) would come out as objects.
        numeric = isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
            pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        )
        value = value.to_numpy(dtype=float) if numeric else value.to_numpy()
    try:
        out = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise param_error(name, _FUNC, "a column name or a 1-D array", value) from exc
    if out.ndim != 1:
        raise param_error(name, _FUNC, "a column name or a 1-D array", f"shape {out.shape}")
    if len(out) != len(df):
        raise DataMismatchError(
            f"{name} has {len(out):,} values and the frame {len(df):,} rows; they must "
            "match one to one. Compute it on the same rows, in order."
        )
    if out.dtype.kind == "f" and np.isnan(out).any():
        raise DataMismatchError(
            f"{name} has {int(np.isnan(out).sum()):,} missing value(s); the metric needs a "
            "value on every row. Drop those rows first."
        )
    return out


def _metric_name(metric: Any, pred_probs: Any) -> str | Callable[..., Any]:
    if metric is None:
        return "error_rate"
    if callable(metric):
        return metric
    if isinstance(metric, str) and metric in METRICS:
        if METRICS[metric][0] == "probs" and pred_probs is None:
            raise param_error("pred_probs", _FUNC, f"given for metric={metric!r}", "None")
        return metric
    allowed = "None, a function (y_true, y_pred) -> float or one of " + ", ".join(
        map(repr, METRICS)
    )
    raise param_error("metric", _FUNC, allowed, metric)


def _engine_metric(metric: Any, pred_probs: Any) -> str:
    """Return the metric for data in its engine: a built-in one that is a sum over rows."""
    allowed = (
        f"one of {', '.join(ENGINE_METRICS)} for data that stays in its engine (sums over "
        "rows, computed there; a metric function, log_loss and pred_probs need every row in "
        "memory: measure a pandas sample for those)"
    )
    if pred_probs is not None:
        raise param_error("pred_probs", _FUNC, f"None: the metric must be {allowed}", "an array")
    if callable(metric) or metric == "log_loss":
        raise param_error("metric", _FUNC, allowed, getattr(metric, "__name__", metric))
    chosen = _metric_name(metric, None)
    assert isinstance(chosen, str)  # a callable was refused above
    return chosen


def _per_row(
    df: pd.DataFrame, metric: str, y_true: Any, y_pred: Any, pred_probs: Any
) -> np.ndarray:
    """Return the metric's value on each row (a group's value is the mean over it)."""
    if metric in ("error_rate", "accuracy", "log_loss") and pred_probs is not None:
        given = pd.Series(_column_or_array(df, y_true, "y_true"))
        labels = validate_labels_and_probs(given, pred_probs, None, _FUNC)
        if metric == "log_loss":
            picked = labels.cols[labels.codes, np.arange(labels.codes.size)]
            return -np.log(np.clip(picked, _EPS, 1.0))
        guess = labels.cols.argmax(axis=0) if y_pred is None else None
        if guess is not None:
            wrong = guess != labels.codes
            return wrong.astype(float) if metric == "error_rate" else (~wrong).astype(float)
    if y_pred is None:
        raise param_error("y_pred", _FUNC, "given (or pred_probs)", None)
    truth = _column_or_array(df, y_true, "y_true")
    pred = _column_or_array(df, y_pred, "y_pred")
    if metric in ("mae", "mse"):
        if truth.dtype.kind not in "biuf" or pred.dtype.kind not in "biuf":
            raise param_error(
                "y_true and y_pred",
                _FUNC,
                f"numbers for metric={metric!r}",
                f"dtypes {truth.dtype} and {pred.dtype}",
            )
        diff = truth.astype(float) - pred.astype(float)
        return np.abs(diff) if metric == "mae" else diff**2
    wrong = np.asarray(truth != pred, dtype=bool)
    return wrong.astype(float) if metric == "error_rate" else (~wrong).astype(float)


def _coded(df: pd.DataFrame, slices: list[Slice]) -> pd.DataFrame:
    """Return the frame with the text columns many slices test made categorical, once.

    A predicate tests a categorical column once per category and spreads the answer
    by code, so 50 slices on a text column cost one factorisation instead of 50
    string comparisons over every row (measured: 0.55 s of 1 s at 1M rows).
    """
    if len(slices) < 3 or not df.columns.is_unique:
        return df
    used: dict[Any, int] = {}
    for s in slices:
        for name in s.columns:
            if name in df.columns:
                used[name] = used.get(name, 0) + 1
    text = [
        c
        for c, count in used.items()
        if count >= 3 and (df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype))
    ]
    if not text:
        return df
    frame = df.copy(deep=False)
    for c in text:
        try:
            frame[c] = df[c].astype("category")
        except (TypeError, ValueError):
            # Values that cannot be sorted into categories (mixed types): leave as is.
            continue
    return frame


def _groups(df: pd.DataFrame, slices: Any, by: Any, n_bins: int) -> list[Group]:
    """(name, column, slice, codes-or-mask) for each slice and each ``by`` column."""
    out: list[Group] = []
    if slices is not None:
        if isinstance(slices, str | Slice) or not isinstance(slices, Sequence):
            slices = [slices]
        parsed = [item if isinstance(item, Slice) else Slice(item) for item in slices]
        frame = _coded(df, parsed)
        for s in parsed:
            out.append((s.name or s.describe(), None, s, s.mask(frame)))
    if by is not None:
        columns = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
        for column in columns:
            if column not in df.columns:
                raise DataMismatchError(
                    f"by={column!r} names no column of the frame (it has "
                    f"{list(map(str, df.columns))[:10]})."
                )
            feature = encode_feature(df[column], column, n_bins=n_bins, nice=True)
            if isinstance(feature, str):
                if feature.startswith("constant"):
                    # One value: a single group, all rows.
                    out.append((f"{column}: all rows", str(column), None, np.ones(len(df), bool)))
                    continue
                raise param_error(
                    "by", _FUNC, "columns that can be grouped", f"{column!r} ({feature})"
                )
            codes = feature.codes.astype(np.intp)
            for level, text in enumerate(feature.levels):
                out.append((text, str(column), Slice(text), codes == level))
            other = codes == feature.n_levels
            if other.any():
                out.append((f"{column}: other values", str(column), None, other))
    return out


def slice_metrics(
    df: Any,
    *,
    y_true: Any,
    y_pred: Any = None,
    pred_probs: Any = None,
    by: Any = None,
    slices: Any = None,
    metric: str | Callable[..., Any] | None = None,
    confidence: float = 0.95,
    n_bootstrap: int = 0,
    n_bins: int = 5,
    random_state: int = 0,
) -> SliceMetrics:
    """Measure a metric on each slice, or on each value of ``by`` columns, beside the rest.

    Data beyond pandas (a Polars DataFrame or LazyFrame, a PyArrow Table or Dataset, a
    DuckDB relation, a path or glob of Parquet or CSV files) is measured in its own engine,
    by sums per slice and per value: ``y_true`` and ``y_pred`` name columns, and the metric
    is one of ``"error_rate"``, ``"accuracy"``, ``"mae"``, ``"mse"`` (the figures are those
    of the pandas path).

    Parameters
    ----------
    df : pandas.DataFrame, or data beyond pandas (see above)
        The rows.
    y_true : str or array-like
        The true labels (or targets): a column name or one value per row.
    y_pred : str or array-like, optional
        The predictions; by default the argmax of ``pred_probs``.
    pred_probs : array-like of shape (n_rows, n_classes), optional
        Predicted probabilities, columns in sorted class order (or a DataFrame whose
        columns are the classes); needed for ``metric="log_loss"``.
    by : str or list of str, optional
        Columns whose values form groups; numeric and datetime columns are cut into
        ``n_bins`` quantile bins, missing values form their own group.
    slices : Slice, str or list of them, optional
        Slices (or predicate texts) to measure.
    metric : str or callable, optional
        ``"error_rate"`` (default), ``"accuracy"``, ``"log_loss"``, ``"mae"``,
        ``"mse"``, or a function ``(y_true, y_pred) -> float``.
    confidence : float, default 0.95
        Level of the confidence intervals: Wilson for rates, normal for other
        built-in metrics, bootstrap (``n_bootstrap > 0``) or none for functions.
    n_bootstrap : int, default 0
        Bootstrap draws per group for a metric given as a function.
    n_bins : int, default 5
        Quantile bins of numeric ``by`` columns.
    random_state : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    SliceMetrics
        All rows first, then each slice, then each value of each ``by`` column, with
        support, value, interval, the rest's value and lift (``to_frame()``).

    Raises
    ------
    InvalidParameterError
        For an unknown metric, options out of range, or missing inputs.
    DataMismatchError
        When labels or predictions do not have one value per row, or name no column.
    PredicateError
        When a slice does not parse or names a missing column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"country": ["IN", "IN", "US", "US"], "y": [1, 0, 1, 1],
    ...                    "pred": [0, 1, 1, 1]})
    >>> m = slice_metrics(df, y_true="y", y_pred="pred", slices=["country == 'IN'"])
    >>> m.to_frame()[["support", "value", "rest"]].values.tolist()
    [[4.0, 0.5, nan], [2.0, 1.0, 0.0]]
    """
    if not is_pandas(df) and input_kind(df) is None:
        raise unsupported(df, _FUNC)
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, float)
        or not (0 < confidence < 1)
    ):
        raise param_error("confidence", _FUNC, "a float in (0, 1)", confidence)
    if (
        isinstance(n_bootstrap, bool)
        or not isinstance(n_bootstrap, int)
        or not (0 <= n_bootstrap <= 10_000)
    ):
        raise param_error("n_bootstrap", _FUNC, "an int in [0, 10000]", n_bootstrap)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or not 2 <= n_bins <= 50:
        raise param_error("n_bins", _FUNC, "an int in [2, 50]", n_bins)
    if not is_pandas(df):
        built_in = _engine_metric(metric, pred_probs)
        return engine_slice_metrics(
            df,
            y_true=y_true,
            y_pred=y_pred,
            by=by,
            slices=slices,
            metric=built_in,
            kind=METRICS[built_in][1],
            confidence=confidence,
            n_bins=n_bins,
        )
    if len(df) == 0:
        raise param_error("df", _FUNC, "a frame with at least one row", "an empty frame")
    chosen = _metric_name(metric, pred_probs)
    groups = _groups(df, slices, by, n_bins)
    return group_metrics(
        df,
        groups,
        y_true=y_true,
        y_pred=y_pred,
        pred_probs=pred_probs,
        metric=chosen,
        confidence=confidence,
        n_bootstrap=n_bootstrap,
        random_state=random_state,
    )


def group_metrics(
    df: pd.DataFrame,
    groups: list[Group],
    *,
    y_true: Any,
    y_pred: Any = None,
    pred_probs: Any = None,
    metric: str | Callable[..., Any] | None = None,
    confidence: float = 0.95,
    n_bootstrap: int = 0,
    random_state: int = 0,
) -> SliceMetrics:
    """:func:`slice_metrics` on groups given as boolean masks (e.g. rows saved per version).

    Parameters
    ----------
    df : pandas.DataFrame
        The rows.
    groups : list of (name, column, slice, mask)
        The groups; ``mask`` is a bool array over the rows.
    y_true, y_pred, pred_probs, metric, confidence, n_bootstrap, random_state
        As in :func:`slice_metrics`.

    Returns
    -------
    SliceMetrics
        All rows first, then the groups in order.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"y": [1, 0, 1], "p": [0, 0, 1]})
    >>> m = group_metrics(df, [("first", None, None, np.array([True, False, False]))],
    ...                   y_true="y", y_pred="p")
    >>> [g.value for g in m]
    [0.3333333333333333, 1.0]
    """
    chosen = _metric_name(metric, pred_probs)
    if callable(chosen):
        if y_pred is None:
            raise param_error("y_pred", _FUNC, "given for a metric function", None)
        truth = _column_or_array(df, y_true, "y_true")
        pred = _column_or_array(df, y_pred, "y_pred")
        rows = callable_table(
            chosen,
            truth,
            pred,
            groups,
            confidence=confidence,
            n_bootstrap=n_bootstrap,
            seed=random_state,
        )
        name = getattr(chosen, "__name__", "metric")
        method = "bootstrap" if n_bootstrap else "none"
    else:
        per_row = _per_row(df, chosen, y_true, y_pred, pred_probs)
        kind = METRICS[chosen][1]
        rows = metric_table(per_row, groups, kind=kind, confidence=confidence)
        name, method = chosen, "wilson" if kind == "rate" else "normal"
    return SliceMetrics(name, method, confidence, len(df), tuple(rows))
