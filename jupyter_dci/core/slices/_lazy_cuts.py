"""Quantile cuts of number and datetime columns in their engine, exactly as ``_bins`` cuts.

``_bins`` cuts a column at numpy's ``lower`` quantiles (the values at ranks
``floor((n - 1) q)`` of the sorted column), moved to the next value up when that is closer
to the wanted share of rows. Both need exact figures around each rank: the value there,
the rows below it and below the next value up. They come from a few passes over all the
columns at once, with bounded memory whatever the data's size:

1. a bracket ``[lo, hi]`` around each rank: in Polars, and in DuckDB up to
   :data:`EXACT_ROWS` values, the values at the rank and either side (exact order
   statistics, ``_lazy_native.order_statistics``: a value unlike its neighbours is settled
   there and then); beyond, two values of a uniform sample of the rows (drawn once for
   every column), a few standard errors of a sample quantile below and above the share;
2. one pass of counts: rows below ``lo`` and up to ``hi``, and the first value above;
3. the values inside the brackets (a sliver of the rows around each rank), fetched and
   sorted here.

The rank then falls on a known value, with exact counts either side. A bracket that
misses its rank (a chance of about one in a million) is widened, then the column's exact
quantiles are asked for (DuckDB's ``quantile_disc``, which holds the column in memory):
never a wrong cut, at worst a slower one.

Examples
--------
>>> runs = _Runs(10, [(2.0, 3), (2.5, 1), (4.0, 2)], 7.0)
>>> runs.at(11), runs.below(2.5), runs.upto(2.5), runs.after(2.5)
(2.0, 13, 14, 4.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.engine import LazySource, scalars
from jupyter_dci.core.slices._bins import choose_edges, quantile_targets
from jupyter_dci.core.slices._lazy_native import order_statistics

__all__ = ["EXACT_ROWS", "CutColumn", "cut_points", "sampled"]

#: Up to this many values DuckDB finds a column's exact quantiles: it holds the values in
#: memory, in a buffer doubled as it fills (256 MB for 20M values, within its 512 MB; two
#: such columns at once ran out of it). Beyond, brackets from a sample, counted: bounded
#: memory, but twice the work (20M rows, 4 columns: 18 s of CPU against 8 s, measured).
EXACT_ROWS = 20_000_000
#: Standard errors of a sample quantile either side of a share that a bracket spans.
_SPREAD = 5.0
#: The most values fetched from inside the brackets of one column.
_MAX_INSIDE = 5_000_000

Bracket = tuple[Any, Any]


class CutColumn(Protocol):
    """What the cuts need of a column (``_lazy_plan.ColumnPlan`` is one)."""

    name: str
    figures: dict[str, Any]

    @property
    def values(self) -> Any:
        """The engine expression of the values cut (missing values null)."""

    @property
    def n_valid(self) -> int:
        """Non-missing values."""

    @property
    def integral(self) -> bool:
        """Whether the values read as ints."""

    @property
    def nice_cuts(self) -> bool:
        """Whether float cuts are rounded to three significant digits."""

    def to_float(self, value: Any) -> float:
        """Return a value from the engine as the float the pandas path cuts."""

    def literal(self, value: float) -> Any:
        """Return the engine literal of a float of ``to_float``."""

    def sample_floats(self, drawn: pd.Series) -> np.ndarray:
        """Return the non-missing values of a sample of the column as those floats."""


def sampled(engine: str, column: CutColumn) -> bool:
    """Whether a column's cuts start from a sample (too many values to order exactly)."""
    return engine == "duckdb" and column.n_valid > EXACT_ROWS


class _Runs:
    """The sorted values around a rank: runs of (value, rows) from rank ``start``."""

    def __init__(self, start: int, runs: list[tuple[Any, int]], next_up: Any) -> None:
        self.start = start
        self.values = [v for v, n in runs if n > 0]
        counts = [n for _, n in runs if n > 0]
        self.ends = np.cumsum(counts) + start if counts else np.empty(0, dtype=np.int64)
        self.next_up = next_up

    def covers(self, rank: int) -> bool:
        return bool(self.ends.size) and self.start <= rank < int(self.ends[-1])

    def _index(self, value: Any) -> int:
        return self.values.index(value)

    def at(self, rank: int) -> Any:
        return self.values[int(np.searchsorted(self.ends, rank, side="right"))]

    def below(self, value: Any) -> int:
        i = self._index(value)
        return int(self.ends[i - 1]) if i else self.start

    def upto(self, value: Any) -> int:
        return int(self.ends[self._index(value)])

    def after(self, value: Any) -> Any:
        i = self._index(value) + 1
        return self.values[i] if i < len(self.values) else self.next_up


