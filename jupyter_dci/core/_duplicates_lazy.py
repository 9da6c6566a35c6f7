"""Duplicates of data that stays in its engine: Polars, DuckDB, Arrow data, Parquet or CSV files.

The same groups as the pandas path (:mod:`jupyter_dci.core._duplicates`), found without
bringing rows into the kernel. Rows are grouped by their values themselves (a window
partitioned by the feature columns), not by a hash, so no collision can merge two different
rows; a group is named by the position of its first row, which also gives the pandas path's
group numbers (order of first appearance). Normalisation is written once, as narwhals
expressions: text lower-cased without punctuation or repeated spaces, numbers rounded to a
share of their column's spread (half to even, as NumPy rounds), datetimes to the second.

Only bounded results come back: the exact counts (groups, duplicate rows, exact duplicates,
conflicting groups and rows) and the first ``max_groups`` groups in the pandas path's order
(conflicting first, then larger, then first seen), each with at most :data:`GROUP_ROWS`
example rows named by a key column or by their position.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> data = pl.DataFrame({"text": ["Hi there", "hi  there!", "bye"], "y": [0, 1, 0]})
>>> found = find_duplicates_lazy(as_source(data, "find_duplicates"), label="y", chosen=["text"])
>>> found.n_groups, found.n_conflicting, found.to_dict()["groups"][0]["rows"]
(1, 2, [0, 1])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.engine import LazySource, column_family, scalars
from jupyter_dci.errors import InvalidParameterError

__all__ = ["GROUP_ROWS", "LazyDuplicates", "find_duplicates_lazy"]

#: Example rows kept per reported group (the group's first rows, by position).
GROUP_ROWS = 100

# Working column names: prefixed so they cannot meet a user's column.
_POS = "__dci_pos"
_GID = "__dci_group"
_EID = "__dci_exact"
_SIZE = "__dci_size"
_ESIZE = "__dci_exact_size"
_LABEL = "__dci_label"
_FIRST = "__dci_label_first"
_COUNT = "__dci_count"
_RANK = "__dci_rank"

# Python's \w and \s for text (what the pandas path's re patterns mean), spelled with
# Unicode classes that both RE2 (DuckDB) and Rust's regex (Polars) read the same way.
_SPACE = r"\s\pZ\x0b\x1c-\x1f\x85"
_NOT_WORD = rf"[^\p{{L}}\p{{N}}_{_SPACE}]"
_SPACES = rf"[{_SPACE}]+"


@dataclass(frozen=True)
class LazyDuplicates:
    """Duplicate groups of data in an engine: exact counts and the first groups' rows.

    Attributes
    ----------
    n_rows : int
        Rows of the data.
    n_groups : int
        Groups of more than one row.
    n_duplicate_rows : int
        Rows in those groups (``is_duplicate_issue`` on the pandas path).
    n_exact_duplicate_rows : int
        Rows with an identical row (``is_exact_duplicate``).
    n_conflicting_groups : int
        Groups whose rows carry more than one label.
    n_conflicting : int
        Rows in those groups (``is_conflicting_duplicate_issue``).
    groups : pandas.DataFrame
        At most ``max_groups`` groups, indexed by ``duplicate_group`` (the pandas path's
        number: order of first appearance), conflicting first, then larger: ``size``,
        ``exact``, ``n_labels``, ``majority_label``, ``is_conflicting``.
    rows : pandas.DataFrame
        Their rows (at most :data:`GROUP_ROWS` per group, first by position):
        ``duplicate_group``, ``row`` (the key, a tuple for several key columns, else the
        position) and the label when there is one.
    near : bool
        Whether near-duplicates were grouped too.
    label : object
        The label column, or None.
    key : tuple of str
        The columns naming rows, empty when rows are named by position.
    engine : str
        The engine that computed it.
    """

    n_rows: int
    n_groups: int
    n_duplicate_rows: int
    n_exact_duplicate_rows: int
    n_conflicting_groups: int
    n_conflicting: int
    groups: pd.DataFrame
    rows: pd.DataFrame
    near: bool
    label: Any
    key: tuple[str, ...]
    engine: str

    def __repr__(self) -> str:
        return (
            f"LazyDuplicates({self.n_groups} groups over {self.n_duplicate_rows} rows, "
            f"{self.n_conflicting_groups} with conflicting labels; computed in {self.engine})"
        )

    @property
    def frame(self) -> pd.DataFrame:
        """Refuse: the per-row table of data in an engine would be as long as the data."""
        raise InvalidParameterError(
            f"find_duplicates on data in {self.engine} returns bounded results, not a table "
            "aligned with every row. Read the counts (n_groups, n_duplicate_rows...), the "
            "first groups (.groups) and their rows (.rows, or .to_dict())."
        )

    def to_frame(self) -> pd.DataFrame:
        """Refuse, as :attr:`frame` does: no per-row table comes back from an engine.

        Examples
        --------
        >>> import polars as pl
        >>> from jupyter_dci.core import find_duplicates
        >>> find_duplicates(pl.DataFrame({"a": [1, 1]})).to_frame()
        Traceback (most recent call last):
        ...
        jupyter_dci.errors.InvalidParameterError: find_duplicates on data in polars ...
        """
        return self.frame

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary in the shape of ``Duplicates.to_dict``, plus counts.

        Returns
        -------
        dict
            ``n_rows``, ``n_groups``, ``n_conflicting_groups``, ``near``, ``label``,
            ``groups`` (the groups kept, each with its ``rows``), and ``n_duplicate_rows``,
            ``n_exact_duplicate_rows``, ``n_conflicting``, ``key``, ``engine``,
            ``truncated`` (whether groups or rows were left out).

        Examples
        --------
        >>> import polars as pl
        >>> from jupyter_dci.core import find_duplicates
        >>> data = pl.DataFrame({"id": ["a", "b", "c"], "x": [1, 1, 2], "y": ["u", "v", "u"]})
        >>> out = find_duplicates(data, label="y", key="id").to_dict()
        >>> out["groups"][0]["rows"], out["groups"][0]["majority_label"]
        (['a', 'b'], 'u')
        """
        members = self.rows.groupby("duplicate_group", sort=False)["row"].agg(list)
        groups = []
        for gid, g in self.groups.iterrows():
            group_id = int(gid)  # type: ignore[call-overload]  # the index holds ints
            groups.append(
                {
                    "group": group_id,
                    "size": int(g["size"]),
                    "exact": bool(g["exact"]),
                    "n_labels": int(g["n_labels"]),
                    "majority_label": _plain(g["majority_label"]),
                    "is_conflicting": bool(g["is_conflicting"]),
                    "rows": [_plain(r) for r in members.get(group_id, [])],
                }
            )
        shown_rows = sum(len(g["rows"]) for g in groups)
        return {
            "n_rows": self.n_rows,
            "n_groups": self.n_groups,
            "n_conflicting_groups": self.n_conflicting_groups,
            "near": self.near,
            "label": self.label,
            "groups": groups,
            "n_duplicate_rows": self.n_duplicate_rows,
            "n_exact_duplicate_rows": self.n_exact_duplicate_rows,
            "n_conflicting": self.n_conflicting,
            "key": list(self.key),
            "engine": self.engine,
            "truncated": len(groups) < self.n_groups or shown_rows < int(self.groups["size"].sum()),
        }


