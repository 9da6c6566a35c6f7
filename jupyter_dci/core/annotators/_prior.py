"""A model's out-of-sample probabilities as each row's prior, calibrated on the annotators.

Given a model's probabilities ``p_i``, the prior of row i's true class becomes
``q_i = a * softmax(log p_i / T) + (1 - a) * rho``: the temperature ``T`` undoes over- or
under-confidence and the share ``a`` says how far the model is trusted at all (``rho`` is the
class prior). Both are fitted by maximising the likelihood of the labels the annotators gave,
``sum_i log sum_k q_ik P(labels of i | k)``, under the current confusions: the model gets the
weight the annotators' labels say it deserves, no more, and a model that is confidently wrong
gets none. EM then runs with that prior; the calibration is fitted again on the new
confusions until it stops moving.

CROWDLAB (Goh, Northcutt and Mueller, 2022) also weighs a model against the annotators: it
gives the model one weight from its agreement with the consensus and averages it with the
annotators' labels. Here the model shapes the prior of a confusion model instead, so a
reliable annotator outvotes a confident model where they disagree and an unreliable one does
not, and the model's confidence itself is recalibrated.

Speed: the per-row arrays are class-major, (K, n), and the E-step works in probability space
(``post_ik = q_ik L_pk / z_i``, the likelihoods ``L`` per label pattern): per iteration, one
gather, one dot product, one division and one sum per pattern over the rows, no exp or log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from jupyter_dci.core.annotators._em import (
    MAX_ITER,
    TOL,
    Fit,
    Patterns,
    class_prior,
    expected_counts,
    find_patterns,
    fit_patterns,
    log_likelihoods,
    normalise,
    smoothed_confusions,
)

__all__ = ["calibrate", "fit_with_model"]

#: Rows used to fit the model's temperature and share (a seeded sample past this many).
CALIBRATION_ROWS = 10_000
#: Probabilities are floored here before their log (a model's hard zeros stay finite).
FLOOR = 1e-12
#: The temperature is searched in [1 / T_RANGE, T_RANGE].
T_RANGE = 20.0
#: A row whose scaled likelihood falls below this is computed in log space instead.
UNDERFLOW = 1e-250


def _softmax_columns(x: np.ndarray) -> None:
    """Softmax of each column of a class-major (K, n) array, in place."""
    x -= x.max(axis=0)
    np.exp(x, out=x)
    x /= x.sum(axis=0)


def _model_prior(
    log_p: np.ndarray, temperature: float, share: float, rho: np.ndarray
) -> np.ndarray:
    """Return ``a * softmax(log p / T) + (1 - a) * rho``, class-major (K, n) like ``log_p``."""
    scaled = log_p / temperature
    _softmax_columns(scaled)
    scaled *= share
    scaled += ((1.0 - share) * rho)[:, None]
    return scaled


def _best_share(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Argmax over s in [0, 1] of mean log(s a + (1 - s) b) (concave): share, value."""

    def slope(s: float) -> float:
        return float(np.mean((a - b) / (s * a + (1.0 - s) * b)))

    if slope(1.0) >= 0:
        s = 1.0
    elif slope(0.0) <= 0:
        s = 0.0
    else:
        low, high = 0.0, 1.0
        for _ in range(30):
            mid = (low + high) / 2
            low, high = (mid, high) if slope(mid) > 0 else (low, mid)
        s = (low + high) / 2
    return s, float(np.mean(np.log(s * a + (1.0 - s) * b)))


