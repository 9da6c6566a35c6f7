"""``slice_metrics`` on data that stays in its engine: sums per slice and per value, there.

The built-in metrics of the pandas path that are means of a per-row value (error rate,
accuracy, mean absolute and squared error) are written once as a narwhals expression of
``y_true`` and ``y_pred`` (column names); the engine sums it over each slice (one pass for
every slice) and over each level of each ``by`` column (one group-by on the codes of
``_lazy_bins``, the levels and texts of the pandas path), with the standard deviation the
normal intervals need. Only those sums come back; the rows, the intervals and the lifts are
those :func:`~jupyter_dci.core.slices._metrics_table.metric_table` gives on pandas.

A metric given as a function, ``log_loss`` and ``pred_probs`` need each row's values in
the kernel: they are refused here, with the metrics that work.

Examples
--------
>>> import polars as pl
>>> frame = pl.DataFrame({"g": ["a", "a", "b", "b"], "y": [1, 0, 1, 1], "p": [1, 1, 1, 1]})
>>> m = engine_slice_metrics(frame, y_true="y", y_pred="p", by="g", slices=None,
...                          metric="error_rate", kind="rate", confidence=0.95, n_bins=5)
>>> [(g.name, g.support, g.value) for g in m]
[('all rows', 4, 0.25), ("g == 'a'", 2, 0.5), ("g == 'b'", 2, 0.0)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import narwhals.stable.v2 as nw

from jupyter_dci.core.engine import LazySource, as_source, scalars
from jupyter_dci.core.predicate._narwhals import to_expr
from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.core.slices._lazy_bins import EngineFeature, encode_in_engine
from jupyter_dci.core.slices._metrics_table import SliceMetric, SliceMetrics, _lift, _wilson
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["ENGINE_METRICS", "engine_slice_metrics", "mean_by"]

_FUNC = "slice_metrics"
#: The metrics computed in an engine (means of a per-row value).
ENGINE_METRICS = ("error_rate", "accuracy", "mae", "mse")


@dataclass(frozen=True)
class _Sums:
    """A group's rows, the sum of its per-row values and their standard deviation."""

    n: int
    total: float
    sd: float


def _family(dtype: Any) -> str:
    if isinstance(dtype, nw.Boolean) or dtype.is_numeric():
        return "number"
    if isinstance(dtype, (nw.String, nw.Categorical, nw.Enum)):
        return "text"
    if isinstance(dtype, (nw.Datetime, nw.Date)):
        return "datetime"
    return "other"


