"""Exact and near-duplicate rows, and duplicate groups whose labels disagree.

Two copies of one example with two different labels are the strongest model-free sign of
label noise: at least one of them is wrong. Rows are grouped by a 64-bit hash of their
feature values, exactly and after normalisation (strings lower-cased with punctuation and
extra spaces dropped, numbers rounded to a share of their column's spread, images
quantised), in linear time and memory that does not grow with the number of pairs.
Data in an engine (Polars, DuckDB, Arrow, Parquet or CSV files) is grouped there by
:mod:`jupyter_dci.core._duplicates_lazy`, into bounded results equal to this path's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast, overload

import numpy as np
import pandas as pd
import pyarrow as pa

from jupyter_dci.core.engine._inputs import input_kind, is_pandas, unsupported
from jupyter_dci.errors import DataMismatchError, param_error

if TYPE_CHECKING:
    from jupyter_dci.core._duplicates_lazy import LazyDuplicates

__all__ = ["Duplicates", "find_duplicates"]

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Duplicates:
    """Duplicate groups of a frame, and the rows whose duplicates carry another label.

    Attributes
    ----------
    frame : pandas.DataFrame
        Aligned with the input (same index and order): ``duplicate_group`` (Int64, ``<NA>``
        for a row without duplicates), ``is_exact_duplicate`` (an identical row exists),
        ``is_duplicate_issue`` and ``duplicate_score`` (``1 / group size``: 1 for a unique
        row), ``is_conflicting_duplicate_issue`` and ``conflicting_duplicate_score`` (the share
        of the row's group that carries the row's label: 1 without conflict; lower is worse).
    groups : pandas.DataFrame
        One row per group (index ``duplicate_group``), conflicting groups first, then larger
        ones: ``size``, ``exact`` (all rows identical), ``n_labels``, ``majority_label``,
        ``is_conflicting``.
    near : bool
        Whether near-duplicates were grouped too.
    label : object
        The label column, or None.
    """

    frame: pd.DataFrame
    groups: pd.DataFrame
    near: bool
    label: Any

    @property
    def n_conflicting(self) -> int:
        """Number of rows in groups whose labels disagree."""
        return int(self.frame["is_conflicting_duplicate_issue"].sum())

    def __repr__(self) -> str:
        return (
            f"Duplicates({len(self.groups)} groups over "
            f"{int(self.frame['is_duplicate_issue'].sum())} rows, "
            f"{int(self.groups['is_conflicting'].sum())} with conflicting labels)"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-row table.

        Returns
        -------
        pandas.DataFrame
            The columns of :attr:`frame`.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core import find_duplicates
        >>> df = pd.DataFrame({"text": ["Hi there", "hi  there!", "bye"], "y": [0, 1, 0]})
        >>> find_duplicates(df, label="y").to_frame()["is_conflicting_duplicate_issue"].tolist()
        [True, True, False]
        """
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary: every group with its rows and labels.

        Returns
        -------
        dict
            ``n_rows``, ``n_groups``, ``n_conflicting_groups``, ``near``, ``label`` and
            ``groups`` (a list of ``{group, size, exact, n_labels, majority_label,
            is_conflicting, rows}``).

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core import find_duplicates
        >>> df = pd.DataFrame({"a": [1, 1, 2], "y": ["x", "z", "x"]})
        >>> find_duplicates(df, label="y").to_dict()["groups"][0]["rows"]
        [0, 1]
        """
        members = self.frame["duplicate_group"].dropna()
        rows = pd.Series(members.index, index=members.to_numpy()).groupby(level=0).agg(list)
        groups = []
        for key, g in self.groups.iterrows():
            gid = cast(int, key)  # the groups frame is indexed by group id
            majority = g["majority_label"]
            groups.append(
                {
                    "group": int(gid),
                    "size": int(g["size"]),
                    "exact": bool(g["exact"]),
                    "n_labels": int(g["n_labels"]),
                    "majority_label": majority.item()
                    if isinstance(majority, np.generic)
                    else majority,
                    "is_conflicting": bool(g["is_conflicting"]),
                    "rows": [r.item() if isinstance(r, np.generic) else r for r in rows[gid]],
                }
            )
        return {
            "n_rows": len(self.frame),
            "n_groups": len(self.groups),
            "n_conflicting_groups": int(self.groups["is_conflicting"].sum()),
            "near": self.near,
            "label": self.label,
            "groups": groups,
        }


def _is_image(column: pd.Series) -> bool:
    if column.dtype != object:
        return False
    present = column.dropna()
    return bool(len(present)) and isinstance(present.iloc[0], np.ndarray)


def _array_keys(column: pd.Series, step: float | None) -> pd.Series:
    """One hashable key per array cell (its bytes), optionally after quantisation."""
    keys = []
    for cell in column.to_numpy():
        if not isinstance(cell, np.ndarray):
            keys.append(b"")
            continue
        values = np.asarray(cell, dtype=np.float64)
        if step is not None:
            values = np.round(values / step) + 0.0  # -0.0 has other bytes than 0.0
        keys.append(values.tobytes() + str(values.shape).encode())
    return pd.Series(keys, index=column.index, dtype=object)


def _hashable(column: pd.Series) -> pd.Series:
    """Return the column, or the repr of its cells when some are unhashable (lists, dicts)."""
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_nested(dtype.pyarrow_dtype):
        # Arrow lists, structs and maps: pandas can neither hash nor factorize them.
        cells = pa.chunked_array(column.array._pa_array).to_pylist()
        return pd.Series(
            [None if v is None else repr(v) for v in cells], index=column.index, dtype=object
        )
    if column.dtype != object:
        return column
    try:
        pd.util.hash_pandas_object(column, index=False)
    except TypeError:
        return column.map(lambda v: v if v is None else repr(v))
    return column


def _normalise_text(column: pd.Series) -> pd.Series:
    # Normalise each distinct value once: columns repeat values far more often than not.
    codes, uniques = pd.factorize(_hashable(column).astype(object), use_na_sentinel=True)
    text = pd.Series(uniques).astype(str).str.lower()
    text = text.str.replace(_PUNCTUATION, " ", regex=True)
    text = text.str.replace(_SPACES, " ", regex=True).str.strip()
    values = np.asarray(text.to_numpy(dtype=object))
    # None fills an object array; numpy's stubs do not list None as array-like.
    out = np.where(  # type: ignore[call-overload]
        codes >= 0, values[np.maximum(codes, 0)] if len(values) else "", None
    )
    return pd.Series(out, index=column.index, dtype=object)


def _normalised(frame: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {}
    for i in range(frame.shape[1]):
        # By position: a frame may repeat a column name.
        column = frame.iloc[:, i]
        key = f"c{i}"
        if _is_image(column):
            flat = np.concatenate(
                [np.ravel(c) for c in column.to_numpy() if isinstance(c, np.ndarray)]
            ).astype(np.float64)
            spread = float(np.nanstd(flat)) if flat.size else 0.0
            columns[key] = _array_keys(column, tolerance * spread if spread > 0 else None)
        elif pd.api.types.is_bool_dtype(column.dtype):
            columns[key] = column
        elif pd.api.types.is_numeric_dtype(column.dtype):
            values = column.to_numpy()
            if np.iscomplexobj(values):
                values = np.abs(values)
            values = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
            finite = values[np.isfinite(values)]
            spread = float(finite.std()) if len(finite) else 0.0
            step = tolerance * spread if spread > 0 else 1.0
            # Rounded to a share of the column's spread: 1.001 and 1.002 meet, 1 and 2 do not.
            # + 0.0 makes -0.0 (from rounding -0.5) the 0.0 it equals: pandas 2.2 hashes the
            # two apart, which split one near-duplicate group in two.
            columns[key] = pd.Series(np.round(values / step) + 0.0, index=frame.index)
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            columns[key] = column.dt.floor("s")
        elif isinstance(column.dtype, (pd.PeriodDtype, pd.IntervalDtype)) or (
            pd.api.types.is_timedelta64_dtype(column.dtype)
        ):
            columns[key] = column
        else:
            columns[key] = _normalise_text(column)
    return pd.DataFrame(columns, index=frame.index)


def _exact(frame: pd.DataFrame) -> pd.DataFrame:
    columns = {}
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        columns[f"c{i}"] = _array_keys(column, None) if _is_image(column) else _hashable(column)
    return pd.DataFrame(columns, index=frame.index)


def _row_groups(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Group id per row (numbered by first appearance) and each group's size."""
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    ids, uniques = pd.factorize(hashes)
    return ids, np.bincount(ids, minlength=len(uniques))


