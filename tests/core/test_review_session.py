"""The review state without any UI: queue order, decisions, undo, dtypes, the store path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.core.labels._find import find_label_issues
from jupyter_dci.core.review._session import ReviewSession, key_map
from jupyter_dci.errors import (
    DataMismatchError,
    DCIWarning,
    InvalidParameterError,
    UnsupportedInputError,
)
from jupyter_dci.store import track


def issues_for(given: list[Any], suggested: list[Any], index: list[Any]) -> pd.DataFrame:
    n = len(index)
    return pd.DataFrame(
        {
            "given_label": given,
            "suggested_label": suggested,
            "label_score": np.linspace(0.05, 0.5, n),
            "is_label_issue": [True] * n,
        },
        index=index,
    )


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "b", "a", "b"]},
        index=pd.Index([10, 11, 12, 13], name="id"),
    )


@pytest.fixture
def issues() -> pd.DataFrame:
    # Rows 11 and 12 are suspects (11 worst); row 13 is ranked but not flagged.
    return pd.DataFrame(
        {
            "given_label": ["b", "a", "b"],
            "suggested_label": ["a", "b", "b"],
            "label_score": [0.1, 0.2, 0.9],
            "is_label_issue": [True, True, False],
        },
        index=[11, 12, 13],
    )


def test_queue_is_flagged_rows_worst_first(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    s = ReviewSession(df, label="y", issues=issues)
    assert s.n_suspects == 2
    assert [s.suspect(i).row for i in range(2)] == [11, 12]
    first = s.suspect(0)
    assert (first.given, first.suggested, first.current, first.decision) == ("b", "a", "b", None)
    assert s.classes == ("a", "b")
    everything = ReviewSession(df, label="y", issues=issues, include_all=True)
    assert everything.n_suspects == 3
    # An unordered table is put in order: flagged first, lowest score first.
    shuffled = issues.iloc[[2, 1, 0]]
    assert [ReviewSession(df, label="y", issues=shuffled).suspect(i).row for i in (0, 1)] == [
        11,
        12,
    ]


def test_decisions_write_into_the_same_frame_and_undo_in_reverse(
    df: pd.DataFrame, issues: pd.DataFrame
) -> None:
    original = df.copy()
    view_before = df["y"]  # a Series taken before: copy-on-write must not let it see edits
    s = ReviewSession(df, label="y", issues=issues)
    d = s.decide(0, "accept")
    assert (d.row, d.old, d.new, d.decision, d.score) == (11, "b", "a", "accept", 0.1)
    assert df.loc[11, "y"] == "a"
    assert view_before.loc[11] == "b" or pd.options.mode.copy_on_write is False
    s.decide(1, "keep")
    assert df.loc[12, "y"] == "a"  # kept: unchanged
    assert (s.n_reviewed, s.n_relabelled, s.n_kept) == (2, 1, 1)
    # Deciding again on a suspect replaces its standing decision.
    s.decide(0, "relabel", "b")
    assert df.loc[11, "y"] == "b"
    assert (s.n_reviewed, s.n_relabelled) == (2, 0)
    table = s.decisions
    assert table.columns.tolist() == ["row", "old", "new", "decision", "score", "time"]
    assert table[["row", "old", "new", "decision"]].values.tolist() == [
        [11, "b", "a", "accept"],
        [12, "a", "a", "keep"],
        [11, "a", "b", "relabel"],
    ]
    assert str(table["time"].dt.tz) == "UTC"
    assert s.undo().decision == "relabel"
    assert df.loc[11, "y"] == "a" and s.n_relabelled == 1
    s.undo()
    s.undo()
    assert s.undo() is None
    pd.testing.assert_frame_equal(df, original)
    assert s.decisions.empty and s.n_reviewed == 0


@pytest.mark.parametrize(
    ("column", "classes", "new"),
    [
        (pd.Categorical(["a", "b", "a", "b"]), ["a", "b", "c"], "c"),  # new category added
        (pd.array([0, 1, 0, pd.NA], dtype="Int64"), [0, 1, 2], 2),
        (pd.array(["a", "b", "a", None], dtype="string"), ["a", "b", "c"], "c"),
        (pd.Series(["a", 1, "a", None], dtype=object), ["a", 1, "z"], "z"),
        (np.array([0, 1, 0, 1], dtype=np.int64), [0, 1, 2], 2),
    ],
)
def test_dtypes_are_kept(column: Any, classes: list[Any], new: Any) -> None:
    df = pd.DataFrame({"y": column})
    dtype_before = df["y"].dtype
    given = df["y"].iloc[1]
    issues = issues_for([given], [classes[0]], [1])
    s = ReviewSession(df, label="y", issues=issues, classes=classes)
    s.decide(0, "relabel", new)
    assert df["y"].iloc[1] == new
    if isinstance(dtype_before, pd.CategoricalDtype):
        assert list(df["y"].cat.categories) == ["a", "b", "c"]
    else:
        assert df["y"].dtype == dtype_before
    s.undo()
    assert df["y"].iloc[1] == given
    assert df["y"].dtype.name == dtype_before.name


def test_numpy_class_values_from_find_label_issues_land_as_ints() -> None:
    labels = pd.Series([0, 0, 1, 1, 1], name="y")
    df = labels.to_frame()
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]])
    found = find_label_issues(df["y"], probs)
    s = ReviewSession(df, label="y", issues=found)
    assert s.n_suspects == 1 and s.suspect(0).row == 4
    assert s.decide(0, "accept").new == 0
    assert df["y"].tolist() == [0, 0, 1, 1, 0] and df["y"].dtype == np.int64


def test_value_the_dtype_cannot_hold_is_refused_and_nothing_changes() -> None:
    df = pd.DataFrame({"y": pd.array([0, 1, 0], dtype="Int64")})
    s = ReviewSession(df, label="y", issues=issues_for([1], [0], [1]), classes=[0, 1, "cat"])
    with pytest.raises(InvalidParameterError, match=r"dtype Int64.*'cat'"):
        s.decide(0, "relabel", "cat")
    assert df["y"].tolist() == [0, 1, 0] and s.decisions.empty
    with pytest.raises(InvalidParameterError, match="one of the classes"):
        s.decide(0, "relabel", 7)
    with pytest.raises(InvalidParameterError, match="'relabel', 'accept' or 'keep'"):
        s.decide(0, "explode")
    with pytest.raises(InvalidParameterError, match=r"an int in \[0, 1\)"):
        s.decide(5, "accept")


def test_dataset_path_records_pending_edits_and_undo_nets_out(tmp_path: Path) -> None:
    df = pd.DataFrame({"y": pd.Categorical(["a", "b", "a"])}, index=["r0", "r1", "r2"])
    ds = track(df, name="pets", label="y", root=tmp_path)
    issues = issues_for(["b", "a"], ["a", "c"], ["r1", "r2"])
    s = ReviewSession(df, label="y", issues=issues, dataset=ds, classes=["a", "b", "c"])
    s.decide(0, "accept")
    s.decide(1, "accept")
    assert df["y"].tolist() == ["a", "a", "c"]
    pending = ds.pending()
    assert pending[["row", "old", "new"]].values.tolist() == [["r1", "b", "a"], ["r2", "a", "c"]]
    assert pending["source"].tolist() == [
        "review: label issue, score 0.05",
        "review: label issue, score 0.50",
    ]
    s.undo()
    assert df["y"].tolist() == ["a", "a", "a"]
    assert ds.pending()["row"].tolist() == ["r1"]  # the undone edit nets out
    assert ds.commit("review").n_edits == 1


def test_dataset_must_track_this_frame(tmp_path: Path, df: pd.DataFrame, issues: Any) -> None:
    ds = track(df.copy(), name="other", label="y", root=tmp_path)
    with pytest.raises(InvalidParameterError, match="tracking this very frame"):
        ReviewSession(df, label="y", issues=issues, dataset=ds)


def test_bad_input_is_refused_clearly(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="'label' parameter of review"):
        ReviewSession(df, label="nope", issues=issues)
    with pytest.raises(UnsupportedInputError, match="review takes a pandas DataFrame"):
        ReviewSession(df.to_numpy(), label="y", issues=issues)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="is_label_issue"):
        ReviewSession(df, label="y", issues=issues.drop(columns="is_label_issue"))
    with pytest.raises(InvalidParameterError, match="LabelIssues"):
        ReviewSession(df, label="y", issues=[1, 2])
    moved = issues.rename(index={11: 99, 12: 98})
    with pytest.raises(DataMismatchError, match=r"not in the frame's index: 99, 98"):
        ReviewSession(df, label="y", issues=moved)
    dup = pd.concat([df, df])
    with pytest.raises(DataMismatchError, match="no duplicates"):
        ReviewSession(dup, label="y", issues=issues)
    with pytest.raises(DataMismatchError, match=r"'z'.*not among the classes"):
        ReviewSession(df, label="y", issues=issues_for(["b"], ["z"], [11]), classes=["a", "b"])


def test_a_frame_changed_since_the_issues_is_refused_or_skipped(
    df: pd.DataFrame, issues: pd.DataFrame
) -> None:
    df.loc[11, "y"] = "a"
    with pytest.raises(DataMismatchError, match=r"row 11: given 'b', now 'a'.*stale='skip'"):
        ReviewSession(df, label="y", issues=issues)
    with pytest.warns(DCIWarning, match="left out"):
        s = ReviewSession(df, label="y", issues=issues, stale="skip")
    assert s.n_suspects == 1 and s.suspect(0).row == 12


def test_undo_refuses_a_label_changed_elsewhere(df: pd.DataFrame, issues: pd.DataFrame) -> None:
    s = ReviewSession(df, label="y", issues=issues)
    s.decide(0, "accept")
    df.loc[11, "y"] = "b"
    with pytest.raises(DataMismatchError, match="changed elsewhere"):
        s.undo()
    assert s.n_reviewed == 1


def test_key_map_skips_reserved_letters() -> None:
    keys = key_map(40)
    assert keys[:11] == [*"0123456789", "a"]
    assert "k" not in keys and "u" not in keys
    assert keys[-1] == "" and len({k for k in keys if k}) == 34


@pytest.fixture
def many() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six suspects over classes a, b, c; scores rise with the position."""
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


