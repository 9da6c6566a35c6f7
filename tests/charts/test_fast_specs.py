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


def _renamed_all(spec: dict[str, Any]) -> dict[str, Any]:
    """Altair's spec with its hash-named datasets and view named as the fast specs do."""
    import json

    text = json.dumps(spec)
    datasets = list(spec.get("datasets", {}))
    names = ["values", "overall"][: len(datasets)]
    for old, new in zip(datasets, names, strict=True):
        text = text.replace(old, new)
    for layer in spec.get("layer", []):
        if "name" in layer:
            text = text.replace(layer["name"], "view_rate_bars")
    return json.loads(text)


@pytest.mark.parametrize(
    ("labels", "rates", "options"),
    [
        (["a", "b <i>"], [0.4, 0.1], {}),
        (["a", "b"], [0.4, float("nan")], {"overall": 0.12}),
        (["only"], [1.0], {"overall": 0.5, "title": "error by slice", "width": 400}),
    ],
)
def test_rate_spec_equals_altairs(labels: Any, rates: Any, options: Any) -> None:
    from jupyter_dci.charts import rate_chart, rate_spec

    assert rate_spec(labels, rates, **options) == _renamed_all(
        rate_chart(labels, rates, **options).to_dict()
    )


def test_versions_spec_equals_altairs() -> None:
    import numpy as np
    import pandas as pd

    from jupyter_dci.charts import versions_chart, versions_spec

    frame = pd.DataFrame(
        {
            "version": np.array([1, 2, 1, 2], dtype=np.int64),
            "slice": ["", "", "clinic == 'C'", "clinic == 'C'"],
            "value": [0.9, 0.95, 0.5, float("nan")],
        }
    )
    for options in ({}, {"title": "accuracy across versions", "width": 280}):
        assert versions_spec(frame, metric="accuracy", **options) == _renamed_all(
            versions_chart(frame, metric="accuracy", **options).to_dict()
        )
    with pytest.raises(InvalidParameterError, match="needs the columns"):
        versions_spec(frame.drop(columns="slice"), metric="accuracy")
