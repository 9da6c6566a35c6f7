"""Label issues beyond pandas: every engine flags the numpy path's rows, in its order.

The same data (planted label noise, a few thousand rows) goes to the numpy path and to every
engine input: Polars eager and lazy, a PyArrow table and dataset, a DuckDB relation, Parquet
files. The flagged rows, their order, scores and suggested labels, the joint and the counts
must be the numpy path's exactly; errors are checked by aggregates and worded as the
house's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pytest

import jupyter_dci.core.labels._lazy as lazy
import jupyter_dci.core.labels._lazy_cut as lazy_cut
from jupyter_dci.core.labels import find_label_issues, label_scores
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, UnsupportedInputError


def _planted(n: int, k: int, *, strings: bool, seed: int = 0) -> pd.DataFrame:
    """``y`` with 12% of labels flipped, ``p0..`` a noise-blind model's softmax, an ``id``."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), true] += 2.2
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    given = np.where(rng.random(n) < 0.12, (true + rng.integers(1, k, n)) % k, true)
    frame = pd.DataFrame({f"p{j}": probs[:, j] for j in range(k)})
    names = np.array(["cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay", "kiwi", "lynx"])
    frame.insert(0, "y", names[given] if strings else given.astype(np.int64))
    frame.insert(0, "id", rng.permutation(n).astype(np.int64) * 7 + 3)
    return frame


def _file(df: pd.DataFrame, tmp: Path) -> str:
    path = tmp / "data.parquet"
    df.to_parquet(path, index=False)
    return str(path)


def _glob(df: pd.DataFrame, tmp: Path) -> str:
    half = len(df) // 2
    df.iloc[:half].to_parquet(tmp / "part-0.parquet", index=False)
    df.iloc[half:].to_parquet(tmp / "part-1.parquet", index=False)
    return str(tmp / "part-*.parquet")


BACKENDS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "polars": lambda df, _: pl.from_pandas(df),
    "polars-lazy": lambda df, _: pl.from_pandas(df).lazy(),
    "pyarrow-table": lambda df, _: pa.Table.from_pandas(df, preserve_index=False),
    "pyarrow-dataset": lambda df, _: pads.dataset(pa.Table.from_pandas(df, preserve_index=False)),
    "duckdb": lambda df, _: duckdb.from_arrow(pa.Table.from_pandas(df, preserve_index=False)),
    "parquet": _file,
    "parquet-glob": _glob,
}

DATASETS = {
    "k3-strings": lambda: _planted(3_000, 3, strings=True),
    "k10-ints": lambda: _planted(4_000, 10, strings=False, seed=1),
}


def _columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("p")]


def _assert_same(got: Any, want: Any, n_shown: int | None = None) -> None:
    """``got`` (data in an engine) shows the first flagged rows of ``want`` (numpy), exactly."""
    expected = want.issues if n_shown is None else want.issues.iloc[:n_shown]
    shown = got.issues
    assert (got.n_issues, got.n_rows) == (want.n_issues, want.n_rows)
    assert shown.index.tolist() == expected.index.tolist()
    assert shown["given_label"].tolist() == expected["given_label"].tolist()
    assert shown["suggested_label"].tolist() == expected["suggested_label"].tolist()
    np.testing.assert_allclose(shown["label_score"], expected["label_score"], rtol=0, atol=1e-12)
    assert list(shown["given_label"].cat.categories) == list(expected["given_label"].cat.categories)
    pd.testing.assert_frame_equal(got.confident_joint, want.confident_joint)
    pd.testing.assert_frame_equal(got.noise_matrix, want.noise_matrix)
    np.testing.assert_allclose(got.thresholds, want.thresholds, rtol=1e-12)
    assert got.classes == want.classes and got.filter_by == want.filter_by


@pytest.fixture(scope="module", params=list(DATASETS))
def dataset(request: Any) -> tuple[str, pd.DataFrame]:
    return request.param, DATASETS[request.param]()


