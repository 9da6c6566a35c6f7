"""Which of the search's candidates ``find_slices`` reports: the significant, new ones.

Candidates come best score first; one is reported only if its error is significantly
above the rest's (a one-sided z-test, Bonferroni-corrected over every slice the lattice
holds). A child (more predicates) is reported only if it is significantly worse than
the rest of each of its parents among the candidates, reported or not, so a lucky part
of a strong parent does not outrank it; any other slice (a parent, or a sibling that
overlaps) only if it is still significant once the rows of the slices reported before
it are taken out. So the planted ``IN and age < 25`` is not
followed by ``IN`` and ``age < 25`` (SliceLine's ranks 2 and 3 in notes/anchors.md),
by ``IN and is_active == True`` (significant only through the planted rows it holds),
nor by ``IN and age < 25 and segment == 'b'``.

With ``weights`` (data that stays in its engine: one entry per combination of codes, its
rows and its error sum), every count below is the sum of the weights of the entries.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from jupyter_dci.core.slices._bins import Feature
from jupyter_dci.core.slices._search import Candidate, ErrorSummary

__all__ = ["Stats", "pick"]


class Stats:
    """One-sided z-tests of a group's mean error against another group's.

    Examples
    --------
    >>> import numpy as np
    >>> stats = Stats(np.array([0.0, 1.0] * 50), binary=True, n_hypotheses=10, alpha=0.05)
    >>> stats.significant(100, 90, 900, 90), stats.significant(100, 12, 900, 90)
    (True, False)

    For 0/1 errors the variance is the pooled rate's ``p (1 - p)`` of the two groups
    compared (the null hypothesis: one rate for both), so a test between two bad
    groups is as strict as it should be; for losses it is the variance of all errors.
    """

    def __init__(
        self,
        errors: np.ndarray | None,
        binary: bool,
        n_hypotheses: int,
        alpha: float,
        *,
        variance: float | None = None,
    ) -> None:
        if variance is None:
            variance = float(errors.var()) if errors is not None else math.nan
        self.variance = variance
        self.binary = binary
        self.n_hypotheses = n_hypotheses
        self.alpha = alpha

    @classmethod
    def of(cls, summary: ErrorSummary, n_hypotheses: int, alpha: float) -> Stats:
        """Make the tests for errors known by their summary (the variance of all errors)."""
        return cls(None, summary.binary, n_hypotheses, alpha, variance=summary.variance)

    def p_value(self, n_a: float, s_a: float, n_b: float, s_b: float) -> float:
        if n_a <= 0 or n_b <= 0:
            return 1.0
        if self.binary:
            pooled = (s_a + s_b) / (n_a + n_b)
            variance = pooled * (1 - pooled)
        else:
            variance = self.variance
        if variance <= 0:
            return 1.0
        diff = s_a / n_a - s_b / n_b
        z = diff / math.sqrt(variance * (1 / n_a + 1 / n_b))
        return min(1.0, 0.5 * math.erfc(z / math.sqrt(2)) * self.n_hypotheses)

    def significant(self, n_a: float, s_a: float, n_b: float, s_b: float) -> bool:
        return self.p_value(n_a, s_a, n_b, s_b) < self.alpha


def _mask(features: list[Feature], predicates: tuple[tuple[int, int], ...]) -> np.ndarray:
    mask = features[predicates[0][0]].codes == predicates[0][1]
    for f, level in predicates[1:]:
        mask &= features[f].codes == level
    return mask


class _Union:
    """The rows of the slices reported so far, to measure what a candidate adds."""

    def __init__(
        self, features: list[Feature], errors: np.ndarray, weights: np.ndarray | None
    ) -> None:
        self.features = features
        self.errors = errors
        self.weights = weights
        self.rows = np.empty(0, dtype=np.int64)

    def add(self, cand: Candidate) -> None:
        self.rows = np.union1d(self.rows, np.flatnonzero(_mask(self.features, cand.predicates)))

    def count(self, rows: np.ndarray) -> int:
        """Rows among ``rows`` (entries, when weighted)."""
        return int(rows.size if self.weights is None else self.weights[rows].sum())

    def size(self) -> tuple[int, float]:
        """Rows reported so far and their error sum."""
        return self.count(self.rows), float(self.errors[self.rows].sum())

    def overlap(self, cand: Candidate) -> tuple[int, float]:
        """Rows of ``cand`` already reported, and their error sum (no full-length mask)."""
        inside = np.ones(self.rows.size, dtype=bool)
        for f, level in cand.predicates:
            inside &= self.features[f].codes[self.rows] == level
        return self.count(self.rows[inside]), float(self.errors[self.rows[inside]].sum())


def pick(
    candidates: list[Candidate],
    features: list[Feature],
    errors: np.ndarray,
    stats: Stats,
    k: int,
    *,
    weights: np.ndarray | None = None,
    summary: ErrorSummary | None = None,
) -> list[Candidate]:
    """Keep significant candidates that add something beyond the slices already kept.

    A child must be significantly worse than the rest of each of its parents among the
    candidates; a candidate with no kept parent must also stay significant once the
    rows of the kept slices are taken out (so neither a parent nor an overlapping
    sibling such as ``IN and is_active`` rides on the rows of ``IN and age < 25``).
    With ``weights``, ``errors`` are the error sums of weighted entries and ``summary``
    describes the rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jupyter_dci.core.slices._bins import encode_feature
    >>> from jupyter_dci.core.slices._search import search_lattice
    >>> feature = encode_feature(pd.Series(["a"] * 20 + ["b"] * 80), "c")
    >>> errors = np.r_[np.ones(15), np.zeros(85)]
    >>> found, _ = search_lattice([feature], errors, binary=True, max_predicates=1,
    ...                           min_count=5, z=2.0, keep=5)
    >>> stats = Stats(errors, binary=True, n_hypotheses=2, alpha=0.05)
    >>> [feature.levels[c.predicates[0][1]] for c in pick(found, [feature], errors, stats, 3)]
    ["c == 'a'"]
    """
    if summary is None:
        n_rows, grand = errors.size, float(errors.sum())
    else:
        n_rows, grand = summary.n_rows, summary.total
    picked: list[Candidate] = []
    union = _Union(features, errors, weights)
    pool = {c.predicates: c for c in candidates}
    for cand in candidates:
        if len(picked) == k:
            break
        if not stats.significant(cand.n, cand.total, n_rows - cand.n, grand - cand.total):
            continue
        mine = set(cand.predicates)
        # Every ancestor among the candidates, reported or not: a small child that is
        # merely a lucky part of a strong parent must not outrank the parent.
        parents = [
            pool[sub]
            for size in range(1, len(cand.predicates))
            for sub in itertools.combinations(cand.predicates, size)
            if sub in pool
        ]
        if not all(
            stats.significant(cand.n, cand.total, p.n - cand.n, p.total - cand.total)
            for p in parents
        ):
            continue
        if any(set(p.predicates) < mine for p in picked):
            keep = True
        else:
            n_in, s_in = union.overlap(cand)
            n_union, s_union = union.size()
            keep = stats.significant(
                cand.n - n_in,
                cand.total - s_in,
                n_rows - cand.n - (n_union - n_in),
                grand - cand.total - (s_union - s_in),
            )
        if keep:
            picked.append(cand)
            union.add(cand)
    # A parent kept before its child stays only if it holds without the child's rows.
    out = []
    for p in picked:
        kids = [c for c in picked if set(p.predicates) < set(c.predicates)]
        if kids:
            rest = _mask(features, p.predicates)
            for kid in kids:
                rest &= ~_mask(features, kid.predicates)
            n = int(rest.sum() if weights is None else weights[rest].sum())
            s = float(errors[rest].sum())
            if not stats.significant(n, s, n_rows - p.n, grand - p.total):
                continue
        out.append(p)
    return out
