"""Encode columns in their engine exactly as ``_bins`` encodes a pandas column.

The same levels, the same predicate texts and, row by row, the same codes as
:func:`~jupyter_dci.core.slices._bins.encode_feature` gives the same data in pandas; only
bounded figures come back from the engine, in a few passes whatever the number of columns:

1. one pass (``_lazy_plan``): rows, missing values, min and max, True counts, whether a
   float column holds only whole numbers, and, from the first rows, the distinct values
   seen (which columns are few-valued or wide);
2. a number or datetime column with few distinct values (an int column of a narrow range)
   comes back as its value counts: one level per value if at most ``n_bins``, else exact
   cuts from the counts; the commonest ``max_levels`` values of a text column come back
   with their rows, ties in order of first appearance as ``pandas.factorize`` orders them
   (for a wide text column, when only levels above a share of the rows matter, from a
   sample, counted exactly: ``_sampled_top``);
3. the other number and datetime columns are cut at numpy's ``lower`` quantiles, snapped as
   ``_bins`` snaps them, from exact figures around each rank (``_lazy_cuts``; one uniform
   sample of the rows, drawn once, brackets the ranks of large columns and finds the
   commonest values of wide text columns).

A feature's codes are then a narwhals expression (``EngineFeature.code``) that the caller
aggregates over: ``find_slices`` groups the rows by the codes of all its features,
``slice_metrics`` sums a metric per level.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> source = as_source(pl.DataFrame({"age": [20, 30, None, 40, 50]}), "find_slices")
>>> features, skipped, n_rows = encode_in_engine(source, ["age"], n_bins=2)
>>> features[0].levels, n_rows
(('age < 40', 'age >= 40', 'isna(age)'), 5)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.engine import LazySource
from jupyter_dci.core.engine._native import sample_rows
from jupyter_dci.core.slices._bins import bool_levels, category_level, range_levels, value_levels
from jupyter_dci.core.slices._lazy_cuts import cut_points, sampled
from jupyter_dci.core.slices._lazy_native import top_values
from jupyter_dci.core.slices._lazy_plan import (
    ColumnPlan,
    Pass,
    column_kind,
    first_pass,
    value_counts,
)

__all__ = ["COUNTED", "WIDE_HEAD", "EngineFeature", "encode_in_engine"]

#: Up to this many distinct values a number or datetime column comes back as its value
#: counts (exact cuts with no pass over the rows); an int column whose range is no wider,
#: or any column whose first rows hold few distinct values, is counted so.
COUNTED = 100_000
_FEW_IN_HEAD = 1_000
#: A text column with this many distinct values in its first rows is "wide": when only
#: levels above a share of the rows matter, its commonest values come from a sample.
WIDE_HEAD = 2_000
#: Rows drawn to find the commonest values of a wide text column.
SAMPLE_ROWS = 100_000
_SAMPLE_EXPECTED, _SAMPLE_HITS, _MAX_AMONG = 50, 5, 5_000

Branch = tuple[Any, int]


@dataclass(frozen=True)
class EngineFeature:
    """One column encoded in its engine: its levels and the expression of its codes.

    Attributes
    ----------
    column : str
        The column's name.
    levels : tuple of str
        The predicate text of each code, as ``_bins`` writes it.
    kind : str
        ``"numeric"``, ``"datetime"``, ``"bool"`` or ``"category"``.
    counts : tuple of int or None
        Rows per level, when known before any grouping (None for quantile bins).
    n_other : int
        Rows in no level (values beyond the commonest ``max_levels``).
    branches : tuple of (expression, int)
        The tests giving each code, in order (the first that holds wins).
    otherwise : int
        The code of rows no test holds for.
    exclusive : bool
        Whether at most one test holds on any row (so a test's order does not matter).
    """

    column: str
    levels: tuple[str, ...]
    kind: str
    counts: tuple[int, ...] | None
    n_other: int
    branches: tuple[Branch, ...]
    otherwise: int
    exclusive: bool

    @property
    def n_levels(self) -> int:
        """The number of levels; the code ``n_levels`` marks rows in none."""
        return len(self.levels)

    def rare(self, min_count: int) -> frozenset[int]:
        """Levels known to hold fewer than ``min_count`` rows (no slice can use them)."""
        if self.counts is None:
            return frozenset()
        return frozenset(i for i, n in enumerate(self.counts) if n < min_count)

    def code(self, rare: frozenset[int] = frozenset()) -> Any:
        """Return the code of each row as a narwhals expression; ``rare`` levels get none's.

        Rows of a level no slice can use are lumped with the rows in none: the search
        skips them all the same, and a grouping by codes gets fewer combinations.
        """
        none = self.n_levels

        def out(level: int) -> int:
            return none if level in rare else level

        fallback = out(self.otherwise)
        branches = [(cond, out(level)) for cond, level in self.branches]
        if self.exclusive:
            # Tests that exclude each other: a branch giving the fallback's code is moot.
            branches = [(cond, level) for cond, level in branches if level != fallback]
        dtype = nw.Int8() if none < 127 else nw.Int16()
        if not branches:
            return nw.lit(fallback).cast(dtype)
        expr = nw.when(branches[0][0]).then(nw.lit(branches[0][1]))
        for cond, level in branches[1:]:
            expr = expr.when(cond).then(nw.lit(level))
        return expr.otherwise(nw.lit(fallback)).cast(dtype)


# -- the features -----------------------------------------------------------------------
_CONSTANT = "constant (one value, no missing values)"


def _feature(
    plan: ColumnPlan,
    levels: list[str],
    counts: list[int] | None,
    branches: list[Branch],
    otherwise: int,
    *,
    exclusive: bool,
    n_other: int = 0,
    filled: int = 0,
) -> EngineFeature | str:
    """Add the missing values' level; say "constant" for fewer than two levels in use.

    ``filled`` levels (of a wide text column) hold rows, too few to be counted.
    """
    missing = plan.figures["missing"]
    if missing:
        # Missing rows get their own level, tested first (a comparison with a missing
        # value is no test at all, and NaN compares above every number in DuckDB).
        branches = [(plan.missing, len(levels)), *branches]
        levels = [*levels, f"isna({plan.col})"]
        counts = None if counts is None else [*counts, missing]
    used = len(levels) if counts is None else sum(1 for n in counts if n > 0) + filled
    if used < 2:
        return _CONSTANT
    return EngineFeature(
        column=plan.name,
        levels=tuple(levels),
        kind=plan.kind,
        counts=None if counts is None else tuple(counts),
        n_other=n_other,
        branches=tuple(branches),
        otherwise=otherwise,
        exclusive=exclusive,
    )


def _range_feature(plan: ColumnPlan, edges: Any) -> EngineFeature | str:
    x = plan.tested
    levels = range_levels(plan.col, edges, plan.fmt)
    if edges.size == 0:
        return _feature(plan, levels, [plan.n_valid], [], 0, exclusive=True)
    # Bin i + 1 holds the values at or above edge i and below the next: test from the top.
    branches = [(x >= plan.literal(float(e)), i + 1) for i, e in reversed(list(enumerate(edges)))]
    return _feature(plan, levels, None, branches, 0, exclusive=False)


def _values_feature(plan: ColumnPlan, values: list[tuple[Any, int]]) -> EngineFeature | str:
    x = plan.values
    levels = value_levels(plan.col, [plan.to_float(v) for v, _ in values], plan.fmt)
    branches = [(x == v, i) for i, (v, _) in enumerate(values)][1:]
    return _feature(plan, levels, [n for _, n in values], branches, 0, exclusive=True)


def _bool_feature(plan: ColumnPlan) -> EngineFeature | str:
    n_true = int(plan.figures["true"] or 0)
    n_false = plan.n_valid - n_true
    levels = bool_levels(plan.col, False)
    branches = [(nw.col(plan.name) == True, 1)]  # noqa: E712  (an expression, not a test)
    return _feature(plan, levels, [n_false, n_true], branches, 0, exclusive=True)


def _sampled_top(
    source: LazySource, plan: ColumnPlan, max_levels: int, drawn: pd.Series
) -> tuple[list[tuple[Any, int]], list[Any]] | None:
    """Find the commonest values of a wide text column from a sample; None if not wide.

    Only values holding at least the share of rows ``min_share`` can be in a slice: such
    a value is expected ``min_share * SAMPLE_ROWS >= 50`` times in a uniform sample (DuckDB's
    reservoir; the only engine this path runs in) and is missed only if drawn fewer than 5
    times (probability below 1e-16 per value). The values drawn that often are counted
    exactly, with their first rows (the order of the pandas path); the other levels are
    filled with the sample's next commonest values, which no slice can use (their texts
    and order matter to nothing reported). Returns the counted values with their rows, and
    the filling values. None when the sample shows at most ``max_levels`` values (the
    column is then counted whole).
    """
    counts = drawn.dropna().astype(str).value_counts()
    if len(counts) <= max_levels:
        return None
    often = [str(v) for v in counts.index[counts >= _SAMPLE_HITS]]
    if len(often) > _MAX_AMONG:
        return None
    counted = top_values(source, plan.values, max_levels, among=sorted(often)) if often else []
    known = {v for v, _ in counted}
    fill = [str(v) for v in counts.index if str(v) not in known][: max_levels - len(counted)]
    return counted, fill


def _wide(source: LazySource, plan: ColumnPlan, share: float | None) -> bool:
    """Whether a text column's commonest values are to be found from a sample."""
    # Polars counts a column in memory fast, and samples it every k-th row (not uniformly).
    return (
        source.engine == "duckdb"
        and plan.figures["head_distinct"] >= WIDE_HEAD
        and share is not None
        and share * SAMPLE_ROWS >= _SAMPLE_EXPECTED
    )


