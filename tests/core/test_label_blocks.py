"""Blocked confident learning: every block size, memory order and edge gives the same bits.

The passes over all rows walk cache-sized blocks (``class_major_blocks``). These tests pin
them to the plain, unblocked formulas (the implementation before blocking, kept here as the
reference) and check that block boundaries never show: n smaller than a block, n a block
plus one, n not a multiple of the block size.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_dci.core.labels import _input as _label_input
from jupyter_dci.core.labels._confident import (
    TIE,
    confident_joint,
    expected_f1_cut,
    kth_smallest,
    posterior_correct,
    rank_order,
)
from jupyter_dci.core.labels._find import find_label_issues
from jupyter_dci.core.labels._input import (
    block_bounds,
    class_major_blocks,
    validate_labels_and_probs,
)
from jupyter_dci.core.labels._scores import label_scores, self_confidence
from jupyter_dci.errors import InvalidParameterError


def problem(n: int, k: int, seed: int, grid: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities; ``grid`` puts them on multiples of 1/grid (many exact ties)."""
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(k, 0.5), size=n)
    if grid is not None:
        probs = np.array([rng.multinomial(grid, row) for row in probs]) / grid
    labels = rng.integers(0, k, n)
    labels[:2] = [0, 1][:n]
    return labels, probs