@pytest.mark.parametrize("filter_by", ["confident_learning", "expected_f1"])
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_every_engine_flags_the_numpy_rows(
    backend: str, filter_by: str, dataset: tuple[str, pd.DataFrame], tmp_path: Path
) -> None:
    _, df = dataset
    cols = _columns(df)
    want = find_label_issues(df, cols, label="y", filter_by=filter_by)
    # The table form on pandas is the array form on the same arrays.
    arrays = find_label_issues(df["y"], df[cols].to_numpy(), filter_by=filter_by)
    pd.testing.assert_frame_equal(want.frame, arrays.frame)
    got = find_label_issues(BACKENDS[backend](df, tmp_path), cols, label="y", filter_by=filter_by)
    assert 100 < want.n_issues < len(df) // 3  # planted noise is found, not everything
    _assert_same(got, want)
    assert got.frame.index.name == "row" and not got.truncated
    assert got.n_issues == int(got.frame["is_label_issue"].sum())


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb", "parquet"])
def test_key_column_names_the_rows(backend: str, tmp_path: Path) -> None:
    df = _planted(3_000, 3, strings=True, seed=4)
    cols = _columns(df)
    want = find_label_issues(df, cols, label="y", key="id")
    assert want.frame.index.name == "id"
    # pandas' key path is the array form with the key as index.
    arrays = find_label_issues(df.set_index("id")["y"], df[cols].to_numpy())
    pd.testing.assert_frame_equal(want.frame, arrays.frame)
    got = find_label_issues(BACKENDS[backend](df, tmp_path), cols, label="y", key="id")
    _assert_same(got, want)
    assert got.frame.index.name == "id"


@pytest.mark.parametrize("backend", ["polars", "duckdb", "parquet"])
def test_max_rows_shows_the_worst_and_counts_all(backend: str, tmp_path: Path) -> None:
    df = _planted(4_000, 10, strings=False, seed=2)
    cols = _columns(df)
    want = find_label_issues(df, cols, label="y")
    data = BACKENDS[backend](df, tmp_path)
    got = find_label_issues(data, cols, label="y", max_rows=25)
    _assert_same(got, want, n_shown=25)
    assert len(got.frame) == 25 and got.truncated and got.n_issues > 25
    assert repr(got).startswith(f"LabelIssues({want.n_issues:,} of 4,000 rows flagged, 25 shown")
    summary = got.to_dict()
    assert summary["n_issues"] == want.n_issues and summary["n_rows"] == 4_000
    assert len(summary["issues"]) == 25 and summary["truncated"] is True
    assert summary["issues"][0]["index"] == want.issues.index[0]
    # Bounded: the summary does not grow with the rows flagged.
    assert len(json.dumps(summary)) < 10_000
    none = find_label_issues(data, cols, label="y", max_rows=0)
    assert none.n_issues == want.n_issues and none.frame.empty and none.truncated


def _tied(near: bool) -> pd.DataFrame:
    """40 rows of one score (labelled "a", the model says "b"); the cut falls among them."""
    a, b = [("a", 0.9, 0.1)] * 100, [("b", 0.1, 0.9)] * 100
    tied = [("a", 0.2, 0.8)] * 20
    # Scored a hair apart from the tied rows, in their bin: the tie is broken from fetched rows.
    close = [("a", 0.2 + 1e-10, 0.8 - 1e-10)] * (3 if near else 0)
    rows = a + tied + b + [("a", 0.1, 0.9)] * 20 + close + tied + b + a + [("b", 0.6, 0.4)] * 10
    return pd.DataFrame(rows, columns=["y", "pa", "pb"])


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
@pytest.mark.parametrize("near", [False, True])
def test_ties_at_the_cut_go_to_the_first_rows(backend: str, near: bool, tmp_path: Path) -> None:
    # Without the close rows the tied rows are a bin of one score: the engine breaks the tie.
    df = _tied(near)
    want = find_label_issues(df, ["pa", "pb"], label="y")
    cut = want.issues["label_score"].max()
    at_cut = int((want.frame["label_score"] == cut).sum())
    assert 0 < int((want.issues["label_score"] == cut).sum()) < at_cut == 40  # a split tie
    got = find_label_issues(BACKENDS[backend](df, tmp_path), ["pa", "pb"], label="y")
    _assert_same(got, want)


