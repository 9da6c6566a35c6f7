"""Confident learning: planted noise, parity with cleanlab, properties, awkward and bad input."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jupyter_dci.core.labels._find import LabelIssues, find_label_issues, label_scores
from jupyter_dci.datasets import inject_label_noise, load_digits, load_wine
from jupyter_dci.errors import DataMismatchError, DCIError, InvalidParameterError


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    hits = int((flags & truth).sum())
    return 0.0 if hits == 0 else 2 * hits / (int(flags.sum()) + int(truth.sum()))


def cv_probs(df: pd.DataFrame, labels: pd.Series) -> np.ndarray:
    x = df.drop(columns=["label", "image"], errors="ignore").to_numpy(dtype=float)
    codes = pd.factorize(labels, sort=True)[0]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    return cross_val_predict(model, x, codes, cv=folds, method="predict_proba")


def synthetic(n: int, k: int, seed: int, rate: float, kind: str):
    """Calibrated posteriors of a model trained on the noisy labels (see the benchmark)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    sep = 2.7
    logits = sep * rng.normal(size=(n, k))
    logits[np.arange(n), truth] += sep * sep
    post = np.exp(logits - logits.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    noisy = inject_label_noise(truth, rate=rate, kind=kind, seed=seed)
    given_ = noisy.labels.to_numpy()
    mix = np.zeros((k, k))
    np.add.at(mix, (truth, given_), 1)
    mix /= mix.sum(axis=1, keepdims=True)
    return given_, post @ mix, noisy.is_flipped.to_numpy()


@pytest.fixture(scope="module")
def digits_noisy():
    df = load_digits(images=False)
    noisy = inject_label_noise(df["label"], rate=0.1, kind="uniform", seed=0)
    return noisy.labels, cv_probs(df, noisy.labels), noisy.is_flipped.to_numpy()


@pytest.fixture(scope="module")
def wine_noisy():
    df = load_wine()
    noisy = inject_label_noise(df["label"], rate=0.2, kind="class_conditional", seed=0)
    return noisy.labels, cv_probs(df, noisy.labels), noisy.is_flipped.to_numpy()


# --- finds planted noise --------------------------------------------------------------------


def test_finds_planted_noise_on_digits(digits_noisy):
    labels, probs, truth = digits_noisy
    result = find_label_issues(labels, probs)
    flags = result.frame.sort_index()["is_label_issue"].to_numpy()
    assert f1(flags, truth) >= 0.8  # measured 0.86
    # The suggestion is the true digit for most flagged rows that were really flipped.
    issues = result.issues
    flipped = truth[issues.index.to_numpy()]
    true_digits = load_digits(images=False)["label"].to_numpy()[issues.index.to_numpy()[flipped]]
    suggested = issues["suggested_label"].to_numpy()[flipped].astype(int)
    assert (suggested == true_digits).mean() >= 0.8


def test_finds_planted_noise_on_synthetic_class_conditional():
    labels, probs, truth = synthetic(5000, 5, seed=3, rate=0.2, kind="class_conditional")
    result = find_label_issues(labels, probs)
    flags = result.frame.sort_index()["is_label_issue"].to_numpy()
    assert f1(flags, truth) >= 0.75
    # The estimated noise rates are near the planted 20%.
    assert abs(float(result.noise_rates.mean()) - 0.2) < 0.06


@pytest.mark.parametrize("filter_by", ["confident_learning", "prune_by_noise_rate", "expected_f1"])
def test_every_filter_finds_noise(wine_noisy, filter_by):
    labels, probs, truth = wine_noisy
    flags = find_label_issues(labels, probs, filter_by=filter_by).frame.sort_index()
    assert f1(flags["is_label_issue"].to_numpy(), truth) >= 0.7


# --- parity with cleanlab (the reference; a test dependency, never a runtime one) -----------


@pytest.mark.parametrize("dataset", ["digits", "wine", "synthetic"])
def test_parity_with_cleanlab(dataset, digits_noisy, wine_noisy):
    import cleanlab.filter

    if dataset == "synthetic":
        labels, probs, truth = synthetic(4000, 6, seed=1, rate=0.1, kind="uniform")
        codes = labels
    else:
        labels, probs, truth = digits_noisy if dataset == "digits" else wine_noisy
        codes = pd.factorize(labels, sort=True)[0]
    theirs = cleanlab.filter.find_label_issues(codes, probs, n_jobs=1)
    classic = find_label_issues(codes, probs, filter_by="prune_by_noise_rate")
    ours = find_label_issues(codes, probs)
    classic_flags = classic.frame.sort_index()["is_label_issue"].to_numpy()
    our_flags = ours.frame.sort_index()["is_label_issue"].to_numpy()
    # The classic rule is the same algorithm: it agrees with cleanlab on (nearly) every row.
    assert (classic_flags == theirs).mean() >= 0.99
    union = (classic_flags | theirs).sum()
    assert (classic_flags & theirs).sum() / max(union, 1) >= 0.95
    # Our default is at least as good as cleanlab's default, give or take a point.
    assert f1(our_flags, truth) >= f1(theirs, truth) - 0.01


# --- the result object ----------------------------------------------------------------------


def test_result_schema_and_ranking(wine_noisy):
    labels, probs, _ = wine_noisy
    result = find_label_issues(labels, probs)
    frame = result.frame
    assert list(frame.columns) == [
        "given_label",
        "suggested_label",
        "label_score",
        "is_label_issue",
    ]
    assert frame["is_label_issue"].dtype == bool
    assert frame["label_score"].between(0, 1).all()
    assert frame.index.sort_values().equals(labels.index)
    # Flagged rows first, each block by increasing score.
    flags = frame["is_label_issue"].to_numpy()
    assert not (np.diff(flags.astype(int)) > 0).any()
    for block in (frame[flags], frame[~flags]):
        assert block["label_score"].is_monotonic_increasing
    # A flagged row is never suggested its own label.
    issues = result.issues
    assert (issues["given_label"].astype(str) != issues["suggested_label"].astype(str)).all()
    assert result.n_issues == int(flags.sum()) > 0
    assert set(result.classes) == set(labels)


def test_noise_estimate_is_consistent(wine_noisy):
    labels, probs, _ = wine_noisy
    result = find_label_issues(labels, probs)
    joint = result.confident_joint.to_numpy()
    assert joint.sum() == len(labels)
    counts = labels.value_counts().reindex(result.classes).to_numpy()
    np.testing.assert_array_equal(joint.sum(axis=1), counts)
    np.testing.assert_allclose(result.noise_matrix.sum(axis=0), 1.0)
    assert result.noise_rates.between(0, 1).all()
    assert list(result.noise_rates.index) == list(result.classes)


def test_result_is_frozen_and_serialisable(wine_noisy):
    labels, probs, _ = wine_noisy
    result = find_label_issues(labels, probs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.filter_by = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.thresholds[0] = 0.5
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["n_issues"] == result.n_issues == len(payload["issues"])
    assert payload["classes"] == list(result.classes)
    assert "flagged" in repr(result)
    copy = result.to_frame()
    copy.iloc[0, 2] = -1.0
    assert result.frame.iloc[0, 2] != -1.0


# --- label_scores ---------------------------------------------------------------------------


def test_label_scores_methods():
    probs = np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])
    labels = pd.Series([0, 2, 0], index=["a", "b", "c"])
    sc = label_scores(labels, probs)
    assert sc.index.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(sc, [0.7, 0.3, 1.0])
    nm = label_scores(labels, probs, method="normalized_margin")
    np.testing.assert_allclose(nm, [(0.7 - 0.2 + 1) / 2, (0.3 - 0.5 + 1) / 2, 1.0])
    cwe = label_scores(labels, probs, method="confidence_weighted_entropy")
    assert cwe.between(0, 1).all()
    assert cwe["c"] == 1.0  # a sure, right prediction
    assert cwe["b"] < cwe["a"]


