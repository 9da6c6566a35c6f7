"""Each alert fires on a planted problem, not on its clean counterpart, and finds its rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.frames import make_mixed_frame
from jupyter_dci.core.profile import profile

N = 2_000
RNG = np.random.default_rng(7)


def _alerts(df, kind, **kwargs):
    prof = profile(df, **kwargs)
    return prof, [a for a in prof.alerts if a.kind == kind]


def _rows(prof, alert, df):
    return df.index[prof.alert_rows(alert, df)].tolist()


def test_clean_frame_raises_no_alert(clean_frame):
    prof = profile(clean_frame)
    assert [a.kind for a in prof.alerts] == []


def test_missing():
    df = pd.DataFrame({"x": RNG.normal(size=N)})
    df.loc[[3, 10, 50], "x"] = np.nan
    prof, found = _alerts(df, "missing")
    assert found[0].n_rows == 3
    assert "3 missing values" in found[0].message
    assert _rows(prof, found[0], df) == [3, 10, 50]
    assert not _alerts(df.fillna(0.0), "missing")[1]


def test_empty_column():
    df = pd.DataFrame({"x": [np.nan] * 10, "y": range(10)})
    assert _alerts(df, "empty_column")[1][0].column == "x"
    assert not _alerts(df.fillna(1.0), "empty_column")[1]


def test_constant_and_near_constant():
    df = pd.DataFrame({"c": ["same"] * N, "n": ["a"] * (N - 10) + ["b"] * 10})
    prof = profile(df)
    kinds = {(a.kind, a.column) for a in prof.alerts}
    assert ("constant", "c") in kinds
    near = next(a for a in prof.alerts if a.kind == "near_constant")
    assert near.column == "n"
    assert near.n_rows == 10
    assert _rows(prof, near, df) == list(range(N - 10, N))
    balanced = pd.DataFrame({"n": RNG.choice(["a", "b"], N)})
    assert not [a for a in profile(balanced).alerts if "constant" in a.kind]


def test_id_like_strings_and_integers():
    df = pd.DataFrame(
        {
            "user": [f"u{i:06d}" for i in RNG.permutation(N)],
            "row_id": np.arange(N),
            "group": RNG.choice([f"g{i}" for i in range(8)], N),
        }
    )
    prof, found = _alerts(df, "id_like")
    assert {a.column for a in found} == {"user", "row_id"}
    assert prof.columns["user"].kind == "identifier"
    assert prof.columns["group"].kind == "categorical"


def test_high_cardinality():
    df = pd.DataFrame({"city": RNG.choice([f"city{i}" for i in range(200)], N)})
    assert _alerts(df, "high_cardinality")[1][0].details["n_distinct"] == 200
    few = pd.DataFrame({"city": RNG.choice([f"city{i}" for i in range(20)], N)})
    assert not _alerts(few, "high_cardinality")[1]


def test_duplicate_rows():
    df = pd.DataFrame({"a": RNG.normal(size=N), "b": RNG.choice(list("xyz"), N)})
    df.iloc[[5, 6]] = df.iloc[[1, 2]].to_numpy()
    prof, found = _alerts(df, "duplicate_rows")
    assert prof.n_duplicate_rows == 2 == int(df.duplicated().sum())
    assert _rows(prof, found[0], df) == [5, 6]
    assert not _alerts(df.drop_duplicates(), "duplicate_rows")[1]


def test_duplicate_rows_with_unhashable_cells():
    df = pd.DataFrame({"a": [[1, 2], [1, 2], [3]], "b": [{"k": 1}, {"k": 1}, {"k": 1}]})
    assert profile(df).n_duplicate_rows == 1


def test_mixed_types():
    df = pd.DataFrame({"m": pd.Series([1, 2, "three", 4.0] * 50, dtype=object)})
    prof, found = _alerts(df, "mixed_types")
    assert found[0].details["types"] == {"float": 50, "int": 100, "str": 50}
    assert len(_rows(prof, found[0], df)) == 100
    same = pd.DataFrame({"m": pd.Series(["a", "b"] * 100, dtype=object)})
    assert not _alerts(same, "mixed_types")[1]


@pytest.mark.parametrize("n_rows", [300, 5_000, 200_000])
def test_outliers_are_flagged_at_every_size(n_rows):
    rng = np.random.default_rng(n_rows)
    x = rng.normal(50, 10, n_rows)
    planted = rng.choice(n_rows, max(1, n_rows // 1000), replace=False)
    x[planted] *= 1e4
    df = pd.DataFrame({"x": x, "lognormal": rng.lognormal(0, 1.2, n_rows)})
    df["exponential"] = rng.exponential(2.0, n_rows)
    prof, found = _alerts(df, "outliers")
    assert [a.column for a in found] == ["x"]  # heavy natural tails are not outliers
    assert found[0].n_rows == len(planted)
    assert sorted(_rows(prof, found[0], df)) == sorted(planted.tolist())


def test_infinite():
    df = pd.DataFrame({"x": [1.0, np.inf, 2.0, -np.inf] * 10})
    prof, found = _alerts(df, "infinite")
    assert found[0].n_rows == 20
    assert len(_rows(prof, found[0], df)) == 20
    assert not _alerts(pd.DataFrame({"x": [1.0, 2.0] * 10}), "infinite")[1]


def test_zero_inflated_and_skewed():
    x = RNG.poisson(3, N).astype(float)
    x[RNG.random(N) < 0.7] = 0
    df = pd.DataFrame({"z": x, "skewed": RNG.lognormal(0, 1.2, N), "sym": RNG.normal(size=N)})
    prof = profile(df)
    kinds = {(a.kind, a.column) for a in prof.alerts}
    assert ("zero_inflated", "z") in kinds
    assert ("skewed", "skewed") in kinds
    assert not {k for k in kinds if k[1] == "sym"}
    zero = next(a for a in prof.alerts if a.kind == "zero_inflated")
    assert len(_rows(prof, zero, df)) == int((x == 0).sum())


def test_skew_does_not_flip_with_sample_size():
    flags = []
    for n in (1_000, 100_000):
        df = pd.DataFrame({"g": np.random.default_rng(n).gamma(2.0, 10.0, n)})
        flags.append(bool(_alerts(df, "skewed")[1]))
    assert flags[0] == flags[1]


def test_placeholders_in_strings_numbers_and_dates():
    n = 400
    df = pd.DataFrame(
        {
            "city": RNG.choice(["Paris", "Lyon"], n).astype(object),
            "age": RNG.integers(18, 90, n).astype(float),
            "born": pd.Timestamp("1980-01-01") + pd.to_timedelta(RNG.integers(0, 9000, n), "D"),
        }
    )
    df.loc[:9, "city"] = "N/A"
    df.loc[10:12, "city"] = " ? "
    df.loc[:19, "age"] = -999.0
    df.loc[:4, "born"] = pd.Timestamp("1900-01-01")
    prof, found = _alerts(df, "placeholder")
    by_col = {a.column: a for a in found}
    assert by_col["city"].n_rows == 13
    assert _rows(prof, by_col["city"], df) == list(range(13))
    assert by_col["age"].details["values"] == [-999.0]
    assert _rows(prof, by_col["age"], df) == list(range(20))
    assert by_col["born"].n_rows == 5
    assert _rows(prof, by_col["born"], df) == list(range(5))
    clean = df.copy()
    clean["city"] = "Paris"
    clean["age"] = 40.0
    clean["born"] = pd.Timestamp("1990-05-05")
    assert not _alerts(clean, "placeholder")[1]


def test_inconsistent_spellings():
    values = ["NY"] * 50 + ["ny "] * 5 + ["N.Y."] * 3 + ["LA"] * 40 + ["la"] * 2
    df = pd.DataFrame({"city": values})
    prof, found = _alerts(df, "inconsistent_spelling")
    assert found[0].n_rows == 10
    assert found[0].details["groups"][0]["values"] == ["NY", "ny ", "N.Y."]
    assert len(_rows(prof, found[0], df)) == 10
    clean = pd.DataFrame({"city": ["NY"] * 58 + ["LA"] * 42})
    assert not _alerts(clean, "inconsistent_spelling")[1]


def test_personal_data():
    n = 200
    df = pd.DataFrame(
        {
            "contact": [f"user{i}@example.com" for i in range(n)],
            "phone": [f"+44 20 7946 {i:04d}" for i in range(n)],
            "note": [f"item {i}" for i in range(n)],
        }
    )
    df.loc[0, "contact"] = "not an email"
    prof, found = _alerts(df, "personal_data")
    by_col = {a.column: a for a in found}
    assert set(by_col) == {"contact", "phone"}
    assert by_col["contact"].n_rows == n - 1
    assert _rows(prof, by_col["contact"], df) == list(range(1, n))
    assert by_col["contact"].severity == "critical"


def test_associated_pairs():
    x = RNG.normal(size=N)
    cat = RNG.choice(["a", "b", "c"], N)
    df = pd.DataFrame(
        {
            "x": x,
            "x2": 0.9 * x + 0.3 * RNG.normal(size=N),
            "noise": RNG.normal(size=N),
            "cat": cat,
            "cat_copy": pd.Series(cat).map({"a": "A", "b": "B", "c": "C"}),
            "by_cat": pd.Series(cat).map({"a": 0.0, "b": 10.0, "c": 20.0}) + RNG.normal(size=N),
        }
    )
    found = _alerts(df, "associated")[1]
    pairs = {tuple(a.details["columns"]): a.details["method"] for a in found}
    assert pairs[("x", "x2")] == "pearson"
    assert pairs[("cat", "cat_copy")] == "cramers_v"
    assert pairs[("by_cat", "cat")] == "correlation_ratio"
    assert not any("noise" in p for p in pairs)


def test_label_alerts():
    n = 3_000
    y = RNG.choice(["ok", "bad", "rare"], n, p=[0.9, 0.098, 0.002]).astype(object)
    df = pd.DataFrame(
        {
            "feature": RNG.normal(size=n),
            "leak": pd.Series(y).map({"ok": "green", "bad": "red", "rare": "blue"}),
            "y": y,
        }
    )
    df.loc[:4, "y"] = None
    prof = profile(df, label="y")
    kinds = {(a.kind, a.column) for a in prof.alerts}
    assert ("class_imbalance", "y") in kinds
    assert ("rare_classes", "y") in kinds
    assert ("missing_labels", "y") in kinds
    assert ("leakage", "leak") in kinds
    assert ("leakage", "feature") not in kinds
    rare = next(a for a in prof.alerts if a.kind == "rare_classes")
    assert rare.details["classes"] == ["rare"]
    assert _rows(prof, rare, df) == df.index[df["y"] == "rare"].tolist()
    balanced = pd.DataFrame({"feature": RNG.normal(size=n), "y": RNG.choice([0, 1], n)})
    assert not [a for a in profile(balanced, label="y").alerts if a.column == "y"]


def test_numeric_label_leakage():
    n = 2_000
    y = RNG.integers(0, 2, n)
    df = pd.DataFrame({"score": y + RNG.normal(0, 0.01, n), "other": RNG.normal(size=n), "y": y})
    kinds = {(a.kind, a.column) for a in profile(df, label="y").alerts}
    assert ("leakage", "score") in kinds
    assert ("leakage", "other") not in kinds


def test_benchmark_frame_alerts():
    df = make_mixed_frame(20_000)
    prof = profile(df)
    kinds = {(a.kind, a.column) for a in prof.alerts}
    assert [c for k, c in kinds if k == "outliers"] == ["outliers"]
    assert ("id_like", "user_id") in kinds
    assert ("personal_data", "email") in kinds
    assert ("near_constant", "status") in kinds
    assert ("zero_inflated", "zero_inflated") in kinds
    assert ("associated", "normal") in kinds
    assert ("duplicate_rows", None) in kinds
    assert prof.n_duplicate_rows == int(df.duplicated().sum())
    assert prof.columns["review"].kind == "text"
    assert prof.columns["country"].kind == "categorical"


def test_every_message_says_what_how_much_and_what_to_do():
    df = make_mixed_frame(5_000)
    for alert in profile(df).alerts:
        assert alert.column is None or repr(alert.column) in alert.message
        assert any(ch.isdigit() for ch in alert.message), alert.message
        assert alert.message.count(".") >= 2, alert.message  # a finding and an action


def test_alert_rows_refuses_another_frame():
    from jupyter_dci.errors import DataMismatchError

    df = pd.DataFrame({"a": [1.0, None]})
    prof = profile(df)
    with pytest.raises(DataMismatchError, match="the frame that was profiled"):
        prof.alert_rows(prof.alerts[0], pd.DataFrame({"b": [1]}))


def test_regression_label_leakage():
    n = 2_000
    price = RNG.lognormal(3, 1, n)
    df = pd.DataFrame(
        {
            "price_with_tax": price * 1.2,
            "noise": RNG.normal(size=n),
            "price": price,
        }
    )
    kinds = {(a.kind, a.column) for a in profile(df, label="price").alerts}
    assert ("leakage", "price_with_tax") in kinds
    assert ("leakage", "noise") not in kinds


def test_alert_rows_count_matches_every_alert():
    df = make_mixed_frame(10_000)
    df["city"] = ["NY", "ny ", "N.Y.", "LA"] * 2_500
    df.loc[:30, "country"] = "N/A"
    prof = profile(df, label="segment")
    checked = 0
    for alert in prof.alerts:
        mask = prof.alert_rows(alert, df)
        assert mask.index.equals(df.index)
        if alert.n_rows and alert.kind not in ("personal_data",):
            assert int(mask.sum()) == alert.n_rows, alert.kind
            checked += 1
    assert checked >= 15


def test_outputs_do_not_grow_with_a_cells_length() -> None:
    """Fifty 1 MB strings once made a 7 MB to_dict, report and widget state (issue #15)."""
    import json

    big = "y" * 1_000_000
    df = pd.DataFrame(
        {
            "constant": [big] * 60,
            "near": [big] * 59 + ["z"],
            "spelled": [big + "A"] * 30 + [big.upper() + "a"] * 30,
            "distinct": [f"x{i}" * 50_000 for i in range(60)],
        }
    )
    prof = profile(df)
    assert len(json.dumps(prof.to_dict())) < 20_000
    kinds = {a.kind: a for a in prof.alerts}
    assert {"constant", "near_constant", "inconsistent_spelling"} <= set(kinds)
    for alert in prof.alerts:
        assert len(alert.message) < 400
        # The rows are still found from the cut values: by the start they keep.
        assert int(prof.alert_rows(alert, df).sum()) == alert.n_rows
    top = prof.columns["distinct"].top
    assert top is not None and all(len(v) == 201 and v.endswith("…") for v in top.values)
