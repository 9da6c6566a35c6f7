"""The numeric steps of confident learning, vectorised over blocks of class-major probabilities.

Everything takes integer label codes (n,) and probabilities ``probs`` (n, K) and returns
arrays; :mod:`jupyter_dci.core.labels._find` turns them into a result. See that module for the
method and the references. The passes over every row go through
:func:`~jupyter_dci.core.labels._input.class_major_blocks`, which hands them cache-sized
class-major blocks; their arithmetic is done in the same order as on a full class-major copy,
so the results are the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from jupyter_dci.core.labels._input import block_bounds, class_major_blocks, first_argmax

# Two probabilities this close are a tie: a row whose given label ties for the top stays
# unflagged, and a class exactly at its threshold counts as confident.
TIE = 1e-6
# Thresholds for a class nobody is labelled with: above any probability, so never confident.
_NEVER = 2.0


@dataclass(frozen=True)
class Joint:
    """What confident learning estimates, before any row is flagged."""

    thresholds: np.ndarray
    raw: np.ndarray
    calibrated: np.ndarray
    label_counts: np.ndarray


def round_rows(matrix: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Round each row to integers that still add up to its (integer) total.

    Round to nearest, then move the surplus or deficit by one unit at a time to the cells
    rounded furthest the other way. Tied cells are taken from the right when adding and from
    the left when removing, the order cleanlab uses, so that equal inputs give equal joints.
    """
    rounded = np.round(matrix)
    for i, row in enumerate(matrix):
        diff = round(totals[i] - rounded[i].sum())
        if diff == 0:
            continue
        residual = row - rounded[i]
        order = np.argsort(residual, kind="stable")
        cells = order[::-1][:diff] if diff > 0 else order[:-diff]
        rounded[i, cells] += np.sign(diff)
    return rounded.astype(np.int64)


def class_thresholds(counts: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Per class: the mean probability of its own class over the rows labelled with it.

    ``counts`` and ``sums`` are the rows of each label and their summed own-class
    probability. A class nobody is labelled with gets a threshold above any probability.
    """
    thresholds = np.where(counts > 0, sums / np.maximum(counts, 1), _NEVER)
    return np.maximum(thresholds, 2 * TIE)


def _best_above(
    probs: np.ndarray, rows: np.ndarray, floors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For ``rows``: the highest probability among the classes at or above their floor.

    Returns that probability (-1 when no class reaches its floor) and its class, the first on
    ties (0 when none).
    """
    best = np.empty(len(rows))
    found = np.empty(len(rows), dtype=np.intp)
    for start, stop, block in class_major_blocks(probs, rows):
        # Classes below their floor drop to -1, under any probability: the maximum and its
        # first class are then those of the classes above.
        np.copyto(block, -1.0, where=block < floors[:, None])
        np.maximum.reduce(block, axis=0, out=best[start:stop])
        first_argmax(block, best[start:stop], found[start:stop])
    return best, found


def confident_joint(
    codes: np.ndarray, probs: np.ndarray, own: np.ndarray, top: np.ndarray, argmax: np.ndarray
) -> Joint:
    """Count rows by given label and guessed true class, then calibrate the counts.

    Parameters
    ----------
    codes : numpy.ndarray
        Label codes, shape n.
    probs : numpy.ndarray
        Probabilities, shape (n, K).
    own, top, argmax : numpy.ndarray
        Per row: the probability of the given label, the highest one and its class.

    Returns
    -------
    Joint
        Thresholds, raw and calibrated joint, and the count of each label.
    """
    n, k = probs.shape
    counts = np.bincount(codes, minlength=k)
    thresholds = class_thresholds(counts, np.bincount(codes, weights=own, minlength=k))
    floors = thresholds - TIE
    # The guessed true class: the most probable among the classes above their threshold.
    # When the top class is above its own threshold it is that class; only the other rows
    # need a search over the classes.
    confident = top >= floors.take(argmax)
    # Cell of each row in the flattened joint; rows that are not confident go to an extra
    # cell k * k, cut off below, which spares two boolean selections of n rows.
    cell = codes * k
    cell += argmax
    rest = np.flatnonzero(~confident)
    if len(rest):
        best, found = _best_above(probs, rest, floors)
        found += codes[rest] * k
        cell[rest] = np.where(best >= 0, found, k * k)
    raw = np.bincount(cell, minlength=k * k + 1)[: k * k].reshape(k, k)
    calibrated = calibrate(raw, counts, n)
    return Joint(thresholds=thresholds, raw=raw, calibrated=calibrated, label_counts=counts)


def calibrate(raw: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """Rescale each row of the raw joint to its label's count; round to integers summing to n.

    ``raw`` gets at least 1 on its diagonal, in place: every present class keeps one confident
    "correct" row, so no row of the joint is empty and calibration never divides by zero.
    Shared by the numpy path and the engine path (``_lazy``), which counts ``raw`` in its engine.
    """
    np.fill_diagonal(raw, np.maximum(raw.diagonal(), 1))
    scaled = raw / raw.sum(axis=1, keepdims=True) * counts[:, None]
    scaled = scaled / max(scaled.sum(), 1e-300) * n
    return round_rows(scaled, counts)


def class_groups(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions grouped by class and each group's start."""
    # numpy sorts 16-bit keys by radix: ~10x faster than sorting int64 codes.
    keys = codes.astype(np.uint16) if k <= np.iinfo(np.uint16).max else codes
    order = np.argsort(keys, kind="stable")
    starts = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=k))))
    return order, starts


