"""``dci.table(df)``: a paged DataFrame view as an anywidget.

The kernel keeps the frame; the view pulls one page of rows at a time by request id
(offset, limit, sort, filter) and gets the rows back, or ``{id, error}`` which it shows
inline. Only small UI state lives in synced traits: never the frame itself.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Hashable, Iterable
from typing import Any

import anywidget
import numpy as np
import pandas as pd
import traitlets

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.table._cells import display_name, format_value
from jupyter_dci.core.table._lazy_pager import LazyPager
from jupyter_dci.core.table._pager import FramePager, SortSpec
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, param_error
from jupyter_dci.widgets._base import answer_table_request, read_bundle, reply_safely
from jupyter_dci.widgets._protocol import parse_filter, parse_sort

__all__ = ["TableWidget", "table"]

log = logging.getLogger(__name__)

#: Rows and columns of the static HTML summary kept beside the widget in saved notebooks.
_SUMMARY_ROWS, _SUMMARY_COLS, _SUMMARY_CHARS = 10, 12, 40


def _pager_of(data: Any) -> FramePager | LazyPager:
    """Return a pandas frame's pager, or one that pushes pages down to the data's engine."""
    if isinstance(data, pd.DataFrame):
        return FramePager(data)
    if isinstance(data, pd.Series):
        return FramePager(data.to_frame(name=data.name if data.name is not None else "value"))
    return LazyPager(as_source(data, "table"))


class TableWidget(anywidget.AnyWidget):
    """A paged, sortable, filterable view of a DataFrame whose selected rows Python can read.

    Make one with :func:`table`. The frame is referenced, not copied; after changing it
    in place, call :meth:`refresh`.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    _index_name = traitlets.Unicode("index").tag(sync=True)
    _index_dtype = traitlets.Unicode("").tag(sync=True)
    _row_height = traitlets.Int(28).tag(sync=True)
    _data_version = traitlets.Int(0).tag(sync=True)
    _selection_version = traitlets.Int(0).tag(sync=True)
    _sort = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    #: The filter expression in the view (predicate language); set it to filter from Python.
    filter = traitlets.Unicode("").tag(sync=True)
    #: Rows in the frame.
    n_rows = traitlets.Int(0, read_only=True).tag(sync=True)
    #: How many rows are selected.
    selection_count = traitlets.Int(0, read_only=True).tag(sync=True)
    #: Height of the view in pixels.
    height = traitlets.Int(420).tag(sync=True)
    #: True when the code gave no height: JupyterLab's "rows per page" setting, if set, wins.
    _default_height = traitlets.Bool(False).tag(sync=True)
    #: What the rows shown are, when the view is restricted to some rows (see show_rows).
    caption = traitlets.Unicode("").tag(sync=True)
    #: Rows the view is restricted to (equals n_rows when it shows all rows).
    n_shown = traitlets.Int(0, read_only=True).tag(sync=True)

    def __init__(
        self, data: pd.DataFrame | pd.Series, *, height: int | None = None, filter: str = ""
    ) -> None:
        given = height is not None
        if height is None:
            height = 420
        if not isinstance(height, int) or isinstance(height, bool) or not 120 <= height <= 4000:
            raise param_error("height", "table", "an int number of pixels in [120, 4000]", height)
        self._pager = _pager_of(data)
        super().__init__(
            _esm=read_bundle("table"),
            height=height,
            _default_height=not given,
            filter=parse_filter(filter),
        )
        self._sync_schema()
        self.on_msg(self._on_custom_msg)

    @traitlets.validate("filter")
    def _check_filter(self, proposal: Any) -> str:
        """Refuse a filter set from Python that the data cannot answer, where it is set.

        A filter typed in the view is checked by the page request that follows (the view shows
        the error under its box); one set from Python (``view.filter = "agee < 25"``) would
        otherwise fail only inside the view, after the cell had run.
        """
        value = parse_filter(proposal["value"])
        from_view = "filter" in getattr(self, "_property_lock", {})
        if value and not from_view and hasattr(self, "_pager"):
            self._pager.check_filter(value)
        return value

    # ---- public API ---------------------------------------------------------------

    @property
    def frame(self) -> pd.DataFrame:
        """The DataFrame shown (the caller's object, not a copy).

        Raises
        ------
        DataMismatchError
            For data shown from its own engine (Polars, DuckDB, files): it has no frame here.
        """
        if isinstance(self._pager, LazyPager):
            raise DataMismatchError(
                f"This table shows {self._pager.source.description}, whose rows stay in "
                f"{self._pager.source.engine}: there is no pandas frame behind it. Read the "
                "rows you need into pandas (e.g. .filter(...).to_pandas())."
            )
        return self._pager.frame

    @property
    def selected_positions(self) -> np.ndarray:
        """Positions (0-based, in frame order) of the selected rows."""
        return self._pager.selected_positions()

    @property
    def selected_rows(self) -> list[Hashable]:
        """Index labels of the selected rows, in frame order.

        Set it to a list of labels to select those rows in the view.
        """
        if isinstance(self._pager, LazyPager):
            return []
        return self.frame.index[self.selected_positions].tolist()

    @selected_rows.setter
    def selected_rows(self, labels: Iterable[Hashable]) -> None:
        wanted = pd.Index(list(labels))
        index = self.frame.index
        missing = wanted[~wanted.isin(index)]
        if len(missing):
            shown = ", ".join(repr(x) for x in missing[:5])
            raise InvalidParameterError(
                f"{len(missing)} of the labels to select are not in the frame's index "
                f"(e.g. {shown}). Select labels that `df.index` holds."
            )
        positions = np.flatnonzero(index.isin(wanted))
        self._set_selection(positions)

    @property
    def selected(self) -> pd.DataFrame:
        """The selected rows as a DataFrame (a new frame, in frame order)."""
        return self.frame.iloc[self.selected_positions]

    def select_positions(self, positions: Iterable[int]) -> None:
        """Select rows by position (0-based, in frame order), replacing the selection."""
        self._set_selection(np.asarray(list(positions), dtype=np.intp))

    def clear_selection(self) -> None:
        """Select no rows."""
        self._set_selection(np.array([], dtype=np.intp))

    @property
    def sort(self) -> tuple[Hashable, bool] | None:
        """The current sort as ``(column label, ascending)``, or None when unsorted.

        A sort by the index is reported with the label ``None``.
        """
        spec = parse_sort(self._sort)
        if spec is None:
            return None
        if isinstance(self._pager, LazyPager):
            return (self._pager.columns[spec.column].name, spec.ascending)
        label = None if spec.column < 0 else self.frame.columns[spec.column]
        return (label, spec.ascending)

    def sort_by(
        self, column: Hashable | None = None, *, ascending: bool = True, index: bool = False
    ) -> None:
        """Sort the view by a column label (or the index), or clear the sort with no argument."""
        if index:
            self._sort = {"column": -1, "ascending": bool(ascending)}
            return
        if column is None:
            self._sort = None
            return
        if isinstance(self._pager, LazyPager):
            labels = pd.Index([c.name for c in self._pager.columns])
        else:
            labels = self.frame.columns
        matches = np.flatnonzero(labels == column) if len(labels) else []
        if len(matches) != 1:
            found = "no column" if len(matches) == 0 else f"{len(matches)} columns"
            raise InvalidParameterError(
                f"Cannot sort by {column!r}: the frame has {found} with that label. "
                f"Columns: {', '.join(display_name(c) for c in labels[:20])}."
            )
        spec = SortSpec(column=int(matches[0]), ascending=bool(ascending))
        if isinstance(self._pager, LazyPager):
            self._pager.page(0, 1, sort=spec)  # validates (e.g. nested columns) first
        else:
            self._pager.positions(spec)  # validates (e.g. image columns) before the view asks
        self._sort = {"column": spec.column, "ascending": spec.ascending}

    def show_rows(self, rows: Any = None, *, caption: str = "") -> None:
        """Show only some rows: a boolean mask (array or Series like the frame) or positions.

        ``show_rows()`` with no argument shows every row again. The caption says, in the view,
        what the rows are (e.g. "outliers in 'price'"); the view offers to show all rows.
        """
        if isinstance(self._pager, LazyPager) and rows is not None:
            raise InvalidParameterError(
                f"Rows of {self._pager.source.description} stay in its engine: show some of "
                'them with a filter instead (view.filter = "...").'
            )
        if rows is None and isinstance(self._pager, LazyPager):
            # An alert's filter set from Python goes with its caption ("show all rows").
            count = self._pager.n_rows
            if self.caption:
                self.filter = ""
            self.caption = ""
        elif rows is None:
            count = self._pager.restrict(None)
            self.caption = ""
        else:
            if isinstance(rows, pd.Series):
                if rows.dtype == bool and not rows.index.equals(self.frame.index):
                    raise InvalidParameterError(
                        "A boolean Series of rows to show must have the frame's index; "
                        "reindex it like the frame (mask.reindex(df.index, fill_value=False))."
                    )
                rows = rows.to_numpy()
            count = self._pager.restrict(np.asarray(rows))
            self.caption = caption or f"{count:,} rows"
        self.set_trait("n_shown", count)
        self._data_version += 1

    def count_rows(self, filter: str = "") -> int:
        """Count the rows a filter keeps (all rows without one), in the data's engine.

        Examples
        --------
        >>> import pandas as pd
        >>> TableWidget(pd.DataFrame({"age": [20, 40, 60]})).count_rows("age > 30")
        2
        """
        return self._pager.count(None, parse_filter(filter))

    def refresh(self) -> None:
        """Show the frame again after it was changed in place (values, rows or columns)."""
        self._pager.refresh()
        if not self._pager.restricted:
            self.caption = ""
        self._sync_schema()
        self.set_trait("selection_count", len(self._pager.selected_positions()))
        self._data_version += 1

    # ---- internals ----------------------------------------------------------------

    def _sync_schema(self) -> None:
        pager = self._pager
        self._columns = [c.to_dict() for c in pager.columns]
        self._index_name = pager.index_name
        self._index_dtype = pager.index_dtype
        self._row_height = 56 if any(c.kind == "image" for c in pager.columns) else 28
        self.set_trait("n_rows", pager.n_rows)
        if not pager.restricted:
            self.set_trait("n_shown", pager.n_rows)

    def _set_selection(self, positions: np.ndarray) -> None:
        count = self._pager.set_selected_positions(positions)
        self.set_trait("selection_count", count)
        self._selection_version += 1

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        reply_safely(self, content, self._answer, "table")

    def _answer(self, content: dict[str, Any]) -> dict[str, Any]:
        reply = answer_table_request(self._pager, content)
        if reply is not None:
            if reply["type"] == "selection":
                self.set_trait("selection_count", reply["count"])
            return reply
        kind = content.get("type")
        if kind == "show_all":
            self.show_rows(None)
            return {"type": "selection", "id": content["id"], "count": self.selection_count}
        raise InvalidParameterError(
            f"Unknown table request type {kind!r}; expected 'page', 'select' or 'show_all'."
        )

    def _summary_html(self) -> str:
        """Render a small static table kept in saved notebooks, for viewers without a kernel."""
        if isinstance(self._pager, LazyPager):
            return self._engine_summary_html()
        frame = self.frame
        head = frame.iloc[:_SUMMARY_ROWS, :_SUMMARY_COLS]

        def cell(value: Any) -> str:
            shown = format_value(value)
            text = shown if isinstance(shown, str) else next(iter(shown.values()))
            text = text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
            return html.escape(text)

        header = "".join(f"<th>{html.escape(display_name(c))}</th>" for c in head.columns)
        body = "".join(
            f"<tr><th>{cell(label)}</th>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
            for label, row in zip(head.index, head.itertuples(index=False, name=None), strict=True)
        )
        more = f"{len(frame):,} rows × {frame.shape[1]:,} columns"
        return (
            f"<div><p>jupyter_dci table: {more} (interactive view needs a running kernel)</p>"
            f"<table><thead><tr><th></th>{header}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def _engine_summary_html(self) -> str:
        """Render the static table of data in its engine: its first rows, as one page."""
        pager = self._pager
        assert isinstance(pager, LazyPager)  # only called for data in its engine
        page = pager.page(0, _SUMMARY_ROWS)
        names = [c.name for c in pager.columns[:_SUMMARY_COLS]]

        def cell(shown: Any) -> str:
            text = shown if isinstance(shown, str) else next(iter(shown.values()))
            text = text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
            return html.escape(text)

        header = "".join(f"<th>{cell(n)}</th>" for n in names)
        body = "".join(
            f"<tr><th>{cell(r.index)}</th>"
            + "".join(f"<td>{cell(c)}</td>" for c in r.cells[:_SUMMARY_COLS])
            + "</tr>"
            for r in page.rows
        )
        more = f"{pager.n_rows:,} rows × {len(pager.columns):,} columns in {pager.source.engine}"
        return (
            f"<div><p>jupyter_dci table: {more} (interactive view needs a running kernel)</p>"
            f"<table><thead><tr><th></th>{header}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
        else:
            data, meta = bundle, {}
        if data is not None:
            data = dict(data)
            data["text/html"] = self._summary_html()
        return (data, meta) if isinstance(bundle, tuple) else data


def table(data: Any, *, height: int | None = None, filter: str = "") -> TableWidget:
    """Show a DataFrame as a paged, sortable, filterable table.

    The kernel keeps the frame; the view fetches only the rows on screen, so millions of
    rows scroll smoothly. Data beyond pandas (a Polars frame, a PyArrow table or dataset, a
    DuckDB relation, a path or glob of Parquet or CSV files) stays in its engine: each page
    is sorted, filtered and cut there, and only its rows come back; such rows are named by
    their position in the view and cannot be selected. Click a header to sort; type a filter such as
    ``age > 30 and country == 'IN'`` and press Enter; click, Ctrl/Cmd-click, Shift-click,
    Space or Ctrl/Cmd-A to select rows, then read them with ``view.selected_rows``.

    Parameters
    ----------
    data : pandas.DataFrame or Series, or data beyond pandas (see above)
        The frame to show (referenced, not copied).
    height : int, optional
        Height of the view in pixels, 120 to 4000. Without it, the view is 420 pixels tall,
        or shows the "Rows per page" of JupyterLab's Settings Editor (jupyter_dci) when set.
    filter : str, optional
        A filter expression to start with.

    Returns
    -------
    TableWidget
        The view; display it, or let the notebook display it as a cell's last value.

    Examples
    --------
    >>> import pandas as pd
    >>> import jupyter_dci as dci
    >>> view = dci.table(pd.DataFrame({"age": [31, 45], "country": ["IN", "FR"]}))
    >>> view.n_rows, view.selected_rows
    (2, [])
    """
    return TableWidget(data, height=height, filter=filter)
