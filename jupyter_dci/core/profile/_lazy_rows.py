"""The rows an alert concerns, for data in its engine: the alert as a filter in the row language.

For a pandas frame, :func:`~jupyter_dci.core.profile._rows.alert_rows` computes a mask. Data
in its engine is never in the kernel, so the alert becomes a predicate instead
(``isna(age)``, ``price < 0.5 or price > 910``...), which a table of that data filters by in
the engine, and which the user sees in the table's filter box and may edit. Values enter the
predicate as literals of the row language (quoted by :func:`describe_node`), never as code.

Alerts about a whole column (constant, mixed types) or found by what no predicate says (rows
equal to an earlier row, personal data found by patterns) have no predicate: None.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.profile import profile
>>> prof = profile(pl.DataFrame({"age": [30, None, 41, None] * 30}))
>>> missing = next(a for a in prof.alerts if a.kind == "missing")
>>> alert_predicate(prof, missing)
'isna(age)'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from jupyter_dci.core.predicate._ast import (
    And,
    Compare,
    In,
    IsNull,
    Node,
    Or,
    describe_node,
)

if TYPE_CHECKING:
    from jupyter_dci.core.profile._result import Alert, DataFrameProfile

__all__ = ["alert_predicate", "no_predicate_reason"]

#: Values listed in one ``in [...]`` at most: a filter box is read by people.
MAX_VALUES = 200


def _scalar(value: Any) -> Any:
    """Return a value of an alert's details as a row-language literal (None if it has none)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return None


def _in(column: str, values: Iterable[Any]) -> Node | None:
    kept = [_scalar(v) for v in values]
    kept = [v for v in kept if v is not None][:MAX_VALUES]
    return In(column, tuple(kept)) if kept else None


def _finite(column: str) -> Node:
    return And((Compare(column, ">", -math.inf), Compare(column, "<", math.inf)))


def _node(alert: Alert, column: str) -> Node | None:
    d = alert.details
    kind = alert.kind
    if kind in ("missing", "empty_column", "missing_labels"):
        return IsNull(column)
    if kind == "constant":
        return IsNull(column, negate=True)
    if kind == "near_constant" and _scalar(d.get("value")) is not None:
        return And((IsNull(column, negate=True), Compare(column, "!=", _scalar(d["value"]))))
    if kind == "outliers":
        low, high = _scalar(d.get("low")), _scalar(d.get("high"))
        if low is None or high is None:
            return None
        beyond = Or((Compare(column, "<", low), Compare(column, ">", high)))
        return And((beyond, _finite(column)))
    if kind == "infinite":
        return In(column, (math.inf, -math.inf))
    if kind == "zero_inflated":
        return Compare(column, "==", 0)
    if kind == "placeholder":
        return _in(column, d.get("values", ()))
    if kind == "inconsistent_spelling":
        minority = [v for g in d.get("groups", ()) for v in g["values"][1:]]
        return _in(column, minority)
    if kind == "rare_classes":
        return _in(column, d.get("classes", ()))
    return None


def alert_predicate(prof: DataFrameProfile, alert: Alert) -> str | None:
    """Return the row-language filter that selects the rows ``alert`` concerns, or None.

    Parameters
    ----------
    prof : DataFrameProfile
        The profile the alert belongs to.
    alert : Alert
        One of ``prof.alerts``.

    Returns
    -------
    str or None
        A predicate (see :func:`~jupyter_dci.core.predicate.parse_predicate`), or None when
        the alert has none (see :func:`no_predicate_reason`).
    """
    if alert.column is None or alert.column not in prof.columns:
        return None
    if prof.columns[alert.column].kind == "datetime" and alert.kind == "placeholder":
        return None  # placeholder dates are whole days: no literal of the row language
    node = _node(alert, str(alert.column))
    return None if node is None else describe_node(node)


def no_predicate_reason(alert: Alert) -> str:
    """Say why an alert's rows cannot be listed by a filter, and what to do instead.

    Examples
    --------
    >>> from jupyter_dci.core.profile._result import Alert
    >>> print(no_predicate_reason(Alert("duplicate_rows", None, "warning", "...", 4)))
    ... # doctest: +ELLIPSIS
    Rows equal to an earlier row are found by comparing whole rows, which no filter ...
    """
    if alert.kind == "duplicate_rows":
        what = "Rows equal to an earlier row are found by comparing whole rows"
    elif alert.kind == "personal_data":
        what = "Personal data is found by patterns (e-mail, phone, card numbers)"
    elif alert.kind == "placeholder":
        what = "Placeholder dates are whole days"
    else:
        where = f" on {alert.column!r}" if alert.column else ""
        return (
            f"The alert {alert.kind!r}{where} concerns the column as a whole, not particular rows."
        )
    return (
        f"{what}, which no filter of the row language says; read the data into pandas and "
        "profile it to click through them."
    )
