"""Tests of the predicate language: parsing, canonical text, dicts, evaluation, errors."""

from __future__ import annotations

import json
import math
import operator
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_dci.core.predicate._ast import (
    And,
    Between,
    Compare,
    In,
    IsNull,
    Match,
    Not,
    Or,
    format_literal,
    quote_column,
)
from jupyter_dci.core.predicate._predicate import (
    MAX_LENGTH,
    Predicate,
    parse_predicate,
    predicate_from_dict,
)
from jupyter_dci.errors import InvalidParameterError, PredicateError

P = parse_predicate


def mask(text: str, df: pd.DataFrame) -> list[bool]:
    return P(text).mask(df).tolist()


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [20, 30, 40, 50],
            "country": ["IN", "US", "IN", "FR"],
            "score": [0.5, np.nan, 2.5, -1.0],
        }
    )


# --- parsing and canonical text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("age<30", "age < 30"),
        ("25 > age", "age < 25"),
        ("25 <= age", "age >= 25"),
        ("'IN' == country", "country == 'IN'"),
        ("a == 1 AND b == 2 Or c == 3", "a == 1 and b == 2 or c == 3"),
        ("a == 1 & (b == 2 | c == 3)", "a == 1 and (b == 2 or c == 3)"),
        ("(a == 1 and b == 2) and c == 3", "a == 1 and b == 2 and c == 3"),
        ("~(a == 1 or b == 2)", "not (a == 1 or b == 2)"),
        ("not not a == 1", "not not a == 1"),
        ("not a == 1 and b == 2", "not a == 1 and b == 2"),
        ("x in (1, 2,)", "x in [1, 2]"),
        ("x in []", "x in []"),
        ("x not in ['a', \"b\"]", "x not in ['a', 'b']"),
        ("x between -1 and 2.5", "x between -1 and 2.5"),
        ("x NOT BETWEEN 1 and 2", "x not between 1 and 2"),
        (
            "isna(x) or isnull(y) or notna(z) or notnull(w)",
            "isna(x) or isna(y) or notna(z) or notna(w)",
        ),
        ("name contains 'a.b*'", "name contains 'a.b*'"),
        (
            "name not startswith 'x' and name endswith 'y'",
            "name not startswith 'x' and name endswith 'y'",
        ),
        ("`my col` == 1", "`my col` == 1"),
        ("`<b>x</b>` == 1", "`<b>x</b>` == 1"),
        ("`a``b` == 1", "`a``b` == 1"),
        ("`in` == 1", "`in` == 1"),
        ("`age` == 1", "age == 1"),
        ("`0` == 1", "`0` == 1"),
        ("âge == 1", "âge == 1"),
        ("x == 1e3", "x == 1000.0"),
        ("x == -2.5", "x == -2.5"),
        ("x == +3", "x == 3"),
        ("x == .5", "x == 0.5"),
        ("x < inf", "x < inf"),
        ("x > -Infinity", "x > -inf"),
        ("x == True or x == false", "x == True or x == False"),
        ("x in [None, null, NULL]", "x in [None, None, None]"),
        ("x == 'it\\'s'", "x == 'it\\'s'"),
        ('x == "say \\"hi\\""', "x == 'say \"hi\"'"),
        ("x == 'a\\nb\\t\\u00e9\\x41'", "x == 'a\\nbtéA'".replace("bt", "b\\t")),
        ("x == ''", "x == ''"),
        ("isna == 1", "isna == 1"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    pred = P(text)
    assert pred.describe() == canonical
    assert P(canonical) == pred
    assert P(canonical).node == pred.node


def test_tree_shape() -> None:
    node = P("a == 1 or not b in [1] and c between 1 and 2").node
    assert node == Or(
        (
            Compare("a", "==", 1),
            And((Not(In("b", (1,))), Between("c", 1, 2))),
        )
    )
    assert P("isna(a)").node == IsNull("a")
    assert P("a contains 'x'").node == Match("a", "contains", "x")


def test_equality_is_by_canonical_form_and_type_aware() -> None:
    assert P("a==1") == P("a == 1")
    assert hash(P("a==1")) == hash(P(" a  ==  1 "))
    # 1, 1.0 and True are equal in Python but are different predicates.
    assert len({P("a == 1"), P("a == 1.0"), P("a == True")}) == 3
    assert P("a == 1") != "a == 1"


def test_predicate_is_immutable_and_hashable() -> None:
    pred = P("a == 1")
    with pytest.raises(AttributeError):
        pred.node = None  # type: ignore[misc]
    assert {pred: 1}[P("a==1")] == 1
    assert repr(pred) == "Predicate('a == 1')"


def test_columns_in_order_without_repeats() -> None:
    assert P("b > 1 and (a == 2 or b < 0) and isna(`c d`)").columns == ("b", "a", "c d")


def test_combinators() -> None:
    a, b, c = P("a == 1"), P("b == 2"), P("c == 3")
    assert (a & b & c).describe() == "a == 1 and b == 2 and c == 3"
    assert (a | (b & c)).describe() == "a == 1 or b == 2 and c == 3"
    assert ((a | b) & c).describe() == "(a == 1 or b == 2) and c == 3"
    assert (~(a | b)).describe() == "not (a == 1 or b == 2)"
    assert P((~(a | b) & c).describe()) == ~(a | b) & c


def test_format_helpers() -> None:
    assert quote_column("x") == "x"
    assert quote_column("2x") == "`2x`"
    assert quote_column("AND") == "`AND`"
    assert quote_column("a`b") == "`a``b`"
    for value in [
        0,
        -7,
        10**30,
        0.1,
        -0.0,
        1e-300,
        math.inf,
        -math.inf,
        "",
        "\x00\u2028'\"\\",
        True,
        None,
    ]:
        text = format_literal(value)
        parsed = P(f"x in [{text}]").node.values[0]
        assert type(parsed) is type(value)
        assert parsed == value or (parsed != parsed and value != value)


# --- dict form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "age < 30",
        "a == 1 and (b != 'x' or not c in [1, 2.5, None, True])",
        "x between -inf and inf",
        "x not between '2024-01-01' and '2024-02-01'",
        "isna(x) or notna(`y z`)",
        "n not contains 'a' and n startswith 'b' and n endswith 'c'",
    ],
)
def test_dict_round_trip_through_strict_json(text: str) -> None:
    pred = P(text)
    data = json.loads(json.dumps(pred.to_dict(), allow_nan=False))
    again = predicate_from_dict(data)
    assert again == pred
    assert again.node == pred.node