def test_heavy_bins_are_split_and_the_last_query_sorts(monkeypatch: Any, tmp_path: Path) -> None:
    # Tiny fetches force every fallback: bins split by finer histograms, bins fetched when
    # the exact cut asks for them, and the shown rows sorted by a last query.
    monkeypatch.setattr(lazy, "FETCH_ROWS", 40)
    monkeypatch.setattr(lazy_cut, "FETCH_ROWS", 40)
    monkeypatch.setattr(lazy_cut, "BINS", 4)
    monkeypatch.setattr(lazy_cut, "MAX_RUNS", 2)
    df = _planted(3_000, 3, strings=True, seed=5)
    cols = _columns(df)
    for filter_by in ("confident_learning", "expected_f1"):
        want = find_label_issues(df, cols, label="y", filter_by=filter_by)
        got = find_label_issues(pl.from_pandas(df).lazy(), cols, label="y", filter_by=filter_by)
        _assert_same(got, want)
    # Nothing planned: the exact step asks for each bin, splitting those too big to fetch.
    monkeypatch.setattr(lazy, "f1_bins", _no_prefetch)
    for filter_by in ("confident_learning", "expected_f1"):
        want = find_label_issues(df, cols, label="y", filter_by=filter_by)
        got = find_label_issues(pl.from_pandas(df).lazy(), cols, label="y", filter_by=filter_by)
        _assert_same(got, want)


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_float32_probabilities_compute_in_float64(backend: str, tmp_path: Path) -> None:
    df = _planted(2_000, 3, strings=False, seed=6)
    cols = _columns(df)
    df[cols] = df[cols].astype(np.float32)
    want = find_label_issues(df, cols, label="y")
    _assert_same(find_label_issues(BACKENDS[backend](df, tmp_path), cols, label="y"), want)


def test_csv_files_and_dict_of_columns(tmp_path: Path) -> None:
    df = _planted(2_000, 3, strings=True, seed=7)
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    back = pd.read_csv(path)  # the same decimal text, parsed by pandas
    by_class = {"eel": "p2", "cat": "p0", "dog": "p1"}
    want = find_label_issues(back, by_class, label="y")
    got = find_label_issues(str(path), by_class, label="y")
    assert got.classes == ("eel", "cat", "dog")
    _assert_same(got, want)


@pytest.mark.parametrize(
    "method", ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
)
@pytest.mark.parametrize("backend", ["polars", "polars-lazy", "pyarrow-table", "duckdb", "parquet"])
def test_label_scores_stay_lazy_and_match(backend: str, method: str, tmp_path: Path) -> None:
    df = _planted(2_000, 3, strings=True, seed=8)
    cols = _columns(df)
    want = label_scores(df, cols, label="y", method=method)
    pd.testing.assert_series_equal(want, label_scores(df["y"], df[cols].to_numpy(), method=method))
    got = label_scores(BACKENDS[backend](df, tmp_path), cols, label="y", method=method)
    kind = {"polars": pl.DataFrame, "polars-lazy": pl.LazyFrame}.get(backend)
    if kind is not None:
        assert isinstance(got, kind)
    else:
        assert type(got).__name__ == "DuckDBPyRelation"
    frame = nw.from_native(got)
    values = (frame.collect() if isinstance(frame, nw.LazyFrame) else frame)["label_score"]
    # Engines take logarithms their own way: the entropy score agrees to ~1e-12.
    tolerance = 1e-9 if method == "confidence_weighted_entropy" else 0
    np.testing.assert_allclose(values.to_numpy(), want.to_numpy(), rtol=0, atol=tolerance)
    assert list(frame.collect_schema().names()) == [*df.columns, "label_score"]


