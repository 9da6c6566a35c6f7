"""The history panel and the sidebar bridge, played from the front end's side."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import jupyter_dci as dci
from jupyter_dci.store import Dataset, _events
from jupyter_dci.widgets._bridge import TARGET, Bridge
from jupyter_dci.widgets._history import HistoryWidget
from tests.widgets import _player

XSS = "<img src=x onerror=alert(1)>"


class Recorder(_player.Recorder):
    """Plays the view (see tests/widgets/_player.py), with shortcuts for its requests."""

    def page(self, target: str, offset: int = 0, filter: str = "") -> dict[str, Any]:
        return self.request(
            target=target, type="page", offset=offset, limit=100, sort=None, filter=filter
        )


def cells(reply: dict[str, Any], j: int) -> list[Any]:
    return [r["cells"][j] for r in reply["rows"]]


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    df = pd.DataFrame(
        {"label": pd.Categorical(["cat", "dog", "cat", "bird"]), "note": ["a", "b", XSS, "d"]},
        index=pd.Index([10, 11, 12, 13], name="id"),
    )
    ds = dci.track(df, name="pets", label="label", root=tmp_path)
    ds.relabel(11, "cat", reason="looked again", author="ana")
    ds.commit("fix 11", author="ana")
    ds.relabel([10, 12], "dog", reason="ears", author="bo")
    ds.commit("fix 10 and 12", author="bo")
    return ds


def test_state_is_small_and_lists_versions_newest_first(ds: Dataset) -> None:
    panel = ds.history()
    state = panel.get_state()
    assert [v["id"] for v in state["versions"]] == [3, 2, 1]
    assert state["versions"][0]["message"] == "fix 10 and 12"
    assert state["versions"][0]["author"] == "bo"
    assert (state["versions"][0]["n_edits"], state["versions"][0]["n_rows"]) == (2, 2)
    assert state["versions"][-1]["kind"] == "track"
    assert (state["head"], state["n_versions"], state["n_pending"]) == (3, 3, 0)
    # The default pair is HEAD~1..HEAD; the diff itself stays in the kernel.
    assert (panel.diff_a, panel.diff_b, panel.n_diff) == (2, 3, 2)
    synced = {k: v for k, v in state.items() if k != "_esm"}
    assert len(repr(synced)) < 6000
    assert "ears" not in repr(state["_tables"])


def test_diff_pages_show_old_and_new_with_who_and_why(ds: Dataset) -> None:
    panel = ds.history()
    rec = Recorder(panel)
    reply = rec.page("diff")
    assert reply["target"] == "diff" and reply["total"] == 2
    assert [r["index"] for r in reply["rows"]] == ["10", "12"]
    assert cells(reply, 1) == ["cat", "cat"]  # old
    assert cells(reply, 2) == ["dog", "dog"]  # new
    assert cells(reply, 3) == ["bo", "bo"]
    assert cells(reply, 4) == ["ears", "ears"]
    # Pick another pair in the timeline: the whole history 1..3.
    panel.diff_a = 1
    assert panel.n_diff == 3
    assert panel._tables["diff"]["n_rows"] == 3
    assert rec.page("diff", filter="author == 'ana'")["total"] == 1
    # A pair out of range shows an error in the panel and keeps the last diff.
    panel.diff_b = 9
    assert "must be a version id in [1, 3]. Got 9 instead." in panel.error
    panel.diff_b = 3
    assert panel.error == ""


def test_pending_edits_follow_the_store(ds: Dataset) -> None:
    panel = ds.history()
    rec = Recorder(panel)
    assert panel.n_pending == 0
    ds.relabel(13, "cat", reason="not a bird")
    assert panel.n_pending == 1
    reply = rec.page("pending")
    assert [r["index"] for r in reply["rows"]] == ["13"]
    assert cells(reply, 1) == ["bird"] and cells(reply, 2) == ["cat"]
    ds.discard()
    assert panel.n_pending == 0
    panel.close()
    ds.relabel(13, "cat")
    assert panel.n_pending == 0  # a closed panel stops following


def test_in_a_kernel_a_loop_of_edits_costs_one_refresh(ds: Dataset) -> None:
    panel = ds.history()
    refreshes = []
    refresh = panel._refresh
    panel._refresh = lambda **kw: (refreshes.append(1), refresh(**kw))  # type: ignore[method-assign]

    async def cell() -> None:
        for key in (10, 11, 13):
            ds.relabel(key, "fish")
        assert panel.n_pending == 0  # not yet: the cell is still running
        await asyncio.sleep(0)
        assert panel.n_pending == 3

    asyncio.run(cell())
    assert len(refreshes) == 1


def test_a_long_pending_list_is_counted_not_listed(
    ds: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jupyter_dci.widgets._history.MAX_PENDING_LISTED", 1)
    panel = ds.history()
    ds.relabel([10, 11], "fish")
    assert panel.n_pending == 2
    assert panel._tables["pending"]["n_rows"] == 0


def test_commit_from_the_box_makes_a_version_and_the_pair_follows(ds: Dataset) -> None:
    panel = ds.history()
    rec = Recorder(panel)
    assert rec.request(type="commit", message="nothing")["type"] == "error"
    ds.relabel(13, "cat", reason="not a bird")
    reply = rec.request(type="commit", message="  fix 13  ")
    assert reply == {"type": "done", "id": reply["id"], "text": "Committed version 4."}
    assert ds.log().loc[4, "message"] == "fix 13"
    assert (panel.head, panel.n_pending, panel.diff_a, panel.diff_b) == (4, 0, 3, 4)
    assert rec.request(type="commit", message="   ")["type"] == "error"


def test_revert_and_checkout_requests(ds: Dataset) -> None:
    panel = ds.history()
    rec = Recorder(panel)
    reply = rec.request(type="revert", version=2)
    assert reply["type"] == "done" and "reverts version 2" in reply["text"]
    assert ds.head.kind == "revert" and ds.frame.loc[11, "label"] == "dog"
    assert panel.versions[0]["kind"] == "revert"
    reply = rec.request(type="checkout", version=1)
    assert reply["type"] == "done"
    assert panel.checked_out_version == 1
    assert panel.checked_out is not None and panel.checked_out is not ds.frame
    assert panel.checked_out["label"].tolist() == ["cat", "dog", "cat", "bird"]
    page = rec.page("checkout")
    assert page["total"] == 4 and cells(page, 1)[2] == XSS  # text, as the view shows it
    for bad in (0, 99, "2", None, True):
        assert rec.request(type="revert", version=bad)["type"] == "error"
    assert rec.request(type="revert", version=1)["type"] == "error"  # the tracked snapshot


def test_blame_by_typed_key_and_by_diff_selection(ds: Dataset) -> None:
    panel = ds.history()
    rec = Recorder(panel)
    reply = rec.request(type="blame", row="12")
    assert reply["type"] == "blame" and reply["row"] == "12" and reply["total"] == 1
    assert reply["changes"][0] | {"time": ""} == {
        "version": 3,
        "column": "label",
        "old": "cat",
        "new": "dog",
        "author": "bo",
        "reason": "ears",
        "source": "relabel",
        "time": "",
    }
    assert rec.request(type="blame", row="99")["type"] == "error"
    assert rec.request(type="blame", row="")["type"] == "error"
    # Whatever is typed, the answer is the store's own error, never an internal one.
    for typed in ("{'a': 1}", "[12]", "{12}", "(12, [1])", "None", "True", "1e999"):
        reply = rec.request(type="blame", row=typed)
        assert reply["type"] == "error" and "Internal error" not in reply["error"], typed
    # Select the second row of the diff, then blame the selection.
    assert (
        rec.request(target="diff", type="select", op="set", row=1, sort=None, filter="")["count"]
        == 1
    )
    reply = rec.request(type="blame", **{"from": "diff"})
    assert reply["row"] == "12" and reply["changes"][0]["new"] == "dog"
    rec.request(target="diff", type="select", op="clear", row=None, sort=None, filter="")
    assert rec.request(type="blame", **{"from": "diff"})["type"] == "error"


def test_blame_of_a_text_key(tmp_path: Path) -> None:
    df = pd.DataFrame({"y": ["a", "b"]}, index=["r1", "17"])
    ds = dci.track(df, name="t", label="y", root=tmp_path)
    ds.relabel("17", "z")
    ds.commit("z")
    rec = Recorder(ds.history())
    assert rec.request(type="blame", row="17")["total"] == 1  # 17 is not an int key here
    assert rec.request(type="blame", row="'r1'")["total"] == 0
    assert rec.request(type="blame", row="r1")["total"] == 0


def test_bad_requests_answer_with_errors(ds: Dataset) -> None:
    rec = Recorder(ds.history())
    assert rec.request(type="nope")["type"] == "error"
    assert rec.request(target="elsewhere", type="page")["type"] == "error"
    reply = rec.request(target="diff", type="page", offset=-1, limit=10, sort=None, filter="")
    assert reply["type"] == "error" and reply["target"] == "diff"
    with pytest.raises(dci.DCIError):
        HistoryWidget(ds, height=5)


# ---- the store events and the sidebar bridge ------------------------------------------


class FakeComm:
    def __init__(self, data: dict[str, Any]) -> None:
        self.sent = [data]
        self.msg_cb: Any = None
        self.close_cb: Any = None

    def send(self, data: dict[str, Any]) -> None:
        self.sent.append(data)

    def on_msg(self, cb: Any) -> None:
        self.msg_cb = cb

    def on_close(self, cb: Any) -> None:
        self.close_cb = cb


def test_bridge_reports_datasets_and_pending_counts(tmp_path: Path) -> None:
    comms: list[FakeComm] = []

    def open_comm(data: dict[str, Any]) -> FakeComm:
        comms.append(FakeComm(data))
        return comms[-1]

    bridge = Bridge(open_comm)
    _events.subscribe(bridge.on_event)
    try:
        ds = dci.track(pd.DataFrame({"y": ["a", "b"]}), name="pets", label="y", root=tmp_path)
        assert len(comms) == 1
        assert comms[0].sent[-1] == {
            "datasets": [{"name": "pets", "root": str(tmp_path), "head": 1, "pending": 0}]
        }
        ds.relabel(0, "z")
        ds.relabel(1, "z")
        assert comms[0].sent[-1]["datasets"][0]["pending"] == 2
        ds.commit("z")
        assert comms[0].sent[-1]["datasets"][0] | {"root": ""} == {
            "name": "pets",
            "root": "",
            "head": 2,
            "pending": 0,
        }
        # A page reloaded later asks for the state on the same comm.
        n = len(comms[0].sent)
        comms[0].msg_cb({"content": {"data": {"request": "state"}}})
        assert len(comms[0].sent) == n + 1
        # Closed by the front end: silent until a dataset is tracked again.
        comms[0].close_cb({})
        ds.relabel(0, "q")
        assert len(comms) == 1 and len(comms[0].sent) == n + 1
        dci.track(pd.DataFrame({"y": [1]}), name="other", root=tmp_path)
        assert len(comms) == 2
        assert [d["name"] for d in comms[1].sent[-1]["datasets"]] == ["other", "pets"]
    finally:
        _events.unsubscribe(bridge.on_event)


def test_a_failing_callback_never_breaks_the_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_ds: Any, _kind: str) -> None:
        raise RuntimeError("boom")

    _events.subscribe(broken)
    try:
        with caplog.at_level(logging.ERROR):
            ds = dci.track(pd.DataFrame({"y": ["a"]}), name="d", label="y", root=tmp_path)
            assert ds.relabel(0, "b") == 1
        assert "boom" in caplog.text
    finally:
        _events.unsubscribe(broken)


def test_the_bridge_loads_only_inside_a_kernel(tmp_path: Path) -> None:
    code = (
        "import sys, pandas as pd, jupyter_dci as dci\n"
        f"dci.track(pd.DataFrame({{'y': [1]}}), name='d', root={str(tmp_path)!r})\n"
        "print('jupyter_dci.widgets._bridge' in sys.modules, 'anywidget' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert TARGET == "jupyter-dci-datasets"