def test_dict_shapes() -> None:
    assert P("a < 1").to_dict() == {"op": "<", "column": "a", "value": 1}
    assert P("a < inf").to_dict() == {"op": "<", "column": "a", "value": {"float": "inf"}}
    assert P("not isna(a) or a in [1]").to_dict() == {
        "op": "or",
        "args": [
            {"op": "not", "arg": {"op": "isna", "column": "a", "negate": False}},
            {"op": "in", "column": "a", "values": [1], "negate": False},
        ],
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("a == 1", "at $: expected a dict with a str 'op' key"),
        ({"op": "eval", "column": "a", "value": 1}, "unknown 'op' 'eval'"),
        ({"op": "==", "column": "a", "value": 1, "code": "x"}, "unknown key(s) ['code']"),
        ({"op": "==", "column": "a"}, "missing key(s) ['value']"),
        ({"op": "==", "column": 3, "value": 1}, "'column' must be a non-empty str"),
        ({"op": "==", "column": "", "value": 1}, "'column' must be a non-empty str"),
        (
            {"op": "==", "column": "a", "value": [1]},
            "a value must be a bool, int, float, str or None",
        ),
        ({"op": "==", "column": "a", "value": float("nan")}, "NaN is not a value"),
        ({"op": "==", "column": "a", "value": {"float": "1"}}, "'float' must be 'inf' or '-inf'"),
        ({"op": "==", "column": "a", "value": None}, "Use isna(a)"),
        ({"op": "in", "column": "a", "values": "ab"}, "'values' must be a list"),
        (
            {"op": "in", "column": "a", "values": [], "negate": "yes"},
            "'negate' must be true or false",
        ),
        ({"op": "between", "column": "a", "low": 5, "high": 1}, "lower bound first"),
        ({"op": "contains", "column": "a", "value": 1}, "'value' of 'contains' must be a str"),
        ({"op": "and", "args": [{"op": "isna", "column": "a"}]}, "at least 2 predicates"),
        ({"op": "or", "args": [{"op": "isna", "column": "a"}, 7]}, "at $.args[1]: expected a dict"),
        ({"op": "not", "arg": {"op": "x"}}, "at $.arg: unknown 'op'"),
    ],
)
def test_dict_validation(data: object, message: str) -> None:
    with pytest.raises(PredicateError) as info:
        predicate_from_dict(data)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_dict_depth_and_size_limits() -> None:
    data: dict = {"op": "isna", "column": "a"}
    for _ in range(150):
        data = {"op": "not", "arg": data}
    with pytest.raises(PredicateError, match="nested deeper than 100 levels"):
        predicate_from_dict(data)
    big = {"op": "in", "column": "a", "values": list(range(100_001))}
    with pytest.raises(PredicateError, match="more than 100,000 values"):
        predicate_from_dict(big)


