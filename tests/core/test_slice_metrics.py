"""slice_metrics: per-slice and per-value figures, intervals, lift, and bad input."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.core.slices._metrics import slice_metrics
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, PredicateError


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 2000
    df = pd.DataFrame(
        {
            "country": rng.choice(["IN", "US", "FR"], n),
            "age": np.where(rng.random(n) < 0.05, np.nan, rng.integers(18, 70, n)),
            "y": rng.integers(0, 3, n),
        }
    )
    wrong = rng.random(n) < np.where(df["country"] == "IN", 0.4, 0.1)
    df["pred"] = np.where(wrong, (df["y"] + 1) % 3, df["y"])
    return df


def test_error_rate_per_slice_matches_by_hand(frame: pd.DataFrame) -> None:
    result = slice_metrics(
        frame,
        y_true="y",
        y_pred="pred",
        slices=[Slice("country == 'IN'", name="india"), "age < 30"],
    )
    wrong = (frame["y"] != frame["pred"]).to_numpy()
    india = (frame["country"] == "IN").to_numpy()
    table = result.to_frame()
    assert list(table.index) == ["all rows", "india", "age < 30"]
    assert result.overall == pytest.approx(wrong.mean())
    row = table.loc["india"]
    assert row["support"] == india.sum()
    assert row["support_fraction"] == pytest.approx(india.mean())
    assert row["value"] == pytest.approx(wrong[india].mean())
    assert row["rest"] == pytest.approx(wrong[~india].mean())
    assert row["lift"] == pytest.approx(wrong[india].mean() / wrong[~india].mean())
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert result.ci_method == "wilson"
    assert result.metric == "error_rate"


def test_by_columns_bin_numbers_and_keep_missing(frame: pd.DataFrame) -> None:
    result = slice_metrics(frame, y_true="y", y_pred="pred", by=["country", "age"])
    table = result.to_frame()
    ages = table[table["column"] == "age"]
    assert "isna(age)" in ages.index
    assert ages["support"].sum() == len(frame)
    assert len(ages) == 6  # five quantile bins and the missing values
    countries = table[table["column"] == "country"]
    assert countries["support"].sum() == len(frame)
    # Every group carries the slice that selects exactly its rows.
    for group in result.groups[1:]:
        assert group.slice is not None
        assert group.slice.mask(frame).sum() == group.support


def test_accuracy_log_loss_and_regression_metrics(frame: pd.DataFrame) -> None:
    error = slice_metrics(frame, y_true="y", y_pred="pred").overall
    accuracy = slice_metrics(frame, y_true="y", y_pred="pred", metric="accuracy")
    assert accuracy.overall == pytest.approx(1 - error)
    rng = np.random.default_rng(1)
    probs = rng.dirichlet([1, 1, 1], len(frame))
    loss = slice_metrics(frame, y_true="y", pred_probs=probs, metric="log_loss", by="country")
    expected = -np.log(probs[np.arange(len(frame)), frame["y"].to_numpy()]).mean()
    assert loss.overall == pytest.approx(expected)
    assert loss.ci_method == "normal"
    argmax = slice_metrics(frame, y_true="y", pred_probs=probs)
    assert argmax.overall == pytest.approx((probs.argmax(1) != frame["y"].to_numpy()).mean())
    mae = slice_metrics(frame, y_true="y", y_pred=np.zeros(len(frame)), metric="mae")
    assert mae.overall == pytest.approx(frame["y"].mean())


def test_metric_function_with_and_without_bootstrap(frame: pd.DataFrame) -> None:
    def balanced(truth: np.ndarray, pred: np.ndarray) -> float:
        return float(np.mean([np.mean(pred[truth == c] == c) for c in np.unique(truth)]))

    plain = slice_metrics(frame, y_true="y", y_pred="pred", metric=balanced, by="country")
    assert plain.metric == "balanced"
    assert plain.ci_method == "none"
    assert math.isnan(plain.groups[1].ci_low)
    boot = slice_metrics(
        frame,
        y_true="y",
        y_pred="pred",
        metric=balanced,
        slices="country == 'IN'",
        n_bootstrap=50,
    )
    assert boot.ci_method == "bootstrap"
    group = boot.groups[1]
    assert group.ci_low <= group.value <= group.ci_high


def test_all_correct_all_wrong_single_row_and_empty_slice() -> None:
    df = pd.DataFrame({"y": [1, 2, 3, 4], "g": ["a", "a", "b", "b"]})
    right = slice_metrics(df, y_true="y", y_pred="y", by="g")
    assert right.overall == 0
    assert right.groups[0].ci_low == 0 and right.groups[0].ci_high > 0
    wrong = slice_metrics(df, y_true="y", y_pred=[0, 0, 0, 0])
    assert wrong.overall == 1
    single = slice_metrics(df.head(1), y_true="y", y_pred=[1], slices="g == 'a'")
    assert single.groups[1].support == 1
    assert math.isnan(single.groups[1].rest)
    empty = slice_metrics(df, y_true="y", y_pred="y", slices="g == 'zzz'")
    assert empty.groups[1].support == 0
    assert math.isnan(empty.groups[1].value)
    json.dumps(empty.to_dict(), allow_nan=False)


def test_constant_by_column_is_one_group() -> None:
    df = pd.DataFrame({"y": [1, 0], "c": ["x", "x"]})
    result = slice_metrics(df, y_true="y", y_pred=[1, 1], by="c")
    assert result.groups[1].support == 2


def test_many_slices_on_text_columns_agree_with_masks() -> None:
    # Several slices on one text column go through a categorical copy; the figures must
    # be exactly those of each slice's mask on the original frame.
    rng = np.random.default_rng(2)
    n = 3000
    df = pd.DataFrame(
        {
            "obj": np.array(rng.choice(["a", "b", "it's", None], n), dtype=object),
            "s": pd.array(rng.choice(["x", "y", "z"], n), dtype="string"),
            "y": rng.integers(0, 2, n),
        }
    )
    pred = rng.integers(0, 2, n)
    texts = [
        "obj == 'a'",
        "obj in ['a', None]",
        "obj contains 's'",
        "not obj == 'b'",
        "isna(obj)",
        "s == 'x' and obj == 'it\\'s'",
        "s > 'x'",
        "s != 'y'",
    ]
    result = slice_metrics(df, y_true="y", y_pred=pred, slices=texts)
    wrong = df["y"].to_numpy() != pred
    for group, text in zip(result.groups[1:], texts, strict=True):
        mask = Slice(text).mask(df)
        assert group.support == mask.sum(), text
        if mask.any():
            assert group.value == pytest.approx(wrong[mask].mean()), text


def test_result_is_frozen(frame: pd.DataFrame) -> None:
    result = slice_metrics(frame, y_true="y", y_pred="pred")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.metric = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error", "phrase"),
    [
        ({"slices": "nope == 1"}, PredicateError, "Unknown column"),
        ({"slices": "age < 'x'"}, PredicateError, "Cannot compare"),
        ({"slices": "__import__('os').system('ls')"}, PredicateError, "not supported"),
        ({"slices": "age.real > 1"}, PredicateError, "not supported"),
        ({"y_pred": [1, 2]}, DataMismatchError, "must match"),
        ({"y_pred": "missing"}, DataMismatchError, "names no column"),
        ({"y_pred": None}, InvalidParameterError, "y_pred"),
        ({"metric": "f2"}, InvalidParameterError, "metric"),
        ({"metric": "log_loss"}, InvalidParameterError, "pred_probs"),
        ({"metric": lambda t, p: 1 / 0}, InvalidParameterError, "ZeroDivisionError"),
        ({"by": "missing"}, DataMismatchError, "names no column"),
        ({"confidence": 1.5}, InvalidParameterError, "confidence"),
        ({"n_bootstrap": -1}, InvalidParameterError, "n_bootstrap"),
        ({"y_pred": np.zeros((3, 2))}, InvalidParameterError, "1-D"),
        ({"metric": "mae", "y_pred": ["a", "b", "c"]}, InvalidParameterError, "numbers"),
    ],
)
def test_bad_input_is_refused_clearly(kwargs: dict, error: type[Exception], phrase: str) -> None:
    df = pd.DataFrame({"age": [20, 30, 40], "y": [1, 0, 1]})
    kwargs = {"y_true": "y", "y_pred": [1, 1, 1], **kwargs}
    with pytest.raises(error, match=phrase):
        slice_metrics(df, **kwargs)


def test_missing_labels_and_empty_frame() -> None:
    df = pd.DataFrame({"y": [1.0, np.nan]})
    with pytest.raises(DataMismatchError, match="missing"):
        slice_metrics(df, y_true="y", y_pred=[1, 1])
    with pytest.raises(InvalidParameterError, match="at least one row"):
        slice_metrics(df.head(0), y_true="y", y_pred=[])


def test_nullable_numbers_are_numbers() -> None:
    df = pd.DataFrame({"y": pd.array([1, 2, 3], dtype="Int64")})
    result = slice_metrics(df, y_true="y", y_pred=pd.Series([1.0, 2.0, 5.0]), metric="mae")
    assert result.overall == pytest.approx(2 / 3)
