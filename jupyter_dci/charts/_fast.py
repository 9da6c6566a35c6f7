"""Vega-Lite specs of the panels' charts without Altair's cost.

Building an Altair chart validates every encoding and the whole spec against the
Vega-Lite schema: ~30 ms a chart, 0.6 s for the 20 column cards of a profile, more than
the profile of 100,000 rows itself; and importing Altair (which imports jsonschema and its
format checkers) takes 1.5-4 s here, which the first profile or slices panel of every kernel
paid. The panels' charts differ only in their data, size and title, so each kind's spec is
written out below once, exactly as :func:`~jupyter_dci.charts.histogram_chart`,
:func:`~jupyter_dci.charts.bar_chart`, :func:`~jupyter_dci.charts.rate_chart` and
:func:`~jupyter_dci.charts.versions_chart` build it (``tests/charts/test_fast_specs.py``
compares them with Altair's output, so a new Altair or Vega-Lite version that changes them
fails the tests), and every chart copies it and sets its own data.

Examples
--------
>>> spec = histogram_spec([0, 1, 2], [5, 3])
>>> [row["count"] for row in spec["datasets"][spec["data"]["name"]]]
[5, 3]
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from jupyter_dci.errors import InvalidParameterError

__all__ = ["bar_spec", "histogram_spec", "rate_spec", "versions_spec"]

#: The name of every fast spec's one dataset (Altair names it by a hash of its rows).
DATASET = "values"
#: The most bars a chart may hold: more is a sign that data was not aggregated.
MAX_MARKS = 500
_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}
_OPACITY = {"condition": {"param": "select", "value": 1.0}, "value": 0.45}


def _select(fields: list[str]) -> list[dict[str, Any]]:
    return [{"name": "select", "select": {"type": "point", "fields": fields, "on": "click"}}]


_TEMPLATES: dict[str, dict[str, Any]] = {
    "histogram": {
        "config": _CONFIG,
        "data": {"name": DATASET},
        "mark": {"type": "bar", "binSpacing": 1},
        "encoding": {
            "opacity": _OPACITY,
            "tooltip": [
                {"field": "start", "format": ",.4~g", "type": "quantitative"},
                {"field": "end", "format": ",.4~g", "type": "quantitative"},
                {"field": "count", "format": ",", "type": "quantitative"},
            ],
            "x": {"bin": "binned", "field": "start", "title": None, "type": "quantitative"},
            "x2": {"field": "end"},
            "y": {"field": "count", "title": None, "type": "quantitative"},
        },
        "params": _select(["start", "end"]),
        "$schema": _SCHEMA,
    },
    "rate": {
        "config": _CONFIG,
        "data": {"name": DATASET},
        "mark": {"type": "bar"},
        "encoding": {
            "opacity": _OPACITY,
            "tooltip": [
                {"field": "value", "type": "nominal"},
                {"field": "rate", "format": ".1%", "type": "quantitative"},
            ],
            "x": {"axis": {"format": "%"}, "field": "rate", "title": None, "type": "quantitative"},
            "y": {
                "axis": {"labelLimit": 260},
                "field": "value",
                "sort": None,
                "title": None,
                "type": "nominal",
            },
        },
        "params": _select(["value"]),
        "$schema": _SCHEMA,
    },
    "versions": {
        "config": _CONFIG,
        "data": {"name": DATASET},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "color": {
                "field": "slice",
                "legend": {"labelLimit": 240, "orient": "bottom"},
                "title": None,
                "type": "nominal",
            },
            "tooltip": [
                {"field": "version", "type": "ordinal"},
                {"field": "slice", "type": "nominal"},
                {"field": "value", "format": ".3f", "type": "quantitative"},
            ],
            "x": {"field": "version", "title": "version", "type": "ordinal"},
            "y": {"field": "value", "title": "", "type": "quantitative"},
        },
        "$schema": _SCHEMA,
    },
    "bar": {
        "config": _CONFIG,
        "data": {"name": DATASET},
        "mark": {"type": "bar"},
        "encoding": {
            "opacity": _OPACITY,
            "tooltip": [
                {"field": "value", "type": "nominal"},
                {"field": "count", "format": ",", "type": "quantitative"},
            ],
            "x": {"field": "count", "title": None, "type": "quantitative"},
            "y": {
                "axis": {"labelLimit": 120},
                "field": "value",
                "sort": None,
                "title": None,
                "type": "nominal",
            },
        },
        "params": _select(["value"]),
        "$schema": _SCHEMA,
    },
}


def _check_lengths(name: str, expected: int, got: int) -> None:
    """Refuse data of the wrong length, or too many bars (every chart's check)."""
    if expected != got:
        raise InvalidParameterError(f"{name} must have {expected} values; got {got}.")
    if got > MAX_MARKS:
        raise InvalidParameterError(
            f"A chart may hold at most {MAX_MARKS} bars; got {got}. Aggregate first "
            "(fewer bins, or the top categories plus 'other')."
        )


def _fill(
    kind: str, rows: list[dict[str, Any]], *, title: str, width: int, height: int
) -> dict[str, Any]:
    spec = copy.deepcopy(_TEMPLATES[kind])
    spec["datasets"] = {DATASET: rows}
    spec["width"], spec["height"] = int(width), int(height)
    if title:
        spec["title"] = title
    return spec


def histogram_spec(
    edges: Sequence[float],
    counts: Sequence[int],
    *,
    title: str = "",
    width: int = 260,
    height: int = 90,
) -> dict[str, Any]:
    """Return the spec of :func:`~jupyter_dci.charts.histogram_chart` as a dict, fast.

    Same parameters and checks; the one difference is the dataset's name.

    Examples
    --------
    >>> histogram_spec([0.0, 0.5, 1.0], [2, 7])["params"][0]["name"]
    'select'
    """
    e = np.asarray(edges, dtype=float)
    _check_lengths("edges", len(counts) + 1, len(e))
    rows = [
        {"start": float(a), "end": float(b), "count": int(c)}
        for a, b, c in zip(e[:-1], e[1:], counts, strict=True)
    ]
    return _fill("histogram", rows, title=title, width=width, height=height)


def bar_spec(
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    title: str = "",
    width: int = 260,
    height: int | None = None,
) -> dict[str, Any]:
    """Return the spec of :func:`~jupyter_dci.charts.bar_chart` as a dict, fast.

    Examples
    --------
    >>> bar_spec(["a", "b"], [3, 1])["height"]
    32
    """
    _check_lengths("counts", len(labels), len(counts))
    rows = [{"value": str(v), "count": int(c)} for v, c in zip(labels, counts, strict=True)]
    return _fill("bar", rows, title=title, width=width, height=height or 16 * max(1, len(labels)))


#: The name of the bars' view in a rate chart with an overall rule (the selection lives there).
RATE_VIEW = "view_rate_bars"


def _number(value: Any) -> float | None:
    # Vega-Lite data is JSON: NaN has no spelling there (Altair writes null too).
    number = float(value)
    return None if np.isnan(number) else number


def rate_spec(
    labels: Sequence[str],
    rates: Sequence[float],
    *,
    overall: float | None = None,
    title: str = "",
    width: int = 320,
) -> dict[str, Any]:
    """Return the spec of :func:`~jupyter_dci.charts.rate_chart` as a dict, fast.

    Same parameters and checks; the differences are the datasets' and the view's names.

    Examples
    --------
    >>> spec = rate_spec(["a", "b"], [0.4, 0.1], overall=0.12)
    >>> spec["params"][0]["name"], [layer["mark"]["type"] for layer in spec["layer"]]
    ('select', ['bar', 'rule'])
    """
    _check_lengths("rates", len(labels), len(rates))
    rows = [{"value": str(v), "rate": _number(r)} for v, r in zip(labels, rates, strict=True)]
    spec = _fill("rate", rows, title=title, width=width, height=18 * max(1, len(labels)))
    if overall is None:
        return spec
    # As Altair lays it out: the bars' data, mark, encoding and title stay in their layer.
    bars: dict[str, Any] = {
        key: spec.pop(key) for key in ("data", "mark", "encoding", "title") if key in spec
    }
    bars["name"] = RATE_VIEW
    rule = {
        "data": {"name": "overall"},
        "mark": {"type": "rule", "strokeDash": [4, 3]},
        "encoding": {"x": {"field": "rate", "type": "quantitative"}},
    }
    spec["params"][0]["views"] = [RATE_VIEW]
    spec["datasets"]["overall"] = [{"rate": _number(overall)}]
    out: dict[str, Any] = {"config": spec.pop("config"), "layer": [bars, rule]}
    out.update(spec)
    return out


def versions_spec(frame: Any, *, metric: str, title: str = "", width: int = 320) -> dict[str, Any]:
    """Return the spec of :func:`~jupyter_dci.charts.versions_chart` as a dict, fast.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"version": [1, 2], "slice": ["", ""], "value": [0.2, 0.1]})
    >>> spec = versions_spec(f, metric="error")
    >>> spec["encoding"]["y"]["title"], spec["datasets"]["values"][0]["slice"]
    ('error', '(all rows)')
    """
    missing = {"version", "slice", "value"} - set(frame.columns)
    if missing:
        raise InvalidParameterError(f"A versions chart needs the columns {sorted(missing)}.")
    _check_lengths("rows", len(frame), len(frame))
    rows = [
        {
            "version": int(version),
            "slice": "(all rows)" if slice_ == "" else str(slice_),
            "value": _number(value),
        }
        for version, slice_, value in zip(
            frame["version"], frame["slice"], frame["value"], strict=True
        )
    ]
    spec = _fill("versions", rows, title=title, width=width, height=160)
    spec["encoding"]["y"]["title"] = metric
    return spec