def test_dict_from_disk_never_executes(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {sentinel}')"
    for data in [
        {"op": "==", "column": payload, "value": 1},
        {"op": "==", "column": "a", "value": payload},
        {"op": payload, "column": "a", "value": 1},
    ]:
        try:
            pred = predicate_from_dict(json.loads(json.dumps(data)))
        except PredicateError:
            continue
        # A payload held as a column name or a string is data: it is only compared.
        with pytest.raises(PredicateError, match="Unknown column"):
            pred.mask(pd.DataFrame({"b": [1]}))
        pred.mask(pd.DataFrame({"a": [1], payload: [1]}, dtype=object))
    assert not sentinel.exists()


# --- evaluation -------------------------------------------------------------------------


def test_comparisons(people: pd.DataFrame) -> None:
    assert mask("age < 40", people) == [True, True, False, False]
    assert mask("40 > age", people) == [True, True, False, False]
    assert mask("age >= 40", people) == [False, False, True, True]
    assert mask("age == 30.0", people) == [False, True, False, False]
    assert mask("age < 30.5 and age > -inf", people) == [True, True, False, False]
    assert mask("country == 'IN'", people) == [True, False, True, False]
    assert mask("country > 'G'", people) == [True, True, True, False]
    assert mask("age == 10000000000000000000000000000000", people) == [False] * 4
    assert mask("age < 10000000000000000000000000000000", people) == [True] * 4


def test_missing_values_never_match_a_comparison(people: pd.DataFrame) -> None:
    assert mask("score != 0.5", people) == [False, False, True, True]
    assert mask("score not in [0.5]", people) == [False, False, True, True]
    assert mask("score not between 0 and 1", people) == [False, False, True, True]
    assert mask("isna(score)", people) == [False, True, False, False]
    assert mask("notna(score)", people) == [True, False, True, True]
    # `not` is the plain complement over rows, so it includes the missing row.
    assert mask("not score == 0.5", people) == [False, True, True, True]
    assert mask("score in [0.5, None]", people) == [True, True, False, False]


def test_membership_between_and_logic(people: pd.DataFrame) -> None:
    assert mask("country in ('IN', 'FR')", people) == [True, False, True, True]
    assert mask("country not in ['IN']", people) == [False, True, False, True]
    assert mask("age in []", people) == [False] * 4
    assert mask("age in [20, 50.0]", people) == [True, False, False, True]
    assert mask("age between 30 and 40", people) == [False, True, True, False]
    assert mask("age between 30 and 30", people) == [False, True, False, False]
    assert mask("country between 'A' and 'J'", people) == [True, False, True, True]
    assert mask("country == 'IN' and age > 25 or age == 50", people) == [False, False, True, True]
    assert mask("country == 'IN' & (age > 25 | age == 50)", people) == [False, False, True, False]
    assert mask("~(country == 'IN')", people) == [False, True, False, True]


def test_string_matching_is_literal(people: pd.DataFrame) -> None:
    df = pd.DataFrame({"s": ["a.b", "axb", None, "A.B", "[x]"]})
    assert mask("s contains '.'", df) == [True, False, False, True, False]
    assert mask("s contains '['", df) == [False, False, False, False, True]
    assert mask("s not contains '.'", df) == [False, True, False, False, True]
    assert mask("s startswith 'a'", df) == [True, True, False, False, False]
    assert mask("s endswith 'b'", df) == [True, True, False, False, False]
    assert mask("s contains ''", df) == [True, True, False, True, True]


def test_mask_is_positional_and_handles_empty_frames() -> None:
    df = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 5, 10])
    result = P("a > 1").mask(df)
    assert result.dtype == bool
    assert result.tolist() == [False, True, True]
    assert P("a > 1").mask(df.iloc[:0]).tolist() == []


def test_mask_rejects_non_frames() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("'df' parameter of Predicate.mask must be a pandas DataFrame"),
    ):
        P("a > 1").mask({"a": [1]})  # type: ignore[arg-type]


# --- awkward frames ---------------------------------------------------------------------


