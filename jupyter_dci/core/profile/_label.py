"""Alerts about the label column: class imbalance, rare classes, missing labels, leakage."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from jupyter_dci.core.profile._alerts import fmt_count, fmt_share
from jupyter_dci.core.profile._associations import (
    AssocInput,
    associations,
    purity_gain,
    quantile_codes,
)
from jupyter_dci.core.profile._result import Alert, ColumnProfile

__all__ = ["LEAKAGE_THRESHOLD", "label_alerts"]

# Largest class over smallest class from which the classes are called imbalanced.
IMBALANCE_RATIO = 5.0
# A class is rare below this many rows, or below this share of the labelled rows.
RARE_MIN_ROWS = 10
RARE_MIN_SHARE = 0.005
# A feature "nearly determines" the label from this purity gain (1.0 = determines it).
LEAKAGE_THRESHOLD = 0.9
# For a numeric (regression) label: |Pearson r| or correlation ratio from which a feature leaks.
REGRESSION_LEAKAGE_THRESHOLD = 0.95
# Classification labels have at most this many classes; beyond, the label is a regression target.
MAX_CLASSES = 100


def _alert(kind: str, column: str, severity: str, message: str, n: int, **details: Any) -> Alert:
    return Alert(kind, column, severity, message, int(n), MappingProxyType(details))  # type: ignore[arg-type]


def _class_alerts(col: ColumnProfile, classes: dict[Any, int]) -> list[Alert]:
    counts = {v: c for v, c in classes.items() if c > 0}
    if not 2 <= len(counts) <= MAX_CLASSES:
        return []
    present = col.n_rows - col.n_missing
    out = []
    largest = max(counts.values())
    smallest_value = min(counts, key=lambda v: counts[v])
    smallest = counts[smallest_value]
    if largest / smallest >= IMBALANCE_RATIO:
        out.append(
            _alert(
                "class_imbalance", col.name, "warning",
                f"The label {col.name!r} is imbalanced: the largest class has "
                f"{fmt_count(largest)} rows, the smallest ({smallest_value!r}) "
                f"{fmt_count(smallest)} ({largest / smallest:.0f}x fewer). Use stratified "
                "splits, class weights, and per-class metrics rather than accuracy.",
                0, counts={str(k): v for k, v in counts.items()},
            )
        )  # fmt: skip
    limit = max(RARE_MIN_ROWS, RARE_MIN_SHARE * present)
    rare = {v: c for v, c in counts.items() if c < limit}
    if rare:
        n = sum(rare.values())
        listing = ", ".join(f"{v!r} ({fmt_count(c)})" for v, c in list(rare.items())[:8])
        out.append(
            _alert(
                "rare_classes", col.name, "warning",
                f"{len(rare)} classes of {col.name!r} have fewer than {limit:.0f} rows: "
                f"{listing}. A model cannot learn them reliably: collect more, merge them, or drop "
                "them.",
                n, classes=list(rare), limit=limit,
            )
        )  # fmt: skip
    return out


def _missing_label(col: ColumnProfile) -> list[Alert]:
    if col.n_missing == 0:
        return []
    return [
        _alert(
            "missing_labels", col.name, "critical",
            f"{fmt_count(col.n_missing)} rows ({fmt_share(col.n_missing, col.n_rows)}) have no "
            f"label in {col.name!r}. Label them, or leave them out of training and evaluation.",
            col.n_missing,
        )
    ]  # fmt: skip


def _regression_leakage(
    label: str, label_input: AssocInput, features: Sequence[AssocInput], n_rows_used: int
) -> list[Alert]:
    names = {"pearson": "|Pearson r|", "correlation_ratio": "correlation ratio"}
    out = []
    for assoc in associations([label_input, *features]):
        if label not in assoc.columns or assoc.value < REGRESSION_LEAKAGE_THRESHOLD:
            continue
        feature = assoc.columns[1] if assoc.columns[0] == label else assoc.columns[0]
        out.append(
            _alert(
                "leakage", feature, "critical",
                f"{feature!r} nearly determines the label {label!r} ({names[assoc.method]} = "
                f"{assoc.value:.2f}, on {fmt_count(n_rows_used)} rows). It may be computed from "
                "the label or recorded after it: check it, and drop it from the features if so.",
                0, label=label, score=assoc.value, method=assoc.method,
            )
        )  # fmt: skip
    return out


def _leakage(
    label: str, label_input: AssocInput, features: Sequence[AssocInput], n_rows_used: int
) -> list[Alert]:
    if label_input.codes is None:
        if label_input.numbers is None:
            return []
        return _regression_leakage(label, label_input, features, n_rows_used)
    y, k = label_input.codes, label_input.n_codes
    out = []
    for feat in features:
        if feat.key == label:
            continue
        if feat.codes is not None:
            codes, kf = feat.codes, feat.n_codes
        elif feat.numbers is not None:
            codes, kf = quantile_codes(feat.numbers)
        else:
            continue
        gain = purity_gain(codes, kf, y, k)
        if gain >= LEAKAGE_THRESHOLD:
            out.append(
                _alert(
                    "leakage", feat.key, "critical",
                    f"{feat.key!r} nearly determines the label {label!r} (purity gain "
                    f"{gain:.2f} over the majority class, on {fmt_count(n_rows_used)} rows). It "
                    "may be computed from the label or recorded after it: check it, and drop it "
                    "from the features if so.",
                    0, label=label, score=round(gain, 4),
                )
            )  # fmt: skip
    return out


def label_alerts(
    col: ColumnProfile,
    classes: dict[Any, int],
    label_input: AssocInput,
    features: Sequence[AssocInput],
    *,
    n_rows_used: int,
) -> list[Alert]:
    """Every alert about the label column.

    Parameters
    ----------
    col : ColumnProfile
        The label column's profile.
    classes : dict
        Row count per class (empty for a regression label).
    label_input : AssocInput
        The label's sampled codes (for a classification label).
    features : sequence of AssocInput
        The other columns' sampled values.
    n_rows_used : int
        How many rows the samples hold.

    Returns
    -------
    list of Alert

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jupyter_dci.core.profile._columns import profile_column
    >>> w = profile_column(pd.Series(["a"] * 95 + ["b"] * 5), key="y", position=0)
    >>> lab = AssocInput("y", codes=w.codes, n_codes=w.n_codes)
    >>> classes = {"a": 95, "b": 5}
    >>> [a.kind for a in label_alerts(w.profile, classes, lab, [], n_rows_used=100)]
    ['class_imbalance', 'rare_classes']
    """
    return [
        *_missing_label(col),
        *_class_alerts(col, classes),
        *_leakage(col.name, label_input, features, n_rows_used),
    ]


def label_codes(numbers: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes of a numeric label with few distinct values (-1 for NaN).

    Examples
    --------
    >>> import numpy as np
    >>> label_codes(np.array([3.0, 1.0, np.nan, 3.0]))[0].tolist()
    [1, 0, -1, 1]
    """
    ok = ~np.isnan(numbers)
    uniq, inv = np.unique(numbers[ok], return_inverse=True)
    codes = np.full(len(numbers), -1, dtype=np.int64)
    codes[ok] = inv
    return codes, max(1, len(uniq))
