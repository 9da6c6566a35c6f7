"""The lazy profile's building blocks: batched passes, column plans, value and bin counts.

A :class:`Pass` gathers aggregates of many columns and computes them in one select; a
:class:`ColumnPlan` says how one column is summarised (exact value counts, or engine
aggregates when it has more than :data:`EXACT_DISTINCT` distinct values) and where its
results are. Value counts and histograms come back from the engine as small frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.engine import LazySource, scalars
from jupyter_dci.core.engine._native import BinSpec
from jupyter_dci.core.engine._sql import one_pass
from jupyter_dci.core.profile._columns import ColumnFacts
from jupyter_dci.core.profile._result import ColumnProfile

__all__ = [
    "EXACT_DISTINCT",
    "EXACT_TEXT_BYTES",
    "SAMPLE_CHARS",
    "ColumnPlan",
    "Pass",
    "Work",
    "group_by_bins",
    "literal",
    "split_bins",
    "utc_micros",
    "value_counts",
]

#: Up to this many distinct values a column comes back as its value counts and is profiled
#: exactly; beyond, by engine aggregates. HyperLogLog errs by ~2%: the margin keeps a column of
#: exactly this many on the exact side.
EXACT_DISTINCT = 100_000
_MARGIN = 1.05
#: Characters of text kept per value in the sample (enough for any code, name, e-mail or
#: phone number; a value longer than this is prose, never a top value worth showing).
SAMPLE_CHARS = 200
#: The most bytes of text the value counts of one column may bring into the kernel
#: (distinct values x longest value); beyond, the column is summarised in the engine.
EXACT_TEXT_BYTES = 32 * 2**20

Work = tuple[ColumnProfile, ColumnFacts]


class Pass:
    """Expressions over several columns, computed in one pass over the data."""

    def __init__(self) -> None:
        self.exprs: dict[str, Any] = {}
        self.row: dict[str, Any] = {}

    def add(self, expr: Any) -> str:
        """Queue ``expr`` (an aggregate); return the key of its value in :attr:`row`."""
        key = f"e{len(self.exprs)}"
        self.exprs[key] = expr
        return key

    def run(self, source: LazySource, native: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Compute every queued expression in one select.

        ``native`` adds DuckDB aggregates in SQL (alias -> SQL), computed in the same scan
        when narwhals' SQL allows it (:func:`~jupyter_dci.core.engine._sql.one_pass`), else
        in a scan of their own; for other engines they must be empty.
        """
        native = dict(native or {})
        row = one_pass(source, self.exprs, native) if native else None
        if row is None:
            row = {}
            if self.exprs:
                row = scalars(source.frame.select(e.alias(k) for k, e in self.exprs.items()))
            if native:
                row.update(one_pass(source, {}, native) or {})
        self.row = row
        return self.row

    def int(self, key: str) -> int:
        """Return an integer result (a sum of nothing is 0, not None)."""
        return int(self.row[key] or 0)


@dataclass
class ColumnPlan:
    """One column's plan and the keys of its results in the passes."""

    name: str
    position: int
    dtype: Any
    family: str
    n_rows: int
    approx: int = 0
    #: Whether ``approx`` is an exact count (Polars counts; DuckDB estimates).
    counted: bool = False
    #: Summarised by engine aggregates whatever its distinct count (long text, whose value
    #: counts would bring too many bytes into the kernel).
    wide: bool = False
    keys: dict[str, Any] = field(default_factory=dict)

    @property
    def estimated(self) -> tuple[str, ...]:
        """The figures of a wide column that are estimates: its distinct count in DuckDB."""
        return () if self.counted else ("n_distinct",)

    @property
    def exact(self) -> bool:
        return not self.wide and self.approx <= EXACT_DISTINCT * _MARGIN

    @property
    def values(self) -> Any:
        """The column as the expression its family is summarised on."""
        col = nw.col(self.name)
        if self.family == "duration":
            return col.dt.total_microseconds().cast(nw.Float64()) / 1e6
        if self.family == "numeric":
            return col.cast(nw.Float64())
        if self.family == "string":
            return col.cast(nw.String())
        if self.family == "datetime" and isinstance(self.dtype, nw.Date):
            return col.cast(nw.Datetime("us"))
        return col

    def base(self, n_missing: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "position": self.position,
            "dtype": str(self.dtype),
            "n_rows": self.n_rows,
            # Never in the kernel's memory: the engine holds it (and may stream it from disk).
            "memory": 0,
        }
        if n_missing is not None:
            out["n_missing"] = n_missing
        return out


def value_counts(source: LazySource, column: ColumnPlan) -> pd.DataFrame:
    """Rows per distinct non-missing value of one column, in the engine, in value order."""
    counted = (
        source.frame.filter(~nw.col(column.name).is_null())
        .select(column.values.alias("value"))
        .group_by("value")
        .agg(nw.len().alias("n"))
        .sort("value")
    )
    return counted.collect().to_pandas()


def utc_micros(value: Any) -> int:
    """Return a datetime or date from the engine as microseconds since the epoch (UTC)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.to_datetime64().astype("datetime64[us]").astype(np.int64))


def literal(micros: float, tz: str | None) -> Any:
    """Return a comparison literal for ``micros`` in the column's own time zone."""
    stamp = pd.Timestamp(int(micros), unit="us")
    if tz is not None:
        stamp = stamp.tz_localize("UTC").tz_convert(tz)
    return stamp.to_pydatetime()


def _spec_values(source: LazySource, spec: BinSpec) -> Any:
    """Return the values a histogram spec counts, as a narwhals expression."""
    col = nw.col(spec.column)
    dtype = source.schema[spec.column]
    if spec.kind == "length":
        return col.cast(nw.String()).str.len_chars()
    if spec.kind == "datetime":
        if isinstance(dtype, nw.Date):
            col = col.cast(nw.Datetime("us"))
        tz = getattr(dtype, "time_zone", None)
        return (col - nw.lit(literal(0, tz))).dt.total_microseconds().cast(nw.Float64())
    values = col.cast(nw.Float64())
    return nw.when(values.is_finite()).then(values)


def group_by_bins(source: LazySource, spec: BinSpec) -> dict[int, int]:
    """Count one histogram by a group-by in the engine (the path for engines but DuckDB)."""
    values = _spec_values(source, spec)
    if spec.kind == "length":
        index = values
    else:
        n_bins = len(spec.edges) - 1
        e0, e1 = spec.edges[0], spec.edges[-1]
        log = spec.kind == "log"
        scaled = values.log() if log else values
        origin = float(np.log(e0)) if log else e0
        width = ((float(np.log(e1)) if log else e1) - origin) / n_bins
        index = (
            nw.when(values < e0)
            .then(nw.lit(-1))
            .when(values > e1)
            .then(nw.lit(n_bins))
            .otherwise(((scaled - origin) / width).floor().clip(0, n_bins - 1))
        )
    counted = (
        source.frame.select(index.cast(nw.Int64()).alias("bin"))
        .filter(~nw.col("bin").is_null())
        .group_by("bin")
        .agg(nw.len().alias("n"))
        .collect()
        .to_pandas()
    )
    return dict(zip(counted["bin"].astype(int), counted["n"].astype(int), strict=True))


def split_bins(counts: dict[int, int], n_bins: int) -> tuple[int, list[int], int]:
    """(below, per bin, above) from the counts per bin index."""
    return counts.get(-1, 0), [counts.get(i, 0) for i in range(n_bins)], counts.get(n_bins, 0)
