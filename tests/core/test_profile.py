from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_dci.core.profile import KINDS, SEVERITIES, DataFrameProfile, profile
from jupyter_dci.errors import InvalidParameterError


def _check_invariants(prof: DataFrameProfile, df: pd.DataFrame) -> None:
    assert prof.n_rows == len(df)
    assert prof.n_columns == df.shape[1]
    assert len(prof.columns) == df.shape[1]
    for key, col in prof.columns.items():
        assert col.name == key
        assert col.kind in KINDS
        assert 0 <= col.n_missing <= col.n_rows == prof.n_rows_profiled
        assert 0 <= col.n_distinct <= col.n_rows - col.n_missing
    for alert in prof.alerts:
        assert alert.severity in SEVERITIES
        assert alert.message.endswith(".")
        assert alert.n_rows >= 0
    d = prof.to_dict()
    assert json.loads(json.dumps(d)) == d
    frame = prof.to_frame()
    assert list(frame.index) == list(prof.columns)


def test_awkward_frame_is_profiled_truthfully(awkward_frame):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from NaN/inf arithmetic either
        prof = profile(awkward_frame)
    _check_invariants(prof, awkward_frame)
    cols = prof.columns
    expected_kinds = {
        "float_nan": "numeric",
        "int64_nullable": "numeric",
        "boolean": "boolean",
        "string": "categorical",
        "category": "categorical",
        "tz_datetime": "datetime",
        "naive_datetime": "datetime",
        "timedelta": "numeric",
        "period": "datetime",
        "mixed": "mixed",
        "lists_dicts": "mixed",
        "decimal": "numeric",
        "all_nan": "empty",
        "all_none_object": "empty",
        "dates_object": "datetime",
        "long_text": "text",
        "bool": "boolean",
    }
    for name, kind in expected_kinds.items():
        assert cols[name].kind == kind, name
    for name in awkward_frame:
        series = awkward_frame[name]
        assert cols[name].n_missing == int(series.isna().sum()), name
    assert cols["int64_nullable"].n_distinct == awkward_frame["int64_nullable"].nunique()
    assert cols["category"].n_distinct == 3  # the unused category is not counted
    assert cols["inf"].numeric.n_inf == 6
    assert cols["tz_datetime"].datetime.timezone == "Europe/Paris"
    assert cols["timedelta"].numeric.unit == "s"
    assert cols["timedelta"].numeric.max == 59.0
    assert dict(cols["mixed"].types) == {"bytes": 12, "float": 12, "int": 12, "str": 12}
    assert cols["long_text"].text.max_length == len("word " * 259)


def test_odd_shapes_do_not_raise(odd_shape_frame):
    prof = profile(odd_shape_frame)
    _check_invariants(prof, odd_shape_frame)


def test_duplicate_column_names_are_kept_apart_and_reported():
    df = pd.DataFrame([[1, "x", 2.0], [2, "y", 3.0]], columns=["a", "a", "b"])
    prof = profile(df)
    assert list(prof.columns) == ["a", "a (2)", "b"]
    assert prof.columns["a (2)"].kind == "categorical"
    assert "duplicate_column_names" in {a.kind for a in prof.alerts}


def test_multiindex_columns_are_joined():
    cols = pd.MultiIndex.from_tuples([("g", "a"), ("g", "b")])
    prof = profile(pd.DataFrame([[1, 2], [3, 4]], columns=cols))
    assert list(prof.columns) == ["g / a", "g / b"]


def test_empty_and_zero_column_frames():
    assert profile(pd.DataFrame()).n_columns == 0
    prof = profile(pd.DataFrame({"a": pd.Series([], dtype=float)}))
    assert prof.n_rows == 0
    assert prof.columns["a"].kind == "empty"
    assert prof.n_duplicate_rows == 0


def test_wide_frame_is_profiled():
    df = pd.DataFrame(np.zeros((3, 2_000)), columns=[f"c{i}" for i in range(2_000)])
    prof = profile(df)
    assert prof.n_columns == 2_000


def test_non_dataframe_input_is_a_clear_type_error():
    # One voice for every entry point: what was got (with its module), what is taken, the fix.
    with pytest.raises(TypeError, match=r"Got pandas\.Series instead\. Wrap a Series with"):
        profile(pd.Series([1, 2]))


@pytest.mark.parametrize("sample", [0, -5, 1.5, "10", True])
def test_bad_sample_is_refused_in_one_voice(sample):
    with pytest.raises(InvalidParameterError, match="The 'sample' parameter of profile must be"):
        profile(pd.DataFrame({"a": [1]}), sample=sample)


def test_unknown_label_is_refused():
    with pytest.raises(InvalidParameterError, match="'label' parameter of profile"):
        profile(pd.DataFrame({"a": [1]}), label="nope")


