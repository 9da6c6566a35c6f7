"""The pruned lattice search behind ``find_slices`` (after SliceLine, SIGMOD 2021).

A slice is a conjunction of at most ``max_predicates`` levels of distinct features.
The search walks the lattice depth first, one feature after another (each slice is
visited once), and computes the counts of *all* children along a feature in one
``bincount`` over the parent's rows, with int8 codes; it never builds a one-hot matrix,
and holds the row lists of one path only, so memory stays a few bytes per row.

Score: the lower confidence bound of a slice's mean error,
``mean - z * sigma / sqrt(n)``, with ``sigma`` the standard deviation of all errors
and ``z`` the Bonferroni-corrected critical value over every slice the lattice holds.
A small strong slice scores high, a large mild one and a tiny lucky one score low,
and nothing needs tuning. A subtree is pruned when it cannot reach ``min_count`` rows,
or when an upper bound of its children's score (more errors than the parent has
cannot be packed into ``min_count`` rows; fewer rows than the parent's only widen the
bound) falls below the ``keep``-th best score found or below what any significant
child would need.

The rows may also be weighted: for data that stays in its engine, each "row" searched is
one distinct combination of codes, with its number of rows (``weights``) and the sum of
their errors (``errors``); every count and sum of the search is then a weighted one, and
the slices, their order and their figures are those of the rows themselves.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass

import numpy as np

from jupyter_dci.core.slices._bins import Feature

__all__ = ["Candidate", "ErrorSummary", "SearchRows", "SearchStats", "search_lattice"]

Predicates = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Candidate:
    """A slice found by the search: its (feature, level) pairs, size and error sum."""

    predicates: Predicates
    n: int
    total: float
    score: float


@dataclass(frozen=True)
class ErrorSummary:
    """The errors over all rows, as the search, the tests and the messages use them.

    Attributes
    ----------
    n_rows : int
        Rows.
    total : float
        Sum of the errors.
    mean, minimum, maximum : float
        Of the errors (NaN when there are no rows).
    variance, sigma : float
        Population variance and standard deviation of the errors.
    binary : bool
        Whether every error is 0 or 1.

    Examples
    --------
    >>> s = ErrorSummary.of(np.array([0.0, 1.0, 1.0, 0.0]))
    >>> s.n_rows, s.total, s.sigma, s.binary
    (4, 2.0, 0.5, True)
    """

    n_rows: int
    total: float
    mean: float
    minimum: float
    maximum: float
    variance: float
    sigma: float
    binary: bool

    @classmethod
    def of(cls, errors: np.ndarray) -> ErrorSummary:
        """Summarise errors given one per row."""
        if errors.size == 0:
            return cls(0, 0.0, math.nan, math.nan, math.nan, math.nan, math.nan, True)
        return cls(
            n_rows=int(errors.size),
            total=float(errors.sum()),
            mean=float(errors.mean()),
            minimum=float(errors.min()),
            maximum=float(errors.max()),
            variance=float(errors.var()),
            sigma=float(errors.std()),
            binary=bool(np.isin(errors, (0.0, 1.0)).all()),
        )


@dataclass(frozen=True)
class SearchRows:
    """What a search runs on: the encoded features and the errors, one entry per row.

    For data that stays in its engine an entry is one combination of codes: ``weights``
    holds its rows and ``errors`` the sum of their errors (``weights`` is None for rows).
    """

    features: list[Feature]
    errors: np.ndarray
    weights: np.ndarray | None
    summary: ErrorSummary
    skipped: dict[str, str]
    min_count: int


@dataclass(frozen=True)
class SearchStats:
    """What the search did: slices evaluated, parents expanded, subtrees pruned."""

    evaluated: int
    expanded: int
    pruned: int


class _Search:
    def __init__(
        self,
        features: list[Feature],
        errors: np.ndarray,
        *,
        binary: bool,
        max_predicates: int,
        min_count: int,
        z: float,
        keep: int,
        weights: np.ndarray | None = None,
        summary: ErrorSummary | None = None,
    ) -> None:
        self.features = features
        self.codes = [f.codes for f in features]
        self.errors = errors
        self.weights = weights
        # Packing the errors into the codes needs one 0/1 error per row.
        self.binary = binary and weights is None
        self.max_predicates = max_predicates
        self.min_count = min_count
        self.z = z
        self.keep = keep
        if summary is None:
            self.n_rows = errors.size
            self.grand = float(errors.sum())
            self.max_error = float(errors.max()) if errors.size else 0.0
            self.sigma = float(errors.std())
        else:
            self.n_rows = summary.n_rows
            self.grand = summary.total
            self.max_error = summary.maximum if summary.n_rows else 0.0
            self.sigma = summary.sigma
        self.heap: list[tuple[float, int, Predicates, int, float]] = []
        self.counter = itertools.count()
        self.evaluated = self.expanded = self.pruned = 0
        if self.binary:
            # Binary errors ride along in the lowest bit of the codes: one bincount of
            # one gathered small-int array yields the counts and error counts of every
            # child, with no per-parent cast or add.
            err = errors.astype(np.int16)
            self.codes = [
                (c.astype(np.int16) * 2 + err).astype(
                    c.dtype if 2 * f.n_levels + 3 < 127 else np.int16
                )
                for c, f in zip(self.codes, features, strict=True)
            ]

    def threshold(self) -> float:
        return self.heap[0][0] if len(self.heap) >= self.keep else -math.inf

    def record(self, preds: Predicates, n: int, total: float) -> None:
        self.evaluated += 1
        score = total / n - self.z * self.sigma / math.sqrt(n)
        item = (score, next(self.counter), preds, n, total)
        if len(self.heap) < self.keep:
            heapq.heappush(self.heap, item)
        elif score > self.heap[0][0]:
            heapq.heapreplace(self.heap, item)

    def worth_expanding(self, n: int, total: float) -> bool:
        """Tell whether a child (>= min_count rows) could enter the top or be significant."""
        best_mean = min(self.max_error, total / self.min_count)
        bound = best_mean - self.z * self.sigma / math.sqrt(n)
        # A significant child T has score >= the mean of the rows outside T, which is
        # at least (grand - total) / (N - min_count).
        rest_floor = (self.grand - total) / max(self.n_rows - self.min_count, 1)
        return bound > self.threshold() and bound > rest_floor

    def children(
        self, codes: np.ndarray, rows: np.ndarray | None, width: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, error sums and entries (rows of the searched table) of each child."""
        if self.binary:
            both = np.bincount(codes, minlength=2 * width)
            counts = both[0::2] + both[1::2]
            return counts, both[1::2].astype(float), counts
        err = self.errors if rows is None else self.errors[rows]
        entries = np.bincount(codes, minlength=width)
        if self.weights is None:
            return entries, np.bincount(codes, weights=err, minlength=width), entries
        weights = self.weights if rows is None else self.weights[rows]
        counts = np.bincount(codes, weights=weights, minlength=width)
        return counts, np.bincount(codes, weights=err, minlength=width), entries

    def expand(self, preds: Predicates, rows: np.ndarray | None, start: int) -> None:
        depth = len(preds) + 1
        for g in range(start, len(self.features)):
            codes = self.codes[g] if rows is None else self.codes[g][rows]
            n_levels = self.features[g].n_levels
            counts, totals, entries = self.children(codes, rows, n_levels + 1)
            grow = depth < self.max_predicates and g + 1 < len(self.features)
            to_expand = []
            for level in range(n_levels):
                n = int(counts[level])
                if n < self.min_count:
                    continue
                child = (*preds, (g, level))
                self.record(child, n, float(totals[level]))
                if grow:
                    to_expand.append((level, child, n, float(totals[level])))
            if not to_expand:
                continue
            # Radix sort of int8 codes: each level's rows come out together (for binary
            # errors, as two runs: level * 2 and level * 2 + 1).
            order = np.argsort(codes, kind="stable")
            ends = np.cumsum(entries)
            for level, child, n, total in to_expand:
                # Re-check: the threshold may have risen since the level was recorded.
                if not self.worth_expanding(n, total):
                    self.pruned += 1
                    continue
                self.expanded += 1
                part = order[ends[level] - entries[level] : ends[level]]
                self.expand(child, part if rows is None else rows[part], g + 1)


