"""Agreement coefficients from per-row sums, and their bootstrap over rows.

Every coefficient here is a function of a few sums over the *pairable* rows (rows with at
least two labels), which is what makes the bootstrap cheap: a resample of rows is a weighted
sum of the rows' statistics, and a thousand resamples are one matrix product.

For row ``i`` with ``m_i`` labels, ``C_ic`` of them class ``c``:

- ``n = sum_i m_i`` (pairable values), ``n_c = sum_i C_ic``;
- ``o_cc = sum_i C_ic (C_ic - 1) / (m_i - 1)``, the diagonal of Krippendorff's coincidence
  matrix, and ``A = sum_c o_cc`` (the agreeing pairs, weighted as Krippendorff weighs them);
- Krippendorff's alpha (nominal): ``1 - (n - 1) (n - A) / (n^2 - sum_c n_c^2)``
  (Krippendorff, *Content Analysis*, 2004, and "Computing Krippendorff's alpha-reliability",
  2011);
- Fleiss' kappa (1971), defined when every row has the same number ``m`` of labels:
  ``P = A / n`` is then Fleiss' mean agreement, ``Pe = sum_c (n_c / n)^2`` the chance
  agreement and ``kappa = (P - Pe) / (1 - Pe)``; per category,
  ``kappa_c = 1 - n (n_c - o_cc) / (n_c (n - n_c))`` (Fleiss' eq. 12 rewritten with these
  sums);
- alpha of one class against the rest: ``1 - (n - 1) (n_c - o_cc) / (n_c (n - n_c))``, the
  2-category alpha of the labels recoded "c" or "not c";
- an annotator's agreement with the others: the mean over the pairable rows they labelled
  of the share of the other labels of that row equal to theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Layout",
    "bootstrap_totals",
    "coefficients",
    "pairwise_kappa",
    "pooled_confusion",
    "row_statistics",
]

#: Past this many pairable rows, the bootstrap resamples random groups of rows (of equal
#: size) instead of rows: the same estimate of the spread (rows are exchangeable), with a
#: weight matrix of n_boot x MAX_GROUPS instead of n_boot x n_rows.
MAX_GROUPS = 2000


@dataclass(frozen=True)
class Layout:
    """Where each statistic sits in a row of :func:`row_statistics`."""

    n_classes: int
    n_annotators: int

    @property
    def width(self) -> int:
        """Number of columns."""
        return 1 + 2 * self.n_classes + 2 * self.n_annotators

    def split(
        self, totals: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``n``, ``n_c``, ``o_cc``, annotators' pairable rows and agreement sums."""
        k, j = self.n_classes, self.n_annotators
        return (
            totals[..., 0],
            totals[..., 1 : 1 + k],
            totals[..., 1 + k : 1 + 2 * k],
            totals[..., 1 + 2 * k : 1 + 2 * k + j],
            totals[..., 1 + 2 * k + j :],
        )


