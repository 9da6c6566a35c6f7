"""The messages a table view and the kernel exchange.

The TypeScript side of the same contract is ``labextension/src/widgets/_protocol.ts``;
keep the two in step. Requests are validated here, once, so the pager only ever sees
well-formed values.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from jupyter_dci.core.table._pager import SortSpec
from jupyter_dci.errors import InvalidParameterError

__all__ = [
    "ErrorReply",
    "PageReply",
    "PageRequest",
    "SelectRequest",
    "SelectionReply",
    "parse_sort",
]

#: Longest filter expression accepted from a view.
MAX_FILTER_CHARS = 10_000


class SortDict(TypedDict):
    column: int
    ascending: bool


class PageRequest(TypedDict):
    type: Literal["page"]
    id: int
    offset: int
    limit: int
    sort: SortDict | None
    filter: str


class SelectRequest(TypedDict):
    type: Literal["select"]
    id: int
    op: Literal["set", "toggle", "range", "all", "clear"]
    row: int | None
    anchor: NotRequired[int | None]
    sort: SortDict | None
    filter: str


class PageReply(TypedDict):
    type: Literal["page"]
    id: int
    offset: int
    total: int
    rows: list[dict[str, Any]]


class SelectionReply(TypedDict):
    type: Literal["selection"]
    id: int
    count: int


class ErrorReply(TypedDict):
    type: Literal["error"]
    id: int
    error: str


def parse_sort(value: object) -> SortSpec | None:
    """Validate a sort dict from the view (or from Python) into a :class:`SortSpec`.

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
    return SortSpec(column=column, ascending=ascending)


def parse_filter(value: object) -> str:
    """Validate a filter expression from the view: a string of bounded length."""
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
