"""Exact and near duplicates, conflicting labels, awkward columns, bad input."""

from __future__ import annotations

import dataclasses
import json
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_dci.core._duplicates import Duplicates, find_duplicates
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, UnsupportedInputError


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["Great movie!", "great  movie", "Awful.", "awful", "fine", "Great movie!"],
            "stars": [5.0, 5.0001, 1.0, 1.0, 3.0, 5.0],
            "label": ["pos", "neg", "neg", "neg", "pos", "pos"],
        },
        index=pd.Index([10, 20, 30, 40, 50, 60], name="id"),
    )


def test_exact_and_near_groups_and_conflicts():
    result = find_duplicates(frame(), label="label")
    assert isinstance(result, Duplicates)
    rows = result.frame
    assert rows.index.equals(frame().index)
    groups = rows["duplicate_group"]
    assert groups[10] == groups[20] == groups[60]
    assert groups[30] == groups[40] != groups[10]
    assert pd.isna(groups[50])
    assert rows["is_exact_duplicate"].tolist() == [True, False, False, False, False, True]
    # The movie group holds pos, neg, pos: all three conflict, the lone neg is the worst.
    assert rows["is_conflicting_duplicate_issue"].tolist() == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    np.testing.assert_allclose(
        rows.loc[[10, 20, 60], "conflicting_duplicate_score"], [2 / 3, 1 / 3, 2 / 3]
    )
    assert rows.loc[30, "conflicting_duplicate_score"] == 1.0
    assert rows["conflicting_duplicate_score"].between(0, 1).all()
    np.testing.assert_allclose(rows["duplicate_score"], [1 / 3, 1 / 3, 1 / 2, 1 / 2, 1, 1 / 3])
    top = result.groups.iloc[0]
    assert top["is_conflicting"]
    assert top["size"] == 3
    assert top["majority_label"] == "pos"
    assert not top["exact"]
    assert result.n_conflicting == 3


def test_exact_only():
    result = find_duplicates(frame(), label="label", near=False)
    groups = result.frame["duplicate_group"]
    assert groups[10] == groups[60]
    assert groups.isna().sum() == 4
    assert result.groups["exact"].all()
    assert not result.frame["is_conflicting_duplicate_issue"].any()


def test_without_label_and_with_chosen_features():
    result = find_duplicates(frame(), features=["stars"], near=False)
    assert result.frame["duplicate_group"].notna().sum() == 4  # 5.0 x2 and 1.0 x2
    assert not result.frame["is_conflicting_duplicate_issue"].any()
    assert (result.frame["conflicting_duplicate_score"] == 1.0).all()


def test_images_nulls_categoricals_and_missing_labels():
    image = np.arange(16.0).reshape(4, 4)
    df = pd.DataFrame(
        {
            "image": [image, image.copy(), image + 0.0001, image * 2],
            "kind": pd.Categorical(["a", "a", "a", None]),
            "n": pd.array([1, 1, 1, None], dtype="Int64"),
            "label": pd.array([0, 1, None, 1], dtype="Int64"),
        }
    )
    result = find_duplicates(df, label="label")
    rows = result.frame
    assert rows["duplicate_group"].notna().tolist() == [True, True, True, False]
    assert rows["is_exact_duplicate"].tolist() == [True, True, False, False]
    # A missing label never conflicts; 0 and 1 do.
    assert rows["is_conflicting_duplicate_issue"].tolist() == [True, True, True, False]
    assert rows.loc[2, "conflicting_duplicate_score"] == 1.0
    json.dumps(result.to_dict())


def test_result_is_frozen_and_serialisable():
    result = find_duplicates(frame(), label="label")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.near = False  # type: ignore[misc]
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["n_conflicting_groups"] == 1
    assert payload["groups"][0]["rows"] == [10, 20, 60]
    assert "conflicting" in repr(result)


