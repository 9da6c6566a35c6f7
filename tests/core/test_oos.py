"""Out-of-sample probabilities: alignment, encoders for every kind of column, bad input."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from jupyter_dci.core.labels._find import find_label_issues
from jupyter_dci.core.labels._oos import OutOfSampleProbs, out_of_sample_probs
from jupyter_dci.datasets import inject_label_noise, load_digits, load_wine
from jupyter_dci.errors import (
    DataMismatchError,
    DCIWarning,
    InvalidParameterError,
    UnsupportedInputError,
)


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    hits = int((flags & truth).sum())
    return 0.0 if hits == 0 else 2 * hits / (int(flags.sum()) + int(truth.sum()))


@pytest.fixture(scope="module")
def digits_images():
    df = load_digits()
    noisy = inject_label_noise(df["label"], rate=0.1, seed=0)
    return df.assign(label=noisy.labels), noisy.is_flipped.to_numpy()


def test_digits_images_default_model_finds_the_noise(digits_images):
    df, truth = digits_images
    calls = []
    result = out_of_sample_probs(
        df, label="label", features=["image"], progress=lambda *a: calls.append(a)
    )
    assert isinstance(result, OutOfSampleProbs)
    assert result.features == {"image": "image"}
    assert result.pred_probs.index.equals(df.index)
    assert list(result.pred_probs.columns) == list(range(10))
    np.testing.assert_allclose(result.pred_probs.sum(axis=1), 1.0)
    assert 0.8 < result.accuracy < 0.95  # 10% of the labels are wrong
    assert len(result.fold_accuracy) == 5
    assert [c[:2] for c in calls] == [(i, 5) for i in range(1, 6)]
    issues = find_label_issues(df["label"], result.pred_probs)
    flags = issues.frame.reindex(df.index)["is_label_issue"].to_numpy()
    assert f1(flags, truth) >= 0.85  # measured 0.91


def test_mixed_columns_and_awkward_index():
    rng = np.random.default_rng(0)
    n = 240
    y = rng.integers(0, 3, n)
    words = np.array(["red apple pie", "green pear tart", "blue plum cake"])
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n) + y,
            "count": pd.array(np.where(rng.random(n) < 0.1, None, y * 2), dtype="Int64"),
            "flag": y == 1,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(y * 30 + rng.integers(0, 5, n), "D"),
            "colour": pd.Categorical(np.array(["r", "g", "b"])[y]),
            "note": [f"{words[v]} number {i}" for i, v in enumerate(y)],
            "label": pd.Categorical(np.array(["a", "b", "c"])[y]),
        },
        index=pd.Index([f"row{i}" for i in range(n)][::-1]),
    )
    result = out_of_sample_probs(df, label="label", cv=3)
    assert result.features == {
        "x": "numeric",
        "count": "numeric",
        "flag": "numeric",
        "when": "datetime",
        "colour": "categorical",
        "note": "text",
    }
    assert result.pred_probs.index.equals(df.index)
    assert result.classes == ("a", "b", "c")
    assert result.accuracy > 0.95
    assert find_label_issues(df["label"], result.pred_probs).n_issues <= 3
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["classes"] == ["a", "b", "c"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cv = 3  # type: ignore[misc]


def test_any_sklearn_classifier_and_no_preprocessing():
    df = load_wine()
    tree = out_of_sample_probs(df, label="label", model=DecisionTreeClassifier(max_depth=3))
    assert tree.model == "DecisionTreeClassifier"
    assert tree.accuracy > 0.8
    numeric = df.drop(columns="label")
    raw = out_of_sample_probs(
        df,
        label="label",
        features=list(numeric.columns),
        preprocess=False,
        model=make_pipeline(StandardScaler(), LogisticRegression()),
    )
    assert raw.features[numeric.columns[0]] == "as is"
    assert raw.accuracy > 0.85


def test_same_seed_same_probabilities():
    df = load_wine()
    a = out_of_sample_probs(df, label="label", random_state=3)
    b = out_of_sample_probs(df, label="label", random_state=3)
    pd.testing.assert_frame_equal(a.pred_probs, b.pred_probs)


def test_rare_class_warns_and_still_gives_probabilities():
    df = load_wine().iloc[:120].copy()
    df.loc[df.index[:2], "label"] = "rare"
    with pytest.warns(DCIWarning, match="fewer than cv=5"):
        result = out_of_sample_probs(df, label="label")
    assert "rare" in result.classes
    np.testing.assert_allclose(result.pred_probs.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"label": "nope"}, DataMismatchError, "label column"),
        ({"label": "label", "cv": 1}, InvalidParameterError, "'cv' parameter"),
        ({"label": "label", "features": ["zzz"]}, DataMismatchError, "zzz"),
        ({"label": "label", "features": ["label"]}, InvalidParameterError, "'features'"),
        ({"label": "label", "model": object()}, InvalidParameterError, "predict_proba"),
        ({"label": "label", "n_threads": 0}, InvalidParameterError, "'n_threads'"),
        ({"label": "label", "progress": "yes"}, InvalidParameterError, "'progress'"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        out_of_sample_probs(load_wine(), **kwargs)


def test_bad_labels_and_images():
    df = load_wine()
    with pytest.raises(InvalidParameterError, match="missing values"):
        out_of_sample_probs(df.assign(label=df["label"].where(df.index > 3)), label="label")
    with pytest.raises(InvalidParameterError, match="at least 2 classes"):
        out_of_sample_probs(df.assign(label="same"), label="label")
    with pytest.raises(UnsupportedInputError, match="out_of_sample_probs takes a pandas"):
        out_of_sample_probs(df.to_numpy(), label="label")
    digits = load_digits().iloc[:200].copy()
    digits.at[digits.index[0], "image"] = np.zeros((4, 4))
    with pytest.raises(DataMismatchError, match="same shape"):
        out_of_sample_probs(digits, label="label", features=["image"])


def test_awkward_frame_from_the_shared_fixture(awkward_frame):
    df = awkward_frame.assign(label=np.arange(len(awkward_frame)) % 3)
    result = out_of_sample_probs(df, label="label", cv=3)
    assert result.pred_probs.index.equals(df.index)
    np.testing.assert_allclose(result.pred_probs.sum(axis=1), 1.0)
    assert result.features["all_nan"] == "empty (skipped)"
    assert result.features["lists_dicts"] in ("text", "categorical")
    assert result.features["tz_datetime"] == "datetime"
    assert result.features["period"] == "datetime"


def test_repeated_column_names():
    df = pd.DataFrame([[1, "x", 0], [2, "y", 1]] * 10, columns=["a", "a", "label"])
    result = out_of_sample_probs(df, label="label", cv=2)
    assert set(result.features) == {"a#0", "a#1"}
    assert result.accuracy == 1.0


def test_progress_bar_with_tqdm():
    import tqdm  # noqa: F401 - in the test extra: the progress bar must be exercised, not skipped

    result = out_of_sample_probs(load_wine(), label="label", cv=2, progress=True)
    assert result.cv == 2


def test_arrow_nested_and_exotic_columns_are_features_not_tracebacks() -> None:
    """An Arrow list column once ended in a raw ArrowNotImplementedError (issue #15)."""
    import decimal

    import pyarrow as pa

    n = 60
    rng = np.random.default_rng(0)
    y = np.arange(n) % 2
    df = pd.DataFrame({"x": rng.normal(size=n) + y, "y": y})
    df["lists"] = pd.Series(
        [[1, 2] if v else [3] for v in y], dtype=pd.ArrowDtype(pa.list_(pa.int64()))
    )
    df["structs"] = pd.Series([{"a": 1}] * n, dtype=pd.ArrowDtype(pa.struct([("a", pa.int64())])))
    df["maps"] = pd.Series([[("k", 1)]] * n, dtype=pd.ArrowDtype(pa.map_(pa.string(), pa.int64())))
    df["money"] = pd.Series([decimal.Decimal("1.5")] * n, dtype=pd.ArrowDtype(pa.decimal128(5, 2)))
    found = out_of_sample_probs(df, "y", cv=3)
    assert found.pred_probs.shape == (n, 2)
    assert np.allclose(found.pred_probs.sum(axis=1), 1.0)
    assert set(found.features) >= {"lists", "structs", "maps", "money"}
    # The lists tell the classes apart: the model learns from them as categories.
    only_lists = out_of_sample_probs(df[["lists", "y"]], "y", cv=3)
    assert (only_lists.pred_probs.to_numpy().argmax(axis=1) == y).mean() > 0.9