def test_nullable_dtypes() -> None:
    df = pd.DataFrame(
        {
            "i": pd.array([1, None, 3], dtype="Int64"),
            "f": pd.array([1.5, None, 3.5], dtype="Float64"),
            "b": pd.array([True, None, False], dtype="boolean"),
            "s": pd.array(["x", None, "z"], dtype="string"),
        }
    )
    assert mask("i != 1", df) == [False, False, True]
    assert mask("i in [1, 3]", df) == [True, False, True]
    assert mask("f between 1 and 2", df) == [True, False, False]
    assert mask("b == True", df) == [True, False, False]
    assert mask("b != True", df) == [False, False, True]
    assert mask("s != 'x'", df) == [False, False, True]
    assert mask("s contains 'z'", df) == [False, False, True]
    assert mask("isna(i) and isna(b) and isna(s)", df) == [False, True, False]


def test_numpy_bool_column() -> None:
    df = pd.DataFrame({"b": [True, False]})
    assert mask("b == True", df) == [True, False]
    assert mask("b != True", df) == [False, True]


@pytest.mark.parametrize("storage", ["object", "string", "str_pyarrow", "arrow"])
def test_text_storages(storage: str) -> None:
    values = ["IN", None, "US", "IN"]
    if storage == "object":
        series = pd.Series(values, dtype=object)
    elif storage == "string":
        series = pd.Series(values, dtype="string")
    elif storage == "str_pyarrow":
        series = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    else:
        import pyarrow as pa

        series = pd.Series(values, dtype=pd.ArrowDtype(pa.string()))
    df = pd.DataFrame({"c": series})
    assert mask("c == 'IN'", df) == [True, False, False, True]
    assert mask("c != 'IN'", df) == [False, False, True, False]
    assert mask("c < 'J'", df) == [True, False, False, True]
    assert mask("c in ['US']", df) == [False, False, True, False]
    assert mask("c contains 'S'", df) == [False, False, True, False]
    with pytest.raises(PredicateError, match="with the number 1"):
        P("c == 1").mask(df)


def test_arrow_numeric_and_bool_columns() -> None:
    import pyarrow as pa

    df = pd.DataFrame(
        {
            "n": pd.Series([1, None, 3], dtype=pd.ArrowDtype(pa.int64())),
            "b": pd.Series([True, None, False], dtype=pd.ArrowDtype(pa.bool_())),
        }
    )
    assert mask("n != 1", df) == [False, False, True]
    assert mask("n < 100000000000000000000000000000", df) == [True, False, True]
    assert mask("n in [3]", df) == [False, False, True]
    assert mask("b == False and n between 0 and 5", df) == [False, False, True]


def test_categoricals_compare_on_values() -> None:
    cat = pd.Categorical(["b", None, "a", "c"], categories=["c", "b", "a"], ordered=True)
    df = pd.DataFrame({"c": cat, "n": pd.Categorical([3, 1, None, 2])})
    assert mask("c == 'a'", df) == [False, False, True, False]
    assert mask("c != 'a'", df) == [True, False, False, True]
    # Ordering uses the values ('a' < 'b'), not the category order (c, b, a).
    assert mask("c < 'b'", df) == [False, False, True, False]
    assert mask("c in ['a', 'zzz']", df) == [False, False, True, False]
    assert mask("c in ['a', None]", df) == [False, True, True, False]
    assert mask("c contains 'c'", df) == [False, False, False, True]
    assert mask("isna(c)", df) == [False, True, False, False]
    assert mask("n >= 2", df) == [True, False, False, True]
    assert mask("n between 1 and 2", df) == [False, True, False, True]
    with pytest.raises(PredicateError) as info:
        P("n == 'x'").mask(df)
    assert "Cannot compare column 'n' (category, categorical, numeric) with the string 'x'" in str(
        info.value
    )
    assert "e.g. n == 1" in str(info.value)


def test_datetimes_naive_and_tz_aware() -> None:
    stamps = pd.to_datetime(["2024-01-01 00:30", None, "2024-03-01 00:00"])
    df = pd.DataFrame({"t": stamps, "tz": stamps.tz_localize("Asia/Kolkata")})
    assert mask("t >= '2024-01-01'", df) == [True, False, True]
    assert mask("t != '2024-03-01'", df) == [True, False, False]
    assert mask("t between '2024-01-01' and '2024-02-01'", df) == [True, False, False]
    assert mask("t in ['2024-03-01']", df) == [False, False, True]
    # A naive value is read in the column's timezone (Asia/Kolkata here) ...
    assert mask("tz == '2024-01-01 00:30'", df) == [True, False, False]
    # ... and an aware value is compared as the instant it names.
    assert mask("tz == '2023-12-31 19:00+00:00'", df) == [True, False, False]
    with pytest.raises(
        PredicateError,
        match="at position 0 has no timezone but the value '2024-01-01 00:00\\+05:30' has one",
    ):
        P("t > '2024-01-01 00:00+05:30'").mask(df)
    with pytest.raises(
        PredicateError, match="Cannot read 'yesterday-ish' as a date for column 't'"
    ):
        P("t > 'yesterday-ish'").mask(df)
    with pytest.raises(
        PredicateError, match=re.escape("compare it with a date string, e.g. t > '2024-01-31'")
    ):
        P("t > 5").mask(df)


