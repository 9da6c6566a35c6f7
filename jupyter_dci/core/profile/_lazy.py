"""Profile data that stays in its engine: Polars, DuckDB, Arrow data, Parquet or CSV files.

The same :class:`DataFrameProfile` as the pandas path, computed so that only bounded results
leave the engine, in a few passes over the data whatever the number of columns:

1. distinct values are estimated for every column at once (HyperLogLog in DuckDB and Polars);
2. a column with at most :data:`EXACT_DISTINCT` distinct values comes back as its value counts
   (value, rows), from which the pandas path's own functions compute everything exactly:
   quantiles, histogram, outlier fences, placeholders, spellings, top values;
3. wider columns are summarised by engine aggregates, batched into one pass each: missing
   values, min, max, mean, standard deviation, zeros and infinities (exact); quantiles (a
   t-digest sketch in DuckDB, exact elsewhere); then the histogram, outlier and placeholder
   counts; text lengths and the commonest values by group-bys. Their distinct counts are
   estimates, and the profile says so (``ColumnProfile.estimated``);
4. duplicate rows are counted by a row hash in the engine; associations and the label's
   leakage are measured on a sample of at most 50,000 rows, as on the pandas path.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> prof = profile_lazy(as_source(pl.DataFrame({"x": [1.0, 2.0, 2.0, None]}), "profile"))
>>> prof.n_rows, prof.n_duplicate_rows, prof.columns["x"].n_missing, prof.engine
(4, 1, 1, 'polars')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from types import MappingProxyType
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.engine import LazySource, column_family
from jupyter_dci.core.engine._native import (
    BinSpec,
    Survey,
    distinct_integers_sql,
    duplicate_rows,
    histogram_counts,
    histogram_sql,
    histograms,
    survey,
)
from jupyter_dci.core.engine._sql import one_pass
from jupyter_dci.core.profile._alerts import (
    association_alerts,
    column_alerts,
    duplicate_rows_alert,
)
from jupyter_dci.core.profile._associations import ASSOCIATION_ROWS, AssocInput
from jupyter_dci.core.profile._label import MAX_CLASSES, label_alerts
from jupyter_dci.core.profile._lazy_columns import (
    datetime_result,
    exact_encoded,
    exact_numeric,
    other_result,
    quantiles,
    queue_datetime,
    queue_datetime_counts,
    queue_numeric,
    queue_numeric_counts,
    queue_text_counts,
    wide_numeric,
    wide_text,
)
from jupyter_dci.core.profile._lazy_plan import (
    EXACT_TEXT_BYTES,
    SAMPLE_CHARS,
    ColumnPlan,
    Pass,
    Work,
    group_by_bins,
    value_counts,
)
from jupyter_dci.core.profile._result import Alert, ColumnProfile, DataFrameProfile
from jupyter_dci.errors import param_error

__all__ = ["profile_lazy"]

#: The largest integer range, in bits per row, whose bitmap may prove a column unique.
_UNIQUE_BITS_PER_ROW = 8
_UNIQUE = "_unique"
_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def _plan(source: LazySource) -> tuple[list[ColumnPlan], Survey, Pass]:
    """Each column's plan and the first pass: distinct counts, sample, missing values, ranges.

    The first pass's aggregates do not depend on the distinct counts (a numeric column's
    range and moments are asked for even if its value counts will make them redundant), so
    DuckDB computes them all in the survey's scan.
    """
    n_rows = source.n_rows
    columns = [
        ColumnPlan(name, pos, dtype, column_family(dtype), n_rows)
        for pos, (name, dtype) in enumerate(source.schema.items())
    ]
    first = _queue_first(columns)
    # Nested columns take no part in associations, quantiles or top values: left out; text is
    # cut to SAMPLE_CHARS, so the sample's size does not grow with a cell's length.
    counted = [c.name for c in columns if c.family != "other"]
    cut = {c.name: SAMPLE_CHARS for c in columns if c.family == "string"}
    found = survey(
        source, counted, ASSOCIATION_ROWS, sample_columns=counted, cut=cut, exprs=first.exprs
    )
    first.row = found.values
    for c in columns:
        c.approx = found.distinct.get(c.name, 0)
        c.counted = found.exact
        if "longest" in c.keys and c.approx * first.int(c.keys["longest"]) > EXACT_TEXT_BYTES:
            c.wide = True  # long text: its value counts would flood the kernel
    return columns, found, first


def _queue_first(columns: list[ColumnPlan]) -> Pass:
    """Missing values of every column, ranges and moments of numbers and dates, text lengths."""
    first = Pass()
    for c in columns:
        col = nw.col(c.name)
        is_float = isinstance(c.dtype, (nw.Float32, nw.Float64))
        missing = col.is_null() | col.is_nan() if is_float else col.is_null()
        c.keys["missing"] = first.add(missing.sum())
        if c.family in ("numeric", "duration"):
            queue_numeric(first, c)
        elif c.family == "datetime":
            queue_datetime(first, c)
        elif c.family == "string":
            c.keys["longest"] = first.add(c.values.str.len_chars().max())
    return first


def _count_pass(
    source: LazySource, columns: list[ColumnPlan], first: Pass, sample: pd.DataFrame
) -> None:
    """Histograms (one pass in DuckDB), then placeholder and text candidates' counts."""
    wide = [c for c in columns if c.family in ("numeric", "duration") and not c.exact]
    found_quantiles = quantiles(source, wide, sample)
    counts = Pass()
    for c in columns:
        if c in wide:
            queue_numeric_counts(source, counts, c, first, found_quantiles[c.name])
        elif c.family == "datetime":
            queue_datetime_counts(source, counts, c, first)
        elif c.family == "string" and not c.exact:
            c.keys["spec"] = BinSpec(c.name, "length")
            queue_text_counts(counts, c, sample)
    with_specs = [c for c in columns if "spec" in c.keys]
    specs = [c.keys["spec"] for c in with_specs]
    if source.engine == "duckdb" and specs:
        # A statement of its own: DuckDB's histogram aggregate beside any other aggregate made
        # the pass 4x slower (measured); apart, each reads only the columns it needs.
        native = histogram_sql(source, specs)
        row = one_pass(source, {}, native) or {}
        found = [histogram_counts(row[alias]) for alias in native]
    else:
        found = histograms(source, specs, lambda spec: group_by_bins(source, spec))
    counts.run(source)
    for c, counted in zip(with_specs, found, strict=True):
        c.keys["counts"] = counted
    for c in columns:
        c.keys["pass"] = counts


