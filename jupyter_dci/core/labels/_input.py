"""Validation of ``labels`` and ``pred_probs`` for the label-quality functions.

Checked once, at the boundary, in the project's voice: every error names what was got, what
is allowed and what to do. The output is what the numeric code wants: integer codes into
``classes``, the float64 probability matrix, each row's highest probability and its class
(found in the same pass as the checks) and the index to align results with.

Layout. A per-row reduction over an n x K row-major matrix (``axis=1``) runs K-element inner
loops, several times slower than K passes over contiguous class vectors; but a full class-major
copy costs more than the passes it speeds up. :func:`class_major_blocks` gets both: it walks
the rows in blocks that fit the L2 cache and transposes one block at a time into a reused
buffer, so every per-class pass reads from cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.errors import DataMismatchError, InvalidParameterError, param_error

# Probabilities from float32 softmax or rounded exports drift a little from 1; more than this
# is a sign of logits or of a wrong column set.
ROW_SUM_TOLERANCE = 1e-3
# Cells per block of class_major_blocks: 128k float64 = 1 MiB, the L2 cache of current x86
# cores; 1k to 16k-row blocks at 10 classes all measured within a few percent of each other.
BLOCK_CELLS = 1 << 17
# Fewest rows per block: with thousands of classes, tiny blocks would cost more in per-call
# overhead than they save in cache misses.
MIN_BLOCK_ROWS = 256


@dataclass(frozen=True)
class LabelInput:
    """Validated inputs: codes, probabilities, per-row maxima, classes and the index.

    Attributes
    ----------
    codes : numpy.ndarray
        The given labels as positions into ``classes`` (intp, shape n).
    probs : numpy.ndarray
        The probabilities, float64, shape (n, K), in the memory order they came in.
    top : numpy.ndarray
        Each row's highest probability (shape n).
    argmax : numpy.ndarray
        The class of ``top`` (intp, shape n); on a tie the first class from 1 on that
        reaches it, class 0 only when it is alone (see ``_scan``).
    classes : pandas.Index
        The class of each column of ``probs``.
    index : pandas.Index
        The index to align results with.
    """

    codes: np.ndarray
    probs: np.ndarray
    top: np.ndarray
    argmax: np.ndarray
    classes: pd.Index
    index: pd.Index

    @cached_property
    def cols(self) -> np.ndarray:
        """The probabilities class by class, shape (K, n), C-contiguous (made on first use)."""
        return _class_major(self.probs)


def _preview(values: Any, limit: int = 5) -> str:
    # numpy scalars print as np.int64(7); users wrote 7.
    items = [v.item() if isinstance(v, np.generic) else v for v in list(values[:limit])]
    more = f" (and {len(values) - limit} more)" if len(values) > limit else ""
    return f"{items}{more}"


def _as_series(labels: Any, func: str) -> pd.Series:
    if isinstance(labels, pd.Series):
        return _one_kind(labels, func)
    if isinstance(labels, pd.DataFrame):
        raise param_error("labels", func, "a 1-d array-like or a Series", "a DataFrame")
    if isinstance(labels, list | tuple):
        # np.asarray would turn [1, "1"] into two equal strings: one silent class.
        _one_kind(pd.Series(list(labels), dtype=object), func)
    array = np.asarray(labels) if not isinstance(labels, (pd.Index, pd.Categorical)) else labels
    if getattr(array, "ndim", 1) != 1:
        shape = getattr(array, "shape", None)
        raise param_error("labels", func, "a 1-d array-like or a Series", f"shape {shape}")
    return _one_kind(pd.Series(array), func)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "number"
    return "text" if isinstance(value, str) else type(value).__name__


def _one_kind(series: pd.Series, func: str) -> pd.Series:
    """Refuse labels that mix kinds (1 and "1", True and 1): they would merge or split classes."""
    if series.dtype != object:
        return series
    # pandas' own inference runs in C: only a column it calls mixed is scanned in Python.
    if not pd.api.types.infer_dtype(series, skipna=True).startswith("mixed"):
        return series
    kinds: dict[str, Any] = {}
    for value in series.dropna():
        kinds.setdefault(_kind_of(value), value)
        if len(kinds) > 1:
            shown = ", ".join(f"{v!r} ({k})" for k, v in kinds.items())
            raise DataMismatchError(
                f"The labels of {func} mix kinds of values: {shown}. Is 1 the same class as "
                "'1'? Give every label one type first, e.g. labels.astype(str)."
            )
    return series


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


def block_bounds(n: int, k: int) -> Iterator[tuple[int, int]]:
    """Row ranges ``(start, stop)`` of the cache-sized blocks of an n x K matrix."""
    step = max(BLOCK_CELLS // max(k, 1), MIN_BLOCK_ROWS)
    for start in range(0, n, step):
        yield start, min(start + step, n)


def class_major_blocks(
    probs: np.ndarray, rows: np.ndarray | None = None
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Walk ``probs`` (n x K) in row blocks, each transposed to a (K, rows) class-major array.

    Parameters
    ----------
    probs : numpy.ndarray
        Probabilities, shape (n, K), in any memory order.
    rows : numpy.ndarray, optional
        Walk ``probs[rows]`` instead of every row.

    Yields
    ------
    start, stop : int
        The block covers rows ``start:stop`` (positions into ``rows`` when given).
    block : numpy.ndarray
        ``probs[start:stop].T`` (or ``probs[rows[start:stop]].T``), shape (K, stop - start),
        each class row contiguous. It is a view of ``probs`` when ``probs`` is class-major
        already, else a buffer that the next block overwrites: read it, never keep it.
    """
    n, k = probs.shape if rows is None else (len(rows), probs.shape[1])
    if rows is None and probs.T.flags.c_contiguous:
        # Fortran-ordered input (a DataFrame's .to_numpy()) is class-major already: no copy.
        for start, stop in block_bounds(n, k):
            yield start, stop, probs.T[:, start:stop]
        return
    buffer = np.empty((k, 0))
    for start, stop in block_bounds(n, k):
        if buffer.shape[1] < stop - start:  # the first block is the widest: one buffer
            buffer = np.empty((k, stop - start))
        block = buffer[:, : stop - start]
        if rows is not None and probs.T.flags.c_contiguous:
            # Class-major input: gather each class's values, a forward walk of one contiguous
            # vector each. Gathering rows of it instead touches K cache lines per row (~60x
            # slower at 10M rows, as the array outgrows the caches).
            np.take(probs.T, rows[start:stop], axis=1, out=block, mode="clip")
        else:
            # np.take gathers whole rows ~3x faster than fancy indexing probs[rows].
            part = probs[start:stop] if rows is None else np.take(probs, rows[start:stop], axis=0)
            np.copyto(block, part.T)
        yield start, stop, block


