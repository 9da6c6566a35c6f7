"""What a profile's panel and report show of a wide frame: bounded, the columns that matter first.

A profile keeps every column (``prof.columns``, ``to_dict()``); its views do not have to. A
frame of 10,000 columns made a 32 MB widget state and a 38 MB report, a card per column. The
views show at most :data:`MAX_CARDS` cards, those of the columns with alerts first (most
severe first), then the others in the frame's order, and at most :data:`MAX_ALERTS` alerts,
and say how many are left out and where they are.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from jupyter_dci.core.profile import profile
>>> prof = profile(pd.DataFrame(np.zeros((5, 150)), columns=[f"c{i}" for i in range(150)]))
>>> columns, note = shown_columns(prof)
>>> len(columns), note
(100, 'Cards for 100 of 150 columns (those with alerts first); prof.columns holds them all.')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jupyter_dci.core.profile._result import Alert, ColumnProfile, DataFrameProfile

__all__ = ["MAX_ALERTS", "MAX_CARDS", "shown_alerts", "shown_columns"]

#: The most column cards a panel or a report shows.
MAX_CARDS = 100
#: The most alerts a panel or a report lists.
MAX_ALERTS = 200


def shown_columns(prof: DataFrameProfile) -> tuple[list[ColumnProfile], str]:
    """Return the columns to show a card for, in the frame's order, and a note ("" if all)."""
    columns = list(prof.columns.values())
    if len(columns) <= MAX_CARDS:
        return columns, ""
    chosen: dict[str, None] = {}
    # Alerts come sorted by severity: their columns first, then the frame's order.
    for alert in prof.alerts:
        if alert.column is not None and alert.column in prof.columns:
            chosen.setdefault(alert.column)
    for column in prof.columns:
        chosen.setdefault(column)
    keep = set(list(chosen)[:MAX_CARDS])
    shown = [c for c in columns if c.name in keep]
    note = (
        f"Cards for {len(shown):,} of {len(columns):,} columns (those with alerts first); "
        "prof.columns holds them all."
    )
    return shown, note


def shown_alerts(prof: DataFrameProfile) -> tuple[list[Alert], str]:
    """Return the alerts to list (the most severe first) and a note ("" if all).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile import profile
    >>> shown_alerts(profile(pd.DataFrame({"a": [1, 1]})))[1]
    ''
    """
    alerts = list(prof.alerts)
    if len(alerts) <= MAX_ALERTS:
        return alerts, ""
    note = f"The {MAX_ALERTS:,} most severe of {len(alerts):,} alerts; prof.alerts holds them all."
    return alerts[:MAX_ALERTS], note