def _plain(value: Any) -> Any:
    """Return a Python scalar (engines give NumPy scalars); tuples item by item."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _with_positions(source: LazySource) -> Any:
    """Add each row's position (0-based, the engine's read order) as ``_POS``."""
    native = source.frame.to_native()
    if source.engine == "polars":
        import polars as pl

        return nw.from_native(native.with_row_index(_POS).with_columns(pl.col(_POS).cast(pl.Int64)))
    if source.engine == "duckdb":
        # A window without partition or order: DuckDB streams it in the scan's order.
        return nw.from_native(native.project(f"*, row_number() OVER () - 1 AS {_POS}"))
    raise InvalidParameterError(  # pragma: no cover - every source is Polars or DuckDB today
        f"find_duplicates cannot number the rows of data in {source.engine}."
    )


def _steps(frame: Any, numeric: Sequence[str], tolerance: float) -> dict[str, float]:
    """Return each numeric column's rounding step: ``tolerance`` x its spread, else 1."""
    if not numeric:
        return {}

    def finite(name: str) -> Any:
        x = nw.col(name).cast(nw.Float64())
        return nw.when(x.is_finite()).then(x)

    # Two passes, as NumPy computes a standard deviation: the engines' one-pass variance
    # errs in the last bits (1 - 1e-16 for an exact 1), which moves rounding boundaries.
    means = scalars(frame.select([finite(c).mean().alias(f"m{i}") for i, c in enumerate(numeric)]))
    exprs = []
    for i, name in enumerate(numeric):
        mean = means[f"m{i}"]
        deviation = finite(name) - (0.0 if mean is None else float(mean))
        exprs.append((deviation * deviation).mean().alias(f"v{i}"))
    row = scalars(frame.select(exprs))
    steps = {}
    for i, name in enumerate(numeric):
        variance = row[f"v{i}"]
        spread = math.sqrt(variance) if variance is not None and variance > 0 else 0.0
        steps[name] = tolerance * spread if spread > 0 else 1.0
    return steps


def _round_half_even(x: Any) -> Any:
    """``np.round(x)`` as a narwhals expression (engines round halves away from zero)."""
    up = (x + 0.5).floor()
    return nw.when(((up - x) == 0.5) & ((up % 2) != 0)).then(up - 1).otherwise(up)