def test_arrow_timestamps() -> None:
    import pyarrow as pa

    series = pd.Series(pd.to_datetime(["2024-01-01", None])).astype(
        pd.ArrowDtype(pa.timestamp("us", tz="UTC"))
    )
    df = pd.DataFrame({"t": series})
    assert mask("t < '2024-06-01'", df) == [True, False]


def test_timedeltas() -> None:
    df = pd.DataFrame({"d": pd.to_timedelta(["1 day", None, "3 hours"])})
    assert mask("d > '2 hours'", df) == [True, False, True]
    assert mask("d < '1 day'", df) == [False, False, True]
    with pytest.raises(PredicateError, match="as a duration for column 'd'"):
        P("d > 'soon'").mask(df)
    with pytest.raises(
        PredicateError, match=re.escape("compare it with a duration string, e.g. d < '2 days'")
    ):
        P("d < 3").mask(df)


def test_mixed_object_columns() -> None:
    df = pd.DataFrame({"m": pd.Series(["a", 1, None, 2.5, "b"], dtype=object)})
    assert mask("m == 1", df) == [False, True, False, False, False]
    assert mask("m == 'a'", df) == [True, False, False, False, False]
    assert mask("m != 'a'", df) == [False, True, False, True, True]
    assert mask("m in ['b', 2.5]", df) == [False, False, False, True, True]
    assert mask("m contains 'b'", df) == [False, False, False, False, True]
    with pytest.raises(PredicateError) as info:
        P("m < 'b'").mask(df)
    message = str(info.value)
    assert (
        "Cannot compare column 'm' (object, holding float, int, str) with the string 'b' using '<'"
        in message
    )
    assert "Use == or in, or convert the column first" in message
    ints = pd.DataFrame({"m": pd.Series([1, 2], dtype=object)})
    with pytest.raises(PredicateError, match="it holds no strings"):
        P("m contains 'x'").mask(ints)


def test_object_columns_with_every_kind_of_missing() -> None:
    df = pd.DataFrame({"m": pd.Series(["a", pd.NA, None, np.nan, "b"], dtype=object)})
    assert mask("m == 'a'", df) == [True, False, False, False, False]
    assert mask("m != 'a'", df) == [False, False, False, False, True]
    assert mask("m < 'b'", df) == [True, False, False, False, False]
    assert mask("m not in ['a']", df) == [False, False, False, False, True]
    assert mask("m in ['a', None]", df) == [True, True, True, True, False]
    assert mask("isna(m)", df) == [False, True, True, True, False]


def test_non_string_column_names() -> None:
    df = pd.DataFrame({0: [1, 2], 1: ["a", "b"]})
    assert mask("`0` > 1 or `1` == 'a'", df) == [True, True]
    # A string column "0" wins over the int column 0.
    both = pd.DataFrame([[1, 5]], columns=[0, "0"])
    assert mask("`0` == 5", both) == [True]
    odd = pd.DataFrame({"<b>x</b>": [1], "a`b": [2], "my col": [3]})
    assert mask("`<b>x</b>` == 1 and `a``b` == 2 and `my col` == 3", odd) == [True]


def test_duplicate_column_names() -> None:
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(PredicateError, match="Column 'a' at position 0 appears 2 times"):
        P("a > 0").mask(df)


def test_columns_are_read_once_per_mask() -> None:
    df = pd.DataFrame({"a": range(5)})
    assert mask("a > 0 and a < 4 and not a == 2", df) == [False, True, False, True, False]


# --- error messages ---------------------------------------------------------------------


def error(text: str, df: pd.DataFrame | None = None) -> str:
    """Return the message of the PredicateError that parsing (and masking) raises."""
    try:
        pred = P(text)
        if df is not None:
            pred.mask(df)
    except PredicateError as exc:
        return str(exc)
    pytest.fail(f"no PredicateError for {text!r}")


def test_unknown_column_message(people: pd.DataFrame) -> None:
    assert error("agee < 30", people) == (
        "Unknown column 'agee' at position 0. Did you mean 'age'? Columns: age, country, score.\n"
        "    agee < 30\n"
        "    ^^^^"
    )
    wide = pd.DataFrame({f"c{i}": [1] for i in range(25)})
    assert ", ... (5 more)." in error("zz == 1", wide)
    assert "The frame has no columns." in error("zz == 1", pd.DataFrame())