def test_label_scores_rejects_unknown_method():
    with pytest.raises(InvalidParameterError, match="'method' parameter of label_scores"):
        label_scores([0, 1], [[0.5, 0.5], [0.5, 0.5]], method="entropy")


# --- properties -----------------------------------------------------------------------------

problems = st.tuples(
    st.integers(min_value=4, max_value=120),
    st.integers(min_value=2, max_value=6),
    st.integers(min_value=0, max_value=2**32 - 1),
)


def random_problem(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(k, 0.5), size=n)
    labels = rng.integers(0, k, n)
    labels[:2] = [0, 1]  # at least two classes
    return labels, probs


@settings(max_examples=40, deadline=None)
@given(
    problems,
    st.sampled_from(["self_confidence", "normalized_margin", "confidence_weighted_entropy"]),
)
def test_scores_in_unit_interval(problem, method):
    labels, probs = random_problem(*problem)
    scores = label_scores(labels, probs, method=method)
    assert scores.between(0, 1).all()
    frame = find_label_issues(labels, probs).frame
    assert frame["label_score"].between(0, 1).all()
    assert len(frame) == len(labels)


@settings(max_examples=40, deadline=None)
@given(problems, st.sampled_from(["confident_learning", "prune_by_noise_rate", "expected_f1"]))
def test_row_order_does_not_matter(problem, filter_by):
    labels, probs = random_problem(*problem)
    permutation = np.random.default_rng(problem[2]).permutation(len(labels))
    straight = find_label_issues(pd.Series(labels), probs, filter_by=filter_by)
    shuffled = find_label_issues(
        pd.Series(labels[permutation], index=permutation), probs[permutation], filter_by=filter_by
    )
    a, b = straight.frame.sort_index(), shuffled.frame.sort_index()
    pd.testing.assert_series_equal(a["is_label_issue"], b["is_label_issue"])
    np.testing.assert_allclose(a["label_score"], b["label_score"])
    np.testing.assert_array_equal(straight.confident_joint, shuffled.confident_joint)


