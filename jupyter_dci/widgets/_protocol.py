"""Every message a view and the kernel exchange, declared once per side.

The TypeScript side of the same contract is ``labextension/src/widgets/_shared/protocol.ts``:
the same names, the same fields. ``tests/widgets/test_protocol_contract.py`` reads that file
and fails when the two differ, and plays every request of :data:`CALLS` against the widgets
to check that the replies they send are the ones declared here.

Every request carries an int ``id``; the kernel answers it with the reply :data:`CALLS`
names, carrying the same id, or with an :class:`ErrorReply` (see ``_base.reply_safely``).
Request values are validated here (:func:`parse_sort`, :func:`parse_filter`) or by the
widget that answers, once, so the core only ever sees well-formed values.
"""

# No `from __future__ import annotations` here: Python 3.11's TypedDict reads NotRequired
# only from evaluated annotations (with strings, every key would count as required).
from typing import Any, Literal, NotRequired, TypedDict

from jupyter_dci.core.table import _pager
from jupyter_dci.errors import InvalidParameterError

__all__ = [
    "CALLS",
    "ErrorReply",
    "PageReply",
    "PageRequest",
    "SelectRequest",
    "SelectionReply",
    "parse_filter",
    "parse_sort",
]

#: Longest filter expression accepted from a view.
MAX_FILTER_CHARS = 10_000

# ---- every view -------------------------------------------------------------------

#: Which of a panel's tables a table request is for: the history panel has three.
TableTarget = Literal["diff", "pending", "checkout"]


class ErrorReply(TypedDict):
    """The kernel could not answer a request: the view shows ``error`` inline."""

    type: Literal["error"]
    #: The request's id (None only for a request without one, which no view sends).
    id: int | None
    error: str
    #: Echoed from the request when a panel's table asked (history).
    target: NotRequired[TableTarget]


# ---- table (TableWidget, and the history panel's tables) ---------------------------


class SortSpec(TypedDict):
    """A sort order on the wire: a column position (-1 for the index) and a direction."""

    column: int
    ascending: bool


class NaCell(TypedDict):
    """A missing value, named as pandas shows it (NaN, <NA>, NaT and None stay distinct)."""

    na: str


class TextCell(TypedDict):
    """A long value shown truncated, with the full text on hover."""

    text: str
    full: str


class ImageCell(TypedDict):
    """An image thumbnail as a PNG or JPEG data URL."""

    img: str
    alt: str


class ErrorCell(TypedDict):
    """A value whose repr failed."""

    err: str


#: A cell as the kernel sends it: plain text, or a tagged dict (``core.table._cells``).
Cell = str | NaCell | TextCell | ImageCell | ErrorCell


class PageRow(TypedDict):
    """One row of a page: its position in the frame, index cell, cells and selection."""

    pos: int
    index: Cell
    cells: list[Cell]
    selected: bool


SelectOp = Literal["set", "toggle", "range", "all", "clear"]


class PageRequest(TypedDict):
    """Rows ``offset`` to ``offset + limit`` of the frame under a sort and a filter."""

    type: Literal["page"]
    id: int
    offset: int
    limit: int
    sort: SortSpec | None
    filter: str
    target: NotRequired[TableTarget]


class SelectRequest(TypedDict):
    """Change the selection; rows are view positions under the request's sort and filter."""

    type: Literal["select"]
    id: int
    op: SelectOp
    row: int | None
    anchor: int | None
    sort: SortSpec | None
    filter: str
    target: NotRequired[TableTarget]


class ShowAllRequest(TypedDict):
    """Lift the restriction Python put on the rows shown (the caption's "show all rows")."""

    type: Literal["show_all"]
    id: int


class PageReply(TypedDict):
    """A page of rows; ``total`` rows match the request's filter."""

    type: Literal["page"]
    id: int
    offset: int
    total: int
    rows: list[PageRow]
    target: NotRequired[TableTarget]


