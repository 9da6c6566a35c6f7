"""The kernel side of a paged table: sort, filter, pages and a row selection.

A :class:`FramePager` keeps a reference to the user's DataFrame (never a copy) and
answers page requests. Rows are addressed by *position* in the frame, which stays
valid whatever the index holds (duplicates, tuples, NaN). The order of a sort and the
mask of a filter are computed once and cached, so scrolling a sorted million-row frame
costs one ``take`` of a hundred rows per page.

Examples
--------
>>> import pandas as pd
>>> pager = FramePager(pd.DataFrame({"age": [30, 20, 40]}, index=["a", "b", "c"]))
>>> page = pager.page(0, 10, sort=SortSpec(0, ascending=True))
>>> [row.index for row in page.rows], page.total
(['b', 'a', 'c'], 3)
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from jupyter_dci.core.table._cells import (
    Cell,
    column_kind,
    display_name,
    format_column,
    format_value,
)
from jupyter_dci.errors import InvalidParameterError, PredicateError

__all__ = [
    "MAX_PAGE_ROWS",
    "ColumnInfo",
    "FramePager",
    "Page",
    "PageRow",
    "SortSpec",
    "check_page",
]

#: The most rows one page request may ask for.
MAX_PAGE_ROWS = 1000
#: Sort orders and filter masks kept per pager (each costs 8 or 1 bytes per row).
_CACHE_SIZE = 4
#: The index as a sort "column".
INDEX = -1

SelectOp = Literal["set", "toggle", "range", "all", "clear"]


@dataclass(frozen=True)
class SortSpec:
    """A sort order: a column position (``-1`` for the index) and a direction."""

    column: int
    ascending: bool = True


@dataclass(frozen=True)
class ColumnInfo:
    """How a column is shown: its display name, dtype, kind and whether it sorts."""

    name: str
    dtype: str
    kind: str
    sortable: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form sent to the view."""
        return {
            "name": self.name,
            "dtype": self.dtype,
            "kind": self.kind,
            "sortable": self.sortable,
        }


@dataclass(frozen=True)
class PageRow:
    """One displayed row: its position in the frame, index cell, cells, selection."""

    pos: int
    index: Cell
    cells: tuple[Cell, ...]
    selected: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form sent to the view."""
        return {
            "pos": self.pos,
            "index": self.index,
            "cells": list(self.cells),
            "selected": self.selected,
        }


@dataclass(frozen=True)
class Page:
    """Rows ``offset`` to ``offset + len(rows)`` of a query matching ``total`` rows."""

    offset: int
    total: int
    rows: tuple[PageRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form sent to the view."""
        return {
            "offset": self.offset,
            "total": self.total,
            "rows": [r.to_dict() for r in self.rows],
        }


def check_page(offset: Any, limit: Any) -> None:
    """Refuse a page request's offset or limit that is not an int in range.

    Examples
    --------
    >>> check_page(0, 100)
    >>> check_page(0, 0)
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.InvalidParameterError: A page limit must be an int in [1, 1000]. ...
    """
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidParameterError(f"A page offset must be an int >= 0. Got {offset!r} instead.")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE_ROWS:
        raise InvalidParameterError(
            f"A page limit must be an int in [1, {MAX_PAGE_ROWS}]. Got {limit!r} instead."
        )


def _sort_fallback_key(values: pd.Series) -> pd.Series:
    # Mixed or unorderable objects (dicts, mixed str/int) sort by type name, then text:
    # a stable, explainable order instead of an error.
    return values.map(lambda v: f"{type(v).__name__}\x00{v!s}" if v is not None else "")


def _order_of(values: pd.Series, ascending: bool) -> np.ndarray:
    plain = values.reset_index(drop=True)
    try:
        ordered = plain.sort_values(ascending=ascending, kind="stable", na_position="last")
    except (TypeError, ValueError):
        key = _sort_fallback_key(plain)
        missing = plain.isna().to_numpy()
        ordered = key.sort_values(ascending=ascending, kind="stable")
        # Keep missing values last, as in every other column.
        idx = ordered.index.to_numpy()
        return np.concatenate([idx[~missing[idx]], idx[missing[idx]]]).astype(np.intp)
    return ordered.index.to_numpy(dtype=np.intp)