def test_fast_on_100k_rows():
    rng = np.random.default_rng(0)
    n = 100_000
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "word": rng.choice(["Alpha", "alpha!", "beta", "Gamma  ray"], n),
            "user": [f"user {i}" for i in rng.integers(0, n, n)],
            "label": rng.integers(0, 3, n),
        }
    )
    df = pd.concat([df, df.iloc[:500].assign(label=lambda d: (d["label"] + 1) % 3)])
    df.index = pd.RangeIndex(len(df))
    started = time.perf_counter()
    result = find_duplicates(df, label="label")
    assert time.perf_counter() - started < 5  # ~0.2 s; generous for a shared CI machine
    assert result.frame["is_conflicting_duplicate_issue"].sum() >= 1000


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["a", "A", "b"]), st.integers(0, 1)),
        min_size=1,
        max_size=40,
    ),
    st.randoms(),
)
def test_row_order_does_not_matter(rows, rnd):
    df = pd.DataFrame(rows, columns=["n", "s", "label"])
    order = list(range(len(df)))
    rnd.shuffle(order)
    a = find_duplicates(df, label="label").frame
    b = find_duplicates(df.iloc[order], label="label").frame.loc[df.index]
    for column in ["is_conflicting_duplicate_issue", "is_duplicate_issue", "is_exact_duplicate"]:
        assert a[column].tolist() == b[column].tolist()
    np.testing.assert_allclose(a["conflicting_duplicate_score"], b["conflicting_duplicate_score"])
    assert a["conflicting_duplicate_score"].between(0, 1).all()
    # The same rows share a group either way.
    pairs = lambda f: {  # noqa: E731
        (i, j)
        for i in f.index
        for j in f.index
        if pd.notna(f.at[i, "duplicate_group"])
        and pd.notna(f.at[j, "duplicate_group"])
        and f.at[i, "duplicate_group"] == f.at[j, "duplicate_group"]
    }
    assert pairs(a) == pairs(b)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"label": "nope"}, DataMismatchError, "label column"),
        ({"features": ["zzz"]}, DataMismatchError, "zzz"),
        ({"features": []}, InvalidParameterError, "'features'"),
        ({"tolerance": 0}, InvalidParameterError, "'tolerance'"),
        ({"near": "yes"}, InvalidParameterError, "'near'"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        find_duplicates(frame(), **kwargs)
    with pytest.raises(UnsupportedInputError, match="find_duplicates takes a pandas DataFrame"):
        find_duplicates(frame().to_numpy())


def test_awkward_frame_from_the_shared_fixture(awkward_frame):
    # Lists, dicts, decimals, complex numbers, infinities, periods, intervals, tz datetimes...
    doubled = pd.concat([awkward_frame, awkward_frame.iloc[:5]], ignore_index=True)
    doubled["label"] = np.arange(len(doubled)) % 2
    result = find_duplicates(doubled, label="label")
    assert result.frame["is_exact_duplicate"].sum() == 10
    assert result.frame["conflicting_duplicate_score"].between(0, 1).all()
    json.dumps(result.to_dict(), default=str)


@pytest.mark.parametrize(
    "df",
    [
        pd.DataFrame({"a": pd.Series([], dtype=float), "y": pd.Series([], dtype=object)}),
        pd.DataFrame([[1, "x", 0], [1, "x", 1]], columns=["a", "a", "y"]),
        pd.DataFrame({0: [1, 1], 1.5: ["x", "x"], "y": [0, 1]}),
    ],
    ids=["no-rows", "repeated-column-names", "non-string-column-names"],
)
def test_odd_shapes(df):
    result = find_duplicates(df, label="y")
    assert len(result.frame) == len(df)
    assert result.n_conflicting == (2 if len(df) else 0)


@pytest.mark.parametrize("near", [True, False])
def test_arrow_nested_columns_are_compared_by_value(near: bool) -> None:
    """An Arrow list column ended in a raw 'unhashable type' TypeError (issue #15)."""
    import pyarrow as pa

    df = pd.DataFrame({"x": [1, 1, 2, 1], "y": ["a", "b", "a", "a"]})
    df["tags"] = pd.Series([[1, 2], [1, 2], [1, 2], [3]], dtype=pd.ArrowDtype(pa.list_(pa.int64())))
    df["meta"] = pd.Series([{"k": 1}] * 4, dtype=pd.ArrowDtype(pa.struct([("k", pa.int64())])))
    found = find_duplicates(df, label="y", near=near)
    # Rows 0 and 1 agree on every feature (lists and structs included) and disagree on y.
    assert found.n_conflicting == 2
    assert sorted(found.frame.index[found.frame["duplicate_group"].notna()].tolist()) == [0, 1]
