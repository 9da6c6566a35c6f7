"""Review the suspects of data that stays in its engine: pulled into pandas, decided by key.

Data in Polars, DuckDB or files is never in the kernel, but the suspects are few (a label
issues result is bounded): they are read, by their keys, into a small pandas frame indexed by
the key, and the review runs on it as on any frame. Each decision is then written twice: into
that frame (so the review sees it) and, when the data is tracked, as a pending edit of the
store dataset, by key (:class:`KeyedWriter`), to commit with ``ds.commit(...)``. Untracked data
cannot be written (a file is not a frame): the decisions stay in the review's ``decisions``.

Examples
--------
>>> import pandas as pd, polars as pl
>>> data = pl.DataFrame({"id": [10, 11, 12], "y": ["a", "b", "a"], "x": [0.1, 0.9, 0.2]})
>>> issues = pd.DataFrame({"given_label": ["b"], "suggested_label": ["a"],
...                        "label_score": [0.05], "is_label_issue": [True]},
...                       index=pd.Index([11], name="id"))
>>> frame, writer = pull_suspects(data, issues, label="y")
>>> frame.to_dict("index"), writer
({11: {'y': 'b', 'x': 0.9}}, None)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.review._writing import write_label
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["KeyedWriter", "is_keyed_dataset", "pull_suspects", "review_data"]

#: The most suspects pulled into the kernel for one review.
MAX_SUSPECTS = 100_000


def is_keyed_dataset(dataset: Any) -> bool:
    """Whether ``dataset`` keeps its rows in an engine and names them by key (a LazyDataset)."""
    return (
        dataset is not None
        and callable(getattr(dataset, "checkout", None))
        and (getattr(dataset, "engine", "pandas") != "pandas" and bool(getattr(dataset, "key", ())))
    )


class KeyedWriter:
    """A tracked dataset keyed by columns, standing over the suspects pulled into pandas.

    The review writes a decision through ``relabel(mask, value, ...)``, as to a pandas
    dataset that tracks its frame; here the mask names rows of the suspects' frame, whose
    index is the key: the edit goes to the dataset by key, then into the frame.
    """

    def __init__(self, dataset: Any, frame: pd.DataFrame, label: Hashable) -> None:
        self.dataset = dataset
        self.frame = frame
        self.label = label

    def relabel(
        self, rows: Any, value: Any, *, column: Hashable, reason: str = "", source: str = ""
    ) -> int:
        """Relabel the rows of the frame a mask selects, by key, then in the frame."""
        positions = np.flatnonzero(np.asarray(rows, dtype=bool))
        keys = [self.frame.index[int(p)] for p in positions]
        # The store checks keys and value and writes nothing on a refusal: the frame is
        # written only once the edit is pending.
        self.dataset.relabel(keys, value, column=column, reason=reason, source=source)
        col = self.frame.columns.get_loc(column)
        for pos in positions:
            write_label(self.frame, (int(pos), int(col)), column, value)  # type: ignore[arg-type]
        return len(positions)


def _key_of(issues_index: pd.Index, key: Any, dataset: Any) -> str:
    if dataset is not None and is_keyed_dataset(dataset):
        keys = list(dataset.key)
        if len(keys) != 1:
            raise param_error(
                "dataset", "review", "a dataset keyed by one column (this one has several)", keys
            )
        return str(keys[0])
    if key is None and issues_index.name not in (None, "row"):
        key = issues_index.name
    if key is None:
        raise param_error(
            "key",
            "review",
            "the key column naming the rows of data kept in its engine (find its issues with "
            "find_label_issues(data, probs, label=..., key='id'))",
            None,
        )
    return str(key)


def _pending_labels(dataset: Any, label: Hashable) -> dict[Any, Any]:
    if dataset is None or not dataset.n_pending:
        return {}
    pending = dataset.pending()
    pending = pending[pending["column"] == label]
    return dict(zip(pending["row"], pending["new"], strict=True))


def pull_suspects(
    data: Any,
    issues: pd.DataFrame,
    *,
    label: Hashable,
    key: Any = None,
    dataset: Any = None,
) -> tuple[pd.DataFrame, KeyedWriter | None]:
    """Read the rows of ``issues`` from data in its engine into a pandas frame indexed by key.

    Parameters
    ----------
    data : object
        The data (Polars, Arrow, DuckDB, files); with a keyed ``dataset``, its checkout.
    issues : pandas.DataFrame
        The suspects, indexed by key (as :func:`find_label_issues` returns them with
        ``key=``).
    label : column name
        The label column.
    key : str, optional
        The key column; by default the dataset's, else the issues' index name.
    dataset : LazyDataset, optional
        The store dataset tracking the data: its pending edits of the label are shown, and
        decisions become its pending edits.

    Returns
    -------
    tuple
        The suspects' frame (the data's columns but the key, index = key, in the issues'
        order) and the writer standing for the dataset (None without one).

    Raises
    ------
    DataMismatchError
        A suspect whose key is not in the data, or a key repeated in the data.
    """
    func = "review"
    if len(issues) > MAX_SUSPECTS:
        raise param_error(
            "issues", func, f"at most {MAX_SUSPECTS:,} suspects at a time", f"{len(issues):,}"
        )
    name = _key_of(issues.index, key, dataset)
    eager = isinstance(data, pd.DataFrame)
    columns = list(data.columns) if eager else as_source(data, func).columns
    for wanted, what in ((name, "key"), (label, "label")):
        if wanted not in columns:
            shown = ", ".join(repr(c) for c in columns[:20])
            raise param_error(what, func, f"one column of the data ({shown})", wanted)
    keys = list(dict.fromkeys(issues.index.tolist()))
    if eager:
        rows = data[data[name].isin(keys)]
    else:
        source = as_source(data, func)
        rows = source.frame.filter(nw.col(name).is_in(keys)).collect().to_pandas()
    frame = rows.set_index(name)
    if not frame.index.is_unique:
        repeated = frame.index[frame.index.duplicated()].unique().tolist()[:5]
        raise DataMismatchError(
            f"The key {name!r} repeats {repeated} in the data: each decision must land on one "
            "row. Review by a key that is unique."
        )
    missing = [k for k in keys if k not in frame.index]
    if missing:
        raise DataMismatchError(
            f"{len(missing)} suspect(s) are not in the data by {name!r}: {missing[:5]}. Find "
            "the issues again on this data."
        )
    frame = frame.loc[keys].copy()
    for row, value in _pending_labels(dataset, label).items():
        if row in frame.index:
            frame.loc[row, label] = value
    writer = KeyedWriter(dataset, frame, label) if dataset is not None else None
    return frame, writer


def review_data(data: Any, dataset: Any) -> Any:
    """Return the data a review of a keyed dataset reads: ``data``, else its checkout."""
    return dataset.checkout("HEAD") if data is None or data is dataset else data
