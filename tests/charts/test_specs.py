from __future__ import annotations

import json

import pytest

from jupyter_dci.charts import MAX_MARKS, bar_chart, histogram_chart
from jupyter_dci.errors import InvalidParameterError


def inline_rows(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def test_histogram_spec_is_small_inline_and_selectable() -> None:
    spec = histogram_chart([0.0, 0.5, 1.0], [10, 20], title="x").to_dict()
    assert inline_rows(spec) == [
        {"start": 0.0, "end": 0.5, "count": 10},
        {"start": 0.5, "end": 1.0, "count": 20},
    ]
    assert spec["params"][0]["name"] == "select"
    assert "url" not in json.dumps(spec["data"])
    assert len(json.dumps(spec)) < 5000


def test_bar_chart_keeps_order_and_text() -> None:
    xss = "<img src=x onerror=alert(1)>"
    spec = bar_chart(["b", xss], [3, 1]).to_dict()
    assert [r["value"] for r in inline_rows(spec)] == ["b", xss]  # data, never markup
    assert spec["encoding"]["y"]["sort"] is None


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="edges must have 3 values; got 2"):
        histogram_chart([0, 1], [1, 2])
    with pytest.raises(InvalidParameterError, match="Aggregate first"):
        bar_chart([str(i) for i in range(MAX_MARKS + 1)], [1] * (MAX_MARKS + 1))
