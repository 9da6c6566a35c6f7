"""Turn columns into small integer codes, one predicate text per code (slice features).

``find_slices`` searches over these codes and ``slice_metrics`` groups by them, so both
describe a group with the same predicate text. Numeric and datetime columns are cut at
quantiles, snapped to observed values (an int column cut at 24.6 would read oddly, and
``age < 25`` is what a person writes) and, for floats, rounded to three significant
digits; missing values get their own code (``isna(col)``); text, categorical and bool
columns get one code per value, the most frequent ``max_levels`` only. The predicate
texts are built with ``quote_column`` and ``format_literal``, so any column name or
value reads back through the safe parser unchanged.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.predicate._ast import format_literal, quote_column
from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.errors import PredicateError

__all__ = [
    "Feature",
    "bool_levels",
    "category_level",
    "choose_edges",
    "datetime_literal",
    "encode_feature",
    "encode_features",
    "number_literal",
    "quantile_targets",
    "range_levels",
    "small_codes",
    "value_levels",
]

# Values the predicate language can write as literals.
_LITERAL_TYPES = (str, int, float, bool)


@dataclass(frozen=True)
class Feature:
    """One column as codes: ``codes[i]`` is row i's level; ``len(levels)`` means none.

    Attributes
    ----------
    column : object
        The column's name in the frame.
    codes : numpy.ndarray
        Small ints, one per row; the value ``len(levels)`` marks rows in no level (a rare
        value beyond ``max_levels``).
    levels : tuple of str
        The predicate text of each code, e.g. ``"age >= 25 and age < 32"``.
    kind : str
        ``"numeric"``, ``"datetime"``, ``"bool"`` or ``"category"``.
    """

    column: Any
    codes: np.ndarray = field(repr=False)
    levels: tuple[str, ...]
    kind: str

    @property
    def n_levels(self) -> int:
        """The number of levels (codes ``0 .. n_levels - 1``)."""
        return len(self.levels)


def small_codes(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Return ``codes`` in the smallest int type holding ``n_codes`` codes."""
    # int8 codes make the gathers of the lattice search 4-8x lighter than int64.
    dtype = np.int8 if n_codes < 127 else np.int16 if n_codes < 32_000 else np.int32
    return codes.astype(dtype, copy=False)


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _nice(value: float) -> float:
    # Three significant digits: `income < 52300.0`, not `income < 52341.8273`.
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.3g}")


def choose_edges(
    targets: np.ndarray,
    low: np.ndarray,
    above: list[float | None],
    n_below: list[int],
    n_below_next: list[int],
    size: int,
    bounds: tuple[float, float],
    *,
    integral: bool,
    nice: bool,
) -> np.ndarray:
    """Pick each cut between an observed value at a quantile and the next one up.

    The rule of :func:`_edges`, from figures an engine can compute as well as numpy:
    ``low`` the observed values at the ``targets`` (numpy's ``lower`` quantiles), ``above``
    the smallest value above each (None if none), ``n_below`` the values below each and
    ``n_below_next`` the values below the next one up; ``size`` the values in all and
    ``bounds`` their (min, max).

    Examples
    --------
    >>> # The values 1, 2, 3, 4: half of them lie below 3, a quarter below 2.
    >>> choose_edges(np.array([0.5]), np.array([2.0]), [3.0], [1], [2], 4, (1.0, 4.0),
    ...              integral=True, nice=False)
    array([3.])
    """
    edges = []
    for i, (target, value) in enumerate(zip(targets, low, strict=True)):
        # Between the observed value at the quantile and the next one up, keep the cut
        # whose share of rows below is closest to the target (ties: ages, counts).
        options = [value] if above[i] is None else [value, above[i]]
        below = [n_below[i], n_below_next[i]][: len(options)]
        gaps = [abs(count / size - target) for count in below]
        # On a tie keep the lower cut (the smaller first bin).
        edges.append(options[1] if gaps[1:] and gaps[1] < gaps[0] - 1e-9 else options[0])
    out = np.asarray(edges, dtype=float)
    if nice and not integral:
        out = np.array([_nice(v) for v in out])
    out = np.unique(out)
    # A cut at or below the minimum (or above the maximum) leaves an empty bin.
    return out[(out > bounds[0]) & (out <= bounds[1])]


def quantile_targets(n_bins: int) -> np.ndarray:
    """Return the shares of rows where ``n_bins`` quantile bins are cut (``1/n .. (n-1)/n``)."""
    return np.arange(1, n_bins) / n_bins