def test_type_mismatch_messages(people: pd.DataFrame) -> None:
    assert error("age < 'x'", people) == (
        "Cannot compare column 'age' (int64, numeric) with the string 'x' at position 0; "
        "compare it with a number, e.g. age < 20.\n"
        "    age < 'x'\n"
        "    ^^^^^^^^^"
    )
    assert "e.g. age == 30." in error("age == '30'", people)
    assert "with the string '7' at position 19; compare it with a number, e.g. age == 7." in error(
        "country == 'IN' or age in [1, '7']", people
    )
    assert "(str, text)" in error("country == 3", people) or "(object, text)" in error(
        "country == 3", people
    )
    assert (
        "with the number 3 at position 0; compare it with a quoted string, e.g. country == '3'."
        in error("country == 3", people)
    )
    assert "with True at position 0; compare it with a number" in error("age == True", people)
    bools = pd.DataFrame({"b": [True]})
    assert "a bool column supports only == and !=, e.g. b == True" in error("b < True", bools)
    assert "compare it with True or False, e.g. b == True" in error("b == 1", bools)
    assert (
        "Cannot use 'contains' on column 'age' (int64, numeric) at position 0: "
        "it needs a text column" in error("age contains '1'", people)
    )


@pytest.mark.parametrize(
    ("text", "message", "caret"),
    [
        (
            "__import__('os')",
            "Unknown function '__import__' at position 0. Allowed: isna(column)",
            "^^^^^^^^^^",
        ),
        (
            "__import__('os').system('x')",
            "Unexpected character '.' at position 16. Attribute access",
            None,
        ),
        ("age.__class__", "Unexpected character '.' at position 3. Attribute access", "   ^"),
        ("df.drop()", "Unexpected character '.' at position 2", None),
        (
            "lambda: 1",
            "Unexpected character ':' at position 6. Lambdas, slices and statements",
            None,
        ),
        (
            "a == 1; b == 2",
            "Unexpected character ';' at position 6. A predicate is one expression",
            None,
        ),
        ("a = 1", "Unexpected character '=' at position 2. Use '==' to test equality.", None),
        ("!a", "Use 'not' (or '~') to negate", None),
        ("a == 1 && b == 2", "Expected a column name at position 8; got '&'", None),
        ("a == {1}", "Unexpected character '{' at position 5", None),
        ("a == @x", "Unexpected character '@'", None),
        ("open('f')", "Unknown function 'open'", None),
        ("a == b", "Expected a value after '==' at position 5; got 'b'", None),
        ("country == IN", "Quote text: 'IN'. Comparing two columns is not supported.", None),
        ("a == `b`", "Comparing two columns is not supported.", None),
        ("a", "Expected a test after column 'a' at position 1; got the end of the text", None),
        ("a b", "Expected a test after column 'a' at position 2; got 'b'", None),
        ("a == 1 b == 2", "Unexpected 'b' at position 7; join tests with 'and' / 'or'", None),
        ("(a == 1", "Expected ')' to close the parenthesis at position 7", None),
        ("a == 1)", "Unexpected ')' at position 6", None),
        ("a in 1", "Expected a list after 'in' at position 5", None),
        ("a in [1 2]", "Expected ']' to close the list after 'in' at position 8", None),
        ("a in [1, b]", "Expected a value in the list at position 9", None),
        ("a between 1", "Expected 'and' after the lower bound", None),
        ("a between 1 and True", "The bounds of 'between' must be numbers or strings", None),
        ("a between 3 and 1", "'between' takes the lower bound first; got 3 and 1", None),
        ("a contains 1", "'contains' needs a quoted string at position 11", None),
        ("a == None", "Cannot compare column 'a' with None using '=='", None),
        ("a != null", "Use notna(a)", None),
        ("a == nan", "NaN is not a value to compare with", None),
        ("a == -'x'", "Expected a number after '-' at position 6", None),
        ("1 == 2", "Expected a column name at position 5; got '2'", None),
        ("1 and a", "Expected a comparison (== != < <= > >=) after the value", None),
        ("a == 'abc", "Unterminated string starting at position 5; close it with '.", "     ^^^^"),
        ("`abc == 1", "Unterminated column name starting at position 0", None),
        ("`` == 1", "Empty column name", None),
        ("a == 'x\\q'", "Unknown escape '\\\\q' at position 7", None),
        ("a == '\\u12'", "Unknown escape '\\\\u' at position 6", None),
        ("a == 12abc", "Malformed number at position 5", None),
        ("a == 1.2.3", "Malformed number at position 5", None),
        ("and == 1", "Expected a column name at position 0; got 'and'", None),
        ("isna(1)", "Expected a column name at position 5", None),
        ("isna(a", "Expected ')' to close isna(", None),
        ("", "The predicate is empty", None),
        ("   ", "The predicate is empty", None),
        ("a ==", "Expected a value after '==' at position 4; got the end of the text", None),
    ],
)
def test_parse_errors(text: str, message: str, caret: str | None) -> None:
    got = error(text)
    assert message in got
    if not text.strip():
        return
    lines = got.split("\n")
    assert lines[-2] == "    " + text
    if caret is not None:
        assert lines[-1] == "    " + caret