def _category_feature(
    source: LazySource, plan: ColumnPlan, max_levels: int, drawn: pd.Series | None
) -> EngineFeature | str:
    sampled = None if drawn is None else _sampled_top(source, plan, max_levels, drawn)
    fill: list[Any]
    if sampled is None:
        top, fill = top_values(source, plan.values, max_levels + 1)[:max_levels], []
    else:
        top, fill = sampled
    kept = [n for _, n in top]
    values = [v for v, _ in top] + fill
    levels = [category_level(plan.col, v) for v in values]
    x = plan.values
    branches = [(x == v, i) for i, v in enumerate(values)]
    # Rows of rarer values are in no level: their code is n_levels once isna is added.
    none = len(levels) + (1 if plan.figures["missing"] else 0)
    # (Sampled, the filling levels' rows count as other: only slice_metrics reads it, and
    # it counts every level.)
    n_other = plan.n_valid - sum(kept)
    # A filling level holds too few rows to matter: count it as empty (it is never used).
    counts = kept + [0] * len(fill)
    return _feature(
        plan, levels, counts, branches, none, exclusive=True, n_other=n_other, filled=len(fill)
    )


def _counted(plan: ColumnPlan) -> bool:
    """Whether a column is worth counting value by value (few distinct values)."""
    if plan.kind == "numeric" and plan.dtype.is_integer():
        return plan.figures["max"] - plan.figures["min"] < COUNTED
    return bool(plan.figures["head_distinct"] <= _FEW_IN_HEAD)