def _column(source: LazySource, value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise param_error(
            name,
            _FUNC,
            f"the name of a column of the data when the data stays in its engine "
            f"({source.description}, computed by {source.engine})",
            f"values ({type(value).__name__})",
        )
    if value not in source.columns:
        raise DataMismatchError(
            f"{name}={value!r} names no column of the data (it has {source.columns[:10]}). "
            "Pass a column name."
        )
    return value


def _per_row(source: LazySource, metric: str, truth: str, pred: str) -> Any:
    """Return the metric on each row as a float expression (a group's value is its mean)."""
    schema = source.schema
    kinds = (_family(schema[truth]), _family(schema[pred]))
    if metric in ("mae", "mse"):
        if kinds != ("number", "number"):
            raise param_error(
                "y_true and y_pred",
                _FUNC,
                f"numbers for metric={metric!r}",
                f"dtypes {schema[truth]} and {schema[pred]}",
            )
        diff = nw.col(truth).cast(nw.Float64()) - nw.col(pred).cast(nw.Float64())
        return diff.abs() if metric == "mae" else diff * diff
    if kinds[0] != kinds[1] or "other" in kinds:
        raise param_error(
            "y_true and y_pred",
            _FUNC,
            "columns of one kind (numbers, text or datetimes) to compare",
            f"dtypes {schema[truth]} and {schema[pred]}",
        )
    cast = {"number": nw.Float64(), "text": nw.String()}.get(kinds[0])
    a, b = nw.col(truth), nw.col(pred)
    if cast is not None:
        # As numpy compares them: 1 == 1.0 == True, a category by its text.
        a, b = a.cast(cast), b.cast(cast)
    same = a == b
    return (~same if metric == "error_rate" else same).cast(nw.Float64())


def _check_complete(source: LazySource, columns: dict[str, str]) -> int:
    """Refuse missing values in the label columns; return the number of rows."""
    schema = source.schema
    exprs = [nw.len().alias("n")]
    for name, column in columns.items():
        missing = nw.col(column).is_null()
        if isinstance(schema[column], (nw.Float32, nw.Float64)):
            missing = missing | nw.col(column).is_nan()
        exprs.append(missing.sum().alias(name))
    row = scalars(source.frame.select(exprs))
    for name in columns:
        if row[name]:
            raise DataMismatchError(
                f"{name} has {int(row[name]):,} missing value(s); the metric needs a value on "
                "every row. Filter those rows out first."
            )
    return int(row["n"])


def _slice_sums(source: LazySource, per_row: Any, slices: list[Slice], kind: str) -> list[_Sums]:
    """All rows first, then each slice: one pass."""
    schema = source.schema
    exprs = []
    for i, s in enumerate([None, *slices]):
        values = per_row if s is None else nw.when(to_expr(s.predicate, schema)).then(per_row)
        exprs += [values.count().alias(f"n{i}"), values.sum().alias(f"s{i}")]
        if kind != "rate":
            exprs.append(values.std(ddof=1).alias(f"d{i}"))
    row = scalars(source.frame.select(exprs))
    return [
        _Sums(
            int(row[f"n{i}"]),
            float(row[f"s{i}"] or 0.0),
            math.nan if row.get(f"d{i}") is None else float(row[f"d{i}"]),
        )
        for i in range(len(slices) + 1)
    ]


def _level_sums(source: LazySource, per_row: Any, feature: EngineFeature) -> dict[int, _Sums]:
    """Each level's sums (and the rows in none, under code ``n_levels``): one group-by."""
    table = (
        source.frame.select(feature.code().alias("k"), per_row.alias("v"))
        .group_by("k")
        .agg(
            nw.len().alias("n"),
            nw.col("v").sum().alias("s"),
            nw.col("v").std(ddof=1).alias("d"),
        )
        .collect()
        .to_pandas()
    )
    return {
        int(k): _Sums(int(n), float(s), float(d))
        for k, n, s, d in zip(table["k"], table["n"], table["s"], table["d"], strict=True)
    }


def _slices(slices: Any) -> list[Slice]:
    if slices is None:
        return []
    if isinstance(slices, str | Slice) or not isinstance(slices, Sequence):
        slices = [slices]
    return [item if isinstance(item, Slice) else Slice(item) for item in slices]


def _by_groups(
    source: LazySource, by: Any, per_row: Any, n_bins: int, all_rows: _Sums
) -> list[tuple[str, str | None, Slice | None, _Sums]]:
    """(name, column, slice, sums) of each value of each ``by`` column, as pandas groups."""
    if by is None:
        return []
    columns = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
    for column in columns:
        if column not in source.columns:
            raise DataMismatchError(
                f"by={column!r} names no column of the frame (it has {source.columns[:10]})."
            )
    features, skipped, _ = encode_in_engine(source, columns, n_bins=n_bins, nice=True)
    found = {f.column: f for f in features}
    out: list[tuple[str, str | None, Slice | None, _Sums]] = []
    for column in columns:
        if column in skipped:
            if skipped[column].startswith("constant"):
                out.append((f"{column}: all rows", str(column), None, all_rows))
                continue
            raise param_error(
                "by", _FUNC, "columns that can be grouped", f"{column!r} ({skipped[column]})"
            )
        feature = found[column]
        sums = _level_sums(source, per_row, feature)
        empty = _Sums(0, 0.0, math.nan)
        for level, text in enumerate(feature.levels):
            out.append((text, str(column), Slice(text), sums.get(level, empty)))
        if feature.n_other:
            out.append((f"{column}: other values", str(column), None, sums[feature.n_levels]))
    return out


def _row(
    name: str,
    column: str | None,
    found: Slice | None,
    sums: _Sums,
    every: _Sums,
    kind: str,
    z: float,
) -> SliceMetric:
    """One group's metric, by the rules of ``metric_table``."""
    n, total = sums.n, sums.total
    value = total / n if n else math.nan
    n_rest = every.n - n
    rest = (every.total - total) / n_rest if n_rest else math.nan
    if kind == "rate":
        low, high = _wilson(value, n, z)
    elif n < 2:
        low = high = math.nan
    else:
        half = z * sums.sd / math.sqrt(n)
        low, high = value - half, value + half
    frac = n / every.n if every.n else math.nan
    return SliceMetric(name, column, found, n, frac, value, low, high, rest, _lift(value, rest))


def _measure(
    source: LazySource,
    per_row: Any,
    *,
    name: str,
    kind: str,
    slices: Any,
    by: Any,
    confidence: float,
    n_bins: int,
) -> SliceMetrics:
    parsed = _slices(slices)
    sums = _slice_sums(source, per_row, parsed, kind)
    every = sums[0]
    groups: list[tuple[str, str | None, Slice | None, _Sums]] = [("all rows", None, None, every)]
    groups += [(s.name or s.describe(), None, s, g) for s, g in zip(parsed, sums[1:], strict=True)]
    groups += _by_groups(source, by, per_row, n_bins, every)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    rows = tuple(_row(*g, every=every, kind=kind, z=z) for g in groups)
    method = "wilson" if kind == "rate" else "normal"
    return SliceMetrics(name, method, confidence, every.n, rows)


def engine_slice_metrics(
    x: Any,
    *,
    y_true: Any,
    y_pred: Any,
    by: Any,
    slices: Any,
    metric: str,
    kind: str,
    confidence: float,
    n_bins: int,
) -> SliceMetrics:
    """:func:`~jupyter_dci.core.slices.slice_metrics` on data that stays in its engine.

    ``y_true`` and ``y_pred`` name columns; ``metric`` is one of :data:`ENGINE_METRICS`
    (``kind`` ``"rate"`` or ``"mean"``); the other options as in ``slice_metrics``, which
    checks them.
    """
    source = as_source(x, _FUNC)
    truth = _column(source, y_true, "y_true")
    if y_pred is None:
        raise param_error("y_pred", _FUNC, "given (or pred_probs)", None)
    pred = _column(source, y_pred, "y_pred")
    if _check_complete(source, {"y_true": truth, "y_pred": pred}) == 0:
        raise param_error("df", _FUNC, "a frame with at least one row", "an empty frame")
    per_row = _per_row(source, metric, truth, pred)
    return _measure(
        source,
        per_row,
        name=metric,
        kind=kind,
        slices=slices,
        by=by,
        confidence=confidence,
        n_bins=n_bins,
    )


def mean_by(x: Any, values: str, by: Any, *, n_bins: int = 5, func: str = _FUNC) -> SliceMetrics:
    """Measure the mean of a number column per value of ``by`` columns, in the engine.

    What the slices panel charts per value (the error rate, or the mean loss).

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"g": ["a", "a", "b"], "err": [1.0, 0.0, 1.0]})
    >>> [(g.name, g.value) for g in mean_by(frame, "err", "g")]
    [('all rows', 0.6666666666666666), ("g == 'a'", 0.5), ("g == 'b'", 1.0)]
    """
    source = as_source(x, func)
    per_row = nw.col(_column(source, values, "values")).cast(nw.Float64())
    return _measure(
        source,
        per_row,
        name="mean",
        kind="mean",
        slices=None,
        by=by,
        confidence=0.95,
        n_bins=n_bins,
    )
