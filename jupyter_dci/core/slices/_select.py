"""Bound the search of a wide frame: the columns whose levels alone stand out are searched.

The lattice search costs about one pass over the rows per pair and per triple of columns: on
1,000 columns it took 28 s on 200 rows, on 10,000 more than ten minutes. A slice of two or three
conditions worth reporting almost always has a condition that is worse than the rest on its own
too, so each column is scored by its best single level (the lower confidence bound of its mean
error, as the search scores slices), and the :data:`MAX_SEARCHED` best columns are searched; the
others are listed in ``skipped`` with the reason, and ``features=`` chooses them by hand.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from jupyter_dci.core.slices._bins import encode_features
>>> from jupyter_dci.core.slices._search import ErrorSummary, SearchRows
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame(rng.integers(0, 3, (400, 60)), columns=[f"c{i}" for i in range(60)])
>>> errors = ((df["c7"] == 2) & (rng.random(400) < 0.8)).to_numpy(float)
>>> feats, skipped = encode_features(df, list(df.columns))
>>> rows = SearchRows(feats, errors, None, ErrorSummary.of(errors), skipped, 10)
>>> kept = searched_features(rows)
>>> len(kept.features), "c7" in [f.column for f in kept.features], len(kept.skipped)
(50, True, 10)
"""

from __future__ import annotations

import numpy as np

from jupyter_dci.core.slices._bins import Feature
from jupyter_dci.core.slices._search import SearchRows

__all__ = ["MAX_SEARCHED", "searched_features"]

#: The most columns one search combines (50 columns: 1,225 pairs).
MAX_SEARCHED = 50


def _single_score(feature: Feature, rows: SearchRows) -> float:
    """Score a column by its best level alone: the lower confidence bound (z = 1) of its error."""
    n_levels = len(feature.levels) + 1
    codes = feature.codes.astype(np.intp)
    weights = rows.weights
    counts = np.bincount(codes, weights=weights, minlength=n_levels)
    sums = np.bincount(codes, weights=rows.errors, minlength=n_levels)
    ok = counts[: len(feature.levels)] >= max(rows.min_count, 1)
    if not ok.any():
        return -np.inf
    n = counts[: len(feature.levels)][ok]
    mean = sums[: len(feature.levels)][ok] / n
    return float((mean - rows.summary.sigma / np.sqrt(n)).max())


def searched_features(rows: SearchRows, limit: int = MAX_SEARCHED) -> SearchRows:
    """Keep the ``limit`` columns whose best single level is worst; say which were left out."""
    if len(rows.features) <= limit:
        return rows
    scores = np.array([_single_score(f, rows) for f in rows.features])
    # Stable: among equal scores the frame's order decides, so reruns pick the same columns.
    order = np.argsort(-scores, kind="stable")
    keep = np.sort(order[:limit])
    skipped = dict(rows.skipped)
    reason = (
        f"left out of the search: weaker alone than the {limit} columns searched "
        "(choose columns with features=...)"
    )
    for i in order[limit:]:
        skipped[str(rows.features[i].column)] = reason
    return SearchRows(
        [rows.features[i] for i in keep],
        rows.errors,
        rows.weights,
        rows.summary,
        skipped,
        rows.min_count,
    )
