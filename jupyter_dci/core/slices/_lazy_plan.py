"""The figures a column's encoding needs, from its engine, in a few shared passes.

A :class:`ColumnPlan` says how one column's values are read in the engine (floats for
numbers, as pandas reads them; nanoseconds or the engine's own datetimes for dates) and
holds what the passes found. The passes batch every column into one select each: the
first rows (distinct values, a fraction seen), then every row (missing values, min, max,
True counts, whole numbers, and any aggregate a caller adds, e.g. the errors' summary).

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> source = as_source(pl.DataFrame({"x": [1.0, None, 3.0]}), "find_slices")
>>> plan = ColumnPlan("x", source.schema["x"], "numeric", source.engine)
>>> first_pass(source, [plan])
3
>>> plan.figures["missing"], plan.figures["min"], plan.figures["max"], plan.integral
(1, 1.0, 3.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.engine import LazySource, scalars
from jupyter_dci.core.predicate._ast import quote_column
from jupyter_dci.core.slices._bins import datetime_literal, number_literal

__all__ = ["HEAD_ROWS", "ColumnPlan", "Pass", "column_kind", "first_pass", "value_counts"]

#: The first rows, in which a column's distinct values and fractions are first looked at.
HEAD_ROWS = 10_000
_BIG = float(np.finfo(float).max)


def column_kind(dtype: Any) -> str | None:
    """How ``_bins`` treats a column of this narwhals dtype, or None if it cannot."""
    if isinstance(dtype, nw.Boolean):
        return "bool"
    if dtype.is_numeric():
        return "numeric"
    if isinstance(dtype, nw.Datetime):
        return "datetime"
    if isinstance(dtype, (nw.String, nw.Categorical, nw.Enum)):
        return "category"
    return None


@dataclass
class ColumnPlan:
    """One column on its way to a feature: how its values are read, what was found."""

    name: str
    dtype: Any
    kind: str
    engine: str
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def col(self) -> str:
        """The column's name as a predicate writes it."""
        return quote_column(str(self.name))

    @property
    def is_float(self) -> bool:
        return isinstance(self.dtype, (nw.Float32, nw.Float64))

    @property
    def stamps(self) -> bool:
        """Whether the engine compares the column's own datetimes (DuckDB), not floats."""
        return self.kind == "datetime" and self.engine != "polars"

    @property
    def values(self) -> Any:
        """The values the column is cut on, missing values null.

        Floats for numbers (NaN missing, infinities at the float range's ends, as pandas
        sees them); for datetimes float nanoseconds since the epoch (Polars), or the
        datetimes themselves (DuckDB, whose datetimes are whole microseconds: comparing
        them with literals is exact, and cheaper than converting every row).
        """
        col = nw.col(self.name)
        if self.kind == "numeric":
            x = col.cast(nw.Float64())
            if self.is_float:
                return nw.when(x.is_nan()).then(nw.lit(None)).otherwise(x.clip(-_BIG, _BIG))
            return x
        if self.kind == "datetime" and not self.stamps:
            return col.dt.timestamp("ns").cast(nw.Float64())
        if self.kind == "category":
            return col.cast(nw.String())
        return col

    @property
    def tested(self) -> Any:
        """The values the codes test: as :attr:`values`, without work a test needs not.

        A comparison with a finite cut treats an infinity as the float range's end does,
        and a missing value (NaN included) is tested before any cut.
        """
        if self.kind == "numeric":
            col = nw.col(self.name)
            # Float64 as pandas compares; an engine may round a literal to a float32 column.
            return col if isinstance(self.dtype, nw.Float64) else col.cast(nw.Float64())
        return self.values

    @property
    def missing(self) -> Any:
        """True on the rows pandas reads as missing (null, or NaN in a float column)."""
        col = nw.col(self.name)
        return col.is_null() | col.is_nan() if self.is_float else col.is_null()

    def to_float(self, value: Any) -> float:
        """Return an engine value as the float the pandas path cuts (nanoseconds for dates)."""
        if not self.stamps:
            return float(value)
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return float(stamp.value)

    def sample_floats(self, drawn: pd.Series) -> np.ndarray:
        """Return the non-missing values of a sample of the column as ``to_float`` floats."""
        if self.kind == "datetime":
            stamps = pd.to_datetime(drawn).dropna()
            if stamps.dt.tz is not None:
                stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
            return stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
        x = pd.to_numeric(drawn, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.clip(x[~np.isnan(x)], -_BIG, _BIG)

    def literal(self, value: float) -> Any:
        """Return the engine literal a cut ``value`` (a float of ``to_float``) is tested with."""
        if not self.stamps:
            return value
        # The float of a microsecond's nanoseconds is within 128 ns of it: round back.
        stamp = pd.Timestamp(round(value / 1000), unit="us")
        tz = getattr(self.dtype, "time_zone", None)
        if tz is not None:
            stamp = stamp.tz_localize("UTC").tz_convert(tz)
        return stamp.to_pydatetime()

    @property
    def fmt(self) -> Any:
        """The function writing a cut or a value as the predicate's literal."""
        if self.kind == "datetime":
            return datetime_literal(getattr(self.dtype, "time_zone", None))
        return number_literal(self.integral)

    @property
    def integral(self) -> bool:
        """Whether the values read as ints (``age < 25``), by the rule of ``_bins``."""
        if self.kind == "datetime" or self.dtype.is_integer():
            return True
        low, high = self.figures["min"], self.figures["max"]
        return bool(self.figures["whole"]) and max(abs(low), abs(high)) < 2**53

    @property
    def nice_cuts(self) -> bool:
        """Whether float cuts are rounded to three significant digits."""
        return bool(self.figures.get("nice")) and self.kind == "numeric"

    @property
    def n_valid(self) -> int:
        """Non-missing values."""
        return int(self.figures["n_rows"] - self.figures["missing"])


class Pass:
    """Aggregates of several columns, computed in one select."""

    def __init__(self) -> None:
        self.exprs: list[Any] = []
        self.keys: list[tuple[dict[str, Any], str]] = []

    def add(self, into: dict[str, Any], key: str, expr: Any) -> None:
        """Queue ``expr``; its value goes to ``into[key]``."""
        self.keys.append((into, key))
        self.exprs.append(expr.alias(f"a{len(self.exprs)}"))

    def run(self, frame: Any) -> None:
        """Compute every queued aggregate over ``frame`` in one select."""
        if not self.exprs:
            return
        row = scalars(frame.select(self.exprs))
        for i, (into, key) in enumerate(self.keys):
            into[key] = row[f"a{i}"]


def _whole(x: Any) -> Any:
    return (x == x.round(0)).fill_null(True).all()


def first_pass(source: LazySource, plans: list[ColumnPlan], extra: Pass | None = None) -> int:
    """Fill each plan's figures; run ``extra``'s aggregates too; return the rows.

    Figures: ``missing``, ``min`` and ``max`` (as floats), ``true`` (bools), ``whole``
    (floats), and from the first :data:`HEAD_ROWS` rows ``head_distinct``.
    """
    head = Pass()
    for p in plans:
        head.add(p.figures, "head_distinct", nw.col(p.name).n_unique())
        if p.kind == "numeric" and not p.dtype.is_integer():
            # Most float columns show a fraction in their first rows: only a column whose
            # first rows are all whole numbers is asked whole.
            head.add(p.figures, "whole", _whole(p.values))
    head.run(source.frame.head(HEAD_ROWS))
    first = extra if extra is not None else Pass()
    total: dict[str, Any] = {}
    first.add(total, "n_rows", nw.len())
    for p in plans:
        first.add(p.figures, "missing", p.missing.sum())
        if p.kind in ("numeric", "datetime"):
            first.add(p.figures, "min", p.values.min())
            first.add(p.figures, "max", p.values.max())
            if p.figures.get("whole"):
                first.add(p.figures, "whole", _whole(p.values))
        elif p.kind == "bool":
            first.add(p.figures, "true", nw.col(p.name).sum())
    first.run(source.frame)
    n_rows = int(total["n_rows"])
    for p in plans:
        p.figures["n_rows"] = n_rows
        p.figures["missing"] = int(p.figures["missing"] or 0)
        if p.kind in ("numeric", "datetime") and p.figures["missing"] < n_rows:
            p.figures["min"] = p.to_float(p.figures["min"])
            p.figures["max"] = p.to_float(p.figures["max"])
    return n_rows


def value_counts(source: LazySource, plan: ColumnPlan, limit: int) -> list[tuple[Any, int]] | None:
    """Count each distinct value of a column, in value order, if there are at most ``limit``."""
    counted = (
        source.frame.select(plan.values.alias("v"))
        .filter(~nw.col("v").is_null())
        .group_by("v")
        .agg(nw.len().alias("n"))
        .sort("v")
        .head(limit + 1)
        .collect()
    )
    if len(counted) > limit:
        return None
    return [(v, int(n)) for v, n in counted.rows()]
