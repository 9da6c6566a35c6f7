"""Which rows to flag, decided from bounded results: a histogram of the scores and a few rows.

The numpy path flags the ``k`` lowest scores (ties to the lowest own probability, then the
first row) or the rows that maximise the expected F1 (Dinkelbach's iteration over the whole
score vector). Data in an engine never comes back whole, so the same answers are found from:

1. one aggregate pass: the scores binned by ``floor(score * 2**16)``, with each bin's rows,
   sum of ``1 - score``, eligible rows (whose given label is not the top class) and its
   lowest and highest score. Bins are kept as the closed intervals ``[lowest, highest]``:
   disjoint, ordered, and exact, whatever rounding made them;
2. the rows of the few bins an exact answer depends on (the bin holding the ``k``-th score,
   the bins the expected-F1 thresholds fall in), fetched in one bounded query, together
   with the lowest-scored eligible rows the result shows. A bin with too many rows is split
   by a finer histogram of its own interval first; a bin of one score needs no rows;
3. numpy then runs the numpy path's own steps on these: Dinkelbach's iteration from 0,
   each count and sum being whole bins plus the exact rows of the bin the threshold cuts;
   the ``k``-th score; the tie-break among rows scored exactly at the cut.

Each answer is checked to depend only on what was fetched; when it does not (rare), the
missing bins are fetched and the step runs again. The flags are then the numpy path's, up
to the order in which engines add floats: the class thresholds and the expected-F1 sums
agree with numpy's to ~1e-15 relative, and a row would have to lie that close to a
threshold to be flagged differently (per-row scores are computed in numpy's order of
operations and agree to the last bit).

Examples
--------
>>> import numpy as np
>>> bins = Bins(np.array([0.1, 0.5]), np.array([0.2, 0.9]), np.array([3, 5]),
...             np.array([2.6, 1.5]), np.array([3, 2]))
>>> bins.total_q, bins.rank_bin(4)
(4.1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.labels._lazy_input import ROW

__all__ = ["Bins", "Rule", "Scored", "histogram"]

#: Bins of the first histogram (a power of 2: ``score * 2**16`` is exact).
BINS = 1 << 16
#: Rows one fetch brings back at most; beyond it, bins are split first.
FETCH_ROWS = 200_000
#: Score ranges one fetch names at most (nearby ranges are merged beyond it).
MAX_RUNS = 32
#: Distinct own probabilities one query of the tie-break brings back at most.
_TIE_PAGE = 100_000
# Names of the computed columns.
S, E, OWN = "__dci_score", "__dci_eligible", "__dci_own"


@dataclass(frozen=True)
class Bins:
    """Disjoint score intervals ``[lo, hi]``, in increasing order, and their rows' totals."""

    lo: np.ndarray
    hi: np.ndarray
    n: np.ndarray
    qsum: np.ndarray
    eligible: np.ndarray

    @property
    def total_q(self) -> float:
        """Sum of ``1 - score`` over all rows."""
        return float(self.qsum.sum())

    def rank_bin(self, k: int) -> int:
        """Return the bin holding the ``k``-th lowest score (1-based)."""
        return int(np.searchsorted(np.cumsum(self.n), k))

    def locate(self, scores: np.ndarray) -> np.ndarray:
        """Return the bin of each score (scores of rows of these bins)."""
        return np.searchsorted(self.lo, scores, side="right") - 1

    def split(self, i: int, parts: Bins) -> Bins:
        """Replace bin ``i`` by ``parts`` (a finer histogram of its rows), in a copy."""

        def cat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.concatenate([a[:i], b, a[i + 1 :]])

        return Bins(*(cat(getattr(self, f), getattr(parts, f)) for f in _FIELDS))


_FIELDS = ("lo", "hi", "n", "qsum", "eligible")


def histogram(scored: Any, lo: float = 0.0, hi: float = 1.0) -> Bins:
    """Bin the scores in ``[lo, hi]`` into up to ``BINS + 1`` bins (one aggregate pass).

    ``scored`` holds the columns ``S`` (score) and ``E`` (1 when eligible).
    """
    s = nw.col(S)
    frame = scored
    if (lo, hi) != (0.0, 1.0):
        frame = frame.filter(s.is_between(lo, hi, closed="both"))
    scale = BINS / (hi - lo)
    binned = frame.with_columns(((s - lo) * scale).floor().cast(nw.Int64()).alias("b"))
    out = (
        binned.group_by("b")
        .agg(
            nw.len().alias("n"),
            (1.0 - s).sum().alias("q"),
            s.min().alias("lo"),
            s.max().alias("hi"),
            nw.col(E).sum().alias("e"),
        )
        .collect()
        .to_pandas()
        .sort_values("b")
    )
    return Bins(
        out["lo"].to_numpy(np.float64),
        out["hi"].to_numpy(np.float64),
        out["n"].to_numpy(np.int64),
        out["q"].to_numpy(np.float64),
        out["e"].to_numpy(np.int64),
    )