def _near_expr(name: str, dtype: Any, step: float | None) -> Any:
    family = column_family(dtype)
    col = nw.col(name)
    if isinstance(dtype, nw.Boolean) or family == "duration":
        return col
    if family == "numeric":
        x = col.cast(nw.Float64()).fill_nan(None) / (1.0 if step is None else step)
        # + 0.0 turns -0.0 into 0.0: one group, as NumPy's hash of them is one.
        return _round_half_even(x) + 0.0
    if family == "datetime":
        return col.dt.truncate("1s") if isinstance(dtype, nw.Datetime) else col
    text = col.cast(nw.String()).str.to_lowercase()
    text = text.str.replace_all(_NOT_WORD, " ").str.replace_all(_SPACES, " ")
    return text.str.strip_chars(" ")


def _exact_expr(name: str, dtype: Any) -> Any:
    col = nw.col(name)
    # NaN and null are one missing value, as in pandas (which holds both as NaN).
    return col.fill_nan(None) if isinstance(dtype, (nw.Float32, nw.Float64)) else col


def _row_frame(
    source: LazySource,
    *,
    label: Any,
    chosen: list[str],
    near: bool,
    tolerance: float,
    key: tuple[str, ...],
) -> tuple[Any, bool]:
    """Every row's position, group, group size, exact group and label; whether labelled."""
    schema = source.schema
    nested = [c for c in chosen if column_family(schema[c]) == "other"]
    if near and nested:
        raise InvalidParameterError(
            f"find_duplicates cannot normalise column(s) {nested[:5]} of "
            f"{source.description} in its engine: they hold nested or binary values (lists, "
            "arrays, images). Pass near=False to group them exactly, or leave them out with "
            "features=[...]."
        )
    frame = _with_positions(source)
    exact = {f"__dci_e{i}": _exact_expr(c, schema[c]) for i, c in enumerate(chosen)}
    columns: dict[str, Any] = dict(exact)
    groups = list(exact)
    if near:
        numeric = [
            c
            for c in chosen
            if column_family(schema[c]) == "numeric" and not isinstance(schema[c], nw.Boolean)
        ]
        steps = _steps(frame, numeric, tolerance)
        normal = {
            f"__dci_n{i}": _near_expr(c, schema[c], steps.get(c)) for i, c in enumerate(chosen)
        }
        columns.update(normal)
        groups = list(normal)
    if label is not None:
        columns[_LABEL] = _exact_expr(label, schema[label])
    rows = frame.select(
        nw.col(_POS), *[nw.col(k) for k in key], *[e.alias(n) for n, e in columns.items()]
    )
    rows = rows.with_columns(
        nw.col(_POS).min().over(*groups).alias(_GID),
        nw.col(_POS).count().over(*groups).alias(_SIZE),
        nw.col(_POS).min().over(*exact).alias(_EID),
        nw.col(_POS).count().over(*exact).alias(_ESIZE),
    )
    return rows, label is not None


def _group_table(rows: Any, labelled: bool) -> Any:
    """One row per group of more than one row: size, exact, labels, majority, number."""
    dup = rows.filter(nw.col(_SIZE) > 1)
    groups = dup.group_by(_GID).agg(
        nw.len().alias("size"),
        nw.col(_EID).n_unique().alias("n_exact"),
        # An exact duplicate is a near one too: every such row is in some group.
        (nw.col(_ESIZE) > 1).cast(nw.Int64()).sum().alias("n_exact_rows"),
    )
    if labelled:
        has = dup.filter(~nw.col(_LABEL).is_null())
        # Ties between labels go to the one seen first among grouped rows, as in pandas.
        has = has.with_columns(nw.col(_POS).min().over(_LABEL).alias(_FIRST))
        pairs = has.group_by(_GID, _LABEL).agg(
            nw.len().alias(_COUNT), nw.col(_FIRST).min().alias(_FIRST)
        )
        pairs = pairs.with_columns(
            nw.len().over(_GID).alias("n_labels"),
            nw.col(_COUNT).max().over(_GID).alias("__dci_top"),
        )
        best = pairs.filter(nw.col(_COUNT) == nw.col("__dci_top"))
        best = best.with_columns(nw.col(_FIRST).min().over(_GID).alias("__dci_top_first"))
        best = best.filter(nw.col(_FIRST) == nw.col("__dci_top_first")).select(
            _GID, "n_labels", nw.col(_LABEL).alias("majority_label")
        )
        groups = groups.join(best, on=_GID, how="left").with_columns(
            nw.col("n_labels").fill_null(0)
        )
    else:
        groups = groups.with_columns(
            nw.lit(1).alias("n_labels"), nw.lit(None, dtype=nw.String()).alias("majority_label")
        )
    return groups.with_columns(
        (nw.col("n_exact") == 1).alias("exact"),
        (nw.col("n_labels") > 1).alias("is_conflicting"),
        (nw.col(_GID).rank("ordinal") - 1).alias("duplicate_group"),
    )


