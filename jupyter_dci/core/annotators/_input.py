"""Annotations in either shape, normalised once into integer codes.

Two shapes are taken, the two people have:

- **wide**: a DataFrame with one column per annotator and one row per labelled example (the
  index is the row key), missing where an annotator did not label the row; or a 2-d array
  (annotators ``0..m-1``, rows ``0..n-1``, ``NaN`` or ``None`` for missing);
- **long**: a DataFrame with one line per label given, in columns named by ``row=``,
  ``annotator=`` and ``label=`` (defaults ``"row"``, ``"annotator"``, ``"label"``) and an
  optional ``time=`` column (default: ``"time"`` when there is one). Without a ``row`` column
  the frame's index is the row key.

A frame is read as long when it has both the ``annotator`` and the ``label`` columns, as wide
otherwise. Whatever the shape, the result is an :class:`Annotations`: a rows x annotators
matrix of class codes (``-1`` where a row has no label from an annotator), the classes, the
annotator names and the row keys. Every check is made here, once, in the project's voice.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from jupyter_dci.core.annotators._json import plain
from jupyter_dci.errors import DataMismatchError, DCIWarning, param_error

__all__ = ["Annotations", "check_annotators", "read_annotations"]

#: The largest rows x annotators matrix of codes made (int8 or int16 cells: <= 1-2 GiB).
MAX_CELLS = 1 << 30
# infer_dtype's names of label sets that are one kind of value. "mixed-integer" (ints with
# strings, or with bools) and "mixed" are refused: 1 and "1" would be two classes.
_ONE_KIND = {
    "string",
    "unicode",
    "bytes",
    "integer",
    "floating",
    "mixed-integer-float",
    "decimal",
    "boolean",
    "categorical",
    "datetime",
    "datetime64",
    "date",
    "timedelta",
    "timedelta64",
    "period",
    "empty",
}


@dataclass(frozen=True)
class Annotations:
    """Labels from several annotators, as codes.

    Attributes
    ----------
    codes : numpy.ndarray
        Shape (n_rows, n_annotators), a small signed integer type: the class of each
        annotator's label as a position into ``classes``, ``-1`` where there is none
        (read-only).
    classes : pandas.Index
        The classes (given, or the distinct labels sorted).
    annotators : pandas.Index
        The annotators, one per column of ``codes``.
    index : pandas.Index
        The row keys, one per row of ``codes``.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.annotators import read_annotations
    >>> wide = pd.DataFrame({"ann": ["cat", "dog", None], "bob": ["cat", "cat", "dog"]})
    >>> a = read_annotations(wide)
    >>> a.codes.tolist(), list(a.classes), list(a.annotators)
    ([[0, 0], [1, 0], [-1, 1]], ['cat', 'dog'], ['ann', 'bob'])
    """

    codes: np.ndarray
    classes: pd.Index
    annotators: pd.Index
    index: pd.Index

    @property
    def n_rows(self) -> int:
        """Number of rows (labelled or not)."""
        return int(self.codes.shape[0])

    @property
    def n_annotators(self) -> int:
        """Number of annotators (with labels or not)."""
        return int(self.codes.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)

    @cached_property
    def counts(self) -> np.ndarray:
        """Labels per row and class, shape (n_rows, n_classes), int64 (made on first use)."""
        n, k = self.codes.shape[0], len(self.classes)
        flat = [np.flatnonzero(col >= 0) * k + col[col >= 0] for col in self.codes.T]
        joined = np.concatenate(flat) if flat else np.empty(0, dtype=np.intp)
        return np.bincount(joined, minlength=n * k).reshape(n, k)

    @cached_property
    def labels_per_row(self) -> np.ndarray:
        """How many annotators labelled each row (int64, shape n_rows)."""
        return np.count_nonzero(self.codes >= 0, axis=1).astype(np.int64)

    @cached_property
    def labels_per_annotator(self) -> np.ndarray:
        """How many rows each annotator labelled (int64, shape n_annotators)."""
        return np.count_nonzero(self.codes >= 0, axis=0).astype(np.int64)

    @property
    def n_labels(self) -> int:
        """Number of labels given, all annotators together."""
        return int(self.labels_per_annotator.sum())

    def to_wide(self, rows: Any = None) -> pd.DataFrame:
        """Return the labels as a wide frame: one categorical column per annotator.

        Parameters
        ----------
        rows : array-like of int, optional
            Positions of the rows to return, in that order (default: all).

        Returns
        -------
        pandas.DataFrame
            Indexed by the row keys, missing where an annotator gave no label.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.annotators import read_annotations
        >>> long = pd.DataFrame({"row": [1, 1, 2], "annotator": ["ann", "bob", "bob"],
        ...                      "label": ["cat", "dog", "dog"]})
        >>> read_annotations(long).to_wide().astype(object).values.tolist()
        [['cat', 'dog'], [nan, 'dog']]
        """
        picked = self.codes if rows is None else self.codes[np.asarray(rows, dtype=np.intp)]
        index = self.index if rows is None else self.index[np.asarray(rows, dtype=np.intp)]
        columns = {
            position: pd.Categorical.from_codes(picked[:, position], categories=self.classes)
            for position in range(picked.shape[1])
        }
        frame = pd.DataFrame(columns, index=index)
        frame.columns = self.annotators
        return frame


def _small_int(k: int) -> type[np.signedinteger[Any]]:
    # Codes run from -1 to k - 1.
    return np.int8 if k < 127 else np.int16 if k < 32767 else np.int32


def _preview(values: Any, limit: int = 5) -> str:
    items = [v.item() if isinstance(v, np.generic) else v for v in list(values)[:limit]]
    more = f" (and {len(values) - limit} more)" if len(values) > limit else ""
    return f"{items}{more}"


def _kinds(values: np.ndarray) -> str:
    """Name the Python types among the values, one example each (for the message)."""
    # Not pd.unique: True, 1 and 1.0 hash alike and would show as one value.
    seen: dict[str, Any] = {}
    for value in values:
        item = value.item() if isinstance(value, np.generic) else value
        seen.setdefault(type(item).__name__, item)
        if len(seen) == 4:
            break
    return ", ".join(f"{v!r} ({t})" for t, v in seen.items())


def _check_one_kind(values: np.ndarray, what: str, func: str) -> None:
    kind = infer_dtype(values, skipna=True)
    if kind not in _ONE_KIND:
        raise DataMismatchError(
            f"The {what} given to {func} mix types: {_kinds(values)}. A label is one kind of "
            "value, or 1 and '1' would be two classes; convert them to one type first "
            "(e.g. .astype(str))."
        )


def _integral(values: np.ndarray) -> np.ndarray:
    """Floats that are all whole numbers become ints (a wide column with gaps is float)."""
    if values.dtype.kind == "f" and len(values) and np.all(np.mod(values, 1) == 0):
        return values.astype(np.int64)
    if values.dtype == object and infer_dtype(values, skipna=True) == "mixed-integer-float":
        floats = values.astype(np.float64)
        if np.all(np.mod(floats, 1) == 0):
            return floats.astype(np.int64)
        return floats
    return values


def _given_classes(classes: Any, func: str) -> pd.Index:
    index = pd.Index(list(classes) if not isinstance(classes, pd.Index) else classes)
    if len(index) == 0:
        raise param_error("classes", func, "a non-empty sequence of distinct labels", classes)
    if not index.is_unique:
        dupes = index[index.duplicated()].unique()
        raise param_error(
            "classes", func, f"distinct labels (repeated: {_preview(dupes)})", classes
        )
    if index.dtype == object:
        _check_one_kind(index.to_numpy(), "classes", func)
    return index


def encode_labels(values: np.ndarray, classes: Any, func: str) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``values`` (no missing values) into the given or the inferred classes.

    Parameters
    ----------
    values : numpy.ndarray
        The labels given, 1-d, none missing.
    classes : sequence or None
        The allowed classes, in order; None infers them (sorted, when they sort).
    func : str
        The public function, for messages.

    Returns
    -------
    codes : numpy.ndarray
        Positions into the classes (intp).
    classes : pandas.Index
        The classes.

    Raises
    ------
    DataMismatchError
        Labels of mixed types (1 and "1"), or labels that are not among ``classes``.
    """
    if values.dtype == object:
        _check_one_kind(values, "labels", func)
    values = _integral(values)
    if classes is None:
        try:
            codes, uniques = pd.factorize(values, sort=True)
        except TypeError:  # unsortable values (e.g. tuples of mixed types): first appearance
            codes, uniques = pd.factorize(values)
        return codes.astype(np.intp, copy=False), pd.Index(uniques)
    index = _given_classes(classes, func)
    codes = index.get_indexer(pd.Index(values))
    if (codes < 0).any():
        outside = pd.unique(values[codes < 0])
        raise DataMismatchError(
            f"{len(outside)} label(s) given to {func} are not among the classes: "
            f"{_preview(outside)}; the classes are {_preview(index, 10)}. Add them to "
            "classes=, fix the labels, or leave classes=None to take the labels found."
        )
    return codes.astype(np.intp, copy=False), index


