"""``dci.review(df, label=..., issues=...)``: fix suspected label errors at keyboard speed.

A thin anywidget over :class:`~jupyter_dci.core.review._session.ReviewSession`. The view
pulls one suspect at a time by request id (``{type: "suspect", id, index}``) and sends
decisions (``{type: "decide", id, index, action, class_index?}``, answered with the next
suspect so a key press costs one round trip), undos (``{type: "undo", id}``), filters
(``{type: "filter", id, given?, suggested?, max_score?, min_score?}``, class indices) and
asks for the confusion counts (``{type: "confusion", id}``); the kernel answers with the
fields asked for, or with ``{type: "error", id, error}`` which the view shows inline.
Synced traits hold only small state: the classes and their keys, the counts, the filter
and the current position. Indices count in the filtered queue.
"""

from __future__ import annotations

import base64
import logging
import math
import time
from collections import deque
from typing import Any, Literal

import anywidget
import pandas as pd
import traitlets

from jupyter_dci.core.review import MAX_CONFUSION_CLASSES, ReviewSession, key_map
from jupyter_dci.core.review._lazy import is_keyed_dataset, pull_suspects, review_data
from jupyter_dci.core.review._queue import issue_frame
from jupyter_dci.core.table._cells import Cell, column_kind, display_name, format_value

# _to_uint8: the same 0-255 scaling as the table's thumbnails, for the larger picture.
from jupyter_dci.core.table._images import MAX_EMBED_BYTES, _to_uint8, encode_png, image_kind
from jupyter_dci.errors import InvalidParameterError, param_error
from jupyter_dci.widgets._base import read_bundle, reply_safely

__all__ = ["ReviewWidget", "review"]

log = logging.getLogger(__name__)

#: Longest side of the large picture of an image feature (the view scales it up further).
_PICTURE_SIDE = 256
#: Features shown per suspect; wider frames show the first ones and say how many were left.
_MAX_FEATURES = 200
#: Wall-clock times of the last decisions written from the view, for the latency benchmark.
_WRITE_TIMES_KEPT = 1000


def _text(value: Any) -> str:
    """Return the plain text of a label, for buttons and the decision log."""
    cell = format_value(value)
    if isinstance(cell, str):
        return cell
    return cell.get("full") or next(iter(cell.values()))


def _picture(value: Any) -> Cell:
    """Make a larger thumbnail than a table cell's, to judge an image by (arrays only)."""
    if image_kind(value) != "array":
        return format_value(value)
    try:
        h, w = value.shape[:2]
        step = max(1, math.ceil(max(h, w) / _PICTURE_SIDE))
        small = value[::step, ::step]
        if small.ndim == 3 and small.shape[2] == 1:
            small = small[:, :, 0]
        data = encode_png(_to_uint8(small))
    except Exception:  # an odd array: fall back to the table's thumbnail
        return format_value(value)
    if len(data) > 4 * MAX_EMBED_BYTES:
        return format_value(value)
    shape = "x".join(str(s) for s in value.shape)
    url = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return {"img": url, "alt": f"{shape} array ({value.dtype})"}