# --- awkward inputs -------------------------------------------------------------------------

PROBS = np.array(
    [
        [0.9, 0.05, 0.05],
        [0.8, 0.1, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.85, 0.05],
        [0.05, 0.05, 0.9],
        [0.1, 0.1, 0.8],
        [0.92, 0.04, 0.04],
        [0.1, 0.1, 0.8],
    ]
)
CODES = [0, 0, 1, 1, 2, 2, 2, 1]  # rows 6 and 7 look mislabelled


def flagged_positions(result: LabelIssues, index: pd.Index) -> list[int]:
    frame = result.frame.reindex(index)
    return np.flatnonzero(frame["is_label_issue"].to_numpy()).tolist()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: pd.Series(np.array(["cat", "dog", "eel"])[CODES]), id="strings"),
        pytest.param(lambda: pd.Series(CODES, dtype="Int64"), id="nullable-int"),
        pytest.param(
            lambda: pd.Series(pd.Categorical.from_codes(CODES, ["x", "y", "z"])), id="categorical"
        ),
        pytest.param(lambda: pd.Series(CODES, index=list("hgfedcba")), id="string-index"),
        pytest.param(lambda: pd.Series(np.array(CODES) + 10), id="ints-not-from-zero"),
        pytest.param(lambda: np.array(CODES, dtype=np.int8), id="int8-array"),
        pytest.param(lambda: list(CODES), id="list"),
    ],
)
def test_awkward_labels(make):
    labels = make()
    result = find_label_issues(labels, PROBS)
    index = labels.index if isinstance(labels, pd.Series) else pd.RangeIndex(len(CODES))
    assert result.frame.index.sort_values().equals(index.sort_values())
    assert flagged_positions(result, index) == [6, 7]
    given_values = result.frame.reindex(index)["given_label"].astype(object).tolist()
    assert given_values == list(pd.Series(labels).astype(object))


def test_categorical_categories_follow_their_order_not_sorted():
    labels = pd.Series(pd.Categorical.from_codes(CODES, ["zeta", "alpha", "mid"]))
    result = find_label_issues(labels, PROBS)
    assert result.classes == ("zeta", "alpha", "mid")
    assert result.issues.loc[6, "suggested_label"] == "zeta"