def _matrix(
    rows: np.ndarray, cols: np.ndarray, codes: np.ndarray, shape: tuple[int, int], k: int
) -> np.ndarray:
    n, m = shape
    if n * m > MAX_CELLS:
        raise DataMismatchError(
            f"The annotations make a {n:,} rows x {m:,} annotators matrix, more than "
            f"{MAX_CELLS:,} cells. Split the annotators into groups, or the rows into parts, "
            "and call once per part."
        )
    out = np.full(shape, -1, dtype=_small_int(k))
    out[rows, cols] = codes
    out.setflags(write=False)
    return out


def _column_values(frame: pd.DataFrame) -> tuple[list[np.ndarray], list[np.ndarray]]:
    present, values = [], []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        mask = column.notna().to_numpy()
        present.append(mask)
        values.append(column[mask].to_numpy())
    return present, values


def _wide(data: pd.DataFrame, classes: Any, func: str) -> Annotations:
    if not data.columns.is_unique:
        dupes = data.columns[data.columns.duplicated()].unique()
        raise DataMismatchError(
            f"The wide annotations given to {func} name an annotator twice: {_preview(dupes)}. "
            "Give each annotator one column."
        )
    if not data.index.is_unique:
        dupes = data.index[data.index.duplicated()].unique()
        raise DataMismatchError(
            f"The wide annotations given to {func} have repeated row keys in their index: "
            f"{_preview(dupes)}. Each row is one example: make the index unique, or pass the "
            "long form (row, annotator, label columns)."
        )
    present, values = _column_values(data)
    kinds = {v.dtype.kind for v in values if len(v)}
    # Numbers of one kind join as numbers; bools beside numbers (True == 1) and anything
    # else join as objects, where the mixed-types check sees them.
    numeric = kinds <= set("iuf") or kinds == {"b"}
    joined = (
        np.concatenate(values) if numeric else np.concatenate([v.astype(object) for v in values])
    )
    codes, found = encode_labels(joined, classes, func)
    rows = np.concatenate([np.flatnonzero(mask) for mask in present])
    cols = np.repeat(np.arange(len(present)), [int(mask.sum()) for mask in present])
    matrix = _matrix(rows, cols, codes, data.shape, len(found))
    return Annotations(matrix, found, pd.Index(data.columns), data.index)