def prune_by_noise_rate(
    codes: np.ndarray, probs: np.ndarray, joint: np.ndarray, own: np.ndarray, top: np.ndarray
) -> np.ndarray:
    """For each cell (given i, true j) of the joint, flag its count of rows by margin P_j - P_i.

    Exact, but cheap: the rows with the largest margins towards class j are nearly always
    among the few where ``P_j >= P_given`` (so the given label is not the top class); only
    when those are too few is the whole class searched.
    """
    n, k = probs.shape
    mask = np.zeros(n, dtype=bool)
    groups: tuple[np.ndarray, np.ndarray] | None = None
    doubtful = np.flatnonzero(own < top)
    sub_cols = np.ascontiguousarray(np.take(probs, doubtful, axis=0).T)
    sub_own, sub_codes = own[doubtful], codes[doubtful]
    totals = joint.sum(axis=1)
    for j in range(k):
        need = np.minimum(joint[:, j], totals)
        need[j] = 0
        if not need.any():
            continue
        gap = sub_own - sub_cols[j]
        near = gap <= 0
        near &= sub_codes != j
        candidates = np.flatnonzero(near)
        candidate_codes = sub_codes[candidates]
        for i in np.flatnonzero(need):
            m = int(need[i])
            rows = candidates[candidate_codes == i]
            if len(rows) >= m:
                if m < len(rows):
                    rows = rows[np.argpartition(gap[rows], m - 1)[:m]]
                mask[doubtful[rows]] = True
                continue
            groups = groups or class_groups(codes, k)
            rows = groups[0][groups[1][i] : groups[1][i + 1]]
            if m < len(rows):
                rows = rows[np.argpartition(own[rows] - probs[rows, j], m - 1)[:m]]
            mask[rows] = True
    return mask


def keep_one_per_class(joint: np.ndarray) -> np.ndarray:
    """Never flag every row of a class: keep at least one, as a class cannot vanish."""
    kept = joint.copy()
    diagonal = kept.diagonal().copy()
    short = np.maximum(1 - diagonal, 0) * (kept.sum(axis=1) > 1)
    for i in np.flatnonzero(short):
        j = np.argmax(np.where(np.arange(len(kept)) == i, -1, kept[i]))
        kept[i, j] -= short[i]
        kept[i, i] += short[i]
    return kept


def noise_matrix(joint: np.ndarray) -> np.ndarray:
    """``T[i, j] = P(given i | true j)`` from the calibrated joint (columns sum to 1)."""
    return joint / np.maximum(joint.sum(axis=0, keepdims=True), 1)