def _edges(valid: np.ndarray, n_bins: int, integral: bool, nice: bool) -> np.ndarray:
    """Cut points ``e`` (bins ``x < e1``, ``e1 <= x < e2`` ...), snapped to observed values."""
    targets = quantile_targets(n_bins)
    low = np.quantile(valid, targets, method="lower")
    above: list[float | None] = []
    n_below: list[int] = []
    n_below_next: list[int] = []
    for value in low:
        bigger = valid[valid > value]
        above.append(None if bigger.size == 0 else bigger.min())
        n_below.append(int(np.count_nonzero(valid < value)))
        n_below_next.append(0 if bigger.size == 0 else int(np.count_nonzero(valid < above[-1])))
    bounds = (valid.min(), valid.max())
    return choose_edges(
        targets, low, above, n_below, n_below_next, valid.size, bounds, integral=integral, nice=nice
    )


def value_levels(col: str, values: Any, fmt: Any) -> list[str]:
    """One level per value of a column with few values: ``col == v``."""
    return [f"{col} == {fmt(v)}" for v in values]


def range_levels(col: str, edges: np.ndarray, fmt: Any) -> list[str]:
    """Return the levels of the bins cut at ``edges``: ``col < e1``, ``col >= e1 and ...``."""
    if edges.size == 0:
        return [f"notna({col})"]
    texts = [fmt(e) for e in edges]
    levels = [f"{col} < {texts[0]}"]
    levels += [f"{col} >= {a} and {col} < {b}" for a, b in itertools.pairwise(texts)]
    levels.append(f"{col} >= {texts[-1]}")
    return levels


def _numeric(
    col: str, x: np.ndarray, n_bins: int, max_levels: int, fmt: Any, integral: bool, nice: bool
) -> tuple[np.ndarray, list[str]]:
    missing = np.isnan(x)
    valid = x[~missing]
    # A sample tells cheaply whether the column has many values; only a column that
    # looks low-cardinality pays for the full sort.
    uniq = np.unique(valid[:100_000])
    if uniq.size <= n_bins and valid.size > 100_000:
        uniq = np.unique(valid)
    if uniq.size <= n_bins:
        # Few distinct values: one level per value reads better than a range.
        codes = np.searchsorted(uniq, np.where(missing, uniq[0], x))
        levels = value_levels(col, uniq, fmt)
    else:
        edges = _edges(valid, n_bins, integral, nice)
        codes = np.searchsorted(edges, np.where(missing, edges[0] if edges.size else 0, x), "right")
        levels = range_levels(col, edges, fmt)
    if missing.any():
        codes = np.where(missing, len(levels), codes)
        levels.append(f"isna({col})")
    return codes, levels


def number_literal(integral: bool) -> Any:
    """Return the function writing a number column's value as a literal (ints as ints)."""

    def fmt(value: float) -> str:
        return format_literal(int(value) if integral else float(value))

    return fmt


def datetime_literal(tz: Any) -> Any:
    """Return the function writing nanoseconds since the epoch (UTC) as a literal in ``tz``.

    Examples
    --------
    >>> datetime_literal(None)(86_400e9)
    "'1970-01-02 00:00:00'"
    """

    def fmt(v: float) -> str:
        stamp = pd.Timestamp(int(v), tz="UTC")
        stamp = stamp.tz_convert(tz) if tz is not None else stamp.tz_localize(None)
        return format_literal(str(stamp))

    return fmt


def category_level(col: str, value: Any) -> str:
    """Return the level of one value of a text, categorical or bool column: ``col == v``."""
    return f"{col} == {format_literal(value)}"


def _categorical(col: str, series: pd.Series, max_levels: int) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = [_python(v) for v in np.asarray(uniques, dtype=object)]
    bad = [v for v in values if not isinstance(v, _LITERAL_TYPES)]
    if bad:
        raise TypeError(f"values of type {type(bad[0]).__name__} cannot be written in a predicate")
    counts = np.bincount(codes[codes >= 0], minlength=len(values))
    keep = np.argsort(-counts, kind="stable")[:max_levels]
    remap = np.full(len(values) + 1, len(keep), dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    levels = [category_level(col, values[i]) for i in keep]
    missing = codes < 0
    out = remap[np.where(missing, len(values), codes)]
    if missing.any():
        # Missing rows get their own level, after the kept values; rare values sit in
        # the "no level" code, which is len(levels) once isna is appended.
        out = np.where(missing, len(levels), np.where(out == len(keep), len(keep) + 1, out))
        levels.append(f"isna({col})")
    return out, levels


def _levels_agree(series: pd.Series, column: Any, codes: np.ndarray, levels: list[str]) -> bool:
    """Check that each level's predicate selects exactly its rows (mixed object columns).

    ``pd.factorize`` and the predicate language may disagree on values of mixed types
    (``1`` against ``'1'``); a column where they do is skipped rather than reported
    with figures its predicates would not reproduce.
    """
    kinds = {type(v) for v in series.dropna().head(10_000)}
    if len(kinds) <= 1:
        return True
    frame = pd.DataFrame({column: series})
    try:
        return all(
            bool((Slice(text).mask(frame) == (codes == i)).all()) for i, text in enumerate(levels)
        )
    except PredicateError:
        return False


def bool_levels(col: str, missing: bool) -> list[str]:
    """Return the levels of a bool column: False, True, and missing values if it has any."""
    return [f"{col} == False", f"{col} == True"] + ([f"isna({col})"] if missing else [])


def _bools(col: str, series: pd.Series) -> tuple[np.ndarray, list[str]]:
    # Straight from the bits: factorising a million Python bools costs ~0.4 s.
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=bool, na_value=False)
    codes = np.where(missing, 2, values.astype(np.int8))
    return codes, bool_levels(col, bool(missing.any()))