def _numbers(
    source: LazySource, plans: list[ColumnPlan], n_bins: int, sample: pd.DataFrame | None
) -> dict[str, EngineFeature | str]:
    """Encode number and datetime columns: one level per value if few, else quantile bins."""
    out: dict[str, EngineFeature | str] = {}
    counted: dict[str, list[tuple[Any, int]]] = {}
    for p in plans:
        pairs = value_counts(source, p, COUNTED) if _counted(p) else None
        if pairs is not None and len(pairs) <= n_bins:
            # Few distinct values: one level per value reads better than a range.
            out[p.name] = _values_feature(p, pairs)
        elif pairs is not None:
            counted[p.name] = pairs
    ranged = [p for p in plans if p.name not in out]
    edges = cut_points(source, ranged, n_bins, counted, sample)
    for p in ranged:
        out[p.name] = _range_feature(p, edges[p.name])
    return out


def _draw(
    source: LazySource, numbers: list[ColumnPlan], texts: list[ColumnPlan]
) -> pd.DataFrame | None:
    """One uniform sample of the columns that need one: large number columns, wide text."""
    columns = [p.name for p in numbers if not _counted(p) and sampled(source.engine, p)]
    columns += [p.name for p in texts]
    return sample_rows(source, SAMPLE_ROWS, columns=columns) if columns else None


