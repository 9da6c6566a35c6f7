"""Where a model is wrong, row by row: the error a slice search looks for.

From a model's predictions, or from the top class of its probabilities, compared with the
labels as they are now. The class of each probability column is settled as everywhere else
in the package (:func:`jupyter_dci.core.labels._input.infer_classes`), so the Slices and the
Label issues of one workbench read the same probabilities the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.labels._input import _as_probs, infer_classes
from jupyter_dci.errors import param_error

__all__ = ["model_errors", "top_class"]

_FUNC = "model_errors"


def top_class(labels: pd.Series, pred_probs: Any) -> np.ndarray:
    """Return each row's most probable class (the first one on a tie), as objects.

    Parameters
    ----------
    labels : pandas.Series
        The labels, to tell which class each probability column is when the
        probabilities do not name them.
    pred_probs : array-like, DataFrame or OutOfSampleProbs
        One row per label, one column per class.

    Examples
    --------
    >>> import pandas as pd
    >>> top_class(pd.Series(["a", "b"]), [[0.9, 0.1], [0.3, 0.7]]).tolist()
    ['a', 'b']
    """
    classes = getattr(pred_probs, "classes", None)
    probs, columns, _ = _as_probs(pred_probs, _FUNC)
    if classes is None:
        classes = infer_classes(labels.dropna(), probs.shape[1], columns, _FUNC)
    return np.asarray(classes, dtype=object)[probs.argmax(axis=1)]


def model_errors(
    labels: pd.Series, *, predictions: Any = None, pred_probs: Any = None
) -> np.ndarray:
    """Return whether the model is wrong on each row (prediction != label).

    Parameters
    ----------
    labels : pandas.Series
        The labels as they are now.
    predictions : array-like, optional
        The model's predicted label per row; taken over ``pred_probs`` when both are given.
    pred_probs : array-like, DataFrame or OutOfSampleProbs, optional
        Class probabilities per row; the top class is the prediction.

    Returns
    -------
    numpy.ndarray
        One bool per row.

    Raises
    ------
    InvalidParameterError
        Neither predictions nor probabilities.

    Examples
    --------
    >>> import pandas as pd
    >>> model_errors(pd.Series([0, 1, 1]), pred_probs=[[0.8, 0.2], [0.6, 0.4], [0.1, 0.9]])
    array([False,  True, False])
    """
    if predictions is not None:
        predicted = np.asarray(predictions, dtype=object)
    elif pred_probs is not None:
        predicted = top_class(labels, pred_probs)
    else:
        raise param_error("predictions", _FUNC, "predictions or pred_probs", None)
    values = labels.astype(object).to_numpy()
    return np.fromiter(
        (bool(a != b) for a, b in zip(predicted, values, strict=True)),
        dtype=bool,
        count=len(values),
    )
