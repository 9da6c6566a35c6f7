"""The slices panel over data that stays in its engine, played from the front end's side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

import jupyter_dci as dci
from jupyter_dci.errors import InvalidParameterError


@pytest.fixture
def planted() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 6000
    df = pd.DataFrame(
        {
            "country": rng.choice(["IN", "FR", "BR"], n),
            "age": rng.integers(18, 70, n),
            "x": rng.normal(size=n),
        }
    )
    df["wrong"] = (((df["country"] == "IN") & (df["age"] < 25)) & (rng.random(n) < 0.5)) | (
        rng.random(n) < 0.05
    )
    return df


def ask(widget: Any, **content: Any) -> dict[str, Any]:
    replies: list[dict[str, Any]] = []
    widget.send = replies.append
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"id": 3, **content}}}, "buffers": []}
    )
    (reply,) = replies
    return reply


@pytest.mark.parametrize("backend", ["polars-lazy", "parquet"])
def test_panel_over_engine_data_filters_its_table(
    backend: str, planted: pd.DataFrame, tmp_path: Path
) -> None:
    if backend == "parquet":
        data: Any = str(tmp_path / "d.parquet")
        planted.to_parquet(data, index=False)
    else:
        data = pl.from_pandas(planted).lazy()
    want = dci.slices(planted, "wrong", by="country", features=["country", "age", "x"])
    panel = dci.slices(data, "wrong", by="country", features=["country", "age", "x"])
    assert panel.found.message == want.found.message
    assert [(s.slice, s.support) for s in panel.found] == [(s.slice, s.support) for s in want.found]
    first = panel.summary._slices[0]
    assert first == want.summary._slices[0]
    reply = ask(panel.summary, type="show", key=first["key"])
    expected = int(panel.found.slices[0].slice.mask(planted).sum())
    assert reply == {"type": "shown", "id": 3, "count": expected, "caption": first["expression"]}
    assert panel.table.filter == first["expression"]
    by = next(c for c in panel.summary._charts if c["key"] == "by:country")
    assert by == next(c for c in want.summary._charts if c["key"] == "by:country")
    key = by["groups"]["country == 'BR'"]
    assert ask(panel.summary, type="show", key=key)["count"] == int(
        (planted["country"] == "BR").sum()
    )


def test_engine_data_takes_errors_as_a_column(planted: pd.DataFrame) -> None:
    lazy = pl.from_pandas(planted).lazy()
    with pytest.raises(InvalidParameterError, match="name of a column of the data"):
        dci.slices(lazy, planted["wrong"].to_numpy())
    with pytest.raises(InvalidParameterError, match="The 'by' column 'nope' is not in the data"):
        dci.slices(lazy, "wrong", by="nope")