def _weighted_blocks(
    codes: np.ndarray, probs: np.ndarray, noise: np.ndarray
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield ``(start, stop, w)``, ``w[j, i] = probs[i, j] * noise[codes[i], j]`` (class-major).

    ``w`` covers rows ``start:stop`` and is overwritten by the next block.
    """
    n, k = probs.shape
    if probs.T.flags.c_contiguous:
        # Class-major input: the blocks are free views; gather noise[codes, j] class by class.
        by_class = np.ascontiguousarray(noise.T)
        for start, stop, block in class_major_blocks(probs):
            # mode="clip" (codes are valid) spares take a bounds check and a buffered copy.
            weight = by_class.take(codes[start:stop], axis=1, mode="clip")
            weight *= block
            yield start, stop, weight
        return
    # Row-major input has to be transposed anyway: multiply row by row first (gathering whole
    # rows of noise is cheap), then transpose the product, ~20% faster than the other way.
    buffer = np.empty((k, 0))
    for start, stop in block_bounds(n, k):
        if buffer.shape[1] < stop - start:  # the first block is the widest: one buffer
            buffer = np.empty((k, stop - start))
        product = noise.take(codes[start:stop], axis=0, mode="clip")
        product *= probs[start:stop]
        weight = buffer[:, : stop - start]
        np.copyto(weight, product.T)
        yield start, stop, weight


def posterior_correct(
    codes: np.ndarray, probs: np.ndarray, noise: np.ndarray, own: np.ndarray
) -> np.ndarray:
    """P(true class == given label | probabilities, given label), under the estimated noise.

    With ``T[i, j] = P(given i | true j)``, Bayes' rule gives ``P_y T[y, y] / sum_j P_j T[y, j]``:
    a row is suspect when its probabilities point to classes that are often *mislabelled as*
    its given label, not merely when ``P_y`` is low.

    Parameters
    ----------
    codes : numpy.ndarray
        Label codes, shape n.
    probs : numpy.ndarray
        Probabilities, shape (n, K).
    noise : numpy.ndarray
        The noise matrix ``T``, shape (K, K).
    own : numpy.ndarray
        Per row: the probability of the given label.

    Returns
    -------
    numpy.ndarray
        The posterior, in [0, 1], shape n.
    """
    diagonal = noise.diagonal().copy()
    out = np.empty(len(codes))
    for start, stop, weight in _weighted_blocks(codes, probs, noise):
        total = out[start:stop]
        # Summed class by class, in column order, as the unblocked formula would: the same
        # posterior to the last bit, whatever the block size.
        np.add.reduce(weight, axis=0, out=total)
        np.maximum(total, 1e-300, out=total)
        numerator = diagonal.take(codes[start:stop], mode="clip")
        numerator *= own[start:stop]
        np.divide(numerator, total, out=total)
    return np.clip(out, 0.0, 1.0, out=out)


def kth_smallest(values: np.ndarray, k: int) -> float:
    """Return the ``k``-th smallest value (1-based): ``np.partition(values, k - 1)[k - 1]``.

    When ``k`` is a small share of many values, a strided sample gives a bound a little above
    the answer; if at least ``k`` values are at or below it, those values hold the ``k``
    smallest and only they are partitioned (~3x faster at a million). Else, the whole array.
    """
    n = len(values)
    if n >= 1 << 16 and k <= n // 4:
        sample = values[:: n >> 12]
        # A sample quantile above k/n, with a margin of ~4 binomial standard deviations.
        at = min(len(sample) - 1, int(len(sample) * k / n * 1.1) + 32)
        bound = np.partition(sample, at)[at]
        below = values[values <= bound]
        if len(below) >= k:
            return float(np.partition(below, k - 1)[k - 1])
    return float(np.partition(values, k - 1)[k - 1])


def top_k_lowest(score: np.ndarray, k: int, tiebreak: np.ndarray) -> np.ndarray:
    """Mask of the ``k`` lowest scores; ties at the cut go to the lowest ``tiebreak``.

    Breaking ties by a property of the row rather than by its position keeps the result
    independent of the row order.
    """
    mask = np.zeros(len(score), dtype=bool)
    if k >= len(score):
        mask[:] = True
        return mask
    if k <= 0:
        return mask
    cut = kth_smallest(score, k)
    mask = score < cut
    tied = np.flatnonzero(score == cut)
    wanted = k - int(mask.sum())
    mask[tied[np.argsort(tiebreak[tied], kind="stable")[:wanted]]] = True
    return mask


def expected_f1_cut(score: np.ndarray) -> np.ndarray:
    """Flag the rows that maximise the expected F1, if ``1 - score`` is each row's error chance.

    With ``q = 1 - score``, flagging a set A has expected F1 close to
    ``2 * sum(q[A]) / (|A| + sum(q))``. For a ratio like this the best set is always
    ``{q > F*/2}``; Dinkelbach's iteration (F <- F of {q > F/2}) reaches it in a few linear
    passes, with no sort, and rows tied on the threshold are treated alike.
    """
    q = 1.0 - score
    total = float(q.sum())
    mask = np.zeros(len(q), dtype=bool)
    if total <= 0:
        return mask
    best, size = 0.0, -1
    for _ in range(100):
        chosen = q > best / 2
        count = int(np.count_nonzero(chosen))
        # The threshold only rises, so the chosen set only shrinks: the same count is the
        # same set, whose F cannot beat itself. Stop before summing it again.
        if count == size:
            break
        value = 2.0 * float(q.sum(where=chosen)) / (count + total)
        if value <= best + 1e-12:
            break
        best, mask, size = value, chosen, count
    return mask


def rank_order(flags: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Positions sorted flagged first, then by score (2**-31 resolution), ties by position.

    A two-pass LSD radix sort on 16-bit halves of a 32-bit key: numpy radix-sorts 16-bit
    keys, 3-4x faster than a comparison sort of the floats at a million rows.
    """
    scaled = np.clip(score, 0.0, 1.0)
    scaled *= 2**31 - 1
    key = scaled.astype(np.uint32)
    key |= np.left_shift(~flags, 31, dtype=np.uint32)
    # astype to uint16 keeps the low 16 bits; gathering the 2-byte high halves is cheaper
    # than gathering the 4-byte keys, and take ~3x faster than fancy indexing.
    low = np.argsort(key.astype(np.uint16), kind="stable")
    high = np.argsort((key >> 16).astype(np.uint16).take(low), kind="stable")
    return low.take(high)