def layouts(probs: np.ndarray) -> dict[str, np.ndarray]:
    k = probs.shape[1]
    return {
        "C": np.ascontiguousarray(probs),
        "F": np.asfortranarray(probs),
        "strided": np.hstack([probs, probs])[:, :k],
    }


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 7 rows at most: every test input then spans many blocks and a ragged end."""
    monkeypatch.setattr(_label_input, "BLOCK_CELLS", 7 * 3)
    monkeypatch.setattr(_label_input, "MIN_BLOCK_ROWS", 7)


# --- the reference: the unblocked class-major code ------------------------------------------


def reference_row_max(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best = cols.max(axis=0)
    where = np.zeros(cols.shape[1], dtype=np.intp)
    for j in range(cols.shape[0] - 1, 0, -1):
        where[cols[j] == best] = j
    return best, where


def reference_posterior(codes: np.ndarray, cols: np.ndarray, noise: np.ndarray) -> np.ndarray:
    own = cols[codes, np.arange(len(codes))] * noise[codes, codes]
    total = np.zeros(len(codes))
    for j, column in enumerate(cols):
        total += noise[:, j][codes] * column
    return np.clip(own / np.maximum(total, 1e-300), 0.0, 1.0)


def reference_guess(cols: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best = np.full(cols.shape[1], -1.0)
    found = np.zeros(cols.shape[1], dtype=np.intp)
    for j, column in enumerate(cols):
        better = (column > best) & (column >= thresholds[j] - TIE)
        best[better] = column[better]
        found[better] = j
    return best, found


def reference_f1_cut(score: np.ndarray) -> np.ndarray:
    q = 1.0 - score
    total = float(q.sum())
    mask = np.zeros(len(q), dtype=bool)
    if total <= 0:
        return mask
    best = 0.0
    for _ in range(100):
        chosen = q > best / 2
        value = 2.0 * float(q.sum(where=chosen)) / (int(np.count_nonzero(chosen)) + total)
        if value <= best + 1e-12:
            break
        best, mask = value, chosen
    return mask


def bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)


# --- the blocks themselves ------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 6, 7, 8, 14, 15, 50])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_blocks_tile_the_rows(small_blocks, n, layout):
    probs = layouts(problem(n, 3, seed=n)[1])[layout]
    pieces, edges = [], []
    for start, stop, block in class_major_blocks(probs):
        assert block.shape == (3, stop - start) and 0 < stop - start <= 7
        pieces.append(block.copy())  # the buffer is reused: copy before the next block
        edges.append((start, stop))
    assert edges[0][0] == 0 and edges[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(edges))
    np.testing.assert_array_equal(np.hstack(pieces), probs.T)


@pytest.mark.parametrize("n_rows", [0, 1, 7, 9, 30])
def test_blocks_of_selected_rows(small_blocks, n_rows):
    probs = problem(40, 4, seed=1)[1]
    rows = np.random.default_rng(n_rows).choice(40, n_rows, replace=False)
    pieces = [block.copy() for _, _, block in class_major_blocks(probs, rows)]
    np.testing.assert_array_equal(np.hstack(pieces) if pieces else np.empty((4, 0)), probs[rows].T)


def test_default_blocks_fit_the_cache_and_stay_large_with_many_classes():
    steps = {k: next(block_bounds(10**6, k))[1] for k in (10, 5000)}
    assert steps[10] * 10 * 8 <= 2**20  # one block of 10 classes fits 1 MiB
    assert steps[5000] == _label_input.MIN_BLOCK_ROWS


# --- each blocked step equals its unblocked reference, to the bit ---------------------------


@pytest.mark.parametrize("blocks", ["default", "small"])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize(("n", "k", "grid"), [(50, 3, None), (301, 10, None), (400, 4, 10)])
def test_steps_match_the_unblocked_reference(request, blocks, layout, n, k, grid):
    if blocks == "small":
        request.getfixturevalue("small_blocks")
    labels, raw = problem(n, k, seed=n + k, grid=grid)
    probs = layouts(raw)[layout]
    cols = np.ascontiguousarray(raw.T)
    data = validate_labels_and_probs(labels, probs, None, "f")
    best, where = reference_row_max(cols)
    np.testing.assert_array_equal(bits(data.top), bits(best))
    np.testing.assert_array_equal(data.argmax, where)
    own = self_confidence(data.codes, probs)
    np.testing.assert_array_equal(bits(own), bits(raw[np.arange(n), labels]))
    joint = confident_joint(data.codes, probs, own, data.top, data.argmax)
    guess_best, guess = reference_guess(cols, joint.thresholds)
    confident = data.top >= joint.thresholds[data.argmax] - TIE
    guess = np.where(confident, data.argmax, guess)
    confident |= guess_best >= 0
    raw_joint = np.zeros((k, k), dtype=np.int64)
    np.add.at(raw_joint, (labels[confident], guess[confident]), 1)
    np.fill_diagonal(raw_joint, np.maximum(raw_joint.diagonal(), 1))
    np.testing.assert_array_equal(joint.raw, raw_joint)
    noise = np.random.default_rng(k).dirichlet(np.ones(k), size=k).T
    np.testing.assert_array_equal(
        bits(posterior_correct(data.codes, probs, noise, own)),
        bits(reference_posterior(labels, cols, noise)),
    )


def test_a_tie_with_class_zero_goes_to_the_other_class():
    # What the package always returned (the backward walk never reached class 0); kept.
    probs = np.array([[0.5, 0.0, 0.5], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4], [0.1, 0.45, 0.45]])
    data = validate_labels_and_probs([0, 1, 2, 1], probs, None, "f")
    assert data.argmax.tolist() == [2, 1, 2, 1]


# --- whole results: the same whatever the blocks and the memory order -----------------------


@pytest.mark.parametrize("n", [5, 7, 8, 13, 64, 1000])
@pytest.mark.parametrize("filter_by", ["confident_learning", "prune_by_noise_rate", "expected_f1"])
def test_block_size_does_not_change_the_result(monkeypatch, n, filter_by):
    labels, probs = problem(n, 5, seed=n, grid=20 if n == 1000 else None)
    whole = find_label_issues(labels, probs, filter_by=filter_by)
    monkeypatch.setattr(_label_input, "BLOCK_CELLS", 7 * 5)
    monkeypatch.setattr(_label_input, "MIN_BLOCK_ROWS", 7)
    for layout, array in layouts(probs).items():
        blocked = find_label_issues(labels, array, filter_by=filter_by)
        pd.testing.assert_frame_equal(blocked.frame, whole.frame, check_exact=True, obj=layout)
        pd.testing.assert_frame_equal(blocked.confident_joint, whole.confident_joint)
        np.testing.assert_array_equal(bits(blocked.thresholds), bits(whole.thresholds))


def test_dataframe_and_array_inputs_agree():
    labels, probs = problem(3000, 6, seed=4)
    frame = pd.DataFrame(probs)  # .to_numpy() of a float frame is Fortran-ordered
    a, b = find_label_issues(labels, probs), find_label_issues(pd.Series(labels), frame)
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    for method in ("self_confidence", "normalized_margin", "confidence_weighted_entropy"):
        pd.testing.assert_series_equal(
            label_scores(labels, probs, method=method),
            label_scores(labels, frame, method=method),
            check_exact=True,
        )


def test_class_major_copy_is_made_on_demand():
    labels, probs = problem(20, 3, seed=0)
    data = validate_labels_and_probs(labels, probs, None, "f")
    assert "cols" not in vars(data)
    np.testing.assert_array_equal(data.cols, probs.T)
    assert data.cols.flags.c_contiguous and data.cols is data.cols


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda p: p.__setitem__((9, 1), np.nan), r"1 row\(s\), at positions \[9\]"),
        (
            lambda p: p.__setitem__((15, 0), -0.5),
            r"negative values in 1 row\(s\), at positions \[15\]",
        ),
        (lambda p: p.__setitem__((20, 2), 3.0), "e.g. row 20 sums to"),
    ],
)
def test_errors_point_at_rows_in_later_blocks(small_blocks, damage, match):
    labels, probs = problem(24, 3, seed=2)
    damage(probs)
    with pytest.raises(InvalidParameterError, match=match):
        find_label_issues(labels, probs)


# --- sorting and cuts -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [10, 1000, 1 << 16, 200_003])
@pytest.mark.parametrize("share", [0.0001, 0.1, 0.25, 0.6])
def test_kth_smallest_matches_partition(n, share):
    rng = np.random.default_rng(n)
    values = np.round(rng.random(n) ** 3, 4)  # ties included
    k = max(1, int(n * share))
    assert kth_smallest(values, k) == np.partition(values, k - 1)[k - 1]


def test_kth_smallest_when_the_sample_misleads():
    # Every sampled position holds the smallest values: the sample's bound is too low and
    # the whole array is partitioned instead.
    n = 1 << 17
    values = np.ones(n)
    values[:: n >> 12] = 0.0
    values[1 :: n >> 12] = 0.5
    k = 5000
    assert kth_smallest(values, k) == np.partition(values, k - 1)[k - 1] == 0.5


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3000), st.sampled_from([None, 3, 50]))
def test_expected_f1_cut_matches_the_reference(seed, n, decimals):
    score = np.random.default_rng(seed).beta(5, 1, n)
    if decimals is not None:
        score = np.round(score, decimals)
    np.testing.assert_array_equal(expected_f1_cut(score), reference_f1_cut(score))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5000))
def test_rank_order_is_a_stable_sort_of_the_key(seed, n):
    rng = np.random.default_rng(seed)
    score = np.round(rng.random(n), 3)
    flags = rng.random(n) < 0.2
    scaled = (score * (2**31 - 1)).astype(np.int64)
    expected = np.lexsort((np.arange(n), scaled, ~flags))
    np.testing.assert_array_equal(rank_order(flags, score), expected)
