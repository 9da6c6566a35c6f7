"""consensus(): simulated annotators whose truth is known, properties, bad input.

Every simulation draws the true class of each row, then each annotator's label from their own
confusion matrix, so the right consensus and each annotator's accuracy are known.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.core.annotators import consensus
from jupyter_dci.core.labels import OutOfSampleProbs
from jupyter_dci.errors import DataMismatchError, InvalidParameterError

NAN = np.nan


def confusion(accuracy: float, k: int, swap: tuple[int, int] | None = None) -> np.ndarray:
    """Right with ``accuracy``, else uniform; ``swap`` = (a, b): gives b for most a's."""
    matrix = np.full((k, k), (1 - accuracy) / (k - 1))
    np.fill_diagonal(matrix, accuracy)
    if swap is not None:
        a, b = swap
        matrix[a] = 0.02 / (k - 1)
        matrix[a, b] = 0.7
        matrix[a, a] = 1 - matrix[a].sum() + matrix[a, a]
    return matrix


def simulate(
    n: int,
    matrices: list[np.ndarray],
    *,
    per_row: tuple[int, int] = (1, 3),
    seed: int = 0,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A wide frame (NaN where missing), the truth, and each annotator's true accuracy."""
    rng = np.random.default_rng(seed)
    k, j = matrices[0].shape[0], len(matrices)
    truth = rng.integers(0, k, n)
    wide = np.full((n, j), NAN)
    m = rng.integers(per_row[0], per_row[1] + 1, n)
    chosen = np.argsort(rng.random((n, j)), axis=1) < m[:, None]
    for a, matrix in enumerate(matrices):
        rows = np.flatnonzero(chosen[:, a])
        cdf = np.cumsum(matrix[truth[rows]], axis=1)
        wide[rows, a] = (rng.random(len(rows))[:, None] > cdf).sum(axis=1).clip(0, k - 1)
    right = wide == truth[:, None]
    accuracy = right.sum(axis=0) / chosen.sum(axis=0)
    return pd.DataFrame(wide, columns=[f"a{i}" for i in range(j)]), truth, accuracy


def majority_accuracy(wide: pd.DataFrame, truth: np.ndarray, k: int) -> float:
    counts = np.stack([(wide.to_numpy() == c).sum(axis=1) for c in range(k)], axis=1)
    noise = np.random.default_rng(0).random(counts.shape) * 0.1  # ties at random
    return float(((counts + noise).argmax(axis=1) == truth).mean())


def model_probs(
    truth: np.ndarray, k: int, signal: float, seed: int, sharpen: float = 1.0
) -> np.ndarray:
    """A model's probabilities, calibrated when ``sharpen`` is 1 (over-confident above).

    Scores ``x_k ~ N(signal * [k = truth], 1)``: the exact posterior of the true class is
    ``softmax(signal * x)``; the model reports ``softmax(sharpen * signal * x)``.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(truth), k))
    x[np.arange(len(truth)), truth] += signal
    logits = sharpen * signal * x
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    return probs / probs.sum(axis=1, keepdims=True)


def accuracy_of(result: object, truth: np.ndarray) -> float:
    labels = result.frame["consensus_label"].to_numpy(dtype=float)  # type: ignore[attr-defined]
    return float((labels == truth).mean())


FIVE = [confusion(acc, 4) for acc in (0.55, 0.65, 0.75, 0.85, 0.95)]


# -- truth: simulated annotators -----------------------------------------------------------------


def test_beats_majority_vote_and_ranks_annotators() -> None:
    wide, truth, true_acc = simulate(3000, FIVE, seed=1)
    result = consensus(wide)
    assert accuracy_of(result, truth) > majority_accuracy(wide, truth, 4) + 0.02
    quality = result.annotators["quality"].to_numpy()
    assert np.argsort(quality).tolist() == np.argsort(true_acc).tolist()
    assert np.abs(quality - true_acc).max() < 0.04
    assert result.method == "dawid_skene" and result.model is None and result.converged


def test_recovers_a_systematic_confusion_and_corrects_it() -> None:
    k = 4
    matrices = [confusion(0.8, k, swap=(1, 2)), confusion(0.8, k), confusion(0.8, k)]
    wide, truth, _ = simulate(4000, matrices, per_row=(2, 3), seed=2)
    result = consensus(wide)
    estimated = result.annotator_confusion("a0")
    assert estimated.loc[1, 2] == pytest.approx(0.7, abs=0.06)
    assert estimated.to_numpy().sum(axis=1) == pytest.approx(np.ones(k))
    # Rows where a0 says 2 and one other annotator says 1 are mostly class 1: the consensus
    # follows the other annotator, not a coin.
    data = wide.to_numpy()
    split = (
        (data[:, 0] == 2)
        & (np.nansum(data[:, 1:] == 1, axis=1) == 1)
        & (np.sum(~np.isnan(data), axis=1) == 2)
    )
    labels = result.frame["consensus_label"].to_numpy(dtype=float)
    assert split.sum() > 30
    assert (labels[split] == 1).mean() > 0.9
    assert (labels[split] == truth[split]).mean() > 0.85


def test_probabilities_help_and_are_calibrated() -> None:
    wide, truth, true_acc = simulate(3000, FIVE, seed=3)
    probs = model_probs(truth, 4, signal=1.6, seed=4, sharpen=2.0)  # over-confident
    without = consensus(wide)
    with_model = consensus(wide, probs)
    assert accuracy_of(with_model, truth) > accuracy_of(without, truth) + 0.03
    assert with_model.method == "dawid_skene+model"
    model = with_model.model
    assert model is not None
    assert model["temperature"] == pytest.approx(2.0, rel=0.2)  # the sharpening, undone
    assert 0.5 < model["share"] <= 1.0
    model_accuracy = (probs.argmax(axis=1) == truth).mean()
    assert model["quality"] == pytest.approx(model_accuracy, abs=0.04)
    quality = with_model.annotators["quality"].to_numpy()
    assert np.argsort(quality).tolist() == np.argsort(true_acc).tolist()


def test_a_useless_model_gets_no_weight() -> None:
    wide, truth, _ = simulate(2000, FIVE, seed=5)
    nonsense = np.random.default_rng(6).dirichlet(np.full(4, 0.2), len(truth))
    result = consensus(wide, nonsense)
    assert result.model is not None and result.model["share"] < 0.25
    assert accuracy_of(result, truth) > accuracy_of(consensus(wide), truth) - 0.01


def test_an_annotator_with_few_labels_gets_a_sensible_estimate() -> None:
    wide, _, _ = simulate(2000, FIVE[1:4], seed=7)
    few = pd.Series(NAN, index=wide.index)
    labelled = wide.index[wide["a0"].notna()][:4]
    few[labelled] = wide.loc[labelled, "a0"]  # agrees with a0 on 4 rows
    result = consensus(wide.assign(newcomer=few))
    crowd = result.annotators["quality"].iloc[:3].mean()
    newcomer = result.annotators.loc["newcomer"]
    assert newcomer["n_labels"] == 4
    assert abs(newcomer["quality"] - crowd) < 0.1  # shrunk toward the crowd, not 0 or 1
    matrix = result.annotator_confusion("newcomer").to_numpy()
    assert (matrix > 0.01).all() and (matrix < 0.99).all()


def test_scores_are_probabilities_of_being_right() -> None:
    wide, truth, _ = simulate(6000, FIVE, seed=8)
    frame = consensus(wide).frame
    scores = frame["consensus_score"].to_numpy()
    right = frame["consensus_label"].to_numpy(dtype=float) == truth
    assert ((scores > 0) & (scores <= 1)).all()
    # Calibrated: in each band of scores, about that share is right.
    for low, high in [(0.4, 0.7), (0.7, 0.9), (0.9, 1.0)]:
        band = (scores > low) & (scores <= high)
        assert band.sum() > 100
        assert right[band].mean() == pytest.approx(scores[band].mean(), abs=0.06)
    assert frame["is_consensus_issue"].to_numpy().tolist() == (scores < 0.5).tolist()


# -- properties --------------------------------------------------------------------------------


def test_permuting_rows_and_annotators_changes_nothing() -> None:
    # Past 10,000 rows the model is calibrated on a sample of them: the same sample.
    wide, truth, _ = simulate(12_000, FIVE, seed=9)
    probs = pd.DataFrame(model_probs(truth, 4, 1.5, seed=10), index=wide.index)
    rng = np.random.default_rng(11)
    rows, columns = rng.permutation(len(wide)), [3, 1, 4, 0, 2]
    one = consensus(wide, probs)
    two = consensus(wide.iloc[rows, columns], probs.iloc[rng.permutation(len(probs))])
    pd.testing.assert_series_equal(two.labels.loc[one.labels.index], one.labels)
    assert two.frame.loc[one.frame.index, "consensus_score"].to_numpy() == pytest.approx(
        one.frame["consensus_score"].to_numpy(), abs=1e-6
    )
    assert two.annotators.loc[one.annotators.index, "quality"].to_numpy() == pytest.approx(
        one.annotators["quality"].to_numpy(), abs=1e-6
    )


def test_wide_and_long_agree_and_arrays_follow_the_rows() -> None:
    wide, truth, _ = simulate(500, FIVE[:3], seed=12)
    wide.index = [f"r{i:03d}" for i in range(len(wide))]
    stacked = wide.stack().dropna()
    long = pd.DataFrame(
        {
            "row": stacked.index.get_level_values(0),
            "annotator": stacked.index.get_level_values(1),
            "label": stacked.to_numpy().astype(int),
        }
    ).sample(frac=1.0, random_state=0)
    probs = model_probs(truth, 4, 1.5, seed=13)
    one, two = consensus(wide, probs), consensus(long, probs)  # long rows: keys sorted
    assert two.labels.tolist() == one.labels.tolist()
    assert two.frame.index.tolist() == one.frame.index.tolist()
    framed = pd.DataFrame(probs, index=wide.index).iloc[::-1]
    three = consensus(long, framed)
    assert three.labels.tolist() == one.labels.tolist()


def test_the_posterior_is_a_distribution_and_read_only() -> None:
    wide, truth, _ = simulate(300, FIVE[:3], seed=14)
    result = consensus(wide, model_probs(truth, 4, 1.5, seed=15))
    assert result.posterior.sum(axis=1) == pytest.approx(np.ones(len(wide)))
    assert not result.posterior.flags.writeable and not result.confusion.flags.writeable
    scores = result.frame["consensus_score"].to_numpy()
    assert scores == pytest.approx(result.posterior.max(axis=1))


# -- the result --------------------------------------------------------------------------------


def test_to_dict_is_json_and_bounded() -> None:
    wide, truth, _ = simulate(400, FIVE, seed=16)
    result = consensus(wide, model_probs(truth, 4, 1.5, seed=17))
    d = result.to_dict(max_rows=5)
    json.dumps(d, allow_nan=False)
    assert len(d["rows"]) == 5 and d["truncated"]
    scores = [row["consensus_score"] for row in d["rows"]]
    assert scores == sorted(scores)
    assert scores[0] == pytest.approx(result.frame["consensus_score"].min())
    assert [a["annotator"] for a in d["annotators"]] == list(wide.columns)
    assert set(d["model"]) == {"quality", "temperature", "share"}
    assert "Consensus(400 rows, 5 annotators, 4 classes" in repr(result)
    with pytest.raises(InvalidParameterError, match="max_rows"):
        result.to_dict(max_rows=1.5)  # type: ignore[arg-type]


def test_rows_and_annotators_without_labels_are_documented_gaps() -> None:
    wide, truth, _ = simulate(300, FIVE[:3], seed=18)
    wide.loc[len(wide)] = NAN  # a row nobody labelled
    wide["idle"] = NAN  # an annotator who labelled nothing
    probs = np.vstack([model_probs(truth, 4, 1.5, seed=19), np.full((1, 4), 0.25)])
    result = consensus(wide, probs, classes=[0, 1, 2, 3])
    last = result.frame.iloc[-1]
    assert pd.isna(last["consensus_label"]) and math.isnan(last["consensus_score"])
    assert last["n_labels"] == 0 and not last["is_consensus_issue"]
    assert np.isnan(result.posterior[-1]).all()
    assert math.isnan(result.annotators.loc["idle", "quality"])
    json.dumps(result.to_dict(), allow_nan=False)


def test_one_class_only_is_certain() -> None:
    result = consensus(pd.DataFrame({"a": ["x", "x"], "b": ["x", None]}))
    assert result.labels.tolist() == ["x", "x"]
    assert result.frame["consensus_score"].tolist() == [1.0, 1.0]


def test_accepts_an_out_of_sample_probs_result() -> None:
    wide, truth, _ = simulate(200, FIVE[:3], seed=20)
    probs = pd.DataFrame(model_probs(truth, 4, 2.0, seed=21), index=wide.index)
    oos = OutOfSampleProbs(probs, (0, 1, 2, 3), 0.8, (0.8,), "test", {}, 5, 0.0)
    assert consensus(wide, oos).labels.tolist() == consensus(wide, probs).labels.tolist()


# -- bad input ---------------------------------------------------------------------------------


def test_a_single_annotator_is_refused_with_what_to_do() -> None:
    with pytest.raises(DataMismatchError, match="find_label_issues"):
        consensus(pd.DataFrame({"a": [1, 2], "b": [NAN, NAN]}))


@pytest.mark.parametrize(
    ("probs", "error", "match"),
    [
        (np.full((3, 2), 0.5), DataMismatchError, r"shape \(3, 2\)"),
        (np.full((4, 2), 0.7), InvalidParameterError, "sum to 1"),
        (np.array([[NAN, 1.0]] * 4), InvalidParameterError, "NaN"),
        (np.array([[-0.5, 1.5]] * 4), InvalidParameterError, "negative"),
        (np.array([0.5, 0.5]), InvalidParameterError, "2-d"),
        (pd.DataFrame({1: [0.5] * 3, 2: [0.5] * 3}), DataMismatchError, "no row for 1"),
        (pd.DataFrame({"p1": [0.5] * 4, "p2": [0.5] * 4}), DataMismatchError, "not among"),
    ],
)
def test_bad_probabilities_are_refused(probs: object, error: type, match: str) -> None:
    wide = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 2, 2, 2]})
    with pytest.raises(error, match=match):
        consensus(wide, probs)


def test_probability_columns_must_cover_the_classes() -> None:
    wide = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 2, 2, 2]})
    probs = pd.DataFrame({1: [0.5] * 4, 2: [0.5] * 4})
    with pytest.raises(DataMismatchError, match="no column for the class"):
        consensus(wide, probs, classes=[1, 2, 3])
    with pytest.raises(DataMismatchError, match="columns that are not classes"):
        consensus(wide, probs.assign(**{"3": 0.0}), classes=[1, 2])


def test_mixed_types_and_outside_labels_are_refused() -> None:
    with pytest.raises(DataMismatchError, match="mix types"):
        consensus(pd.DataFrame({"a": [1, "1"], "b": [1, 1]}))
    with pytest.raises(DataMismatchError, match="not among the classes"):
        consensus(pd.DataFrame({"a": [1, 3], "b": [1, 1]}), classes=[1, 2])
