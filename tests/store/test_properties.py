"""Invariants of the store, held over generated edits (hypothesis)."""

from __future__ import annotations

import tempfile

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_dci.store import track
from jupyter_dci.store._codec import decode_texts, encode_array, encode_value

N_ROWS = 12
# No example database: the suite leaves nothing behind in the repository.
SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": pd.Categorical(["a", "b", "c"] * (N_ROWS // 3)),
            "n": pd.array(range(N_ROWS), dtype="Int64"),
            "f": np.linspace(0, 1, N_ROWS),
            "s": [f"t{i}" for i in range(N_ROWS)],
        }
    )


labels = st.sampled_from(["a", "b", "c", "d", "é", "new label"])
rows = st.lists(st.integers(0, N_ROWS - 1), min_size=1, max_size=N_ROWS, unique=True)
ints = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))
floats = st.floats(allow_nan=True, allow_infinity=True)
texts = st.text(max_size=20)
edit = st.one_of(
    st.tuples(st.just("label"), rows, labels),
    st.tuples(st.just("n"), rows, ints),
    st.tuples(st.just("f"), rows, floats),
    st.tuples(st.just("s"), rows, texts),
)
commits = st.lists(st.lists(edit, min_size=1, max_size=4), min_size=1, max_size=4)


def apply(ds, edits) -> None:
    for column, where, value in edits:
        ds.edit(where, column, value)


@SETTINGS
@given(edits=st.lists(edit, min_size=1, max_size=5))
def test_relabel_then_revert_is_the_identity(edits):
    with tempfile.TemporaryDirectory() as root:
        df = frame()
        before = df.copy()
        ds = track(df, name="p", root=root)
        apply(ds, edits)
        v = ds.commit("edits")
        ds.revert(v)
        pd.testing.assert_frame_equal(df, before)
        pd.testing.assert_frame_equal(ds.checkout("HEAD"), before)
        assert ds.diff(1, "HEAD").total == 0


@SETTINGS
@given(history=commits)
def test_checkout_of_a_version_stays_the_frame_it_was(history):
    with tempfile.TemporaryDirectory() as root:
        df = frame()
        ds = track(df, name="p", root=root)
        ds.rebase_edits = 6  # exercise rebases too
        seen = {1: df.copy()}
        for edits in history:
            apply(ds, edits)
            seen[ds.commit("c").id] = df.copy()
        for version, expected in seen.items():
            pd.testing.assert_frame_equal(ds.checkout(version), expected)
            assert ds.diff(version, version).total == 0
        # The diff between any two versions is exactly the cells that differ.
        last = max(seen)
        diff = ds.diff(1, last, limit=10_000).to_frame()
        first = seen[1].astype(object)
        final = seen[last].astype(object)
        differ = {
            (r, c)
            for c in first.columns
            for r in range(N_ROWS)
            if encode_value(first.at[r, c]) != encode_value(final.at[r, c])
        }
        assert set(zip(diff["row"], diff["column"], strict=True)) == differ


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    floats,
    st.text(),
    st.datetimes(timezones=st.sampled_from([None, __import__("datetime").timezone.utc])),
    st.timedeltas(),
    st.binary(max_size=10),
)


@settings(max_examples=200, deadline=None, database=None)
@given(values=st.lists(scalars, max_size=20))
def test_values_round_trip_through_the_log_text(values):
    texts = [encode_value(v) for v in values]
    back = decode_texts(texts)
    assert [encode_value(v) for v in back] == texts  # canonical: one value, one text
    for got, want in zip(back, values, strict=True):
        if isinstance(want, float) and want != want:
            assert got != got
        elif want is not None and hasattr(want, "tzinfo"):
            assert pd.Timestamp(got) == pd.Timestamp(want)
        else:
            assert got == want


def test_array_fast_paths_agree_with_the_scalar_encoder():
    arrays = [
        np.array([1, -5], dtype=np.int64),
        np.array([0.1, np.nan, -np.inf]),
        np.array([True, False]),
        np.array(["a", None, 3], dtype=object),
        pd.array(["x", None], dtype="string"),
        pd.array([1, None], dtype="Int64"),
        pd.Categorical(["p", None, "q"]),
        pd.array(pd.date_range("2024", periods=2, tz="Asia/Tokyo")),
    ]
    for array in arrays:
        expected = []
        for value in array:
            missing = value is None or (isinstance(value, float) and value != value)
            categorical_nan = isinstance(array, pd.Categorical) and missing
            expected.append(encode_value(float("nan") if categorical_nan else value))
        assert encode_array(array) == expected