class ReviewWidget(anywidget.AnyWidget):
    """A panel that walks suspected label errors and writes each decision into the frame.

    Make one with :func:`review`. Read the decisions with :attr:`decisions`; with a
    tracked dataset, commit them with ``dataset.commit(...)``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [0, 1, 1]})
    >>> issues = pd.DataFrame({"given_label": [1], "suggested_label": [0],
    ...                        "label_score": [0.02], "is_label_issue": [True]}, index=[2])
    >>> panel = review(df, label="y", issues=issues)
    >>> panel.decide(0, "accept")
    >>> panel.decisions[["row", "old", "new", "decision"]].values.tolist()
    [[2, 1, 0, 'accept']]
    >>> panel.undo()
    >>> df["y"].tolist(), panel.n_reviewed
    ([0, 1, 1], 0)
    """

    _esm = traitlets.Unicode().tag(sync=True)
    #: Text of each class, in class order.
    classes = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)
    #: Key of each class ("" for a class without a key).
    class_keys = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)
    #: The label column's name.
    label = traitlets.Unicode("", read_only=True).tag(sync=True)
    #: Suspects of the review, whatever the filter.
    n_suspects = traitlets.Int(0, read_only=True).tag(sync=True)
    n_reviewed = traitlets.Int(0, read_only=True).tag(sync=True)
    n_relabelled = traitlets.Int(0, read_only=True).tag(sync=True)
    n_kept = traitlets.Int(0, read_only=True).tag(sync=True)
    #: Suspects in the filtered queue, and how many of them have a decision.
    n_shown = traitlets.Int(0, read_only=True).tag(sync=True)
    n_shown_reviewed = traitlets.Int(0, read_only=True).tag(sync=True)
    #: The filter: class indices of the given and suggested labels kept ([] for any;
    #: ``len(classes)`` stands for given labels that are not classes), and score bounds.
    filter_given = traitlets.List(traitlets.Int(), read_only=True).tag(sync=True)
    filter_suggested = traitlets.List(traitlets.Int(), read_only=True).tag(sync=True)
    filter_max_score = traitlets.Float(None, allow_none=True, read_only=True).tag(sync=True)
    filter_min_score = traitlets.Float(None, allow_none=True, read_only=True).tag(sync=True)
    #: What the rows scope is ("" for none): set by :meth:`restrict`, e.g. when a slice
    #: is clicked in the workbench; kept under any other filter until cleared.
    filter_rows = traitlets.Unicode("", read_only=True).tag(sync=True)
    #: The suspect shown, as an index of the filtered queue (0 is the worst); set it to
    #: move the view.
    current = traitlets.Int(0).tag(sync=True)
    #: Bumped when decisions change from Python, so the view fetches the suspect again.
    _version = traitlets.Int(0).tag(sync=True)

    def __init__(self, session: ReviewSession) -> None:
        self._session = session
        # time.time() just after each decision from the view reached the frame: the
        # benchmark compares it with the page's Date.now() at the key press (same clock).
        self._write_times: deque[float] = deque(maxlen=_WRITE_TIMES_KEPT)
        super().__init__(_esm=read_bundle("review"))
        self.set_trait("classes", [_text(c) for c in session.classes])
        self.set_trait("class_keys", key_map(len(session.classes)))
        self.set_trait("label", display_name(session.label))
        self.set_trait("n_suspects", session.n_suspects)
        self._sync_filter()
        self._sync_counts()
        self.on_msg(self._on_custom_msg)

    @traitlets.validate("current")
    def _check_current(self, proposal: dict[str, Any]) -> int:
        value = proposal["value"]
        n = self._session.n_shown
        if n and not 0 <= value < n:
            raise param_error("current", "ReviewWidget", f"an int in [0, {n})", value)
        return int(value)

    # ---- public API ---------------------------------------------------------------

    @property
    def session(self) -> ReviewSession:
        """The review state underneath (UI-free)."""
        return self._session

    @property
    def frame(self) -> pd.DataFrame:
        """The DataFrame being fixed (the caller's object, not a copy)."""
        return self._session.frame

    @property
    def decisions(self) -> pd.DataFrame:
        """The decisions standing: ``row, old, new, decision, score, time``, oldest first."""
        return self._session.decisions

    def decide(self, index: int, action: str, value: Any = None) -> None:
        """Decide on suspect ``index`` from Python, as a key press does; the view follows.

        ``action`` is ``"relabel"`` (with ``value``, one of the classes), ``"accept"`` or
        ``"keep"``; see :meth:`ReviewSession.decide`.
        """
        self._session.decide(index, action, value)
        self._sync_counts()
        self._version += 1

    def undo(self) -> None:
        """Undo the last decision, as the ``u`` key does.

        When the suspect it concerned is outside the filter, the filter is cleared so
        the view can show it.
        """
        index = self._undo()
        if index is not None:
            self.current = index
        self._version += 1

    def filter(
        self,
        given: Any = None,
        suggested: Any = None,
        max_score: float | None = None,
        min_score: float | None = None,
    ) -> int:
        """Show only some suspects: by given and suggested label, and by score.

        Decisions made stay; ``filter()`` shows every suspect again. See
        :meth:`ReviewSession.filter`.

        Returns
        -------
        int
            The number of suspects the filter keeps.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1, 1, 0]})
        >>> issues = pd.DataFrame({"given_label": [1, 1, 0], "suggested_label": [0, 0, 1],
        ...                        "label_score": [0.02, 0.3, 0.1],
        ...                        "is_label_issue": [True, True, True]}, index=[1, 2, 3])
        >>> panel = review(df, label="y", issues=issues)
        >>> panel.filter(given=1, max_score=0.2)
        1
        >>> panel.filter_given, panel.filter_max_score, panel.n_shown
        ([1], 0.2, 1)
        """
        n = self._session.filter(given, suggested, max_score, min_score)
        self._sync_filter()
        self._sync_counts()
        self.current = 0
        self._version += 1
        return n

    def restrict(self, rows: Any = None, caption: str = "") -> int:
        """Review only the suspects among some rows (a boolean mask over the frame's rows).

        The scope stays under the other filters until ``restrict(None)`` or the panel's
        "Clear filter"; see :meth:`ReviewSession.restrict`.

        Returns
        -------
        int
            The number of suspects shown.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1, 1, 0], "x": [5, 6, 7, 8]})
        >>> issues = pd.DataFrame({"given_label": [1, 1, 0], "suggested_label": [0, 0, 1],
        ...                        "label_score": [0.02, 0.3, 0.1],
        ...                        "is_label_issue": [True, True, True]}, index=[1, 2, 3])
        >>> panel = review(df, label="y", issues=issues)
        >>> panel.restrict((df["x"] >= 7).to_numpy(), "x >= 7"), panel.filter_rows
        (2, 'x >= 7')
        """
        n = self._session.restrict(rows, caption)
        self._sync_filter()
        self._sync_counts()
        self.current = 0
        self._version += 1
        return n

    def confusion(self, max_classes: int = MAX_CONFUSION_CLASSES) -> pd.DataFrame:
        """Count the suspects by given (rows) and suggested (columns) label.

        The panel shows the same counts; classes past ``max_classes`` are summed in an
        ``"other"`` row and column.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [0, 1, 1]})
        >>> issues = pd.DataFrame({"given_label": [1, 1], "suggested_label": [0, 0],
        ...                        "label_score": [0.02, 0.3], "is_label_issue": [True, True]},
        ...                       index=[1, 2])
        >>> review(df, label="y", issues=issues).confusion().loc["1", "0"]
        np.int64(2)
        """
        return self._session.confusion(max_classes).to_frame()

    # ---- internals ----------------------------------------------------------------

    def _sync_counts(self) -> None:
        s = self._session
        self.set_trait("n_reviewed", s.n_reviewed)
        self.set_trait("n_relabelled", s.n_relabelled)
        self.set_trait("n_kept", s.n_kept)
        self.set_trait("n_shown_reviewed", s.n_shown_reviewed)

    def _sync_filter(self) -> None:
        f = self._session.filters
        # n_shown first: the view reads it when the filter traits change.
        self.set_trait("n_shown", self._session.n_shown)
        self.set_trait("filter_given", f.get("given", []))
        self.set_trait("filter_suggested", f.get("suggested", []))
        self.set_trait("filter_max_score", f.get("max_score"))
        self.set_trait("filter_min_score", f.get("min_score"))
        self.set_trait("filter_rows", self._session.scope)

    def _undo(self) -> int | None:
        """Undo the last decision; return its suspect's index in the (maybe cleared) filter."""
        done = self._session.undo()
        if done is None:
            self._sync_counts()
            return None
        index = self._session.index_of(done.position)
        if index is None:
            # The undone suspect is filtered out: show everything, so the undo is visible.
            self._session.restrict(None)
            self._session.filter()
            self._sync_filter()
            index = done.position
        self._sync_counts()
        return index

    def _class_index(self, value: Any) -> int:
        for i, c in enumerate(self._session.classes):
            try:
                if bool(c == value):
                    return i
            except (TypeError, ValueError):
                continue
        return -1

    def _features(self, row: Any) -> dict[str, Any]:
        frame = self.frame
        others = [i for i, c in enumerate(frame.columns) if c != self._session.label]
        pos = frame.index.get_loc(row)
        features = []
        for i in others[:_MAX_FEATURES]:
            kind = column_kind(frame.iloc[:, i])
            value = frame.iat[pos, i]
            cell = _picture(value) if kind == "image" else format_value(value)
            features.append({"name": display_name(frame.columns[i]), "kind": kind, "cell": cell})
        return {"features": features, "n_hidden": max(0, len(others) - _MAX_FEATURES)}

    def _suspect(self, index: Any) -> dict[str, Any]:
        s = self._session.suspect(index)
        decision = None
        if s.decision is not None:
            decision = {"action": s.decision.decision, "new": _text(s.decision.new)}
        return {
            "type": "suspect",
            "index": s.index,
            "position": s.position,
            "row": format_value(s.row),
            "given": _text(s.given),
            "given_class": self._class_index(s.given),
            "suggested": _text(s.suggested),
            "suggested_class": self._class_index(s.suggested),
            "score": s.score,
            "current": _text(s.current),
            "current_class": self._class_index(s.current),
            "decision": decision,
            **self._features(s.row),
        }

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        reply_safely(self, content, self._answer, "review")

    def _answer(self, content: dict[str, Any]) -> dict[str, Any]:
        kind = content.get("type")
        if kind == "suspect":
            return {**self._suspect(content.get("index")), "id": content["id"]}
        if kind == "decide":
            action = content.get("action")
            value = None
            if action == "relabel":
                k = content.get("class_index")
                n = len(self._session.classes)
                if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < n:
                    raise param_error("class_index", "review", f"an int in [0, {n})", k)
                value = self._session.classes[k]
            index = content.get("index")
            self._session.decide(index, str(action), value)
            self._write_times.append(time.time())
            self._sync_counts()
            nxt = min(int(index) + 1, self._session.n_shown - 1)
            # The next suspect rides along: one round trip per key press.
            return {
                "type": "decided",
                "id": content["id"],
                "index": index,
                "next": nxt,
                "suspect": self._suspect(nxt),
            }
        if kind == "undo":
            return {"type": "undone", "id": content["id"], "index": self._undo()}
        if kind == "filter":
            classes = {}
            for name in ("given", "suggested"):
                chosen = content.get(name)
                if chosen is not None and not isinstance(chosen, list):
                    raise param_error(name, "review", "a list of class indices or null", chosen)
                classes[name] = chosen or None
            self._session.filter_indices(
                given=classes["given"],
                suggested=classes["suggested"],
                max_score=content.get("max_score"),
                min_score=content.get("min_score"),
            )
            # After the filter is accepted (a bad one changes nothing): "Clear filter"
            # lifts the rows scope too.
            if content.get("scope") == "clear":
                self._session.restrict(None)
            self._sync_filter()
            self._sync_counts()
            return {"type": "filtered", "id": content["id"], "n_shown": self._session.n_shown}
        if kind == "confusion":
            c = self._session.confusion()
            return {
                "type": "confusion",
                "id": content["id"],
                "labels": list(c.labels),
                "groups": [list(g) for g in c.groups],
                "counts": c.counts.tolist(),
                "other": c.has_other,
            }
        raise InvalidParameterError(
            f"Unknown review request type {kind!r}; expected 'suspect', 'decide', 'undo', "
            "'filter' or 'confusion'."
        )


