"""The profile panel played from the front end's side."""

from __future__ import annotations

import gc
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_dci as dci
from jupyter_dci.core.profile import DataFrameProfile
from jupyter_dci.core.profile import profile as core_profile
from jupyter_dci.core.profile._lazy_rows import alert_predicate
from jupyter_dci.errors import DataMismatchError

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 2000
    price = rng.lognormal(3, 0.5, size=n)
    price[:4] *= 1e4  # planted outliers
    return pd.DataFrame(
        {
            "price": price,
            "city": rng.choice(["NY", "LA", XSS], size=n),
            "when": pd.date_range("2024-01-01", periods=n, freq="h"),
            "id": [f"u{i}" for i in range(n)],
        }
    )


def ask(widget: Any, **content: Any) -> dict[str, Any]:
    replies: list[dict[str, Any]] = []
    widget.send = replies.append
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"id": 7, **content}}}, "buffers": []}
    )
    (reply,) = replies
    assert reply["id"] == 7
    return reply


def test_dci_profile_is_the_core_profile_that_displays_a_panel(df: pd.DataFrame) -> None:
    prof = dci.profile(df)
    assert isinstance(prof, DataFrameProfile)
    core = core_profile(df)
    assert [a.to_dict() for a in prof.alerts] == [a.to_dict() for a in core.alerts]
    assert prof.to_dict()["columns"] == core.to_dict()["columns"]
    data = prof._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "application/vnd.jupyter.widget-view+json" in data
    panel = prof.show()
    assert panel.table.frame is df


def test_panel_state_is_small_and_escaping_is_left_to_text(df: pd.DataFrame) -> None:
    panel = dci.profile(df).show()
    state = {k: v for k, v in panel.summary.get_state().items() if k != "_esm"}
    assert len(json.dumps(state)) < 100_000
    cards = {c["name"]: c for c in panel.summary._cards}
    assert set(cards) == set(df.columns)
    assert cards["price"]["chart"]["params"][0]["name"] == "select"
    assert panel.summary._overview["n_rows"] == len(df)


def test_alert_click_shows_its_rows(df: pd.DataFrame) -> None:
    panel = dci.profile(df).show()
    alerts = panel.summary._alerts
    outliers = next(a for a in alerts if a["kind"] == "outliers" and a["column"] == "price")
    reply = ask(panel.summary, type="alert", index=outliers["index"])
    assert reply["type"] == "shown"
    assert reply["count"] == outliers["n_rows"] >= 4
    assert panel.table.n_shown == reply["count"]
    assert "outliers" in panel.table.caption
    whole = next((a for a in alerts if a["n_rows"] == 0), None)
    if whole is not None:
        assert ask(panel.summary, type="alert", index=whole["index"])["type"] == "error"
    assert "[0, " in ask(panel.summary, type="alert", index=999)["error"]


def test_bar_clicks_show_bins_and_values(df: pd.DataFrame) -> None:
    panel = dci.profile(df).show()
    reply = ask(panel.summary, type="bar", column="city", value={"value": [XSS]})
    assert reply["count"] == int((df["city"] == XSS).sum())
    (rows,) = panel.summary._cards[0]["chart"]["datasets"].values()
    first = rows[0]
    reply = ask(
        panel.summary,
        type="bar",
        column="price",
        value={"start": [first["start"]], "end": [first["end"]]},
    )
    expected = int(((df["price"] >= first["start"]) & (df["price"] < first["end"])).sum())
    assert reply["count"] == expected
    assert ask(panel.summary, type="bar", column="nope", value={"value": ["x"]})["type"] == "error"
    assert (
        ask(panel.summary, type="bar", column="city", value={"value": ["Paris"]})["type"] == "error"
    )
    assert ask(panel.summary, type="bar", column="city", value="x")["type"] == "error"
    assert ask(panel.summary, type="explode")["type"] == "error"


def test_a_temporary_frame_still_shows_its_panel() -> None:
    prof = dci.profile(pd.DataFrame({"x": np.arange(10)}))  # as with dci.profile(pd.read_csv(...))
    gc.collect()
    assert prof.show().table.n_rows == 10
    assert "_source" not in repr(prof)
    assert "_source" not in json.dumps(prof.to_dict())


