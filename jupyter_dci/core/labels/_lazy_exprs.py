"""Confident learning's per-row quantities as narwhals expressions, run in the data's engine.

Each expression is written to do, value for value, the float64 arithmetic the numpy path
does, in the same order: sums over the classes are left folds in column order (numpy
reduces class-major blocks the same way), products and quotients take the same operands,
and ties resolve to the same class. The engine's results are then the numpy path's, to the
last bit; every number in them is a literal this package computed (thresholds, the noise
matrix), never text from the data.

Per-class lookups (``T[y, j]``, the probability of the given label) are ``when/then``
chains over the label values present in the data: DuckDB evaluates each branch on its own
rows only.

Examples
--------
>>> import numpy as np
>>> import polars as pl
>>> import narwhals.stable.v2 as nw
>>> frame = nw.from_native(pl.LazyFrame({"__dci_label": [0, 1], "__dci_p0": [0.9, 0.3],
...                                      "__dci_p1": [0.1, 0.7]}))
>>> exprs = LabelExprs(2, ((0, 0), (1, 1)))
>>> frame.select(exprs.own.alias("own"), exprs.top.alias("top")).collect()["own"].to_list()
[0.9, 0.7]
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from jupyter_dci.core.labels._confident import TIE
from jupyter_dci.core.labels._lazy_input import LABEL, prob_name

__all__ = ["LabelExprs", "chain"]

#: ``floor(score * RANK_SCALE)``: the numpy path's 31-bit sort key of a score (rank_order).
RANK_SCALE = float(2**31 - 1)
# Intermediate columns of the guess.
_TOP, _ARGMAX, _FLOOR, _BEST = "__dci_top", "__dci_argmax", "__dci_floor", "__dci_best"


def chain(cases: Sequence[tuple[Any, Any]], otherwise: Any) -> Any:
    """``when(c1).then(v1).when(c2).then(v2)... .otherwise(otherwise)``, first match wins."""
    if not cases:
        return nw.lit(otherwise) if not hasattr(otherwise, "alias") else otherwise
    condition, value = cases[0]
    expr = nw.when(condition).then(value)
    for condition, value in cases[1:]:
        expr = expr.when(condition).then(value)
    return expr.otherwise(otherwise)


def _left_sum(terms: Sequence[Any]) -> Any:
    return functools.reduce(operator.add, terms) if terms else nw.lit(0.0)


class LabelExprs:
    """The expressions over a frame of ``prob_frame``'s columns.

    Parameters
    ----------
    k : int
        The number of classes (probability columns).
    values : sequence of (value, int)
        Each label value present in the data and its class.
    engine : str, default "duckdb"
        The engine computing: ``"polars"`` or ``"duckdb"`` (per-class lookups differ).
    """

    def __init__(self, k: int, values: Sequence[tuple[Any, int]], engine: str = "duckdb") -> None:
        self.k = k
        self.values = tuple(values)
        self.engine = engine
        self.p = [nw.col(prob_name(j)) for j in range(k)]
        self.label = nw.col(LABEL)

    def by_label(self, per_class: Callable[[int], Any], otherwise: Any = None) -> Any:
        """Build the expression that is ``per_class(c)`` on the rows labelled with class ``c``."""
        return chain([(self.label == v, per_class(c)) for v, c in self.values], otherwise)

    def lookup(self, table: Sequence[float] | np.ndarray) -> Any:
        """``table[c]`` on the rows labelled with class ``c`` (a float per class).

        Polars evaluates every branch of a ``when`` chain on every row, so there the label
        is looked up in a map (``replace_strict``); DuckDB evaluates each branch on its own
        rows only, and its map lookup is the slower of the two.
        """
        if self.engine == "polars":
            old = [v for v, _ in self.values]
            new = [float(table[c]) for _, c in self.values]
            return self.label.replace_strict(old, new, return_dtype=nw.Float64())
        return self.by_label(lambda c: float(table[c]))

    @property
    def own(self) -> Any:
        """The probability of the given label."""
        return self.by_label(lambda c: self.p[c])

    @property
    def top(self) -> Any:
        """The highest probability of the row."""
        return nw.max_horizontal(*self.p)

    def eligible(self, own: Any) -> Any:
        """Rows that may be flagged: the given label is not (within a tie) the top class.

        ``own + TIE < max_j p_j``, written as "some class beats ``own + TIE``": the same
        comparisons, without the row maximum (DuckDB's ``greatest`` is slow).
        """
        floor = own + TIE
        return functools.reduce(operator.or_, [p > floor for p in self.p])

    def with_guess(self, frame: Any, floors: np.ndarray, name: str) -> Any:
        """``frame`` with ``name``: ``confident_joint``'s guessed true class, -1 for none.

        The top class when it reaches its floor (on a tie the first class from 1 on, else 0,
        as the numpy path's argmax); otherwise the most probable class among those at or
        above their floors (the first on a tie); -1 when there is none. Computed in stages,
        each a column, so that no engine evaluates a shared part twice; the search over the
        classes runs only on the rows whose top class is below its floor.
        """
        f = [float(x) for x in floors]
        p, top = self.p, nw.col(_TOP)
        first_top = [(p[j] == top, j) for j in range(1, self.k)]
        above = [nw.when(p[j] >= f[j]).then(p[j]).otherwise(-1.0) for j in range(self.k)]
        frame = frame.with_columns(self.top.alias(_TOP))
        frame = frame.with_columns(
            chain(first_top, 0).alias(_ARGMAX),
            chain([(c, f[j]) for c, j in first_top], f[0]).alias(_FLOOR),
        )
        # -2 marks a confident row (its guess is the top class): no search for it.
        frame = frame.with_columns(
            nw.when(top >= nw.col(_FLOOR))
            .then(-2.0)
            .otherwise(nw.max_horizontal(*above))
            .alias(_BEST)
        )
        best = nw.col(_BEST)
        found = chain([(above[j] == best, j) for j in range(self.k)], 0)
        return frame.with_columns(
            chain([(best == -2.0, nw.col(_ARGMAX)), (best >= 0.0, found)], -1).alias(name)
        )

    def posterior(self, noise: np.ndarray, own: Any) -> Any:
        """``P_y T[y, y] / max(sum_j P_j T[y, j], 1e-300)``, clipped to [0, 1].

        ``own`` is ``P_y``. The sum runs over the classes in order, as numpy's. In DuckDB a
        branch per label, where terms with ``T[y, j] == 0`` are left out (adding +0.0
        changes no float); in Polars ``T[y, j]`` is looked up per column (see ``lookup``).
        """
        if self.engine == "polars":
            terms = [self.p[j] * self.lookup(noise[:, j]) for j in range(self.k)]
            total = nw.max_horizontal(_left_sum(terms), nw.lit(1e-300))
            return (own * self.lookup(noise.diagonal()) / total).clip(0.0, 1.0)

        def score(c: int) -> Any:
            terms = [self.p[j] * float(noise[c, j]) for j in range(self.k) if noise[c, j] != 0]
            total = nw.max_horizontal(_left_sum(terms), nw.lit(1e-300))
            return (self.p[c] * float(noise[c, c]) / total).clip(0.0, 1.0)

        return self.by_label(score)

    def self_confidence(self) -> Any:
        """``label_scores``' ``self_confidence``: the own probability, clipped to [0, 1]."""
        return self.own.clip(0.0, 1.0)

    def normalized_margin(self) -> Any:
        """``(p_given - max p_other + 1) / 2``, clipped to [0, 1]."""

        def other(c: int) -> Any:
            return nw.max_horizontal(*[self.p[j] for j in range(self.k) if j != c])

        return ((self.own - self.by_label(other) + 1.0) / 2.0).clip(0.0, 1.0)

    def confidence_weighted_entropy(self) -> Any:
        """Score by the normalised entropy over the own probability, mapped by ``log(1 + s) / s``.

        ``log1p`` is not a narwhals expression: below 1e-4 its series to the fourth power
        (relative error < 1e-16), above it ``log(1 + s)`` (relative error < 1e-12).
        """
        terms = [p * nw.when(p > 0.0).then(p).otherwise(1.0).log(math.e) for p in self.p]
        entropy = functools.reduce(operator.sub, terms, nw.lit(0.0)) / math.log(self.k)
        ratio = nw.max_horizontal(entropy, nw.lit(0.0)) / nw.max_horizontal(self.own, nw.lit(1e-6))
        series = ratio - ratio * ratio / 2.0 + ratio**3 / 3.0 - ratio**4 / 4.0
        log1p = nw.when(ratio < 1e-4).then(series).otherwise((ratio + 1.0).log(math.e))
        safe = nw.max_horizontal(ratio, nw.lit(1e-12))
        mapped = nw.when(ratio > 1e-12).then(log1p / safe).otherwise(1.0)
        return mapped.clip(0.0, 1.0)


def rank_key(score: Any) -> Any:
    """Return the numpy path's sort key of a score: ``floor(score * (2**31 - 1))``."""
    return (score * RANK_SCALE).floor()
