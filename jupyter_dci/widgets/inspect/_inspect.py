"""``dci.inspect(df)``: check what was given, once, and open the :class:`Workbench`."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.engine._inputs import input_kind, pandas_only
from jupyter_dci.core.labels import OutOfSampleProbs
from jupyter_dci.core.review._lazy import is_keyed_dataset
from jupyter_dci.core.table import display_name
from jupyter_dci.errors import param_error
from jupyter_dci.widgets.inspect._lazy import LazyWorkbench
from jupyter_dci.widgets.inspect._workbench import Workbench

__all__ = ["inspect"]


def _check_length(name: str, n_rows: int, got: int) -> None:
    if got != n_rows:
        raise param_error(name, "inspect", f"one entry per row of the frame ({n_rows:,})", got)


def _resolve_dataset(df: Any, label: Any, dataset: Any) -> tuple[pd.DataFrame, Any, Any]:
    """Return the frame, label and dataset meant by ``df`` (a frame or a tracked Dataset)."""
    from jupyter_dci.store import Dataset

    if isinstance(df, Dataset):
        if dataset is not None and dataset is not df:
            raise param_error("dataset", "inspect", "None when df is a Dataset", dataset)
        dataset = df
        df = dataset.frame
    pandas_only(df, "inspect", also="or a tracked Dataset")
    if dataset is not None:
        if not isinstance(dataset, Dataset) or dataset.frame is not df:
            raise param_error(
                "dataset",
                "inspect",
                "the Dataset tracking this very frame (ds = dci.track(df, ...); dci.inspect(ds))",
                type(dataset).__name__,
            )
        label = dataset.label if label is None else label
    return df, label, dataset


def _kept_in_engine(df: Any, dataset: Any) -> bool:
    """Whether ``df`` (or its dataset) keeps its rows in an engine: the lazy workbench's data."""
    if is_keyed_dataset(df) or is_keyed_dataset(dataset):
        return True
    kind = input_kind(df)
    return kind is not None and kind != "pandas"


def _check_model_outputs(n_rows: int, pred_probs: Any, predictions: Any) -> None:
    """Refuse probabilities or predictions that are not one entry per row."""
    if pred_probs is not None:
        probs = pred_probs.pred_probs if isinstance(pred_probs, OutOfSampleProbs) else pred_probs
        shape = np.shape(probs)
        if len(shape) != 2:
            raise param_error(
                "pred_probs", "inspect", "a 2-d array of shape (n_rows, n_classes)", shape
            )
        _check_length("pred_probs", n_rows, shape[0])
    if predictions is not None:
        if np.ndim(predictions) != 1:
            raise param_error(
                "predictions", "inspect", "one predicted label per row", np.shape(predictions)
            )
        _check_length("predictions", n_rows, len(predictions))


def inspect(
    df: Any,
    *,
    label: Hashable | None = None,
    pred_probs: Any = None,
    predictions: Any = None,
    features: Sequence[Hashable] | None = None,
    dataset: Any = None,
    key: str | None = None,
) -> Workbench | LazyWorkbench:
    """Open the workbench: look, find, fix, record and measure in one panel.

    Parameters
    ----------
    df : pandas.DataFrame or jupyter_dci.store.Dataset
        The data (referenced, not copied; relabels are written into it). A tracked
        Dataset stands for its frame, its label column and itself.
    label : column name, optional
        The label column: adds the label alerts, the Label issues tab and the slices.
    pred_probs : array-like, DataFrame or OutOfSampleProbs, optional
        Out-of-sample class probabilities, one row per row of ``df``. Without them, the
        Label issues tab offers to compute them (cancellable, with a progress bar).
    predictions : array-like, optional
        A model's predicted label per row, for the Slices tab (else the top class of the
        probabilities is taken).
    features : sequence of column names, optional
        The columns to learn from and slice by (default: all but the label; slices skip
        image and other array columns).
    dataset : jupyter_dci.store.Dataset, optional
        The dataset tracking ``df``: edits become pending edits and the History tab shows
        its versions.
    key : str, optional
        For data kept in its engine: the column naming rows (default: the dataset's key).

    Data beyond pandas (a Polars frame, Arrow data, a DuckDB relation, Parquet or CSV files,
    or a ``LazyDataset``) opens a :class:`LazyWorkbench`, every tab computed in the data's
    engine: ``pred_probs`` then names the data's probability columns and ``predictions``
    its prediction column.

    Returns
    -------
    Workbench
        The panel; display it, or leave it as a cell's last value.

    Raises
    ------
    InvalidParameterError
        A parameter of the wrong kind or length, with what was expected.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import jupyter_dci as dci
    >>> df = pd.DataFrame({"x": [0.1, 0.2, 0.9, 0.8], "y": [0, 0, 1, 0]})
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.05, 0.95]])
    >>> wb = dci.inspect(df, label="y", pred_probs=probs)
    >>> wb.open_tab("labels").review_panel.n_suspects
    1
    """
    if _kept_in_engine(df, dataset):
        lazy = df if is_keyed_dataset(df) else dataset
        return LazyWorkbench(
            None if lazy is df else df,
            label=label if label is not None or lazy is None else lazy.label,
            pred_probs=pred_probs,
            predictions=predictions,
            features=features,
            key=key,
            dataset=lazy,
        )
    df, label, dataset = _resolve_dataset(df, label, dataset)
    if label is not None and int((df.columns == label).sum()) != 1:
        columns = ", ".join(repr(display_name(c)) for c in df.columns[:20])
        raise param_error("label", "inspect", f"one column of the frame ({columns})", label)
    if (pred_probs is not None or predictions is not None) and label is None:
        raise param_error("label", "inspect", "the label column, to compare the model with", None)
    _check_model_outputs(len(df), pred_probs, predictions)
    if features is not None:
        if isinstance(features, str) or not isinstance(features, Sequence):
            raise param_error("features", "inspect", "a list of column names", features)
        missing = [f for f in features if f not in df.columns]
        if missing:
            raise param_error("features", "inspect", "columns of the frame", missing)
    return Workbench(
        df,
        label=label,
        pred_probs=pred_probs,
        predictions=predictions,
        features=features,
        dataset=dataset,
    )
