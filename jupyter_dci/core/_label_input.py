"""Validation of ``labels`` and ``pred_probs`` for the label-quality functions.

Checked once, at the boundary, in the project's voice: every error names what was got, what
is allowed and what to do. The output is what the numeric code wants: integer codes into
``classes``, a C-contiguous float64 probability matrix and the index to align results with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.errors import DataMismatchError, InvalidParameterError, param_error

# Probabilities from float32 softmax or rounded exports drift a little from 1; more than this
# is a sign of logits or of a wrong column set.
ROW_SUM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class LabelInput:
    """Validated inputs: integer codes, probabilities, classes and the index to align with.

    ``cols`` holds the probabilities class by class (shape K x n, C-contiguous): every
    per-row reduction then runs over K long contiguous vectors, several times faster than
    ``axis=1`` on an n x 10 matrix.
    """

    codes: np.ndarray
    cols: np.ndarray
    classes: pd.Index
    index: pd.Index


def _preview(values: Any, limit: int = 5) -> str:
    # numpy scalars print as np.int64(7); users wrote 7.
    items = [v.item() if isinstance(v, np.generic) else v for v in list(values[:limit])]
    more = f" (and {len(values) - limit} more)" if len(values) > limit else ""
    return f"{items}{more}"


def _as_series(labels: Any, func: str) -> pd.Series:
    if isinstance(labels, pd.Series):
        return labels
    if isinstance(labels, pd.DataFrame):
        raise param_error("labels", func, "a 1-d array-like or a Series", "a DataFrame")
    array = np.asarray(labels) if not isinstance(labels, (pd.Index, pd.Categorical)) else labels
    if getattr(array, "ndim", 1) != 1:
        shape = getattr(array, "shape", None)
        raise param_error("labels", func, "a 1-d array-like or a Series", f"shape {shape}")
    return pd.Series(array)


def _as_probs(pred_probs: Any, func: str) -> tuple[np.ndarray, pd.Index | None, pd.Index | None]:
    columns = index = None
    # An OutOfSampleProbs result can be passed as it is.
    if not isinstance(pred_probs, (np.ndarray, pd.DataFrame)) and hasattr(pred_probs, "pred_probs"):
        pred_probs = pred_probs.pred_probs
    if isinstance(pred_probs, pd.DataFrame):
        columns, index = pred_probs.columns, pred_probs.index
        pred_probs = pred_probs.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        probs = np.asarray(pred_probs, dtype=np.float64)
    except (TypeError, ValueError):
        raise param_error(
            "pred_probs",
            func,
            "a 2-d array of floats (rows = samples, columns = classes)",
            type(pred_probs).__name__,
        ) from None
    if probs.ndim != 2:
        raise param_error(
            "pred_probs",
            func,
            "a 2-d array (rows = samples, columns = classes)",
            f"an array of shape {probs.shape}",
        )
    return probs, columns, index


def _class_major(probs: np.ndarray) -> np.ndarray:
    """Return the probabilities as a C-contiguous (K, n) array.

    Free for Fortran-ordered input (e.g. ``DataFrame.to_numpy()``), otherwise one copy, in
    cache-sized blocks (~2x faster than one strided transpose at a million rows).
    """
    if probs.T.flags.c_contiguous:
        return probs.T
    n = probs.shape[0]
    cols = np.empty((probs.shape[1], n))
    step = 65_536
    for start in range(0, n, step):
        cols[:, start : start + step] = probs[start : start + step].T
    return cols


def check_probs(cols: np.ndarray, func: str) -> None:
    """Refuse empty, single-class, non-finite, negative or unnormalised probabilities."""
    k, n = cols.shape
    if n == 0:
        raise param_error("pred_probs", func, "a non-empty 2-d array", "0 rows")
    if k < 2:
        raise param_error(
            "pred_probs",
            func,
            "an array with one column per class and at least 2 classes",
            f"{k} column(s)",
        )
    # NaN and inf propagate into the row sums, so one finite check on the sums suffices.
    sums = cols.sum(axis=0)
    bad = ~np.isfinite(sums)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise InvalidParameterError(
            f"The 'pred_probs' parameter of {func} must hold finite probabilities. Got NaN or "
            f"infinite values in {len(rows)} row(s), at positions {_preview(rows)}. Fix the model "
            "output, or drop those rows from both labels and pred_probs."
        )
    if cols.min() < 0:
        rows = np.flatnonzero((cols < 0).any(axis=0))
        raise InvalidParameterError(
            f"The 'pred_probs' parameter of {func} must hold probabilities in [0, 1]. Got "
            f"negative values in {len(rows)} row(s), at positions {_preview(rows)}. These look "
            "like logits or scores: apply a softmax first (scipy.special.softmax(x, axis=1))."
        )
    off = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if off.any():
        rows = np.flatnonzero(off)
        raise InvalidParameterError(
            f"The 'pred_probs' parameter of {func} must have rows that sum to 1 (within "
            f"{ROW_SUM_TOLERANCE}). Got {len(rows)} row(s) that do not, e.g. row {rows[0]} sums to "
            f"{sums[rows[0]]:.6g}. Pass predict_proba output with one column per class, or divide "
            "each row by its sum."
        )


def _values(series: pd.Series) -> np.ndarray:
    # Nullable integers (Int64) come back as plain int64 once missing values are ruled out.
    if pd.api.types.is_integer_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        return series.to_numpy(dtype=np.int64)
    return series.to_numpy()


def _infer_classes(
    labels: pd.Series, n_classes: int, columns: pd.Index | None, func: str
) -> pd.Index:
    if columns is not None:
        return pd.Index(columns)
    if isinstance(labels.dtype, pd.CategoricalDtype):
        categories = labels.cat.categories
        if len(categories) == n_classes:
            return pd.Index(categories)
    values = _values(labels)
    # Integer labels 0..K-1 are the position of the class in pred_probs (sklearn's convention).
    if values.dtype.kind in "iu" and len(values) and 0 <= values.min() <= values.max() < n_classes:
        return pd.RangeIndex(n_classes)
    uniques = pd.Index(pd.unique(labels)).sort_values()
    if len(uniques) == n_classes:
        return uniques
    raise DataMismatchError(
        f"Cannot tell which column of pred_probs belongs to which class in {func}. Got "
        f"{len(uniques)} distinct label(s) ({_preview(uniques)}) for {n_classes} columns. Pass "
        "classes=[...] in the column order of pred_probs (e.g. model.classes_)."
    )


def validate_labels_and_probs(labels: Any, pred_probs: Any, classes: Any, func: str) -> LabelInput:
    """Check ``labels``, ``pred_probs`` and ``classes`` and turn them into codes and floats.

    Parameters
    ----------
    labels : array-like or pandas.Series
        The given labels.
    pred_probs : array-like or pandas.DataFrame
        Out-of-sample probabilities, one column per class.
    classes : sequence or None
        The class of each column of ``pred_probs``.
    func : str
        The public function's name, quoted in errors.

    Returns
    -------
    LabelInput
        Codes, probabilities, classes and index.
    """
    series = _as_series(labels, func)
    probs, columns, prob_index = _as_probs(pred_probs, func)
    if len(series) == 0 and probs.shape[0] == 0:
        raise param_error("labels", func, "a non-empty array of labels", "an empty one")
    if len(series) != probs.shape[0]:
        raise DataMismatchError(
            f"labels and pred_probs of {func} must have one row per sample each. Got "
            f"{len(series)} label(s) and {probs.shape[0]} row(s) of probabilities. Compute them "
            "on the same rows, in the same order."
        )
    cols = _class_major(probs)
    check_probs(cols, func)
    n_classes = cols.shape[0]
    index = series.index if isinstance(labels, pd.Series) else None
    if prob_index is not None:
        if index is None:
            index = prob_index
        elif not index.equals(prob_index):
            raise DataMismatchError(
                f"labels and pred_probs of {func} must share one index. Got {_preview(index)} "
                f"and {_preview(prob_index)}. Align them first, e.g. "
                "pred_probs = pred_probs.loc[labels.index], or pass numpy arrays."
            )
    if index is None:
        index = pd.RangeIndex(len(series))
    missing = series.isna().to_numpy()
    if missing.any():
        where = np.flatnonzero(missing)
        raise InvalidParameterError(
            f"The 'labels' parameter of {func} must not hold missing values. Got {len(where)} "
            f"missing label(s), at positions {_preview(where)}. Drop those rows (from pred_probs "
            "too) or label them first."
        )
    if classes is None:
        class_index = _infer_classes(series, n_classes, columns, func)
    else:
        class_index = pd.Index(list(classes))
        if len(class_index) != n_classes:
            raise DataMismatchError(
                f"classes of {func} must name one class per column of pred_probs. Got "
                f"{len(class_index)} class(es) for {n_classes} column(s)."
            )
    if not class_index.is_unique:
        raise param_error("classes", func, "distinct class names", list(class_index))
    codes = _encode(series, class_index, func)
    if np.bincount(codes, minlength=n_classes).astype(bool).sum() < 2:
        raise param_error(
            "labels",
            func,
            "labels of at least 2 distinct classes (one class has no noise to find)",
            _preview(pd.unique(series)),
        )
    return LabelInput(codes=codes, cols=cols, classes=class_index, index=index)


def _encode(series: pd.Series, classes: pd.Index, func: str) -> np.ndarray:
    values = _values(series)
    if (
        isinstance(classes, pd.RangeIndex)
        and classes.start == 0
        and classes.step == 1
        and values.dtype.kind in "iu"
        and 0 <= values.min() <= values.max() < len(classes)
    ):
        return values.astype(np.intp, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = classes.get_indexer(series.cat.categories)[series.cat.codes.to_numpy()]
    else:
        codes = classes.get_indexer(values)
    unknown = codes < 0
    if unknown.any():
        bad = pd.unique(series[unknown])
        raise DataMismatchError(
            f"labels of {func} must be among the classes {_preview(classes, 10)}. Got "
            f"{_preview(bad)} instead. Pass classes=[...] listing every class, "
            "in the column order of pred_probs."
        )
    return codes.astype(np.intp, copy=False)
