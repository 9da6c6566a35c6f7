from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_dci.core.table._pager import MAX_PAGE_ROWS, FramePager, SortSpec
from jupyter_dci.errors import InvalidParameterError, PredicateError


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "age": rng.integers(18, 80, size=500),
            "country": rng.choice(["IN", "FR", "BR"], size=500),
            "score": rng.normal(size=500),
        },
        index=pd.Index([f"r{i}" for i in range(500)]),
    )
    df.loc[df.index[::7], "score"] = np.nan
    return df


def test_pages_in_frame_order(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    page = pager.page(100, 50)
    assert page.total == 500
    assert [r.pos for r in page.rows] == list(range(100, 150))
    assert page.rows[0].index == "r100"
    assert page.rows[0].cells[0] == str(frame["age"].iloc[100])


def test_page_past_the_end_is_empty(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    assert pager.page(490, 100).rows[-1].pos == 499
    assert pager.page(500, 100).rows == ()


def test_sort_is_stable_with_missing_last(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    for ascending in (True, False):
        order = pager.positions(SortSpec(2, ascending))
        expected = frame.reset_index(drop=True)["score"].sort_values(
            ascending=ascending, kind="stable", na_position="last"
        )
        assert order.tolist() == expected.index.tolist()
        tail = frame["score"].to_numpy()[order[-frame["score"].isna().sum() :]]
        assert np.isnan(tail).all()


def test_sort_by_index(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    order = pager.positions(SortSpec(-1, False))
    assert frame.index[order[0]] == "r99"


def test_filter_then_sort(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    positions = pager.positions(SortSpec(0, True), "country == 'IN' and age > 40")
    mask = ((frame["country"] == "IN") & (frame["age"] > 40)).to_numpy()
    assert set(positions) == set(np.flatnonzero(mask))
    ages = frame["age"].to_numpy()[positions]
    assert (np.diff(ages) >= 0).all()
    assert pager.count(SortSpec(0, True), "country == 'IN' and age > 40") == mask.sum()


def test_bad_filter_is_a_predicate_error(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    with pytest.raises(PredicateError, match="age"):
        pager.page(0, 10, filter="agee > 3")
    with pytest.raises(PredicateError):
        pager.page(0, 10, filter="__import__('os').system('echo hacked')")


@pytest.mark.parametrize(
    ("offset", "limit"), [(-1, 10), (0, 0), (0, MAX_PAGE_ROWS + 1), (1.5, 10), (0, True), ("0", 10)]
)
def test_bad_page_arguments(frame: pd.DataFrame, offset: object, limit: object) -> None:
    with pytest.raises(InvalidParameterError, match="Got"):
        FramePager(frame).page(offset, limit)  # type: ignore[arg-type]


def test_bad_sort_column(frame: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match=r"\[0, 3\)"):
        FramePager(frame).positions(SortSpec(3))


def test_selection_ops_in_view_order(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    sort = SortSpec(0, True)
    order = pager.positions(sort)
    assert pager.select("set", 5, sort=sort) == 1
    assert pager.selected_positions().tolist() == [order[5]]
    assert pager.select("toggle", 6, sort=sort) == 2
    assert pager.select("toggle", 5, sort=sort) == 1
    assert pager.select("range", 10, anchor=7, sort=sort) == 4
    assert sorted(pager.selected_positions()) == sorted(order[7:11])
    n_in = int((frame["country"] == "IN").sum())
    kept = pager.selected_positions()
    in_kept = int((frame["country"].to_numpy()[kept] == "IN").sum())
    # "all" adds the matching rows to what is selected.
    assert pager.select("all", filter="country == 'IN'") == n_in + len(kept) - in_kept
    assert pager.select("clear") == 0


def test_selection_rejects_rows_out_of_range(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    with pytest.raises(InvalidParameterError, match=r"\[0, 500\)"):
        pager.select("set", 500)
    with pytest.raises(InvalidParameterError):
        pager.select("range", 3)  # a range needs an anchor
    with pytest.raises(InvalidParameterError, match="selection op"):
        pager.select("invert", 1)  # type: ignore[arg-type]
    assert pager.selected_positions().tolist() == []


def test_refresh_sees_in_place_changes(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    pager.select("set", 0)
    pager.positions(SortSpec(0, True))
    frame.loc["r0", "age"] = 1000
    pager.refresh()
    assert pager.positions(SortSpec(0, False))[0] == 0
    assert pager.selected_positions().tolist() == [0]


def test_every_awkward_case_pages_sorts_and_serialises(awkward_case: pd.DataFrame) -> None:
    pager = FramePager(awkward_case)
    page = pager.page(0, 100)
    json.dumps(page.to_dict())
    assert len(page.rows) == min(100, len(awkward_case))
    for j, info in enumerate(pager.columns):
        if info.sortable:
            order = pager.positions(SortSpec(j, True))
            assert sorted(order.tolist()) == list(range(len(awkward_case)))
    assert sorted(pager.positions(SortSpec(-1, True)).tolist()) == list(range(len(awkward_case)))


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-5, 5)), max_size=60
    ),
    ascending=st.booleans(),
    offset=st.integers(0, 70),
    limit=st.integers(1, 30),
)
def test_pages_tile_the_sorted_order(
    values: list[object], ascending: bool, offset: int, limit: int
) -> None:
    df = pd.DataFrame({"v": pd.Series(values, dtype="float64")})
    pager = FramePager(df)
    sort = SortSpec(0, ascending)
    full = pager.positions(sort).tolist()
    assert sorted(full) == list(range(len(df)))
    page = pager.page(offset, limit, sort=sort)
    assert [r.pos for r in page.rows] == full[offset : offset + limit]


def test_restrict_composes_with_sort_filter_and_selection(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    old = (frame["age"] < 30).to_numpy()
    assert pager.restrict(old) == old.sum()
    assert pager.count() == old.sum()
    both = old & (frame["country"] == "IN").to_numpy()
    assert pager.count(SortSpec(2, True), "country == 'IN'") == both.sum()
    positions = pager.positions(SortSpec(0, False))
    assert set(positions) == set(np.flatnonzero(old))
    assert (np.diff(frame["age"].to_numpy()[positions]) <= 0).all()
    assert pager.select("all") == old.sum()
    assert pager.restrict([5, 1]) == 2
    assert [r.pos for r in pager.page(0, 10).rows] == [1, 5]
    assert pager.restrict(None) == 500
    assert pager.count() == 500


def test_restrict_rejects_bad_rows(frame: pd.DataFrame) -> None:
    pager = FramePager(frame)
    with pytest.raises(InvalidParameterError, match="one value per row"):
        pager.restrict(np.ones(3, dtype=bool))
    with pytest.raises(InvalidParameterError, match=r"positions in \[0, 500\)"):
        pager.restrict([0, 500])
    with pytest.raises(InvalidParameterError, match="positions"):
        pager.restrict(np.array([0.5]))
    assert not pager.restricted
