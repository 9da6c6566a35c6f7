from __future__ import annotations

import datetime as dt
import decimal
import json

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.core.table._cells import (
    DISPLAY_CHARS,
    HOVER_CHARS,
    column_kind,
    display_name,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {"na": "None"}),
        (np.nan, {"na": "NaN"}),
        (pd.NA, {"na": "<NA>"}),
        (pd.NaT, {"na": "NaT"}),
        (np.datetime64("NaT"), {"na": "NaT"}),
        (decimal.Decimal("NaN"), {"na": "NaN"}),
        (True, "True"),
        (np.bool_(False), "False"),
        (7, "7"),
        (np.int64(-3), "-3"),
        (2.0, "2.0"),
        (np.float32(0.1), "0.1"),
        (np.inf, "inf"),
        (-np.inf, "-inf"),
        (1e20, "1e+20"),
        (decimal.Decimal("1.10"), "1.10"),
        (pd.Timestamp("2024-01-01", tz="UTC"), "2024-01-01 00:00:00+00:00"),
        (pd.Timedelta(hours=1), "0 days 01:00:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        ("<b>x</b>", "<b>x</b>"),
    ],
)
def test_format_value(value: object, expected: object) -> None:
    assert format_value(value) == expected


def test_long_strings_are_truncated_with_more_on_hover() -> None:
    cell = format_value("y" * 1_000_000)
    assert isinstance(cell, dict)
    assert len(cell["text"]) == DISPLAY_CHARS + 1
    assert cell["full"].startswith("y" * HOVER_CHARS)
    assert cell["full"].endswith("(1,000,000 characters in all)")


def test_precise_floats_keep_full_value_on_hover() -> None:
    assert format_value(np.pi) == {"text": "3.141593", "full": "3.141592653589793"}


def test_containers_are_bounded() -> None:
    deep = {"k": [[[[list(range(10_000))]]]]}
    cell = format_value(deep)
    text = cell if isinstance(cell, str) else cell["full"]
    assert len(text) < 1000


def test_a_value_whose_str_raises_is_shown_as_an_error() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    cell = format_value(Hostile())
    assert isinstance(cell, dict)
    assert "RuntimeError" in cell["err"]


def test_every_cell_is_json() -> None:
    values = [np.eye(3), b"\x89PNG\r\n\x1a\n" + b"0" * 10, [1, {"a": None}], 1 + 2j, object()]
    json.dumps([format_value(v) for v in values])


def test_column_kinds() -> None:
    assert column_kind(pd.Series([1, 2])) == "number"
    assert column_kind(pd.Series([True])) == "bool"
    assert column_kind(pd.Series(pd.array([True, None], dtype="boolean"))) == "bool"
    assert column_kind(pd.Series(pd.to_datetime(["2024"]).tz_localize("UTC"))) == "datetime"
    assert column_kind(pd.Series(pd.to_timedelta([1], unit="s"))) == "timedelta"
    assert column_kind(pd.Series(["a"], dtype="category")) == "category"
    assert column_kind(pd.Series(["a", None], dtype=object)) == "text"
    assert column_kind(pd.Series([np.zeros((8, 8))] * 2)) == "image"
    assert column_kind(pd.Series([1, "a"], dtype=object)) == "object"


def test_display_names() -> None:
    assert display_name(("a", ("b", 1))) == "a / b / 1"
    assert display_name(1.5) == "1.5"
