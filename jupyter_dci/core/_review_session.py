"""The state of a label review, without any UI: suspects, decisions, undo, writes.

A :class:`ReviewSession` walks the suspects of a label-issue table worst first. Each
decision sets the suspect's label in the user's own DataFrame at once (the same object:
``frame.iloc[pos, col] = value``, which pandas copy-on-write applies to that object), or
through a tracked store :class:`~jupyter_dci.store.Dataset` so the change becomes a
pending edit. Every decision is recorded (row, old, new, decision, score, time) and can be
undone, last first.

Values are checked against the label column's dtype before anything is written (the
store's own rules: an int column takes ints, a categorical column gains a new category,
nullable dtypes take ``pd.NA``), so a refused value leaves the frame as it was.

A filter (by given label, suggested label, score range) narrows the queue that
:meth:`ReviewSession.suspect` and :meth:`ReviewSession.decide` index; decisions are kept
by their position in the whole queue, so they survive any change of filter, and undo
always takes back the last decision, wherever it is.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from jupyter_dci.errors import DataMismatchError, DCIWarning, param_error
from jupyter_dci.store._coerce import coerce_values, is_missing
from jupyter_dci.store._replay import assign

__all__ = ["Confusion", "Decision", "ReviewSession", "Suspect", "key_map"]

Action = Literal["relabel", "accept", "keep"]
ACTIONS: tuple[str, ...] = ("relabel", "accept", "keep")
#: Keys the panel keeps for itself, so no class is mapped to them.
RESERVED_KEYS = frozenset({"k", "u"})
_KEYS = "0123456789" + "".join(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in RESERVED_KEYS)
_ISSUE_COLUMNS = ("given_label", "suggested_label", "label_score")
_SHOWN = 5  # rows named in an error message
#: Classes shown one by one in the confusion view; the rest are summed as "other".
MAX_CONFUSION_CLASSES = 30


@dataclass(frozen=True)
class Decision:
    """One decision of a review: what a suspect's label was, and what it was set to.

    Attributes
    ----------
    position : int
        The suspect's position in the review queue (0 is the worst).
    row : hashable
        The row's index label in the frame.
    old, new : object
        The label before and after the decision (equal when nothing had to change).
    decision : {"relabel", "accept", "keep"}
        A class chosen by hand, the suggestion accepted, or the given label kept.
    score : float
        The suspect's label score (lower is worse).
    time : datetime.datetime
        When it was made (UTC).
    """

    position: int
    row: Hashable
    old: Any
    new: Any
    decision: str
    score: float
    time: dt.datetime


@dataclass(frozen=True)
class Suspect:
    """A suspect of the review queue, with its current label and decision.

    Attributes
    ----------
    position : int
        Position in the whole queue (0 is the worst), whatever the filter.
    row : hashable
        The row's index label in the frame.
    given, suggested : object
        The label given when the issues were computed, and the suggested one.
    score : float
        The label score (lower is worse).
    current : object
        The label in the frame now.
    decision : Decision or None
        The standing decision on this suspect, if any.
    index : int
        Its index in the filtered queue (equal to ``position`` when no filter is set).
    """

    position: int
    row: Hashable
    given: Any
    suggested: Any
    score: float
    current: Any
    decision: Decision | None
    index: int


@dataclass(frozen=True)
class Confusion:
    """Counts of suspects by given (rows) and suggested (columns) label.

    Attributes
    ----------
    groups : tuple of tuple of int
        The class indices of each row and column: one class each, and last, when there are
        more classes than fit, ``"other"``: the remaining classes (and the index
        ``len(classes)`` for given labels that are not among the classes).
    labels : tuple of str
        A label per group: the class's text, or ``"other"``.
    counts : numpy.ndarray
        ``counts[i, j]``: suspects whose given label is in group ``i`` and suggested label
        in group ``j``.
    has_other : bool
        Whether the last group is "other".
    """

    groups: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]
    counts: np.ndarray
    has_other: bool = False

    def to_frame(self) -> pd.DataFrame:
        """Return the counts as a DataFrame: index given, columns suggested.

        Examples
        --------
        >>> import numpy as np
        >>> c = Confusion(((0,), (1,)), ("a", "b"), np.array([[0, 2], [1, 0]]))
        >>> c.to_frame().loc["a", "b"]
        np.int64(2)
        """
        return pd.DataFrame(
            self.counts,
            index=pd.Index(self.labels, name="given"),
            columns=pd.Index(self.labels, name="suggested"),
        )


def key_map(n_classes: int) -> list[str]:
    """Return the key of each class: digits 0-9, then letters except ``k`` and ``u``.

    Classes past the 34th get no key (``""``); they stay reachable with the mouse.

    Examples
    --------
    >>> key_map(12)[-3:]
    ['9', 'a', 'b']
    """
    return [_KEYS[i] if i < len(_KEYS) else "" for i in range(n_classes)]


def _same(a: Any, b: Any) -> bool:
    """Label equality that treats missing values alike and never raises on pd.NA."""
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise ``not _same``, vectorised for the common case (no missing values)."""
    na_a, na_b = pd.isna(a), pd.isna(b)
    out = na_a != na_b
    both = ~(na_a | na_b)
    try:
        out[both] = ~np.asarray(a[both] == b[both], dtype=bool)
    except (TypeError, ValueError):  # values whose == is not a plain bool: one by one
        out[both] = [not _same(x, y) for x, y in zip(a[both], b[both], strict=True)]
    return out


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _label_text(value: Any) -> str:
    """Write a class as text for the confusion view (the widget formats its own buttons)."""
    value = _plain(value)
    return "<NA>" if is_missing(value) else str(value)


