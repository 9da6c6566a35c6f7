"""``dci.chart(chart)``: an Altair chart rendered offline, whose selections reach Python."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from jupyter_dci.errors import InvalidParameterError, param_error
from jupyter_dci.widgets._base import read_bundle

__all__ = ["ChartWidget", "chart", "check_offline_spec"]

#: Inline data rows a chart may carry (as Altair's own MaxRowsError): aggregate first.
MAX_DATA_ROWS = 5000


def check_offline_spec(spec: Any) -> None:
    """Refuse specs that would load data from a URL or carry raw rows instead of aggregates.

    Examples
    --------
    >>> check_offline_spec({"data": {"values": [{"a": 1}]}, "mark": "bar"})
    >>> check_offline_spec({"data": {"url": "https://example.com/x.csv"}})
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.InvalidParameterError: Chart data must be inline: the spec loads 'https://example.com/x.csv'. ...
    """  # noqa: E501
    stack = [spec]
    rows = 0
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            url = node.get("url")
            if isinstance(url, str):
                raise InvalidParameterError(
                    f"Chart data must be inline: the spec loads {url!r}. jupyter_dci renders "
                    "offline; pass a DataFrame of aggregated values to the chart instead."
                )
            values = node.get("values")
            if isinstance(values, list):
                rows += len(values)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if rows > MAX_DATA_ROWS:
        raise InvalidParameterError(
            f"A chart may carry at most {MAX_DATA_ROWS:,} rows of data; this one has {rows:,}. "
            "Aggregate first (bins, counts, top values)."
        )


class ChartWidget(anywidget.AnyWidget):
    """An Altair chart rendered offline in the notebook; ``selection`` holds the last click."""

    _esm = traitlets.Unicode().tag(sync=True)
    #: The Vega-Lite spec (``chart.to_dict()``).
    spec = traitlets.Dict().tag(sync=True)
    #: The last selection: ``{"name": "select", "value": {field: [values]}}``, or empty.
    selection = traitlets.Dict().tag(sync=True)

    def __init__(self, spec: dict[str, Any]) -> None:
        check_offline_spec(spec)
        super().__init__(_esm=read_bundle("chart"), spec=spec)


def chart(chart: Any) -> ChartWidget:
    """Show an Altair chart (or a Vega-Lite spec dict) offline, with selections readable in Python.

    Parameters
    ----------
    chart : altair.Chart or dict
        The chart; its data must be inline and aggregated (at most 5,000 rows).

    Returns
    -------
    ChartWidget
        The view; ``widget.selection`` holds the last selection made by a click.

    Examples
    --------
    >>> from jupyter_dci.charts import bar_chart
    >>> import jupyter_dci as dci
    >>> dci.chart(bar_chart(["a", "b"], [3, 1])).selection
    {}
    """
    if isinstance(chart, dict):
        spec = chart
    elif hasattr(chart, "to_dict"):
        spec = chart.to_dict()
    else:
        raise param_error(
            "chart", "chart", "an Altair chart or a Vega-Lite spec dict", type(chart).__name__
        )
    return ChartWidget(spec)