def _exact(source: LazySource, column: CutColumn, ranks: np.ndarray) -> list[_Runs | Bracket]:
    """Ask the values at each rank and either side: a value of its own is settled at once.

    A value unlike both neighbours has exactly ``rank`` values below it and the next one
    up beside it; a tied value is bracketed by itself, to be counted.
    """
    n = column.n_valid
    wanted = sorted({int(r) + d for r in ranks for d in (-1, 0, 1) if 0 <= int(r) + d < n})
    found = dict(zip(wanted, order_statistics(source, column.values, wanted, n), strict=True))
    out: list[_Runs | Bracket] = []
    for r in map(int, ranks):
        value, before, after = found[r], found.get(r - 1), found.get(r + 1)
        if (before is None or before < value) and (after is None or value < after):
            out.append(_Runs(r, [(value, 1)], after))
        else:
            out.append((value, value))
    return out


def _from_sample(
    column: CutColumn, drawn: pd.Series, targets: np.ndarray, widen: float
) -> list[_Runs | Bracket] | None:
    """Bracket each share between two sample values, ``widen`` times the usual spread."""
    x = np.sort(column.sample_floats(drawn))
    m = x.size
    if m < 2:
        return None
    out: list[_Runs | Bracket] = []
    for t in targets:
        spread = widen * (_SPREAD * math.sqrt(t * (1 - t) / m) + 2 / m)
        lo = x[min(max(0, math.floor((t - spread) * (m - 1))), m - 1)]
        hi = x[min(max(0, math.ceil((t + spread) * (m - 1))), m - 1)]
        out.append((column.literal(float(lo)), column.literal(float(hi))))
    return out


