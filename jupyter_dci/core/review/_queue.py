"""The review queue: suspects worst first, and the scope that narrows which are shown.

:func:`issue_frame` checks an issue table once and orders it; :func:`class_list` settles the
classes offered. A :class:`SuspectQueue` then keeps, per suspect, the class index of its given
and suggested label, so that every filter (by class, by score, by a rows scope such as a
clicked slice) and the confusion counts are integer work. Decisions are kept elsewhere by a
suspect's position in the whole queue, so they survive any change of filter.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.review._decisions import (
    _ISSUE_COLUMNS,
    _SHOWN,
    MAX_CONFUSION_CLASSES,
    Confusion,
    _differs,
    _label_text,
    _plain,
    _same,
    _shown,
)
from jupyter_dci.errors import DataMismatchError, DCIWarning, param_error

__all__ = ["SuspectQueue", "check_rows", "class_list", "drop_stale", "issue_frame"]


def issue_frame(issues: Any, include_all: bool) -> pd.DataFrame:
    """Check the issue table of a LabelIssues or a frame; return it flagged rows first."""
    table = getattr(issues, "frame", issues)
    if not isinstance(table, pd.DataFrame):
        raise param_error(
            "issues",
            "review",
            "a LabelIssues (from find_label_issues) or a DataFrame with its columns",
            type(issues).__name__,
        )
    wanted = _ISSUE_COLUMNS if include_all else (*_ISSUE_COLUMNS, "is_label_issue")
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise param_error(
            "issues",
            "review",
            f"a table with columns {list(wanted)} (as LabelIssues.frame has)",
            f"a frame without {missing}",
        )
    if not table.index.is_unique:
        dup = table.index[table.index.duplicated()].unique().tolist()
        raise DataMismatchError(
            f"The issues table of review lists rows {_shown(dup)} more than once. "
            "Pass the table find_label_issues returned, one row per frame row."
        )
    scores = pd.to_numeric(table["label_score"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(scores).any():
        raise param_error(
            "issues", "review", "a table whose label_score are all numbers", "missing scores"
        )
    flags = (
        np.ones(len(table), dtype=bool)
        if include_all
        else table["is_label_issue"].fillna(False).to_numpy(dtype=bool)
    )
    out = pd.DataFrame(
        {
            "given": table["given_label"].astype(object).to_numpy(),
            "suggested": table["suggested_label"].astype(object).to_numpy(),
            "score": scores,
            "flag": table["is_label_issue"].fillna(False).to_numpy(dtype=bool)
            if "is_label_issue" in table.columns
            else flags,
        },
        index=table.index,
    )[flags]
    # Worst first: flagged rows, then lowest score; stable, so a ranked table keeps its order.
    order = np.lexsort((out["score"].to_numpy(), ~out["flag"].to_numpy()))
    return out.iloc[order]


def class_list(issues: Any, table: pd.DataFrame, classes: Any) -> tuple[Any, ...]:
    if classes is not None:
        if isinstance(classes, str) or not pd.api.types.is_list_like(classes):
            raise param_error("classes", "review", "a list of the classes", classes)
        found = tuple(_plain(c) for c in classes)
    elif getattr(issues, "classes", None) is not None:
        found = tuple(_plain(c) for c in issues.classes)
    else:
        given = getattr(issues, "frame", issues)["given_label"]
        if isinstance(given.dtype, pd.CategoricalDtype):
            found = tuple(_plain(c) for c in given.cat.categories)
        else:
            values = pd.unique(pd.concat([table["given"], table["suggested"]]).dropna())
            try:
                found = tuple(_plain(v) for v in sorted(values))
            except TypeError:  # mixed types do not sort: keep the order of appearance
                found = tuple(_plain(v) for v in values)
    if len(found) < 2 or len(set(found)) != len(found):
        raise param_error("classes", "review", "at least 2 distinct classes", list(found))
    return found


def check_rows(
    table: pd.DataFrame, frame: pd.DataFrame, label: Any, classes: tuple[Any, ...]
) -> None:
    """Refuse issues on rows the frame lacks, or suggesting labels that are not classes."""
    missing = table.index[~table.index.isin(frame.index)].tolist()
    if missing:
        raise DataMismatchError(
            f"{len(missing)} row(s) of the issues are not in the frame's index: "
            f"{_shown(missing)}. Compute the issues on this frame (same index), e.g. "
            f"find_label_issues(df[{label!r}], pred_probs)."
        )
    unknown = sorted(
        {
            repr(_plain(v))
            for v in pd.unique(table["suggested"].to_numpy())
            if not any(_same(v, c) for c in classes)
        }
    )
    if unknown:
        raise DataMismatchError(
            f"Suggested labels {', '.join(unknown[:_SHOWN])} are not among the classes "
            f"{list(classes)[:20]}. Pass classes= with every class."
        )


def drop_stale(table: pd.DataFrame, frame: pd.DataFrame, label: Any, stale: str) -> pd.DataFrame:
    """Refuse (or, with ``stale="skip"``, leave out) suspects whose label changed since."""
    now = frame[label].reindex(table.index).astype(object).to_numpy()
    given = table["given"].to_numpy()
    differs = _differs(given, now)
    changed = [
        (row, g, c)
        for row, g, c in zip(table.index[differs], given[differs], now[differs], strict=True)
    ]
    if not changed:
        return table
    detail = "; ".join(
        f"row {_plain(r)!r}: given {_plain(g)!r}, now {_plain(c)!r}" for r, g, c in changed[:3]
    )
    message = (
        f"The frame changed since the issues were computed: {len(changed)} suspect(s) no "
        f"longer have their given label in column {label!r} ({detail}"
        f"{'; ...' if len(changed) > 3 else ''}). Rows: {_shown([r for r, _, _ in changed])}."
    )
    if stale == "raise":
        raise DataMismatchError(
            message + " Recompute the issues on the frame as it is now, or pass "
            "stale='skip' to review the other suspects."
        )
    # stacklevel 3: the caller of ReviewSession(), past this function and __init__.
    warnings.warn(message + " They are left out of the review.", DCIWarning, stacklevel=3)
    return table.drop(index=[r for r, _, _ in changed])


class SuspectQueue:
    """The suspects of a review, worst first, and the filtered view of them that is shown.

    Parameters
    ----------
    suspects : pandas.DataFrame
        The checked issue table (:func:`issue_frame`): ``given``, ``suggested``, ``score``
        and ``flag``, indexed by frame rows, worst first.
    classes : tuple
        The classes offered (:func:`class_list`).

    Examples
    --------
    >>> import pandas as pd
    >>> suspects = pd.DataFrame({"given": ["b", "a"], "suggested": ["a", "b"],
    ...                          "score": [0.1, 0.3], "flag": [True, True]}, index=[1, 2])
    >>> queue = SuspectQueue(suspects, ("a", "b"))
    >>> queue.filter_indices(given=[0]), queue.position(0)
    (1, 1)
    """

    def __init__(self, suspects: pd.DataFrame, classes: tuple[Any, ...]) -> None:
        self.suspects = suspects
        self.classes = classes
        # Class index of each suspect's given and suggested label (len(classes): not a
        # class), computed once: filters and the confusion view are then integer work.
        self.given_code = self._codes(suspects["given"].to_numpy())
        self.suggested_code = self._codes(suspects["suggested"].to_numpy())
        self.scores = suspects["score"].to_numpy(dtype=float)
        self.view = np.arange(len(suspects))
        self.filter: dict[str, Any] = {}
        # The rows scope (e.g. a slice clicked in the workbench): a mask over the suspects
        # that every filter is intersected with, and the words that say what it is.
        self.scope: np.ndarray | None = None
        self.scope_caption = ""

    def _codes(self, values: np.ndarray) -> np.ndarray:
        """Class index of each value, ``len(classes)`` for a value that is not a class."""
        k = len(self.classes)
        try:
            codes = pd.Index(self.classes, dtype=object).get_indexer(values)
        except (TypeError, ValueError):  # unhashable or odd values: compare one by one
            codes = np.array(
                [next((i for i, c in enumerate(self.classes) if _same(c, v)), -1) for v in values],
                dtype=np.intp,
            )
        return np.where(codes < 0, k, codes).astype(np.intp)

    @property
    def n_shown(self) -> int:
        """Number of suspects in the filtered view."""
        return len(self.view)

    def position(self, index: Any) -> int:
        """Check an index of the filtered view; return the suspect's position in the queue."""
        n = self.n_shown
        if isinstance(index, bool) or not isinstance(index, int | np.integer) or not 0 <= index < n:
            allowed = f"an int in [0, {n})" if n else "absent: no suspect matches the filter"
            raise param_error("index", "review", allowed, index)
        return int(self.view[index])

    def index_of(self, position: int) -> int | None:
        """Return the filtered-view index of the suspect at ``position``; None if filtered out."""
        found = np.flatnonzero(self.view == position)
        return int(found[0]) if len(found) else None

    def class_indices(self, param: str, value: Any) -> list[int] | None:
        """Class indices of a class or a list of classes (None: no class named)."""
        if value is None:
            return None
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        out = []
        for v in values:
            match = [i for i, c in enumerate(self.classes) if _same(c, v)]
            if not match:
                allowed = f"a class or a list of classes among {list(self.classes)[:20]}"
                raise param_error(param, "ReviewSession.filter", allowed, value)
            out.append(match[0])
        return out

    def set_scope(self, mask: np.ndarray | None, caption: str) -> None:
        """Scope the view to the suspects where ``mask`` (one bool per suspect) holds."""
        self.scope, self.scope_caption = mask, caption if mask is not None else ""

    def refilter(self) -> int:
        """Apply the filter set again (after the scope changed)."""
        return self.filter_indices(
            given=self.filter.get("given"),
            suggested=self.filter.get("suggested"),
            max_score=self.filter.get("max_score"),
            min_score=self.filter.get("min_score"),
        )

    def filter_indices(
        self,
        given: Sequence[int] | None = None,
        suggested: Sequence[int] | None = None,
        max_score: float | None = None,
        min_score: float | None = None,
    ) -> int:
        """Filter the view by class indices and score bounds, within the scope.

        Returns the number of suspects shown; a refused filter leaves the view as it was.
        """
        k = len(self.classes)
        bounds = _score_bounds(max_score, min_score)
        keep = np.ones(len(self.suspects), dtype=bool)
        state: dict[str, Any] = {}
        for name, codes, chosen in (
            ("given", self.given_code, given),
            ("suggested", self.suggested_code, suggested),
        ):
            wanted = [] if chosen is None else list(chosen)
            if not wanted:  # no class named: any class
                continue
            if any(
                isinstance(c, bool) or not isinstance(c, int | np.integer) or not 0 <= c <= k
                for c in wanted
            ):
                raise param_error(
                    name, "ReviewSession.filter_indices", f"a list of ints in [0, {k}]", chosen
                )
            state[name] = sorted({int(c) for c in wanted})
            keep &= np.isin(codes, state[name])
        if "max_score" in bounds:
            keep &= self.scores <= bounds["max_score"]
        if "min_score" in bounds:
            keep &= self.scores >= bounds["min_score"]
        if self.scope is not None:
            keep &= self.scope
        self.view = np.flatnonzero(keep)
        self.filter = {**state, **bounds}
        return self.n_shown

    def confusion(self, max_classes: int = MAX_CONFUSION_CLASSES) -> Confusion:
        """Count the suspects by given and suggested label (the whole queue, not the view)."""
        if isinstance(max_classes, bool) or not isinstance(max_classes, int) or max_classes < 1:
            raise param_error("max_classes", "ReviewSession.confusion", "an int >= 1", max_classes)
        k = len(self.classes)
        # Codes run 0..k; k (a given label that is not a class) always goes to "other".
        load = (
            np.bincount(self.given_code, minlength=k + 1)[:k]
            + np.bincount(self.suggested_code, minlength=k + 1)[:k]
        )
        if k <= max_classes:
            shown = np.arange(k)
        else:
            # The busiest classes, ties to the first; then back in class order.
            shown = np.sort(np.argsort(-load, kind="stable")[:max_classes])
        group_of = np.full(k + 1, len(shown), dtype=np.intp)
        group_of[shown] = np.arange(len(shown))
        rest = [int(c) for c in range(k) if c not in set(shown.tolist())]
        has_other = bool(rest) or bool((self.given_code == k).any())
        m = len(shown) + (1 if has_other else 0)
        counts = np.zeros((m, m), dtype=np.int64)
        if len(self.suspects):
            flat = group_of[self.given_code] * m + group_of[self.suggested_code]
            counts = np.bincount(flat, minlength=m * m).reshape(m, m).astype(np.int64)
        groups: list[tuple[int, ...]] = [(int(c),) for c in shown]
        labels = [_label_text(self.classes[int(c)]) for c in shown]
        if has_other:
            groups.append((*rest, k))
            labels.append("other")
        return Confusion(
            groups=tuple(groups), labels=tuple(labels), counts=counts, has_other=has_other
        )


def _score_bounds(max_score: Any, min_score: Any) -> dict[str, float]:
    """Check the score bounds of a filter; return those set."""
    bounds: dict[str, float] = {}
    for name, bound in (("max_score", max_score), ("min_score", min_score)):
        if bound is None:
            continue
        if isinstance(bound, bool) or not isinstance(bound, int | float | np.number):
            raise param_error(name, "ReviewSession.filter", "a number or None", bound)
        if math.isnan(float(bound)):
            raise param_error(name, "ReviewSession.filter", "a number or None", bound)
        bounds[name] = float(bound)
    if bounds.get("min_score", -math.inf) > bounds.get("max_score", math.inf):
        raise param_error(
            "min_score",
            "ReviewSession.filter",
            f"at most max_score ({bounds['max_score']})",
            bounds["min_score"],
        )
    return bounds
