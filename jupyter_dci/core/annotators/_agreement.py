"""How much several annotators agree: overall, per class, per pair, per annotator, per row.

The coefficients and their bootstrap are in ``_stats``; this module validates, assembles the
tables and holds the result.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.annotators._input import Annotations, check_annotators, read_annotations
from jupyter_dci.core.annotators._json import matrix, plain, records
from jupyter_dci.core.annotators._stats import (
    MAX_GROUPS,
    Layout,
    bootstrap_totals,
    coefficients,
    pairwise_kappa,
    pooled_confusion,
    row_statistics,
)
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["Agreement", "agreement"]

#: Most bootstrap resamples allowed.
MAX_BOOT = 100_000


@dataclass(frozen=True)
class Agreement:
    """Agreement of several annotators, overall and in detail, with confidence intervals.

    Only *pairable* rows (labelled by 2 or more annotators) count in the coefficients; the
    intervals are bootstrap percentiles over those rows (``n_boot`` resamples, seeded; past
    2,000 rows, over 2,000 random equal groups of rows).

    Attributes
    ----------
    alpha : float
        Krippendorff's alpha (nominal): 1 is perfect agreement, 0 what chance gives, below 0
        systematic disagreement. NaN when undefined (see ``notes``).
    alpha_ci : tuple of float
        Its confidence interval (``confidence`` level).
    fleiss_kappa : float
        Fleiss' kappa; NaN unless every pairable row has the same number of labels (see
        ``notes``).
    fleiss_ci : tuple of float
        Its confidence interval.
    per_class : pandas.DataFrame
        One row per class: ``n_labels`` (labels of the class on pairable rows),
        ``specific_agreement`` (given one such label, the chance that another label of its
        row is the same class), ``alpha`` with ``alpha_low``/``alpha_high`` (the class
        against the rest) and ``fleiss_kappa`` (Fleiss' kappa of the category; NaN where
        Fleiss' kappa is undefined).
    annotators : pandas.DataFrame
        One row per annotator: ``n_labels``, ``n_pairable`` (their labels on rows someone
        else labelled too), ``agreement`` with ``agreement_low``/``agreement_high`` (mean
        share of the other labels of their rows equal to theirs) and ``kappa`` (their Cohen's
        kappas with the others, weighted by the rows shared). NaN for an annotator with no
        pairable label.
    pairwise_kappa : pandas.DataFrame
        Cohen's kappa of every pair of annotators, on the rows both labelled; NaN where they
        share no row or chance agreement is 1.
    shared_rows : pandas.DataFrame
        How many rows each pair of annotators both labelled (the diagonal: each one's).
    confusion : pandas.DataFrame
        Classes x classes: the label pairs of two different annotators on one row, pooled
        (symmetric; off the diagonal, how many pairs of annotators split between the two).
    frame : pandas.DataFrame
        One row per input row, indexed by the row keys, the most contested first:
        ``n_labels``, ``majority_label`` (the most given class; on a tie the first in class
        order), ``majority_share``, ``agreement_score`` (share of the row's pairs of labels
        that agree, in [0, 1], lower is worse; NaN with fewer than 2 labels), ``entropy`` (of
        the row's labels, divided by its largest possible value: 1 is an even split) and
        ``is_agreement_issue`` (the labels disagree).
    classes : tuple
        The classes.
    annotations : Annotations
        The annotations, as codes.
    notes : tuple of str
        What could not be computed and why; how the intervals were made.
    confidence : float
        Level of the intervals.
    n_boot : int
        Bootstrap resamples (0: no intervals).
    seed : int
        Seed of the bootstrap.
    """

    alpha: float
    alpha_ci: tuple[float, float]
    fleiss_kappa: float
    fleiss_ci: tuple[float, float]
    per_class: pd.DataFrame
    annotators: pd.DataFrame
    pairwise_kappa: pd.DataFrame
    shared_rows: pd.DataFrame
    confusion: pd.DataFrame
    frame: pd.DataFrame
    classes: tuple[Any, ...]
    annotations: Annotations = field(repr=False)
    notes: tuple[str, ...] = ()
    confidence: float = 0.95
    n_boot: int = 1000
    seed: int = 0

    @property
    def n_rows(self) -> int:
        """Number of rows, labelled or not."""
        return len(self.frame)

    @property
    def n_pairable(self) -> int:
        """Number of rows with 2 or more labels (those the coefficients count)."""
        return int((self.frame["n_labels"].to_numpy() >= 2).sum())

    @property
    def n_contested(self) -> int:
        """Number of rows whose labels disagree."""
        return int(self.frame["is_agreement_issue"].sum())

    @property
    def contested(self) -> pd.DataFrame:
        """The rows whose labels disagree, the most contested first."""
        return self.frame[self.frame["is_agreement_issue"].to_numpy()]

    @property
    def confused_pairs(self) -> pd.DataFrame:
        """Pairs of classes annotators split between, most often first.

        Columns ``class_a``, ``class_b``, ``n_pairs`` (pairs of annotators who gave one each
        to the same row) and ``share`` (of all disagreeing pairs); pairs never split are left
        out.
        """
        matrix = self.confusion.to_numpy()
        a, b = np.triu_indices(len(self.classes), k=1)
        counts = matrix[a, b]
        order = np.lexsort((a, -counts))
        order = order[counts[order] > 0]
        total = counts.sum()
        names = np.asarray(self.classes, dtype=object)
        return pd.DataFrame(
            {
                "class_a": names[a[order]],
                "class_b": names[b[order]],
                "n_pairs": counts[order].astype(np.int64),
                "share": counts[order] / total if total else counts[order] * 0.0,
            }
        )

    def __repr__(self) -> str:
        fleiss = "" if math.isnan(self.fleiss_kappa) else f", fleiss_kappa={self.fleiss_kappa:.3f}"
        return (
            f"Agreement(alpha={self.alpha:.3f}{fleiss}, {self.n_pairable:,} of "
            f"{self.n_rows:,} rows pairable, {self.n_contested:,} contested, "
            f"{len(self.annotators)} annotators, {len(self.classes)} classes)"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-row table, the most contested rows first.

        Returns
        -------
        pandas.DataFrame
            ``n_labels``, ``majority_label``, ``majority_share``, ``agreement_score``,
            ``entropy``, ``is_agreement_issue``; indexed by the row keys.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.annotators import agreement
        >>> wide = pd.DataFrame({"ann": ["cat", "dog", "cat"], "bob": ["cat", "cat", "cat"]})
        >>> agreement(wide).to_frame().index.tolist()
        [1, 0, 2]
        """
        return self.frame.copy()

    def to_dict(self, max_rows: int = 50) -> dict[str, Any]:
        """Return a JSON-ready summary, bounded: at most ``max_rows`` contested rows.

        Parameters
        ----------
        max_rows : int, default 50
            Most contested rows listed (with each annotator's label), the worst first.

        Returns
        -------
        dict
            The coefficients and intervals, ``notes``, ``per_class``, ``annotators`` (lists
            of records), ``pairwise_kappa``, ``shared_rows`` and ``confusion`` (nested
            lists), ``confused_pairs`` (at most 20), ``contested`` (records with ``labels``,
            ``{annotator: label}``), ``n_contested`` and ``truncated``. NaN is None.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.annotators import agreement
        >>> wide = pd.DataFrame({"ann": ["cat", "dog", "cat"], "bob": ["cat", "cat", "cat"]})
        >>> d = agreement(wide).to_dict()
        >>> d["n_contested"], d["contested"][0]["labels"]
        (1, {'ann': 'dog', 'bob': 'cat'})
        """
        if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)):
            raise param_error("max_rows", "Agreement.to_dict", "an int >= 0", max_rows)
        if max_rows < 0:
            raise param_error("max_rows", "Agreement.to_dict", "an int >= 0", max_rows)
        shown = self.contested.iloc[: int(max_rows)]
        positions = self.annotations.index.get_indexer(shown.index)
        labels = self.annotations.to_wide(positions).astype(object)
        contested = records(shown.astype({"majority_label": object}), "index")
        for record, row in zip(contested, labels.to_numpy().tolist(), strict=True):
            names = self.annotations.annotators.tolist()
            record["labels"] = {
                plain(a): plain(v)
                for a, v in zip(names, row, strict=True)
                if not (isinstance(v, float) and math.isnan(v))
            }
        pairs = self.confused_pairs.head(20)
        return {
            "n_rows": self.n_rows,
            "n_pairable": self.n_pairable,
            "n_labels": self.annotations.n_labels,
            "classes": [plain(c) for c in self.classes],
            "annotator_names": [plain(a) for a in self.annotators.index],
            "alpha": plain(self.alpha),
            "alpha_ci": [plain(v) for v in self.alpha_ci],
            "fleiss_kappa": plain(self.fleiss_kappa),
            "fleiss_ci": [plain(v) for v in self.fleiss_ci],
            "confidence": self.confidence,
            "n_boot": self.n_boot,
            "notes": list(self.notes),
            "per_class": records(self.per_class, "class"),
            "annotators": records(self.annotators, "annotator"),
            "pairwise_kappa": matrix(self.pairwise_kappa),
            "shared_rows": matrix(self.shared_rows),
            "confusion": matrix(self.confusion),
            "confused_pairs": records(pairs.set_index("class_a"), "class_a"),
            "contested": contested,
            "n_contested": self.n_contested,
            "truncated": self.n_contested > len(shown),
        }


def _check_options(n_boot: Any, confidence: Any, seed: Any, func: str) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)):
        raise param_error("n_boot", func, f"an int in [0, {MAX_BOOT:,}]", n_boot)
    if not 0 <= n_boot <= MAX_BOOT:
        raise param_error("n_boot", func, f"an int in [0, {MAX_BOOT:,}]", n_boot)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
        raise param_error("confidence", func, "a float in (0, 1)", confidence)
    if not 0.0 < float(confidence) < 1.0:
        raise param_error("confidence", func, "a float in (0, 1)", confidence)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise param_error("seed", func, "an int >= 0", seed)