def _cell_values(col: pd.Series) -> Any:
    # numpy-backed columns as numpy arrays (fast paths in format_column; float32 values
    # stay float32, so 0.1 prints as 0.1); other columns as pandas boxes their values.
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiub":
        return col.to_numpy()
    return col


class FramePager:
    """Pages, sort orders, filters and a row selection over one DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The frame shown. It is referenced, not copied: after changing it in place,
        call :meth:`refresh`.

    Examples
    --------
    >>> import pandas as pd
    >>> pager = FramePager(pd.DataFrame({"x": [1, 2, 3]}))
    >>> pager.select("all")
    3
    >>> pager.selected_positions().tolist()
    [0, 1, 2]
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise InvalidParameterError(
                f"FramePager needs a pandas DataFrame. Got {type(frame).__name__} instead."
            )
        self._frame = frame
        self._orders: OrderedDict[tuple[int, bool], np.ndarray] = OrderedDict()
        self._masks: OrderedDict[str, np.ndarray] = OrderedDict()
        self._last: tuple[Any, np.ndarray | None] | None = None
        self._selected = np.zeros(len(frame), dtype=bool)
        self._subset: np.ndarray | None = None  # bool mask: the rows the view is restricted to
        self._subset_version = 0
        self._columns = self._describe_columns()

    # ---- the frame --------------------------------------------------------------

    @property
    def frame(self) -> pd.DataFrame:
        """The DataFrame shown (the caller's object)."""
        return self._frame

    @property
    def columns(self) -> tuple[ColumnInfo, ...]:
        """How each column is shown, in frame order."""
        return self._columns

    @property
    def index_name(self) -> str:
        """The header of the index column."""
        names = [display_name(n) for n in self._frame.index.names]
        return " / ".join(n for n in names if n) or "index"

    @property
    def index_dtype(self) -> str:
        """The dtype of the index, as text (``"multi"`` for a MultiIndex)."""
        index = self._frame.index
        return "multi" if isinstance(index, pd.MultiIndex) else str(index.dtype)

    @property
    def n_rows(self) -> int:
        """Rows in the frame."""
        return len(self._frame)

    def refresh(self) -> None:
        """Forget cached orders and masks after the frame changed in place.

        The selection is kept when the number of rows is unchanged, else cleared.
        """
        self._orders.clear()
        self._masks.clear()
        self._last = None
        self._columns = self._describe_columns()
        if len(self._selected) != len(self._frame):
            self._selected = np.zeros(len(self._frame), dtype=bool)
            self._subset = None

    def _describe_columns(self) -> tuple[ColumnInfo, ...]:
        infos = []
        for j in range(self._frame.shape[1]):
            col = self._frame.iloc[:, j]
            kind = column_kind(col)
            infos.append(
                ColumnInfo(
                    name=display_name(self._frame.columns[j]),
                    dtype=str(col.dtype),
                    kind=kind,
                    sortable=kind != "image",
                )
            )
        return tuple(infos)

    # ---- queries ----------------------------------------------------------------

    def _check_sort(self, sort: SortSpec | None) -> None:
        if sort is None:
            return
        n = self._frame.shape[1]
        if not INDEX <= sort.column < n:
            raise InvalidParameterError(
                f"The sort column must be -1 (the index) or a position in [0, {n}). "
                f"Got {sort.column} instead."
            )
        if sort.column >= 0 and not self._columns[sort.column].sortable:
            raise InvalidParameterError(
                f"Column {self._columns[sort.column].name!r} holds images and cannot be sorted."
            )

    def _order(self, sort: SortSpec) -> np.ndarray:
        key = (sort.column, sort.ascending)
        order = self._orders.get(key)
        if order is None:
            if sort.column == INDEX:
                values = self._frame.index.to_series(index=pd.RangeIndex(len(self._frame)))
                if isinstance(self._frame.index, pd.MultiIndex):
                    values = values.map(lambda t: tuple(str(p) for p in t))
            else:
                values = self._frame.iloc[:, sort.column]
            order = _order_of(values, sort.ascending)
            self._orders[key] = order
            if len(self._orders) > _CACHE_SIZE:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(key)
        return order

    def check_filter(self, filter: str) -> None:
        """Raise :class:`PredicateError` if ``filter`` cannot filter this frame.

        Examples
        --------
        >>> import pandas as pd
        >>> FramePager(pd.DataFrame({"age": [30]})).check_filter("agee < 25")
        Traceback (most recent call last):
        ...
        jupyter_dci.errors.PredicateError: Unknown column 'agee'...
        """
        self.mask(filter)

    def mask(self, filter: str) -> np.ndarray:
        """Return the boolean mask of the rows matching a filter expression (cached).

        Raises
        ------
        PredicateError
            When the expression does not parse or does not fit the frame's columns.
        """
        mask = self._masks.get(filter)
        if mask is None:
            # Imported here: the predicate language is only needed once a filter is typed.
            from jupyter_dci.core.predicate._predicate import parse_predicate

            mask = np.asarray(parse_predicate(filter).mask(self._frame), dtype=bool)
            if mask.shape != (len(self._frame),):
                raise PredicateError(f"The filter {filter!r} did not give one value per row.")
            self._masks[filter] = mask
            if len(self._masks) > _CACHE_SIZE:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(filter)
        return mask

    def restrict(self, rows: np.ndarray | None) -> int:
        """Show only some rows (a boolean mask or frame positions), or all rows with None.

        Sort, filter and selection work within the restriction; nothing is copied.
        Returns the number of rows the view is restricted to.

        Examples
        --------
        >>> import pandas as pd
        >>> pager = FramePager(pd.DataFrame({"x": [5, 6, 7]}))
        >>> pager.restrict([2, 0])
        2
        >>> pager.count()
        2
        """
        self._subset_version += 1
        self._last = None
        if rows is None:
            self._subset = None
            return self.n_rows
        arr = np.asarray(rows)
        if arr.dtype == bool:
            if arr.shape != (self.n_rows,):
                raise InvalidParameterError(
                    f"A row mask must have one value per row ({self.n_rows}). "
                    f"Got shape {arr.shape}."
                )
            mask = arr.copy()
        else:
            if arr.size and (
                arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= self.n_rows
            ):
                raise InvalidParameterError(
                    f"Rows to show must be a boolean mask or positions in [0, {self.n_rows}). "
                    f"Got {arr.dtype} values instead."
                )
            mask = np.zeros(self.n_rows, dtype=bool)
            mask[arr.astype(np.intp)] = True
        self._subset = mask
        return int(mask.sum())

    @property
    def restricted(self) -> bool:
        """Whether the view shows only some rows (see :meth:`restrict`)."""
        return self._subset is not None

    def positions(self, sort: SortSpec | None = None, filter: str = "") -> np.ndarray | None:
        """Frame positions of the rows in view order, or None for all rows in frame order."""
        self._check_sort(sort)
        key = (sort, filter, self._subset_version)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        keep = self._subset
        if filter:
            keep = self.mask(filter) if keep is None else keep & self.mask(filter)
        if sort is None:
            result = None if keep is None else np.flatnonzero(keep)
        else:
            order = self._order(sort)
            result = order if keep is None else order[keep[order]]
        self._last = (key, result)
        return result

    def count(self, sort: SortSpec | None = None, filter: str = "") -> int:
        """Rows matching a query."""
        positions = self.positions(sort, filter)
        return self.n_rows if positions is None else len(positions)

    def page(
        self, offset: int, limit: int, *, sort: SortSpec | None = None, filter: str = ""
    ) -> Page:
        """Rows ``offset`` to ``offset + limit`` of a query, formatted for display.

        Parameters
        ----------
        offset : int
            First row, counted in view order (after sort and filter), from 0.
        limit : int
            How many rows, 1 to :data:`MAX_PAGE_ROWS`.
        sort : SortSpec, optional
            The order; None keeps the frame's.
        filter : str, optional
            A filter expression in the predicate language; empty for all rows.

        Returns
        -------
        Page
            The rows, and how many rows match in all.
        """
        check_page(offset, limit)
        positions = self.positions(sort, filter)
        total = self.n_rows if positions is None else len(positions)
        stop = min(offset + limit, total)
        if offset >= stop:
            return Page(offset=offset, total=total, rows=())
        if positions is None:
            take = np.arange(offset, stop, dtype=np.intp)
        else:
            take = positions[offset:stop]
        chunk = self._frame.take(take)
        # items() yields one column at a time, duplicate names included, without the
        # per-call overhead of iloc; the frame is read afresh on every page, so values
        # changed in place show on the next page even before refresh().
        columns = [format_column(_cell_values(col)) for _, col in chunk.items()]
        index = [self._format_index(label) for label in chunk.index]
        rows = tuple(
            PageRow(
                pos=int(p),
                index=index[i],
                cells=tuple(col[i] for col in columns),
                selected=bool(self._selected[p]),
            )
            for i, p in enumerate(take)
        )
        return Page(offset=offset, total=total, rows=rows)

    @staticmethod
    def _format_index(label: Any) -> Cell:
        if isinstance(label, tuple):
            parts = [format_value(p) for p in label]
            return ", ".join(
                p if isinstance(p, str) else p.get("na", p.get("text", "?")) for p in parts
            )
        return format_value(label)

    # ---- selection --------------------------------------------------------------

    def select(
        self,
        op: SelectOp,
        row: int | None = None,
        *,
        anchor: int | None = None,
        sort: SortSpec | None = None,
        filter: str = "",
    ) -> int:
        """Change the selection and return how many rows are selected.

        Parameters
        ----------
        op : {"set", "toggle", "range", "all", "clear"}
            ``set`` selects only ``row``; ``toggle`` flips ``row``; ``range`` selects only
            the rows from ``anchor`` to ``row``; ``all`` adds every row matching the query;
            ``clear`` empties the selection.
        row, anchor : int, optional
            View positions (after sort and filter) of the rows acted on.
        sort, filter
            The query the view positions refer to.
        """
        if op not in ("set", "toggle", "range", "all", "clear"):
            raise InvalidParameterError(
                f"A selection op must be one of set, toggle, range, all, clear. Got {op!r} instead."
            )
        if op == "clear":
            self._selected[:] = False
            return 0
        positions = self.positions(sort, filter)
        total = self.n_rows if positions is None else len(positions)

        def frame_pos(view_row: int | None, name: str) -> np.ndarray:
            if (
                not isinstance(view_row, int)
                or isinstance(view_row, bool)
                or not 0 <= view_row < total
            ):
                raise InvalidParameterError(
                    f"The selection {name} must be a row in [0, {total}). Got {view_row!r} instead."
                )
            return (
                np.arange(view_row, view_row + 1)
                if positions is None
                else positions[view_row : view_row + 1]
            )

        if op == "all":
            if positions is None:
                self._selected[:] = True
            else:
                self._selected[positions] = True
        elif op == "set":
            target = frame_pos(row, "row")
            self._selected[:] = False
            self._selected[target] = True
        elif op == "toggle":
            target = frame_pos(row, "row")
            self._selected[target] = ~self._selected[target]
        else:
            frame_pos(row, "row")
            frame_pos(anchor, "anchor")
            lo, hi = sorted((int(anchor), int(row)))  # type: ignore[arg-type]
            span = np.arange(lo, hi + 1) if positions is None else positions[lo : hi + 1]
            self._selected[:] = False
            self._selected[span] = True
        return int(self._selected.sum())

    def selected_positions(self) -> np.ndarray:
        """Frame positions of the selected rows, in frame order."""
        return np.flatnonzero(self._selected)

    def set_selected_positions(self, positions: np.ndarray) -> int:
        """Replace the selection by these frame positions; return the count."""
        positions = np.asarray(positions, dtype=np.intp)
        if positions.size and (positions.min() < 0 or positions.max() >= self.n_rows):
            raise InvalidParameterError(
                f"Selected positions must be in [0, {self.n_rows}). "
                f"Got values from {positions.min()} to {positions.max()} instead."
            )
        self._selected[:] = False
        self._selected[positions] = True
        return int(self._selected.sum())