def encode_feature(
    series: pd.Series, column: Any, *, n_bins: int = 5, max_levels: int = 50, nice: bool = True
) -> Feature | str:
    """Encode one column, or say why it cannot be used (a short reason, as a str).

    Parameters
    ----------
    series : pandas.Series
        The column.
    column : object
        Its name in the frame (written into the predicates).
    n_bins : int, default 5
        Quantile bins of numeric and datetime columns.
    max_levels : int, default 50
        The most frequent values kept as levels of a text or categorical column.
    nice : bool, default True
        Round float cut points to three significant digits.

    Returns
    -------
    Feature or str
        The feature, or the reason it was skipped.

    Examples
    --------
    >>> import pandas as pd
    >>> encode_feature(pd.Series([20, 30, None, 40, 50]), "age", n_bins=2).levels
    ('age < 40', 'age >= 40', 'isna(age)')
    >>> encode_feature(pd.Series(["a", "a"]), "c")
    'constant (one value, no missing values)'
    """
    col = quote_column(str(column))
    if series.isna().all():
        return "only missing values"
    dtype = series.dtype
    try:
        if pd.api.types.is_bool_dtype(dtype):
            codes, levels = _bools(col, series)
            kind = "bool"
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
            x = series.to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(x).any():
                x = np.where(np.isinf(x), np.sign(x) * np.finfo(float).max, x)
            finite = x[np.isfinite(x)]
            # Whole numbers in a float column (ints with NaN) read as ints: `age < 25`.
            integral = pd.api.types.is_integer_dtype(dtype) or bool(
                np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53)
            )
            fmt = number_literal(integral)
            codes, levels = _numeric(col, x, n_bins, max_levels, fmt, integral, nice)
            kind = "numeric"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            tz = getattr(dtype, "tz", None)
            values = series.to_numpy(dtype="datetime64[ns]") if tz is None else None
            if values is None:
                values = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
            x = np.where(np.isnat(values), np.nan, values.astype("int64").astype(float))

            codes, levels = _numeric(col, x, n_bins, max_levels, datetime_literal(tz), True, False)
            kind = "datetime"
        elif (
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
        ):
            codes, levels = _categorical(col, series, max_levels)
            kind = "category"
            if series.dtype == object and not _levels_agree(series, column, codes, levels):
                return "values of mixed types that a predicate cannot tell apart"
        else:
            return f"dtype {dtype} is not supported (numbers, datetimes, bools, text only)"
    except TypeError as exc:
        return str(exc)
    used = np.bincount(np.asarray(codes, dtype=np.intp), minlength=len(levels) + 1)
    if np.count_nonzero(used[: len(levels)]) < 2:
        return "constant (one value, no missing values)"
    return Feature(column, small_codes(np.asarray(codes), len(levels) + 1), tuple(levels), kind)


def encode_features(
    df: pd.DataFrame, columns: list[Any], *, n_bins: int = 5, max_levels: int = 50
) -> tuple[list[Feature], dict[str, str]]:
    """Encode several columns; return the features and, per skipped column, why.

    Examples
    --------
    >>> import pandas as pd
    >>> feats, skipped = encode_features(pd.DataFrame({"a": [1, 2], "b": [None, None]}),
    ...                                  ["a", "b"])
    >>> [f.column for f in feats], skipped
    (['a'], {'b': 'only missing values'})
    """
    features, skipped = [], {}
    for column in columns:
        out = encode_feature(df[column], column, n_bins=n_bins, max_levels=max_levels)
        if isinstance(out, str):
            skipped[str(column)] = out
        else:
            features.append(out)
    return features, skipped