def test_filter_narrows_the_queue_and_keeps_decisions(
    many: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    df, issues = many
    s = ReviewSession(df, label="y", issues=issues)
    s.decide(0, "accept")  # row 1: b -> a, before any filter
    assert s.filter(given="b") == 2
    assert s.filters == {"given": [1]}
    assert [s.suspect(i).row for i in range(s.n_shown)] == [1, 4]
    assert [s.suspect(i).position for i in range(2)] == [0, 3]
    assert s.suspect(0).decision is not None and s.suspect(0).index == 0
    assert (s.n_reviewed, s.n_shown_reviewed) == (1, 1)
    # Indices count in the filtered queue: index 1 is row 4.
    d = s.decide(1, "relabel", "c")
    assert (d.row, d.position) == (4, 3) and df.loc[4, "y"] == "c"
    assert s.n_shown_reviewed == 2 and s.index_of(3) == 1 and s.index_of(1) is None
    with pytest.raises(InvalidParameterError, match=r"an int in \[0, 2\)"):
        s.decide(2, "keep")
    # Several classes, a score range, and the suggestion side.
    assert s.filter(given=["b", "c"], max_score=0.3) == 3
    assert s.filter(suggested="a", min_score=0.1) == 2
    assert [s.suspect(i).row for i in range(2)] == [2, 4]
    assert s.filter(max_score=0.01) == 0 and s.n_shown_reviewed == 0
    with pytest.raises(InvalidParameterError, match="no suspect matches"):
        s.suspect(0)
    # No filter: everything again, with both decisions standing.
    assert s.filter() == 6 and s.filters == {}
    assert s.filter(given=[], suggested=None) == 6 and s.filters == {}  # [] is any class
    assert (s.n_reviewed, s.n_relabelled) == (2, 2)
    assert df["y"].tolist() == ["a", "a", "c", "a", "c", "c", "a"]


def test_undo_under_a_filter_takes_back_the_last_decision_anywhere(
    many: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    df, issues = many
    original = df.copy()
    s = ReviewSession(df, label="y", issues=issues)
    s.decide(2, "accept")  # row 3: a -> b
    s.filter(given="c")
    s.decide(0, "keep")  # row 2
    s.decide(1, "accept")  # row 5: c -> b
    assert s.undo().row == 5 and df.loc[5, "y"] == "c"
    assert s.undo().row == 2
    # The last decision left is outside the filter: undo still takes it back.
    done = s.undo()
    assert done is not None and done.row == 3 and s.index_of(done.position) is None
    assert s.undo() is None
    pd.testing.assert_frame_equal(df, original)
    assert s.n_shown == 2 and s.n_reviewed == 0


def test_bad_filters_are_refused_and_leave_the_filter_as_it_was(
    many: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    df, issues = many
    s = ReviewSession(df, label="y", issues=issues)
    s.filter(given="a")
    for kwargs, message in [
        ({"given": "z"}, "'given' parameter of ReviewSession.filter"),
        ({"suggested": ["a", "q"]}, "'suggested' parameter"),
        ({"max_score": "low"}, "'max_score' parameter.*a number or None"),
        ({"max_score": float("nan")}, "'max_score' parameter"),
        ({"min_score": 0.5, "max_score": 0.2}, r"'min_score'.*at most max_score \(0.2\)"),
    ]:
        with pytest.raises(InvalidParameterError, match=message):
            s.filter(**kwargs)
    with pytest.raises(InvalidParameterError, match=r"list of ints in \[0, 3\]"):
        s.filter_indices(given=[7])
    assert s.filters == {"given": [0]} and s.n_shown == 2


def test_confusion_counts_given_against_suggested(
    many: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    df, issues = many
    s = ReviewSession(df, label="y", issues=issues)
    s.filter(given="a")  # the matrix counts the whole queue, whatever the filter
    c = s.confusion()
    assert c.labels == ("a", "b", "c") and not c.has_other
    assert c.counts.tolist() == [[0, 1, 1], [2, 0, 0], [1, 1, 0]]
    frame = c.to_frame()
    assert frame.loc["b", "a"] == 2 and frame.index.name == "given"
    # Past max_classes, the least busy classes are summed as "other".
    small = s.confusion(max_classes=2)
    assert small.labels == ("a", "b", "other") and small.has_other
    assert small.groups == ((0,), (1,), (2, 3))
    assert small.counts.sum() == 6 and small.counts.tolist() == [[0, 1, 1], [2, 0, 0], [1, 1, 0]]
    # Clicking "other" filters by its classes.
    assert s.filter_indices(given=list(small.groups[2])) == 2
    with pytest.raises(InvalidParameterError, match="max_classes"):
        s.confusion(max_classes=0)


def test_confusion_of_many_classes_keeps_30() -> None:
    rng = np.random.default_rng(0)
    n, k = 2000, 50
    given = rng.integers(0, k, n)
    suggested = (given + rng.integers(1, k, n)) % k
    df = pd.DataFrame({"y": given})
    issues = pd.DataFrame(
        {
            "given_label": given,
            "suggested_label": suggested,
            "label_score": rng.random(n),
            "is_label_issue": True,
        }
    )
    s = ReviewSession(df, label="y", issues=issues, classes=list(range(k)))
    c = s.confusion()
    assert len(c.labels) == 31 and c.labels[-1] == "other" and c.counts.sum() == n
    assert sorted(g for grp in c.groups for g in grp) == [*range(k + 1)]
    # A cell's count is the size of the queue its filter gives.
    assert s.filter_indices(given=list(c.groups[3]), suggested=list(c.groups[-1])) == int(
        c.counts[3, -1]
    )
