"""``find_slices``: the slices (``country == 'IN' and age < 25``) where errors concentrate.

The lattice search lives in ``_search`` and the encoding of columns in ``_bins``; this
module checks the inputs, runs the search and builds the frozen result. Picking the
reported slices among the candidates (what "adds something" means) is ``_pick``'s job.

Data beyond pandas is encoded and grouped in its own engine (``_lazy_find``): the search,
the picking and the report then run on one weighted entry per combination of codes, and
give what the pandas path gives on the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.engine import as_source, input_kind, is_pandas, unsupported
from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.core.slices._bins import Feature, encode_features
from jupyter_dci.core.slices._lazy_find import engine_rows, error_column
from jupyter_dci.core.slices._pick import Stats, pick
from jupyter_dci.core.slices._search import Candidate, ErrorSummary, SearchRows, search_lattice
from jupyter_dci.core.slices._select import searched_features
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["FoundSlice", "FoundSlices", "find_slices"]

_FUNC = "find_slices"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class FoundSlice:
    """One reported slice.

    Attributes
    ----------
    rank : int
        1 for the strongest.
    slice : Slice
        Its predicate (``slice.mask(df)`` selects its rows).
    support : int
        Rows in the slice.
    support_fraction : float
        ``support / n_rows``.
    error : float
        Mean error in the slice (the error rate for 0/1 errors).
    error_rest : float
        Mean error of the other rows.
    lift : float
        ``error / error_rest`` (``inf`` when the rest has no error).
    score : float
        Lower confidence bound of ``error`` (Bonferroni-corrected); the ranking key.
    p_value : float
        One-sided p-value of "error above the rest's", multiplied by the number of
        slices the lattice holds (Bonferroni), capped at 1.
    """

    rank: int
    slice: Slice
    support: int
    support_fraction: float
    error: float
    error_rest: float
    lift: float
    score: float
    p_value: float

    @property
    def n_predicates(self) -> int:
        """The number of columns the slice tests."""
        return len(self.slice.columns)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``inf`` as None).

        Examples
        --------
        >>> s = FoundSlice(1, Slice("a == 1"), 10, 0.1, 0.5, 0.1, 5.0, 0.3, 1e-4)
        >>> s.to_dict()["slice"]
        'a == 1'
        """
        return {
            "rank": self.rank,
            "slice": self.slice.describe(),
            "support": self.support,
            "support_fraction": self.support_fraction,
            "error": self.error,
            "error_rest": self.error_rest,
            "lift": _finite(self.lift),
            "score": self.score,
            "p_value": self.p_value,
            "n_predicates": self.n_predicates,
        }