def _skip_reason(dtype: Any) -> str:
    if isinstance(dtype, nw.Date):
        # A date column reads into pandas as datetime.date objects, which _bins skips so.
        return "values of type date cannot be written in a predicate"
    return f"dtype {dtype} is not supported (numbers, datetimes, bools, text only)"


def encode_in_engine(
    source: LazySource,
    columns: list[str],
    *,
    n_bins: int = 5,
    max_levels: int = 50,
    nice: bool = True,
    min_share: float | Callable[[int], float | None] | None = None,
    extra: Pass | None = None,
) -> tuple[list[EngineFeature], dict[str, str], int]:
    """Encode columns in the data's engine; return the features, the skipped, the rows.

    Parameters
    ----------
    source : LazySource
        The data.
    columns : list of str
        Columns to encode, in order.
    n_bins : int, default 5
        Quantile bins of number and datetime columns.
    max_levels : int, default 50
        The commonest values kept as levels of a text column.
    nice : bool, default True
        Round float cut points to three significant digits.
    min_share : float or callable, optional
        The least share of rows a level must hold to matter (a search's ``min_support``),
        or a function of the number of rows giving it (called after the first pass): the
        rarer levels of a wide text column then need not be the exact commonest (see
        :func:`_sampled_top`). By default every level is exact.
    extra : Pass, optional
        Aggregates to compute in the first pass over the rows (e.g. the errors' summary).

    Returns
    -------
    (list of EngineFeature, dict, int)
        The features (in column order), the reason each other column was skipped, and
        the number of rows.
    """
    schema = source.schema
    plans: list[ColumnPlan] = []
    reasons: dict[str, EngineFeature | str] = {}
    for name in columns:
        kind = column_kind(schema[name])
        if kind is None:
            reasons[name] = _skip_reason(schema[name])
        else:
            plans.append(ColumnPlan(name, schema[name], kind, source.engine, {"nice": nice}))
    n_rows = first_pass(source, plans, extra)
    share = min_share(n_rows) if callable(min_share) else min_share
    present = [p for p in plans if p.figures["missing"] < n_rows]
    reasons.update({p.name: "only missing values" for p in plans if p not in present})
    numbers = [p for p in present if p.kind in ("numeric", "datetime")]
    wide = [p for p in present if p.kind == "category" and _wide(source, p, share)]
    sample = _draw(source, numbers, wide)
    for p in present:
        if p.kind == "bool":
            reasons[p.name] = _bool_feature(p)
        elif p.kind == "category":
            drawn = sample[p.name] if p in wide and sample is not None else None
            reasons[p.name] = _category_feature(source, p, max_levels, drawn)
    reasons.update(_numbers(source, numbers, n_bins, sample))
    features = [r for c in columns if isinstance(r := reasons[c], EngineFeature)]
    skipped = {str(c): r for c in columns if isinstance(r := reasons[c], str)}
    return features, skipped, n_rows
