"""The fast specs of the profile's cards are Altair's specs, only the dataset renamed."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_dci.charts import bar_chart, bar_spec, histogram_chart, histogram_spec
from jupyter_dci.errors import InvalidParameterError


def _renamed(spec: dict[str, Any]) -> dict[str, Any]:
    """Altair's spec with its hash-named dataset called as the fast specs call theirs."""
    out = dict(spec)
    (name,) = out.pop("datasets")
    out["datasets"] = {"values": spec["datasets"][name]}
    out["data"] = {"name": "values"}
    return out


@pytest.mark.parametrize(
    ("edges", "counts", "options"),
    [
        ([0.0, 0.5, 1.0], [3, 4], {}),
        ([-1e9, 0.0, 2.5, 1e9], [1, 0, 7], {"title": "x <b>", "width": 300, "height": 60}),
    ],
)
def test_histogram_spec_equals_altairs(edges: Any, counts: Any, options: Any) -> None:
    assert histogram_spec(edges, counts, **options) == _renamed(
        histogram_chart(edges, counts, **options).to_dict()
    )


@pytest.mark.parametrize(
    ("labels", "counts", "options"),
    [(["a", "b", "<img src=x>"], [5, 2, 1], {}), (["only"], [9], {"title": "t", "height": 40})],
)
def test_bar_spec_equals_altairs(labels: Any, counts: Any, options: Any) -> None:
    assert bar_spec(labels, counts, **options) == _renamed(
        bar_chart(labels, counts, **options).to_dict()
    )


def test_fast_specs_check_their_input_and_share_nothing() -> None:
    with pytest.raises(InvalidParameterError, match="edges must have 3 values"):
        histogram_spec([0.0, 1.0], [1, 2])
    with pytest.raises(InvalidParameterError, match="at most 500 bars"):
        bar_spec([str(i) for i in range(501)], [1] * 501)
    a = bar_spec(["a"], [1])
    a["encoding"]["x"]["title"] = "changed"
    assert bar_spec(["a"], [1])["encoding"]["x"].get("title") != "changed"