def calibrate(log_p: np.ndarray, likelihood: np.ndarray, rho: np.ndarray) -> tuple[float, float]:
    """Temperature and share of the model that best explain the annotators' labels.

    Parameters
    ----------
    log_p : numpy.ndarray
        Log of the model's probabilities (floored), rows x K.
    likelihood : numpy.ndarray
        Each row's labels' likelihood per true class, scaled per row (rows x K).
    rho : numpy.ndarray
        The class prior the model is mixed with.

    Returns
    -------
    tuple of float
        ``(T, a)`` maximising ``sum_i log sum_k q_ik L_ik``: golden-section search on
        ``log T``, the best ``a`` for each ``T`` by bisection (the objective is concave in a).
    """
    b = likelihood @ rho

    def value(u: float) -> tuple[float, float]:
        scaled = log_p / math.exp(u)
        normalise(scaled)
        return _best_share((scaled * likelihood).sum(axis=1), b)

    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    low, high = -math.log(T_RANGE), math.log(T_RANGE)
    x1, x2 = high - ratio * (high - low), low + ratio * (high - low)
    f1, f2 = value(x1)[1], value(x2)[1]
    for _ in range(20):
        if f1 >= f2:
            high, x2, f2 = x2, x1, f1
            x1 = high - ratio * (high - low)
            f1 = value(x1)[1]
        else:
            low, x1, f1 = x1, x2, f2
            x2 = low + ratio * (high - low)
            f2 = value(x2)[1]
    u = (low + high) / 2
    return math.exp(u), value(u)[0]


def _sample(probs: np.ndarray) -> np.ndarray:
    """Pick the rows the calibration is fitted on: all, or ``CALIBRATION_ROWS`` of them.

    Chosen by a hash of each row's probabilities, not by position: the same rows whatever
    the order of the rows (or of the annotators), so permuting them changes nothing.
    """
    n = probs.shape[0]
    if n <= CALIBRATION_ROWS:
        return np.arange(n)
    bits = np.ascontiguousarray(probs, dtype=np.float64).view(np.uint64)
    multipliers = np.random.default_rng(0).integers(1, 2**63, probs.shape[1], dtype=np.uint64)
    keys = (bits * (multipliers | np.uint64(1))).sum(axis=1, dtype=np.uint64)  # wraps around
    keys ^= keys >> np.uint64(29)
    return np.sort(np.argpartition(keys, CALIBRATION_ROWS)[:CALIBRATION_ROWS])


@dataclass(frozen=True)
class _Sorted:
    """The labelled rows sorted by pattern, so that a pattern's rows are one slice."""

    order: np.ndarray  # sorted position -> row
    back: np.ndarray  # row -> sorted position
    inverse: np.ndarray  # pattern of each sorted row
    starts: np.ndarray  # first sorted row of each pattern
    work: np.ndarray  # a (K, n) buffer the E-step reuses (40 MB at 500k rows x 10 classes)


# The per-row arrays of the model stage are class-major, (K, n): a sum over classes is then
# K passes over contiguous rows, and a sum per pattern (reduceat along axis 1) runs ~3x
# faster than over an (n, K) array's axis 0.


