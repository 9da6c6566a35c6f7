"""agreement() and the annotations reader: published worked examples, properties, bad input.

Truth: Krippendorff's own worked examples ("Computing Krippendorff's alpha-reliability",
2011: nominal alpha 0.095 for two observers on binary data, 0.743 for four observers with
missing values), Fleiss' (1971) psychiatric diagnoses (30 subjects, 6 raters: kappa 0.430,
per category 0.245, 0.245, 0.520, 0.471, 0.566; R's irr::kappam.fleiss gives 0.4302445),
the Fleiss' kappa example of Wikipedia (0.210), and irr::kappa2 on the anxiety data for
Cohen's kappa (-0.006289308), plus scikit-learn's cohen_kappa_score.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from jupyter_dci.core.annotators import agreement, read_annotations
from jupyter_dci.errors import DataMismatchError, DCIWarning, InvalidParameterError

NAN = np.nan

# Krippendorff (2011), section C: 4 observers, 12 units, nominal values 1-5, gaps.
KRIPPENDORFF = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        "C": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    }
)
# Krippendorff (2011), section A: 2 observers, 10 units, binary.
BINARY = pd.DataFrame({"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]})
# Fleiss (1971): 30 patients, 6 psychiatrists each (not the same six), 5 diagnoses.
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip
# Wikipedia's Fleiss' kappa example: 10 subjects x 5 categories, 14 raters each (counts).
WIKIPEDIA_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
)  # fmt: skip
# irr's anxiety data (20 subjects, 3 raters), as statsmodels' tests store it.
ANXIETY = np.array(
    [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3,
     3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4,
     2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
).reshape(20, 3, order="F")  # fmt: skip


def as_long(wide: pd.DataFrame) -> pd.DataFrame:
    stacked = wide.stack(future_stack=True).dropna()
    return pd.DataFrame(
        {
            "row": stacked.index.get_level_values(0),
            "annotator": stacked.index.get_level_values(1),
            "label": stacked.to_numpy(),
        }
    )


def simulated(n: int, accuracies: list[float], k: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    columns = {}
    for j, acc in enumerate(accuracies):
        wrong = (truth + rng.integers(1, k, n)) % k
        columns[f"a{j}"] = np.where(rng.random(n) < acc, truth, wrong)
    return pd.DataFrame(columns)


# -- published examples ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["wide", "long"])
def test_krippendorff_worked_example_with_missing_values(shape: str) -> None:
    data = KRIPPENDORFF if shape == "wide" else as_long(KRIPPENDORFF)
    result = agreement(data)
    assert result.alpha == pytest.approx(0.743, abs=5e-4)
    # Unit 12 has one value: kept, not pairable; Fleiss' kappa is undefined (2 to 4 values).
    assert result.n_pairable == 11
    assert math.isnan(result.fleiss_kappa)
    assert any("Fleiss' kappa is not given" in note for note in result.notes)
    assert any("one label" in note for note in result.notes)
    low, high = result.alpha_ci
    assert low <= result.alpha <= high


def test_krippendorff_binary_example() -> None:
    assert agreement(BINARY).alpha == pytest.approx(0.095, abs=5e-4)


def test_fleiss_1971_diagnoses_overall_and_per_category() -> None:
    result = agreement(DIAGNOSES)
    assert result.fleiss_kappa == pytest.approx(0.4302445, abs=1e-7)
    per_category = result.per_class["fleiss_kappa"].to_numpy()
    assert per_category == pytest.approx([0.245, 0.245, 0.520, 0.471, 0.566], abs=5e-4)
    assert result.per_class["n_labels"].tolist() == [26, 26, 30, 55, 43]
    low, high = result.fleiss_ci
    assert low < result.fleiss_kappa < high


def test_fleiss_wikipedia_example_from_counts() -> None:
    # 14 anonymous raters per subject: the counts spread over 14 columns.
    rows = [np.repeat(np.arange(5), counts) for counts in WIKIPEDIA_COUNTS]
    result = agreement(np.array(rows))
    assert result.fleiss_kappa == pytest.approx(0.210, abs=5e-4)


def test_cohens_kappa_matches_irr_and_scikit_learn() -> None:
    result = agreement(ANXIETY)
    kappa = result.pairwise_kappa.to_numpy()
    assert kappa[1, 2] == pytest.approx(-0.006289308, abs=1e-9)
    for a, b in [(0, 1), (0, 2)]:
        assert kappa[a, b] == pytest.approx(cohen_kappa_score(ANXIETY[:, a], ANXIETY[:, b]))
        assert kappa[b, a] == kappa[a, b]
    assert np.diag(kappa).tolist() == [1.0, 1.0, 1.0]
    assert np.diag(result.shared_rows.to_numpy()).tolist() == [20, 20, 20]


def test_pairwise_kappa_uses_only_the_rows_both_labelled() -> None:
    data = simulated(200, [0.9, 0.7, 0.6], seed=1).astype(float)
    data.iloc[:50, 0] = NAN
    data.iloc[150:, 1] = NAN
    result = agreement(data)
    both = data.iloc[50:150]
    want = cohen_kappa_score(both["a0"].astype(int), both["a1"].astype(int))
    assert result.pairwise_kappa.loc["a0", "a1"] == pytest.approx(want)
    assert result.shared_rows.loc["a0", "a1"] == 100


# -- hand-computed small cases -----------------------------------------------------------------


def test_small_case_by_hand() -> None:
    wide = pd.DataFrame(
        {
            "ann": ["cat", "dog", "dog", "cat", "cat", "dog"],
            "bob": ["cat", "dog", "cat", "cat", "cat", "dog"],
        }
    )
    result = agreement(wide)
    # 12 values (7 cat, 5 dog), 5 agreeing rows: alpha = 1 - 11 * 2 / (144 - 49 - 25).
    assert result.alpha == pytest.approx(1 - 22 / 70)
    # Fleiss: P = 10/12, Pe = (49 + 25) / 144.
    pe = 74 / 144
    assert result.fleiss_kappa == pytest.approx((10 / 12 - pe) / (1 - pe))
    assert result.confusion.loc["cat", "dog"] == 1
    assert result.confusion.loc["dog", "cat"] == 1
    assert result.confusion.loc["cat", "cat"] == 6  # 3 agreeing rows x 2 ordered pairs
    assert result.annotators["agreement"].tolist() == [5 / 6, 5 / 6]
    # Given a cat label, the other label of its row is cat in 6 of 7 cases.
    assert result.per_class.loc["cat", "specific_agreement"] == pytest.approx(6 / 7)
    assert result.contested.index.tolist() == [2]
    pairs = result.confused_pairs
    assert pairs.iloc[0][["class_a", "class_b", "n_pairs"]].tolist() == ["cat", "dog", 1]


def test_per_row_scores_and_order() -> None:
    wide = pd.DataFrame(
        {
            "a": ["x", "x", "x", "y", None],
            "b": ["x", "y", "x", "z", "x"],
            "c": ["x", "y", None, "x", None],
        },
        index=["r0", "r1", "r2", "r3", "r4"],
    )
    frame = agreement(wide).frame
    # r3: three different labels (score 0, entropy 1); r1: 2-1 (1/3 of pairs agree);
    # r0, r2: unanimous; r4: one label (NaN), last.
    assert frame.index.tolist() == ["r3", "r1", "r0", "r2", "r4"]
    assert frame.loc["r3", "agreement_score"] == 0.0
    assert frame.loc["r3", "entropy"] == pytest.approx(1.0)
    assert frame.loc["r1", "agreement_score"] == pytest.approx(1 / 3)
    assert frame.loc["r1", "majority_label"] == "y"
    assert frame.loc["r1", "majority_share"] == pytest.approx(2 / 3)
    assert math.isnan(frame.loc["r4", "agreement_score"])
    assert frame["is_agreement_issue"].tolist() == [True, True, False, False, False]


def test_an_annotators_agreement_is_the_share_of_others_agreeing() -> None:
    wide = pd.DataFrame({"a": [1, 1, 2], "b": [1, 2, 2], "c": [1, 2, 1]})
    result = agreement(wide)
    # a: row0 2/2, row1 0/2, row2 1/2 -> 1/2; b: 1, 1/2, 1/2 -> 2/3; c: 1, 1/2, 0 -> 1/2.
    assert result.annotators["agreement"].tolist() == pytest.approx([1 / 2, 2 / 3, 1 / 2])


# -- properties --------------------------------------------------------------------------------


def test_permuting_rows_and_annotators_changes_nothing() -> None:
    data = simulated(300, [0.9, 0.8, 0.7, 0.5], seed=2).astype(float)
    rng = np.random.default_rng(3)
    data = data.mask(rng.random(data.shape) < 0.3)
    shuffled = data.iloc[rng.permutation(len(data)), [2, 0, 3, 1]]
    one, two = agreement(data, n_boot=0), agreement(shuffled, n_boot=0)
    assert two.alpha == pytest.approx(one.alpha)
    pd.testing.assert_frame_equal(two.per_class, one.per_class)
    pd.testing.assert_frame_equal(two.annotators.loc[one.annotators.index], one.annotators)
    names = one.pairwise_kappa.index
    pd.testing.assert_frame_equal(two.pairwise_kappa.loc[names, names], one.pairwise_kappa)
    pd.testing.assert_frame_equal(two.confusion, one.confusion)
    pd.testing.assert_frame_equal(two.frame.loc[one.frame.index], one.frame)


def test_wide_and_long_agree() -> None:
    wide = simulated(120, [0.9, 0.6, 0.7], seed=4).astype(float)
    wide = wide.mask(np.random.default_rng(5).random(wide.shape) < 0.2)
    one, two = agreement(wide), agreement(as_long(wide))
    assert two.alpha == pytest.approx(one.alpha)
    assert two.alpha_ci == pytest.approx(one.alpha_ci)
    pd.testing.assert_frame_equal(two.annotators, one.annotators)


def test_perfect_agreement_and_chance_agreement() -> None:
    same = pd.DataFrame({"a": [0, 1, 2, 0], "b": [0, 1, 2, 0]})
    result = agreement(same)
    assert result.alpha == 1.0 and result.fleiss_kappa == 1.0 and result.n_contested == 0
    rng = np.random.default_rng(6)
    noise = pd.DataFrame(rng.integers(0, 3, (4000, 3)), columns=["a", "b", "c"])
    assert abs(agreement(noise, n_boot=0).alpha) < 0.03


def test_a_single_class_leaves_alpha_undefined_and_says_why() -> None:
    result = agreement(pd.DataFrame({"a": ["x", "x"], "b": ["x", "x"]}))
    assert math.isnan(result.alpha)
    assert any("undefined" in note for note in result.notes)
    assert result.n_contested == 0


def test_intervals_are_seeded_and_narrow_with_more_rows() -> None:
    small = simulated(40, [0.9, 0.7, 0.8], seed=7)
    one, two = agreement(small, seed=1), agreement(small, seed=1)
    assert one.alpha_ci == two.alpha_ci
    assert agreement(small, seed=2).alpha_ci != one.alpha_ci
    big = agreement(simulated(4000, [0.9, 0.7, 0.8], seed=7))
    width = lambda r: r.alpha_ci[1] - r.alpha_ci[0]  # noqa: E731
    assert width(big) < width(one) / 4
    assert any("groups" in note for note in big.notes)  # past 2,000 rows: grouped resamples
    none = agreement(small, n_boot=0)
    assert all(math.isnan(v) for v in none.alpha_ci)
    assert none.per_class["alpha_low"].isna().all()


def test_intervals_cover_the_truth_in_simulation() -> None:
    # Coverage of a 90% interval over 40 independent small studies of one population.
    population = simulated(40_000, [0.8, 0.7], k=3, seed=8)
    truth = agreement(population, n_boot=0).alpha
    covered = 0
    for seed in range(40):
        study = population.sample(60, random_state=seed)
        low, high = agreement(study, n_boot=400, confidence=0.9, seed=seed).alpha_ci
        covered += low <= truth <= high
    assert 30 <= covered <= 40


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3),
        min_size=2,
        max_size=25,
    )
)
def test_scores_stay_in_their_ranges(rows: list[list[int | None]]) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    counts = frame.notna().sum(axis=1)
    labelled = frame.notna().sum(axis=0)
    if (counts >= 2).sum() == 0 or (labelled > 0).sum() < 2:
        return
    result = agreement(frame, n_boot=20)
    scores = result.frame["agreement_score"].dropna()
    assert ((scores >= 0) & (scores <= 1)).all()
    entropy = result.frame["entropy"].dropna()
    assert ((entropy >= -1e-12) & (entropy <= 1 + 1e-12)).all()
    assert math.isnan(result.alpha) or result.alpha <= 1 + 1e-12
    shares = result.annotators["agreement"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert result.confusion.to_numpy().sum() == int((counts * (counts - 1))[counts >= 2].sum())


# -- the result --------------------------------------------------------------------------------


def test_to_dict_is_json_and_bounded() -> None:
    data = simulated(500, [0.6, 0.6, 0.7], seed=9)
    result = agreement(data)
    d = result.to_dict(max_rows=10)
    json.dumps(d, allow_nan=False)
    assert len(d["contested"]) == 10 and d["truncated"]
    assert d["n_contested"] == result.n_contested > 10
    first = d["contested"][0]
    assert set(first["labels"]) == {"a0", "a1", "a2"}
    assert first["index"] == result.contested.index[0]
    assert len(d["confused_pairs"]) <= 20
    assert "Agreement(alpha=" in repr(result)
    with pytest.raises(InvalidParameterError, match="max_rows"):
        result.to_dict(max_rows=-1)


def test_to_frame_is_a_copy() -> None:
    result = agreement(BINARY)
    frame = result.to_frame()
    frame["n_labels"] = 0
    assert result.frame["n_labels"].max() == 2


# -- annotations input and bad input -----------------------------------------------------------


def test_annotator_without_labels_is_kept_with_nan_figures() -> None:
    wide = BINARY.assign(C=NAN)
    result = agreement(wide)
    assert result.alpha == pytest.approx(0.095, abs=5e-4)
    assert result.annotators.loc["C", "n_labels"] == 0
    assert math.isnan(result.annotators.loc["C", "agreement"])
    assert any("no label" in note for note in result.notes)


def test_rows_nobody_labelled_are_kept_and_left_out() -> None:
    wide = pd.concat([BINARY, pd.DataFrame({"A": [NAN], "B": [NAN]}, index=[99])])
    result = agreement(wide)
    assert result.alpha == pytest.approx(0.095, abs=5e-4)
    assert result.frame.loc[99, "n_labels"] == 0
    assert result.frame.index[-1] == 99


def test_a_single_annotator_is_refused() -> None:
    with pytest.raises(DataMismatchError, match="at least 2 annotators; got 1"):
        agreement(pd.DataFrame({"a": [1, 2], "b": [NAN, NAN]}))


def test_no_row_with_two_labels_is_refused() -> None:
    with pytest.raises(DataMismatchError, match="labelled by two annotators"):
        agreement(pd.DataFrame({"a": [1, NAN], "b": [NAN, 2]}))


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        ([1, 2], ["1", "2"], r"1 \(int\), '1' \(str\)"),
        ([True, False], [1, 0], r"True \(bool\), 1 \(int\)"),  # True == 1: not one class
        ([1, "x"], [1, 2], r"1 \(int\), 'x' \(str\)"),
    ],
)
def test_mixed_types_are_refused(a: list[object], b: list[object], match: str) -> None:
    with pytest.raises(DataMismatchError, match="mix types: " + match):
        agreement(pd.DataFrame({"a": a, "b": b}))


def test_labels_outside_the_classes_are_refused() -> None:
    with pytest.raises(DataMismatchError, match=r"not among the classes: \['bird'\]"):
        agreement(pd.DataFrame({"a": ["cat", "bird"], "b": ["cat", "dog"]}), classes=["cat", "dog"])


def test_classes_add_unused_classes_in_their_order() -> None:
    result = agreement(
        pd.DataFrame({"a": ["dog", "cat"], "b": ["dog", "dog"]}), classes=["dog", "cat", "cow"]
    )
    assert result.classes == ("dog", "cat", "cow")
    assert result.per_class.loc["cow", "n_labels"] == 0
    assert math.isnan(result.per_class.loc["cow", "alpha"])


def test_integer_labels_in_a_wide_frame_with_gaps_stay_integers() -> None:
    data = read_annotations(pd.DataFrame({"a": [1, 2, NAN], "b": [1, 1, 2]}))
    assert list(data.classes) == [1, 2]
    assert data.classes.dtype.kind == "i"


def test_categorical_and_nullable_columns_are_read() -> None:
    wide = pd.DataFrame(
        {
            "a": pd.Categorical(["x", None, "y"], categories=["x", "y", "z"]),
            "b": pd.array(["x", "y", pd.NA], dtype="string"),
        }
    )
    data = read_annotations(wide)
    assert data.codes.tolist() == [[0, 0], [-1, 1], [1, -1]]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (pd.DataFrame(), "non-empty"),
        ([1, 2, 3], "a pandas DataFrame"),
        (pd.DataFrame([[1, 2], [1, 2]], columns=["a", "a"]), "name an annotator twice"),
        (pd.DataFrame({"a": [1, 2], "b": [1, 2]}, index=[0, 0]), "repeated row keys"),
        (pd.DataFrame({"task": [1], "worker": ["w"], "label": [1]}), "no 'annotator' column"),
    ],
)
def test_bad_annotations_are_refused(data: object, match: str) -> None:
    with pytest.raises((InvalidParameterError, DataMismatchError), match=match):
        agreement(data)


@pytest.mark.parametrize(
    ("option", "match"),
    [({"n_boot": -1}, "n_boot"), ({"confidence": 1.0}, "confidence"), ({"seed": "x"}, "seed")],
)
def test_bad_options_are_refused(option: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        agreement(BINARY, **option)  # type: ignore[arg-type]


def test_long_form_names_and_relabels() -> None:
    long = pd.DataFrame(
        {
            "item": [1, 1, 2, 2, 1],
            "who": ["ann", "bob", "ann", "bob", "ann"],
            "y": ["cat", "dog", "dog", "dog", "dog"],
            "when": [1, 1, 1, 1, 2],
        }
    )
    data = read_annotations(long, row="item", annotator="who", label="y", time="when")
    # ann relabelled row 1 later: dog is kept.
    assert data.to_wide().astype(object).loc[1].tolist() == ["dog", "dog"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agreement(long, row="item", annotator="who", label="y", time="when")
    with pytest.warns(DCIWarning, match="last one in the frame's order"):
        result = read_annotations(long.drop(columns="when"), row="item", annotator="who", label="y")
    assert result.to_wide().astype(object).loc[1].tolist() == ["dog", "dog"]
    with pytest.raises(InvalidParameterError, match="'row' parameter"):
        read_annotations(long, row="nope", annotator="who", label="y")


def test_long_form_without_row_column_uses_the_index() -> None:
    long = as_long(BINARY).set_index("row")
    assert agreement(long).alpha == pytest.approx(0.095, abs=5e-4)