def search_lattice(
    features: list[Feature],
    errors: np.ndarray,
    *,
    binary: bool,
    max_predicates: int,
    min_count: int,
    z: float,
    keep: int,
    weights: np.ndarray | None = None,
    summary: ErrorSummary | None = None,
) -> tuple[list[Candidate], SearchStats]:
    """Return the ``keep`` best-scoring slices (best first) and what the search did.

    Parameters
    ----------
    features : list of Feature
        Encoded columns.
    errors : numpy.ndarray
        Float errors per row (0/1 when ``binary``), or per entry with ``weights``: the
        sum of the errors of its rows.
    binary : bool
        Whether the errors are 0/1.
    max_predicates : int
        Most features in one slice.
    min_count : int
        Fewest rows of a slice.
    z : float
        Critical value of the score's lower confidence bound.
    keep : int
        How many candidates to return.
    weights : numpy.ndarray, optional
        Rows per entry, when each entry stands for several rows (a combination of codes).
    summary : ErrorSummary, optional
        The errors over all rows; needed with ``weights`` (by default, from ``errors``).

    Returns
    -------
    (list of Candidate, SearchStats)

    Examples
    --------
    >>> import numpy as np
    >>> from jupyter_dci.core.slices._bins import encode_feature
    >>> import pandas as pd
    >>> f = encode_feature(pd.Series(list("aabbbbbbbb")), "c")
    >>> errors = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    >>> found, _ = search_lattice([f], errors, binary=True, max_predicates=1,
    ...                           min_count=2, z=0.0, keep=1)
    >>> found[0].predicates, found[0].n
    (((0, 1),), 2)
    """
    search = _Search(
        features,
        errors,
        binary=binary,
        max_predicates=max_predicates,
        min_count=min_count,
        z=z,
        keep=keep,
        weights=weights,
        summary=summary,
    )
    search.expand((), None, 0)
    ranked = sorted(search.heap, key=lambda item: (-item[0], item[1]))
    found = [Candidate(p, n, total, score) for score, _, p, n, total in ranked]
    return found, SearchStats(search.evaluated, search.expanded, search.pruned)
