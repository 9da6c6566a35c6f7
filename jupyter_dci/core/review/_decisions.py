"""The records of a review: decisions, suspects, confusion counts, and the key map.

Frozen values with no behaviour beyond formatting, plus the label comparisons that every
part of the review shares (missing values alike, never raising on ``pd.NA``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from jupyter_dci.core._frames import is_missing

__all__ = [
    "ACTIONS",
    "MAX_CONFUSION_CLASSES",
    "RESERVED_KEYS",
    "Action",
    "Confusion",
    "Decision",
    "Suspect",
    "key_map",
]

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
        >>> int(c.to_frame().loc["a", "b"])
        2
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