def _row_table(data: Annotations) -> pd.DataFrame:
    counts = data.counts
    m = data.labels_per_row
    top = counts.argmax(axis=1)
    top_count = np.take_along_axis(counts, top[:, None], axis=1)[:, 0]
    # Counts are small integers: c log c from a table, not a log per cell.
    xlogx = np.arange(data.n_annotators + 1, dtype=np.float64)
    xlogx[1:] *= np.log(xlogx[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(m > 0, top_count / np.maximum(m, 1), np.nan)
        pairs = (counts * (counts - 1)).sum(axis=1)
        score = np.where(m >= 2, pairs / (m * (m - 1.0)), np.nan)
        # H = log m - sum_c C_c log C_c / m, divided by its largest value for m labels.
        h = np.log(np.maximum(m, 1)) - xlogx[counts].sum(axis=1) / np.maximum(m, 1)
        spread = np.log(np.minimum(m, data.n_classes).astype(np.float64))
        entropy = np.where(spread > 0, h / np.where(spread > 0, spread, 1.0), 0.0)
    entropy = np.where(m >= 1, np.clip(entropy, 0.0, 1.0), np.nan)
    issue = (m >= 2) & (score < 1.0)
    order = np.lexsort(
        (np.arange(len(m)), -m, -np.nan_to_num(entropy), np.nan_to_num(score, nan=2.0))
    )
    labels = np.where(m > 0, top, -1)
    return pd.DataFrame(
        {
            "n_labels": m[order],
            "majority_label": pd.Categorical.from_codes(labels[order], categories=data.classes),
            "majority_share": share[order],
            "agreement_score": score[order],
            "entropy": entropy[order],
            "is_agreement_issue": issue[order],
        },
        index=data.index[order],
    )


def _interval(values: np.ndarray, confidence: float) -> np.ndarray:
    """Percentile bounds along axis 0 (NaN where a resample left the value undefined)."""
    tail = (1.0 - confidence) / 2.0
    if values.shape[0] == 0:
        return np.full((2, *values.shape[1:]), np.nan)
    with warnings.catch_warnings():
        # A class never given leaves every resample NaN: its bounds are NaN, silently.
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, [tail, 1.0 - tail], axis=0)


def _fleiss_note(m: np.ndarray) -> str | None:
    pairable = m[m >= 2]
    low, high = int(pairable.min()), int(pairable.max())
    if low == high:
        return None
    return (
        f"Fleiss' kappa is not given: it needs the same number of labels on every row, and "
        f"rows have {low} to {high}. Krippendorff's alpha takes any number."
    )


def _notes(data: Annotations, m: np.ndarray, alpha: float, n_boot: int) -> list[str]:
    notes = []
    single = int((m == 1).sum())
    empty = int((m == 0).sum())
    if single or empty:
        notes.append(
            f"{single:,} row(s) with one label and {empty:,} with none are left out of the "
            "coefficients (agreement needs two labels of a row)."
        )
    idle = data.annotators[data.labels_per_annotator == 0]
    if len(idle):
        notes.append(f"Annotators with no label (NaN in their rows): {[plain(a) for a in idle]}.")
    if math.isnan(alpha):
        notes.append(
            "Krippendorff's alpha is undefined: every pairable label is the same class, so "
            "chance alone would agree as often."
        )
    n_pairable = int((m >= 2).sum())
    if n_boot and n_pairable > MAX_GROUPS:
        notes.append(
            f"Intervals resample {MAX_GROUPS:,} random equal groups of the {n_pairable:,} "
            "pairable rows."
        )
    return notes


def agreement(
    annotations: Any,
    *,
    classes: Any = None,
    row: Any = None,
    annotator: Any = "annotator",
    label: Any = "label",
    time: Any = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Agreement:
    """Measure how much several annotators agree: overall, per class, per pair, per row.

    Parameters
    ----------
    annotations : pandas.DataFrame or 2-d array
        Wide (one column per annotator, one row per example, missing where an annotator did
        not label it; the index is the row key) or long (one line per label in the
        ``annotator`` and ``label`` columns, with ``row``, else the index, as row key, and an
        optional ``time``). See :func:`read_annotations`.
    classes : sequence, optional
        The allowed classes, in order; a label outside them is an error. Default: the labels
        found, sorted.
    row, annotator, label, time : column names
        The long shape's columns (``row`` default: ``"row"`` if present, else the index;
        ``time`` default: ``"time"`` if present; the latest label of an annotator for a row
        is kept).
    n_boot : int, default 1000
        Bootstrap resamples for the intervals, in [0, 100,000]; 0 gives none (NaN).
    confidence : float, default 0.95
        Level of the intervals, in (0, 1).
    seed : int, default 0
        Seed of the bootstrap: the same call gives the same intervals.

    Returns
    -------
    Agreement
        Krippendorff's alpha and Fleiss' kappa with intervals, per-class and per-annotator
        tables, Cohen's kappa per pair, the annotators' confusion matrix and the rows, the
        most contested first.

    Raises
    ------
    InvalidParameterError
        Annotations of another type or empty, or an option out of range.
    DataMismatchError
        Fewer than two annotators with labels, no row with two labels, labels of mixed
        types (1 and "1") or outside ``classes``.

    Notes
    -----
    Rows with fewer than two labels are kept in ``frame`` (``agreement_score`` NaN) and left
    out of the coefficients; an annotator with no label is kept with NaN figures. Fleiss'
    kappa (1971) is defined for the same number of labels per row: with varying numbers it
    is NaN and ``notes`` says so; Krippendorff's alpha takes any number.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.annotators import agreement
    >>> wide = pd.DataFrame({
    ...     "ann": ["cat", "dog", "dog", "cat", "cat", "dog"],
    ...     "bob": ["cat", "dog", "cat", "cat", "cat", "dog"],
    ... })
    >>> result = agreement(wide)
    >>> round(result.alpha, 3), round(result.fleiss_kappa, 3), result.n_contested
    (0.686, 0.657, 1)
    """
    func = "agreement"
    _check_options(n_boot, confidence, seed, func)
    data = read_annotations(
        annotations,
        classes=classes,
        row=row,
        annotator=annotator,
        label=label,
        time=time,
        func=func,
    )
    check_annotators(data, func, "Agreement is between annotators: add another one's labels.")
    m = data.labels_per_row
    pairable = np.flatnonzero(m >= 2)
    if len(pairable) == 0:
        raise DataMismatchError(
            f"{func} needs at least one row labelled by two annotators; every one of the "
            f"{data.n_rows:,} rows has at most one label. Have some rows labelled twice."
        )
    layout = Layout(data.n_classes, data.n_annotators)
    stats = row_statistics(data.counts[pairable], data.codes[pairable])
    point = coefficients(stats.sum(axis=0), layout)
    if n_boot:
        replicates = coefficients(bootstrap_totals(stats, int(n_boot), int(seed)), layout)
        bounds = {name: _interval(values, float(confidence)) for name, values in replicates.items()}
    else:
        bounds = {name: np.full((2, *np.shape(v)), np.nan) for name, v in point.items()}
    note = _fleiss_note(m)
    alpha = float(point["alpha"])
    fleiss = float(point["fleiss"]) if note is None else math.nan
    notes = _notes(data, m, alpha, int(n_boot))
    if note is not None:
        notes.insert(0, note)
    kappa, shared = pairwise_kappa(data.codes, data.n_classes)
    return Agreement(
        alpha=alpha,
        alpha_ci=(float(bounds["alpha"][0]), float(bounds["alpha"][1])),
        fleiss_kappa=fleiss,
        fleiss_ci=(math.nan, math.nan)
        if note
        else (float(bounds["fleiss"][0]), float(bounds["fleiss"][1])),
        per_class=_per_class(data, stats, point, bounds, note is None),
        annotators=_per_annotator(data, stats, point, bounds, kappa, shared, layout),
        pairwise_kappa=pd.DataFrame(kappa, index=data.annotators, columns=data.annotators),
        shared_rows=pd.DataFrame(shared, index=data.annotators, columns=data.annotators),
        confusion=pd.DataFrame(
            pooled_confusion(data.counts[pairable]),
            index=data.classes.rename("label"),
            columns=data.classes.rename("other_label"),
        ),
        frame=_row_table(data),
        classes=tuple(data.classes),
        annotations=data,
        notes=tuple(notes),
        confidence=float(confidence),
        n_boot=int(n_boot),
        seed=int(seed),
    )


def _per_class(
    data: Annotations,
    stats: np.ndarray,
    point: dict[str, np.ndarray],
    bounds: dict[str, np.ndarray],
    fleiss_defined: bool,
) -> pd.DataFrame:
    k = data.n_classes
    return pd.DataFrame(
        {
            "n_labels": stats[:, 1 : 1 + k].sum(axis=0).astype(np.int64),
            "specific_agreement": point["specific"],
            "alpha": point["class_alpha"],
            "alpha_low": bounds["class_alpha"][0],
            "alpha_high": bounds["class_alpha"][1],
            "fleiss_kappa": point["class_fleiss"] if fleiss_defined else np.full(k, np.nan),
        },
        index=data.classes.rename("class"),
    )


def _per_annotator(
    data: Annotations,
    stats: np.ndarray,
    point: dict[str, np.ndarray],
    bounds: dict[str, np.ndarray],
    kappa: np.ndarray,
    shared: np.ndarray,
    layout: Layout,
) -> pd.DataFrame:
    _, _, _, labelled, _ = layout.split(stats.sum(axis=0))
    weights = shared.astype(np.float64).copy()
    np.fill_diagonal(weights, 0.0)
    weights[np.isnan(kappa)] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_kappa = (np.nan_to_num(kappa) * weights).sum(axis=1) / weights.sum(axis=1)
    return pd.DataFrame(
        {
            "n_labels": data.labels_per_annotator,
            "n_pairable": labelled.astype(np.int64),
            "agreement": point["annotator"],
            "agreement_low": bounds["annotator"][0],
            "agreement_high": bounds["annotator"][1],
            "kappa": mean_kappa,
        },
        index=data.annotators.rename("annotator"),
    )
