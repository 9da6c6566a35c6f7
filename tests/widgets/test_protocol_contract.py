"""The views' messages are declared once per side, and the two sides agree.

The TypeScript declarations (``labextension/src/widgets/_shared/protocol.ts``) are read by
``tests/widgets/_protocol_ts.py`` and compared name by name, field by field and type by type
with the TypedDicts of ``jupyter_dci/widgets/_protocol.py``; a drift of either side is a
failure. Then every request of ``CALLS`` is played against the real widgets, and each reply must
be the declared reply (or an ``ErrorReply``), with exactly its fields and types.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin

import numpy as np
import pandas as pd
import pytest

import jupyter_dci as dci
from jupyter_dci.widgets._protocol import CALLS, ErrorReply
from tests.widgets._player import Recorder
from tests.widgets._protocol_ts import PROTOCOL_TS, differences, parse_protocol, python_contract

# ---- the two sides agree -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ts_text() -> str:
    return PROTOCOL_TS.read_text(encoding="utf-8")


def test_typescript_and_python_declare_the_same_messages(ts_text: str) -> None:
    assert differences(parse_protocol(ts_text)) == []


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        (
            "  count: number;\n  caption: string;",
            "  count: string;\n  caption: string;",
            "ShownReply.count",
        ),
        ("  anchor: number | null;", "  anchor?: number | null;", "SelectRequest.anchor"),
        ("  n_hidden: number;\n", "", "Suspect.n_hidden"),
        ("'set' | 'toggle'", "'set' | 'flip'", "type SelectOp"),
        ("  undo: { request: UndoRequest; reply: UndoneReply };\n", "", "calls"),
        (
            "export interface SavedReply {",
            "export interface SaveReply {",
            "only in protocol.ts: SaveReply",
        ),
        ("  cells: Cell[];", "  cells: string[];", "PageRow.cells"),
    ],
)
def test_a_drift_of_either_side_is_found(ts_text: str, old: str, new: str, found: str) -> None:
    assert old in ts_text
    drifted = differences(parse_protocol(ts_text.replace(old, new, 1)))
    assert any(found in d for d in drifted), drifted


def test_every_call_pairs_a_request_of_its_type_with_a_reply() -> None:
    typed, _ = python_contract()
    for view, calls in CALLS.items():
        for call, (request, reply) in calls.items():
            hints = typing.get_type_hints(request)
            assert hints["type"] == Literal[call], (view, call)
            assert hints["id"] is int and "id" in request.__required_keys__, (view, call)
            assert get_origin(typing.get_type_hints(reply)["type"]) is Literal, (view, call)
            assert request.__name__ in typed and reply.__name__ in typed


# ---- the widgets send what is declared ----------------------------------------------------


def _check_union(value: Any, tp: Any, path: str) -> None:
    problems = []
    for option in get_args(tp):
        try:
            check(value, option, path)
            return
        except AssertionError as exc:
            problems.append(str(exc))
    raise AssertionError(f"{path}: {value!r} is none of {tp}: {problems}")


def _check_typeddict(value: Any, tp: Any, path: str) -> None:
    assert isinstance(value, dict), f"{path}: {value!r} is not a {tp.__name__}"
    hints = typing.get_type_hints(tp, include_extras=True)
    missing = tp.__required_keys__ - value.keys()
    extra = value.keys() - hints.keys()
    assert not missing and not extra, f"{path} ({tp.__name__}): missing {missing}, extra {extra}"
    for key, item in value.items():
        check(item, hints[key], f"{path}.{key}")


def _check_scalar(value: Any, tp: Any, path: str) -> None:
    if tp is Any:
        return
    if tp is type(None):
        assert value is None, f"{path}: {value!r} is not None"
    elif tp in (int, float):
        # JSON numbers: an int is a float too, a bool is neither.
        allowed = (int,) if tp is int else (int, float)
        assert isinstance(value, allowed) and not isinstance(value, bool), f"{path}: {value!r}"
    elif tp in (str, bool):
        assert isinstance(value, tp), f"{path}: {value!r} is not {tp.__name__}"
    else:
        raise AssertionError(f"{path}: cannot check {tp!r}")


def check(value: Any, tp: Any, path: str = "reply") -> None:
    """Raise AssertionError unless ``value`` is of the declared type ``tp``."""
    origin = get_origin(tp)
    if origin in (NotRequired, Required):
        check(value, get_args(tp)[0], path)
    elif origin in (Union, types.UnionType):
        _check_union(value, tp, path)
    elif origin is Literal:
        assert value in get_args(tp), f"{path}: {value!r} is not one of {get_args(tp)}"
    elif origin is list:
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        for i, item in enumerate(value):
            check(item, get_args(tp)[0], f"{path}[{i}]")
    elif origin is dict:
        assert isinstance(value, dict), f"{path}: {value!r} is not a dict"
    elif typing.is_typeddict(tp):
        _check_typeddict(value, tp, path)
    else:
        _check_scalar(value, tp, path)


class Player(Recorder):
    """Plays one view: every request and every reply is checked against CALLS."""

    def __init__(self, view: Any, name: str) -> None:
        super().__init__(view)
        self.name = name
        self.played: set[str] = set()

    def call(self, type: str, **body: Any) -> dict[str, Any]:
        request_type, reply_type = CALLS[self.name][type]
        check({"type": type, "id": self.next_id + 1, **body}, request_type, f"{type} request")
        reply = self.request(type=type, **body)
        if reply["type"] == "error":
            check(reply, ErrorReply, f"{self.name} {type} error reply")
        else:
            check(reply, reply_type, f"{self.name} {type} reply")
            self.played.add(type)
        return reply


@pytest.fixture
def everything_played() -> Iterator[Callable[[Player], None]]:
    players: list[Player] = []
    yield players.append
    for p in players:
        assert p.played == set(CALLS[p.name]), (
            f"{p.name}: not played {set(CALLS[p.name]) - p.played}"
        )


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame(
        {
            "label": rng.choice(["cat", "dog", "bird"], n),
            "price": rng.lognormal(3, 0.5, n),
            "city": rng.choice(["NY", "LA", "SF"], n),
            "note": ["x" * 200 if i % 7 == 0 else None for i in range(n)],
        },
        index=pd.Index([f"r{i}" for i in range(n)], name="rid"),
    )
    df.loc[df.index[:3], "price"] *= 1e4
    return df


def test_table_replies(frame: pd.DataFrame, everything_played: Callable[[Player], None]) -> None:
    view = dci.table(frame)
    p = Player(view, "table")
    everything_played(p)
    sort = {"column": 1, "ascending": False}
    p.call("page", offset=0, limit=50, sort=sort, filter="price > 10")
    p.call("select", op="range", row=3, anchor=1, sort=None, filter="")
    view.show_rows(np.arange(10), caption="first ten")
    p.call("show_all")
    assert p.call("page", offset=0, limit=5, sort=None, filter="price >")["type"] == "error"


def test_review_replies(frame: pd.DataFrame, everything_played: Callable[[Player], None]) -> None:
    issues = pd.DataFrame(
        {
            "given_label": frame["label"].iloc[:5].to_numpy(),
            "suggested_label": ["dog", "cat", "bird", "cat", "dog"],
            "label_score": [0.01, 0.02, 0.2, 0.3, 0.4],
            "is_label_issue": [True] * 5,
        },
        index=frame.index[:5],
    )
    p = Player(dci.review(frame, label="label", issues=issues), "review")
    everything_played(p)
    p.call("suspect", index=0)
    p.call("decide", index=0, action="relabel", class_index=1)
    p.call("decide", index=1, action="keep")
    p.call("undo")
    p.call("filter", given=[], suggested=[0, 1], max_score=0.5, min_score=None, scope="clear")
    p.call("confusion")
    assert p.call("decide", index=0, action="relabel", class_index=99)["type"] == "error"


def test_profile_replies(frame: pd.DataFrame, everything_played: Callable[[Player], None]) -> None:
    panel = dci.profile(frame).show()
    p = Player(panel.summary, "profile")
    everything_played(p)
    alert = next(a for a in panel.summary._alerts if a["n_rows"] > 0)
    p.call("alert", index=alert["index"])
    p.call("bar", column="city", value={"value": ["NY"]})


def test_slices_replies(
    frame: pd.DataFrame, tmp_path: Path, everything_played: Callable[[Player], None]
) -> None:
    wrong = ((frame["city"] == "NY") & (frame["price"] > 20)).to_numpy()
    ds = dci.track(frame, name="contract", root=tmp_path)
    panel = dci.slices(frame, wrong, dataset=ds)
    p = Player(panel.summary, "slices")
    everything_played(p)
    key = panel.summary._slices[0]["key"]
    p.call("show", key=key)
    p.call("save", key=key, name="hard")


def test_history_replies(
    frame: pd.DataFrame, tmp_path: Path, everything_played: Callable[[Player], None]
) -> None:
    ds = dci.track(frame, name="pets", label="label", root=tmp_path)
    ds.relabel("r1", "bird", reason="looked again", author="ana")
    ds.commit("fix r1", author="ana")
    ds.relabel("r2", "bird", reason="ears", author="bo")
    p = Player(ds.history(), "history")
    everything_played(p)
    p.call("page", target="pending", offset=0, limit=100, sort=None, filter="")
    p.call("commit", message="fix r2")
    p.call("page", target="diff", offset=0, limit=100, sort=None, filter="")
    p.call("select", target="diff", op="set", row=0, anchor=None, sort=None, filter="")
    assert p.call("blame", **{"from": "diff"})["total"] >= 1
    p.call("blame", row="'r1'")
    p.call("revert", version=3)
    p.call("checkout", version=1)
    ds.relabel("r3", "bird")
    p.call("discard")
    # Not a request any view sends (no such table): answered with an error all the same.
    reply = p.request(type="page", target="nope", offset=0, limit=100, sort=None, filter="")
    assert reply["type"] == "error" and reply["target"] == "nope"