def _shown(rows: Sequence[Any]) -> str:
    head = ", ".join(repr(_plain(r)) for r in rows[:_SHOWN])
    return head + (f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else "")


def _issue_frame(issues: Any, include_all: bool) -> pd.DataFrame:
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


def _class_list(issues: Any, table: pd.DataFrame, classes: Any) -> tuple[Any, ...]:
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


class ReviewSession:
    """Review suspected label errors one by one, writing each decision into the frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The user's frame (changed in place; its index must be unique).
    label : str
        The label column.
    issues : LabelIssues or pandas.DataFrame
        The ranked issue table: ``given_label``, ``suggested_label``, ``label_score`` and
        ``is_label_issue``, indexed by rows of ``frame``.
    dataset : jupyter_dci.store.Dataset, optional
        A store dataset tracking ``frame`` (the same object): decisions then go through
        :meth:`Dataset.relabel` and become pending edits, committed with ``dataset.commit``.
    classes : sequence, optional
        The classes to offer; by default those of ``issues``.
    include_all : bool, default False
        Review every ranked row, not only the flagged ones.
    stale : {"raise", "skip"}, default "raise"
        What to do with suspects whose label in ``frame`` no longer equals the given label
        the issues were computed on: refuse (naming the rows), or leave them out with a
        :class:`~jupyter_dci.errors.DCIWarning`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": ["a", "b", "a"]})
    >>> issues = pd.DataFrame({"given_label": ["b", "a"], "suggested_label": ["a", "b"],
    ...                        "label_score": [0.1, 0.3], "is_label_issue": [True, True]},
    ...                       index=[1, 2])
    >>> session = ReviewSession(df, label="y", issues=issues)
    >>> session.decide(0, "accept").new
    'a'
    >>> df["y"].tolist(), session.n_relabelled
    (['a', 'a', 'a'], 1)
    >>> session.undo().old, df["y"].tolist()
    ('b', ['a', 'b', 'a'])
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        label: Hashable,
        issues: Any,
        dataset: Any = None,
        classes: Sequence[Any] | None = None,
        include_all: bool = False,
        stale: Literal["raise", "skip"] = "raise",
    ) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise param_error("df", "review", "a pandas DataFrame", type(frame).__name__)
        if not isinstance(include_all, bool):
            raise param_error("include_all", "review", "True or False", include_all)
        if stale not in ("raise", "skip"):
            raise param_error("stale", "review", "'raise' or 'skip'", stale)
        if label is None or int((frame.columns == label).sum()) != 1:
            columns = ", ".join(repr(c) for c in frame.columns[:20])
            raise param_error("label", "review", f"one column of the frame ({columns})", label)
        if not frame.index.is_unique:
            raise DataMismatchError(
                "review needs a frame whose index has no duplicates, so that each decision "
                "lands on one row; this one repeats "
                f"{_shown(frame.index[frame.index.duplicated()].unique().tolist())}. "
                "Call df.reset_index() (or df.index = range(len(df))) before finding issues."
            )
        if dataset is not None and getattr(dataset, "frame", None) is not frame:
            raise param_error(
                "dataset",
                "review",
                "the store Dataset tracking this very frame (ds = dci.track(df, ...); "
                "review(ds.frame, ...))",
                dataset,
            )
        self.frame = frame
        self.label = label
        self.dataset = dataset
        table = _issue_frame(issues, include_all)
        self.classes = _class_list(issues, table, classes)
        self._check_rows(table)
        self._suspects = self._check_fresh(table, stale)
        self._stack: list[Decision] = []
        # Class index of each suspect's given and suggested label (len(classes): not a
        # class), computed once: filters and the confusion view are then integer work.
        self._given_code = self._codes(self._suspects["given"].to_numpy())
        self._suggested_code = self._codes(self._suspects["suggested"].to_numpy())
        self._scores = self._suspects["score"].to_numpy(dtype=float)
        self._view = np.arange(len(self._suspects))
        self._filter: dict[str, Any] = {}
        # The rows scope (e.g. a slice clicked in the workbench): a mask over the suspects
        # that every filter is intersected with, and the words that say what it is.
        self._scope: np.ndarray | None = None
        self._scope_caption = ""

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

    # ---- validation ----------------------------------------------------------------

    def _check_rows(self, table: pd.DataFrame) -> None:
        missing = table.index[~table.index.isin(self.frame.index)].tolist()
        if missing:
            raise DataMismatchError(
                f"{len(missing)} row(s) of the issues are not in the frame's index: "
                f"{_shown(missing)}. Compute the issues on this frame (same index), e.g. "
                f"find_label_issues(df[{self.label!r}], pred_probs)."
            )
        unknown = sorted(
            {
                repr(_plain(v))
                for v in pd.unique(table["suggested"].to_numpy())
                if not any(_same(v, c) for c in self.classes)
            }
        )
        if unknown:
            raise DataMismatchError(
                f"Suggested labels {', '.join(unknown[:_SHOWN])} are not among the classes "
                f"{list(self.classes)[:20]}. Pass classes= with every class."
            )

    def _check_fresh(self, table: pd.DataFrame, stale: str) -> pd.DataFrame:
        now = self.frame[self.label].reindex(table.index).astype(object).to_numpy()
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
            f"longer have their given label in column {self.label!r} ({detail}"
            f"{'; ...' if len(changed) > 3 else ''}). Rows: {_shown([r for r, _, _ in changed])}."
        )
        if stale == "raise":
            raise DataMismatchError(
                message + " Recompute the issues on the frame as it is now, or pass "
                "stale='skip' to review the other suspects."
            )
        warnings.warn(message + " They are left out of the review.", DCIWarning, stacklevel=3)
        return table.drop(index=[r for r, _, _ in changed])

    # ---- reading -------------------------------------------------------------------

    @property
    def n_suspects(self) -> int:
        """Number of suspects of the review, whatever the filter."""
        return len(self._suspects)

    @property
    def n_shown(self) -> int:
        """Number of suspects in the filtered queue (all of them when no filter is set)."""
        return len(self._view)

    @property
    def n_shown_reviewed(self) -> int:
        """Suspects of the filtered queue with a standing decision."""
        standing = np.fromiter(self._standing(), dtype=np.intp)
        return int(np.isin(standing, self._view).sum())

    @property
    def filters(self) -> dict[str, Any]:
        """The filter set: ``given`` and ``suggested`` (class indices), score bounds.

        Keys are present only for the parts set; ``{}`` when the whole queue is shown.
        A rows scope (:meth:`restrict`) adds ``rows``, its caption.
        """
        if self._scope is None:
            return dict(self._filter)
        return {**self._filter, "rows": self._scope_caption}

    @property
    def scope(self) -> str:
        """The caption of the rows scope set by :meth:`restrict` ("" when none is set)."""
        return self._scope_caption if self._scope is not None else ""

    def restrict(self, rows: Any = None, caption: str = "") -> int:
        """Keep only the suspects among some rows of the frame, under any other filter.

        Parameters
        ----------
        rows : array-like of bool, or None
            A mask over the frame's rows (length ``len(frame)``, in its order), e.g. the
            rows of a slice; None lifts the scope.
        caption : str
            What the rows are, shown beside the filter (e.g. the slice's expression).

        Returns
        -------
        int
            The number of suspects in the filtered queue.

        Raises
        ------
        InvalidParameterError
            A mask that is not boolean or not as long as the frame (the scope is left
            as it was).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": ["a", "b", "a"], "x": [1, 2, 3]})
        >>> issues = pd.DataFrame({"given_label": ["b", "a"], "suggested_label": ["a", "b"],
        ...                        "label_score": [0.1, 0.3], "is_label_issue": [True, True]},
        ...                       index=[1, 2])
        >>> s = ReviewSession(df, label="y", issues=issues)
        >>> s.restrict((df["x"] > 2).to_numpy(), "x > 2"), s.suspect(0).row, s.scope
        (1, 2, 'x > 2')
        >>> s.restrict(None), s.scope
        (2, '')
        """
        if rows is None:
            self._scope, self._scope_caption = None, ""
        else:
            mask = np.asarray(rows)
            if mask.dtype != bool or mask.shape != (len(self.frame),):
                got = f"{mask.dtype} array of shape {mask.shape}"
                raise param_error(
                    "rows",
                    "ReviewSession.restrict",
                    f"a boolean mask over the {len(self.frame):,} rows of the frame, or None",
                    got,
                )
            positions = self.frame.index.get_indexer(self._suspects.index)
            self._scope = mask[positions]
            self._scope_caption = str(caption) or f"{int(mask.sum()):,} rows"
        return self.filter_indices(
            given=self._filter.get("given"),
            suggested=self._filter.get("suggested"),
            max_score=self._filter.get("max_score"),
            min_score=self._filter.get("min_score"),
        )

    def index_of(self, position: int) -> int | None:
        """Return the filtered-queue index of the suspect at ``position``; None if filtered out.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": ["a", "b", "a"]})
        >>> issues = pd.DataFrame({"given_label": ["b", "a"], "suggested_label": ["a", "b"],
        ...                        "label_score": [0.1, 0.3], "is_label_issue": [True, True]},
        ...                       index=[1, 2])
        >>> s = ReviewSession(df, label="y", issues=issues)
        >>> s.filter(given="a")
        1
        >>> s.index_of(1), s.index_of(0)
        (0, None)
        """
        found = np.flatnonzero(self._view == position)
        return int(found[0]) if len(found) else None

    def _standing(self) -> dict[int, Decision]:
        return {d.position: d for d in self._stack}

    @property
    def n_reviewed(self) -> int:
        """Suspects with a standing decision."""
        return len(self._standing())

    @property
    def n_relabelled(self) -> int:
        """Suspects whose standing decision set a label other than the given one."""
        given = self._suspects["given"].to_numpy()
        return sum(not _same(d.new, given[p]) for p, d in self._standing().items())

    @property
    def n_kept(self) -> int:
        """Suspects whose standing decision left the given label."""
        return self.n_reviewed - self.n_relabelled

    def _position(self, index: Any) -> int:
        """Check an index of the filtered queue; return the suspect's position."""
        n = self.n_shown
        if isinstance(index, bool) or not isinstance(index, int | np.integer) or not 0 <= index < n:
            allowed = f"an int in [0, {n})" if n else "absent: no suspect matches the filter"
            raise param_error("index", "review", allowed, index)
        return int(self._view[index])

    def _loc(self, row: Hashable) -> tuple[int, int]:
        try:
            pos = self.frame.index.get_loc(row)
        except KeyError:
            pos = None
        if not isinstance(pos, int | np.integer):
            raise DataMismatchError(
                f"Row {_plain(row)!r} is no longer once in the frame's index (rows were "
                "removed or duplicated since the review started). Nothing was changed; "
                "recompute the issues and start a new review."
            )
        col = int(np.flatnonzero(self.frame.columns == self.label)[0])
        return int(pos), col

    def current(self, row: Hashable) -> Any:
        """Return the label of ``row`` in the frame now.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1]})
        >>> issues = pd.DataFrame({"given_label": [1], "suggested_label": [0],
        ...                        "label_score": [0.1], "is_label_issue": [True]}, index=[1])
        >>> ReviewSession(df, label="y", issues=issues).current(1)
        1
        """
        pos, col = self._loc(row)
        return _plain(self.frame.iat[pos, col])

    def suspect(self, index: int) -> Suspect:
        """Return suspect ``index`` of the filtered queue with its current label and decision.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1]})
        >>> issues = pd.DataFrame({"given_label": [1], "suggested_label": [0],
        ...                        "label_score": [0.1], "is_label_issue": [True]}, index=[1])
        >>> s = ReviewSession(df, label="y", issues=issues).suspect(0)
        >>> s.row, s.given, s.suggested, s.decision
        (1, 1, 0, None)
        """
        i = self._position(index)
        row = self._suspects.index[i]
        entry = self._suspects.iloc[i]
        return Suspect(
            position=i,
            row=_plain(row),
            given=_plain(entry["given"]),
            suggested=_plain(entry["suggested"]),
            score=float(entry["score"]),
            current=self.current(row),
            decision=self._standing().get(i),
            index=int(index),
        )

    @property
    def decisions(self) -> pd.DataFrame:
        """The decisions standing, oldest first (undone ones are gone).

        Columns: ``row``, ``old``, ``new``, ``decision``, ``score``, ``time``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1]})
        >>> issues = pd.DataFrame({"given_label": [1], "suggested_label": [0],
        ...                        "label_score": [0.1], "is_label_issue": [True]}, index=[1])
        >>> session = ReviewSession(df, label="y", issues=issues)
        >>> _ = session.decide(0, "keep")
        >>> session.decisions[["row", "old", "new", "decision"]].values.tolist()
        [[1, 1, 1, 'keep']]
        """
        columns = ["row", "old", "new", "decision", "score", "time"]
        records = [{c: getattr(d, c) for c in columns} for d in self._stack]
        frame = pd.DataFrame(records, columns=columns)
        return frame.astype({"row": object, "old": object, "new": object, "decision": object})

    # ---- filtering -----------------------------------------------------------------

    def _class_indices(self, param: str, value: Any) -> list[int] | None:
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

    def filter(
        self,
        given: Any = None,
        suggested: Any = None,
        max_score: float | None = None,
        min_score: float | None = None,
    ) -> int:
        """Narrow the queue to some suspects; decisions made stay, whatever the filter.

        Each call replaces the previous filter; ``filter()`` shows every suspect again.
        Indices of :meth:`suspect` and :meth:`decide` then count in the filtered queue,
        which keeps the worst-first order.

        Parameters
        ----------
        given, suggested : class or list of classes, optional
            Keep the suspects whose given (suggested) label is this class, or one of these
            (None or an empty list: any class).
        max_score, min_score : float, optional
            Keep the suspects whose label score is at most ``max_score`` and at least
            ``min_score``.

        Returns
        -------
        int
            The number of suspects in the filtered queue.

        Raises
        ------
        InvalidParameterError
            A value that is not a class, a score bound that is not a number, or
            ``min_score > max_score`` (the filter is left as it was).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": ["a", "b", "a", "b"]})
        >>> issues = pd.DataFrame({"given_label": ["b", "a", "b"],
        ...                        "suggested_label": ["a", "b", "a"],
        ...                        "label_score": [0.1, 0.2, 0.4],
        ...                        "is_label_issue": [True, True, True]}, index=[1, 2, 3])
        >>> s = ReviewSession(df, label="y", issues=issues)
        >>> s.filter(given="b", max_score=0.3)
        1
        >>> s.suspect(0).row, s.decide(0, "accept").position
        (1, 0)
        >>> s.filter(), s.n_reviewed
        (3, 1)
        """
        return self.filter_indices(
            given=self._class_indices("given", given),
            suggested=self._class_indices("suggested", suggested),
            max_score=max_score,
            min_score=min_score,
        )

    def filter_indices(
        self,
        given: Sequence[int] | None = None,
        suggested: Sequence[int] | None = None,
        max_score: float | None = None,
        min_score: float | None = None,
    ) -> int:
        """:meth:`filter` by class indices (positions in :attr:`classes`), as the panel sends.

        The index ``len(classes)`` stands for given labels that are not among the classes
        (the confusion view counts them in "other").

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": ["a", "b", "a"]})
        >>> issues = pd.DataFrame({"given_label": ["b", "a"], "suggested_label": ["a", "b"],
        ...                        "label_score": [0.1, 0.3], "is_label_issue": [True, True]},
        ...                       index=[1, 2])
        >>> ReviewSession(df, label="y", issues=issues).filter_indices(suggested=[1])
        1
        """
        k = len(self.classes)
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
        keep = np.ones(len(self._suspects), dtype=bool)
        state: dict[str, Any] = {}
        for name, codes, chosen in (
            ("given", self._given_code, given),
            ("suggested", self._suggested_code, suggested),
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
            keep &= self._scores <= bounds["max_score"]
        if "min_score" in bounds:
            keep &= self._scores >= bounds["min_score"]
        if self._scope is not None:
            keep &= self._scope
        self._view = np.flatnonzero(keep)
        self._filter = {**state, **bounds}
        return self.n_shown

    def confusion(self, max_classes: int = MAX_CONFUSION_CLASSES) -> Confusion:
        """Count the suspects by given and suggested label (the whole queue, not the filter).

        Parameters
        ----------
        max_classes : int, default 30
            Classes shown one by one, those with the most suspects; the others are summed
            in a last group, ``"other"``.

        Returns
        -------
        Confusion
            The groups, their labels and the counts.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": ["a", "b", "a"]})
        >>> issues = pd.DataFrame({"given_label": ["b", "a"], "suggested_label": ["a", "b"],
        ...                        "label_score": [0.1, 0.3], "is_label_issue": [True, True]},
        ...                       index=[1, 2])
        >>> ReviewSession(df, label="y", issues=issues).confusion().counts.tolist()
        [[0, 1], [1, 0]]
        """
        if isinstance(max_classes, bool) or not isinstance(max_classes, int) or max_classes < 1:
            raise param_error("max_classes", "ReviewSession.confusion", "an int >= 1", max_classes)
        k = len(self.classes)
        # Codes run 0..k; k (a given label that is not a class) always goes to "other".
        load = (
            np.bincount(self._given_code, minlength=k + 1)[:k]
            + np.bincount(self._suggested_code, minlength=k + 1)[:k]
        )
        if k <= max_classes:
            shown = np.arange(k)
        else:
            # The busiest classes, ties to the first; then back in class order.
            shown = np.sort(np.argsort(-load, kind="stable")[:max_classes])
        group_of = np.full(k + 1, len(shown), dtype=np.intp)
        group_of[shown] = np.arange(len(shown))
        rest = [int(c) for c in range(k) if c not in set(shown.tolist())]
        has_other = bool(rest) or bool((self._given_code == k).any())
        m = len(shown) + (1 if has_other else 0)
        counts = np.zeros((m, m), dtype=np.int64)
        if len(self._suspects):
            flat = group_of[self._given_code] * m + group_of[self._suggested_code]
            counts = np.bincount(flat, minlength=m * m).reshape(m, m).astype(np.int64)
        groups: list[tuple[int, ...]] = [(int(c),) for c in shown]
        labels = [_label_text(self.classes[int(c)]) for c in shown]
        if has_other:
            groups.append((*rest, k))
            labels.append("other")
        return Confusion(
            groups=tuple(groups), labels=tuple(labels), counts=counts, has_other=has_other
        )

    # ---- deciding ------------------------------------------------------------------

    def decide(self, index: int, action: str, value: Any = None) -> Decision:
        """Decide on suspect ``index`` and write its label into the frame at once.

        Parameters
        ----------
        index : int
            The suspect's index in the filtered queue (its position when no filter is set).
        action : {"relabel", "accept", "keep"}
            ``"relabel"`` sets ``value`` (one of the classes), ``"accept"`` the suggested
            label, ``"keep"`` the given label (the label was right).
        value : object, optional
            The new label, for ``"relabel"`` only.

        Returns
        -------
        Decision
            What was recorded.

        Raises
        ------
        InvalidParameterError
            An unknown action, a value that is not a class, or one the column's dtype
            cannot hold (nothing is written then).
        DataMismatchError
            The row is no longer in the frame.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": pd.Categorical(["a", "b"])})
        >>> issues = pd.DataFrame({"given_label": ["b"], "suggested_label": ["a"],
        ...                        "label_score": [0.1], "is_label_issue": [True]}, index=[1])
        >>> session = ReviewSession(df, label="y", issues=issues, classes=["a", "b", "c"])
        >>> session.decide(0, "relabel", "c").new, df["y"].tolist()
        ('c', ['a', 'c'])
        """
        i = self._position(index)
        if action not in ACTIONS:
            raise param_error("action", "review", "'relabel', 'accept' or 'keep'", action)
        entry = self._suspects.iloc[i]
        if action == "relabel":
            match = [c for c in self.classes if _same(c, value)]
            if not match:
                raise param_error(
                    "value", "review", f"one of the classes {list(self.classes)[:20]}", value
                )
            new = match[0]
        elif value is not None:
            raise param_error("value", "review", f"None with action {action!r}", value)
        else:
            new = _plain(entry["suggested"] if action == "accept" else entry["given"])
        row = _plain(self._suspects.index[i])
        score = float(entry["score"])
        old = self.current(row)
        if not _same(old, new):
            what = {"relabel": "relabelled", "accept": "suggestion accepted", "keep": "kept"}
            self._write(row, new, reason=f"review: {what[action]}", score=score)
        decision = Decision(
            position=i,
            row=row,
            old=old,
            new=new,
            decision=action,
            score=score,
            time=dt.datetime.now(dt.UTC),
        )
        self._stack.append(decision)
        return decision

    def undo(self) -> Decision | None:
        """Undo the last decision standing: put its old label back. None when none is left.

        Through a dataset, the old label is written back with another
        :meth:`Dataset.relabel` (source ``"review: undo"``): the store keeps each cell's
        first old value and last new value, so a relabel undone leaves no net pending edit.
        A category added by the relabel stays among the column's categories.

        Raises
        ------
        DataMismatchError
            The label was changed outside the review since the decision (nothing is
            changed then, and the decision stays).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1]})
        >>> issues = pd.DataFrame({"given_label": [1], "suggested_label": [0],
        ...                        "label_score": [0.1], "is_label_issue": [True]}, index=[1])
        >>> session = ReviewSession(df, label="y", issues=issues)
        >>> _ = session.decide(0, "accept")
        >>> session.undo().new, df["y"].tolist(), session.undo()
        (0, [0, 1], None)
        """
        if not self._stack:
            return None
        last = self._stack[-1]
        now = self.current(last.row)
        if not _same(now, last.new):
            raise DataMismatchError(
                f"Cannot undo the {last.decision!r} of row {last.row!r}: its label is {now!r} "
                f"now, not {last.new!r} as the review set it, so it was changed elsewhere. "
                "Nothing was changed; set the label you want with a new decision."
            )
        if not _same(now, last.old):
            self._write(last.row, last.old, reason="review: undo", score=last.score)
        self._stack.pop()
        return last

    def _write(self, row: Hashable, value: Any, *, reason: str, score: float) -> None:
        if self.dataset is not None:
            # A mask works whatever the dataset's key is (index or key columns).
            mask = np.asarray(self.frame.index == row, dtype=bool)
            self.dataset.relabel(
                mask,
                value,
                column=self.label,
                reason=reason,
                source=f"review: label issue, score {score:.2f}",
            )
            return
        pos, col = self._loc(row)
        # The store's rules: refuse a value that would change the column's dtype.
        array, new_dtype = coerce_values(
            self.frame.dtypes.iloc[col], [value], column=str(self.label), func="review"
        )
        if new_dtype is not None:
            widened = self.frame.iloc[:, col].cat.set_categories(new_dtype.categories)
            self.frame.isetitem(col, widened)
            # No Series viewing the column may stay alive while it is written: pandas 2.2's
            # copy-on-write "warn" mode would flag the write as a chained assignment.
            del widened
        assign(self.frame, np.array([pos]), col, array)