def _hit_rank(block: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Per column of ``block`` (K rows): ``K - j`` for the first row ``j`` equal to ``best``.

    0 when no row equals it. Each row that reaches ``best`` gets rank ``K - j``, the others 0,
    and the highest rank wins: contiguous passes over small integers, ~4x faster than walking
    the classes with a masked copy each, and many times faster than ``argmax(axis=0)`` (numpy
    transposes the block for it).
    """
    k = block.shape[0]
    dtype = np.uint8 if k < 1 << 8 else np.uint16 if k < 1 << 16 else np.uint32
    ranks = np.arange(k, 0, -1, dtype=dtype)[:, None]
    rank = np.multiply(np.equal(block, best), ranks, dtype=dtype)
    return np.maximum.reduce(rank, axis=0)


def first_argmax(block: np.ndarray, best: np.ndarray, out: np.ndarray) -> None:
    """Write into ``out`` the first class of each column of ``block`` that equals ``best``.

    Parameters
    ----------
    block : numpy.ndarray
        Class-major probabilities, shape (K, m).
    best : numpy.ndarray
        Per column, a value that some class reaches (its maximum), shape m.
    out : numpy.ndarray
        Where the classes go (intp, shape m).
    """
    np.subtract(block.shape[0], _hit_rank(block, best), out=out, dtype=np.intp)


def _scan(probs: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """One pass over the rows: sums, the smallest value, each row's maximum and its class.

    The class of the maximum is the first class from 1 on that reaches it, else 0: on a tie
    between class 0 and another class, the other one. That is what this package has always
    returned (a backward walk over the classes that stopped before class 0), kept so that
    results do not change.
    """
    n, k = probs.shape
    sums, top = np.empty(n), np.empty(n)
    argmax = np.empty(n, dtype=np.intp)
    low = np.inf
    # Ranks over classes 1..K-1 are K - j, and 0 when none of them ties (class 0 alone):
    # class (K - rank) % K, looked up rather than computed (integer modulo is slow).
    class_of_rank = (k - np.arange(k)) % k
    for start, stop, block in class_major_blocks(probs):
        # Summed class by class, in column order: the same sums (to the last bit) as
        # cols.sum(axis=0) on a class-major copy, which an axis=1 sum would not give.
        np.add.reduce(block, axis=0, out=sums[start:stop])
        low = min(low, float(block.min()))
        best = top[start:stop]
        np.maximum.reduce(block, axis=0, out=best)
        class_of_rank.take(_hit_rank(block[1:], best), out=argmax[start:stop], mode="clip")
    return sums, low, top, argmax


def check_probs(probs: np.ndarray, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Refuse empty, single-class, non-finite, negative or unnormalised probabilities.

    Parameters
    ----------
    probs : numpy.ndarray
        Probabilities, shape (n, K).
    func : str
        The public function's name, quoted in errors.

    Returns
    -------
    top, argmax : numpy.ndarray
        Each row's highest probability and its class (on ties as ``LabelInput.argmax``
        says), found in the same pass over the data as the checks.
    """
    n, k = probs.shape
    if n == 0:
        raise param_error("pred_probs", func, "a non-empty 2-d array", "0 rows")
    if k < 2:
        raise param_error(
            "pred_probs",
            func,
            "an array with one column per class and at least 2 classes",
            f"{k} column(s)",
        )
    sums, low, top, argmax = _scan(probs)
    # NaN and inf propagate into the row sums, so one finite check on the sums suffices.
    bad = ~np.isfinite(sums)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise InvalidParameterError(
            f"The 'pred_probs' parameter of {func} must hold finite probabilities. Got NaN or "
            f"infinite values in {len(rows)} row(s), at positions {_preview(rows)}. Fix the model "
            "output, or drop those rows from both labels and pred_probs."
        )
    if low < 0:
        rows = np.flatnonzero((probs < 0).any(axis=1))
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
    return top, argmax


def _values(series: pd.Series) -> np.ndarray:
    # Nullable integers (Int64) come back as plain int64 once missing values are ruled out.
    if pd.api.types.is_integer_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        return series.to_numpy(dtype=np.int64)
    return series.to_numpy()


def infer_classes(
    labels: pd.Series, n_classes: int, columns: pd.Index | None, func: str
) -> pd.Index:
    """Return the class of each probability column, from its names or from the labels.

    The columns' names when they have some; a categorical's categories when they are as
    many as the columns; integer labels 0..K-1 as positions (scikit-learn's convention);
    else the sorted distinct labels, when they are as many as the columns.

    Raises
    ------
    DataMismatchError
        When none of these fits: the caller must name the classes.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_classes(pd.Series(["b", "a", "b"]), 2, None, "f").tolist()
    ['a', 'b']
    """
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
    top, argmax = check_probs(probs, func)
    n_classes = probs.shape[1]
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
        class_index = infer_classes(series, n_classes, columns, func)
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
    return LabelInput(
        codes=codes, probs=probs, top=top, argmax=argmax, classes=class_index, index=index
    )


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
        codes = classes.get_indexer(pd.Index(values))
    unknown = codes < 0
    if unknown.any():
        bad = pd.unique(series[unknown])
        raise DataMismatchError(
            f"labels of {func} must be among the classes {_preview(classes, 10)}. Got "
            f"{_preview(bad)} instead. Pass classes=[...] listing every class, "
            "in the column order of pred_probs."
        )
    return codes.astype(np.intp, copy=False)
