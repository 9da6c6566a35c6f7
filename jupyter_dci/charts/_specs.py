"""Altair charts built from pre-aggregated bins and counts.

Charts only ever see aggregated, bounded data (a histogram's bins, a bar per category),
never the rows of a frame: a spec stays a few kilobytes whatever the frame's size. Each
chart carries a point selection named ``select`` so that a click reaches Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import altair as alt
import numpy as np
import pandas as pd

# The checks (and MAX_MARKS) live with the fast specs, which must not import Altair.
from jupyter_dci.charts._fast import MAX_MARKS, _check_lengths
from jupyter_dci.errors import InvalidParameterError

__all__ = ["MAX_MARKS", "bar_chart", "histogram_chart", "rate_chart", "versions_chart"]


def histogram_chart(
    edges: Sequence[float],
    counts: Sequence[int],
    *,
    title: str = "",
    width: int = 260,
    height: int = 90,
) -> alt.Chart:
    """Draw a histogram from bin edges and counts, with a click selection of one bin.

    Parameters
    ----------
    edges : sequence of float
        ``len(counts) + 1`` increasing bin edges.
    counts : sequence of int
        Rows per bin.
    title : str, optional
        The chart's title.
    width, height : int
        Size in pixels.

    Returns
    -------
    altair.Chart
        A chart whose selection ``select`` holds the clicked bin's ``start`` and ``end``.

    Examples
    --------
    >>> spec = histogram_chart([0, 1, 2], [5, 3]).to_dict()
    >>> [row["count"] for row in spec["datasets"][next(iter(spec["datasets"]))]]
    [5, 3]
    """
    edges_arr = np.asarray(edges, dtype=float)
    _check_lengths("edges", len(counts) + 1, len(edges_arr))
    data = pd.DataFrame(
        {"start": edges_arr[:-1], "end": edges_arr[1:], "count": np.asarray(counts)}
    )
    select = alt.selection_point(name="select", fields=["start", "end"], on="click")
    return (
        alt.Chart(data, title=title or alt.Undefined, width=width, height=height)
        .mark_bar(binSpacing=1)
        .encode(
            x=alt.X("start:Q", bin="binned", title=None),
            x2="end:Q",
            y=alt.Y("count:Q", title=None),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("start:Q", format=",.4~g"),
                alt.Tooltip("end:Q", format=",.4~g"),
                alt.Tooltip("count:Q", format=","),
            ],
        )
        .add_params(select)
    )


def bar_chart(
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    title: str = "",
    width: int = 260,
    height: int | None = None,
) -> alt.Chart:
    """Draw a horizontal bar per category (in the given order), with a click selection.

    Examples
    --------
    >>> spec = bar_chart(["a", "b"], [3, 1]).to_dict()
    >>> spec["params"][0]["name"]
    'select'
    """
    _check_lengths("counts", len(labels), len(counts))
    data = pd.DataFrame({"value": [str(x) for x in labels], "count": np.asarray(counts)})
    select = alt.selection_point(name="select", fields=["value"], on="click")
    return (
        alt.Chart(
            data,
            title=title or alt.Undefined,
            width=width,
            height=height or 16 * max(1, len(labels)),
        )
        .mark_bar()
        .encode(
            y=alt.Y("value:N", sort=None, title=None, axis=alt.Axis(labelLimit=120)),
            x=alt.X("count:Q", title=None),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
            tooltip=[alt.Tooltip("value:N"), alt.Tooltip("count:Q", format=",")],
        )
        .add_params(select)
    )


def rate_chart(
    labels: Sequence[str],
    rates: Sequence[float],
    *,
    overall: float | None = None,
    title: str = "",
    width: int = 320,
) -> alt.LayerChart | alt.Chart:
    """Draw a horizontal bar per group with its rate (e.g. error), and a rule at the overall rate.

    A click selects a group (``select`` holds its ``value``).

    Examples
    --------
    >>> spec = rate_chart(["a", "b"], [0.4, 0.1], overall=0.12).to_dict()
    >>> spec["params"][0]["name"]  # Altair lifts a layer's selections to the top
    'select'
    """
    _check_lengths("rates", len(labels), len(rates))
    data = pd.DataFrame({"value": [str(x) for x in labels], "rate": np.asarray(rates, dtype=float)})
    select = alt.selection_point(name="select", fields=["value"], on="click")
    height = 18 * max(1, len(labels))
    bars = (
        alt.Chart(data, title=title or alt.Undefined, width=width, height=height)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("rate:Q", title=None, axis=alt.Axis(format="%")),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
            tooltip=[alt.Tooltip("value:N"), alt.Tooltip("rate:Q", format=".1%")],
        )
        .add_params(select)
    )
    if overall is None:
        return bars
    rule = (
        alt.Chart(pd.DataFrame({"rate": [float(overall)]}))
        .mark_rule(strokeDash=[4, 3])
        .encode(x="rate:Q")
    )
    # A FacetChart only when the layers share facet encodings, which these have none of.
    return cast(alt.LayerChart, alt.layer(bars, rule))


def versions_chart(
    frame: pd.DataFrame, *, metric: str, title: str = "", width: int = 320
) -> alt.Chart:
    """Draw one line per slice of a metric across dataset versions.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``version``, ``slice`` (empty for the whole dataset) and ``value``: one row per
        version and slice (a few hundred at most).
    metric : str
        The metric's name, for the axis.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"version": [1, 2], "slice": ["", ""], "value": [0.2, 0.1]})
    >>> versions_chart(f, metric="error").to_dict()["mark"]["type"]
    'line'
    """
    missing = {"version", "slice", "value"} - set(frame.columns)
    if missing:
        raise InvalidParameterError(f"A versions chart needs the columns {sorted(missing)}.")
    _check_lengths("rows", len(frame), len(frame))
    data = frame[["version", "slice", "value"]].copy()
    data["slice"] = data["slice"].replace("", "(all rows)")
    return (
        alt.Chart(data, title=title or alt.Undefined, width=width, height=160)
        .mark_line(point=True)
        .encode(
            x=alt.X("version:O", title="version"),
            y=alt.Y("value:Q", title=metric),
            color=alt.Color(
                "slice:N", title=None, legend=alt.Legend(labelLimit=240, orient="bottom")
            ),
            tooltip=["version:O", "slice:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
