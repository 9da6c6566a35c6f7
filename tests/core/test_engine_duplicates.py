"""find_duplicates beyond pandas: the same groups from every engine as from the pandas path.

Each backend gets the same data (a pandas frame converted: Polars eager and lazy, a PyArrow
table and dataset, a DuckDB relation, Parquet and CSV files). The counts must equal the
pandas result's and the groups brought back must be the pandas path's first groups, with its
group numbers, sizes, labels and rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pytest

from jupyter_dci.core import find_duplicates
from jupyter_dci.core._duplicates_lazy import GROUP_ROWS, LazyDuplicates
from jupyter_dci.errors import (
    DataMismatchError,
    InvalidParameterError,
    UnsupportedInputError,
)

_PHRASES = [
    "Good film",
    "Café crème",
    "the END.",
    "naïve   approach",
    "x-y z",
    "100% sure",
]


def _spelling(text: str, rng: np.random.Generator) -> str:
    """Another spelling of ``text`` that normalises to the same words."""
    choice = rng.integers(0, 4)
    if choice == 0:
        return text.upper()
    if choice == 1:
        return "  " + text.replace(" ", " \t ") + "!"
    if choice == 2:
        return text.lower() + "?!"
    return text


def _frame(n_items: int = 700, n: int = 2_000) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    item = rng.integers(0, n_items, n)
    base_x = rng.normal(10, 3, n_items)
    base_x[rng.random(n_items) < 0.05] = np.nan
    texts = [f"{_PHRASES[i % len(_PHRASES)]} {i}" for i in range(n_items)]
    noise = rng.random(n) < 0.5
    frame = pd.DataFrame(
        {
            "id": np.arange(n, dtype=np.int64) * 7 + 3,
            "text": [
                _spelling(texts[i], rng) if noisy else texts[i]
                for i, noisy in zip(item, noise, strict=True)
            ],
            # Near copies: a millionth of the spread apart; exact copies otherwise.
            "x": base_x[item] + np.where(noise, rng.normal(0, 3e-6, n), 0.0),
            "count": (item % 5).astype(np.int64),
            "flag": item % 3 == 0,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(item * 3_600, unit="s")
            + pd.to_timedelta(np.where(noise, rng.integers(0, 900, n), 0), unit="ms"),
            "label": rng.choice(
                np.array(["cat", "dog", "eel"], dtype=object), n, p=[0.8, 0.15, 0.05]
            ),
        }
    )
    frame.loc[rng.random(n) < 0.03, "label"] = None
    return frame


def _files(df: pd.DataFrame, tmp: Path, fmt: str) -> str:
    path = tmp / f"data.{fmt}"
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return str(path)


def _table(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


BACKENDS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "polars": lambda df, _: pl.from_pandas(df),
    "polars-lazy": lambda df, _: pl.from_pandas(df).lazy(),
    "pyarrow-table": lambda df, _: _table(df),
    "pyarrow-dataset": lambda df, _: pads.dataset(_table(df)),
    "duckdb": lambda df, _: duckdb.from_arrow(_table(df)),
    "parquet": lambda df, tmp: _files(df, tmp, "parquet"),
    "csv": lambda df, tmp: _files(df, tmp, "csv"),
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _frame()


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, data: pd.DataFrame, tmp_path: Path) -> Any:
    return BACKENDS[request.param](data, tmp_path)


def _features(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ("id", "label")]


def _assert_same(got: LazyDuplicates, ref: Any, *, names: Any = None) -> None:
    """``got`` holds ``ref``'s counts and its first groups, rows named by ``names``."""
    frame = ref.frame
    assert got.n_rows == len(frame)
    assert got.n_groups == len(ref.groups)
    assert got.n_duplicate_rows == int(frame["is_duplicate_issue"].sum())
    assert got.n_exact_duplicate_rows == int(frame["is_exact_duplicate"].sum())
    assert got.n_conflicting_groups == int(ref.groups["is_conflicting"].sum())
    assert got.n_conflicting == ref.n_conflicting
    expected = ref.to_dict()["groups"][: len(got.groups)]
    for group in expected:
        group["rows"] = [names[r] if names is not None else r for r in group["rows"]]
    shown = got.to_dict()["groups"]
    assert shown == expected


@pytest.mark.parametrize("near", [True, False])
def test_same_groups_as_pandas_on_every_backend(
    data: pd.DataFrame, backend: Any, near: bool
) -> None:
    ref = find_duplicates(data, label="label", features=_features(data), near=near)
    assert len(ref.groups) > 50  # the data has groups worth comparing
    assert ref.groups["is_conflicting"].any() and (~ref.groups["exact"]).any() == near
    got = find_duplicates(backend, label="label", key="id", near=near, max_groups=40)
    assert isinstance(got, LazyDuplicates)
    assert len(got.groups) == 40
    _assert_same(got, ref, names=data["id"].tolist())
    assert got.to_dict()["truncated"]


def test_without_label_and_rows_by_position(data: pd.DataFrame) -> None:
    features = ["text", "count"]
    ref = find_duplicates(data, features=features)
    got = find_duplicates(pl.from_pandas(data).lazy(), features=features, max_groups=1_000)
    assert got.n_groups == len(ref.groups) <= 1_000
    _assert_same(got, ref)
    assert got.groups["majority_label"].isna().all()
    assert not got.to_dict()["truncated"]


