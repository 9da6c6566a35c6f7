"""Label issues by confident learning (Northcutt, Jiang and Chuang, JAIR 2021), in numpy.

Given out-of-sample probabilities, confident learning estimates how many rows of each given
class really belong to each other class (the *confident joint*), then flags that many rows,
the least likely ones first. Everything here is vectorised: 1M rows x 10 classes take a
fraction of a second in one process.

The steps, for given labels ``y`` (codes 0..K-1) and probabilities ``P`` (n x K):

1. per-class thresholds ``t_j``: the mean of ``P[:, j]`` over rows labelled ``j``;
2. confident joint ``C[i, j]``: rows labelled ``i`` whose most probable class among those
   above their threshold is ``j`` (rows with no class above threshold are not counted);
3. calibration: each row of ``C`` rescaled to the count of label ``i``, so that ``C`` sums to
   ``n`` and its off-diagonal is an estimate of the number of label errors per cell;
4. a score per row in [0, 1], lower is worse: the posterior probability that the given label
   is right, ``P_y T[y, y] / sum_j P_j T[y, j]`` with ``T`` the noise matrix from step 3;
5. flagging: see :func:`find_label_issues` for the filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jupyter_dci.core.engine import input_kind, unsupported
from jupyter_dci.core.labels._confident import (
    TIE,
    confident_joint,
    expected_f1_cut,
    keep_one_per_class,
    noise_matrix,
    posterior_correct,
    prune_by_noise_rate,
    rank_order,
    top_k_lowest,
)
from jupyter_dci.core.labels._input import LabelInput, validate_labels_and_probs
from jupyter_dci.core.labels._lazy_input import table_arrays
from jupyter_dci.core.labels._scores import label_scores, self_confidence
from jupyter_dci.errors import param_error

__all__ = ["LabelIssues", "find_label_issues", "label_scores"]

FilterMethod = Literal["confident_learning", "prune_by_noise_rate", "expected_f1"]
_FILTERS = ("confident_learning", "prune_by_noise_rate", "expected_f1")
#: The most flagged rows a call on data in an engine brings back.
MAX_ROWS = 1_000_000


def _freeze(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class LabelIssues:
    """Rows whose given label is probably wrong, ranked worst first, with the noise estimate.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per input row, indexed like the labels, flagged rows first and then by
        ``label_score`` (lowest first): ``given_label`` and ``suggested_label`` (categoricals
        over ``classes``), ``label_score`` (float in [0, 1], lower is worse: the estimated
        probability that the given label is right) and ``is_label_issue`` (bool).
    classes : tuple
        The classes, in the column order of the probabilities.
    confident_joint : pandas.DataFrame
        Calibrated counts of rows by given label (index) and estimated true label (columns);
        it sums to the number of rows and its off-diagonal estimates the label errors.
    noise_matrix : pandas.DataFrame
        ``P(given label = row | true label = column)``, each column summing to 1.
    noise_rates : pandas.Series
        Per given label: the estimated share of its rows that are mislabelled.
    filter_by : str
        The rule that chose the flagged rows.
    thresholds : numpy.ndarray
        Per-class confidence thresholds (mean self-confidence of each label; read-only).
    total_rows, total_issues : int or None
        For data in an engine (Polars, DuckDB, Arrow, files): the rows of the data and the
        rows flagged, all counted exactly, while ``frame`` holds only the flagged rows shown
        (at most ``max_rows``, worst first, indexed by the ``key`` column or by the row's
        position in the data, ``row``). None when ``frame`` holds every row.
    """

    frame: pd.DataFrame
    classes: tuple[Any, ...]
    confident_joint: pd.DataFrame
    noise_matrix: pd.DataFrame
    noise_rates: pd.Series
    filter_by: str
    thresholds: np.ndarray = field(repr=False)
    total_rows: int | None = field(default=None, repr=False)
    total_issues: int | None = field(default=None, repr=False)

    @property
    def n_rows(self) -> int:
        """Number of rows of the data."""
        return len(self.frame) if self.total_rows is None else self.total_rows

    @property
    def n_issues(self) -> int:
        """Number of rows flagged (all of them, shown or not)."""
        if self.total_issues is not None:
            return self.total_issues
        return int(self.frame["is_label_issue"].sum())

    @property
    def issues(self) -> pd.DataFrame:
        """The flagged rows only, worst first (those shown, for data in an engine)."""
        return self.frame[self.frame["is_label_issue"].to_numpy()]

    @property
    def truncated(self) -> bool:
        """Whether some flagged rows are not in ``frame`` (data in an engine, past max_rows)."""
        return self.n_issues > int(self.frame["is_label_issue"].sum())

    def __repr__(self) -> str:
        shown = f", {len(self.frame):,} shown" if self.truncated else ""
        return (
            f"LabelIssues({self.n_issues:,} of {self.n_rows:,} rows flagged{shown}, "
            f"{len(self.classes)} classes, filter_by={self.filter_by!r})"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the ranked issue table.

        Returns
        -------
        pandas.DataFrame
            ``given_label``, ``suggested_label``, ``label_score``, ``is_label_issue``.

        Examples
        --------
        >>> import numpy as np
        >>> from jupyter_dci.core.labels import find_label_issues
        >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]])
        >>> find_label_issues([0, 0, 1, 1, 1], probs).to_frame().index.tolist()
        [4, 3, 2, 0, 1]
        """
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary: the noise estimate and every flagged row.

        Returns
        -------
        dict
            ``n_rows``, ``n_issues``, ``classes``, ``filter_by``, ``noise_rates``,
            ``confident_joint``, ``noise_matrix`` (nested lists, rows = given label),
            ``issues`` (a list of ``{index, given_label, suggested_label, label_score}``: for
            data in an engine, the rows shown) and ``truncated`` (some flagged rows are not
            listed).

        Examples
        --------
        >>> import numpy as np
        >>> from jupyter_dci.core.labels import find_label_issues
        >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]])
        >>> d = find_label_issues([0, 0, 1, 1, 1], probs).to_dict()
        >>> d["n_issues"], d["issues"][0]["index"], d["issues"][0]["suggested_label"]
        (1, 4, 0)
        """
        flagged = self.issues
        issues = [
            {"index": i, "given_label": g, "suggested_label": s, "label_score": float(x)}
            for i, g, s, x in zip(
                flagged.index.tolist(),
                flagged["given_label"].astype(object).tolist(),
                flagged["suggested_label"].astype(object).tolist(),
                flagged["label_score"].tolist(),
                strict=True,
            )
        ]
        return {
            "n_rows": self.n_rows,
            "n_issues": self.n_issues,
            "classes": _plain(self.classes),
            "filter_by": self.filter_by,
            "noise_rates": dict(zip(_plain(self.classes), self.noise_rates.tolist(), strict=True)),
            "confident_joint": self.confident_joint.to_numpy().tolist(),
            "noise_matrix": self.noise_matrix.to_numpy().tolist(),
            "issues": issues,
            "truncated": self.truncated,
        }


def _plain(values: Any) -> list[Any]:
    # numpy scalars -> Python scalars, so json.dumps accepts them.
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _flag(
    codes: np.ndarray,
    probs: np.ndarray,
    kept: np.ndarray,
    correct: np.ndarray,
    filter_by: str,
    own: np.ndarray,
    top: np.ndarray,
) -> np.ndarray:
    if filter_by == "prune_by_noise_rate":
        flags = prune_by_noise_rate(codes, probs, kept, own, top)
    elif filter_by == "expected_f1":
        flags = expected_f1_cut(correct)
    else:
        # Two estimates of the number of errors: the confident joint's off-diagonal (robust
        # when the probabilities are over- or under-confident) and the expected-F1 cut (best
        # when they are calibrated). Their mean, taken in posterior order, beat either alone
        # and every cleanlab filter in benchmarks/bench_labels.py.
        counted = int(kept.sum() - np.trace(kept))
        calibrated = int(expected_f1_cut(correct).sum())
        flags = top_k_lowest(correct, (counted + calibrated) // 2, own)
    # A row whose given label is (within a tie) the model's top choice is never flagged.
    flags &= own + TIE < top
    return flags


def _suggest(
    codes: np.ndarray, probs: np.ndarray, noise: np.ndarray, flags: np.ndarray, argmax: np.ndarray
) -> np.ndarray:
    """Suggest the model's top class; for a flagged row, the most probable *other* true class.

    For flagged rows the estimated noise counts too: ``P(true j | x, given y)`` is
    proportional to ``P_j T[y, j]``, so a systematic confusion (y often given for j) favours j.
    """
    suggested = argmax.copy()
    rows = np.flatnonzero(flags)
    if len(rows):
        given = codes[rows]
        posterior = np.take(probs, rows, axis=0) * noise.take(given, axis=0)
        posterior[np.arange(len(rows)), given] = -1.0
        suggested[rows] = posterior.argmax(axis=1)
    return suggested


def _categorical(codes: np.ndarray, order: np.ndarray, classes: pd.Index) -> pd.Categorical:
    """``codes[order]`` as a categorical over ``classes``, without a second pass to check them.

    The codes are cast to the small integer type pandas stores anyway before the gather, so
    the gather moves 1 byte per row instead of 8; the codes are valid by construction.
    """
    # pandas' own rule (coerce_indexer_dtype): int8 below 127 classes, int16 below 32767.
    k = len(classes)
    small: type[np.signedinteger[Any]] = np.int8 if k < 127 else np.int16 if k < 32767 else np.int32
    return pd.Categorical.from_codes(
        codes.astype(small).take(order), categories=classes, validate=False
    )


def find_label_issues(
    labels: Any,
    pred_probs: Any,
    *,
    label: Any = None,
    classes: Any = None,
    filter_by: FilterMethod | str = "confident_learning",
    key: Any = None,
    max_rows: int = 10_000,
) -> LabelIssues:
    """Find the rows whose given label is probably wrong, by confident learning.

    Two forms. The array form takes the labels and the probabilities themselves. The table
    form, ``find_label_issues(data, ["p_cat", "p_dog"], label="y")``, takes a table and names
    its columns; ``data`` may be a pandas DataFrame or data that stays in its engine (a
    Polars DataFrame or LazyFrame, a PyArrow Table or Dataset, a DuckDB relation, or a path
    or glob of Parquet or CSV files): the same rows are flagged, computed in the engine, and
    only the first ``max_rows`` flagged rows come back (see ``LabelIssues``).

    Parameters
    ----------
    labels : array-like, pandas.Series, or a table
        The given labels (ints, strings, categoricals, nullable ints...; no missing values);
        a Series' index is kept in the result. With ``label=``: the data holding them.
    pred_probs : array-like, pandas.DataFrame, list or dict
        **Out-of-sample** probabilities (e.g. from :func:`out_of_sample_probs` or
        ``cross_val_predict(..., method="predict_proba")``), shape (n_rows, n_classes); rows
        sum to 1. A DataFrame's columns name the classes. With ``label=``: the probability
        columns of the data, in class order (a list), or ``{class: column}`` (a dict).
    label : column name, optional
        The table form: the column of ``labels`` (the data) holding the given labels.
    classes : sequence, optional
        The class of each column of ``pred_probs``. Default: the DataFrame's columns (or the
        dict's keys), else ``0..K-1`` for integer labels in that range, else the sorted
        distinct labels.
    filter_by : {"confident_learning", "prune_by_noise_rate", "expected_f1"}
        How the flagged rows are chosen; all rank by ``label_score``, the posterior
        probability that the given label is right under the estimated noise matrix, and none
        flags a row whose given label is the model's top class.
        ``"confident_learning"`` (default): the ``m`` lowest-scored rows, ``m`` the mean of two
        estimates of the number of errors: the off-diagonal of the confident joint and the size
        of the expected-F1 cut. ``"prune_by_noise_rate"``: the classic rule (cleanlab's
        default): for each cell (given i, true j) of the joint, that many rows of label i with
        the largest ``P_j - P_i``. ``"expected_f1"``: the rows that maximise the expected F1
        when ``1 - label_score`` is taken as each row's chance of being wrong; best when the
        probabilities are well calibrated. Data in an engine takes the first and the last.
    key : column name, optional
        The table form: a column identifying the rows, which indexes the result. Default:
        the data's index (pandas), else each row's position in the data (0-based, in the
        order the engine reads it), in an index named ``row``.
    max_rows : int, default 10,000
        Data in an engine: the most flagged rows brought back (worst first), in [0,
        1,000,000]; ``n_issues`` counts them all. A pandas frame's result holds every row.

    Returns
    -------
    LabelIssues
        The ranked table (``given_label``, ``suggested_label``, ``label_score``,
        ``is_label_issue``) and the noise estimate.

    Raises
    ------
    InvalidParameterError
        Empty input, fewer than 2 classes, NaN, negative or unnormalised probabilities,
        missing labels, an unknown ``filter_by``, or ``max_rows`` out of range.
    DataMismatchError
        Lengths or indexes that differ, labels that are not among the classes, or column
        names that are not the data's.
    UnsupportedInputError
        A table of a type no engine takes.

    Examples
    --------
    >>> import numpy as np
    >>> from jupyter_dci.core.labels import find_label_issues
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]])
    >>> result = find_label_issues(["a", "a", "b", "b", "b"], probs)
    >>> result.issues[["given_label", "suggested_label"]].astype(str).values.tolist()
    [['b', 'a']]

    The table form, on a Polars frame (any engine input alike):

    >>> import polars as pl
    >>> data = pl.DataFrame({"y": ["a", "a", "b", "b", "b"], "pa": probs[:, 0], "pb": probs[:, 1]})
    >>> find_label_issues(data, ["pa", "pb"], label="y")
    LabelIssues(1 of 5 rows flagged, 2 classes, filter_by='confident_learning')
    """
    func = "find_label_issues"
    if filter_by not in _FILTERS:
        raise param_error(
            "filter_by",
            func,
            "one of 'confident_learning', 'prune_by_noise_rate', 'expected_f1'",
            filter_by,
        )
    if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)):
        raise param_error("max_rows", func, f"an int in [0, {MAX_ROWS:,}]", max_rows)
    if not 0 <= max_rows <= MAX_ROWS:
        raise param_error("max_rows", func, f"an int in [0, {MAX_ROWS:,}]", max_rows)
    if label is None:
        if key is not None:
            raise param_error("key", func, "None unless label= names the label column", key)
        return _find(validate_labels_and_probs(labels, pred_probs, classes, func), str(filter_by))
    table = {"label": label, "pred_probs": pred_probs, "classes": classes, "key": key}
    if isinstance(labels, pd.DataFrame):
        series, probs, classes = table_arrays(labels, table, func)
        return _find(validate_labels_and_probs(series, probs, classes, func), str(filter_by))
    if input_kind(labels) is None:
        raise unsupported(labels, func)
    from jupyter_dci.core.labels._lazy import find_issues_lazy

    return find_issues_lazy(labels, table, str(filter_by), int(max_rows), func)


def _find(data: LabelInput, filter_by: str) -> LabelIssues:
    codes, probs, classes = data.codes, data.probs, data.classes
    own = self_confidence(codes, probs)
    top, argmax = data.top, data.argmax
    estimate = confident_joint(codes, probs, own, top, argmax)
    joint = estimate.calibrated
    # Flags and posterior use the joint that keeps one row per class on the diagonal: a class
    # is never emptied, and a zero there would make every row of the class score 0, all tied.
    kept = keep_one_per_class(joint)
    noise = noise_matrix(kept)
    correct = posterior_correct(codes, probs, noise, own)
    flags = _flag(codes, probs, kept, correct, filter_by, own, top)
    suggested = _suggest(codes, probs, noise, flags, argmax)
    order = rank_order(flags, correct)
    frame = pd.DataFrame(
        {
            "given_label": _categorical(codes, order, classes),
            "suggested_label": _categorical(suggested, order, classes),
            "label_score": correct.take(order),  # take: ~3x faster than correct[order]
            # The order puts the flagged rows first: no need to gather the flags.
            "is_label_issue": np.arange(len(order)) < np.count_nonzero(flags),
        },
        index=data.index[order],
    )
    names = pd.Index(classes)
    counts = estimate.label_counts
    rates = 1.0 - joint.diagonal() / np.maximum(counts, 1)
    return LabelIssues(
        frame=frame,
        classes=tuple(classes),
        confident_joint=pd.DataFrame(
            joint, index=names.rename("given_label"), columns=names.rename("true_label")
        ),
        noise_matrix=pd.DataFrame(
            noise, index=names.rename("given_label"), columns=names.rename("true_label")
        ),
        noise_rates=pd.Series(np.where(counts > 0, rates, 0.0), index=names, name="noise_rate"),
        filter_by=filter_by,
        thresholds=_freeze(estimate.thresholds),
    )
