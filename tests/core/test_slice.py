"""Tests of Slice: construction, masks, equality, immutability and the JSON round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_dci.core.predicate._ast import Compare
from jupyter_dci.core.predicate._predicate import Predicate, parse_predicate
from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.errors import InvalidParameterError, PredicateError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": pd.Series(["IN", "IN", "US", None], dtype="string"),
            "age": pd.array([20, 40, 20, None], dtype="Int64"),
        }
    )


def test_mask_describe_columns(df: pd.DataFrame) -> None:
    young_in = Slice("country=='IN' & 25>age", name="young_in")
    assert young_in.name == "young_in"
    assert young_in.describe() == "country == 'IN' and age < 25"
    assert young_in.columns == ("country", "age")
    result = young_in.mask(df)
    assert isinstance(result, np.ndarray)
    assert result.dtype == bool
    assert result.tolist() == [True, False, False, False]
    assert young_in.predicate == parse_predicate("country == 'IN' and age < 25")
    assert repr(young_in) == "Slice(\"country == 'IN' and age < 25\", name='young_in')"
    assert repr(Slice("age < 3")) == "Slice('age < 3')"


def test_built_from_a_predicate() -> None:
    pred = parse_predicate("a == 1") & parse_predicate("b == 2")
    assert Slice(pred) == Slice("a == 1 and b == 2")


def test_equality_by_canonical_form_and_name() -> None:
    assert Slice("age<25") == Slice("  age  <  25 ")
    assert Slice("age<25", name="x") == Slice("25 > age", name="x")
    assert Slice("age<25", name="x") != Slice("age<25", name="y")
    assert Slice("age<25") != Slice("age<=25")
    assert Slice("a == 1") != "a == 1"
    assert len({Slice("age<25"), Slice("age < 25"), Slice("age < 25", name="n")}) == 2


def test_immutable() -> None:
    s = Slice("a == 1", name="n")
    with pytest.raises(AttributeError, match="Slice is immutable; cannot set 'name'"):
        s.name = "m"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="Slice is immutable"):
        s._name = "m"
    with pytest.raises(AttributeError, match="Slice is immutable; cannot delete"):
        del s._name
    assert s.name == "n"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"expression": 3},
            "The 'expression' parameter of Slice must be a str or a Predicate. Got 3",
        ),
        (
            {"expression": "a == 1", "name": ""},
            "The 'name' parameter of Slice must be None or a non-empty str. Got ''",
        ),
        (
            {"expression": "a == 1", "name": 5},
            "The 'name' parameter of Slice must be None or a non-empty str. Got 5",
        ),
    ],
)
def test_parameter_errors(kwargs: dict, message: str) -> None:
    expression = kwargs.pop("expression")
    with pytest.raises(InvalidParameterError) as info:
        Slice(expression, **kwargs)
    assert str(info.value).startswith(message)


def test_bad_expressions_raise_predicate_errors(df: pd.DataFrame) -> None:
    with pytest.raises(PredicateError, match=re.escape("Unexpected character '.'")):
        Slice("age.__class__")
    with pytest.raises(
        PredicateError, match=re.escape("Unknown column 'agee' at position 0. Did you mean 'age'?")
    ):
        Slice("agee < 3").mask(df)


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("country == 'IN' and age < 25", "young_in"),
        ("x between -inf and 3.5", None),
        ("`weird ``col``` in ['é', 'a\\nb', None]", "ünïcode name"),
        ("not (isna(a) or a contains '\"')", None),
    ],
)
def test_json_round_trip(expression: str, name: str | None) -> None:
    s = Slice(expression, name=name)
    text = s.to_json()
    json.loads(text)  # strict JSON
    again = Slice.from_json(text)
    assert again == s
    assert again.name == name
    assert Slice.from_dict(s.to_dict()) == s


def test_to_dict_shape() -> None:
    assert Slice("age<25", name="young").to_dict() == {
        "format": "jupyter_dci.slice",
        "version": 1,
        "name": "young",
        "expression": "age < 25",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must have exactly the keys ['expression', 'format', 'name', 'version']; got list"),
        ({"expression": "a == 1"}, "got ['expression']"),
        (
            {
                "format": "jupyter_dci.slice",
                "version": 1,
                "name": None,
                "expression": "a==1",
                "code": "x",
            },
            "got ['code', 'expression', 'format', 'name', 'version']",
        ),
        (
            {"format": "other", "version": 1, "name": None, "expression": "a==1"},
            "format 'jupyter_dci.slice' and version 1; got 'other' and 1",
        ),
        (
            {"format": "jupyter_dci.slice", "version": 2, "name": None, "expression": "a==1"},
            "newer jupyter_dci",
        ),
        (
            {"format": "jupyter_dci.slice", "version": 1, "name": None, "expression": 1},
            "'expression' of a slice dict must be a str; got 1",
        ),
        (
            {"format": "jupyter_dci.slice", "version": 1, "name": 3, "expression": "a==1"},
            "'name' of a slice dict must be null or a non-empty str; got 3",
        ),
        (
            {"format": "jupyter_dci.slice", "version": 1, "name": None, "expression": "a=="},
            "Expected a value after '=='",
        ),
    ],
)
def test_from_dict_validation(data: object, message: str) -> None:
    with pytest.raises(PredicateError) as info:
        Slice.from_dict(data)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_from_json_errors() -> None:
    with pytest.raises(PredicateError, match="Cannot read a slice from this JSON"):
        Slice.from_json("{not json")
    with pytest.raises(PredicateError, match="Cannot read a slice from this JSON"):
        Slice.from_json("[" * 100_000)
    with pytest.raises(
        InvalidParameterError, match=re.escape("'text' parameter of Slice.from_json must be a str")
    ):
        Slice.from_json(None)  # type: ignore[arg-type]


def test_loading_from_disk_runs_nothing(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    path = tmp_path / "slice.json"
    for expression in [
        f"__import__('os').system('touch {sentinel}')",
        f"a == 1 or open('{sentinel}', 'w')",
        f"a == 1; import os; os.system('touch {sentinel}')",
    ]:
        doc = {"format": "jupyter_dci.slice", "version": 1, "name": None, "expression": expression}
        path.write_text(json.dumps(doc))
        with pytest.raises(PredicateError):
            Slice.from_json(path.read_text())
    assert not sentinel.exists()


names = st.one_of(st.none(), st.text(min_size=1, max_size=10).filter(str.strip))
columns = st.text(min_size=1, max_size=8)
values = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(columns, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), values, names)
def test_any_column_and_value_round_trip(
    column: str, op: str, value: object, name: str | None
) -> None:
    pred = Predicate(Compare(column, op, value), "")  # type: ignore[arg-type]
    s = Slice(pred, name=name)
    again = Slice.from_json(s.to_json())
    assert again == s
    node = again.predicate.node
    assert node.column == column
    assert type(node.value) is type(value)
    assert node.value == value
