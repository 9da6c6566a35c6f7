"""One consensus label per row, with a quality score, and a quality score per annotator.

Validation and the result live here; the model is in ``_em`` (Dawid-Skene EM with
crowd-informed smoothing) and ``_prior`` (a model's probabilities as a calibrated prior).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.annotators._em import Fit, fit_ds
from jupyter_dci.core.annotators._input import Annotations, check_annotators, read_annotations
from jupyter_dci.core.annotators._json import plain, records
from jupyter_dci.core.annotators._prior import fit_with_model
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["Consensus", "consensus"]

#: Probabilities whose rows sum this far from 1 are refused (logits, or a wrong column set).
ROW_SUM_TOLERANCE = 1e-3
#: A row whose consensus is less likely than this to be right is flagged.
ISSUE_BELOW = 0.5
#: Pseudo-labels pulling an annotator's quality toward the crowd's (few labels, little said).
QUALITY_STRENGTH = 10.0


@dataclass(frozen=True)
class Consensus:
    """A consensus label per row, how sure it is, and how good each annotator is.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per input row, in the input's order, indexed by the row keys:
        ``consensus_label`` (categorical over ``classes``; missing for a row nobody
        labelled), ``consensus_score`` (in [0, 1], lower is worse: the estimated probability
        that the consensus label is right), ``n_labels``, ``annotator_agreement`` (share of
        the row's labels equal to the consensus) and ``is_consensus_issue`` (the consensus is
        more likely wrong than right: score below 0.5).
    annotators : pandas.DataFrame
        One row per annotator: ``n_labels``, ``quality`` (estimated accuracy, in [0, 1]: the
        expected share of their labels that are right, shrunk toward the crowd's when they
        gave few) and ``agreement`` (share of their labels equal to the consensus). NaN for
        an annotator with no label.
    classes : tuple
        The classes.
    posterior : numpy.ndarray
        P(true class) of every row, shape (n_rows, n_classes); NaN rows for rows nobody
        labelled (read-only).
    confusion : numpy.ndarray
        Each annotator's estimated confusion matrix ``[annotator, true class, label given]``,
        rows summing to 1 (read-only).
    method : str
        ``"dawid_skene"``, or ``"dawid_skene+model"`` with probabilities.
    model : dict or None
        With probabilities: ``quality`` (expected accuracy of the model's top class),
        ``temperature`` (above 1: the model was over-confident) and ``share`` (how much of
        each row's prior the model supplies, in [0, 1]).
    n_iter : int
        EM iterations.
    converged : bool
        Whether the EM met its tolerance.
    log_likelihood : float
        Log-likelihood of the labels under the fitted model.
    annotations : Annotations
        The annotations, as codes.
    """

    frame: pd.DataFrame
    annotators: pd.DataFrame
    classes: tuple[Any, ...]
    posterior: np.ndarray = field(repr=False)
    confusion: np.ndarray = field(repr=False)
    annotations: Annotations = field(repr=False)
    method: str = "dawid_skene"
    model: dict[str, float] | None = None
    n_iter: int = 0
    converged: bool = True
    log_likelihood: float = math.nan

    @property
    def labels(self) -> pd.Series:
        """The consensus label of every row (a categorical Series indexed by row key)."""
        return self.frame["consensus_label"]

    @property
    def n_issues(self) -> int:
        """Rows whose consensus is more likely wrong than right."""
        return int(self.frame["is_consensus_issue"].sum())

    def annotator_confusion(self, annotator: Any) -> pd.DataFrame:
        """Return one annotator's estimated confusion matrix.

        Parameters
        ----------
        annotator : label
            The annotator's name.

        Returns
        -------
        pandas.DataFrame
            Rows: the true class; columns: the label they give; each row sums to 1.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.annotators import consensus
        >>> wide = pd.DataFrame({"ann": ["a", "b", "a", "b"], "bob": ["a", "b", "a", "a"],
        ...                      "cy": ["a", "b", "b", "b"]})
        >>> consensus(wide).annotator_confusion("bob").shape
        (2, 2)
        """
        names = self.annotators.index
        if annotator not in names:
            raise param_error(
                "annotator",
                "Consensus.annotator_confusion",
                f"one of {list(names)[:10]}",
                annotator,
            )
        position = names.get_loc(annotator)
        classes = pd.Index(self.classes)
        return pd.DataFrame(
            self.confusion[position],
            index=classes.rename("true_label"),
            columns=classes.rename("given_label"),
        )

    def __repr__(self) -> str:
        return (
            f"Consensus({len(self.frame):,} rows, {len(self.annotators)} annotators, "
            f"{len(self.classes)} classes, method={self.method!r}, "
            f"{self.n_issues:,} rows below {ISSUE_BELOW})"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-row table, in the input's order.

        Returns
        -------
        pandas.DataFrame
            ``consensus_label``, ``consensus_score``, ``n_labels``, ``annotator_agreement``,
            ``is_consensus_issue``.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.annotators import consensus
        >>> wide = pd.DataFrame({"ann": ["a", "b", "a"], "bob": ["a", "b", "b"],
        ...                      "cy": ["a", "b", "a"]})
        >>> consensus(wide).to_frame()["consensus_label"].tolist()
        ['a', 'b', 'a']
        """
        return self.frame.copy()

    def to_dict(self, max_rows: int = 50) -> dict[str, Any]:
        """Return a JSON-ready summary, bounded: at most ``max_rows`` rows, the least sure first.

        Parameters
        ----------
        max_rows : int, default 50
            Most rows listed.

        Returns
        -------
        dict
            ``n_rows``, ``n_labels``, ``classes``, ``method``, ``model``, ``n_iter``,
            ``converged``, ``annotators`` (records), ``rows`` (records of the lowest
            ``consensus_score`` first), ``n_issues`` and ``truncated``. NaN is None.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.annotators import consensus
        >>> wide = pd.DataFrame({"ann": ["a", "b", "a", "b", "a"],
        ...                      "bob": ["a", "b", "a", "b", "b"],
        ...                      "cy": ["b", "a", "a", "b", "a"]})
        >>> d = consensus(wide).to_dict(max_rows=1)
        >>> d["rows"][0]["index"], d["truncated"]
        (4, True)
        """
        if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)):
            raise param_error("max_rows", "Consensus.to_dict", "an int >= 0", max_rows)
        if max_rows < 0:
            raise param_error("max_rows", "Consensus.to_dict", "an int >= 0", max_rows)
        scores = self.frame["consensus_score"].to_numpy()
        order = np.lexsort((np.arange(len(scores)), np.nan_to_num(scores, nan=2.0)))
        shown = self.frame.iloc[order[: int(max_rows)]].astype({"consensus_label": object})
        labelled = int((self.frame["n_labels"].to_numpy() > 0).sum())
        return {
            "n_rows": len(self.frame),
            "n_labelled_rows": labelled,
            "n_labels": int(self.frame["n_labels"].sum()),
            "classes": [plain(c) for c in self.classes],
            "method": self.method,
            "model": None if self.model is None else {k: plain(v) for k, v in self.model.items()},
            "n_iter": self.n_iter,
            "converged": self.converged,
            "annotators": records(self.annotators, "annotator"),
            "rows": records(shown, "index"),
            "n_issues": self.n_issues,
            "truncated": len(shown) < labelled,
        }


