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

The queue and its filters (by given label, suggested label, score range, rows scope) live
in :class:`~jupyter_dci.core.review._queue.SuspectQueue`; the records in ``_decisions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from jupyter_dci.core.engine._inputs import pandas_only
from jupyter_dci.core.review._decisions import (
    ACTIONS,
    MAX_CONFUSION_CLASSES,
    Confusion,
    Decision,
    Suspect,
    _plain,
    _same,
    _shown,
    key_map,
)
from jupyter_dci.core.review._queue import (
    SuspectQueue,
    check_rows,
    class_list,
    drop_stale,
    issue_frame,
)
from jupyter_dci.core.review._writing import relabel_through, write_label
from jupyter_dci.errors import DataMismatchError, param_error

__all__ = ["Confusion", "Decision", "ReviewSession", "Suspect", "key_map"]


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
        pandas_only(frame, "review")
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
        table = issue_frame(issues, include_all)
        self.classes = class_list(issues, table, classes)
        check_rows(table, frame, label, self.classes)
        self._suspects = drop_stale(table, frame, label, stale)
        self._queue = SuspectQueue(self._suspects, self.classes)
        self._stack: list[Decision] = []

    # ---- reading -------------------------------------------------------------------

    @property
    def n_suspects(self) -> int:
        """Number of suspects of the review, whatever the filter."""
        return len(self._suspects)

    @property
    def n_shown(self) -> int:
        """Number of suspects in the filtered queue (all of them when no filter is set)."""
        return self._queue.n_shown

    @property
    def n_shown_reviewed(self) -> int:
        """Suspects of the filtered queue with a standing decision."""
        standing = np.fromiter(self._standing(), dtype=np.intp)
        return int(np.isin(standing, self._queue.view).sum())

    @property
    def filters(self) -> dict[str, Any]:
        """The filter set: ``given`` and ``suggested`` (class indices), score bounds.

        Keys are present only for the parts set; ``{}`` when the whole queue is shown.
        A rows scope (:meth:`restrict`) adds ``rows``, its caption.
        """
        queue = self._queue
        if queue.scope is None:
            return dict(queue.filter)
        return {**queue.filter, "rows": queue.scope_caption}

    @property
    def scope(self) -> str:
        """The caption of the rows scope set by :meth:`restrict` ("" when none is set)."""
        return self._queue.scope_caption

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
            self._queue.set_scope(None, "")
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
            self._queue.set_scope(mask[positions], str(caption) or f"{int(mask.sum()):,} rows")
        return self._queue.refilter()

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
        return self._queue.index_of(position)

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
        i = self._queue.position(index)
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
            given=self._queue.class_indices("given", given),
            suggested=self._queue.class_indices("suggested", suggested),
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
        return self._queue.filter_indices(
            given=given, suggested=suggested, max_score=max_score, min_score=min_score
        )

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
        return self._queue.confusion(max_classes)

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
        i = self._queue.position(index)
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
            relabel_through(self.dataset, self.frame, self.label, row, value, reason, score)
        else:
            write_label(self.frame, self._loc(row), self.label, value)