class SelectionReply(TypedDict):
    """The selection changed: ``count`` rows are selected."""

    type: Literal["selection"]
    id: int
    count: int
    target: NotRequired[TableTarget]


# ---- review (ReviewWidget) ---------------------------------------------------------

ReviewAction = Literal["relabel", "accept", "keep"]


class SuspectRequest(TypedDict):
    """The suspect at ``index`` of the filtered queue (0 is the worst)."""

    type: Literal["suspect"]
    id: int
    index: int


class DecideRequest(TypedDict):
    """Decide on a suspect; ``class_index`` names the new class of a relabel."""

    type: Literal["decide"]
    id: int
    index: int
    action: ReviewAction
    class_index: NotRequired[int]


class UndoRequest(TypedDict):
    """Undo the last decision."""

    type: Literal["undo"]
    id: int


class FilterRequest(TypedDict):
    """Filter the queue: class indices (``[]`` for any) and score bounds."""

    type: Literal["filter"]
    id: int
    given: list[int]
    suggested: list[int]
    max_score: float | None
    min_score: float | None
    #: "clear" also lifts the rows scope (a slice clicked in the workbench).
    scope: NotRequired[Literal["keep", "clear"]]


class ConfusionRequest(TypedDict):
    """The confusion matrix of given vs suggested labels."""

    type: Literal["confusion"]
    id: int


class Feature(TypedDict):
    """One other column of the suspect's row."""

    name: str
    kind: str
    cell: Cell


class Decision(TypedDict):
    """The decision taken on a suspect, and the label it wrote."""

    action: ReviewAction
    new: str


class Suspect(TypedDict):
    """One suspected label error, as the review shows it."""

    type: Literal["suspect"]
    index: int
    position: int
    row: Cell
    given: str
    given_class: int
    suggested: str
    suggested_class: int
    score: float
    current: str
    current_class: int
    decision: Decision | None
    features: list[Feature]
    n_hidden: int


class SuspectReply(Suspect):
    """The suspect asked for."""

    id: int


class DecidedReply(TypedDict):
    """A decision was written; the next suspect rides along (one round trip per key)."""

    type: Literal["decided"]
    id: int
    index: int
    next: int
    suspect: Suspect


class UndoneReply(TypedDict):
    """The suspect whose decision was undone, or None when there was nothing to undo."""

    type: Literal["undone"]
    id: int
    index: int | None


class FilteredReply(TypedDict):
    """The filter applies: ``n_shown`` suspects match."""

    type: Literal["filtered"]
    id: int
    n_shown: int


class ConfusionReply(TypedDict):
    """Suspects by given label (rows) and suggested label (columns)."""

    type: Literal["confusion"]
    id: int
    labels: list[str]
    #: Class indices behind each label (several for an "other" group).
    groups: list[list[int]]
    counts: list[list[int]]
    other: bool


# ---- profile (ProfileWidget) and slices (SlicesWidget) -----------------------------


class AlertRequest(TypedDict):
    """Show the rows an alert concerns in the table below the panel."""

    type: Literal["alert"]
    id: int
    index: int


class BarRequest(TypedDict):
    """Show the rows behind a bar of a column's chart (a Vega selection's value)."""

    type: Literal["bar"]
    id: int
    column: str
    value: dict[str, Any]


class ShownReply(TypedDict):
    """The table below the panel now shows ``count`` rows, described by ``caption``."""

    type: Literal["shown"]
    id: int
    count: int
    caption: str


class ShowSliceRequest(TypedDict):
    """Show a slice's rows in the table below the panel."""

    type: Literal["show"]
    id: int
    key: str


class SaveSliceRequest(TypedDict):
    """Save a slice under a name."""

    type: Literal["save"]
    id: int
    key: str
    name: str


class SavedReply(TypedDict):
    """The slice was saved under ``name``."""

    type: Literal["saved"]
    id: int
    name: str


# ---- history (HistoryWidget) -------------------------------------------------------


class CommitRequest(TypedDict):
    """Commit the pending edits."""

    type: Literal["commit"]
    id: int
    message: str


