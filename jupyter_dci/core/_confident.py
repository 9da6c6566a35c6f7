"""The numeric steps of confident learning, vectorised over class-major probabilities.

Everything takes integer label codes (n,) and probabilities ``cols`` (K, n) and returns
arrays; :mod:`jupyter_dci.core._labels` turns them into a result. See that module for the
method and the references.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def confident_joint(
    codes: np.ndarray, cols: np.ndarray, own: np.ndarray, top: np.ndarray, argmax: np.ndarray
) -> Joint:
    k, n = cols.shape
    counts = np.bincount(codes, minlength=k)
    sums = np.bincount(codes, weights=own, minlength=k)
    thresholds = np.where(counts > 0, sums / np.maximum(counts, 1), _NEVER)
    thresholds = np.maximum(thresholds, 2 * TIE)
    # The guessed true class: the most probable among the classes above their threshold.
    # When the top class is above its own threshold it is that class; only the other rows
    # need a search over the classes.
    guess = argmax.copy()
    confident = top >= thresholds[argmax] - TIE
    rest = np.flatnonzero(~confident)
    if len(rest):
        best = np.full(len(rest), -1.0)
        found = np.zeros(len(rest), dtype=np.intp)
        better = np.empty(len(rest), dtype=bool)
        above = np.empty(len(rest), dtype=bool)
        for j, column in enumerate(cols[:, rest]):
            np.greater_equal(column, thresholds[j] - TIE, out=above)
            np.greater(column, best, out=better)
            better &= above
            np.copyto(best, column, where=better)
            np.copyto(found, j, where=better)
        guess[rest] = found
        confident[rest] = best >= 0
    raw = np.bincount(codes[confident] * k + guess[confident], minlength=k * k).reshape(k, k)
    # Every present class keeps at least one confident "correct" row, so no row of the joint
    # is empty and calibration never divides by zero.
    np.fill_diagonal(raw, np.maximum(raw.diagonal(), 1))
    scaled = raw / raw.sum(axis=1, keepdims=True) * counts[:, None]
    scaled = scaled / max(scaled.sum(), 1e-300) * n
    calibrated = round_rows(scaled, counts)
    return Joint(thresholds=thresholds, raw=raw, calibrated=calibrated, label_counts=counts)


def class_groups(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions grouped by class and each group's start."""
    # numpy sorts 16-bit keys by radix: ~10x faster than sorting int64 codes.
    keys = codes.astype(np.uint16) if k <= np.iinfo(np.uint16).max else codes
    order = np.argsort(keys, kind="stable")
    starts = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=k))))
    return order, starts


def prune_by_noise_rate(
    codes: np.ndarray, cols: np.ndarray, joint: np.ndarray, own: np.ndarray, top: np.ndarray
) -> np.ndarray:
    """For each cell (given i, true j) of the joint, flag its count of rows by margin P_j - P_i.

    Exact, but cheap: the rows with the largest margins towards class j are nearly always
    among the few where ``P_j >= P_given`` (so the given label is not the top class); only
    when those are too few is the whole class searched.
    """
    k, n = cols.shape
    mask = np.zeros(n, dtype=bool)
    groups: tuple[np.ndarray, np.ndarray] | None = None
    doubtful = np.flatnonzero(own < top)
    sub_cols, sub_own, sub_codes = cols[:, doubtful], own[doubtful], codes[doubtful]
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
                rows = rows[np.argpartition(own[rows] - cols[j, rows], m - 1)[:m]]
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


def posterior_correct(codes: np.ndarray, cols: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """P(true class == given label | probabilities, given label), under the estimated noise.

    With ``T[i, j] = P(given i | true j)``, Bayes' rule gives ``P_y T[y, y] / sum_j P_j T[y, j]``:
    a row is suspect when its probabilities point to classes that are often *mislabelled as*
    its given label, not merely when ``P_y`` is low.
    """
    own = cols[codes, np.arange(len(codes))] * noise[codes, codes]
    total = np.zeros(len(codes))
    weight = np.empty(len(codes))  # reused: fresh 8 MB arrays per class cost page faults
    for j, column in enumerate(cols):
        # noise[:, j][codes] is a gather from a K-vector: cheaper than a K x n matrix product.
        noise[:, j].take(codes, out=weight)
        weight *= column
        total += weight
    np.maximum(total, 1e-300, out=total)
    np.divide(own, total, out=total)
    return np.clip(total, 0.0, 1.0, out=total)


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
    cut = np.partition(score, k - 1)[k - 1]
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
    best = 0.0
    for _ in range(100):
        chosen = q > best / 2
        value = 2.0 * float(q.sum(where=chosen)) / (int(np.count_nonzero(chosen)) + total)
        if value <= best + 1e-12:
            break
        best, mask = value, chosen
    return mask


def rank_order(flags: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Positions sorted flagged first, then by score (2**-31 resolution), ties by position.

    A two-pass LSD radix sort on 16-bit halves of a 32-bit key: numpy radix-sorts 16-bit
    keys, 3-4x faster than a comparison sort of the floats at a million rows.
    """
    scaled = (np.clip(score, 0.0, 1.0) * (2**31 - 1)).astype(np.uint32)
    key = scaled | (~flags).astype(np.uint32) << np.uint32(31)
    low = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    high = np.argsort((key[low] >> 16).astype(np.uint16), kind="stable")
    return low[high]