def row_statistics(counts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each pairable row's statistics, shape (rows, ``Layout.width``).

    Parameters
    ----------
    counts : numpy.ndarray
        Labels per row and class, pairable rows only (each sums to 2 or more).
    codes : numpy.ndarray
        The same rows' codes, rows x annotators, -1 where missing.

    Returns
    -------
    numpy.ndarray
        ``[m_i, C_i (K), d_i (K), labelled_i (J), share_i (J)]`` in float64, where
        ``d_ic = C_ic (C_ic - 1) / (m_i - 1)`` and ``share_ij`` is the share of the other
        labels of row i equal to annotator j's (0 where j did not label it).
    """
    m = counts.sum(axis=1).astype(np.float64)
    c = counts.astype(np.float64)
    d = c * (c - 1.0) / (m - 1.0)[:, None]
    labelled = codes >= 0
    own = np.take_along_axis(c, np.where(labelled, codes, 0).astype(np.intp), axis=1)
    share = np.where(labelled, (own - 1.0) / (m - 1.0)[:, None], 0.0)
    return np.hstack([m[:, None], c, d, labelled.astype(np.float64), share])


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def coefficients(totals: np.ndarray, layout: Layout) -> dict[str, np.ndarray]:
    """Every coefficient from summed statistics (any leading shape: one set or replicates).

    Parameters
    ----------
    totals : numpy.ndarray
        Sums of :func:`row_statistics` rows, shape (..., ``layout.width``).
    layout : Layout
        The numbers of classes and annotators.

    Returns
    -------
    dict
        ``alpha``, ``fleiss`` (meaningful only when every row has the same number of
        labels), ``class_alpha``, ``class_fleiss``, ``specific`` (``o_cc / n_c``: given one
        label c, the chance that another label of its row is c too) and ``annotator``
        (agreement with the others); NaN where undefined (one class only, a class never or
        always used, an annotator with no pairable row).
    """
    n, n_c, o_cc, labelled, share = layout.split(totals)
    agree = o_cc.sum(axis=-1)
    squares = (n_c**2).sum(axis=-1)
    alpha = 1.0 - (n - 1.0) * _ratio(n - agree, n * n - squares)
    chance = _ratio(squares, n * n)
    fleiss = _ratio(_ratio(agree, n) - chance, 1.0 - chance)
    rest = n_c * (n[..., None] - n_c)
    wrong = n_c - o_cc
    return {
        "alpha": alpha,
        "fleiss": fleiss,
        "class_alpha": 1.0 - (n[..., None] - 1.0) * _ratio(wrong, rest),
        "class_fleiss": 1.0 - n[..., None] * _ratio(wrong, rest),
        "specific": _ratio(o_cc, n_c),
        "annotator": _ratio(share, labelled),
    }


def bootstrap_totals(stats: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Totals of ``n_boot`` resamples of the rows of ``stats`` (with replacement).

    Up to :data:`MAX_GROUPS` rows, rows are resampled; past it, the rows are dealt at random
    into that many groups of (almost) equal size and groups are resampled.

    Parameters
    ----------
    stats : numpy.ndarray
        One row of statistics per pairable row.
    n_boot : int
        Number of resamples.
    seed : int
        Seed of the resampling (and of the grouping).

    Returns
    -------
    numpy.ndarray
        Shape (n_boot, stats.shape[1]).
    """
    rng = np.random.default_rng(seed)
    n = stats.shape[0]
    if n > MAX_GROUPS:
        shuffled = stats[rng.permutation(n)]
        starts = (np.arange(MAX_GROUPS) * n) // MAX_GROUPS
        units = np.add.reduceat(shuffled, starts, axis=0)
    else:
        units = stats
    g = units.shape[0]
    weights = rng.multinomial(g, np.full(g, 1.0 / g), size=n_boot).astype(np.float64)
    return weights @ units


def pairwise_kappa(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Cohen's kappa of every pair of annotators on the rows both labelled.

    Parameters
    ----------
    codes : numpy.ndarray
        Rows x annotators, -1 where missing.
    k : int
        Number of classes.

    Returns
    -------
    kappa : numpy.ndarray
        Annotators x annotators; 1 on the diagonal of annotators with labels; NaN for pairs
        with no shared row or where chance agreement is 1 (both gave one and the same class
        only).
    shared : numpy.ndarray
        Rows labelled by both (int64).
    """
    j = codes.shape[1]
    kappa = np.full((j, j), np.nan)
    shared = np.zeros((j, j), dtype=np.int64)
    labelled = codes >= 0
    columns = [codes[:, a].astype(np.intp) for a in range(j)]
    for a in range(j):
        shared[a, a] = int(labelled[:, a].sum())
        if shared[a, a]:
            kappa[a, a] = 1.0
        for b in range(a + 1, j):
            both = labelled[:, a] & labelled[:, b]
            count = int(both.sum())
            shared[a, b] = shared[b, a] = count
            if count == 0:
                continue
            joint = np.bincount(columns[a][both] * k + columns[b][both], minlength=k * k)
            table = joint.reshape(k, k) / count
            observed = np.trace(table)
            chance = float(table.sum(axis=1) @ table.sum(axis=0))
            if chance < 1.0:
                kappa[a, b] = kappa[b, a] = (observed - chance) / (1.0 - chance)
    return kappa, shared


def pooled_confusion(counts: np.ndarray) -> np.ndarray:
    """Label pairs of two different annotators on the same row, pooled over rows.

    ``M[c, c']`` counts the ordered pairs (annotator, another annotator) of a row whose labels
    are c and c'; the matrix is symmetric, and off the diagonal ``M[c, c']`` is also the
    number of unordered pairs of annotators that split between c and c'.

    Parameters
    ----------
    counts : numpy.ndarray
        Labels per row and class.

    Returns
    -------
    numpy.ndarray
        Shape (K, K), int64.
    """
    # A float product runs in BLAS (an integer one does not) and is exact below 2**53.
    c = counts.astype(np.float64)
    product = np.rint(c.T @ c).astype(np.int64)
    return product - np.diag(counts.sum(axis=0).astype(np.int64))