def test_a_float_column_with_nan_and_null_groups_them_as_one(tmp_path: Path) -> None:
    native = pl.DataFrame({"x": [1.0, float("nan"), None, 1.0, 2.0]}, strict=False)
    ref = find_duplicates(native.to_pandas(), near=False)
    for data in (native, duckdb.from_arrow(native.to_arrow())):
        got = find_duplicates(data, near=False)
        _assert_same(got, ref)
        assert [g["rows"] for g in got.to_dict()["groups"]] == [[0, 3], [1, 2]]


def test_several_key_columns_name_rows_as_tuples() -> None:
    data = pl.DataFrame({"a": ["p", "p", "q"], "b": [1, 2, 1], "x": [5, 5, 6]})
    got = find_duplicates(data, key=["a", "b"])
    assert got.to_dict()["groups"][0]["rows"] == [("p", 1), ("p", 2)]


def test_a_big_group_brings_back_a_bounded_number_of_rows() -> None:
    n = GROUP_ROWS * 3
    data = pl.DataFrame({"x": [1] * n + [2, 2], "y": ["a", "b"] * (n // 2) + ["a", "a"]})
    got = find_duplicates(data, label="y", max_groups=1)
    assert (got.n_groups, got.n_duplicate_rows, got.n_conflicting) == (2, n + 2, n)
    assert len(got.groups) == 1 and len(got.rows) == GROUP_ROWS
    assert got.rows["row"].tolist() == list(range(GROUP_ROWS))
    assert got.to_dict()["truncated"]


def test_no_duplicates_and_no_groups_asked() -> None:
    data = pl.DataFrame({"x": [1, 2, 3]})
    got = find_duplicates(data)
    assert (got.n_groups, got.n_duplicate_rows, len(got.groups), len(got.rows)) == (0, 0, 0, 0)
    assert got.to_dict()["groups"] == []
    counts_only = find_duplicates(pl.DataFrame({"x": [1, 1]}), max_groups=0)
    assert counts_only.n_groups == 1 and counts_only.groups.empty


def test_nested_columns_are_grouped_exactly_and_refused_for_near() -> None:
    data = pl.DataFrame({"v": [[1, 2], [1, 2], [3]], "y": ["a", "b", "a"]})
    got = find_duplicates(data, label="y", near=False)
    assert got.n_conflicting == 2
    with pytest.raises(InvalidParameterError, match=r"near=False.*features="):
        find_duplicates(data, label="y")


def test_per_row_table_is_refused_with_what_to_read_instead() -> None:
    got = find_duplicates(pl.DataFrame({"x": [1, 1]}))
    with pytest.raises(InvalidParameterError, match=r"bounded results.*\.groups"):
        _ = got.frame
    assert "1 groups over 2 rows" in repr(got)


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        (pl.DataFrame({"x": [1]}), {"label": "nope"}, DataMismatchError, "label column"),
        (pl.DataFrame({"x": [1]}), {"features": ["nope"]}, DataMismatchError, "features"),
        (pl.DataFrame({"x": [1]}), {"key": "nope"}, DataMismatchError, "key"),
        (pl.DataFrame({"x": [1]}), {"key": 3}, InvalidParameterError, "'key'"),
        (pl.DataFrame({"x": [1]}), {"max_groups": -1}, InvalidParameterError, "max_groups"),
        (pl.DataFrame({"x": [1]}), {"tolerance": 2.0}, InvalidParameterError, "tolerance"),
        (pl.DataFrame({"x": [1]}), {"near": "yes"}, InvalidParameterError, "near"),
        (pd.DataFrame({"x": [1]}), {"key": "x"}, InvalidParameterError, r"set_index"),
        ([1, 2], {}, UnsupportedInputError, "find_duplicates takes"),
    ],
)
def test_bad_input(data: Any, kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        find_duplicates(data, **kwargs)


@pytest.mark.parametrize("name", ["polars", "duckdb", "parquet"])
def test_text_and_rounding_edges_match_pandas(name: str, tmp_path: Path) -> None:
    # Letters beyond ASCII are letters (RE2's \w would call é punctuation: "Caf" would meet
    # "Café"); tabs and other spaces are spaces.
    text = ["Café", "Caf", "café!", "Über\tall", "ber all", "über  all", "a_b", "a b", "!!!"]
    # Halves round to even, as NumPy does: with a spread of exactly 1 and tolerance 1, the
    # values 0.5 and -0.5 both round to 0 (engines' round would give 1 and -1).
    x = [0.5] * 5 + [-0.5] * 5 + [1.5] * 3 + [-1.5] * 3
    frames = [
        pd.DataFrame({"text": text}),
        pd.DataFrame({"x": x, "y": ["a", "b"] * 8}),
    ]
    for df in frames:
        label = "y" if "y" in df else None
        ref = find_duplicates(df, label=label, tolerance=1.0)
        got = find_duplicates(BACKENDS[name](df, tmp_path), label=label, tolerance=1.0)
        _assert_same(got, ref)
    assert ref.groups["size"].tolist() == [10, 3, 3]