def test_dataframe_probs_name_the_classes_and_align():
    names = ["b", "a", "c"]  # column order, not sorted
    labels = pd.Series(np.array(names)[CODES], index=np.arange(8) * 10)
    probs = pd.DataFrame(PROBS, columns=names, index=labels.index)
    result = find_label_issues(labels, probs)
    assert result.classes == ("b", "a", "c")
    assert flagged_positions(result, labels.index) == [6, 7]
    with pytest.raises(DataMismatchError, match="share one index"):
        find_label_issues(labels, probs.set_axis(np.arange(8), axis=0))


def test_explicit_classes():
    labels = np.array(["b", "a", "c"])[CODES]
    result = find_label_issues(labels, PROBS, classes=["b", "a", "c"])
    assert flagged_positions(result, pd.RangeIndex(8)) == [6, 7]


def test_a_class_nobody_has():
    probs = np.hstack([PROBS * 0.99, np.full((8, 1), 0.01)])
    result = find_label_issues(CODES, probs)
    assert result.classes == (0, 1, 2, 3)
    assert result.noise_rates[3] == 0.0


# --- bad input: clear errors in one voice ---------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "probs", "kwargs", "error", "match"),
    [
        (CODES[:-1], PROBS, {}, DataMismatchError, "7 label"),
        (CODES, PROBS * 1.5, {}, InvalidParameterError, "sum to 1"),
        (CODES, np.where(PROBS == 0.9, np.nan, PROBS), {}, InvalidParameterError, "NaN"),
        (CODES, PROBS - 0.2, {}, InvalidParameterError, "softmax"),
        ([0, 0, 1, 1, 2, 2, 2, 7], PROBS, {"classes": [0, 1, 2]}, DataMismatchError, r"\[7\]"),
        (["a"] * 8, PROBS, {"classes": ["a", "b", "c"]}, InvalidParameterError, "2 distinct"),
        ([0] * 8, np.ones((8, 1)), {}, InvalidParameterError, "at least 2 classes"),
        ([], np.zeros((0, 3)), {}, InvalidParameterError, "empty"),
        (CODES, PROBS[:, 0], {}, InvalidParameterError, "2-d"),
        (["a", "b"] * 4, PROBS, {}, DataMismatchError, "classes="),
        (CODES, PROBS, {"classes": [0, 1]}, DataMismatchError, "one class per column"),
        (CODES, PROBS, {"filter_by": "both"}, InvalidParameterError, "'filter_by' parameter"),
        ([0, 1, None, 1, 2, 2, 2, 1], PROBS, {}, InvalidParameterError, "missing"),
        (pd.DataFrame({"a": CODES}), PROBS, {}, InvalidParameterError, "DataFrame"),
    ],
)
def test_bad_input(labels, probs, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        find_label_issues(labels, probs, **kwargs)
    assert isinstance(info.value, DCIError)
    assert "Got" in str(info.value) or "got" in str(info.value)


def test_small_rounding_drift_is_accepted():
    drifted = PROBS * (1 + 5e-4)
    assert find_label_issues(CODES, drifted).n_issues == 2


def test_core_imports_no_ui_library():
    modules = [
        "jupyter_dci.core.labels._find",
        "jupyter_dci.core.labels._oos",
        "jupyter_dci.core._duplicates",
        "jupyter_dci.datasets",
    ]
    code = (
        f"import sys, importlib\nfor m in {modules!r}: importlib.import_module(m)\n"
        "bad = {'ipywidgets', 'anywidget', 'traitlets', 'altair', 'IPython'} & set(sys.modules)\n"
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "labels", [[1, "1", 0, 0], [True, 1, 0, 0], np.array([1, "1", 0, 0], dtype=object)]
)
def test_labels_that_mix_kinds_are_refused(labels) -> None:
    """[1, "1"] silently became one class through numpy's string coercion (issue #15)."""
    probs = np.array([[0.2, 0.8], [0.2, 0.8], [0.9, 0.1], [0.9, 0.1]])
    with pytest.raises(DataMismatchError, match="mix kinds of values"):
        find_label_issues(labels, probs)
    # Numbers of two types are one kind: 1.0 and 1 are the same class.
    assert find_label_issues([1.0, 1, 0, 0], probs).classes == (0.0, 1.0)
