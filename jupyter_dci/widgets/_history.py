"""``ds.history()``: the history panel of a tracked dataset, as an anywidget.

The panel shows the version timeline, the pending edits with a commit box, the diff
between two versions, the blame of a row, and checkout/revert actions. Its tables
(``diff``, ``pending``, ``checkout``) are the paged table view: each is a
:class:`~jupyter_dci.core.table._pager.FramePager` kept in the kernel, and the view pulls
pages by request id with ``{target, type: "page" | "select", id, ...}``. Actions are
requests too (``commit``, ``discard``, ``revert``, ``checkout``, ``blame``), answered
with ``{type: "done" | "blame", id, ...}`` or ``{type: "error", id, error}`` shown
inline. Synced traits hold only small state: the newest versions, counts, the two
versions compared, and each table's columns and row count, never a frame or a diff.

The panel follows its dataset through the store's events (``store/_events.py``):
after an edit or a commit, made anywhere in the kernel, it refreshes once the running
cell or message handler is done, so a loop of many edits costs one refresh.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import logging
import weakref
from typing import Any

import anywidget
import pandas as pd
import traitlets

from jupyter_dci.core.table._cells import format_value
from jupyter_dci.core.table._pager import FramePager
from jupyter_dci.errors import DCIError, InvalidParameterError, param_error
from jupyter_dci.store import Dataset
from jupyter_dci.store._events import subscribe, unsubscribe
from jupyter_dci.widgets._base import answer_table_request, read_bundle, reply_safely

__all__ = ["HistoryWidget", "history"]

log = logging.getLogger(__name__)

#: Newest versions kept in the ``versions`` trait; older ones are counted, not listed.
MAX_VERSIONS = 500
#: Changes of one row sent by a blame request (the newest ones when there are more).
MAX_BLAME = 1000
#: Pending edits listed in the pending table; beyond it only their count is shown: the
#: panel reads ``Dataset.pending()`` after each burst of edits, ~0.1 s for 20,000 cells.
MAX_PENDING_LISTED = 20_000
#: Changed cells read per store call when a diff is loaded into its table.
_DIFF_CHUNK = 100_000
_TARGETS = ("diff", "pending", "checkout")
_CHANGE_COLUMNS = ["column", "old", "new", "author", "reason", "source", "version", "time"]
_PENDING_COLUMNS = ["column", "old", "new", "author", "reason", "source", "time"]


def _text(value: Any) -> str:
    """Plain text of a value, as a table cell shows it (full text, never markup)."""
    cell = format_value(value)
    if isinstance(cell, str):
        return cell
    return cell.get("full") or next(iter(cell.values()))


def _changes_table(changes: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[Any]]:
    """Index a changes frame (one row per cell) by row key; return it and the raw keys."""
    keys = changes["row"].tolist()
    # tupleize_cols=False: a key of several columns stays one tuple, not a MultiIndex.
    index = pd.Index(keys, dtype=object, name="row", tupleize_cols=False)
    frame = changes[columns].copy()
    frame.index = index
    return frame, keys


class _Table:
    """One paged table of the panel: its pager, the raw row keys and a data version."""

    def __init__(self, frame: pd.DataFrame, keys: list[Any] | None = None) -> None:
        self.pager = FramePager(frame)
        self.keys = keys
        self.data_version = 0

    def replace(self, frame: pd.DataFrame, keys: list[Any] | None = None) -> None:
        self.pager = FramePager(frame)
        self.keys = keys
        self.data_version += 1

    def state(self) -> dict[str, Any]:
        pager = self.pager
        return {
            "_columns": [c.to_dict() for c in pager.columns],
            "_index_name": pager.index_name,
            "_index_dtype": pager.index_dtype,
            "_row_height": 56 if any(c.kind == "image" for c in pager.columns) else 28,
            "_data_version": self.data_version,
            "_selection_version": 0,
            "n_rows": pager.n_rows,
            "selection_count": len(pager.selected_positions()),
        }


def _key_like(value: Any) -> bool:
    """Whether a typed literal can be a row key: a number, text or a tuple of them."""
    if isinstance(value, tuple):
        return bool(value) and all(_key_like(v) and not isinstance(v, tuple) for v in value)
    return isinstance(value, int | float | str | bytes) and not isinstance(value, bool)


class HistoryWidget(anywidget.AnyWidget):
    """The history panel of a tracked dataset: versions, pending edits, diff, blame, actions.

    Make one with ``ds.history()``. The versions compared are :attr:`diff_a` (old) and
    :attr:`diff_b` (new); set them from Python or pick them in the timeline. After a
    checkout from the panel the frame is in :attr:`checked_out`.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    #: The dataset's name.
    name = traitlets.Unicode("", read_only=True).tag(sync=True)
    #: The newest versions (at most MAX_VERSIONS), newest first, as small dicts.
    versions = traitlets.List(traitlets.Dict(), read_only=True).tag(sync=True)
    #: How many versions the dataset has.
    n_versions = traitlets.Int(0, read_only=True).tag(sync=True)
    #: The newest version's id.
    head = traitlets.Int(0, read_only=True).tag(sync=True)
    #: Uncommitted changed cells.
    n_pending = traitlets.Int(0, read_only=True).tag(sync=True)
    #: The versions compared: old values at ``diff_a``, new values at ``diff_b``.
    diff_a = traitlets.Int(0).tag(sync=True)
    diff_b = traitlets.Int(0).tag(sync=True)
    #: Changed cells between ``diff_a`` and ``diff_b``.
    n_diff = traitlets.Int(0, read_only=True).tag(sync=True)
    #: The version shown in the checkout table (0: none).
    checked_out_version = traitlets.Int(0, read_only=True).tag(sync=True)
    #: An error not tied to a request (e.g. a bad pair of versions set from Python).
    error = traitlets.Unicode("", read_only=True).tag(sync=True)
    #: Height of each table in pixels.
    height = traitlets.Int(360).tag(sync=True)
    # The table traits of each paged table, by target (small: columns and counts).
    _tables = traitlets.Dict().tag(sync=True)

    def __init__(self, dataset: Dataset, *, height: int = 360) -> None:
        if not isinstance(dataset, Dataset):
            raise param_error("dataset", "history", "a tracked Dataset", type(dataset).__name__)
        if not isinstance(height, int) or isinstance(height, bool) or not 120 <= height <= 4000:
            raise param_error("height", "history", "an int number of pixels in [120, 4000]", height)
        self._dataset = dataset
        #: The frame of the last checkout made from the panel (None before).
        self.checked_out: pd.DataFrame | None = None
        self._diff = _Table(pd.DataFrame(columns=_CHANGE_COLUMNS))
        self._pending = _Table(pd.DataFrame(columns=_PENDING_COLUMNS))
        self._checkout = _Table(pd.DataFrame())
        self._refresh_queued = False
        self._loaded_pair: tuple[int, int] | None = None
        super().__init__(_esm=read_bundle("history"), height=height)
        self.set_trait("name", dataset.name)
        self._refresh(initial=True)
        self.on_msg(self._on_custom_msg)
        self.observe(self._on_pair, names=["diff_a", "diff_b"])
        # A weak reference: the store's registry must not keep a closed panel alive.
        ref = weakref.ref(self)

        def on_event(ds: Any, _kind: str) -> None:
            widget = ref()
            if widget is None:
                unsubscribe(on_event)
            elif ds is widget._dataset:
                widget._queue_refresh()

        self._on_event = on_event
        subscribe(on_event)

    # ---- public API ---------------------------------------------------------------

    @property
    def dataset(self) -> Dataset:
        """The dataset shown."""
        return self._dataset

    @property
    def diff_frame(self) -> pd.DataFrame:
        """The diff shown (one row per changed cell, indexed by row key)."""
        return self._diff.pager.frame

    def refresh(self) -> None:
        """Read the dataset again (the panel does it by itself after store events)."""
        self._refresh()

    def close(self) -> None:
        """Close the panel and stop following the dataset."""
        on_event = getattr(self, "_on_event", None)  # absent when __init__ refused its input
        if on_event is not None:
            unsubscribe(on_event)
        super().close()

    # ---- state --------------------------------------------------------------------

    def _queue_refresh(self) -> None:
        # In a kernel, refresh once the running cell or message handler is done: a loop
        # of 1,000 relabels then costs one refresh. Without a running loop, at once.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._refresh()
            return
        if not self._refresh_queued:
            self._refresh_queued = True
            loop.call_soon(self._refresh_if_queued)

    def _refresh_if_queued(self) -> None:
        # An action of the panel may have refreshed it already since the event.
        if self._refresh_queued:
            self._refresh()

    def _refresh(self, *, initial: bool = False) -> None:
        self._refresh_queued = False
        ds = self._dataset
        old_head = self.head
        head = ds.head.id
        if initial or head != old_head:
            # Versions never change once committed: read them again only for a new HEAD,
            # one cheap lookup each (ids run 1..HEAD: history is linear).
            newest = [ds.version(v) for v in range(head, max(0, head - MAX_VERSIONS), -1)]
            self.set_trait("versions", [v.to_dict() for v in newest])
            self.set_trait("n_versions", head)
            self.set_trait("head", head)
        n_pending = ds.n_pending
        listed = ds.pending() if n_pending <= MAX_PENDING_LISTED else self._empty_changes()
        pending, keys = _changes_table(listed, _PENDING_COLUMNS)
        self._pending.replace(pending, keys)
        self.set_trait("n_pending", n_pending)
        # The pair follows HEAD while it is the default HEAD~1..HEAD.
        following = initial or (self.diff_b == old_head and self.diff_a == max(1, old_head - 1))
        if following:
            with self.hold_trait_notifications():
                self.diff_a, self.diff_b = max(1, head - 1), head
        self._load_diff()

    def _sync_tables(self) -> None:
        self._tables = {
            "diff": self._diff.state(),
            "pending": self._pending.state(),
            "checkout": self._checkout.state(),
        }

    def _on_pair(self, _change: Any) -> None:
        self._load_diff()

    def _load_diff(self) -> None:
        a, b = self.diff_a, self.diff_b
        # Versions never change once committed, so a pair's diff is loaded once.
        if (a, b) == self._loaded_pair:
            self.set_trait("error", "")
            self._sync_tables()
            return
        try:
            for name, v in (("diff_a", a), ("diff_b", b)):
                if not 1 <= v <= self.head:
                    raise param_error(name, "history", f"a version id in [1, {self.head}]", v)
            parts = []
            total = self._dataset.diff(a, b, limit=0).total
            for offset in range(0, total, _DIFF_CHUNK):
                parts.append(self._dataset.diff(a, b, offset=offset, limit=_DIFF_CHUNK).to_frame())
        except DCIError as exc:
            self.set_trait("error", str(exc))
            return
        self.set_trait("error", "")
        changes = pd.concat(parts, ignore_index=True) if parts else self._empty_changes()
        frame, keys = _changes_table(changes, _CHANGE_COLUMNS)
        self._diff.replace(frame, keys)
        self._loaded_pair = (a, b)
        self.set_trait("n_diff", len(frame))
        self._sync_tables()

    def _empty_changes(self) -> pd.DataFrame:
        return self._dataset.diff(1, 1, limit=0).to_frame()

    # ---- requests -----------------------------------------------------------------

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        # "target" says which of the panel's tables asked: every reply carries it back.
        reply_safely(self, content, self._answer, "history", echo=("target",))

    def _answer(self, content: dict[str, Any]) -> dict[str, Any]:
        rid, kind, target = content["id"], content.get("type"), content.get("target")
        if target is not None:
            return self._answer_table(target, kind, content)
        ds = self._dataset
        if kind == "commit":
            message = content.get("message")
            if not isinstance(message, str) or not message.strip():
                raise param_error("message", "commit", "a non-empty text", message)
            version = ds.commit(message.strip())
            self._refresh()
            return {"type": "done", "id": rid, "text": f"Committed version {version.id}."}
        if kind == "discard":
            n = ds.discard()
            self._refresh()
            return {"type": "done", "id": rid, "text": f"Discarded {n} pending edit(s)."}
        if kind == "revert":
            version = ds.revert(self._version_param(content, "revert"))
            self._refresh()
            text = f"Version {version.id} reverts version {version.revert_of}."
            return {"type": "done", "id": rid, "text": text}
        if kind == "checkout":
            vid = self._version_param(content, "checkout")
            self.checked_out = ds.checkout(vid)
            self._checkout.replace(self.checked_out)
            self.set_trait("checked_out_version", vid)
            self._sync_tables()
            text = f"Checked out version {vid}: a new DataFrame in `panel.checked_out`."
            return {"type": "done", "id": rid, "text": text}
        if kind == "blame":
            return self._blame(rid, content)
        raise InvalidParameterError(
            f"Unknown history request type {kind!r}; expected one of page, select, commit, "
            "discard, revert, checkout, blame."
        )

    def _version_param(self, content: dict[str, Any], func: str) -> int:
        vid = content.get("version")
        if isinstance(vid, bool) or not isinstance(vid, int) or not 1 <= vid <= self.head:
            raise param_error("version", func, f"a version id in [1, {self.head}]", vid)
        return vid

    def _table(self, target: Any) -> _Table:
        if target not in _TARGETS:
            raise InvalidParameterError(
                f"Unknown history table {target!r}; expected one of {', '.join(_TARGETS)}."
            )
        return {"diff": self._diff, "pending": self._pending, "checkout": self._checkout}[target]

    def _answer_table(self, target: Any, kind: Any, content: dict[str, Any]) -> dict[str, Any]:
        table = self._table(target)
        reply = answer_table_request(table.pager, content)
        if reply is None:
            raise InvalidParameterError(
                f"Unknown table request type {kind!r}; expected 'page' or 'select'."
            )
        if reply["type"] == "selection":
            self._sync_tables()
        return reply

    def _blame_key(self, content: dict[str, Any]) -> Any:
        source = content.get("from")
        if source is not None:
            table = self._table(source)
            positions = table.pager.selected_positions()
            if len(positions) != 1 or table.keys is None:
                raise InvalidParameterError(
                    f"Blame needs exactly one selected row in the {source} table; "
                    f"{len(positions)} are selected. Click one row."
                )
            return table.keys[int(positions[0])]
        text = content.get("row")
        if not isinstance(text, str) or not text.strip():
            raise param_error("row", "blame", "a row key as text (e.g. 17 or 'r17')", text)
        return text.strip()

    def _blame(self, rid: int, content: dict[str, Any]) -> dict[str, Any]:
        key = self._blame_key(content)
        ds = self._dataset
        if isinstance(key, str) and content.get("from") is None:
            # Typed text: try it as a Python literal (17, 'a', (1, 'x')), then as text.
            candidates: list[Any] = []
            with contextlib.suppress(ValueError, SyntaxError, MemoryError, RecursionError):
                literal = ast.literal_eval(key)
                # Only what can be a row key: a dict, list or set typed in the box is text.
                if _key_like(literal):
                    candidates.append(literal)
            candidates.append(key)
            errors: list[DCIError] = []
            for candidate in candidates:
                try:
                    frame = ds.blame(candidate)
                    key = candidate
                    break
                except DCIError as exc:
                    errors.append(exc)
            else:
                raise errors[0]
        else:
            frame = ds.blame(key)
        total = len(frame)
        frame = frame.iloc[-MAX_BLAME:]
        changes = [
            {
                "version": int(r["version"]) if not pd.isna(r["version"]) else None,
                "column": _text(r["column"]),
                "old": _text(r["old"]),
                "new": _text(r["new"]),
                "author": _text(r["author"]),
                "reason": _text(r["reason"]),
                "source": _text(r["source"]),
                "time": pd.Timestamp(r["time"]).isoformat() if not pd.isna(r["time"]) else "",
            }
            for _, r in frame.iterrows()
        ]
        return {"type": "blame", "id": rid, "row": _text(key), "total": total, "changes": changes}

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        if data is not None:
            data = dict(data)
            data["text/plain"] = (
                f"<jupyter_dci history of {self.name!r}: {self.n_versions} version(s), "
                f"{self.n_pending} pending edit(s) (the panel needs a running kernel)>"
            )
        return (data, meta) if isinstance(bundle, tuple) else data


def history(dataset: Dataset, *, height: int = 360) -> HistoryWidget:
    """Show the history panel of a tracked dataset (what ``ds.history()`` returns).

    The panel lists the versions (pick two to diff them; HEAD~1..HEAD by default), the
    pending edits with a commit box, the blame of a row (type its key, or click a row
    of the diff), and checks out or reverts a version after a confirmation.

    Parameters
    ----------
    dataset : Dataset
        A tracked dataset (``dci.track(...)`` or ``dci.open(...)``).
    height : int, default 360
        Height of each table in pixels, 120 to 4000.

    Returns
    -------
    HistoryWidget
        The panel.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> import jupyter_dci as dci
    >>> df = pd.DataFrame({"y": ["a", "b"]})
    >>> ds = dci.track(df, name="d", label="y", root=tempfile.mkdtemp())
    >>> _ = ds.relabel(1, "c", reason="typo"); _ = ds.commit("fix row 1")
    >>> panel = history(ds)
    >>> panel.head, (panel.diff_a, panel.diff_b), panel.diff_frame["new"].tolist()
    (2, (1, 2), ['c'])
    """
    return HistoryWidget(dataset, height=height)