def _count_pass(
    source: LazySource, columns: list[CutColumn], known: Mapping[str, list[_Runs | Bracket]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Rows below each bracket, up to its end, and the first value above it: one pass."""
    exprs: list[Any] = []
    keys: list[tuple[tuple[str, int], str]] = []

    def add(at: tuple[str, int], key: str, expr: Any) -> None:
        keys.append((at, key))
        exprs.append(expr.alias(f"k{len(exprs)}"))

    for c in columns:
        x = c.values
        for i, item in enumerate(known[c.name]):
            if isinstance(item, _Runs):
                continue
            lo, hi = item
            add((c.name, i), "below", (x < lo).sum())
            add((c.name, i), "upto", (x <= hi).sum())
            add((c.name, i), "next_up", nw.when(x > hi).then(x).min())
    row = scalars(source.frame.select(exprs)) if exprs else {}
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for j, (at, key) in enumerate(keys):
        out.setdefault(at, {})[key] = row[f"k{j}"]
    return out


def _inside(source: LazySource, column: CutColumn, brackets: list[Bracket]) -> pd.Series:
    """Fetch the values inside the brackets that hold more than one value, in order."""
    x = column.values
    test = None
    for lo, hi in brackets:
        part = (x >= lo) & (x <= hi)
        test = part if test is None else test | part
    if test is None:
        return pd.Series([], dtype=float)
    fetched = source.frame.filter(test).select(x.alias("v")).collect().to_pandas()["v"]
    return fetched.sort_values(ignore_index=True)


def _runs(bracket: Bracket, counts: dict[str, Any], inside: pd.Series) -> _Runs:
    lo, hi = bracket
    below = int(counts["below"])
    if lo == hi:
        return _Runs(below, [(lo, int(counts["upto"]) - below)], counts["next_up"])
    part = inside[(inside >= lo) & (inside <= hi)].value_counts(sort=False).sort_index()
    runs = [(_plain(v), int(n)) for v, n in part.items()]
    return _Runs(below, runs, counts["next_up"])


def _plain(value: Any) -> Any:
    """Return a value as the engine gives it (a Python float or datetime), not numpy's."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if isinstance(value, np.generic) else value


def _settle(
    source: LazySource,
    columns: list[CutColumn],
    known: Mapping[str, list[_Runs | Bracket]],
    ranks: Mapping[str, np.ndarray],
) -> dict[str, list[_Runs]]:
    """Count the brackets; return the runs of the columns where every rank is covered."""
    counts = _count_pass(source, columns, known)
    out = {}
    for c in columns:
        items = known[c.name]
        brackets = [b for b in items if not isinstance(b, _Runs) and b[0] != b[1]]
        size = sum(
            int(k["upto"]) - int(k["below"])
            for (name, i), k in counts.items()
            if name == c.name and items[i] in brackets
        )
        if size > _MAX_INSIDE:
            continue  # brackets over too many rows (ties): exact quantiles instead
        inside = _inside(source, c, brackets)
        runs = [
            item if isinstance(item, _Runs) else _runs(item, counts[(c.name, i)], inside)
            for i, item in enumerate(items)
        ]
        if all(r.covers(int(rank)) for r, rank in zip(runs, ranks[c.name], strict=True)):
            out[c.name] = runs
    return out


def _resolve(
    source: LazySource,
    columns: list[CutColumn],
    ranks: dict[str, np.ndarray],
    targets: np.ndarray,
    sample: pd.DataFrame | None,
) -> dict[str, list[_Runs]]:
    """Find the runs around every rank of every column.

    Exact order statistics where the engine holds them cheaply; brackets from the sample
    for the others, widened once when one misses its rank, and exact quantiles as the
    last resort.
    """
    drawn = [] if sample is None else [c for c in columns if c.name in sample.columns]
    exact = [c for c in columns if c not in drawn]
    done: dict[str, list[_Runs]] = {}
    if exact:
        known = {c.name: _exact(source, c, ranks[c.name]) for c in exact}
        done.update(_settle(source, exact, known, ranks))
    for widen in (1.0, 4.0):
        if sample is None or not drawn:
            break
        known = {}
        for c in drawn:
            brackets = _from_sample(c, sample[c.name], targets, widen)
            if brackets is not None:
                known[c.name] = brackets
        done.update(_settle(source, [c for c in drawn if c.name in known], known, ranks))
        drawn = [c for c in drawn if c.name not in done]
    missed = [c for c in columns if c.name not in done]
    if missed:
        known = {c.name: _exact(source, c, ranks[c.name]) for c in missed}
        done.update(_settle(source, missed, known, ranks))
    return done


def cut_points(
    source: LazySource,
    columns: Sequence[CutColumn],
    n_bins: int,
    counted: dict[str, list[tuple[Any, int]]] | None = None,
    sample: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Return each column's cuts, as ``_bins._edges`` finds them on the same values.

    Parameters
    ----------
    source : LazySource
        The data.
    columns : sequence of CutColumn
        Columns with more than ``n_bins`` distinct values; ``figures`` holds their
        ``min`` and ``max`` (as floats).
    n_bins : int
        Quantile bins.
    counted : dict, optional
        Column name -> its distinct values and their rows, in value order, for columns
        whose value counts are known (no pass over the rows is then needed for them).
    sample : pandas.DataFrame, optional
        A uniform sample of the rows, with the columns to bracket from it.

    Returns
    -------
    dict
        Column name -> cut points (floats, as the pandas path's).
    """
    columns = list(columns)
    counted = counted or {}
    targets = quantile_targets(n_bins)
    ranks = {c.name: np.floor((c.n_valid - 1) * targets).astype(np.intp) for c in columns}
    asked = [c for c in columns if c.name not in counted]
    runs = _resolve(source, asked, ranks, targets, sample) if asked else {}
    for name, pairs in counted.items():
        runs[name] = [_Runs(0, pairs, None)] * len(targets)
    out = {}
    for c in columns:
        low, above, below, below_next = [], [], [], []
        for r, rank in zip(runs[c.name], ranks[c.name], strict=True):
            value = r.at(int(rank))
            up = r.after(value)
            low.append(c.to_float(value))
            above.append(None if up is None else c.to_float(up))
            below.append(r.below(value))
            below_next.append(r.upto(value))
        out[c.name] = choose_edges(
            targets,
            np.asarray(low, dtype=float),
            above,
            below,
            below_next,
            c.n_valid,
            (float(c.figures["min"]), float(c.figures["max"])),
            integral=c.integral,
            nice=c.nice_cuts,
        )
    return out
