"""Per-row label quality scores in [0, 1] (lower is worse), from out-of-sample probabilities.

The margin and entropy scores read the probabilities class-major (``cols``, shape K x n): each
per-row reduction is then K passes over contiguous vectors instead of an ``axis=1`` reduction
over short rows.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from jupyter_dci.core.engine import input_kind, unsupported
from jupyter_dci.core.labels._input import LabelInput, validate_labels_and_probs
from jupyter_dci.core.labels._lazy_input import table_arrays
from jupyter_dci.errors import param_error

__all__ = ["label_scores", "self_confidence"]

ScoreMethod = Literal["self_confidence", "normalized_margin", "confidence_weighted_entropy"]

_SCORE_METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")


def self_confidence(codes: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per row: the probability of the given label.

    Parameters
    ----------
    codes : numpy.ndarray
        Label codes, shape n.
    probs : numpy.ndarray
        Probabilities, shape (n, K), in any memory order.

    Returns
    -------
    numpy.ndarray
        ``probs[i, codes[i]]`` for every row ``i``.
    """
    n, k = probs.shape
    # A gather by flat position: faster than 2-d fancy indexing, probs[np.arange(n), codes].
    if probs.flags.c_contiguous:
        flat = np.arange(0, n * k, k)
        flat += codes
        return probs.ravel().take(flat)
    if probs.T.flags.c_contiguous:
        flat = codes * n
        flat += np.arange(n)
        return probs.T.ravel().take(flat)
    return probs[np.arange(n), codes]


def _best_other(codes: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Per row: the highest probability among the classes other than the given one."""
    best = np.full(cols.shape[1], -1.0)
    for j, column in enumerate(cols):
        np.copyto(best, column, where=(column > best) & (codes != j))
    return best


def _scores(data: LabelInput, method: str) -> np.ndarray:
    codes = data.codes
    own = self_confidence(codes, data.probs)
    if method == "self_confidence":
        return np.clip(own, 0.0, 1.0)
    cols = data.cols
    if method == "normalized_margin":
        other = _best_other(codes, cols)
        return np.clip((own - other + 1.0) / 2.0, 0.0, 1.0)
    # confidence_weighted_entropy: normalised entropy divided by self-confidence, mapped by
    # log(1 + s) / s, which is 1 for a sure, right prediction and falls towards 0.
    entropy = np.zeros(cols.shape[1])
    for column in cols:
        entropy -= column * np.log(np.where(column > 0, column, 1.0))
    entropy /= np.log(cols.shape[0])
    ratio = np.maximum(entropy, 0.0) / np.maximum(own, 1e-6)
    safe = np.maximum(ratio, 1e-12)
    return np.clip(np.where(ratio > 1e-12, np.log1p(ratio) / safe, 1.0), 0.0, 1.0)


def label_scores(
    labels: Any,
    pred_probs: Any,
    *,
    label: Any = None,
    classes: Any = None,
    method: ScoreMethod | str = "self_confidence",
) -> Any:
    """Score every label in [0, 1], lower is worse, without deciding which ones are wrong.

    Parameters
    ----------
    labels : array-like, pandas.Series, or a table
        The given labels; a Series' index is kept. With ``label=``: the data holding them
        (the table form of :func:`find_label_issues`).
    pred_probs : array-like, pandas.DataFrame, list or dict
        Out-of-sample probabilities, shape (n_rows, n_classes); rows sum to 1. With
        ``label=``: the probability columns, in class order (a list) or ``{class: column}``.
    label : column name, optional
        The table form: the column holding the given labels.
    classes : sequence, optional
        The class of each column of ``pred_probs`` (see :func:`find_label_issues`).
    method : {"self_confidence", "normalized_margin", "confidence_weighted_entropy"}
        ``"self_confidence"``: the probability of the given label. ``"normalized_margin"``:
        ``(p_given - max p_other + 1) / 2``. ``"confidence_weighted_entropy"``: the
        normalised entropy ``H`` divided by ``p_given``, mapped by ``log(1 + s) / s``.

    Returns
    -------
    pandas.Series or the data's own lazy type
        ``label_score``, aligned with the labels, in their order. For data in an engine
        (table form on Polars, Arrow, DuckDB or files): the data itself with a
        ``label_score`` column added, computed when the result is (a Polars DataFrame or
        LazyFrame for Polars data, a DuckDB relation otherwise). The input is checked by one
        aggregate pass first; ``confidence_weighted_entropy`` then agrees with the pandas
        path to ~1e-12 (engines' logarithms), the others exactly.

    Examples
    --------
    >>> from jupyter_dci.core.labels import label_scores
    >>> label_scores([0, 1], [[0.7, 0.3], [0.6, 0.4]], method="normalized_margin").round(2).tolist()
    [0.7, 0.4]
    >>> import polars as pl
    >>> data = pl.DataFrame({"y": [0, 1], "p0": [0.7, 0.6], "p1": [0.3, 0.4]})
    >>> label_scores(data, ["p0", "p1"], label="y")["label_score"].to_list()
    [0.7, 0.4]
    """
    func = "label_scores"
    if method not in _SCORE_METHODS:
        raise param_error("method", func, f"one of {', '.join(map(repr, _SCORE_METHODS))}", method)
    if label is not None:
        return _table_scores(labels, pred_probs, label, classes, str(method), func)
    data = validate_labels_and_probs(labels, pred_probs, classes, func)
    return pd.Series(_scores(data, str(method)), index=data.index, name="label_score")


def _table_scores(
    data: Any, pred_probs: Any, label: Any, classes: Any, method: str, func: str
) -> Any:
    table = {"label": label, "pred_probs": pred_probs, "classes": classes}
    if isinstance(data, pd.DataFrame):
        series, probs, given = table_arrays(data, table, func)
        checked = validate_labels_and_probs(series, probs, given, func)
        return pd.Series(_scores(checked, method), index=checked.index, name="label_score")
    if input_kind(data) is None:
        raise unsupported(data, func)
    from jupyter_dci.core.labels._lazy import scores_lazy

    return scores_lazy(data, table, method, func)