def _probs_array(pred_probs: Any, func: str) -> np.ndarray:
    try:
        probs = np.asarray(pred_probs, dtype=np.float64)
    except (TypeError, ValueError):
        raise param_error(
            "pred_probs",
            func,
            "a 2-d array of probabilities (rows x classes)",
            type(pred_probs).__name__,
        ) from None
    if probs.ndim != 2:
        raise param_error(
            "pred_probs", func, "a 2-d array (rows x classes)", f"an array of shape {probs.shape}"
        )
    return probs


def _check_probs(probs: np.ndarray, func: str) -> None:
    sums = probs.sum(axis=1)  # NaN and infinities reach the sums: two passes check all
    if not np.isfinite(sums).all() or (probs.size and probs.min() < 0):
        raise param_error(
            "pred_probs",
            func,
            "finite probabilities >= 0 (no NaN)",
            "NaN, infinite or negative values",
        )
    bad = np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_TOLERANCE)
    if len(bad):
        raise param_error(
            "pred_probs",
            func,
            "rows that sum to 1 (probabilities, not logits: apply a softmax)",
            f"{len(bad):,} rows that do not, e.g. row {int(bad[0])} sums to {sums[bad[0]]:.4g}",
        )


def _read(
    annotations: Any, pred_probs: Any, options: dict[str, Any], func: str
) -> tuple[Annotations, np.ndarray | None]:
    """Read the annotations, and align the probabilities with their rows and classes."""
    if pred_probs is not None and not isinstance(pred_probs, (np.ndarray, pd.DataFrame, list)):
        pred_probs = getattr(pred_probs, "pred_probs", pred_probs)  # an OutOfSampleProbs
    if not isinstance(pred_probs, pd.DataFrame):
        data = read_annotations(annotations, func=func, **options)
        if pred_probs is None:
            return data, None
        probs = _probs_array(pred_probs, func)
        if probs.shape != (data.n_rows, data.n_classes):
            raise DataMismatchError(
                f"pred_probs given to {func} has shape {probs.shape}; the annotations have "
                f"{data.n_rows:,} rows and {data.n_classes} classes {list(data.classes)[:10]}. "
                "Pass a DataFrame indexed by row key with one column per class, or classes= "
                "listing every class of the model."
            )
        return data, probs
    if options["classes"] is None:
        options = {**options, "classes": list(pred_probs.columns)}
    data = read_annotations(annotations, func=func, **options)
    missing = data.index.difference(pred_probs.index)
    if len(missing):
        raise DataMismatchError(
            f"pred_probs given to {func} has no row for {len(missing):,} row key(s) of the "
            f"annotations, e.g. {[plain(v) for v in missing[:5]]}. Index it by the "
            "annotations' row keys."
        )
    absent = pd.Index(data.classes).difference(pred_probs.columns)
    if len(absent):
        raise DataMismatchError(
            f"pred_probs given to {func} has no column for the class(es) "
            f"{[plain(v) for v in absent[:5]]}; its columns must be the classes."
        )
    extra = pred_probs.columns.difference(pd.Index(data.classes))
    if len(extra):
        raise DataMismatchError(
            f"pred_probs given to {func} has columns that are not classes: "
            f"{[plain(v) for v in extra[:5]]}; the classes are {list(data.classes)[:10]}. "
            "Its columns must be the classes (leave classes=None to take them from it)."
        )
    frame = pred_probs.reindex(index=data.index, columns=data.classes)
    return data, _probs_array(frame.to_numpy(dtype=np.float64, na_value=np.nan), func)