def _unique_sql(columns: list[ColumnPlan], first: Pass) -> dict[str, str]:
    """Ask DuckDB to prove an integer column unique, which spares the duplicates' pass.

    Counting duplicate rows is a DISTINCT over a hash of every row, the costliest pass of the
    profile (a quarter of it on a 20M-row file); most tables have an integer id, whose distinct
    values a bitmap of its range counts exactly for little (a scan of that column alone: 0.2 s
    against 2.5 s at 20M rows; beside the histograms it slowed their pass 5x, so it runs
    apart). It is asked for the column most likely unique: no missing value, about one
    distinct value per row, a range of at most :data:`_UNIQUE_BITS_PER_ROW` bits per row.
    """
    n_rows = columns[0].n_rows if columns else 0
    likely = [
        c
        for c in columns
        if c.family == "numeric"
        and c.dtype.is_integer()
        and first.int(c.keys["missing"]) == 0
        and c.approx >= 0.9 * n_rows
        and first.row.get(c.keys["min"]) is not None
    ]
    for c in sorted(likely, key=lambda c: -c.approx):
        lo, hi = first.row[c.keys["min"]], first.row[c.keys["max"]]
        # Beyond 2**53 the range came back through a float: not exact enough for a bitmap.
        if max(abs(lo), abs(hi)) < 2**53 and hi - lo < _UNIQUE_BITS_PER_ROW * n_rows:
            return {_UNIQUE: distinct_integers_sql(c.name, int(lo), int(hi))}
    return {}


def _duplicates(source: LazySource, columns: list[ColumnPlan], first: Pass) -> int:
    """Count duplicate rows, unless a column with one distinct value per row rules them out."""
    n_rows = source.n_rows
    if any(c.counted and c.approx == n_rows for c in columns):
        return 0  # an exact count (Polars): a column of n distinct values and no missing one
    unique = _unique_sql(columns, first) if source.engine == "duckdb" else {}
    if unique and (one_pass(source, {}, unique) or {}).get(_UNIQUE) == n_rows:
        return 0
    return duplicate_rows(source)


def _column_work(
    source: LazySource,
    columns: list[ColumnPlan],
    first: Pass,
    sample: pd.DataFrame,
    progress: Any,
) -> list[Work]:
    """Profile every column: exact ones by value counts, wide ones in batched passes."""
    _count_pass(source, columns, first, sample)
    works: list[Work] = []
    for c in columns:
        works.append(_column_result(source, c, first, first.int(c.keys["missing"]), sample))
        if progress is not None:
            progress(c.position + 1, len(columns), c.name)
    return works