def test_a_core_profile_has_no_panel() -> None:
    from jupyter_dci.widgets._profile import ProfileResult

    bare = ProfileResult(**vars(core_profile(pd.DataFrame({"x": [1]}))))
    with pytest.raises(DataMismatchError, match="holds no frame"):
        bare.show()
    assert bare._repr_mimebundle_()["text/plain"].startswith("ProfileResult(")


def test_data_profiled_in_its_engine_shows_its_profile_and_filters_its_rows_there(
    df: pd.DataFrame, tmp_path: Any
) -> None:
    df = df.copy()
    df.loc[10:60, "price"] = np.nan
    df["size"] = np.where(np.arange(len(df)) % 50 == 0, -999, np.arange(len(df)) % 7)
    df["state"] = np.where(np.arange(len(df)) % 97 == 0, "new york", "New York")
    path = tmp_path / "data.parquet"
    df.to_parquet(path, index=False)
    prof = dci.profile(str(path))
    assert (prof.engine, prof.source) == ("duckdb", "1 Parquet file")
    panel = prof.show()
    # The profile over a table that pages the file in DuckDB.
    assert panel.children == (panel.summary, panel.table) and panel.table is not None
    assert panel.table.n_rows == len(df)
    overview = panel.summary._overview
    assert overview["n_rows"] == len(df) and overview["memory"] == "kept in duckdb"
    assert any(a["kind"] == "outliers" for a in panel.summary._alerts)
    assert len(panel.summary._cards) == df.shape[1]
    # A click on an alert filters the table by the alert as a predicate, counted in DuckDB:
    # the same rows as the pandas path's mask.
    pandas_prof = core_profile(df)
    for kind in ("outliers", "missing", "placeholder", "inconsistent_spelling"):
        index = next(a["index"] for a in panel.summary._alerts if a["kind"] == kind)
        alert = prof.alerts[index]
        reply = ask(panel.summary, type="alert", index=index)
        assert reply["type"] == "shown", reply
        same = next(
            a for a in pandas_prof.alerts if (a.kind, a.column) == (alert.kind, alert.column)
        )
        assert reply["count"] == int(pandas_prof.alert_rows(same, df).sum()) > 0
        assert panel.table.filter == alert_predicate(prof, alert)
        assert panel.table.caption.startswith(kind.replace("_", " "))
    # "Show all rows" drops the alert's filter with its caption.
    panel.table.show_rows()
    assert (panel.table.filter, panel.table.caption) == ("", "")
    # Alerts no filter can say are answered inline, with what to do.
    dup = next((a["index"] for a in panel.summary._alerts if a["kind"] == "duplicate_rows"), None)
    if dup is not None:
        reply = ask(panel.summary, type="alert", index=dup)
        assert reply["type"] == "error" and "profile it" in reply["error"]
    bundle = prof._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_wide_frame_keeps_its_panel_and_report_small(tmp_path: Any) -> None:
    """200 x 10,000 made a 32 MB widget state and a 38 MB report (issue #15)."""
    rng = np.random.default_rng(0)
    n_cols = 3_000
    frame = pd.DataFrame(rng.normal(size=(60, n_cols)), columns=[f"c{i}" for i in range(n_cols)])
    frame["c2999"] = 0.0  # a constant column, far right: its card must still be shown
    prof = dci.profile(frame)
    panel = prof.show()
    state = panel.summary.get_state()
    size = len(json.dumps({k: v for k, v in state.items() if k != "_esm"}, default=str))
    assert size < 500_000
    names = [card["name"] for card in state["_cards"]]
    assert len(names) == 100 and "c2999" in names
    assert names == sorted(names, key=lambda n: int(n[1:]))  # the frame's order
    assert state["_overview"]["notes"] == [
        "Cards for 100 of 3,000 columns (those with alerts first); prof.columns holds them all."
    ]
    out = tmp_path / "wide.html"
    prof.to_html(out)
    page = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 1_000_000 and "Cards for 100 of 3,000 columns" in page
    assert len(prof.columns) == n_cols  # the profile itself keeps every column