def review(
    df: Any,
    label: str | None = None,
    issues: Any = None,
    *,
    dataset: Any = None,
    classes: Any = None,
    include_all: bool = False,
    stale: Literal["raise", "skip"] = "raise",
    key: str | None = None,
) -> ReviewWidget:
    """Review suspected label errors one by one and fix them in the DataFrame itself.

    Suspects come worst first. Each shows its features (image data as a picture, long
    text in full), the given and suggested label and the score. Press a class's key
    (digits 0-9, then letters; shown on screen) to relabel, Enter to accept the
    suggestion, ``k`` to keep the given label, the arrows to move, ``u`` to undo; or click.
    Each decision is written into ``df`` at once (``df.loc[row, label]``, the same object)
    and recorded in :attr:`ReviewWidget.decisions`. Progress shows reviewed / flagged,
    fixed and kept. The controls above the suspect filter the queue by given label,
    suggested label and score (or call :meth:`ReviewWidget.filter`); the matrix of given
    vs suggested labels counts the suspects, and a click on a count reviews those.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to fix (changed in place; its index must be unique).
    label : str, optional
        The label column; by default the dataset's label column.
    issues : LabelIssues or pandas.DataFrame
        From :func:`find_label_issues`, computed on ``df`` as it is now.
    dataset : jupyter_dci.store.Dataset, optional
        The store dataset tracking ``df``: decisions become its pending edits (source
        ``"review: label issue, score 0.03"``), to commit with ``dataset.commit(...)``.
        An undo writes the old label back through the dataset, which nets the edit out.
    classes : sequence, optional
        The classes to offer; by default those of ``issues``.
    include_all : bool, default False
        Review every ranked row, not only the flagged ones.
    stale : {"raise", "skip"}, default "raise"
        Suspects whose label in ``df`` differs from the one the issues saw: refuse, or
        leave them out with a warning.
    key : str, optional
        For data kept in its engine (Polars, Arrow, DuckDB, files, or a ``LazyDataset``
        given as ``df`` or ``dataset``): the column naming rows, by default the dataset's
        key or the issues' index name. The suspects are read into pandas by key; with a
        dataset, each decision becomes its pending edit by key (commit with
        ``ds.commit(...)``); without one, decisions stay in :attr:`ReviewWidget.decisions`.

    Returns
    -------
    ReviewWidget
        The panel; display it (or leave it as a cell's last value).

    Raises
    ------
    InvalidParameterError, DataMismatchError
        A missing label column, issues not aligned with ``df``'s index, or a frame changed
        since the issues were computed (the rows are named).

    Examples
    --------
    >>> import pandas as pd
    >>> import jupyter_dci as dci
    >>> df = pd.DataFrame({"text": ["good", "bad", "fine"], "y": ["pos", "pos", "pos"]})
    >>> issues = pd.DataFrame({"given_label": ["pos"], "suggested_label": ["neg"],
    ...                        "label_score": [0.04], "is_label_issue": [True]}, index=[1])
    >>> panel = review(df, label="y", issues=issues, classes=["neg", "pos"])
    >>> panel.n_suspects, panel.class_keys
    (1, ['0', '1'])
    >>> panel.decide(0, "accept")
    >>> df["y"].tolist()
    ['pos', 'neg', 'pos']
    """
    if issues is None:
        raise param_error(
            "issues", "review", "a LabelIssues from find_label_issues(df[label], probs)", None
        )
    if is_keyed_dataset(df):  # review(ds, issues=...): the dataset stands for its data
        df, dataset = None, df
    if label is None and dataset is not None:
        label = getattr(dataset, "label", None)
    if label is None:
        raise param_error("label", "review", "the name of the label column", None)
    if is_keyed_dataset(dataset) or not isinstance(df, pd.DataFrame):
        df, dataset = pull_suspects(
            review_data(df, dataset),
            issue_frame(issues, include_all),
            label=label,
            key=key,
            dataset=dataset,
        )
    session = ReviewSession(
        df,
        label=label,
        issues=issues,
        dataset=dataset,
        classes=classes,
        include_all=include_all,
        stale=stale,
    )
    return ReviewWidget(session)
