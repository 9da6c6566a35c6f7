"""Pages of data that stays in its engine: sort, filter and page pushed down to it.

The view asks for rows ``offset`` to ``offset + limit`` of a query (a sort and a filter);
the filter is compiled to the engine's own expression (:func:`to_expr`, values as literals),
the engine sorts and counts, and only the page's rows come back, formatted as the pandas
pager formats them. A row is named by its position in the query's order (``0``, ``1``...):
data in an engine has no index, and selecting rows needs them in the kernel.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source
>>> pager = LazyPager(as_source(pl.DataFrame({"age": [30, 20, 40]}), "table"))
>>> page = pager.page(0, 10, sort=SortSpec(0, ascending=True), filter="age > 25")
>>> [row.cells[0] for row in page.rows], page.total
(['30', '40'], 2)
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from jupyter_dci.core.engine import LazySource, column_family, scalars
from jupyter_dci.core.predicate import parse_predicate
from jupyter_dci.core.predicate._narwhals import to_expr
from jupyter_dci.core.table._cells import HOVER_CHARS, format_column
from jupyter_dci.core.table._pager import (
    ColumnInfo,
    Page,
    PageRow,
    SortSpec,
    check_page,
)
from jupyter_dci.errors import InvalidParameterError

__all__ = ["LazyPager"]

#: Row counts kept per filter (each costs one count in the engine).
_CACHE_SIZE = 8
_KINDS = {
    "numeric": "number",
    "boolean": "bool",
    "datetime": "datetime",
    "duration": "timedelta",
    "string": "text",
    "other": "object",
}


class LazyPager:
    """Answer page requests on a :class:`~jupyter_dci.core.engine.LazySource`.

    Parameters
    ----------
    source : LazySource
        The data.
    """

    def __init__(self, source: LazySource) -> None:
        self.source = source
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._columns = self._describe_columns()

    # The FramePager surface the table widget reads.
    index_name = "row"
    index_dtype = "in view"
    restricted = False

    @property
    def columns(self) -> tuple[ColumnInfo, ...]:
        """Every column as the view shows it (nested columns do not sort)."""
        return self._columns

    @property
    def n_rows(self) -> int:
        """Rows of the data (counted once, in the engine)."""
        return self.source.n_rows

    def refresh(self) -> None:
        """Count again (the files or the relation may have changed)."""
        self._counts.clear()
        self.source._n_rows = None
        self._columns = self._describe_columns()

    def _describe_columns(self) -> tuple[ColumnInfo, ...]:
        out = []
        for name, dtype in self.source.schema.items():
            family = column_family(dtype)
            out.append(ColumnInfo(str(name), str(dtype), _KINDS[family], family != "other"))
        return tuple(out)

    def _query(self, sort: SortSpec | None, filter: str) -> Any:
        frame = self.source.frame
        if filter:
            frame = frame.filter(to_expr(parse_predicate(filter), self.source.schema))
        if sort is not None:
            if not 0 <= sort.column < len(self._columns):
                raise InvalidParameterError(
                    f"A sort column must be a position in [0, {len(self._columns)}) (data in "
                    f"an engine has no index to sort by). Got {sort.column!r} instead."
                )
            info = self._columns[sort.column]
            if not info.sortable:
                raise InvalidParameterError(
                    f"Column {info.name!r} ({info.dtype}) cannot be sorted: it holds nested "
                    "values. Sort by another column."
                )
            frame = frame.sort(info.name, descending=not sort.ascending, nulls_last=True)
        return frame

    def check_filter(self, filter: str) -> None:
        """Raise :class:`PredicateError` if ``filter`` cannot filter this data (no query runs)."""
        to_expr(parse_predicate(filter), self.source.schema)

    def count(self, sort: SortSpec | None = None, filter: str = "") -> int:
        """Rows matching ``filter`` (counted in the engine, cached per filter)."""
        if not filter:
            return self.n_rows
        if filter not in self._counts:
            query = self._query(None, filter)
            self._counts[filter] = int(scalars(query.select(nw.len().alias("n")))["n"])
            while len(self._counts) > _CACHE_SIZE:
                self._counts.popitem(last=False)
        return self._counts[filter]

    def _cut_text(self, query: Any) -> tuple[Any, dict[int, str]]:
        """Cut text to what a cell shows, in the engine; keep each value's length apart.

        A page of 1 MiB values would otherwise bring 1 MiB per cell into the kernel to show
        5,000 characters of it.
        """
        lengths: dict[int, str] = {}
        taken = set(self.source.columns)
        exprs = []
        for i, (name, dtype) in enumerate(self.source.schema.items()):
            if column_family(dtype) == "string":
                text = nw.col(name).cast(nw.String())
                exprs.append(text.str.slice(0, HOVER_CHARS + 1).alias(name))
                lengths[i] = _free_name(f"__dci_length_{i}", taken)
                exprs.append(text.str.len_chars().alias(lengths[i]))
            else:
                exprs.append(nw.col(name))
        return query.select(exprs), lengths

    def _slice(self, query: Any, offset: int, limit: int) -> Any:
        native = query.to_native()
        if self.source.engine == "duckdb":
            return native.limit(limit, offset).df()
        if self.source.engine == "polars":
            return native.slice(offset, limit).collect().to_pandas()
        return query.head(offset + limit).collect().to_pandas().iloc[offset:]

    def page(
        self, offset: int, limit: int, *, sort: SortSpec | None = None, filter: str = ""
    ) -> Page:
        """Rows ``offset`` to ``offset + limit`` of a query, formatted for display.

        Parameters and result as :meth:`FramePager.page`; ``pos`` is the row's position in
        the query's order.
        """
        check_page(offset, limit)
        query = self._query(sort, filter)
        total = self.count(sort, filter)
        stop = min(offset + limit, total)
        if offset >= stop:
            return Page(offset=offset, total=total, rows=())
        cut, lengths = self._cut_text(query)
        chunk = self._slice(cut, offset, stop - offset)
        columns = [format_column(chunk[name].array) for name in self.source.columns]
        for i, length in lengths.items():
            _note_lengths(columns[i], chunk[length].to_numpy())
        rows = tuple(
            PageRow(
                pos=offset + i,
                index=f"{offset + i:,}",
                cells=tuple(col[i] for col in columns),
                selected=False,
            )
            for i in range(len(chunk))
        )
        return Page(offset=offset, total=total, rows=rows)

    def select(self, *args: Any, **kwargs: Any) -> int:
        """Refuse: selecting rows needs them in the kernel."""
        raise InvalidParameterError(
            f"Rows of {self.source.description} stay in {self.source.engine}: they cannot be "
            "selected here. Filter them in the view, or read the rows you want into pandas "
            "(e.g. .filter(...).to_pandas()) and show that frame."
        )

    def selected_positions(self) -> np.ndarray:
        """Return the selected rows: none, ever."""
        return np.array([], dtype=np.intp)

    def set_selected_positions(self, positions: np.ndarray) -> int:
        """Clear the selection (no-op); refuse to select rows."""
        if len(positions):
            self.select()
        return 0


def _note_lengths(cells: list[Any], lengths: np.ndarray) -> None:
    """Say the whole length of a value the engine cut (the hover text ends with it)."""
    for i, n in enumerate(lengths):
        cell = cells[i]
        if isinstance(cell, dict) and "full" in cell and n == n and n > HOVER_CHARS:
            full = cell["full"][:HOVER_CHARS]
            cells[i] = {**cell, "full": f"{full}… ({int(n):,} characters in all)"}


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, with underscores added until no column of the data has it."""
    while name in taken:
        name += "_"
    taken.add(name)
    return name