_GROUP_COLUMNS = ("size", "exact", "n_labels", "majority_label", "is_conflicting")
_TOTALS = (
    "n_groups",
    "n_duplicate_rows",
    "n_exact_duplicate_rows",
    "n_conflicting_groups",
    "n_conflicting",
)


def _with_totals(groups: Any) -> Any:
    """Add the counts over every group to each group (windows over a constant partition)."""
    every = "__dci_every"
    conflicting = nw.col("is_conflicting")
    return groups.with_columns(nw.lit(0).alias(every)).with_columns(
        nw.len().over(every).alias("n_groups"),
        nw.col("size").sum().over(every).alias("n_duplicate_rows"),
        nw.col("n_exact_rows").sum().over(every).alias("n_exact_duplicate_rows"),
        conflicting.cast(nw.Int64()).sum().over(every).alias("n_conflicting_groups"),
        nw.when(conflicting)
        .then(nw.col("size"))
        .otherwise(0)
        .sum()
        .over(every)
        .alias("n_conflicting"),
    )


def find_duplicates_lazy(
    source: LazySource,
    *,
    label: Any = None,
    chosen: list[str],
    near: bool = True,
    tolerance: float = 0.01,
    key: Sequence[str] = (),
    max_groups: int = 100,
) -> LazyDuplicates:
    """Group exact and near-duplicate rows of ``source`` in its engine (bounded result).

    The caller (:func:`~jupyter_dci.core.find_duplicates`) has checked the parameters.
    """
    key = tuple(key)
    rows, labelled = _row_frame(
        source, label=label, chosen=chosen, near=near, tolerance=tolerance, key=key
    )
    groups = _group_table(rows, labelled)
    # One pass for the counts and the first groups: the totals ride along on every group
    # (windows over all groups), so the rows' windows run once here and once for examples.
    top = (
        _with_totals(groups)
        .sort(["is_conflicting", "size", "duplicate_group"], descending=[True, True, False])
        .head(max(max_groups, 1))
        .select(_GID, "duplicate_group", *_GROUP_COLUMNS, *_TOTALS)
        .collect()
        .to_pandas()
    )
    totals = {t: int(top[t].iloc[0]) if len(top) else 0 for t in _TOTALS}
    top = top.drop(columns=list(_TOTALS)).iloc[:max_groups]
    examples = _examples(rows, top, key=key, labelled=labelled)
    top = top.astype({"size": "int64", "n_labels": "int64", "duplicate_group": "int64"})
    table = top.drop(columns=_GID).set_index("duplicate_group")
    # A group without labels has no majority: None, whatever missing value the engine gave.
    table["majority_label"] = pd.Series(
        [None if _missing(v) else v for v in table["majority_label"]],
        index=table.index,
        dtype=object,
    )
    return LazyDuplicates(
        n_rows=source.n_rows,
        n_groups=totals["n_groups"],
        n_duplicate_rows=totals["n_duplicate_rows"],
        n_exact_duplicate_rows=totals["n_exact_duplicate_rows"],
        n_conflicting_groups=totals["n_conflicting_groups"],
        n_conflicting=totals["n_conflicting"],
        groups=table,
        rows=examples,
        near=near,
        label=label,
        key=key,
        engine=source.engine,
    )


def _examples(
    rows: Any, top: pd.DataFrame, *, key: tuple[str, ...], labelled: bool
) -> pd.DataFrame:
    """Return the first :data:`GROUP_ROWS` rows of each group kept, by group then row."""
    columns = ["duplicate_group", "row"] + (["label"] if labelled else [])
    if top.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    gids = [int(g) for g in top[_GID]]
    picked = rows.filter(nw.col(_GID).is_in(gids))
    picked = picked.with_columns(nw.col(_POS).rank("ordinal").over(_GID).alias(_RANK))
    names = [_GID, _POS, *key] + ([_LABEL] if labelled else [])
    found = (
        picked.filter(nw.col(_RANK) <= GROUP_ROWS)
        .select(*names)
        .sort(_GID, _POS)
        .collect()
        .to_pandas()
    )
    number = dict(zip(gids, top["duplicate_group"].astype("int64"), strict=True))
    if not key:
        named = found[_POS].astype("int64").tolist()
    elif len(key) == 1:
        named = found[key[0]].tolist()
    else:
        named = list(found[list(key)].itertuples(index=False, name=None))
    out = pd.DataFrame(
        {
            "duplicate_group": [int(number[int(g)]) for g in found[_GID]],
            "row": pd.Series(named, dtype=object),
        }
    )
    if labelled:
        out["label"] = found[_LABEL].astype(object).to_numpy()
    return out
