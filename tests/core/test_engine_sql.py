"""One scan for narwhals and DuckDB aggregates together, and the profile passes built on it."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.engine._native import survey
from jupyter_dci.core.engine._sql import one_pass, select_list
from jupyter_dci.core.profile import profile

# Column names and literals that a naive split of SQL on commas, quotes or FROM would break.
AWKWARD = 'a, "b" FROM (c'


@pytest.fixture
def table() -> pa.Table:
    rng = np.random.default_rng(1)
    n = 500
    return pa.table(
        {
            AWKWARD: rng.normal(size=n),
            "t": rng.choice(["x, y", "it's", 'say "FROM"', "(", ")"], n),
            "k": np.arange(n),
        }
    )


def _exprs() -> dict[str, nw.Expr]:
    return {
        "total": nw.col(AWKWARD).sum(),
        "odd": (nw.col("t") == "it's").sum(),
        "paren": (nw.col("t") == "(").sum(),
        "quoted": (nw.col("t") == 'say "FROM"').sum(),
        "comma": (nw.col("t") == "x, y").sum(),
        "spread": nw.col(AWKWARD).std(ddof=1),
    }


def test_one_pass_equals_narwhals_alone(table: pa.Table) -> None:
    source = as_source(table, "profile")
    merged = one_pass(source, _exprs(), {"n": "count(*)", "m": 'max("k")'})
    assert merged is not None
    alone = source.frame.select(e.alias(k) for k, e in _exprs().items()).collect().to_pandas()
    for key in _exprs():
        assert merged[key] == pytest.approx(float(alone[key].iloc[0]), rel=1e-12)
    assert (merged["n"], merged["m"]) == (500, 499)
    frame = table.to_pandas()
    assert merged["odd"] == int((frame["t"] == "it's").sum())


def test_select_list_refuses_what_it_does_not_understand() -> None:
    assert select_list('SELECT 1 AS "a" FROM t', ["a", "b"]) is None
    assert select_list('SELECT 1 AS "b" FROM t', ["a"]) is None
    assert select_list("no select here", ["a"]) is None
    assert select_list('WITH x AS (SELECT 2 AS "z" FROM u) SELECT 1 AS "a" FROM x', ["a"]) == [
        '1 AS "a"'
    ]


def test_one_pass_is_only_for_duckdb() -> None:
    source = as_source(pl.DataFrame({"x": [1]}), "profile")
    assert one_pass(source, {"s": nw.col("x").sum()}, {}) is None


def test_survey_draws_whole_small_data_and_cuts_text(table: pa.Table) -> None:
    source = as_source(table, "profile")
    found = survey(source, ["t", "k"], 10_000, cut={"t": 2}, exprs=_exprs())
    assert len(found.sample) == 500  # fewer rows than asked: all of them
    assert found.sample["t"].str.len().max() <= 2
    assert found.distinct["k"] == pytest.approx(500, rel=0.05)
    assert found.values["odd"] == int((table.to_pandas()["t"] == "it's").sum())


def test_survey_sample_is_bounded_and_spread(tmp_path: pytest.TempPathFactory) -> None:
    n = 200_000
    frame = pd.DataFrame({"k": np.arange(n), "v": np.arange(n) % 7})
    path = f"{tmp_path}/big.parquet"
    frame.to_parquet(path)
    found = survey(as_source(path, "profile", ordered=False), ["k", "v"], 2_000)
    assert 1_000 <= len(found.sample) <= 2_000
    # Drawn all over the rows, not from the first ones.
    assert found.sample["k"].max() > 0.9 * n and found.sample["k"].min() < 0.1 * n


@pytest.mark.parametrize("unique_id", [True, False])
def test_duplicate_rows_with_and_without_a_unique_integer_id(unique_id: bool) -> None:
    rng = np.random.default_rng(3)
    n = 4_000
    frame = pd.DataFrame({"id": np.arange(n) * 3 + 10, "v": rng.integers(0, 3, n)})
    if not unique_id:
        frame.loc[5:9, "id"] = 10  # five rows repeat the first id: not unique any more
    expected = int(frame.duplicated().sum())
    for data in (pa.Table.from_pandas(frame), pl.from_pandas(frame)):
        assert profile(data).n_duplicate_rows == expected
    # Rows equal but for the id are not duplicates; rows equal in every column are.
    frame2 = pd.concat([frame, frame.iloc[:3]], ignore_index=True)
    assert profile(pa.Table.from_pandas(frame2)).n_duplicate_rows == int(frame2.duplicated().sum())


def test_a_unique_integer_id_spares_the_duplicates_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_dci.core.profile import _lazy

    def refuse(source: object) -> int:
        raise AssertionError("the duplicates' pass ran although the id is unique")

    monkeypatch.setattr(_lazy, "duplicate_rows", refuse)
    frame = pd.DataFrame({"id": np.arange(3_000)[::-1], "v": np.zeros(3_000)})
    assert profile(pa.Table.from_pandas(frame)).n_duplicate_rows == 0
    assert profile(pl.from_pandas(frame)).n_duplicate_rows == 0
