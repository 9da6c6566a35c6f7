"""Bundled datasets and the seeded label-noise injector."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.datasets import (
    NoisyLabels,
    inject_label_noise,
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
)
from jupyter_dci.errors import InvalidParameterError


@pytest.mark.parametrize(
    ("loader", "shape", "n_classes"),
    [(load_wine, (178, 14), 3), (load_breast_cancer, (569, 31), 2), (load_iris, (150, 5), 3)],
)
def test_loaders(loader, shape, n_classes):
    df = loader()
    assert df.shape == shape
    assert df["label"].nunique() == n_classes
    assert df["label"].notna().all()
    assert all(pd.api.types.is_float_dtype(df[c]) for c in df.columns if c != "label")
    assert all(" " not in c for c in df.columns)


def test_digits_keep_images():
    df = load_digits()
    assert df.shape == (1797, 66)
    assert df["label"].dtype == np.int64
    first = df["image"].iloc[0]
    assert isinstance(first, np.ndarray)
    assert first.shape == (8, 8)
    np.testing.assert_array_equal(first.ravel(), df.filter(like="pixel_").iloc[0].to_numpy())
    assert "image" not in load_digits(images=False).columns


@pytest.mark.parametrize("kind", ["uniform", "class_conditional"])
@pytest.mark.parametrize("rate", [0.0, 0.1, 0.2])
def test_exact_share_flipped_and_truth_kept(kind, rate):
    labels = load_wine()["label"]
    noisy = inject_label_noise(labels, rate=rate, kind=kind, seed=7)
    assert isinstance(noisy, NoisyLabels)
    assert int(noisy.is_flipped.sum()) == round(rate * len(labels))
    pd.testing.assert_series_equal(noisy.true_labels, labels)
    assert ((noisy.labels != labels) == noisy.is_flipped).all()
    assert noisy.labels.isin(labels.unique()).all()
    assert noisy.labels.index.equals(labels.index)
    frame = noisy.to_frame()
    assert list(frame.columns) == ["label", "true_label", "is_flipped"]


def test_seeded_and_reproducible():
    labels = np.arange(100) % 4
    a = inject_label_noise(labels, rate=0.2, seed=1)
    b = inject_label_noise(labels, rate=0.2, seed=1)
    c = inject_label_noise(labels, rate=0.2, seed=2)
    pd.testing.assert_series_equal(a.labels, b.labels)
    assert not a.labels.equals(c.labels)


def test_class_conditional_goes_mostly_to_the_next_class():
    labels = pd.Series(np.arange(3000) % 5)
    noisy = inject_label_noise(labels, rate=0.2, kind="class_conditional", seed=0)
    flipped = noisy.is_flipped
    to_next = (noisy.labels[flipped] == (labels[flipped] + 1) % 5).mean()
    assert 0.85 < to_next < 0.95
    uniform = inject_label_noise(labels, rate=0.2, seed=0)
    assert (uniform.labels[flipped] == (labels[flipped] + 1) % 5).mean() < 0.4


def test_keeps_dtype_and_index_of_awkward_labels():
    labels = pd.Series(pd.Categorical(["x", "y", "z"] * 10), index=[f"r{i}" for i in range(30)])
    noisy = inject_label_noise(labels, rate=0.3, seed=0)
    assert isinstance(noisy.labels.dtype, pd.CategoricalDtype)
    assert noisy.labels.index.equals(labels.index)
    nullable = inject_label_noise(pd.Series([1, 2] * 10, dtype="Int64"), rate=0.5)
    assert nullable.labels.dtype == "Int64"
    with pytest.raises(dataclasses.FrozenInstanceError):
        noisy.rate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("labels", "kwargs", "match"),
    [
        ([0, 1] * 5, {"rate": 1.0}, "'rate'"),
        ([0, 1] * 5, {"rate": -0.1}, "'rate'"),
        ([0, 1] * 5, {"rate": 0.1, "kind": "pairwise"}, "'kind'"),
        ([0, 1] * 5, {"rate": 0.1, "seed": 1.5}, "'seed'"),
        ([0, 1] * 5, {"rate": 0.1, "concentration": 2}, "'concentration'"),
        ([1] * 5, {"rate": 0.1}, "2 distinct"),
        ([0, None, 1], {"rate": 0.1}, "missing"),
    ],
)
def test_bad_input(labels, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        inject_label_noise(labels, **kwargs)


def test_messy_wine_plants_what_it_says_and_the_profile_names_it() -> None:
    from jupyter_dci.core.profile import profile
    from jupyter_dci.datasets import load_messy_wine

    messy = load_messy_wine(seed=0)
    df = messy.frame
    assert len(df) == len(messy.clean) + 9
    by_alert = {p.alert: p for p in messy.planted}
    assert (df.loc[list(by_alert["placeholder"].rows), "alcohol"] == -999).all()
    assert df.loc[list(by_alert["missing"].rows), "magnesium"].isna().all()
    assert df.duplicated().sum() == 9
    report = messy.check(profile(df, label="label"))
    assert report["found"].all(), report[~report["found"]]
    # The same seed plants the same problems; another seed, others.
    assert load_messy_wine(seed=0).frame.equals(df)
    assert not load_messy_wine(seed=1).frame.equals(df)


def test_noisy_labels_score_counts_fixed_and_broken() -> None:
    from jupyter_dci.errors import InvalidParameterError

    noisy = inject_label_noise(["a", "b", "c"] * 20, rate=0.2, seed=3)
    assert noisy.score(noisy.labels) == {
        "planted": 12, "fixed": 0, "still_wrong": 12, "broken": 0, "changed": 0,
    }  # fmt: skip
    now = noisy.true_labels.copy()
    right = int(noisy.is_flipped.to_numpy().argmin())  # a row that was never flipped
    now.iloc[right] = "c" if now.iloc[right] != "c" else "a"
    assert noisy.score(now) == {
        "planted": 12, "fixed": 12, "still_wrong": 0, "broken": 1, "changed": 13,
    }  # fmt: skip
    with pytest.raises(InvalidParameterError, match="60 labels"):
        noisy.score(now[:5])
