"""The workbench's words: the header's counts, the static summary a saved notebook keeps.

:func:`summary_counts` says, as text, what the header shows (rows, alerts, label issues,
slices, the dataset's version); :func:`summary_html` lays it out inline (the header) or as
a table; :func:`static_html` adds the top alerts for readers without a kernel. Every
string is escaped: counts may quote column names, alerts quote values.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets

from jupyter_dci.widgets.inspect._state import WorkbenchState

__all__ = ["message", "static_html", "summary_counts", "summary_html"]

#: Alerts listed in the static summary kept in a saved notebook.
SUMMARY_ALERTS = 8


def message(text: str, *, kind: str = "info") -> ipywidgets.HTML:
    """Make a paragraph of text for a tab (escaped: it may quote a column name or an error)."""
    return ipywidgets.HTML(
        f'<p class="dci-inspect-{kind}" style="margin:8px 4px">{html.escape(text)}</p>'
    )


def _alerts_text(state: WorkbenchState) -> str:
    counts: dict[str, int] = {}
    for alert in state.profile.alerts:
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
    detail = ", ".join(f"{n} {s}" for s, n in counts.items())
    n = len(state.profile.alerts)
    text = f"{n} alert{'' if n == 1 else 's'}" + (f" ({detail})" if detail else "")
    if state.profile_generation != state.generation:
        text += " · as of before the last edits (open Overview to update)"
    return text


def summary_counts(
    state: WorkbenchState, *, review_panel: Any = None, slices_panel: Any = None
) -> dict[str, str]:
    """Return the header's counts as text, one entry per part of the loop that applies.

    Examples
    --------
    >>> import pandas as pd
    >>> summary_counts(WorkbenchState(pd.DataFrame({"x": [1, 2]}), label="x"))
    {'data': '2 rows × 1 columns', 'label issues': 'not computed yet (open Label issues)'}
    """
    frame = state.frame
    out = {"data": f"{len(frame):,} rows × {frame.shape[1]:,} columns"}
    if state.profile is not None:
        out["alerts"] = _alerts_text(state)
    if review_panel is not None:
        r = review_panel
        out["label issues"] = (
            f"{r.n_suspects:,} suspected · {r.n_reviewed:,} reviewed · "
            f"{r.n_relabelled:,} relabelled · {r.n_suspects - r.n_reviewed:,} to go"
        )
    elif state.label is not None:
        out["label issues"] = (
            "not computed yet (open Label issues)"
            if state.probs is None
            else f"probabilities {state.probs_origin} · open Label issues to count the suspects"
        )
    if slices_panel is not None:
        found = slices_panel.found
        out["slices"] = (
            f"{len(found.slices)} where the model fails more (error {found.error:.1%} overall)"
            if found.found
            else found.message
        )
    if state.dataset is not None:
        ds = state.dataset
        out["dataset"] = f"{ds.name!r} version {ds.head.id} · {ds.n_pending:,} uncommitted edits"
    return out


def summary_html(summary: dict[str, str], *, inline: bool) -> str:
    """Lay out the counts: one line for the header, or a table for the static summary.

    Examples
    --------
    >>> summary_html({"data": "<b>"}, inline=False)
    "<table><tr><th style='text-align:left'>data</th><td>&lt;b&gt;</td></tr></table>"
    """
    if inline:
        items = " &nbsp;·&nbsp; ".join(
            f"<b>{html.escape(k)}</b> {html.escape(v)}" for k, v in summary.items()
        )
        return f'<div class="dci-inspect-summary" style="padding:4px 2px">{items}</div>'
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in summary.items()
    )
    return f"<table>{rows}</table>"


def static_html(summary: dict[str, str], alerts: Any = ()) -> str:
    """Render what a saved notebook shows where no kernel runs: counts and top alerts."""
    parts = [
        "<div class='dci-inspect-static'>",
        "<p><b>jupyter_dci workbench</b> (the interactive panel needs a running kernel)</p>",
        summary_html(summary, inline=False),
    ]
    if alerts:
        items = "".join(
            f"<li>{html.escape(a.severity)}: {html.escape(a.message)}</li>"
            for a in alerts[:SUMMARY_ALERTS]
        )
        more = len(alerts) - SUMMARY_ALERTS
        tail = f"<li>… and {more} more</li>" if more > 0 else ""
        parts.append(f"<p>Alerts:</p><ul>{items}{tail}</ul>")
    parts.append("</div>")
    return "".join(parts)