def test_number_too_long() -> None:
    assert "Number at position 5 is too long" in error("a == " + "9" * 5000)


def test_injection_attempts_run_nothing(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    attempts = [
        f"__import__('os').system('touch {sentinel}')",
        f"__import__('pathlib').Path('{sentinel}').touch()",
        f"a == 1 or open('{sentinel}', 'w')",
        f"a == 1; import os; os.system('touch {sentinel}')",
        f"(lambda: __import__('os').system('touch {sentinel}'))()",
        f"`a` == 1 and @__import__('os').system('touch {sentinel}')",
        f"a == 1 or exec(\"open('{sentinel}', 'w')\")",
        f"a.__class__.__bases__[0].__subclasses__() == '{sentinel}'",
        f"a in [__import__('os').system('touch {sentinel}')]",
    ]
    df = pd.DataFrame({"a": [1, 2]})
    for text in attempts:
        with pytest.raises(PredicateError):
            P(text).mask(df)
    # A payload inside a string or backticks is data: compared, never run.
    assert mask(f'a == \'__import__("os").system("touch {sentinel}")\'', df.astype(str)) == [
        False,
        False,
    ]
    assert not sentinel.exists()


def test_length_and_depth_limits() -> None:
    long_text = "a in [" + ", ".join(["1"] * 5000) + "]"
    assert len(long_text) > MAX_LENGTH
    assert error(long_text) == (
        f"The predicate is {len(long_text):,} characters long; the limit is 10,000. "
        "Split it into several slices, or filter the frame in pandas first."
    )
    assert "nests deeper than 100 levels" in error("(" * 2000 + "a == 1" + ")" * 2000)
    assert "nests deeper than 100 levels" in error("not " * 1000 + "a == 1")
    assert "nests deeper than 100 levels" in error("~" * 5000 + "a == 1")
    deep_ok = P("(" * 99 + "a == 1" + ")" * 99)
    assert deep_ok.describe() == "a == 1"
    flat = P(" and ".join(["a == 1"] * 800))
    assert len(flat.node.operands) == 800
    assert flat.mask(pd.DataFrame({"a": [1, 2]})).tolist() == [True, False]


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("The 'text' parameter of parse_predicate must be a str. Got 3"),
    ):
        P(3)  # type: ignore[arg-type]


def test_long_text_error_excerpt_is_windowed() -> None:
    text = "a == 1 and " * 50 + "zz < 1"
    got = error(text, pd.DataFrame({"a": [1]}))
    line, caret = got.split("\n")[-2:]
    assert line.startswith("    ...")
    assert len(line) < 120
    assert line[caret.index("^") : caret.index("^") + 2] == "zz"


# --- properties -------------------------------------------------------------------------

COLUMNS = {"f": "float", "i": "Int64", "s": "text", "b": "bool"}
_text_values = st.sampled_from(["a", "b", "c", "ab", ""])
_num_values = st.one_of(st.integers(-3, 3), st.sampled_from([-1.5, 0.5, 2.0, math.inf, -math.inf]))


@st.composite
def leaves(draw: st.DrawFn):
    col = draw(st.sampled_from(sorted(COLUMNS)))
    kind = COLUMNS[col]
    values = {
        "float": _num_values,
        "Int64": _num_values,
        "text": _text_values,
        "bool": st.booleans(),
    }[kind]
    tests = ["cmp", "in", "isna"]
    if kind != "bool":
        tests.append("between")
    if kind == "text":
        tests.append("match")
    test = draw(st.sampled_from(tests))
    if test == "cmp":
        ops = ["==", "!="] if kind == "bool" else ["==", "!=", "<", "<=", ">", ">="]
        return Compare(col, draw(st.sampled_from(ops)), draw(values))
    if test == "in":
        items = draw(st.lists(st.one_of(values, st.none()), max_size=4))
        return In(col, tuple(items), draw(st.booleans()))
    if test == "isna":
        return IsNull(col, draw(st.booleans()))
    if test == "between":
        low, high = sorted([draw(values), draw(values)])
        return Between(col, low, high, draw(st.booleans()))
    kind_ = draw(st.sampled_from(["contains", "startswith", "endswith"]))
    return Match(col, kind_, draw(_text_values), draw(st.booleans()))


