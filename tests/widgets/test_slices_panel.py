"""The slices panel played from the front end's side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_dci as dci


@pytest.fixture
def planted() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 6000
    df = pd.DataFrame(
        {
            "country": rng.choice(["IN", "FR", "BR"], n),
            "age": rng.integers(18, 70, n),
            "x": rng.normal(size=n),
        }
    )
    wrong = (((df["country"] == "IN") & (df["age"] < 25)) & (rng.random(n) < 0.5)) | (
        rng.random(n) < 0.05
    )
    return df, wrong.to_numpy()


def ask(widget: Any, **content: Any) -> dict[str, Any]:
    replies: list[dict[str, Any]] = []
    widget.send = replies.append
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"id": 3, **content}}}, "buffers": []}
    )
    (reply,) = replies
    return reply


def test_panel_lists_the_planted_slice_and_shows_its_rows(
    planted: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, wrong = planted
    panel = dci.slices(df, wrong, by="country")
    first = panel.summary._slices[0]
    assert first["expression"].startswith("country == 'IN' and age <")
    reply = ask(panel.summary, type="show", key=first["key"])
    expected = int(panel.found.slices[0].slice.mask(df).sum())
    assert reply == {"type": "shown", "id": 3, "count": expected, "caption": first["expression"]}
    assert panel.table.n_shown == expected
    by = next(c for c in panel.summary._charts if c["key"] == "by:country")
    key = by["groups"]["country == 'BR'"]
    assert ask(panel.summary, type="show", key=key)["count"] == int((df["country"] == "BR").sum())
    assert ask(panel.summary, type="show", key="slice:99")["type"] == "error"


def test_saving_needs_a_dataset_and_then_follows_it(
    planted: tuple[pd.DataFrame, np.ndarray], tmp_path: Path
) -> None:
    df, wrong = planted
    panel = dci.slices(df, wrong)
    assert "tracked dataset" in ask(panel.summary, type="save", key="slice:1", name="hard")["error"]
    ds = dci.track(df, name="planted", root=tmp_path)
    panel = dci.slices(df, wrong, dataset=ds)
    assert ask(panel.summary, type="save", key="slice:1", name=" ")["type"] == "error"
    assert ask(panel.summary, type="save", key="slice:1", name="hard") == {
        "type": "saved",
        "id": 3,
        "name": "hard",
    }
    assert "hard" in ds.slices()
    assert panel.summary._saved == ["hard"]


def test_metrics_across_versions_are_charted(
    planted: tuple[pd.DataFrame, np.ndarray], tmp_path: Path
) -> None:
    df, wrong = planted
    df = df.assign(label=np.where(wrong, 1, 0))
    ds = dci.track(df, name="m", label="label", root=tmp_path)
    ds.evaluate(np.zeros(len(df), dtype=int), name="baseline")
    panel = dci.slices(df, wrong, dataset=ds)
    assert any(c["key"].startswith("versions:") for c in panel.summary._charts)


def test_nothing_found_is_said(planted: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, _ = planted
    panel = dci.slices(df, np.zeros(len(df), dtype=bool))
    assert panel.summary._summary["found"] is False
    assert panel.summary._summary["message"]
    assert panel.summary._slices == []