def test_exact_counts_without_sampling():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=5_000), "s": rng.choice(list("abc"), 5_000)})
    df.loc[::11, "x"] = np.nan
    prof = profile(df)
    assert not prof.sampled
    assert prof.n_rows_profiled == 5_000
    assert prof.columns["x"].n_missing == int(df["x"].isna().sum())
    assert prof.columns["x"].n_distinct == df["x"].nunique()
    num = prof.columns["x"].numeric
    assert num.mean == pytest.approx(df["x"].mean())
    assert num.std == pytest.approx(df["x"].std())
    assert num.quantiles["0.25"] == pytest.approx(df["x"].quantile(0.25))
    assert sum(num.histogram.counts) + num.histogram.n_below + num.histogram.n_above == 5_000 - (
        prof.columns["x"].n_missing
    )


def test_sampling_is_flagged():
    df = pd.DataFrame({"x": np.arange(10_000.0)})
    prof = profile(df, sample=1_000)
    assert prof.sampled
    assert prof.n_rows == 10_000
    assert prof.n_rows_profiled == 1_000
    assert prof.columns["x"].n_rows == 1_000
    assert prof.to_dict()["sampled"] is True
    # A sample as large as the frame is no sample.
    assert not profile(df, sample=20_000).sampled


def test_results_are_frozen():
    prof = profile(pd.DataFrame({"a": [1, None]}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        prof.n_rows = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        prof.columns["b"] = prof.columns["a"]  # type: ignore[index]
    with pytest.raises(TypeError):
        prof.alerts[0].details["x"] = 1  # type: ignore[index]


def test_to_frame_has_one_row_per_column(clean_frame):
    frame = profile(clean_frame).to_frame()
    assert list(frame.index) == list(clean_frame.columns)
    assert frame.loc["height", "kind"] == "numeric"
    assert frame.loc["city", "top"] in {"Paris", "Lyon", "Nice", "Lille"}


def test_progress_callback_sees_every_column(clean_frame):
    seen = []
    profile(clean_frame, progress=lambda done, total, what: seen.append((done, total, what)))
    assert seen[-1] == (6, 6, "active")
    assert len(seen) == 6


def test_frame_is_not_modified(awkward_frame):
    before = awkward_frame.copy()
    profile(awkward_frame)
    pd.testing.assert_frame_equal(awkward_frame, before)


def test_core_imports_no_ui_library():
    import subprocess
    import sys

    code = (
        "import sys, jupyter_dci.core.profile, jupyter_dci.core.profile._html, jupyter_dci.cli;"
        "bad = {'ipywidgets', 'anywidget', 'traitlets', 'altair', 'IPython'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


_cells = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
)


@st.composite
def _frames(draw):
    n = draw(st.integers(0, 40))
    floats = draw(st.lists(_cells, min_size=n, max_size=n))
    words = draw(
        st.lists(
            st.one_of(st.none(), st.sampled_from(["a", "B", "c c", ""])), min_size=n, max_size=n
        )
    )
    ints = draw(st.lists(st.one_of(st.none(), st.integers(-3, 3)), min_size=n, max_size=n))
    flags = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "f": pd.Series(floats, dtype="float64"),
            "s": pd.Series(words, dtype=object),
            "i": pd.Series(ints, dtype="Int64"),
            "b": pd.Series(flags, dtype=bool),
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames())
def test_counts_match_pandas(df):
    prof = profile(df)
    _check_invariants(prof, df)
    assert prof.n_duplicate_rows == int(df.duplicated().sum())
    for name in df.columns:
        col = prof.columns[name]
        assert col.n_missing == int(df[name].isna().sum())
        assert col.n_distinct == df[name].nunique()
    f = df["f"].dropna()
    if len(f):
        assert prof.columns["f"].numeric.min == f.min()
        assert prof.columns["f"].numeric.max == f.max()
        assert prof.columns["f"].numeric.n_zeros == int((f == 0).sum())
        assert prof.columns["f"].numeric.n_negative == int((f < 0).sum())


def test_threads_do_not_change_the_result():
    from benchmarks.frames import make_mixed_frame

    df = make_mixed_frame(3_000)
    one = profile(df, n_jobs=1).to_dict()
    two = profile(df, n_jobs=2).to_dict()
    one.pop("seconds")
    two.pop("seconds")
    assert one == two


@pytest.mark.parametrize("n_jobs", [0, 1.5, True])
def test_bad_n_jobs_is_refused(n_jobs):
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of profile"):
        profile(pd.DataFrame({"a": [1]}), n_jobs=n_jobs)


def test_ten_thousand_columns_are_profiled() -> None:
    # Issue 3's bad input: a very wide frame is profiled column by column, none dropped.
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(5, 10_000)))
    prof = profile(df)
    assert prof.n_columns == 10_000
    assert len(prof.columns) == 10_000
    assert prof.to_frame().shape[0] == 10_000


def test_array_cells_are_counted_by_content_and_quickly() -> None:
    # numpy abbreviates large arrays in their repr: two arrays that differ in one pixel must
    # still count as two values (and keying by repr took seconds for a few thousand images).
    base = np.zeros((200, 200))
    other = base.copy()
    other[100, 100] = 1.0
    prof = profile(pd.DataFrame({"img": [base, other, base.copy()]}))
    assert prof.columns["img"].n_distinct == 2
    assert prof.columns["img"].top.counts[0] == 2
