"""The review panel played from the front end's side: messages in, replies and traits out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.core.labels._find import find_label_issues
from jupyter_dci.errors import DataMismatchError, InvalidParameterError
from jupyter_dci.store import track
from jupyter_dci.widgets._review import review
from tests.widgets import _player

XSS = "<img src=x onerror=window.__dci_xss=1>"


class Recorder(_player.Recorder):
    """Plays the view (see tests/widgets/_player.py), with shortcuts for its requests."""


@pytest.fixture
def df() -> pd.DataFrame:
    pictures = np.empty(4, dtype=object)
    pictures[:] = [np.full((8, 8), i, dtype=float) for i in range(4)]
    return pd.DataFrame(
        {
            "note": [XSS, "w " * 300, "c", "d"],
            "size": [1.5, 2.0, np.nan, 4.0],
            "image": pictures,
            "y": pd.Categorical(["cat", "dog", "cat", "dog"]),
        },
        index=pd.Index(["r0", "r1", "r2", "r3"], name="id"),
    )


@pytest.fixture
def issues() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "given_label": ["cat", "dog"],
            "suggested_label": ["dog", "cat"],
            "label_score": [0.03, 0.2],
            "is_label_issue": [True, True],
        },
        index=["r0", "r1"],
    )


def test_state_is_small(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    view = review(df, label="y", issues=issues, classes=["cat", "dog", "bird"])
    state = {k: v for k, v in view.get_state().items() if k != "_esm"}
    assert state["classes"] == ["cat", "dog", "bird"] and state["class_keys"] == ["0", "1", "2"]
    assert (state["n_suspects"], state["n_reviewed"], state["current"]) == (2, 0, 0)
    assert state["label"] == "y"
    assert len(repr(state)) < 1000
    assert view.frame is df


def test_suspect_reply_carries_features_as_cells(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    rec = Recorder(review(df, label="y", issues=issues))
    reply = rec.request(type="suspect", index=0)
    assert reply["type"] == "suspect" and reply["index"] == 0 and reply["row"] == "r0"
    assert (reply["given"], reply["suggested"], reply["score"]) == ("cat", "dog", 0.03)
    assert (reply["given_class"], reply["suggested_class"], reply["current_class"]) == (0, 1, 0)
    assert reply["decision"] is None
    features = {f["name"]: f for f in reply["features"]}
    assert list(features) == ["note", "size", "image"]  # the label is not a feature
    assert features["note"]["cell"] == XSS  # sent as text; the view puts it in as text
    assert features["image"]["kind"] == "image"
    assert features["image"]["cell"]["img"].startswith("data:image/png;base64,")
    long_text = rec.request(type="suspect", index=1)["features"][0]
    assert long_text["kind"] == "text" and len(long_text["cell"]["full"]) == 600
    nan = rec.request(type="suspect", index=1)
    assert {f["name"]: f["cell"] for f in nan["features"]}["size"] == "2.0"


def test_decide_undo_through_messages(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    view = review(df, label="y", issues=issues, classes=["cat", "dog", "bird"])
    rec = Recorder(view)
    reply = rec.request(type="decide", index=0, action="relabel", class_index=2)
    nxt = reply.pop("suspect")  # the next suspect rides along: one round trip per key
    assert reply == {"type": "decided", "id": 1, "index": 0, "next": 1}
    assert (nxt["index"], nxt["row"], nxt["decision"]) == (1, "r1", None)
    assert len(view._write_times) == 1
    assert df.loc["r0", "y"] == "bird" and "bird" in df["y"].cat.categories
    reply = rec.request(type="decide", index=1, action="accept")
    assert reply["next"] == 1  # the last suspect stays
    assert df.loc["r1", "y"] == "cat"
    assert (view.n_reviewed, view.n_relabelled, view.n_kept) == (2, 2, 0)
    shown = rec.request(type="suspect", index=1)
    assert shown["decision"] == {"action": "accept", "new": "cat"} and shown["current"] == "cat"
    assert view.decisions[["row", "old", "new", "decision"]].values.tolist() == [
        ["r0", "cat", "bird", "relabel"],
        ["r1", "dog", "cat", "accept"],
    ]
    assert rec.request(type="undo") == {"type": "undone", "id": 4, "index": 1}
    assert df.loc["r1", "y"] == "dog" and view.n_reviewed == 1
    rec.request(type="decide", index=0, action="keep")
    assert df.loc["r0", "y"] == "cat" and (view.n_relabelled, view.n_kept) == (0, 1)
    rec.request(type="undo")
    rec.request(type="undo")
    assert rec.request(type="undo")["index"] is None
    assert df["y"].tolist() == ["cat", "dog", "cat", "dog"]


def test_errors_come_back_inline_and_the_panel_goes_on(
    df: pd.DataFrame, issues: pd.DataFrame
) -> None:
    ints = pd.DataFrame({"y": pd.array([0, 1, 0], dtype="Int64")})
    table = pd.DataFrame(
        {"given_label": [1], "suggested_label": [0], "label_score": [0.1], "is_label_issue": [1]},
        index=[1],
    )
    rec = Recorder(review(ints, label="y", issues=table, classes=[0, 1, "cat"]))
    reply = rec.request(type="decide", index=0, action="relabel", class_index=2)
    assert reply["type"] == "error" and "dtype Int64" in reply["error"]
    assert ints["y"].tolist() == [0, 1, 0]
    for bad, expected in [
        ({"type": "decide", "index": 0, "action": "relabel", "class_index": 9}, "class_index"),
        ({"type": "decide", "index": 7, "action": "accept"}, "'index' parameter"),
        ({"type": "decide", "index": 0, "action": "zap"}, "'action' parameter"),
        ({"type": "suspect", "index": "0"}, "'index' parameter"),
        ({"type": "explode"}, "Unknown review request"),
    ]:
        reply = rec.request(**bad)
        assert reply["type"] == "error" and expected in reply["error"], reply
    # Someone changed the label behind the panel: undo refuses instead of clobbering.
    rec.request(type="decide", index=0, action="accept")
    ints.loc[1, "y"] = 1
    reply = rec.request(type="undo")
    assert reply["type"] == "error" and "changed elsewhere" in reply["error"]
    assert rec.request(type="suspect", index=0)["type"] == "suspect"


def test_python_undo_moves_the_view(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    view = review(df, label="y", issues=issues)
    view.decide(1, "accept")
    assert (view.n_reviewed, view.n_relabelled) == (1, 1)
    version = view._version
    view.undo()
    assert view.current == 1 and view._version == version + 1 and df.loc["r1", "y"] == "dog"


def test_dataset_decisions_become_pending_edits(tmp_path: Path) -> None:
    labels = pd.Series([0, 0, 1, 1, 1], name="y")
    df = labels.to_frame()
    ds = track(df, name="toy", label="y", root=tmp_path)
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]])
    view = review(df, issues=find_label_issues(df["y"], probs), dataset=ds)  # label from ds
    Recorder(view).request(type="decide", index=0, action="accept")
    pending = ds.pending()
    assert pending[["row", "old", "new"]].values.tolist() == [[4, 1, 0]]
    assert pending["source"].iloc[0].startswith("review: label issue, score 0.")


def test_bad_calls_are_refused_up_front(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="'issues' parameter of review"):
        review(df, label="y")
    with pytest.raises(InvalidParameterError, match="'label' parameter of review"):
        review(df, issues=issues)
    stale = df.copy()
    stale.loc["r0", "y"] = "dog"
    with pytest.raises(DataMismatchError, match="row 'r0': given 'cat', now 'dog'"):
        review(stale, label="y", issues=issues)


def test_current_is_checked(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    view = review(df, label="y", issues=issues)
    view.current = 1
    with pytest.raises(InvalidParameterError, match=r"'current' parameter.*\[0, 2\)"):
        view.current = 2
    assert view.current == 1


@pytest.fixture
def six() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.DataFrame({"y": ["a", "b", "c", "a", "b", "c", "a"]})
    issues = pd.DataFrame(
        {
            "given_label": ["b", "c", "a", "b", "c", "a"],
            "suggested_label": ["a", "a", "b", "a", "b", "c"],
            "label_score": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5],
            "is_label_issue": [True] * 6,
        },
        index=[1, 2, 3, 4, 5, 6],
    )
    return df, issues


def test_filter_and_confusion_through_messages(six: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    df, issues = six
    view = review(df, label="y", issues=issues)
    rec = Recorder(view)
    confusion = rec.request(type="confusion")
    assert confusion["labels"] == ["a", "b", "c"] and confusion["other"] is False
    assert confusion["counts"] == [[0, 1, 1], [2, 0, 0], [1, 1, 0]]
    assert confusion["groups"] == [[0], [1], [2]]
    # A click on the cell (given b, suggested a).
    reply = rec.request(type="filter", given=[1], suggested=[0], max_score=None)
    assert reply == {"type": "filtered", "id": 2, "n_shown": 2}
    assert (view.filter_given, view.filter_suggested, view.filter_max_score) == ([1], [0], None)
    assert (view.n_suspects, view.n_shown, view.n_shown_reviewed) == (6, 2, 0)
    first = rec.request(type="suspect", index=0)
    assert (first["index"], first["position"], first["row"]) == (0, 0, "1")
    second = rec.request(type="suspect", index=1)
    assert (second["index"], second["position"], second["row"]) == (1, 3, "4")
    decided = rec.request(type="decide", index=1, action="accept")
    assert (decided["index"], decided["next"], decided["suspect"]["row"]) == (1, 1, "4")
    assert df.loc[4, "y"] == "a" and (view.n_reviewed, view.n_shown_reviewed) == (1, 1)
    # A score bound and no class: decisions made stay.
    assert rec.request(type="filter", max_score=0.25)["n_shown"] == 3
    assert (view.filter_given, view.filter_max_score, view.n_shown_reviewed) == ([], 0.25, 0)
    rec.request(type="decide", index=2, action="keep")  # row 3
    assert view.n_reviewed == 2
    # Undo the keep (inside the filter), then the accept of row 4 (outside: filter cleared).
    assert rec.request(type="undo")["index"] == 2 and view.filter_max_score == 0.25
    assert rec.request(type="undo")["index"] == 3
    assert view.filter_max_score is None and view.n_shown == 6 and df.loc[4, "y"] == "b"
    for bad, expected in [
        ({"type": "filter", "given": 1}, "'given' parameter of review"),
        ({"type": "filter", "suggested": [9]}, "'suggested' parameter"),
        ({"type": "filter", "max_score": "x"}, "'max_score' parameter"),
    ]:
        reply = rec.request(**bad)
        assert reply["type"] == "error" and expected in reply["error"], reply
    assert view.n_shown == 6


def test_python_filter_moves_the_view(six: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    df, issues = six
    view = review(df, label="y", issues=issues)
    view.current = 4
    version = view._version
    assert view.filter(given="c", suggested=["a", "b"]) == 2
    assert (view.filter_given, view.filter_suggested) == ([2], [0, 1])
    assert view.current == 0 and view._version == version + 1 and view.n_shown == 2
    with pytest.raises(InvalidParameterError, match=r"'current' parameter.*\[0, 2\)"):
        view.current = 2
    view.decide(1, "accept")
    assert df.loc[5, "y"] == "b" and view.n_shown_reviewed == 1
    assert view.filter(max_score=0.01) == 0 and view.n_shown_reviewed == 0
    assert view.filter() == 6 and view.filter_given == [] and view.n_reviewed == 1
    table = view.confusion(max_classes=2)
    assert table.index.tolist() == ["a", "b", "other"] and int(table.to_numpy().sum()) == 6
    state = {k: v for k, v in view.get_state().items() if k != "_esm"}
    assert len(repr(state)) < 1000
