"""Label issues and label scores of data that stays in its engine (Polars, DuckDB, Arrow, files).

``find_label_issues(data, ["p0", "p1", ...], label="y")`` on data beyond pandas runs the
numpy path's method in the data's own engine, and flags exactly the rows it would flag:

1. per label value, rows and summed probabilities (:func:`read_labels`): the thresholds,
   and every check of the input, by aggregates;
2. the confident joint, a group-by of (label, guessed class): a K x K count, calibrated,
   pruned and turned into the noise matrix by the numpy path's own functions;
3. each row's score (the posterior that its label is right), as an expression, binned in
   one aggregate pass; the number of rows to flag and the cut come from those bins and the
   exact rows of the few bins they depend on (``_lazy_cut``);
4. the flagged rows shown, worst first, at most ``max_rows``: from the rows already
   fetched, else from one last query (sort and limit in the engine).

Only bounded results leave the engine: one row per label value, K x K counts, at most
``2**16 + 1`` bins per histogram, the rows of a few bins (``FETCH_ROWS`` at most, a bin
with more is split first) with as many rows to show, and at last ``max_rows`` rows. The
suggested label of a shown row is computed in numpy from its probabilities, as the numpy
path does.

Examples
--------
>>> import numpy as np
>>> import polars as pl
>>> from jupyter_dci.core.labels import find_label_issues
>>> data = pl.DataFrame({"y": [0, 0, 1, 1, 1], "p0": [0.9, 0.8, 0.1, 0.2, 0.95]})
>>> data = data.with_columns(p1=1 - pl.col("p0"))
>>> result = find_label_issues(data, ["p0", "p1"], label="y")
>>> result.n_issues, result.issues.index.tolist(), result.issues["suggested_label"].tolist()
(1, [4], [0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.labels._confident import (
    TIE,
    calibrate,
    class_thresholds,
    keep_one_per_class,
    noise_matrix,
)
from jupyter_dci.core.labels._lazy_cut import (
    FETCH_ROWS,
    OWN,
    Bins,
    E,
    Rule,
    S,
    Scored,
    UnresolvedError,
    f1_bins,
    f1_count,
    f1_rule,
    histogram,
    kth_rule,
    tie_break,
)
from jupyter_dci.core.labels._lazy_exprs import RANK_SCALE, LabelExprs, rank_key
from jupyter_dci.core.labels._lazy_input import (
    KEY,
    LABEL,
    ROW,
    LazyLabels,
    prob_frame,
    prob_name,
    read_labels,
    table_spec,
)
from jupyter_dci.core.labels._lazy_native import computed_once, parquet_rows, with_row_numbers
from jupyter_dci.errors import InvalidParameterError

if TYPE_CHECKING:
    from jupyter_dci.core.labels._find import LabelIssues

__all__ = ["find_issues_lazy", "scores_lazy"]


def _refuse_prune(func: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"filter_by='prune_by_noise_rate' of {func} is not available for data in an engine: "
        "it searches each cell of the K x K joint for its own top rows, K*K passes over the "
        "data. Use filter_by='confident_learning' (the default) or 'expected_f1', or pass "
        "a pandas DataFrame."
    )


def _raw_joint(labels: LazyLabels, exprs: LabelExprs, floors: np.ndarray) -> np.ndarray:
    """Pass 2: rows by (given label, guessed true class), a K x K count."""
    guessed = exprs.with_guess(labels.frame(), floors, "g")
    counts = (
        guessed.select(LABEL, "g")
        .group_by(LABEL, "g")
        .agg(nw.len().alias("n"))
        .collect()
        .to_pandas()
    )
    code = dict(labels.values)
    raw = np.zeros((labels.k, labels.k), dtype=np.int64)
    for value, g, n in zip(counts[LABEL], counts["g"], counts["n"], strict=True):
        if g >= 0:
            raw[code[_plain(value)], int(g)] += int(n)
    return raw


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _scored(
    frame: Any, exprs: LabelExprs, noise: np.ndarray, bounds: np.ndarray | None = None
) -> Any:
    """``frame`` with the score ``S``, the own probability ``OWN`` and ``E`` (eligible, 0/1).

    With ``bounds`` (per class), rows whose own probability is above their class's bound
    are not scored: their ``S`` is 2, above any score, and ``E`` 0 (see :func:`_own_bounds`).
    """
    frame = frame.with_columns(exprs.own.alias(OWN))
    own = nw.col(OWN)
    score = exprs.posterior(noise, own)
    eligible = nw.when(exprs.eligible(own)).then(1).otherwise(0)
    if bounds is not None and np.isfinite(bounds).any():
        inside = own <= exprs.lookup(np.minimum(bounds, 2.0))
        score = nw.when(inside).then(score).otherwise(2.0)
        eligible = nw.when(inside).then(eligible).otherwise(0)
    return frame.with_columns(score.alias(S), eligible.alias(E))


def _own_bounds(noise: np.ndarray, highest: float) -> np.ndarray:
    """Per class, an own probability above which no row can score at most ``highest``.

    The posterior is at least ``p T_yy / (p T_yy + (1.001 - p) M_y)`` (``M_y`` the largest
    other ``T[y, j]``; the other probabilities sum to at most ``1.001 - p`` as rows sum to
    1 within 1e-3), which grows with ``p``: rows above the bound are skipped before their
    score is computed. Slack covers rounding.
    """
    k = len(noise)
    bounds = np.full(k, np.inf)
    if highest >= 1.0:
        return bounds
    for c in range(k):
        diag = noise[c, c]
        other = max((noise[c, j] for j in range(k) if j != c), default=0.0)
        if diag <= 0:
            continue
        o = 1.001 * highest * other / (diag * (1.0 - highest) + highest * other)
        bounds[c] = o * (1 + 1e-6) + 1e-9
    return bounds


class _Engine:
    """The queries of one call, over one source: scoring, fetching, the shown rows."""

    def __init__(self, labels: LazyLabels, exprs: LabelExprs, noise: np.ndarray) -> None:
        self.labels, self.exprs, self.noise = labels, exprs, noise
        self.outputs = [ROW, LABEL, S, OWN, E, *[prob_name(j) for j in range(labels.k)]]
        if labels.spec.key is not None:
            self.outputs.append(KEY)

    def scored(self) -> Any:
        return _scored(self.labels.frame(), self.exprs, self.noise)

    def numbered(self, highest: float = 1.0) -> Any:
        """Score and number the rows; rows scoring above ``highest`` get ``S = 2``.

        The row numbers are added after the scores: a filter on the scores then stays above
        the numbering (no engine moves a filter across it), so each score is computed once,
        where a filter pushed into the scan would repeat its expression at every mention.
        Parquet files number their rows as they are read, in parallel, and the score is
        kept out of the scan by :func:`computed_once`.
        """
        bounds = _own_bounds(self.noise, highest)
        numbered = parquet_rows(self.labels.source, ROW)
        if numbered is None:
            return with_row_numbers(
                _scored(self.labels.frame(), self.exprs, self.noise, bounds), ROW
            )
        frame = prob_frame(self.labels.source, self.labels.spec, rows=True, frame=numbered)
        return computed_once(_scored(frame, self.exprs, self.noise, bounds), S)

    def fetch(self, condition: Any, highest: float) -> Any:
        return self.numbered(highest).filter(condition).select(self.outputs)

    def tie_query(self, cut: float, wanted: int) -> tuple[float, float, int]:
        tied = self.numbered(cut).filter(nw.col(S) == cut)
        return tie_break(tied, wanted)

    def top_rows(self, rule: Rule, max_rows: int) -> pd.DataFrame:
        """Run the last query: the first ``max_rows`` flagged rows, sorted in the engine."""
        highest = rule.cut if rule.kind == "cut" else 1.0
        frame = self.numbered(highest).filter(rule.expr())
        frame = frame.with_columns(rank_key(nw.col(S)).alias("__dci_rank"))
        frame = frame.sort(["__dci_rank", ROW]).head(max_rows)
        return frame.select(self.outputs).collect().to_pandas()


def _plan(bins: Bins, filter_by: str, counted: int, max_rows: int) -> tuple[np.ndarray, int]:
    """Return the bins whose rows the exact cut needs, and the last bin worth showing from."""
    needed, x_min, x_max = f1_bins(bins)
    # The last bin that may hold a flagged row: the expected-F1 cut's, or the k-th score's.
    maybe = np.flatnonzero((1.0 - bins.lo) > x_min)
    last = int(maybe.max()) if len(maybe) else -1
    if filter_by == "confident_learning":
        needed = needed.copy()
        counts = (
            int(bins.n[(1.0 - bins.hi) > x_max].sum()),
            int(bins.n[(1.0 - bins.lo) > x_min].sum()),
        )
        first, stop = (bins.rank_bin(max((counted + n) // 2, 1)) for n in counts)
        stop = min(stop, len(bins.n) - 1)
        needed[first : stop + 1] |= bins.lo[first : stop + 1] < bins.hi[first : stop + 1]
        last = stop
    cum = np.cumsum(bins.eligible)
    shown = int(np.searchsorted(cum, max(max_rows, 1))) + 1
    return needed, min(shown, last, len(bins.n) - 1)


def _heavy(scored: Scored, wanted: np.ndarray) -> int:
    """Return a wanted bin too big to fetch (several scores, many rows), or -1."""
    bins = scored.bins
    done = scored.complete if scored.complete is not None else np.zeros(len(bins.n), bool)
    heavy = wanted & ~done & (bins.n > FETCH_ROWS // 8) & (bins.lo < bins.hi)
    if not heavy.any() or int(bins.n[wanted & ~done].sum()) <= FETCH_ROWS:
        return -1
    return int(np.argmax(np.where(heavy, bins.n, -1)))


def _decide(
    engine: _Engine, scored: Scored, filter_by: str, counted: int, max_rows: int
) -> tuple[Rule, int]:
    """Return the flag rule and its eligible rows, counted exactly.

    The planned bins are fetched with the rows to show; a bin too big to fetch is split
    first (a finer histogram of its interval), and when the exact step needs a bin not
    fetched it is fetched (or split) and the step runs again.
    """
    for _ in range(64):
        needed, last = _plan(scored.bins, filter_by, counted, max_rows)
        heavy = _heavy(scored, needed)
        if heavy < 0:
            break
        scored.split(heavy)
    candidates = int(scored.bins.eligible[: last + 1].sum()) if last >= 0 else 0
    show = last >= 0 and max_rows > 0 and candidates <= FETCH_ROWS
    scored.fetch(needed, float(scored.bins.hi[last]) if show else None)
    for _ in range(64):
        try:
            if filter_by == "expected_f1":
                return f1_rule(scored)
            k = (counted + f1_count(scored)) // 2
            return kth_rule(scored, k, engine.tie_query)
        except UnresolvedError as missing:
            heavy = _heavy(scored, missing.bins)
            if heavy >= 0:
                scored.split(heavy)
            else:
                scored.fetch(missing.bins, None)
    raise AssertionError("the exact cut did not settle")  # pragma: no cover


def _highest_flagged(bins: Bins, rule: Rule) -> float:
    """Return the highest score a flagged row may have (-1 when none is flagged)."""
    if rule.kind == "none":
        return -1.0
    if rule.kind == "cut":
        return rule.cut
    maybe = (
        np.flatnonzero((1.0 - bins.lo) > rule.x) if rule.kind == "f1" else np.arange(len(bins.n))
    )
    return float(bins.hi[maybe.max()]) if len(maybe) else -1.0


def _shown(
    engine: _Engine, scored: Scored, rule: Rule, n_issues: int, max_rows: int
) -> pd.DataFrame:
    """Return the first ``max_rows`` flagged rows in the numpy path's order (key, then row).

    From the fetched rows when they hold them: every eligible row scored up to
    ``scored.eligible_below`` was fetched, so the answer is theirs when no flagged row
    scores higher, or when the last row shown sorts before any row scored higher; else
    one last query sorts the flagged rows in the engine.
    """
    if n_issues == 0 or max_rows == 0:
        return pd.DataFrame(columns=engine.outputs)
    rows, below = scored.rows, scored.eligible_below
    if rows is not None and below >= 0:
        flags = rule.mask(
            rows[S].to_numpy(np.float64), rows[OWN].to_numpy(np.float64), rows[ROW].to_numpy()
        )
        flagged = rows[flags & (rows[E].to_numpy() == 1)]
        key = np.floor(np.clip(flagged[S].to_numpy(np.float64), 0.0, 1.0) * RANK_SCALE)
        order = np.lexsort((flagged[ROW].to_numpy(), key))
        first = flagged.iloc[order[:max_rows]]
        # A row scored above ``below`` sorts at or after floor(below * RANK_SCALE).
        if _highest_flagged(scored.bins, rule) <= below or (
            len(first) == max_rows and key[order[max_rows - 1]] < np.floor(below * RANK_SCALE)
        ):
            return first
    return engine.top_rows(rule, max_rows)


def _issue_frame(shown: pd.DataFrame, labels: LazyLabels, noise: np.ndarray) -> pd.DataFrame:
    code = dict(labels.values)
    codes = np.array([code[_plain(v)] for v in shown[LABEL]], dtype=np.intp)
    probs = shown[[prob_name(j) for j in range(labels.k)]].to_numpy(np.float64)
    # _suggest's rule for a flagged row: the most probable other class, weighted by the noise.
    weighted = probs * noise.take(codes, axis=0)
    weighted[np.arange(len(codes)), codes] = -1.0
    suggested = weighted.argmax(axis=1) if len(codes) else codes
    key = labels.spec.key
    if key is None:
        index = pd.Index(shown[ROW].to_numpy(np.int64), name="row")
    else:
        index = pd.Index(shown[KEY].to_numpy(), name=key)
    classes = labels.classes
    return pd.DataFrame(
        {
            "given_label": pd.Categorical.from_codes(codes, categories=classes),
            "suggested_label": pd.Categorical.from_codes(suggested, categories=classes),
            "label_score": shown[S].to_numpy(np.float64),
            "is_label_issue": np.ones(len(codes), dtype=bool),
        },
        index=index,
    )


def find_issues_lazy(
    data: Any, table: dict[str, Any], filter_by: str, max_rows: int, func: str
) -> LabelIssues:
    """:func:`find_label_issues` on data in an engine (see the module's steps).

    ``table`` holds the table form's ``label``, ``pred_probs``, ``classes`` and ``key``.
    """
    # Imported here: _find imports this module on first use of the table form.
    from jupyter_dci.core.labels._find import LabelIssues

    if filter_by == "prune_by_noise_rate":
        raise _refuse_prune(func)
    source = as_source(data, func)
    spec = table_spec(source.columns, func=func, **table)
    labels = read_labels(source, spec, func)
    exprs = LabelExprs(labels.k, labels.values, source.engine)
    thresholds = class_thresholds(labels.counts, labels.sums)
    joint = calibrate(_raw_joint(labels, exprs, thresholds - TIE), labels.counts, labels.n_rows)
    kept = keep_one_per_class(joint)
    noise = noise_matrix(kept)
    engine = _Engine(labels, exprs, noise)
    scored = Scored(engine.scored(), engine.fetch, histogram(engine.scored()))
    counted = int(kept.sum() - np.trace(kept))
    rule, n_issues = _decide(engine, scored, filter_by, counted, max_rows)
    shown = _shown(engine, scored, rule, n_issues, max_rows)
    names = pd.Index(labels.classes)
    counts = labels.counts
    rates = 1.0 - joint.diagonal() / np.maximum(counts, 1)
    thresholds.setflags(write=False)
    return LabelIssues(
        frame=_issue_frame(shown, labels, noise),
        classes=tuple(labels.classes),
        confident_joint=pd.DataFrame(
            joint, index=names.rename("given_label"), columns=names.rename("true_label")
        ),
        noise_matrix=pd.DataFrame(
            noise, index=names.rename("given_label"), columns=names.rename("true_label")
        ),
        noise_rates=pd.Series(np.where(counts > 0, rates, 0.0), index=names, name="noise_rate"),
        filter_by=filter_by,
        thresholds=thresholds,
        total_rows=labels.n_rows,
        total_issues=n_issues,
    )


def scores_lazy(data: Any, table: dict[str, Any], method: str, func: str) -> Any:
    """:func:`label_scores` on data in an engine: the data, lazily, with ``label_score`` added.

    The checks make one aggregate pass; the scores themselves are an expression, computed
    when the result is. ``table`` as for :func:`find_issues_lazy` (``key`` None).
    """
    source = as_source(data, func)
    spec = table_spec(source.columns, func=func, **table)
    labels = read_labels(source, spec, func)
    exprs = LabelExprs(labels.k, labels.values, source.engine)
    temporary = [LABEL, *[prob_name(j) for j in range(labels.k)]]
    inputs = [nw.col(str(spec.label)).alias(LABEL)]
    inputs += [
        nw.col(str(c)).cast(nw.Float64()).alias(prob_name(j)) for j, c in enumerate(spec.columns)
    ]
    score = getattr(exprs, method)().alias("label_score")
    frame = source.frame.with_columns(*inputs).with_columns(score).drop(temporary)
    native = frame.to_native()
    return native.collect() if source.kind == "polars" else native