class DiscardRequest(TypedDict):
    """Discard the pending edits."""

    type: Literal["discard"]
    id: int


class RevertRequest(TypedDict):
    """Commit a version that undoes ``version``."""

    type: Literal["revert"]
    id: int
    version: int


class CheckoutRequest(TypedDict):
    """Make a new frame of the dataset at ``version``."""

    type: Literal["checkout"]
    id: int
    version: int


# The functional form: "from" is a Python keyword.
BlameRequest = TypedDict(
    "BlameRequest",
    {
        "type": Literal["blame"],
        "id": int,
        "row": NotRequired[str],
        "from": NotRequired[TableTarget],
    },
)
BlameRequest.__doc__ = (
    "Blame a row: typed as its key (``row``), or the one row selected in a table (``from``)."
)


class DoneReply(TypedDict):
    """An action was done; ``text`` says what."""

    type: Literal["done"]
    id: int
    text: str


class BlameChange(TypedDict):
    """One committed change to a row."""

    version: int | None
    column: str
    old: str
    new: str
    author: str
    reason: str
    source: str
    time: str


class BlameReply(TypedDict):
    """The newest changes to a row (``total`` in all)."""

    type: Literal["blame"]
    id: int
    row: str
    total: int
    changes: list[BlameChange]


#: What each view may ask: request type -> (request, reply). Any request may instead be
#: answered with an :class:`ErrorReply`. The chart view sends no request.
CALLS: dict[str, dict[str, tuple[type, type]]] = {
    "table": {
        "page": (PageRequest, PageReply),
        "select": (SelectRequest, SelectionReply),
        "show_all": (ShowAllRequest, SelectionReply),
    },
    "review": {
        "suspect": (SuspectRequest, SuspectReply),
        "decide": (DecideRequest, DecidedReply),
        "undo": (UndoRequest, UndoneReply),
        "filter": (FilterRequest, FilteredReply),
        "confusion": (ConfusionRequest, ConfusionReply),
    },
    "profile": {
        "alert": (AlertRequest, ShownReply),
        "bar": (BarRequest, ShownReply),
    },
    "slices": {
        "show": (ShowSliceRequest, ShownReply),
        "save": (SaveSliceRequest, SavedReply),
    },
    "history": {
        "page": (PageRequest, PageReply),
        "select": (SelectRequest, SelectionReply),
        "commit": (CommitRequest, DoneReply),
        "discard": (DiscardRequest, DoneReply),
        "revert": (RevertRequest, DoneReply),
        "checkout": (CheckoutRequest, DoneReply),
        "blame": (BlameRequest, BlameReply),
    },
}


def parse_sort(value: object) -> _pager.SortSpec | None:
    """Validate a sort dict from the view (or from Python) into the pager's ``SortSpec``.

    Examples
    --------
    >>> parse_sort({"column": 2, "ascending": False})
    SortSpec(column=2, ascending=False)
    >>> parse_sort(None) is None
    True
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidParameterError(f"A sort must be a dict or None. Got {value!r} instead.")
    column, ascending = value.get("column"), value.get("ascending", True)
    if not isinstance(column, int) or isinstance(column, bool):
        raise InvalidParameterError(
            f"A sort column must be an int position. Got {column!r} instead."
        )
    if not isinstance(ascending, bool):
        raise InvalidParameterError(f"A sort direction must be a bool. Got {ascending!r} instead.")
    return _pager.SortSpec(column=column, ascending=ascending)


def parse_filter(value: object) -> str:
    """Validate a filter expression from the view: a string of bounded length.

    Examples
    --------
    >>> parse_filter("  age > 30 ")
    'age > 30'
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidParameterError(
            f"A filter must be a string. Got {type(value).__name__} instead."
        )
    if len(value) > MAX_FILTER_CHARS:
        raise InvalidParameterError(
            f"A filter may be at most {MAX_FILTER_CHARS:,} characters long. "
            f"Got {len(value):,} instead."
        )
    return value.strip()
