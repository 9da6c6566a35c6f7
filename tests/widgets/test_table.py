"""The table widget played from the front end's side: messages in, replies and traits out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_dci as dci
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, UnsupportedInputError
from tests.widgets import _player


class Recorder(_player.Recorder):
    """Plays the view (see tests/widgets/_player.py), with shortcuts for its requests."""

    def page(
        self, offset: int = 0, limit: int = 100, sort: Any = None, filter: str = ""
    ) -> dict[str, Any]:
        return self.request(type="page", offset=offset, limit=limit, sort=sort, filter=filter)


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {"x": rng.normal(size=300), "g": rng.choice(["a", "b"], size=300)},
        index=pd.Index(range(1000, 1300), name="id"),
    )


def test_state_is_small_and_the_frame_stays_in_the_kernel(df: pd.DataFrame) -> None:
    view = dci.table(df)
    state = view.get_state()
    assert state["n_rows"] == 300
    assert [c["name"] for c in state["_columns"]] == ["x", "g"]
    assert state["_index_name"] == "id"
    assert view.frame is df
    synced = {k: v for k, v in state.items() if k != "_esm"}
    assert len(repr(synced)) < 2000


def test_page_request_and_reply(df: pd.DataFrame) -> None:
    rec = Recorder(dci.table(df))
    reply = rec.page(offset=10, limit=5)
    assert reply["type"] == "page" and reply["total"] == 300
    assert [r["pos"] for r in reply["rows"]] == [10, 11, 12, 13, 14]
    assert reply["rows"][0]["index"] == "1010"


def test_errors_come_back_with_the_request_id(df: pd.DataFrame) -> None:
    rec = Recorder(dci.table(df))
    reply = rec.page(filter="x >")
    assert reply["type"] == "error" and "after '>'" in reply["error"]
    reply = rec.page(sort={"column": "x", "ascending": True})
    assert reply["type"] == "error" and "int position" in reply["error"]
    reply = rec.request(type="explode")
    assert reply["type"] == "error" and "Unknown table request" in reply["error"]
    reply = rec.page(filter="x" * 20_000)
    assert reply["type"] == "error" and "at most 10,000" in reply["error"]
    # The view still answers after errors.
    assert rec.page()["type"] == "page"


def test_internal_errors_are_shown_not_swallowed(
    df: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = dci.table(df)
    rec = Recorder(view)

    def boom(*_a: Any, **_k: Any) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(view._pager, "page", boom)
    reply = rec.page()
    assert reply["type"] == "error" and "ZeroDivisionError: bug" in reply["error"]


def test_selection_by_messages_reaches_python(df: pd.DataFrame) -> None:
    view = dci.table(df)
    rec = Recorder(view)
    sort = {"column": 0, "ascending": True}
    order = df.reset_index(drop=True)["x"].sort_values(kind="stable").index.to_numpy()
    rec.request(type="select", op="set", row=0, anchor=None, sort=sort, filter="")
    reply = rec.request(type="select", op="range", row=4, anchor=2, sort=sort, filter="")
    assert reply == {"type": "selection", "id": rec.next_id, "count": 3}
    assert view.selection_count == 3
    assert view.selected_rows == sorted(df.index[order[2:5]].tolist())
    assert view.selected.index.tolist() == view.selected_rows
    rec.request(type="select", op="clear", row=None, anchor=None, sort=None, filter="")
    rec.request(type="select", op="all", row=None, anchor=None, sort=None, filter="g == 'a'")
    assert view.selection_count == int((df["g"] == "a").sum())
    assert rec.page()["rows"][0]["selected"] == (df["g"].iloc[0] == "a")


def test_python_selection_and_sort_reach_the_view(df: pd.DataFrame) -> None:
    view = dci.table(df)
    before = view._selection_version
    view.selected_rows = [1005, 1001]
    assert view.selected_positions.tolist() == [1, 5]
    assert view._selection_version == before + 1 and view.selection_count == 2
    with pytest.raises(InvalidParameterError, match="not in the frame's index"):
        view.selected_rows = [1, 2]
    view.sort_by("x", ascending=False)
    assert view._sort == {"column": 0, "ascending": False}
    assert view.sort == ("x", False)
    view.sort_by(index=True)
    assert view.sort == (None, True)
    view.sort_by()
    assert view.sort is None
    with pytest.raises(InvalidParameterError, match="no column"):
        view.sort_by("nope")
    view.clear_selection()
    assert view.selected_rows == []


def test_refresh_after_an_in_place_change(df: pd.DataFrame) -> None:
    view = dci.table(df)
    rec = Recorder(view)
    version = view._data_version
    df.loc[1000, "x"] = 123.0
    df["new"] = 1
    view.refresh()
    assert view._data_version == version + 1
    assert [c["name"] for c in view._columns] == ["x", "g", "new"]
    assert rec.page(limit=1)["rows"][0]["cells"][0] == "123.0"


def test_bad_arguments_are_clear() -> None:
    # Data of a type no entry point takes: the one voice (type got, types taken, the fix).
    with pytest.raises(UnsupportedInputError, match=r"table takes a pandas DataFrame.*Got list"):
        dci.table([[1, 2]])
    with pytest.raises(InvalidParameterError, match="'height'"):
        dci.table(pd.DataFrame({"a": [1]}), height=10)


def test_a_series_is_shown_as_one_column() -> None:
    view = dci.table(pd.Series([1, 2], name="s"))
    assert [c["name"] for c in view._columns] == ["s"]


def test_awkward_cases_render_and_answer(awkward_case: pd.DataFrame) -> None:
    view = dci.table(awkward_case)
    rec = Recorder(view)
    reply = rec.page()
    assert reply["type"] == "page", reply
    assert reply["total"] == len(awkward_case)
    for j, col in enumerate(view._columns):
        if col["sortable"]:
            assert rec.page(sort={"column": j, "ascending": False})["type"] == "page"


def test_saved_output_has_an_escaped_static_summary() -> None:
    xss = "<img src=x onerror=alert(1)>"
    view = dci.table(pd.DataFrame({xss: [xss] * 50}))
    data = view._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "application/vnd.jupyter.widget-view+json" in data
    summary = data["text/html"]
    assert xss not in summary
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary
    assert "50 rows × 1 columns" in summary


def test_show_rows_restricts_the_view_and_show_all_undoes_it(df: pd.DataFrame) -> None:
    view = dci.table(df)
    rec = Recorder(view)
    version = view._data_version
    view.show_rows(df["g"] == "a", caption="group a")
    assert view.caption == "group a"
    assert view.n_shown == int((df["g"] == "a").sum())
    assert view._data_version == version + 1
    page = rec.page(limit=1000)
    assert page["total"] == view.n_shown
    assert all(df["g"].iloc[r["pos"]] == "a" for r in page["rows"])
    with pytest.raises(InvalidParameterError, match="frame's index"):
        view.show_rows(pd.Series([True] * 300))
    reply = rec.request(type="show_all")
    assert reply["type"] == "selection"
    assert view.caption == ""
    assert view.n_shown == 300
    assert rec.page()["total"] == 300


def test_data_in_its_engine_is_paged_there(df: pd.DataFrame, tmp_path: Any) -> None:
    path = tmp_path / "t.parquet"
    df.reset_index().to_parquet(path, index=False)
    view = dci.table(str(path), filter="x > 0")
    state = view.get_state()
    assert state["n_rows"] == 300 and [c["name"] for c in state["_columns"]] == ["id", "x", "g"]
    reply = Recorder(view).page(
        offset=0, limit=5, sort={"column": 1, "ascending": False}, filter="x > 0"
    )
    assert reply["type"] == "page" and reply["total"] == int((df["x"] > 0).sum())
    top = df.sort_values("x", ascending=False).head(5)
    assert [row["cells"][0] for row in reply["rows"]] == [str(i) for i in top.index]
    assert [row["index"] for row in reply["rows"]] == ["0", "1", "2", "3", "4"]
    # Rows stay in the engine: no selection, no frame, no mask of rows; said plainly.
    reply = Recorder(view).request(type="select", op="set", row=0, sort=None, filter="")
    assert reply["type"] == "error" and "cannot be selected here" in reply["error"]
    assert view.selected_rows == []
    with pytest.raises(DataMismatchError, match="stay in duckdb"):
        _ = view.frame
    with pytest.raises(InvalidParameterError, match="show some of them with a filter"):
        view.show_rows(np.ones(300, dtype=bool))
    view.sort_by("x", ascending=False)
    assert view.sort == ("x", False)
    # A saved notebook keeps its first rows as static HTML, escaped.
    bundle = view._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "300 rows × 3 columns in duckdb" in data["text/html"]


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_a_bad_filter_set_from_python_is_refused_there(engine: str) -> None:
    import polars as pl

    from jupyter_dci.errors import PredicateError

    frame = pd.DataFrame({"age": [20, 30, 40], "city": ["a", "b", "c"]})
    view = dci.table(frame if engine == "pandas" else pl.from_pandas(frame))
    for bad in ("agee < 25", "age == 'old'", "age <"):
        with pytest.raises(PredicateError):
            view.filter = bad
        assert view.filter == ""  # nothing half-applied
    view.filter = "age > 25"
    assert view.filter == "age > 25" and view.count_rows(view.filter) == 2
    with pytest.raises(PredicateError):
        dci.table(frame, filter="nope == 1")
    # From the view, a bad filter is taken as typed: the page request answers with the error.
    view.set_state({"filter": "agee < 25"})
    assert view.filter == "agee < 25"