@dataclass(frozen=True)
class FoundSlices:
    """What ``find_slices`` found, or why it found nothing.

    Attributes
    ----------
    slices : tuple of FoundSlice
        The reported slices, strongest first (empty when ``found`` is False).
    found : bool
        Whether any slice is significantly worse than the rest.
    message : str
        One sentence on what was found, or why nothing was.
    n_rows : int
        Rows searched.
    error : float
        Mean error over all rows.
    error_kind : str
        ``"rate"`` for 0/1 errors, ``"loss"`` for other non-negative numbers.
    min_support : int
        The fewest rows a slice may hold.
    n_hypotheses : int
        Slices the lattice holds (the Bonferroni factor).
    n_evaluated : int
        Slices whose error was computed (the rest were pruned).
    features : tuple
        The columns searched.
    skipped : dict
        Columns not searched, with the reason.
    """

    slices: tuple[FoundSlice, ...]
    found: bool
    message: str
    n_rows: int
    error: float
    error_kind: str
    min_support: int
    n_hypotheses: int
    n_evaluated: int
    features: tuple[Any, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.slices)

    def __iter__(self) -> Iterator[FoundSlice]:
        return iter(self.slices)

    def __getitem__(self, index: int) -> FoundSlice:
        return self.slices[index]

    def to_frame(self) -> pd.DataFrame:
        """Return one row per reported slice, indexed by rank.

        Examples
        --------
        >>> r = FoundSlices((), False, "nothing", 3, 0.0, "rate", 1, 0, 0, ())
        >>> list(r.to_frame().columns)[:3]
        ['slice', 'support', 'support_fraction']
        """
        columns = ["slice", "support", "support_fraction", "error", "error_rest", "lift"]
        columns += ["score", "p_value", "n_predicates"]
        rows = [s.to_dict() | {"lift": s.lift} for s in self.slices]
        frame = pd.DataFrame(rows, columns=["rank", *columns])
        return frame.set_index("rank")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict.

        Examples
        --------
        >>> FoundSlices((), False, "nothing", 3, 0.0, "rate", 1, 0, 0, ()).to_dict()["found"]
        False
        """
        return {
            "found": self.found,
            "message": self.message,
            "n_rows": self.n_rows,
            "error": self.error,
            "error_kind": self.error_kind,
            "min_support": self.min_support,
            "n_hypotheses": self.n_hypotheses,
            "n_evaluated": self.n_evaluated,
            "features": [str(f) for f in self.features],
            "skipped": dict(self.skipped),
            "slices": [s.to_dict() for s in self.slices],
        }


# -- inputs ---------------------------------------------------------------------------
def _errors(df: pd.DataFrame, errors: Any) -> tuple[np.ndarray, Any]:
    """Return the errors as floats and the column they came from (or None)."""
    column = None
    if isinstance(errors, str):
        if errors not in df.columns:
            raise DataMismatchError(
                f"errors={errors!r} names no column of the frame (it has "
                f"{list(map(str, df.columns))[:10]}). Pass a column name or an array with "
                "one error per row."
            )
        column, errors = errors, df[errors]
    if isinstance(errors, pd.Series) and column is None and not errors.index.equals(df.index):
        raise DataMismatchError(
            "errors is a Series whose index differs from the frame's; pass "
            "errors.reindex(df.index) or errors.to_numpy() (one value per row, in order)."
        )
    if isinstance(errors, pd.Series | pd.Index):
        if errors.isna().any():
            raise param_error("errors", _FUNC, "free of missing values", errors[errors.isna()])
        # Nullable dtypes (boolean, Int64, Float64) would come out as objects.
        numeric = pd.api.types.is_bool_dtype(errors.dtype) or pd.api.types.is_numeric_dtype(
            errors.dtype
        )
        errors = errors.to_numpy(dtype=float) if numeric else errors.to_numpy()
    try:
        values = np.asarray(errors)
    except (TypeError, ValueError) as exc:
        raise param_error("errors", _FUNC, "an array of bools or numbers", errors) from exc
    if values.ndim != 1:
        raise param_error(
            "errors", _FUNC, "one-dimensional (one error per row)", f"shape {values.shape}"
        )
    if len(values) != len(df):
        raise DataMismatchError(
            f"errors has {len(values):,} values and the frame {len(df):,} rows; "
            "they must match one to one. Compute the errors on the same rows, in order."
        )
    if values.dtype.kind not in "biuf":
        raise param_error(
            "errors",
            _FUNC,
            "bools (is the prediction wrong?) or non-negative numbers (a loss per row)",
            f"an array of dtype {values.dtype}",
        )
    values = values.astype(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise param_error(
            "errors",
            _FUNC,
            "finite and non-negative (a loss per row); NaN, inf and negative values are "
            "not allowed",
            values[bad][:5].tolist(),
        )
    return values, column


def _features(df: Any, features: Any, exclude: Any) -> list[Any]:
    """Check the features against the columns of ``df`` (a frame, or a LazySource)."""
    if features is None:
        columns = [c for c in df.columns if c != exclude]
        repeated = sorted({str(c) for c in columns if columns.count(c) > 1})
        if repeated:
            # A name that means two columns cannot name a slice's condition.
            raise DataMismatchError(
                f"The frame repeats the column name(s) {repeated[:10]}: a slice names its "
                "columns, so each name must mean one column. Rename them (e.g. "
                "df.columns = [...]) or pass features= with columns whose names are unique."
            )
        return columns
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        features = [features]
    features = list(features)
    missing = [f for f in features if f not in df.columns]
    if missing:
        raise DataMismatchError(
            f"features names columns the frame does not have: {missing[:10]}. Its columns "
            f"are {list(map(str, df.columns))[:20]}."
        )
    if len(set(map(str, features))) != len(features):
        raise param_error("features", _FUNC, "a list of distinct column names", features)
    if not features:
        raise param_error("features", _FUNC, "None or a non-empty list of columns", features)
    if exclude is not None and exclude in features:
        raise param_error(
            "features", _FUNC, f"columns other than the errors column {exclude!r}", features
        )
    return features


def _int_param(name: str, value: Any, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise param_error(name, _FUNC, f"an int in [{low}, {high}]", value)
    return int(value)


def _min_count(min_support: Any, n_rows: int) -> int:
    if min_support is None:
        # 1% of the rows (SliceLine's tuned setting in notes/anchors.md), at least 10.
        return min(n_rows, max(10, math.ceil(0.01 * n_rows)))
    if isinstance(min_support, float) and 0 < min_support <= 1:
        return max(1, math.ceil(min_support * n_rows))
    is_int = isinstance(min_support, int | np.integer) and not isinstance(min_support, bool)
    if is_int and min_support >= 1:
        return int(min_support)
    raise param_error(
        "min_support",
        _FUNC,
        "None, a float in (0, 1] (a share of rows) or an int >= 1",
        min_support,
    )


def _n_hypotheses(features: list[Feature], max_predicates: int) -> int:
    # Elementary symmetric polynomials of the level counts: slices of 1..max features.
    e = [1] + [0] * max_predicates
    for f in features:
        for j in range(max_predicates, 0, -1):
            e[j] += e[j - 1] * f.n_levels
    return max(1, sum(e[1:]))


# -- the function -------------------------------------------------------------------------
def _empty(message: str, **fields: Any) -> FoundSlices:
    return FoundSlices(slices=(), found=False, message=message, **fields)


def _nothing_message(summary: ErrorSummary, n_features: int, skipped: dict[str, str]) -> str | None:
    if summary.n_rows < 2:
        return (
            f"Only {summary.n_rows} row(s): a slice needs other rows to be compared with. "
            "Pass a larger frame."
        )
    if summary.total == 0:
        return (
            "No row has an error (errors are all 0): there is nothing to concentrate. "
            "Check that the errors were computed from the predictions."
        )
    if summary.minimum == summary.maximum:
        what = "Every row is an error" if summary.binary else "Every row has the same loss"
        return f"{what}: no slice can be worse than the rest."
    if n_features == 0:
        reasons = "; ".join(f"{c}: {r}" for c, r in list(skipped.items())[:10])
        return (
            f"No column can be searched ({reasons or 'no columns'}). Pass features= with "
            "columns of numbers, dates, bools or text."
        )
    return None


def _pandas_rows(
    df: pd.DataFrame, errors: Any, features: Any, n_bins: int, min_support: Any
) -> SearchRows:
    values, column = _errors(df, errors)
    columns = _features(df, features, column)
    min_count = _min_count(min_support, len(df))
    encoded, skipped = encode_features(df, columns, n_bins=n_bins)
    return SearchRows(encoded, values, None, ErrorSummary.of(values), skipped, min_count)


def find_slices(
    df: Any,
    errors: Any,
    *,
    features: Any = None,
    k: int = 10,
    max_predicates: int = 3,
    min_support: int | float | None = None,
    n_bins: int = 5,
    alpha: float = 0.05,
) -> FoundSlices:
    """Find the slices of rows where errors concentrate, strongest first.

    A slice is a conjunction of up to ``max_predicates`` conditions on distinct columns
    (``country == 'IN' and age < 25``); numeric and datetime columns are cut at
    quantiles, missing values form their own level. Slices are ranked by the lower
    confidence bound of their error (small strong slices first, without tuning) and
    reported only when significantly worse than the rest (Bonferroni over every slice
    the search could form). Parents and children of a reported slice are reported only
    if they add something (see the module notes). The search is exact, pruned, and
    works on int8 codes: no one-hot matrix, memory a few bytes per row and column.

    Data beyond pandas (a Polars DataFrame or LazyFrame, a PyArrow Table or Dataset, a
    DuckDB relation, a path or glob of Parquet or CSV files) is searched in its own engine:
    the columns are binned there and the rows grouped by their bins, and only those counts
    (at most 2,000,000 combinations) come into memory. The slices, their order and their
    figures are those the same rows give in pandas.

    Parameters
    ----------
    df : pandas.DataFrame, or data beyond pandas (see above)
        The rows (features).
    errors : array-like or str
        One value per row: bools (is the prediction wrong?) or non-negative losses;
        or the name of such a column of ``df`` (it is then not used as a feature). Data
        beyond pandas takes the name of a column only.
    features : list of column names, optional
        The columns to search; by default every column (but ``errors``). Leave out
        the label and prediction columns, or the search finds them. The search costs
        about one pass over the rows per pair and per triple of columns, so at most 50
        are searched: those whose best level alone is worst; the others are listed in
        ``skipped`` with the reason (pass ``features=`` to choose them).
    k : int, default 10
        The most slices to report, in [1, 1000].
    max_predicates : int, default 3
        The most conditions in one slice, in [1, 5].
    min_support : int, float or None, default None
        The fewest rows a slice may hold: a count (int) or a share of the rows
        (float in (0, 1]). By default 1% of the rows, at least 10.
    n_bins : int, default 5
        Quantile bins of each numeric or datetime column, in [2, 50].
    alpha : float, default 0.05
        Family-wise significance level, in (0, 0.5].

    Returns
    -------
    FoundSlices
        The slices (``to_frame()``), ``found`` and a ``message`` saying what was
        found or why nothing was.

    Raises
    ------
    InvalidParameterError
        For an option out of range or errors of the wrong type.
    DataMismatchError
        When errors do not have one value per row, or features name missing columns.
    UnsupportedInputError
        For data of a type no entry point takes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"country": rng.choice(["IN", "US", "FR"], 3000),
    ...                    "age": rng.integers(18, 60, 3000)})
    >>> bad = (df.country == "IN") & (df.age < 26)
    >>> errors = np.where(bad, rng.random(3000) < 0.6, rng.random(3000) < 0.05)
    >>> found = find_slices(df, errors)
    >>> found.found, found[0].slice.describe()
    (True, "country == 'IN' and age < 26")

    The same rows in Polars (or DuckDB, Arrow, Parquet files), the errors as a column:

    >>> import polars as pl
    >>> lazy = pl.from_pandas(df.assign(wrong=errors)).lazy()
    >>> find_slices(lazy, "wrong")[0].slice.describe()
    "country == 'IN' and age < 26"
    """
    if not is_pandas(df) and input_kind(df) is None:
        raise unsupported(df, _FUNC)
    k = _int_param("k", k, 1, 1000)
    max_predicates = _int_param("max_predicates", max_predicates, 1, 5)
    n_bins = _int_param("n_bins", n_bins, 2, 50)
    if isinstance(alpha, bool) or not isinstance(alpha, float | int) or not 0 < alpha <= 0.5:
        raise param_error("alpha", _FUNC, "a float in (0, 0.5]", alpha)
    if is_pandas(df):
        rows = _pandas_rows(df, errors, features, n_bins, min_support)
    else:
        # Ties between values are ordered by first appearance, as in pandas: keep the order.
        source = as_source(df, _FUNC, ordered=True)
        column = error_column(source, errors, _FUNC)
        rows = engine_rows(
            source,
            column,
            _features(source, features, column),
            n_bins=n_bins,
            min_count=lambda n: _min_count(min_support, n),
        )
    rows = searched_features(rows)
    summary, encoded = rows.summary, rows.features
    n_hyp = _n_hypotheses(encoded, max_predicates)
    common: dict[str, Any] = {
        "n_rows": summary.n_rows,
        "error": summary.mean,
        "error_kind": "rate" if summary.binary else "loss",
        "min_support": rows.min_count,
        "n_hypotheses": n_hyp,
        "features": tuple(f.column for f in encoded),
        "skipped": rows.skipped,
    }
    reason = _nothing_message(summary, len(encoded), rows.skipped)
    if reason is not None:
        return _empty(reason, n_evaluated=0, **common)
    z = -NormalDist().inv_cdf(min(0.5, alpha / n_hyp))
    candidates, search = search_lattice(
        encoded,
        rows.errors,
        binary=summary.binary,
        max_predicates=max_predicates,
        min_count=rows.min_count,
        z=z,
        # Room for the children and parents the picking step drops.
        keep=10 * k + 50,
        weights=rows.weights,
        summary=summary,
    )
    common["n_evaluated"] = search.evaluated
    stats = Stats.of(summary, n_hyp, alpha)
    picked = pick(candidates, encoded, rows.errors, stats, k, weights=rows.weights, summary=summary)
    if not picked:
        return _empty(
            _none_significant(candidates, encoded, summary, stats, rows.min_count), **common
        )
    return FoundSlices(
        slices=tuple(_report(df, i + 1, c, rows, stats) for i, c in enumerate(picked)),
        found=True,
        message=_found_message(picked, encoded, summary),
        **common,
    )


def _expression(cand: Candidate, features: list[Feature]) -> str:
    return " and ".join(features[f].levels[level] for f, level in cand.predicates)


def _support(df: Any, found: Slice, cand: Candidate, rows: SearchRows) -> tuple[int, float]:
    """Return the rows of a reported slice and their error sum."""
    if rows.weights is None:
        # The reported figures come from the predicate itself, so they are exactly what
        # `found.mask(df)` selects (the codes agree with it by construction).
        mask = found.mask(df)
        return int(mask.sum()), float(rows.errors[mask].sum())
    # In an engine the codes were computed there, from the same cuts and values as the
    # predicate's text: the entries of the slice's codes are exactly its rows.
    mask = np.ones(rows.errors.size, dtype=bool)
    for f, level in cand.predicates:
        mask &= rows.features[f].codes == level
    return int(rows.weights[mask].sum()), float(rows.errors[mask].sum())


def _report(df: Any, rank: int, cand: Candidate, rows: SearchRows, stats: Stats) -> FoundSlice:
    found = Slice(_expression(cand, rows.features))
    n, total = _support(df, found, cand, rows)
    n_rows = rows.summary.n_rows
    n_rest, total_rest = n_rows - n, rows.summary.total - total
    error, rest = total / n, (total_rest / n_rest if n_rest else math.nan)
    return FoundSlice(
        rank=rank,
        slice=found,
        support=n,
        support_fraction=n / n_rows,
        error=error,
        error_rest=rest,
        lift=error / rest if rest > 0 else math.inf,
        score=cand.score,
        p_value=stats.p_value(n, total, n_rest, total_rest),
    )


def _found_message(picked: list[Candidate], features: list[Feature], summary: ErrorSummary) -> str:
    top = picked[0]
    rest = (summary.total - top.total) / max(summary.n_rows - top.n, 1)
    what = "error" if summary.binary else "mean loss"
    fmt = "{:.1%}" if summary.binary else "{:.3g}"
    return (
        f"{len(picked)} slice(s) with significantly more errors than the rest; the "
        f"strongest, {_expression(top, features)}, holds {top.n:,} rows "
        f"({top.n / summary.n_rows:.1%}) at {fmt.format(top.total / top.n)} {what} against "
        f"{fmt.format(rest)} elsewhere."
    )


def _none_significant(
    candidates: list[Candidate],
    features: list[Feature],
    summary: ErrorSummary,
    stats: Stats,
    min_count: int,
) -> str:
    if not candidates:
        return (
            f"No slice holds at least min_support={min_count:,} rows, so none could be "
            "tested. Lower min_support, or use fewer max_predicates or n_bins."
        )
    n_rows, grand = summary.n_rows, summary.total
    best = min(
        candidates,
        key=lambda c: stats.p_value(c.n, c.total, n_rows - c.n, grand - c.total),
    )
    p = stats.p_value(best.n, best.total, n_rows - best.n, grand - best.total)
    rest = (grand - best.total) / max(n_rows - best.n, 1)
    return (
        "No slice has significantly more errors than the rest after a Bonferroni "
        f"correction over {stats.n_hypotheses:,} possible slices (alpha={stats.alpha}). "
        f"The closest, {_expression(best, features)}, has {best.total / best.n:.3g} against "
        f"{rest:.3g} elsewhere over {best.n:,} rows (corrected p = {p:.2g}). More rows, "
        "fewer features or a smaller max_predicates make smaller effects detectable."
    )