@dataclass(frozen=True)
class Rule:
    """Which eligible rows are flagged: the whole rule, for numpy and for the engine.

    ``kind`` is ``"none"``, ``"all"`` (every eligible row), ``"cut"`` (score below ``cut``,
    or at it with ``(own, row) <= (own_max, row_max)``) or ``"f1"`` (``1 - score > x``).
    """

    kind: str
    cut: float = 0.0
    own_max: float = np.inf
    row_max: float = np.inf
    x: float = 0.0

    def mask(self, s: np.ndarray, own: np.ndarray, row: np.ndarray) -> np.ndarray:
        """Flag rows by this rule (before the eligibility test)."""
        if self.kind == "none":
            return np.zeros(len(s), dtype=bool)
        if self.kind == "all":
            return np.ones(len(s), dtype=bool)
        if self.kind == "f1":
            return (1.0 - s) > self.x
        at = (s == self.cut) & (
            (own < self.own_max) | ((own == self.own_max) & (row <= self.row_max))
        )
        return (s < self.cut) | at

    def expr(self) -> Any:
        """Write the same flags as a narwhals expression over ``S``, ``OWN``, ``ROW``, ``E``."""
        s, own, row = nw.col(S), nw.col(OWN), nw.col(ROW)
        eligible = nw.col(E) == 1
        if self.kind == "none":
            return nw.lit(False)
        if self.kind == "all":
            return eligible
        if self.kind == "f1":
            return eligible & ((1.0 - s) > self.x)
        tied = s == self.cut
        if np.isfinite(self.own_max):
            later = (
                (own == self.own_max) & (row <= self.row_max)
                if np.isfinite(self.row_max)
                else own == self.own_max
            )
            tied = tied & ((own < self.own_max) | later)
        return eligible & ((s < self.cut) | tied)


@dataclass
class Scored:
    """The scored data and what has been fetched of it.

    ``frame`` holds ``S`` and ``E`` (what a histogram needs); ``prefiltered(condition,
    highest)`` returns the rows meeting ``condition``, with ``ROW``, ``S``, ``OWN``, ``E``
    and whatever the caller wants back with a row, given that none scores above ``highest``
    (the caller may skip most rows by a cheaper test first).
    """

    frame: Any
    prefiltered: Any
    bins: Bins
    rows: pd.DataFrame | None = None
    complete: np.ndarray | None = None
    eligible_below: float = -1.0
    passes: int = 1

    def split(self, i: int) -> None:
        """Replace bin ``i`` by a finer histogram of its rows (one aggregate pass)."""
        bins = self.bins
        parts = histogram(self.frame, float(bins.lo[i]), float(bins.hi[i]))
        self.bins = bins.split(i, parts)
        if self.complete is not None:
            # Parts of a bin fetched whole are fetched whole.
            inner = np.full(len(parts.n), bool(self.complete[i]))
            self.complete = np.concatenate([self.complete[:i], inner, self.complete[i + 1 :]])
        self.passes += 1

    def fetch(self, wanted: np.ndarray, eligible_below: float | None) -> None:
        """Bring back every row of the ``wanted`` bins, and eligible rows up to a score."""
        bins, s = self.bins, nw.col(S)
        done = self.complete if self.complete is not None else np.zeros(len(bins.n), bool)
        todo = wanted & ~done
        runs = _runs(todo, bins.n, MAX_RUNS, FETCH_ROWS - int(bins.n[todo].sum()))
        conditions = [
            s.is_between(float(bins.lo[a]), float(bins.hi[b]), closed="both") for a, b in runs
        ]
        highest = [float(bins.hi[b]) for _, b in runs]
        if eligible_below is not None:
            conditions.append((nw.col(E) == 1) & (s <= eligible_below))
            highest.append(eligible_below)
        if not conditions:
            return
        condition = conditions[0]
        for c in conditions[1:]:
            condition = condition | c
        # One comparison first: most rows fail it and skip the rest.
        condition = (s <= max(highest)) & condition
        got = self.prefiltered(condition, max(highest)).collect().to_pandas()
        self.passes += 1
        self.rows = got if self.rows is None else pd.concat([self.rows, got]).drop_duplicates(ROW)
        for a, b in runs:
            todo[a : b + 1] = True
        self.complete = done | todo
        if eligible_below is not None:
            self.eligible_below = max(self.eligible_below, eligible_below)

    def bin_rows(self, i: int) -> pd.DataFrame:
        """Return the fetched rows of bin ``i`` (all of them when the bin is complete)."""
        assert self.rows is not None
        where = self.bins.locate(self.rows[S].to_numpy(np.float64)) == i
        return self.rows[where]


