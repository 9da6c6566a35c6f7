"""Small real datasets and a seeded label-noise injector, for examples, workshops and tests.

The data come from packages already installed (scikit-learn's bundled copies): nothing is
fetched from the network. Every loader returns a :class:`pandas.DataFrame` with one column
per feature and a ``label`` column; :func:`inject_label_noise` flips a known share of the
labels and keeps the truth, so a detector can be scored against it.

Examples
--------
>>> from jupyter_dci.datasets import inject_label_noise, load_wine
>>> df = load_wine()
>>> noisy = inject_label_noise(df["label"], rate=0.1, seed=0)
>>> int(noisy.is_flipped.sum())
18
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from jupyter_dci.errors import param_error

__all__ = [
    "MessyTable",
    "NoisyLabels",
    "Planted",
    "inject_label_noise",
    "load_breast_cancer",
    "load_digits",
    "load_iris",
    "load_messy_wine",
    "load_wine",
]

NoiseKind = Literal["uniform", "class_conditional"]


def _sklearn_datasets() -> Any:
    # scikit-learn is a runtime dependency, but importing it costs ~0.5 s: defer to first use.
    from sklearn import datasets

    return datasets


def _frame(bunch: Any, *, names: bool) -> pd.DataFrame:
    columns = [str(c).replace(" ", "_") for c in bunch.feature_names]
    df = pd.DataFrame(bunch.data, columns=columns)
    target = np.asarray(bunch.target)
    if names:
        df["label"] = pd.Series(np.asarray(bunch.target_names)[target], dtype=str)
    else:
        df["label"] = target.astype(np.int64)
    return df


def load_digits(*, images: bool = True) -> pd.DataFrame:
    """Load the 1,797 handwritten digits (8x8 grey images) as a DataFrame.

    Parameters
    ----------
    images : bool, default True
        Also keep each picture as an 8x8 ``float64`` array in an ``image`` column (for image
        features and thumbnails); the 64 ``pixel_r_c`` columns are there either way.

    Returns
    -------
    pandas.DataFrame
        1,797 rows: ``pixel_0_0`` ... ``pixel_7_7`` (0-16), optionally ``image``, and ``label``
        (int 0-9).

    Examples
    --------
    >>> from jupyter_dci.datasets import load_digits
    >>> df = load_digits()
    >>> df.shape, df["image"].iloc[0].shape, df["label"].nunique()
    ((1797, 66), (8, 8), 10)
    """
    bunch = _sklearn_datasets().load_digits()
    df = _frame(bunch, names=False)
    if images:
        pictures = np.asarray(bunch.images, dtype=np.float64)
        # An object column of arrays: one cell = one picture, as an image dataset would hold it.
        cells = np.empty(len(pictures), dtype=object)
        cells[:] = list(pictures)
        # The column names are unique, so get_loc gives a position (not a slice or mask).
        df.insert(cast(int, df.columns.get_loc("label")), "image", cells)
    return df


def load_wine() -> pd.DataFrame:
    """Load the 178 wines (13 chemical measurements, 3 cultivars) as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        178 rows: 13 numeric columns and ``label`` (``"class_0"``, ``"class_1"``, ``"class_2"``).

    Examples
    --------
    >>> from jupyter_dci.datasets import load_wine
    >>> load_wine()["label"].value_counts().sort_index().tolist()
    [59, 71, 48]
    """
    return _frame(_sklearn_datasets().load_wine(), names=True)


def load_breast_cancer() -> pd.DataFrame:
    """Load the 569 breast-cancer biopsies (30 numeric features) as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        569 rows: 30 numeric columns and ``label`` (``"malignant"`` or ``"benign"``).

    Examples
    --------
    >>> from jupyter_dci.datasets import load_breast_cancer
    >>> load_breast_cancer()["label"].value_counts().to_dict()
    {'benign': 357, 'malignant': 212}
    """
    return _frame(_sklearn_datasets().load_breast_cancer(), names=True)


def load_iris() -> pd.DataFrame:
    """Load Fisher's 150 irises (4 measurements, 3 species) as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        150 rows: 4 numeric columns and ``label`` (``"setosa"``, ``"versicolor"``,
        ``"virginica"``).

    Examples
    --------
    >>> from jupyter_dci.datasets import load_iris
    >>> list(load_iris().columns)
    ['sepal_length_(cm)', 'sepal_width_(cm)', 'petal_length_(cm)', 'petal_width_(cm)', 'label']
    """
    return _frame(_sklearn_datasets().load_iris(), names=True)


@dataclass(frozen=True)
class Planted:
    """One problem planted in a messy table: what, where, and the alert that should catch it.

    Attributes
    ----------
    problem : str
        What was done, in words.
    column : str or None
        The column it was done to (None for whole rows, e.g. duplicates).
    alert : str
        The kind of profile alert that names it (e.g. ``"placeholder"``).
    rows : tuple of int
        The positions of the rows concerned (empty when the whole column is).
    """

    problem: str
    column: str | None
    alert: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class MessyTable:
    """A real table with known problems planted in it, and the clean table it came from.

    Attributes
    ----------
    frame : pandas.DataFrame
        The messy table, to profile and fix.
    clean : pandas.DataFrame
        The table before the problems were planted (same columns as the source data).
    planted : tuple of Planted
        Every problem planted, with the alert that should name it.
    """

    frame: pd.DataFrame
    clean: pd.DataFrame
    planted: tuple[Planted, ...]

    def check(self, profile: Any) -> pd.DataFrame:
        """Say which planted problems a profile's alerts name.

        Parameters
        ----------
        profile : DataFrameProfile
            ``dci.profile(messy.frame, label="label")`` (or the core profile).

        Returns
        -------
        pandas.DataFrame
            One row per planted problem: ``problem``, ``column``, ``alert`` and ``found``.

        Examples
        --------
        >>> from jupyter_dci.core.profile import profile
        >>> messy = load_messy_wine()
        >>> bool(messy.check(profile(messy.frame, label="label"))["found"].all())
        True
        """
        named = {(a.kind, a.column) for a in profile.alerts}
        return pd.DataFrame(
            [
                {
                    "problem": p.problem,
                    "column": p.column,
                    "alert": p.alert,
                    "found": (p.alert, p.column) in named,
                }
                for p in self.planted
            ]
        )


def load_messy_wine(seed: int = 0) -> MessyTable:
    """Load the wines with eight problems planted, as data collected by hand would have them.

    Planted, each with the profile alert that should name it: exact duplicate rows, missing
    magnesium readings, ``-999`` typed for unknown alcohol, proline entered in the wrong unit
    on a few rows (x1000), a vineyard column spelled several ways, a sample id, tasters'
    e-mail addresses (personal data), and a batch code that gives the label away (leakage).

    Parameters
    ----------
    seed : int, default 0
        Seed of every random choice: the same seed plants the same problems.

    Returns
    -------
    MessyTable
        ``frame`` (187 rows), ``clean`` (the 178 wines) and ``planted``.

    Examples
    --------
    >>> messy = load_messy_wine()
    >>> messy.frame.shape, len(messy.planted)
    ((187, 18), 8)
    """
    rng = np.random.default_rng(seed)
    clean = load_wine()
    df = clean.copy()
    n = len(df)
    df.insert(0, "sample_id", [f"W{1000 + i}" for i in range(n)])
    places = np.array(["North Hill", "South Ridge", "East Bank"], dtype=object)
    vineyard = places[rng.integers(0, len(places), n)]
    variants = {
        "North Hill": ("north hill", "North Hill "),
        "South Ridge": ("south ridge", "SOUTH RIDGE"),
        "East Bank": ("East bank", " East Bank"),
    }
    respelled = np.sort(rng.choice(n, 14, replace=False))
    for i in respelled:
        vineyard[i] = variants[vineyard[i]][rng.integers(0, 2)]
    df["vineyard"] = vineyard
    missing = np.sort(rng.choice(n, 27, replace=False))
    df.loc[missing, "magnesium"] = np.nan
    unknown = np.sort(rng.choice(n, 7, replace=False))
    df.loc[unknown, "alcohol"] = -999.0
    wrong_unit = np.sort(rng.choice(n, 5, replace=False))
    df.loc[wrong_unit, "proline"] = df.loc[wrong_unit, "proline"] * 1000
    df["taster_email"] = [f"taster{rng.integers(1, 40)}@winery.example" for _ in range(n)]
    df["batch_code"] = df["label"].map({"class_0": "B-7", "class_1": "B-3", "class_2": "B-9"})
    copies = np.sort(rng.choice(n, 9, replace=False))
    df = pd.concat([df, df.iloc[copies]], ignore_index=True)
    planted = (
        Planted("rows entered twice", None, "duplicate_rows", tuple(range(n, n + len(copies)))),
        Planted("readings not taken", "magnesium", "missing", tuple(missing.tolist())),
        Planted("-999 typed for 'unknown'", "alcohol", "placeholder", tuple(unknown.tolist())),
        Planted("entered in mg instead of g", "proline", "outliers", tuple(wrong_unit.tolist())),
        Planted(
            "one place spelled several ways",
            "vineyard",
            "inconsistent_spelling",
            tuple(respelled.tolist()),
        ),
        Planted("a row number kept as a column", "sample_id", "id_like", ()),
        Planted("tasters' e-mail addresses", "taster_email", "personal_data", ()),
        Planted("a code that gives the label away", "batch_code", "leakage", ()),
    )
    return MessyTable(frame=df, clean=clean, planted=planted)


@dataclass(frozen=True)
class NoisyLabels:
    """Labels with planted noise, and the truth needed to score a detector.

    Attributes
    ----------
    labels : pandas.Series
        The noisy labels, aligned with (and of the same dtype as) the input.
    true_labels : pandas.Series
        The input labels, unchanged.
    is_flipped : pandas.Series
        ``True`` where the noisy label differs from the true one.
    rate : float
        The share of rows flipped.
    kind : str
        ``"uniform"`` or ``"class_conditional"``.
    seed : int
        The seed that reproduces this draw.
    """

    labels: pd.Series
    true_labels: pd.Series
    is_flipped: pd.Series
    rate: float
    kind: str
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """Return ``label``, ``true_label`` and ``is_flipped`` side by side.

        Returns
        -------
        pandas.DataFrame
            One row per input label, same index.

        Examples
        --------
        >>> from jupyter_dci.datasets import inject_label_noise
        >>> noisy = inject_label_noise([0, 1, 0, 1], rate=0.5, seed=1)
        >>> noisy.to_frame().columns.tolist()
        ['label', 'true_label', 'is_flipped']
        """
        return pd.DataFrame(
            {"label": self.labels, "true_label": self.true_labels, "is_flipped": self.is_flipped}
        )

    def score(self, labels: Any) -> dict[str, int]:
        """Score labels after a clean-up against the truth: what was fixed, what was broken.

        Parameters
        ----------
        labels : array-like or pandas.Series
            The labels now (e.g. ``df["label"]`` after a review), one per input label, in
            the same order.

        Returns
        -------
        dict
            ``planted``: labels flipped on purpose; ``fixed``: of those, now right again;
            ``still_wrong``: flipped and still wrong; ``broken``: labels that were right and
            are wrong now; ``changed``: labels that differ from the noisy ones.

        Raises
        ------
        InvalidParameterError
            Labels of another length than the planted ones.

        Examples
        --------
        >>> from jupyter_dci.datasets import inject_label_noise
        >>> noisy = inject_label_noise([0, 1, 0, 1], rate=0.5, seed=1)
        >>> now = noisy.true_labels.copy()
        >>> now.iloc[0] = 1 - now.iloc[0]  # one correct label broken by mistake
        >>> noisy.score(now)["fixed"], noisy.score(now)["planted"]
        (2, 2)
        """
        now = np.asarray(labels, dtype=object)
        if now.shape != (len(self.true_labels),):
            raise param_error(
                "labels", "NoisyLabels.score", f"{len(self.true_labels):,} labels", now.shape
            )
        truth = self.true_labels.to_numpy(dtype=object)
        noisy = self.labels.to_numpy(dtype=object)
        flipped = self.is_flipped.to_numpy(dtype=bool)
        right = np.fromiter((a == b for a, b in zip(now, truth, strict=True)), bool, len(now))
        changed = np.fromiter((a != b for a, b in zip(now, noisy, strict=True)), bool, len(now))
        return {
            "planted": int(flipped.sum()),
            "fixed": int((flipped & right).sum()),
            "still_wrong": int((flipped & ~right).sum()),
            "broken": int((~flipped & ~right).sum()),
            "changed": int(changed.sum()),
        }


def inject_label_noise(
    labels: Any,
    *,
    rate: float,
    kind: NoiseKind = "uniform",
    seed: int = 0,
    concentration: float = 0.9,
) -> NoisyLabels:
    """Flip exactly ``round(rate * n)`` labels, chosen at random, to another class.

    Parameters
    ----------
    labels : array-like or pandas.Series
        The clean labels (any hashable values; missing values are not allowed).
    rate : float
        Share of rows to flip, in [0, 1).
    kind : {"uniform", "class_conditional"}, default "uniform"
        ``"uniform"``: a flipped label goes to any other class with equal chance.
        ``"class_conditional"``: with probability ``concentration`` it goes to the *next* class
        (in sorted order, wrapping around), otherwise uniformly to one of the others; this is the
        asymmetric noise of a systematic annotator confusion.
    seed : int, default 0
        Seed of the random draw; the same seed gives the same flips.
    concentration : float, default 0.9
        For ``"class_conditional"`` only: probability in [0, 1] of flipping to the next class.

    Returns
    -------
    NoisyLabels
        The noisy labels and the truth.

    Examples
    --------
    >>> from jupyter_dci.datasets import inject_label_noise
    >>> noisy = inject_label_noise(["a", "b", "c"] * 10, rate=0.2, kind="class_conditional")
    >>> flipped = noisy.labels[noisy.is_flipped]
    >>> int(noisy.is_flipped.sum()), bool(flipped.isin(["a", "b", "c"]).all())
    (6, True)
    """
    func = "inject_label_noise"
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise param_error("rate", func, "a float in [0, 1)", rate)
    if kind not in ("uniform", "class_conditional"):
        raise param_error("kind", func, "'uniform' or 'class_conditional'", kind)
    if isinstance(concentration, bool) or not 0 <= concentration <= 1:
        raise param_error("concentration", func, "a float in [0, 1]", concentration)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise param_error("seed", func, "an int", seed)
    truth = labels.copy() if isinstance(labels, pd.Series) else pd.Series(labels)
    if truth.isna().any():
        raise param_error("labels", func, "labels without missing values", truth[truth.isna()])
    codes, classes = pd.factorize(truth, sort=True)
    n_classes = len(classes)
    if n_classes < 2:
        raise param_error("labels", func, "labels of at least 2 distinct classes", list(classes))
    rng = np.random.default_rng(seed)
    n_flip = round(rate * len(truth))
    rows = rng.choice(len(truth), size=n_flip, replace=False)
    # A shift in [1, K-1] always lands on another class: uniform noise draws it uniformly,
    # class-conditional noise mostly picks shift 1 (the next class).
    shift = rng.integers(1, n_classes, size=n_flip)
    if kind == "class_conditional" and n_classes > 2:
        to_next = rng.random(n_flip) < concentration
        others = rng.integers(2, n_classes, size=n_flip)
        shift = np.where(to_next, 1, others)
    new_codes = codes.copy()
    new_codes[rows] = (codes[rows] + shift) % n_classes
    noisy = truth.copy()
    noisy.iloc[rows] = classes[new_codes[rows]]
    flipped = pd.Series(new_codes != codes, index=truth.index, name="is_flipped")
    return NoisyLabels(
        labels=noisy,
        true_labels=truth,
        is_flipped=flipped,
        rate=float(rate),
        kind=kind,
        seed=int(seed),
    )