def _factorize_keys(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(values)
    return codes, pd.Index(uniques, name=values.name)


def _keep_last(
    rows: np.ndarray, cols: np.ndarray, order_by: np.ndarray | None, m: int, func: str
) -> np.ndarray:
    """Positions of the labels kept: the last per (row, annotator) by time, else by position."""
    pair = rows.astype(np.int64) * m + cols
    position = np.arange(len(pair))
    order = np.lexsort((position, pair) if order_by is None else (position, order_by, pair))
    last = np.ones(len(order), dtype=bool)
    last[:-1] = pair[order[1:]] != pair[order[:-1]]
    if order_by is None:
        n_dupes = len(pair) - int(last.sum())
        warnings.warn(
            f"{n_dupes:,} label(s) given to {func} were given again later by the same "
            "annotator to the same row; the last one in the frame's order was kept. Pass "
            "time= (a column of times) to keep the latest by time.",
            DCIWarning,
            stacklevel=4,
        )
    return np.sort(order[last])


def _long_column(data: pd.DataFrame, name: Any, param: str, func: str) -> pd.Series:
    if name not in data.columns:
        raise param_error(
            param, func, f"a column of the long annotations {list(data.columns)[:8]}", name
        )
    return data[name]


def _long(data: pd.DataFrame, spec: dict[str, Any], classes: Any, func: str) -> Annotations:
    who = _long_column(data, spec["annotator"], "annotator", func)
    given = _long_column(data, spec["label"], "label", func)
    if spec["row"] is not None:
        keys = _long_column(data, spec["row"], "row", func)
    elif "row" in data.columns:
        keys = data["row"]
    else:
        keys = pd.Series(data.index, index=data.index, name=data.index.name)
    for series, what in ((keys, "row keys"), (who, "annotators")):
        if series.isna().any():
            raise DataMismatchError(
                f"The long annotations given to {func} have missing {what} "
                f"({int(series.isna().sum()):,} lines). Every label needs its row and its "
                "annotator: fill or drop those lines."
            )
    time = spec["time"]
    stamps = None if time is None else _long_column(data, time, "time", func)
    row_codes, index = _factorize_keys(keys)
    ann_codes, annotators = _factorize_keys(who)
    labelled = given.notna().to_numpy()  # a line without a label: that annotator skipped it
    rows, cols = row_codes[labelled], ann_codes[labelled]
    values = given[labelled].to_numpy()
    pair = rows.astype(np.int64) * len(annotators) + cols
    if len(pair) and np.bincount(pair).max() > 1:
        order_by = None if stamps is None else _time_order(stamps[labelled], func)
        keep = _keep_last(rows, cols, order_by, len(annotators), func)
        rows, cols, values = rows[keep], cols[keep], values[keep]
    codes, found = encode_labels(values, classes, func)
    matrix = _matrix(rows, cols, codes, (len(index), len(annotators)), len(found))
    return Annotations(matrix, found, annotators, index)


def _time_order(stamps: pd.Series, func: str) -> np.ndarray:
    if stamps.isna().any():
        raise DataMismatchError(
            f"The time column of the annotations given to {func} has {int(stamps.isna().sum()):,} "
            "missing values. Fill them, or drop time= to keep the last label in frame order."
        )
    try:
        codes, _ = pd.factorize(stamps, sort=True)
    except TypeError:
        raise DataMismatchError(
            f"The time column of the annotations given to {func} does not sort (mixed types). "
            "Convert it with pd.to_datetime."
        ) from None
    return codes


def read_annotations(
    data: Any,
    *,
    classes: Any = None,
    row: Any = None,
    annotator: Any = "annotator",
    label: Any = "label",
    time: Any = None,
    func: str = "read_annotations",
) -> Annotations:
    """Read annotations in the wide or the long shape into codes.

    Parameters
    ----------
    data : pandas.DataFrame or 2-d array
        Wide: one column per annotator, one row per example (index = row key), missing where
        an annotator did not label the row. Long: one line per label, with the ``annotator``
        and ``label`` columns (and ``row``, else the index is the row key).
    classes : sequence, optional
        The allowed classes, in order; a label outside them is an error. Default: the
        distinct labels, sorted (whole-number floats, as a wide column with gaps holds its
        ints, are read as ints).
    row : column name, optional
        The long shape's column of row keys. Default: ``"row"`` if there is one, else the
        frame's index.
    annotator, label : column names
        The long shape's columns of annotators and labels (defaults ``"annotator"`` and
        ``"label"``); a frame with both is read as long, any other as wide.
    time : column name, optional
        The long shape: when an annotator labelled a row more than once, the latest label by
        this column is kept. Default: the ``"time"`` column if there is one; without it the
        last label in the frame's order is kept, with a :class:`DCIWarning`.
    func : str
        The public function calling, named in messages.

    Returns
    -------
    Annotations
        The codes, the classes, the annotators and the row keys. Long rows are sorted by key
        (when the keys sort), annotators by name; wide rows and annotators keep their order.

    Raises
    ------
    InvalidParameterError
        Data of another type, an empty frame, or a column name that is not the frame's.
    DataMismatchError
        Labels of mixed types, labels outside ``classes``, repeated annotators or row keys
        (wide), missing row keys or annotators (long).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.annotators import read_annotations
    >>> long = pd.DataFrame({"row": [1, 1, 2], "annotator": ["ann", "bob", "bob"],
    ...                      "label": ["cat", "dog", "dog"]})
    >>> a = read_annotations(long)
    >>> a.codes.tolist(), list(a.index)
    ([[0, 1], [-1, 1]], [1, 2])
    """
    if isinstance(data, np.ndarray) and data.ndim == 2:
        data = pd.DataFrame(data)
    if not isinstance(data, pd.DataFrame):
        raise param_error(
            "annotations",
            func,
            "a pandas DataFrame (wide: one column per annotator; long: row, annotator and "
            "label columns) or a 2-d array",
            type(data).__name__,
        )
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise param_error("annotations", func, "a non-empty frame", f"shape {data.shape}")
    if annotator in data.columns and label in data.columns:
        if time is None and "time" in data.columns:
            time = "time"
        spec = {"row": row, "annotator": annotator, "label": label, "time": time}
        return _long(data, spec, classes, func)
    half = [name for name in (annotator, label) if name in data.columns]
    if half:
        # A long frame with a column named otherwise would be read as annotators "task",
        # "worker" and "label": refuse instead of answering about the wrong question.
        raise DataMismatchError(
            f"The annotations given to {func} have a {half[0]!r} column but no "
            f"{(annotator if half[0] == label else label)!r} column. Long annotations need "
            "both: name them with annotator= and label= (and row=). Wide annotations have one "
            "column per annotator: rename that column."
        )
    if time is not None or row is not None:
        raise param_error(
            "time" if time is not None else "row",
            func,
            "None for wide annotations (one column per annotator)",
            time if time is not None else row,
        )
    return _wide(data, classes, func)


def check_annotators(data: Annotations, func: str, what: str) -> None:
    """Refuse fewer than two annotators with labels, naming them and what to do."""
    active = np.flatnonzero(data.labels_per_annotator > 0)
    if len(active) < 2:
        names = [plain(a) for a in data.annotators[active]]
        raise DataMismatchError(
            f"{func} needs labels from at least 2 annotators; got {len(active)} "
            f"({names if names else 'no labels at all'}). {what}"
        )