def _runs(mask: np.ndarray, n: np.ndarray, most: int, spare: int) -> list[tuple[int, int]]:
    """Return the (first, last) index of each run of True in ``mask``.

    Beyond ``most`` runs, the two runs with the fewest rows between them are merged (their
    gap is fetched too), so that a query's condition stays short, while the gaps merged hold
    at most ``spare`` rows in all.
    """
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    runs = [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    while len(runs) > most:
        gaps = [int(n[runs[i][1] + 1 : runs[i + 1][0]].sum()) for i in range(len(runs) - 1)]
        i = int(np.argmin(gaps))
        if gaps[i] > spare:
            break
        spare -= gaps[i]
        runs[i : i + 2] = [(runs[i][0], runs[i + 1][1])]
    return runs


class UnresolvedError(Exception):
    """An exact answer needs the rows of bins not fetched yet."""

    def __init__(self, bins: np.ndarray) -> None:
        super().__init__(f"{int(bins.sum())} bin(s) to fetch")
        self.bins = bins


def _above(scored: Scored, x: float) -> tuple[int, float]:
    """Rows with ``1 - score > x`` and the sum of their ``1 - score``, exactly."""
    bins = scored.bins
    all_in = (1.0 - bins.hi) > x
    partial = ~all_in & ((1.0 - bins.lo) > x)
    complete = scored.complete if scored.complete is not None else np.zeros(len(bins.n), bool)
    if (partial & ~complete).any():
        raise UnresolvedError(partial & ~complete)
    count, total = int(bins.n[all_in].sum()), float(bins.qsum[all_in].sum())
    if partial.any() and scored.rows is not None:
        s = scored.rows[S].to_numpy(np.float64)
        q = 1.0 - s[partial[bins.locate(s)]]
        q = q[q > x]
        count, total = count + len(q), total + float(q.sum())
    return count, total


def f1_threshold(scored: Scored) -> float | None:
    """``expected_f1_cut``'s threshold: flagged rows are those with ``1 - score > x``.

    The numpy path's loop, step for step, with its counts and sums taken from the bins;
    None when it flags nothing.
    """
    total = scored.bins.total_q
    if total <= 0:
        return None
    best, size, chosen = 0.0, -1, None
    for _ in range(100):
        count, q_sum = _above(scored, best / 2)
        if count == size:
            break
        value = 2.0 * q_sum / (count + total)
        if value <= best + 1e-12:
            break
        best, size, chosen = value, count, best / 2
    return chosen


def f1_bins(bins: Bins) -> tuple[np.ndarray, float, float]:
    """Bins the expected-F1 thresholds may cut, and bounds on the threshold of the flags.

    The numpy loop is followed with intervals: each step's threshold lies in an interval,
    whole bins give bounds on the next value. The interval shrinks to the optimum, whose
    threshold ``F*/2`` lies between two bounds from the bins alone: the best F of a prefix
    of whole bins (below) and the best F if every bin were cut at its best (above). The
    flags are ``1 - score > x`` for an ``x`` in the returned ``[x_min, x_max]`` (a guess
    from the last steps for ``x_min``: the exact step checks what it needs).
    """
    total = bins.total_q
    needed = np.zeros(len(bins.n), dtype=bool)
    if total <= 0:
        return needed, 1.0, 1.0
    q_low, q_high = 1.0 - bins.hi, 1.0 - bins.lo
    cum_n = np.concatenate([[0], np.cumsum(bins.n)])
    cum_q = np.concatenate([[0.0], np.cumsum(bins.qsum)])
    f_low = float(np.max(2.0 * cum_q / (cum_n + total)))
    f_high = float(np.max(2.0 * cum_q[1:] / (cum_n[:-1] + total)))
    intervals = [(f_low / 2, f_high / 2)]
    low = high = 0.0
    for _ in range(100):
        intervals.append((low / 2, high / 2))
        surely, maybe = q_low > high / 2, q_high > low / 2
        v_low = 2.0 * bins.qsum[surely].sum() / (bins.n[maybe].sum() + total)
        v_high = 2.0 * bins.qsum[maybe].sum() / (bins.n[surely].sum() + total)
        if (v_low, v_high) == (low, high):
            break
        low, high = float(v_low), float(v_high)
    for x_low, x_high in intervals:
        needed |= (q_high > x_low) & ~(q_low > x_high)
    x_min = min(x for x, _ in intervals[-3:] + intervals[:1] if x > 0)
    return needed, x_min, f_high / 2


def kth_rule(scored: Scored, k: int, tie_query: Any) -> tuple[Rule, int]:
    """``top_k_lowest``'s flags as a rule, and how many of its rows are eligible.

    ``tie_query(cut, wanted)`` breaks a tie among rows scored exactly at the cut that the
    fetched rows cannot (a bin of one score with many rows): it returns
    ``(own_max, row_max, eligible)`` of the ``wanted`` first of them by (own, row).
    """
    bins = scored.bins
    n = int(bins.n.sum())
    if k >= n:
        return Rule("all"), int(bins.eligible.sum())
    if k <= 0:
        return Rule("none"), 0
    b = bins.rank_bin(k)
    before = int(bins.n[:b].sum())
    eligible = int(bins.eligible[:b].sum())
    complete = scored.complete is not None and bool(scored.complete[b])
    if bins.lo[b] == bins.hi[b] and not complete:
        # A bin of one score: every row in it is tied at the cut.
        cut, wanted = float(bins.lo[b]), k - before
        if wanted == int(bins.n[b]):
            return Rule("cut", cut), eligible + int(bins.eligible[b])
        own_max, row_max, chosen = tie_query(cut, wanted)
        return Rule("cut", cut, own_max, row_max), eligible + chosen
    if not complete:
        raise UnresolvedError(np.arange(len(bins.n)) == b)
    rows = scored.bin_rows(b)
    cut = float(np.sort(rows[S].to_numpy(np.float64))[k - before - 1])
    below = rows[rows[S] < cut]
    rule, tied_eligible = _tie_in_rows(rows[rows[S] == cut], cut, k - before - len(below))
    return rule, eligible + int(below[E].sum()) + tied_eligible


def _tie_in_rows(tied: pd.DataFrame, cut: float, wanted: int) -> tuple[Rule, int]:
    """Choose ``wanted`` of the fetched rows scored at the cut: lowest own, then first row."""
    if wanted == len(tied):
        return Rule("cut", cut), int(tied[E].sum())
    order = np.lexsort((tied[ROW].to_numpy(), tied[OWN].to_numpy(np.float64)))
    chosen = tied.iloc[order[:wanted]]
    last = chosen.iloc[-1]
    return Rule("cut", cut, float(last[OWN]), float(last[ROW])), int(chosen[E].sum())


def f1_rule(scored: Scored) -> tuple[Rule, int]:
    """``expected_f1_cut``'s flags as a rule, and how many of its rows are eligible."""
    x = f1_threshold(scored)
    if x is None:
        return Rule("none"), 0
    bins = scored.bins
    all_in = (1.0 - bins.hi) > x
    eligible = int(bins.eligible[all_in].sum())
    partial = ~all_in & ((1.0 - bins.lo) > x)
    if partial.any() and scored.rows is not None:
        rows = scored.rows
        s = rows[S].to_numpy(np.float64)
        inside = partial[bins.locate(s)] & ((1.0 - s) > x)
        eligible += int(rows[E].to_numpy()[inside].sum())
    return Rule("f1", x=x), eligible


def f1_count(scored: Scored) -> int:
    """Rows the expected-F1 cut flags (eligible or not): ``expected_f1_cut(...).sum()``."""
    x = f1_threshold(scored)
    return 0 if x is None else _above(scored, x)[0]


def tie_break(tied: Any, wanted: int) -> tuple[float, float, int]:
    """Take the ``wanted`` first rows of ``tied`` by (own, row): the last one's key, eligibles.

    ``tied`` is the lazy frame of the rows scored exactly at the cut; two bounded queries:
    its distinct own probabilities with their rows (in pages), then the rows of the one
    own probability the cut falls in.
    """
    own, eligible_before, seen, last = nw.col(OWN), 0, 0, None
    while True:
        page_frame = tied if last is None else tied.filter(own > last)
        page = (
            page_frame.group_by(OWN)
            .agg(nw.len().alias("n"), nw.col(E).sum().alias("e"))
            .sort(OWN)
            .head(_TIE_PAGE)
            .collect()
            .to_pandas()
        )
        cum = seen + np.cumsum(page["n"].to_numpy(np.int64))
        i = int(np.searchsorted(cum, wanted))
        if i < len(page):
            break
        seen, last = int(cum[-1]), float(page[OWN].iloc[-1])
        eligible_before += int(page["e"].sum())
    own_max = float(page[OWN].iloc[i])
    eligible_before += int(page["e"].iloc[:i].sum())
    r = wanted - (int(cum[i - 1]) if i else seen)
    if r == int(page["n"].iloc[i]):
        return own_max, np.inf, eligible_before + int(page["e"].iloc[i])
    head = tied.filter(own == own_max).sort(ROW).head(r)
    got = head.select(nw.col(ROW).max().alias("r"), nw.col(E).sum().alias("e")).collect()
    row = got.to_pandas().iloc[0]
    return own_max, float(row["r"]), eligible_before + int(row["e"])