def _scaled_likelihoods(table: np.ndarray, confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``exp(log L - max)`` per pattern, class-major (K, P), and the maxima (P)."""
    log_l = log_likelihoods(table, np.log(confusion))
    top = log_l.max(axis=1)
    return np.ascontiguousarray(np.exp(log_l - top[:, None]).T), top


def _log_space(prior: np.ndarray, scaled: np.ndarray, rows: _Sorted, bad: np.ndarray) -> np.ndarray:
    """Posterior of the rows ``bad`` computed in log space, class-major (K, len(bad))."""
    log_post = np.log(np.maximum(prior[:, bad], 1e-300))
    log_post += np.log(np.maximum(scaled[:, rows.inverse[bad]], 1e-300))
    _softmax_columns(log_post)
    return log_post


def _e_step(
    prior: np.ndarray, scaled: np.ndarray, rows: _Sorted
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mass per pattern with a per-row prior, in probability space.

    ``post_ik = q_ik L_pk / z_i`` with ``z_i = sum_k q_ik L_pk``; summed over a pattern's
    rows that is ``L_pk * sum_i q_ik / z_i``: no exp or log per row. Returns ``(mass (P, K),
    z, bad)``, ``bad`` the rows whose ``z`` underflowed (their posterior, computed in log
    space, is in ``mass`` all the same).
    """
    gathered = scaled.take(rows.inverse, axis=1, out=rows.work)
    z = np.einsum("kn,kn->n", prior, gathered)
    bad = np.flatnonzero(z < UNDERFLOW)
    np.divide(prior, np.where(z < UNDERFLOW, np.inf, z), out=gathered)
    mass = (scaled * np.add.reduceat(gathered, rows.starts, axis=1)).T
    if len(bad):
        np.add.at(mass, rows.inverse[bad], _log_space(prior, scaled, rows, bad).T)
    return np.ascontiguousarray(mass), z, bad


def _posterior(prior: np.ndarray, scaled: np.ndarray, rows: _Sorted) -> np.ndarray:
    """Each row's posterior, (n, K) in the rows' original order."""
    post = scaled.take(rows.inverse, axis=1, out=rows.work)
    post *= prior
    total = post.sum(axis=0)
    bad = np.flatnonzero(total < UNDERFLOW)
    post /= np.where(total < UNDERFLOW, 1.0, total)
    if len(bad):
        post[:, bad] = _log_space(prior, scaled, rows, bad)
    # One gather straight into the (n, K) result (as fast as a take and a transpose, and
    # one array fewer at the peak).
    return post.T[rows.back]


def _run_model_em(
    pats: Patterns, k: int, prior: np.ndarray, confusion: np.ndarray, rows: _Sorted, n_labels: int
) -> tuple[np.ndarray, np.ndarray, float, int, bool]:
    """EM with a fixed per-row prior: (confusion, mass, log-likelihood, iterations, converged)."""
    last = -math.inf
    for step in range(1, MAX_ITER + 1):
        scaled, top = _scaled_likelihoods(pats.table, confusion)
        mass, z, bad = _e_step(prior, scaled, rows)
        if len(bad):
            # The underflowed rows' share of the likelihood is left out: they are a handful.
            z[bad] = 1.0
            top = top - np.bincount(rows.inverse[bad], minlength=len(top)) * top / pats.weight
        ll = float(np.log(z).sum() + pats.weight @ top)
        confusion = smoothed_confusions(expected_counts(pats.table, mass, k))
        if ll - last < TOL * n_labels:
            return confusion, mass, ll, step, True
        last = ll
    return confusion, mass, last, MAX_ITER, False


def fit_with_model(codes: np.ndarray, k: int, probs: np.ndarray) -> Fit:
    """Fit the model with a model's probabilities as each row's prior.

    Parameters
    ----------
    codes : numpy.ndarray
        Rows x annotators, -1 missing; every row has at least one label.
    k : int
        Number of classes.
    probs : numpy.ndarray
        The model's out-of-sample probabilities of the same rows (rows x K).

    Returns
    -------
    Fit
        Posteriors, confusions, the class prior and the model's calibration.
    """
    # Without the model first: its confusions are the start, and what the model is
    # calibrated against.
    pats = find_patterns(codes, k)
    n_labels = int((codes >= 0).sum())
    confusion, post, steps, _ = fit_patterns(pats, k, n_labels)
    mass = post * pats.weight[:, None]
    order = np.argsort(pats.inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(pats.weight[:-1])]).astype(np.intp)
    log_p = np.ascontiguousarray(probs.take(order, axis=0).T)
    np.log(np.maximum(log_p, FLOOR, out=log_p), out=log_p)
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    rows = _Sorted(order, back, pats.inverse[order], starts, np.empty_like(log_p))
    sample = np.sort(back[_sample(probs)])  # positions in the sorted rows
    few = np.ascontiguousarray(log_p[:, sample].T)
    rho = class_prior(mass)
    scaled, _ = _scaled_likelihoods(pats.table, confusion)
    temperature, share = calibrate(few, scaled[:, rows.inverse[sample]].T, rho)
    for _ in range(3):  # EM with the calibrated prior; again while the calibration moves
        prior = _model_prior(log_p, temperature, share, rho)
        confusion, mass, ll, used, converged = _run_model_em(
            pats, k, prior, confusion, rows, n_labels
        )
        steps += used
        rho = class_prior(mass)
        scaled, _ = _scaled_likelihoods(pats.table, confusion)
        again = calibrate(few, scaled[:, rows.inverse[sample]].T, rho)
        moved = abs(math.log(again[0] / temperature)) > 0.02 or abs(again[1] - share) > 0.01
        if not moved:
            break
        temperature, share = again
    del log_p  # not needed past the EM: room for the posterior
    posterior = _posterior(prior, scaled, rows)
    return Fit(posterior, confusion, rho, mass, pats, steps, converged, ll, temperature, share)
