"""Review of data that stays in its engine: suspects pulled by key, decisions kept by key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import jupyter_dci as dci
from jupyter_dci.errors import DataMismatchError, DCIWarning, InvalidParameterError


def _frame(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame(
        {
            "id": np.arange(n) * 7 + 100,
            "y": rng.choice(["cat", "dog"], n),
            "text": [f"<b>row</b> {i}" for i in range(n)],
            "x": rng.normal(size=n),
        }
    )


def _issues(frame: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    given = frame.set_index("id").loc[ids, "y"]
    return pd.DataFrame(
        {
            "given_label": given.to_numpy(),
            "suggested_label": np.where(given == "cat", "dog", "cat"),
            "label_score": np.linspace(0.01, 0.2, len(ids)),
            "is_label_issue": True,
        },
        index=pd.Index(ids, name="id"),
    )


def _parquet(frame: pd.DataFrame, tmp: Path) -> str:
    path = tmp / "data.parquet"
    frame.to_parquet(path, index=False)
    return str(path)


MAKERS = {
    "polars": lambda f, _: pl.from_pandas(f),
    "duckdb": lambda f, _: duckdb.from_arrow(pa.Table.from_pandas(f, preserve_index=False)),
    "parquet": _parquet,
}


@pytest.mark.parametrize("kind", list(MAKERS))
def test_decisions_become_pending_edits_by_key(kind: str, tmp_path: Path) -> None:
    frame = _frame()
    data = MAKERS[kind](frame, tmp_path)
    ds = dci.track(data, name="d", key="id", label="y", root=tmp_path / "store")
    ids = [135, 100, 2193]
    panel = dci.review(ds, issues=_issues(frame, ids))
    # The suspects, pulled by key, in the issues' order; nothing else came into the kernel.
    assert panel.frame.index.tolist() == ids and len(panel.frame) == 3
    assert panel.frame["text"].tolist() == frame.set_index("id").loc[ids, "text"].tolist()
    panel.decide(0, "accept")
    panel.decide(1, "relabel", "cat")  # 100 is already 'cat' or becomes it
    pending = ds.pending().set_index("row")
    assert pending.loc[135, "new"] != pending.loc[135, "old"]
    panel.undo()  # the relabel of row 100 goes back, through the dataset
    assert 100 not in ds.pending()["row"].tolist()
    ds.commit("review")
    head = ds.checkout().collect() if kind == "polars" else ds.checkout().df()
    got = pd.DataFrame(head.to_pandas() if kind == "polars" else head).set_index("id")["y"]
    want = frame.set_index("id")["y"].copy()
    want.loc[135] = "dog" if want.loc[135] == "cat" else "cat"
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_dtype=False)


def test_pending_edits_show_in_the_review_and_stale_suspects_are_refused(tmp_path: Path) -> None:
    frame = _frame()
    ds = dci.track(pl.from_pandas(frame), name="d", key="id", label="y", root=tmp_path)
    old = frame.set_index("id").loc[107, "y"]
    ds.relabel(107, "dog" if old == "cat" else "cat")
    # The issues saw the old label: the review says the suspect changed since.
    with pytest.raises(DataMismatchError):
        dci.review(ds, issues=_issues(frame, [107]))
    with pytest.warns(DCIWarning, match="row 107"):
        panel = dci.review(ds, issues=_issues(frame, [107, 114]), stale="skip")
    assert panel.frame.index.tolist() == [107, 114] and panel.n_suspects == 1


def test_untracked_data_keeps_decisions_and_is_never_written(tmp_path: Path) -> None:
    frame = _frame()
    path = _parquet(frame, tmp_path)
    before = Path(path).read_bytes()
    panel = dci.review(path, label="y", issues=_issues(frame, [121, 128]))
    panel.decide(0, "accept")
    assert panel.decisions["row"].tolist() == [121]
    assert Path(path).read_bytes() == before


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ("no key", InvalidParameterError, "key column"),
        ("unknown key", DataMismatchError, "not in the data"),
        ("repeated key", DataMismatchError, "repeats"),
        ("no label", InvalidParameterError, "'label' parameter"),
    ],
)
def test_what_cannot_be_reviewed_is_said(
    change: str, error: type[Exception], words: str, tmp_path: Path
) -> None:
    frame = _frame()
    issues: Any = _issues(frame, [100, 107])
    label = "y"
    if change == "no key":
        issues.index.name = None
    elif change == "unknown key":
        issues.index = pd.Index([100, 1], name="id")
    elif change == "repeated key":
        frame = pd.concat([frame, frame.iloc[:1]], ignore_index=True)
    else:
        label = "nope"
    with pytest.raises(error, match=words):
        dci.review(pl.from_pandas(frame), label=label, issues=issues)
