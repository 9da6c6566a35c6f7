from __future__ import annotations

import pytest

import jupyter_dci as dci
from jupyter_dci.charts import bar_chart
from jupyter_dci.errors import InvalidParameterError


def test_chart_widget_holds_the_spec_and_the_offline_bundle() -> None:
    widget = dci.chart(bar_chart(["a", "b"], [1, 2]))
    assert widget.spec["mark"]["type"] == "bar"
    assert "vega" in widget._esm  # bundled, not fetched
    for cdn in ("esm.sh", "jsdelivr", "unpkg", "cdnjs"):
        assert cdn not in widget._esm


def test_urls_and_raw_rows_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="must be inline"):
        dci.chart({"data": {"url": "https://example.com/data.csv"}, "mark": "point"})
    with pytest.raises(InvalidParameterError, match="at most 5,000 rows"):
        dci.chart({"data": {"values": [{"a": i} for i in range(5001)]}, "mark": "point"})
    with pytest.raises(InvalidParameterError, match="an Altair chart or a Vega-Lite spec dict"):
        dci.chart(42)