def _column_result(
    source: LazySource, c: ColumnPlan, first: Pass, n_missing: int, sample: pd.DataFrame
) -> Work:
    """One column's profile and facts, once the batched passes are done."""
    if c.family in ("numeric", "duration"):
        if c.exact:
            return exact_numeric(value_counts(source, c), c)
        return wide_numeric(c, first, n_missing)
    if c.family == "datetime":
        return datetime_result(c, first, n_missing)
    if c.family in ("string", "boolean") and (c.exact or c.family == "boolean"):
        return exact_encoded(value_counts(source, c), c, n_missing)
    if c.family == "string":
        return wide_text(c, n_missing, sample)
    return other_result(c, n_missing)


def _label_classes(source: LazySource, label: ColumnProfile | None) -> dict[Any, int]:
    """Exact rows per class of the label (empty for a regression target)."""
    if label is None:
        return {}
    if label.top is not None and label.top.n_other_values == 0:
        return dict(zip(label.top.values, label.top.counts, strict=True))
    if label.numeric is not None and label.n_distinct <= MAX_CLASSES and not label.estimated:
        column = ColumnPlan(label.name, 0, nw.Float64(), "numeric", label.n_rows)
        counts = value_counts(source, column)
        return {float(v): int(n) for v, n in zip(counts["value"], counts["n"], strict=True)}
    return {}


def _sample_part(
    source: LazySource,
    sample: pd.DataFrame,
    label: str | None,
    label_profile: ColumnProfile | None,
) -> tuple[Any, list[Alert], int]:
    """Associations and the label's alerts: leakage on the sample, class counts exact."""
    from jupyter_dci.core.profile._profile import profile as profile_frame

    if sample.empty:
        return (), [], 0
    sampled = profile_frame(sample, label=label)
    alerts = association_alerts(sampled.associations, n_rows_used=len(sample))
    alerts += [a for a in sampled.alerts if a.kind == "leakage"]
    classes = _label_classes(source, label_profile)
    if label_profile is not None and classes:
        # Imbalance, rare classes, missing labels: from the exact counts of all rows.
        alerts += label_alerts(
            label_profile, classes, AssocInput(label_profile.name), [], n_rows_used=len(sample)
        )
    return sampled.associations, alerts, len(sample)


def profile_lazy(
    source: LazySource,
    *,
    label: Hashable | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DataFrameProfile:
    """Profile a :class:`~jupyter_dci.core.engine.LazySource` in its engine.

    Parameters
    ----------
    source : LazySource
        The data (see :func:`jupyter_dci.core.engine.as_source`).
    label : str, optional
        The label column: class imbalance, rare classes and missing labels from exact
        counts, leakage on the sample.
    progress : callable, optional
        ``progress(done, total, what)`` after each column.

    Returns
    -------
    DataFrameProfile
        As the pandas path's; ``engine`` names the engine and ``source`` the data, and
        ``ColumnProfile.estimated`` the figures that are estimates.
    """
    start = time.perf_counter()
    names = source.columns
    if label is not None and label not in names:
        shown = ", ".join(repr(c) for c in names[:20])
        raise param_error("label", "profile", f"one column of the data ({shown})", label)
    columns, surveyed, first = _plan(source)
    sample = surveyed.sample
    works = _column_work(source, columns, first, sample, progress)
    alerts: list[Alert] = []
    for profile, facts in works:
        alerts.extend(column_alerts(profile, facts))
    n_rows = source.n_rows
    n_dup = _duplicates(source, columns, first) if names else 0
    alerts.extend(duplicate_rows_alert(n_dup, n_rows))
    by_name = {p.name: p for p, _ in works}
    label_name = str(label) if label is not None else None
    found, sample_alerts, n_sample = _sample_part(
        source, sample, label_name, by_name.get(label_name) if label_name else None
    )
    alerts.extend(sample_alerts)
    alerts.sort(key=lambda a: (_SEVERITY_ORDER[a.severity], a.column is None))
    return DataFrameProfile(
        n_rows=n_rows,
        n_columns=len(names),
        n_duplicate_rows=n_dup,
        memory=0,
        columns=MappingProxyType(by_name),
        alerts=tuple(alerts),
        associations=tuple(found),
        label=label_name,
        n_rows_profiled=n_rows,
        association_rows=n_sample,
        seconds=round(time.perf_counter() - start, 4),
        engine=source.engine,
        source=source.description,
    )