def _bad(df: pd.DataFrame, column: str, rows: list[int], value: float) -> pd.DataFrame:
    out = df.copy()
    out.loc[rows, column] = value
    return out


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
@pytest.mark.parametrize(
    ("change", "kwargs", "error", "match"),
    [
        (None, {"label": "nope"}, DataMismatchError, r"'label' parameter .* Got \['nope'\]"),
        (None, {"pred_probs": ["p0", "px"]}, DataMismatchError, r"'pred_probs' .* \['px'\]"),
        (None, {"key": "nope"}, DataMismatchError, r"'key' parameter"),
        (None, {"pred_probs": "p0"}, InvalidParameterError, "a list of the probability"),
        (None, {"pred_probs": ["p0"]}, InvalidParameterError, "at least 2 probability"),
        (None, {"pred_probs": ["p0", "p0", "p1"]}, InvalidParameterError, "distinct"),
        (None, {"pred_probs": ["y", "p1", "p2"]}, InvalidParameterError, "other than the label"),
        (None, {"pred_probs": ["note", "p1", "p2"]}, InvalidParameterError, "must hold numbers"),
        (None, {"classes": ["cat", "dog"]}, DataMismatchError, "one class per probability"),
        (None, {"classes": ["cat", "dog", "owl"]}, DataMismatchError, r"among the classes .*'eel'"),
        (None, {"max_rows": -1}, InvalidParameterError, r"'max_rows' .* \[0, 1,000,000\]"),
        (None, {"max_rows": 2_000_000}, InvalidParameterError, "'max_rows'"),
        (None, {"max_rows": True}, InvalidParameterError, "'max_rows'"),
        (
            None,
            {"filter_by": "prune_by_noise_rate"},
            InvalidParameterError,
            "not available for data in an engine",
        ),
        (
            ("p1", [5, 9], np.nan),
            {},
            InvalidParameterError,
            r"missing, NaN or infinite values in 2 row\(s\), e.g. at rows \[5, 9\]",
        ),
        (
            ("p1", [7], -0.5),
            {},
            InvalidParameterError,
            r"negative values in 1 row\(s\), e.g. at rows \[7\]",
        ),
        (
            ("p1", [3, 4, 8], 0.9),
            {},
            InvalidParameterError,
            r"sum to 1 .* Got 3 row\(s\) .* rows \[3, 4, 8\]",
        ),
    ],
)
def test_bad_input_is_refused_in_the_house_voice(
    backend: str, change: Any, kwargs: dict[str, Any], error: type, match: str, tmp_path: Path
) -> None:
    df = _planted(500, 3, strings=True, seed=9).assign(note="text")
    if change is not None:
        df = _bad(df, *change)
    args = {"label": "y", "pred_probs": ["p0", "p1", "p2"], **kwargs}
    with pytest.raises(error, match=match):
        find_label_issues(BACKENDS[backend](df, tmp_path), args.pop("pred_probs"), **args)


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_label_errors(backend: str, tmp_path: Path) -> None:
    df = _planted(500, 3, strings=True, seed=10)
    cols = _columns(df)
    missing = df.copy()
    missing.loc[[11, 12], "y"] = None
    with pytest.raises(
        InvalidParameterError, match=r"2 missing label\(s\), e.g. at rows \[11, 12\]"
    ):
        find_label_issues(BACKENDS[backend](missing, tmp_path), cols, label="y")
    one = df.assign(y="cat")
    with pytest.raises(InvalidParameterError, match="at least 2 distinct classes"):
        find_label_issues(
            BACKENDS[backend](one, tmp_path), cols, label="y", classes=["cat", "dog", "eel"]
        )
    many = df.assign(y=[f"v{i % 5}" for i in range(len(df))])
    with pytest.raises(DataMismatchError, match=r"Got 5 distinct label\(s\) .* for 3 columns"):
        find_label_issues(BACKENDS[backend](many, tmp_path), cols, label="y")
    with pytest.raises(InvalidParameterError, match="at least one row"):
        find_label_issues(BACKENDS[backend](df.iloc[:0], tmp_path), cols, label="y")


def test_types_nobody_takes_and_key_without_label() -> None:
    with pytest.raises(UnsupportedInputError, match="find_label_issues takes"):
        find_label_issues([[0.5, 0.5]], ["p0", "p1"], label="y")
    with pytest.raises(UnsupportedInputError, match="label_scores takes"):
        label_scores({"y": [0]}, ["p0", "p1"], label="y")
    with pytest.raises(InvalidParameterError, match="'key' parameter"):
        find_label_issues([0, 1], [[0.9, 0.1], [0.2, 0.8]], key="id")