def _tree(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(Not, children),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    )


trees = st.recursive(leaves(), _tree, max_leaves=8)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    f = draw(st.lists(st.one_of(st.none(), _num_values), min_size=n, max_size=n))
    i = draw(st.lists(st.one_of(st.none(), st.integers(-3, 3)), min_size=n, max_size=n))
    s = draw(st.lists(st.one_of(st.none(), _text_values), min_size=n, max_size=n))
    b = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    text_dtype = draw(st.sampled_from([object, "string", "category", pd.StringDtype("pyarrow")]))
    return pd.DataFrame(
        {
            "f": pd.Series([np.nan if v is None else v for v in f], dtype=float),
            "i": pd.array(i, dtype="Int64"),
            "s": pd.Series(s, dtype=text_dtype),
            "b": pd.Series(b, dtype=bool),
        }
    )


_PY_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def reference(node: object, row: dict) -> bool:
    """Row-by-row Python semantics, written independently of the vectorised code."""
    if isinstance(node, And):
        return all(reference(child, row) for child in node.operands)
    if isinstance(node, Or):
        return any(reference(child, row) for child in node.operands)
    if isinstance(node, Not):
        return not reference(node.operand, row)
    value = row[node.column]
    if isinstance(node, IsNull):
        return _missing(value) != node.negate
    if _missing(value):
        return isinstance(node, In) and not node.negate and None in node.values
    if isinstance(node, Compare):
        return _PY_OPS[node.op](value, node.value)
    if isinstance(node, In):
        return any(v is not None and value == v for v in node.values) != node.negate
    if isinstance(node, Between):
        return (node.low <= value <= node.high) != node.negate
    found = {
        "contains": node.value in value,
        "startswith": value.startswith(node.value),
        "endswith": value.endswith(node.value),
    }
    return found[node.kind] != node.negate


@settings(max_examples=300, deadline=None)
@given(trees)
def test_describe_round_trips(node: object) -> None:
    pred = Predicate(node, "")  # type: ignore[arg-type]
    again = P(pred.describe())
    assert again == pred
    # The canonical tree flattens nested and/or; describing twice is stable.
    assert again.describe() == pred.describe()
    assert (
        predicate_from_dict(json.loads(json.dumps(again.to_dict(), allow_nan=False))).node
        == again.node
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees, frames())
def test_mask_matches_row_by_row_reference(node: object, df: pd.DataFrame) -> None:
    pred = P(Predicate(node, "").describe())  # type: ignore[arg-type]
    rows = df.astype(object).to_dict("records")
    expected = [reference(pred.node, row) for row in rows]
    assert pred.mask(df).tolist() == expected


# --- performance (generous bounds; the report quotes measured figures) ------------------


def test_speed_on_a_million_rows() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    df = pd.DataFrame(
        {
            "age": rng.integers(0, 90, n),
            "score": rng.random(n),
            "country": pd.Categorical(rng.choice(["IN", "US", "FR", "DE"], n)),
        }
    )
    simple, triple = P("age < 30"), P("age < 30 and score > 0.5 and country == 'IN'")

    def best(pred: Predicate) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            pred.mask(df)
            times.append(time.perf_counter() - start)
        return min(times)

    assert best(simple) < 0.05
    assert best(triple) < 0.1


def test_text_matches_on_bytes_and_mixed_columns_are_clear() -> None:
    """`b contains 'a'` on bytes once ended in a raw pandas TypeError (issue #15)."""
    df = pd.DataFrame({"b": [b"abc", b"x", None], "m": ["abc", b"a", None]})
    with pytest.raises(PredicateError, match=r"no strings \(only bytes\).*decode\('utf-8'\)"):
        parse_predicate("b contains 'a'").mask(df)
    # Strings among other values are tested; the rest never match.
    assert parse_predicate("m contains 'a'").mask(df).tolist() == [True, False, False]
    assert parse_predicate("m startswith 'ab'").mask(df).tolist() == [True, False, False]
    assert parse_predicate("m endswith 'c'").mask(df).tolist() == [True, False, False]