def _label_shares(
    group: np.ndarray, labels: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Per row: share of its group holding its label; per group: labels, majority, labelled."""
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    labelled = codes >= 0
    n_groups = int(group.max()) + 1 if len(group) else 0
    n_labels = max(len(uniques), 1)
    pair = group[labelled].astype(np.int64) * n_labels + codes[labelled]
    pairs, pair_counts = np.unique(pair, return_counts=True)
    counts_in_group = np.bincount(group[labelled], minlength=n_groups)
    per_row = np.ones(len(group))
    lookup = np.searchsorted(pairs, pair)
    per_row[labelled] = pair_counts[lookup] / counts_in_group[group[labelled]]
    distinct = np.bincount(pairs // n_labels, minlength=n_groups)
    # The majority label of each group: the most frequent (group, label) pair.
    order = np.lexsort((-pair_counts, pairs // n_labels))
    first = order[np.r_[True, np.diff((pairs // n_labels)[order]) != 0]]
    majority = np.full(n_groups, -1)
    majority[pairs[first] // n_labels] = pairs[first] % n_labels
    return per_row, distinct, majority, uniques


@overload
def find_duplicates(
    df: pd.DataFrame,
    *,
    label: Any = None,
    features: Sequence[Any] | None = None,
    near: bool = True,
    tolerance: float = 0.01,
    key: str | Sequence[str] | None = None,
    max_groups: int = 100,
) -> Duplicates: ...


@overload
def find_duplicates(
    df: Any,
    *,
    label: Any = None,
    features: Sequence[Any] | None = None,
    near: bool = True,
    tolerance: float = 0.01,
    key: str | Sequence[str] | None = None,
    max_groups: int = 100,
) -> Duplicates | LazyDuplicates: ...


def find_duplicates(
    df: Any,
    *,
    label: Any = None,
    features: Sequence[Any] | None = None,
    near: bool = True,
    tolerance: float = 0.01,
    key: str | Sequence[str] | None = None,
    max_groups: int = 100,
) -> Duplicates | LazyDuplicates:
    """Group exact and near-duplicate rows, and flag groups whose labels disagree.

    Parameters
    ----------
    df : pandas.DataFrame, or data in an engine
        The data: a pandas DataFrame, or a Polars DataFrame or LazyFrame, a PyArrow Table or
        Dataset, a DuckDB relation, or a path or glob of Parquet or CSV files, grouped in
        their own engine (see Returns).
    label : column name, optional
        The label column. With it, rows in a group holding more than one label are flagged
        ``is_conflicting_duplicate_issue``. Rows with a missing label never conflict.
    features : sequence of column names, optional
        The columns that define a duplicate (default: all but ``label``). Image columns
        (cells holding numpy arrays) compare by content.
    near : bool, default True
        Also group rows that are equal after normalisation: text lower-cased without
        punctuation or repeated spaces, numbers (and image pixels) rounded to ``tolerance``
        times their column's standard deviation, datetimes to the second. Two values just
        either side of a rounding boundary are not matched (the price of a linear-time hash).
    tolerance : float, default 0.01
        Rounding step for near-duplicates, as a share of each numeric column's spread.
    key : str or list of str, optional
        Data in an engine only: the column(s) naming rows in the examples (by default a
        row's position), left out of the default features. A pandas frame's rows are
        named by its index.
    max_groups : int, default 100
        Data in an engine only: the number of groups brought back with their rows (the
        counts cover every group).

    Returns
    -------
    Duplicates or LazyDuplicates
        For a pandas frame, ``frame`` aligned with ``df`` and a ``groups`` summary. For
        data in an engine, a bounded ``LazyDuplicates``
        (:mod:`jupyter_dci.core._duplicates_lazy`): the exact counts and the first
        ``max_groups`` groups (the pandas path's first groups, with its group numbers),
        each with its first rows.

    Raises
    ------
    InvalidParameterError
        A bad parameter.
    DataMismatchError
        Unknown columns.
    UnsupportedInputError
        Data of a type no entry point takes.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core import find_duplicates
    >>> df = pd.DataFrame({"text": ["Good film", "good film!", "Bad film"], "y": [1, 0, 0]})
    >>> result = find_duplicates(df, label="y")
    >>> result.frame["conflicting_duplicate_score"].tolist()
    [0.5, 0.5, 1.0]
    >>> import polars as pl
    >>> find_duplicates(pl.from_pandas(df), label="y")
    LazyDuplicates(1 groups over 2 rows, 1 with conflicting labels; computed in polars)
    """
    func = "find_duplicates"
    if is_pandas(df):
        if key is not None:
            raise param_error(
                "key",
                func,
                "None for a pandas DataFrame (its rows are named by the index: "
                "df.set_index(key) first)",
                key,
            )
        return _find_pandas(df, label, features, near, tolerance)
    if input_kind(df) is None:
        raise unsupported(df, func)
    return _find_elsewhere(df, label, features, near, tolerance, key, max_groups)


def _find_elsewhere(
    data: Any,
    label: Any,
    features: Sequence[Any] | None,
    near: Any,
    tolerance: Any,
    key: Any,
    max_groups: Any,
) -> LazyDuplicates:
    """Find duplicates of data that is not a pandas frame in its own engine."""
    from jupyter_dci.core._duplicates_lazy import find_duplicates_lazy
    from jupyter_dci.core.engine import as_source

    func = "find_duplicates"
    keys = _key_columns(key, func)
    if isinstance(max_groups, bool) or not isinstance(max_groups, int) or max_groups < 0:
        raise param_error("max_groups", func, "an int >= 0", max_groups)
    _check_options(near, tolerance, func)
    # In read order: rows are named, and groups numbered, by their position.
    source = as_source(data, func)
    columns = source.columns
    chosen = _chosen(columns, label, features, func, exclude=keys)
    unknown = [k for k in keys if k not in columns]
    if unknown:
        raise DataMismatchError(
            f"The key of {func} must be column(s) of the data. Got unknown column(s) "
            f"{unknown[:5]}; the columns are {columns[:10]}."
        )
    return find_duplicates_lazy(
        source,
        label=label,
        chosen=[str(c) for c in chosen],
        near=near,
        tolerance=float(tolerance),
        key=keys,
        max_groups=max_groups,
    )


def _key_columns(key: Any, func: str) -> tuple[str, ...]:
    if key is None:
        return ()
    names = [key] if isinstance(key, str) else key
    if (
        not isinstance(names, list | tuple)
        or not names
        or not all(isinstance(k, str) for k in names)
    ):
        raise param_error("key", func, "None, a column name or a list of column names", key)
    return tuple(names)


def _check_options(near: Any, tolerance: Any, func: str) -> None:
    if not isinstance(near, bool):
        raise param_error("near", func, "a bool", near)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float))
        or not (0 < tolerance <= 1)
    ):
        raise param_error("tolerance", func, "a float in (0, 1]", tolerance)


def _check_label(columns: Sequence[Any], label: Any, func: str) -> None:
    if label is not None and label not in columns:
        raise DataMismatchError(
            f"The label column of {func} must be a column of df. Got {label!r}; the columns are "
            f"{list(columns)[:10]}."
        )


def _chosen(
    columns: Sequence[Any],
    label: Any,
    features: Sequence[Any] | None,
    func: str,
    *,
    exclude: Sequence[Any] = (),
) -> list[Any]:
    """Return the feature columns: given, or all but the label (and the key); checked."""
    _check_label(columns, label, func)
    if features is None:
        chosen = [c for c in columns if c != label and c not in exclude]
    else:
        chosen = list(features)
    chosen = list(dict.fromkeys(chosen))
    unknown = [c for c in chosen if c not in columns]
    if unknown:
        raise DataMismatchError(
            f"The features of {func} must be columns of df. Got unknown column(s) {unknown[:5]}."
        )
    if not chosen:
        raise param_error("features", func, "at least one column", chosen)
    return chosen


def _find_pandas(
    df: pd.DataFrame,
    label: Any,
    features: Sequence[Any] | None,
    near: Any,
    tolerance: Any,
) -> Duplicates:
    func = "find_duplicates"
    _check_label(list(df.columns), label, func)
    _check_options(near, tolerance, func)
    chosen = _chosen(list(df.columns), label, features, func)
    return _find(df, label, chosen, near, float(tolerance))


def _find(
    df: pd.DataFrame, label: Any, chosen: list[Any], near: bool, tolerance: float
) -> Duplicates:
    data = df[chosen]
    exact_ids, exact_sizes = _row_groups(_exact(data))
    ids, sizes = _row_groups(_normalised(data, tolerance)) if near else (exact_ids, exact_sizes)
    in_group = sizes[ids] > 1
    # Renumber the groups with more than one row 0, 1, 2... in order of first appearance.
    group = np.full(len(df), -1)
    if in_group.any():
        group[in_group] = pd.factorize(ids[in_group])[0]
    n_groups = int(group.max()) + 1 if len(group) else 0
    members = group[in_group]
    size = np.bincount(members, minlength=n_groups)
    # A group is exact when all its rows share one exact hash.
    exact = np.zeros(n_groups, dtype=bool)
    if len(members):
        pairs = np.unique(np.stack([members, exact_ids[in_group]]), axis=1)
        exact = np.bincount(pairs[0], minlength=n_groups) == 1
    score = np.ones(len(df))
    distinct = np.ones(n_groups, dtype=np.int64)
    majority: list[Any] = [None] * n_groups
    if label is not None and n_groups:
        shares, distinct, top, uniques = _label_shares(members, df[label][in_group])
        score[in_group] = shares
        values = np.asarray(uniques, dtype=object)
        majority = [values[t] if t >= 0 else None for t in top]
    conflicting_group = distinct > 1
    conflicting = np.zeros(len(df), dtype=bool)
    conflicting[in_group] = conflicting_group[members]
    frame = pd.DataFrame(
        {
            "duplicate_group": pd.array(np.where(in_group, group, 0), dtype="Int64"),
            "is_exact_duplicate": exact_sizes[exact_ids] > 1,
            "is_duplicate_issue": in_group,
            "duplicate_score": 1.0 / sizes[ids],
            "is_conflicting_duplicate_issue": conflicting,
            "conflicting_duplicate_score": np.where(conflicting, score, 1.0),
        },
        index=df.index,
    )
    frame.loc[~in_group, "duplicate_group"] = pd.NA
    groups = pd.DataFrame(
        {
            "size": size,
            "exact": exact,
            "n_labels": distinct,
            "majority_label": pd.Series(majority, dtype=object),
            "is_conflicting": conflicting_group,
        },
        index=pd.RangeIndex(n_groups, name="duplicate_group"),
    )
    groups = groups.sort_values(["is_conflicting", "size"], ascending=False, kind="stable")
    return Duplicates(frame=frame, groups=groups, near=near, label=label)
