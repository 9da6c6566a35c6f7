"""The table form's arguments, and the first pass over data in an engine: counts and checks.

``find_label_issues(data, pred_probs, label="y")`` names columns instead of passing arrays:
``label`` the given labels, ``pred_probs`` the probability columns in class order (a list) or
by class (a dict ``{class: column}``). :func:`table_spec` checks those names once, for a
pandas frame and for data in an engine alike.

For data in an engine, :func:`read_labels` makes the one pass every later step needs: per
label value, its rows and the sum of each probability column (the class thresholds are means
of these), and counts of rows whose probabilities are NaN, negative or do not sum to 1. Only
those counts come back (one row per label value); the rows a message cites are found by a
second, bounded query, and only when something is wrong.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> data = pl.DataFrame({"y": ["a", "b", "b"], "pa": [0.9, 0.2, 0.4], "pb": [0.1, 0.8, 0.6]})
>>> spec = table_spec(data.columns, "y", ["pa", "pb"], func="find_label_issues")
>>> labels = read_labels(as_source(data, "find_label_issues"), spec, "find_label_issues")
>>> labels.classes.tolist(), labels.counts.tolist(), labels.n_rows
(['a', 'b'], [1, 2], 3)
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.engine import LazySource
from jupyter_dci.core.labels._input import ROW_SUM_TOLERANCE, _preview
from jupyter_dci.core.labels._lazy_native import with_row_numbers
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, param_error

__all__ = ["LazyLabels", "TableSpec", "prob_frame", "read_labels", "table_spec"]

# Fixed names of the columns the label functions compute with, in the engine.
LABEL, KEY, ROW = "__dci_label", "__dci_key", "__dci_row"
# Label values brought back beyond the classes, to show in a message (one row each).
_EXTRA_VALUES = 64


def prob_name(j: int) -> str:
    """Name the ``j``-th probability column in the engine (as float64)."""
    return f"__dci_p{j}"


@dataclass(frozen=True)
class TableSpec:
    """The columns the table form names, checked: label, probabilities, classes, key."""

    label: Hashable
    columns: tuple[Hashable, ...]
    classes: pd.Index | None
    key: Hashable | None


def _columns_of(pred_probs: Any, classes: Any, func: str) -> tuple[list[Any], pd.Index | None]:
    if isinstance(pred_probs, Mapping):
        if classes is not None:
            raise param_error(
                "classes",
                func,
                "None when pred_probs is a dict {class: column} (its keys are the classes)",
                classes,
            )
        return list(pred_probs.values()), pd.Index(list(pred_probs.keys()))
    if isinstance(pred_probs, (str, bytes)) or not isinstance(pred_probs, Sequence):
        raise param_error(
            "pred_probs",
            func,
            "a list of the probability columns in class order, or a dict {class: column}, "
            "when label= names the label column",
            type(pred_probs).__name__,
        )
    return list(pred_probs), None if classes is None else pd.Index(list(classes))


def table_spec(
    names: Iterable[Any],
    label: Any,
    pred_probs: Any,
    classes: Any = None,
    key: Any = None,
    *,
    func: str,
) -> TableSpec:
    """Check the column names of the table form against the data's columns.

    Parameters
    ----------
    names : sequence
        The data's column names.
    label, pred_probs, classes, key
        As the public functions take them.
    func : str
        The public function's name, quoted in errors.

    Returns
    -------
    TableSpec
        The label column, the probability columns in class order, the classes when given
        (a dict's keys count as given) and the key column.

    Examples
    --------
    >>> table_spec(["y", "p0", "p1"], "y", {"cat": "p0", "dog": "p1"}, func="f").classes
    Index(['cat', 'dog'], dtype='...')
    """
    present = list(names)
    columns, class_index = _columns_of(pred_probs, classes, func)
    if len(columns) < 2:
        raise param_error(
            "pred_probs", func, "at least 2 probability columns, one per class", columns
        )
    if len(set(columns)) != len(columns):
        raise param_error("pred_probs", func, "distinct column names", columns)
    wanted = {"label": [label], "pred_probs": columns, "key": [] if key is None else [key]}
    for param, cols in wanted.items():
        unknown = [c for c in cols if c not in present]
        if unknown:
            raise DataMismatchError(
                f"The {param!r} parameter of {func} must name columns of the data. Got "
                f"{_preview(unknown)}, not among its columns {_preview(present, 10)}. "
                "Check the spelling, or pass the column names as they are in the data."
            )
    if label in columns:
        raise param_error("pred_probs", func, "probability columns other than the label", label)
    if class_index is not None:
        if len(class_index) != len(columns):
            raise DataMismatchError(
                f"classes of {func} must name one class per probability column. Got "
                f"{len(class_index)} class(es) for {len(columns)} column(s)."
            )
        if not class_index.is_unique:
            raise param_error("classes", func, "distinct class names", list(class_index))
    return TableSpec(label=label, columns=tuple(columns), classes=class_index, key=key)


def check_numeric(dtypes: Any, spec: TableSpec, func: str) -> None:
    """Refuse probability columns that are not numbers (``dtypes`` maps names to dtypes)."""
    bad = [c for c in spec.columns if not _is_number(dtypes[c])]
    if bad:
        raise InvalidParameterError(
            f"The probability columns of {func} must hold numbers. Got {_preview(bad)} of "
            f"type(s) {_preview([str(dtypes[c]) for c in bad])}. Pass the columns of "
            "predict_proba's output, one per class."
        )


def _is_number(dtype: Any) -> bool:
    if isinstance(dtype, np.dtype | pd.api.extensions.ExtensionDtype):
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    return bool(dtype.is_numeric())


def table_arrays(
    df: pd.DataFrame, table: Mapping[str, Any], func: str
) -> tuple[pd.Series, np.ndarray, pd.Index | None]:
    """Take the table form apart on a pandas frame: labels, probabilities, classes (if given).

    The labels are indexed by the key column when there is one, else as the frame.
    """
    spec = table_spec(df.columns, func=func, **table)
    check_numeric(df.dtypes, spec, func)
    labels = df[spec.label]
    if spec.key is not None:
        labels = pd.Series(labels.to_numpy(), index=pd.Index(df[spec.key]), name=labels.name)
    probs = df[list(spec.columns)].to_numpy(dtype=np.float64, na_value=np.nan)
    return labels, probs, spec.classes


def prob_frame(
    source: LazySource, spec: TableSpec, *, rows: bool = False, frame: Any = None
) -> Any:
    """Select the label, each probability as float64 (``prob_name(j)``), key and row numbers.

    The casts make every engine compute in float64 (Polars keeps a float32 column's type
    when it meets a float literal), as numpy does. ``frame``: the source's frame with its
    row numbers (``ROW``) already, read another way.
    """
    if frame is None:
        frame = with_row_numbers(source.frame, ROW) if rows else source.frame
    exprs = [nw.col(str(spec.label)).alias(LABEL)]
    exprs += [
        nw.col(str(c)).cast(nw.Float64()).alias(prob_name(j)) for j, c in enumerate(spec.columns)
    ]
    if spec.key is not None:
        exprs.append(nw.col(str(spec.key)).alias(KEY))
    if rows:
        exprs.append(nw.col(ROW))
    return frame.select(exprs)


@dataclass(frozen=True)
class LazyLabels:
    """What the first pass found: the classes, each label value's class, counts and sums.

    Attributes
    ----------
    source : LazySource
        The data.
    spec : TableSpec
        Its columns.
    classes : pandas.Index
        The class of each probability column.
    values : tuple of (value, int)
        Each label value present in the data and its class (position in ``classes``).
    counts : numpy.ndarray
        Rows per class (K).
    sums : numpy.ndarray
        Per class, the sum of its own probability over the rows labelled with it (K).
    n_rows : int
        Rows of the data.
    """

    source: LazySource
    spec: TableSpec
    classes: pd.Index
    values: tuple[tuple[Any, int], ...]
    counts: np.ndarray
    sums: np.ndarray
    n_rows: int

    @property
    def k(self) -> int:
        """The number of classes."""
        return len(self.classes)

    def frame(self, *, rows: bool = False) -> Any:
        """Return the data as :func:`prob_frame` selects it."""
        return prob_frame(self.source, self.spec, rows=rows)


def _row_checks(k: int) -> dict[str, Any]:
    """Per row, 1 when its probabilities are not finite, negative, or off a sum of 1."""
    p = [nw.col(prob_name(j)) for j in range(k)]
    total = functools.reduce(operator.add, p)
    return {
        # A missing value makes the sum missing, and is_finite(missing) is missing: otherwise.
        "nonfinite": nw.when(total.is_finite()).then(0).otherwise(1),
        "negative": nw.when(functools.reduce(operator.or_, [x < 0 for x in p]))
        .then(1)
        .otherwise(0),
        "off": nw.when((total - 1.0).abs() > ROW_SUM_TOLERANCE).then(1).otherwise(0),
    }


def _first_pass(source: LazySource, spec: TableSpec) -> pd.DataFrame:
    k = len(spec.columns)
    checks = _row_checks(k)
    frame = prob_frame(source, spec).with_columns(**checks)
    aggs = [nw.len().alias("n")]
    aggs += [nw.col(prob_name(j)).sum().alias(f"s{j}") for j in range(k)]
    aggs += [nw.col(name).sum().alias(name) for name in checks]
    grouped = frame.group_by(LABEL).agg(*aggs).head(k + _EXTRA_VALUES)
    return grouped.collect().to_pandas()


def _bad_rows(labels_source: LazySource, spec: TableSpec, check: str) -> list[int]:
    """Positions of the first five rows failing a check (an error's example rows)."""
    frame = prob_frame(labels_source, spec, rows=True)
    condition = _row_checks(len(spec.columns))[check] == 1
    first = frame.filter(condition).select(ROW).sort(ROW).head(5).collect()
    return [int(v) for v in first[ROW].to_list()]


def _check_probabilities(
    source: LazySource, spec: TableSpec, groups: pd.DataFrame, func: str
) -> None:
    """Refuse NaN, negative and unnormalised probabilities, in numpy's order of checks."""
    if int(groups["nonfinite"].sum()):
        n, rows = int(groups["nonfinite"].sum()), _bad_rows(source, spec, "nonfinite")
        raise InvalidParameterError(
            f"The probability columns of {func} must hold finite probabilities. Got missing, "
            f"NaN or infinite values in {n} row(s), e.g. at rows {rows}. Fix the model output, "
            "or drop those rows."
        )
    if int(groups["negative"].sum()):
        n, rows = int(groups["negative"].sum()), _bad_rows(source, spec, "negative")
        raise InvalidParameterError(
            f"The probability columns of {func} must hold probabilities in [0, 1]. Got "
            f"negative values in {n} row(s), e.g. at rows {rows}. These look like logits or "
            "scores: apply a softmax first."
        )
    if int(groups["off"].sum()):
        n, rows = int(groups["off"].sum()), _bad_rows(source, spec, "off")
        raise InvalidParameterError(
            f"The probability columns of {func} must sum to 1 in every row (within "
            f"{ROW_SUM_TOLERANCE}). Got {n} row(s) that do not, e.g. at rows {rows}. Pass one "
            "column per class of predict_proba's output, or divide each row by its sum."
        )


def _infer_classes(
    source: LazySource, spec: TableSpec, values: list[Any], complete: bool, func: str
) -> pd.Index:
    """Find the classes as ``infer_classes`` does for arrays: enum categories, 0..K-1, sorted."""
    k = len(spec.columns)
    dtype = source.schema[str(spec.label)]
    categories = getattr(dtype, "categories", None)
    if isinstance(dtype, nw.Enum) and categories is not None and len(categories) == k:
        return pd.Index(list(categories))
    if dtype.is_integer() and complete and all(0 <= v < k for v in values):
        return pd.RangeIndex(k)
    if complete and len(values) == k:
        return pd.Index(values).sort_values()
    shown = _preview(pd.Index(values).sort_values() if complete else values)
    raise DataMismatchError(
        f"Cannot tell which probability column belongs to which class in {func}. Got "
        f"{len(values)}{'' if complete else ' or more'} distinct label(s) ({shown}) for "
        f"{k} columns. Pass classes=[...] in the order of pred_probs, or pred_probs as a "
        "dict {class: column}."
    )


def _check_missing_labels(
    source: LazySource, spec: TableSpec, groups: pd.DataFrame, func: str
) -> None:
    missing = groups[LABEL].isna().to_numpy()
    if not missing.any():
        return
    frame = prob_frame(source, spec, rows=True)
    first = frame.filter(nw.col(LABEL).is_null()).select(ROW).sort(ROW).head(5).collect()
    raise InvalidParameterError(
        f"The label column of {func} must not hold missing values. Got "
        f"{int(groups['n'][missing].sum())} missing label(s), e.g. at rows "
        f"{[int(v) for v in first[ROW].to_list()]}. Drop those rows or label them first."
    )


def _codes(
    source: LazySource, groups: pd.DataFrame, classes: pd.Index, n_rows: int, func: str
) -> list[int]:
    """Each group's class; refuse label values that are not among the classes."""
    position = {_plain(c): i for i, c in enumerate(classes)}
    values = [_plain(v) for v in groups[LABEL]]
    codes = [position.get(v, -1) for v in values]
    unknown = [v for v, c in zip(values, codes, strict=True) if c < 0]
    if unknown:
        known_rows = int(groups["n"][np.asarray(codes) >= 0].sum())
        raise DataMismatchError(
            f"The labels of {func} must be among the classes {_preview(classes, 10)}. Got "
            f"{n_rows - known_rows} row(s) with other labels, e.g. {_preview(unknown)}. Pass "
            "classes=[...] listing every class, in the order of pred_probs."
        )
    return codes


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def read_labels(source: LazySource, spec: TableSpec, func: str) -> LazyLabels:
    """Make the first pass over data in an engine; check it; return counts and sums per class.

    Raises
    ------
    InvalidParameterError
        Empty data, probabilities that are missing, NaN, negative or do not sum to 1,
        missing labels, or labels of fewer than 2 classes.
    DataMismatchError
        Labels not among the classes, or classes that cannot be told from the labels.
    """
    check_numeric(source.schema, spec, func)
    groups = _first_pass(source, spec)
    complete = len(groups) < len(spec.columns) + _EXTRA_VALUES
    n_rows = int(groups["n"].sum()) if complete else source.n_rows
    if n_rows == 0:
        raise param_error("labels", func, "data with at least one row", "0 rows")
    _check_probabilities(source, spec, groups, func)
    _check_missing_labels(source, spec, groups, func)
    if spec.classes is not None:
        classes = spec.classes
    else:
        classes = _infer_classes(source, spec, [_plain(v) for v in groups[LABEL]], complete, func)
    codes = _codes(source, groups, classes, n_rows, func)
    k = len(classes)
    counts = np.zeros(k, dtype=np.int64)
    sums = np.zeros(k)
    for (_, group), code in zip(groups.iterrows(), codes, strict=True):
        counts[code] += int(group["n"])
        sums[code] += float(group[f"s{code}"])
    if np.count_nonzero(counts) < 2:
        raise param_error(
            "labels",
            func,
            "labels of at least 2 distinct classes (one class has no noise to find)",
            _preview(list(groups[LABEL])),
        )
    values = tuple((_plain(v), c) for v, c in zip(groups[LABEL], codes, strict=True))
    return LazyLabels(source, spec, classes, values, counts, sums, n_rows)