def _quality(data: Annotations, fit: Fit, same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each annotator's expected accuracy (shrunk) and agreement with the consensus.

    ``same`` holds, per annotator, how many of their labels equal the consensus.
    """
    table, mass = fit.patterns.table, fit.pattern_mass
    j = data.n_annotators
    expected = np.zeros(j)
    for a in range(j):
        # Every row of a pattern has annotator a's same label: its posterior mass is summed.
        has = table[:, a] >= 0
        expected[a] = mass[np.flatnonzero(has), table[has, a]].sum()
    n = data.labels_per_annotator.astype(np.float64)
    crowd = expected.sum() / max(n.sum(), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        quality = np.where(
            n > 0, (expected + QUALITY_STRENGTH * crowd) / (n + QUALITY_STRENGTH), np.nan
        )
        agree = np.where(n > 0, same / n, np.nan)
    return quality, agree


def consensus(
    annotations: Any,
    pred_probs: Any = None,
    *,
    classes: Any = None,
    row: Any = None,
    annotator: Any = "annotator",
    label: Any = "label",
    time: Any = None,
) -> Consensus:
    """Find one consensus label per row, how sure it is, and how good each annotator is.

    A Dawid-Skene model (1979): each annotator has a confusion matrix (how often they give
    each label to rows of each true class), fitted by EM from the majority vote. Ours shrinks
    every confusion toward what the crowd does, so annotators with few labels get sensible
    estimates; and it takes a model's out-of-sample probabilities as each row's prior,
    calibrated (temperature and trust) on the annotators' own labels.

    Parameters
    ----------
    annotations : pandas.DataFrame or 2-d array
        Wide (one column per annotator, one row per example, missing where an annotator did
        not label it) or long (one line per label in the ``annotator`` and ``label``
        columns). See :func:`read_annotations`.
    pred_probs : array-like, pandas.DataFrame or OutOfSampleProbs, optional
        A model's **out-of-sample** probabilities (e.g. :func:`out_of_sample_probs` trained
        on a majority vote). A DataFrame is aligned by row key, its columns naming the
        classes (extra rows are ignored); an array must follow the annotations' rows (wide:
        the frame's order; long: the row keys sorted) and classes.
    classes : sequence, optional
        The allowed classes, in order. Default: the DataFrame's columns, else the labels
        found, sorted.
    row, annotator, label, time : column names
        The long shape's columns (see :func:`read_annotations`).

    Returns
    -------
    Consensus
        The per-row table (``consensus_label``, ``consensus_score``, ...), the annotators'
        quality and confusion matrices, and the model's calibration.

    Raises
    ------
    InvalidParameterError
        Annotations of another type or empty; probabilities that are not 2-d, negative, NaN
        or do not sum to 1.
    DataMismatchError
        Fewer than two annotators with labels (for one set of labels, use
        :func:`find_label_issues`), labels of mixed types or outside ``classes``,
        probabilities whose rows or classes do not match the annotations.

    Notes
    -----
    A row nobody labelled gets no consensus (missing label, NaN score) even with
    probabilities; an annotator with no label gets NaN quality.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.annotators import consensus
    >>> wide = pd.DataFrame({
    ...     "ann": ["cat", "dog", "cat", "dog", "cat"],
    ...     "bob": ["cat", "dog", "cat", "dog", "dog"],
    ...     "cy":  ["dog", "cat", "cat", "dog", "cat"],
    ... })
    >>> result = consensus(wide)
    >>> result.frame["consensus_label"].tolist()
    ['cat', 'dog', 'cat', 'dog', 'cat']
    >>> result.annotators["quality"].round(2).tolist()
    [0.83, 0.79, 0.7]
    """
    func = "consensus"
    options = {"classes": classes, "row": row, "annotator": annotator, "label": label, "time": time}
    data, probs = _read(annotations, pred_probs, options, func)
    if probs is not None:
        _check_probs(probs, func)
    check_annotators(
        data,
        func,
        "A consensus needs two annotators; for one set of labels and a model's probabilities "
        "use find_label_issues.",
    )
    rows = np.flatnonzero(data.labels_per_row > 0)
    codes = data.codes[rows]
    fit = (
        fit_ds(codes, data.n_classes)
        if probs is None
        else fit_with_model(codes, data.n_classes, probs[rows])
    )
    return _result(data, fit, rows, probs)


def _result(data: Annotations, fit: Fit, rows: np.ndarray, probs: np.ndarray | None) -> Consensus:
    n = data.n_rows
    picked = fit.posterior.argmax(axis=1)
    if len(rows) == n:  # every row labelled: no copies
        posterior, top = fit.posterior, picked
        score = np.take_along_axis(posterior, picked[:, None], axis=1)[:, 0]
    else:
        posterior = np.full((n, data.n_classes), np.nan)
        posterior[rows] = fit.posterior
        top = np.full(n, -1, dtype=np.intp)
        top[rows] = picked
        score = np.full(n, np.nan)
        score[rows] = np.take_along_axis(fit.posterior, picked[:, None], axis=1)[:, 0]
    m = data.labels_per_row
    # -2 for unlabelled rows: never equal to a code, not even to a missing one (-1).
    equal = data.codes == np.where(top < 0, -2, top).astype(data.codes.dtype)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = np.where(m > 0, equal.sum(axis=1) / np.maximum(m, 1), np.nan)
    quality, agreement = _quality(data, fit, equal.sum(axis=0))
    model = None
    if probs is not None:
        best = probs[rows].argmax(axis=1)
        model = {
            "quality": float(np.take_along_axis(fit.posterior, best[:, None], axis=1).mean()),
            "temperature": fit.temperature,
            "share": fit.model_share,
        }
    posterior.setflags(write=False)
    fit.confusion.setflags(write=False)
    frame = pd.DataFrame(
        {
            "consensus_label": pd.Categorical.from_codes(top, categories=data.classes),
            "consensus_score": score,
            "n_labels": m,
            "annotator_agreement": agree,
            "is_consensus_issue": np.nan_to_num(score, nan=1.0) < ISSUE_BELOW,
        },
        index=data.index,
    )
    annotators = pd.DataFrame(
        {"n_labels": data.labels_per_annotator, "quality": quality, "agreement": agreement},
        index=data.annotators.rename("annotator"),
    )
    return Consensus(
        frame=frame,
        annotators=annotators,
        classes=tuple(data.classes),
        posterior=posterior,
        confusion=fit.confusion,
        method="dawid_skene" if probs is None else "dawid_skene+model",
        model=model,
        n_iter=fit.n_iter,
        converged=fit.converged,
        log_likelihood=fit.log_likelihood,
        annotations=data,
    )