def _no_prefetch(bins: Any) -> tuple[np.ndarray, float, float]:
    """``f1_bins`` that asks for no bins: every bin the exact cut needs is fetched on demand."""
    _, x_min, x_max = lazy_cut.f1_bins(bins)
    return np.zeros(len(bins.n), dtype=bool), x_min, x_max


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_bins_fetched_on_demand_and_ties_broken_in_the_engine(
    backend: str, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setattr(lazy, "f1_bins", _no_prefetch)
    calls: list[tuple[float, int]] = []
    tie_break = lazy.tie_break

    def spy(tied: Any, wanted: int) -> Any:
        calls.append(wanted)
        return tie_break(tied, wanted)

    monkeypatch.setattr(lazy, "tie_break", spy)
    df = _tied(near=False)
    want = find_label_issues(df, ["pa", "pb"], label="y")
    _assert_same(find_label_issues(BACKENDS[backend](df, tmp_path), ["pa", "pb"], label="y"), want)
    assert calls  # the 40 tied rows were ranked by the engine, not fetched
    # Coarse bins straddle the expected-F1 thresholds: the exact step fetches them.
    monkeypatch.setattr(lazy_cut, "BINS", 64)
    planted = _planted(3_000, 3, strings=False, seed=11)
    cols = _columns(planted)
    for filter_by in ("confident_learning", "expected_f1"):
        want = find_label_issues(planted, cols, label="y", filter_by=filter_by)
        got = find_label_issues(
            BACKENDS[backend](planted, tmp_path), cols, label="y", filter_by=filter_by
        )
        _assert_same(got, want)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_tie_break_takes_the_lowest_own_then_the_first_rows(engine: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(lazy_cut, "_TIE_PAGE", 2)  # pages of two own probabilities
    rng = np.random.default_rng(3)
    own = rng.choice([0.1, 0.2, 0.3, 0.4, 0.5], 300)
    eligible = (rng.random(300) < 0.7).astype(np.int64)
    rows = rng.permutation(300).astype(np.int64)
    table = pa.table({lazy_cut.OWN: own, lazy_cut.E: eligible, "__dci_row": rows})
    frame = nw.from_native(
        pl.from_arrow(table).lazy() if engine == "polars" else duckdb.from_arrow(table)
    )
    order = np.lexsort((rows, own))
    for wanted in (1, 37, 60, 61, 150, 299, 300):
        chosen = order[:wanted]
        own_max, row_max, n_eligible = lazy_cut.tie_break(frame, wanted)
        assert own_max == own[chosen[-1]] and n_eligible == int(eligible[chosen].sum())
        last_of_own = wanted == len(order) or own[order[wanted]] != own_max
        assert row_max == (np.inf if last_of_own else rows[chosen[-1]])


def test_rules_flag_alike_in_numpy_and_in_the_engine() -> None:
    rng = np.random.default_rng(2)
    s = np.round(rng.random(400), 1)  # many ties
    own = np.round(rng.random(400), 1)
    rows = np.arange(400)
    eligible = rng.random(400) < 0.6
    frame = nw.from_native(
        pl.DataFrame(
            {lazy_cut.S: s, lazy_cut.OWN: own, "__dci_row": rows, lazy_cut.E: eligible.astype(int)}
        ).lazy()
    )
    rules = [
        lazy_cut.Rule("none"),
        lazy_cut.Rule("all"),
        lazy_cut.Rule("f1", x=0.45),
        lazy_cut.Rule("cut", 0.3),
        lazy_cut.Rule("cut", 0.3, 0.5),
        lazy_cut.Rule("cut", 0.3, 0.5, 200.0),
    ]
    for rule in rules:
        expected = rule.mask(s, own, rows) & eligible
        got = frame.with_columns(rule.expr().alias("f")).collect()["f"].to_numpy()
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_clean_labels_flag_nothing(backend: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    y = rng.integers(0, 3, 600)
    probs = np.full((600, 3), 0.05)
    probs[np.arange(600), y] = 0.9
    df = pd.DataFrame({"y": y, "p0": probs[:, 0], "p1": probs[:, 1], "p2": probs[:, 2]})
    for filter_by in ("confident_learning", "expected_f1"):
        want = find_label_issues(df, ["p0", "p1", "p2"], label="y", filter_by=filter_by)
        got = find_label_issues(
            BACKENDS[backend](df, tmp_path), ["p0", "p1", "p2"], label="y", filter_by=filter_by
        )
        assert want.n_issues == 0
        _assert_same(got, want)
        assert got.frame.empty and not got.truncated


def test_enum_labels_take_their_categories_order() -> None:
    df = _planted(1_500, 3, strings=True, seed=13)
    cols = _columns(df)
    data = pl.from_pandas(df).with_columns(pl.col("y").cast(pl.Enum(["eel", "dog", "cat"])))
    got = find_label_issues(data, cols, label="y")
    assert got.classes == ("eel", "dog", "cat")
    want = find_label_issues(df, cols, label="y", classes=["eel", "dog", "cat"])
    _assert_same(got, want)


def test_classes_given_twice_or_twice_the_same() -> None:
    data = pl.from_pandas(_planted(300, 3, strings=True, seed=14))
    with pytest.raises(InvalidParameterError, match="None when pred_probs is a dict"):
        find_label_issues(data, {"cat": "p0", "dog": "p1", "eel": "p2"}, label="y", classes=["cat"])
    with pytest.raises(InvalidParameterError, match="distinct class names"):
        find_label_issues(data, ["p0", "p1", "p2"], label="y", classes=["cat", "cat", "eel"])
