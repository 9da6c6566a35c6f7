"""Out-of-sample predicted probabilities by cross-validation, for label-issue detection.

Confident learning needs, for every row, probabilities from a model that did not train on that
row. :func:`out_of_sample_probs` builds them from a DataFrame in one call: it encodes numeric,
datetime, categorical, free-text and image-array columns, fits one model per fold (threads
capped, so a 2-core machine does not thrash), and returns the probabilities aligned with the
frame's rows together with the cross-validated accuracy.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from jupyter_dci.core.engine._inputs import pandas_only
from jupyter_dci.errors import DataMismatchError, DCIWarning, InvalidParameterError, param_error

__all__ = ["OutOfSampleProbs", "out_of_sample_probs"]

Progress = Callable[[int, int, str], None]

# Up to this many distinct values a string column is one-hot encoded; beyond, strings that
# look like prose (spaces, or long) are hashed as text, and id-like ones keep their most
# frequent values (the rest share one "infrequent" column).
_MAX_CATEGORIES = 50
_TEXT_MIN_LENGTH = 12
_HASH_FEATURES = 2**15
# k-nearest neighbours is the better half of the default model on small data but costs
# O(n^2) to predict; above this many rows the default is the linear model alone.
_KNN_MAX_ROWS = 50_000


@dataclass(frozen=True)
class OutOfSampleProbs:
    """Cross-validated probabilities for every row of a frame.

    Attributes
    ----------
    pred_probs : pandas.DataFrame
        One row per input row (same index), one column per class; rows sum to 1.
    classes : tuple
        The classes, in column order.
    accuracy : float
        Share of rows whose most probable class is their given label (on held-out folds).
    fold_accuracy : tuple of float
        The same, per fold.
    model : str
        A short description of the model that was fitted.
    features : dict
        Each feature column and how it was encoded (numeric, datetime, categorical, text,
        image).
    cv : int
        Number of folds.
    seconds : float
        Wall time of the fits.
    """

    pred_probs: pd.DataFrame
    classes: tuple[Any, ...]
    accuracy: float
    fold_accuracy: tuple[float, ...]
    model: str
    features: dict[str, str]
    cv: int
    seconds: float

    def __repr__(self) -> str:
        return (
            f"OutOfSampleProbs({len(self.pred_probs)} rows, {len(self.classes)} classes, "
            f"cv={self.cv}, accuracy={self.accuracy:.3f})"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the probabilities.

        Returns
        -------
        pandas.DataFrame
            One column per class, indexed like the input frame.

        Examples
        --------
        >>> from jupyter_dci.core.labels import out_of_sample_probs
        >>> from jupyter_dci.datasets import load_iris
        >>> out_of_sample_probs(load_iris(), label="label").to_frame().shape
        (150, 3)
        """
        return self.pred_probs.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary (the probabilities themselves are left out).

        Returns
        -------
        dict
            ``n_rows``, ``classes``, ``accuracy``, ``fold_accuracy``, ``model``, ``features``,
            ``cv`` and ``seconds``.

        Examples
        --------
        >>> from jupyter_dci.core.labels import out_of_sample_probs
        >>> from jupyter_dci.datasets import load_iris
        >>> summary = out_of_sample_probs(load_iris(), label="label").to_dict()
        >>> summary["classes"], summary["accuracy"] > 0.9
        (['setosa', 'versicolor', 'virginica'], True)
        """
        return {
            "n_rows": len(self.pred_probs),
            "classes": [c.item() if isinstance(c, np.generic) else c for c in self.classes],
            "accuracy": self.accuracy,
            "fold_accuracy": list(self.fold_accuracy),
            "model": self.model,
            "features": dict(self.features),
            "cv": self.cv,
            "seconds": self.seconds,
        }


def _as_text(column: pd.Series) -> pd.Series:
    """Strings for an object column; lists, dicts and other odd cells by their repr."""
    return column.map(lambda v: v if isinstance(v, str) else repr(v), na_action="ignore")


def _nested_as_text(column: pd.Series) -> pd.Series:
    """Turn a column of Arrow lists, structs or maps into the text of each cell.

    pandas has no unique, sort or cast for such columns (a raw ArrowNotImplementedError);
    as text they are categories or words like any other object column.
    """
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_nested(dtype.pyarrow_dtype):
        cells = column.array._pa_array.to_pylist()
        return pd.Series(
            [None if v is None else repr(v) for v in cells], index=column.index, dtype=object
        )
    return column


def _kind(column: pd.Series) -> str:
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    ):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    present = column.dropna()
    if len(present) and isinstance(present.iloc[0], np.ndarray):
        return "image"
    if pd.api.types.is_object_dtype(dtype):
        present = _as_text(present)
    if present.nunique() <= _MAX_CATEGORIES:
        return "categorical"
    text = present.astype(str)
    if (
        text.str.len().mean() >= _TEXT_MIN_LENGTH
        or text.str.contains(" ", regex=False).mean() > 0.5
    ):
        return "text"
    return "categorical"


def _seconds(column: pd.Series) -> np.ndarray:
    """Datetimes, periods and durations as float seconds (NaN where missing)."""
    if isinstance(column.dtype, pd.PeriodDtype):
        column = column.dt.to_timestamp()
    if pd.api.types.is_timedelta64_dtype(column.dtype):
        return column.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)
    stamps = column.dt.tz_convert("UTC").dt.tz_localize(None) if column.dt.tz else column
    epoch = (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds()
    return epoch.to_numpy(dtype=np.float64, na_value=np.nan)


def _image_block(column: pd.Series, name: str) -> pd.DataFrame:
    cells = column.to_numpy()
    shapes = {np.shape(c) for c in cells if isinstance(c, np.ndarray)}
    missing = sum(not isinstance(c, np.ndarray) for c in cells)
    if missing or len(shapes) != 1:
        raise DataMismatchError(
            f"The image column {name!r} must hold one numpy array of the same shape in every "
            f"row. Got {missing} row(s) without an array and shapes {sorted(shapes)[:5]}. "
            "Resize the images to one shape, or drop the rows without one."
        )
    flat = np.stack([np.asarray(c, dtype=np.float64).ravel() for c in cells])
    columns = [f"{name}[{i}]" for i in range(flat.shape[1])]
    return pd.DataFrame(flat, columns=columns, index=column.index)


def _encode_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], Any]:
    """Plain columns for sklearn, each column's kind, and the (unfitted) ColumnTransformer."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    kinds: dict[str, str] = {}
    blocks: list[pd.DataFrame] = []
    numeric: list[str] = []
    categorical: list[str] = []
    texts: list[str] = []
    names = [str(c) for c in frame.columns]
    for i, name in enumerate(names):
        # By position, with a unique key: a frame may repeat a column name.
        column = _nested_as_text(frame.iloc[:, i])
        key = name if names.count(name) == 1 else f"{name}#{i}"
        kind = kinds[key] = _kind(column)
        if kind == "image":
            block = _image_block(column, key)
            numeric.extend(block.columns)
            blocks.append(block)
            continue
        if kind == "numeric" and column.isna().all():
            kinds[key] = "empty (skipped)"
            continue
        if kind == "numeric":
            raw = column.to_numpy()
            if np.iscomplexobj(raw):
                # Two real features: sklearn cannot take complex numbers.
                imag = pd.Series(np.imag(raw).astype(np.float64), index=frame.index)
                blocks.append(imag.rename(f"{key}.imag").to_frame())
                numeric.append(f"{key}.imag")
                raw = np.real(raw)
            numbers = pd.Series(raw, index=frame.index).to_numpy(dtype=np.float64, na_value=np.nan)
            # Infinities are treated as missing: imputed, and marked by an indicator column.
            values = pd.Series(np.where(np.isfinite(numbers), numbers, np.nan), index=frame.index)
            numeric.append(key)
        elif kind == "datetime":
            values = pd.Series(_seconds(column), index=frame.index)
            numeric.append(key)
        elif kind == "categorical":
            values = _as_text(column.astype(object)).where(column.notna(), "<missing>")
            categorical.append(key)
        else:
            values = _as_text(column.astype(object)).where(column.notna(), "")
            texts.append(key)
        blocks.append(values.rename(key).to_frame())
    encoded = pd.concat(blocks, axis=1) if blocks else pd.DataFrame(index=frame.index)
    parts: list[tuple[str, Any, Any]] = []
    if numeric:
        scale = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
        )
        parts.append(("numeric", scale, numeric))
    if categorical:
        onehot = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=_MAX_CATEGORIES)
        parts.append(("categorical", onehot, categorical))
    for i, key in enumerate(texts):
        words = HashingVectorizer(
            n_features=_HASH_FEATURES, alternate_sign=False, ngram_range=(1, 2), norm=None
        )
        # A scalar column name hands the vectoriser the 1-d column of strings it expects.
        parts.append((f"text{i}", make_pipeline(words, TfidfTransformer()), key))
    return encoded, kinds, ColumnTransformer(parts, sparse_threshold=0.3)


def _default_model(n_rows: int, random_state: int) -> tuple[Any, str]:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    # Strong regularisation: with noisy labels a less flexible linear model ranks the
    # mislabelled rows better (digits, 10-20% noise: F1 of the flags 0.89 at C=0.1, 0.85 at 1).
    linear = LogisticRegression(C=0.1, max_iter=1000, random_state=random_state)
    if n_rows > _KNN_MAX_ROWS:
        return linear, "LogisticRegression(C=0.1)"
    # Fewer neighbours than 15 only when a training fold is tiny.
    k = int(max(1, min(15, n_rows // 2)))
    neighbours = KNeighborsClassifier(n_neighbors=k, weights="distance")
    vote = VotingClassifier([("linear", linear), ("neighbours", neighbours)], voting="soft")
    return vote, "soft vote of LogisticRegression(C=0.1) and KNeighborsClassifier(15, distance)"


def _progress_callback(progress: Any) -> tuple[Progress | None, Any]:
    if progress is None or progress is False:
        return None, None
    if callable(progress):
        return progress, None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - depends on the environment
            raise InvalidParameterError(
                "progress=True in out_of_sample_probs shows a tqdm bar, but tqdm is not "
                "installed. Run `pip install tqdm`, or pass a callable progress(done, total, "
                "message)."
            ) from None
        bar = tqdm(total=0, desc="cross-validation", leave=False)

        def update(done: int, total: int, message: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(message, refresh=True)

        return update, bar
    raise param_error(
        "progress",
        "out_of_sample_probs",
        "None, a bool or a callable(done, total, message)",
        progress,
    )


def _check_arguments(
    df: Any, label: Any, features: Sequence[Any] | None, cv: Any, model: Any
) -> list[Any]:
    func = "out_of_sample_probs"
    pandas_only(df, func)
    if label not in df.columns:
        raise DataMismatchError(
            f"The label column of {func} must be a column of df. Got {label!r}; the columns "
            f"are {list(df.columns)[:10]}. Pass label='<your label column>'."
        )
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise param_error("cv", func, "an int >= 2", cv)
    if model is not None and not (hasattr(model, "fit") and hasattr(model, "predict_proba")):
        raise param_error(
            "model",
            func,
            "a scikit-learn classifier with predict_proba (or None)",
            type(model).__name__,
        )
    chosen = [c for c in df.columns if c != label] if features is None else list(features)
    chosen = list(dict.fromkeys(chosen))
    unknown = [c for c in chosen if c not in df.columns]
    if unknown:
        raise DataMismatchError(
            f"The features of {func} must be columns of df. Got unknown column(s) {unknown[:5]}."
        )
    if label in chosen:
        raise param_error("features", func, "columns other than the label", label)
    if not chosen:
        raise param_error("features", func, "at least one column", chosen)
    return chosen


def _class_codes(labels: pd.Series, cv: int) -> tuple[np.ndarray, pd.Index]:
    func = "out_of_sample_probs"
    if labels.isna().any():
        where = labels.index[labels.isna().to_numpy()][:5].tolist()
        raise InvalidParameterError(
            f"The label column of {func} must not hold missing values. Got "
            f"{int(labels.isna().sum())} (e.g. at index {where}). Drop or label those rows first: "
            "df[df[label].notna()]."
        )
    codes, classes = pd.factorize(labels, sort=True)
    if len(classes) < 2:
        raise param_error("label", func, "a column with at least 2 classes", list(classes))
    counts = np.bincount(codes, minlength=len(classes))
    if len(labels) < cv:
        raise param_error("cv", func, f"at most the number of rows ({len(labels)})", cv)
    rare = [c.item() if isinstance(c, np.generic) else c for c in classes[counts < cv]]
    if rare:
        warnings.warn(
            f"{len(rare)} class(es) have fewer than cv={cv} rows ({rare[:5]}): the folds that "
            "hold them train on few or none of their examples, so these rows will look "
            "mislabelled. Label more examples of them, merge rare classes, or lower cv.",
            DCIWarning,
            stacklevel=3,
        )
    # A plain index of the label values (not a CategoricalIndex) names the columns.
    return codes, pd.Index(list(classes))


def out_of_sample_probs(
    df: pd.DataFrame,
    label: Any,
    *,
    features: Sequence[Any] | None = None,
    model: Any = None,
    cv: int = 5,
    random_state: int = 0,
    n_threads: int = 1,
    preprocess: bool = True,
    progress: Progress | bool | None = None,
) -> OutOfSampleProbs:
    """Predict each row's class probabilities with a model that never saw that row.

    The rows are split into ``cv`` stratified folds; a model fitted on the other folds
    predicts each fold. The result feeds :func:`find_label_issues` directly.

    Parameters
    ----------
    df : pandas.DataFrame
        The data, one row per example.
    label : column name
        The column holding the (possibly noisy) labels; no missing values.
    features : sequence of column names, optional
        The columns to learn from (default: all but ``label``). Numeric, boolean, datetime,
        categorical, free-text (hashed tf-idf of words and word pairs) and image columns
        (cells holding same-shape numpy arrays, flattened) are encoded automatically.
    model : scikit-learn classifier, optional
        Any estimator with ``fit`` and ``predict_proba``; it is cloned per fold and gets the
        encoded features. Default: a soft vote of ``LogisticRegression(C=0.1)`` and
        ``KNeighborsClassifier(15, weights="distance")`` (the linear model alone above 50,000
        rows): on sklearn's digits with 10-20% noise its flags reach F1 ~0.93, in
        under a second.
    cv : int, default 5
        Number of folds, at least 2.
    random_state : int, default 0
        Seed of the fold split (and of the model, when it takes one and has none set).
    n_threads : int, default 1
        Cap on BLAS/OpenMP threads while fitting (threadpoolctl): more threads than cores,
        or several processes each using all cores, make fitting many times slower.
    preprocess : bool, default True
        Encode the features as above. ``False`` hands ``df[features]`` unchanged to ``model``
        (e.g. your own ``Pipeline``).
    progress : callable or bool, optional
        ``progress(done, total, message)`` is called after each fold; ``True`` shows a tqdm
        bar (``pip install tqdm``).

    Returns
    -------
    OutOfSampleProbs
        ``pred_probs`` (indexed like ``df``, one column per class), ``classes``, the
        cross-validated ``accuracy`` and per-fold accuracies.

    Raises
    ------
    InvalidParameterError
        A bad parameter, a label column with missing values or a single class.
    DataMismatchError
        Unknown columns, or image cells of different shapes.

    Warns
    -----
    DCIWarning
        When a class has fewer rows than ``cv``.

    Examples
    --------
    >>> from jupyter_dci.core.labels import out_of_sample_probs
    >>> from jupyter_dci.datasets import load_wine
    >>> result = out_of_sample_probs(load_wine(), label="label")
    >>> result.pred_probs.shape, round(result.accuracy, 2) > 0.9
    ((178, 3), True)
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    func = "out_of_sample_probs"
    chosen = _check_arguments(df, label, features, cv, model)
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 1:
        raise param_error("n_threads", func, "an int >= 1", n_threads)
    report, bar = _progress_callback(progress)
    codes, classes = _class_codes(df[label], int(cv))
    n_rows, n_classes = len(df), len(classes)
    if preprocess:
        x, kinds, encoder = _encode_frame(df[chosen])
    else:
        x, kinds, encoder = df[chosen], {str(c): "as is" for c in chosen}, None
    if model is None:
        estimator, description = _default_model(n_rows, random_state)
    else:
        estimator, description = clone(model), type(model).__name__
        if "random_state" in estimator.get_params() and estimator.random_state is None:
            estimator.set_params(random_state=random_state)
    folds = StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
    probs = np.zeros((n_rows, n_classes))
    fold_accuracy: list[float] = []
    started = time.perf_counter()
    try:
        with threadpool_limits(limits=int(n_threads)), warnings.catch_warnings():
            # sklearn's own warning about rare classes repeats ours (raised above).
            warnings.filterwarnings(
                "ignore", message="The least populated class", category=UserWarning
            )
            for done, (train, test) in enumerate(folds.split(np.zeros(n_rows), codes), start=1):
                fitted = clone(estimator)
                if encoder is not None:
                    fitted = make_pipeline(clone(encoder), fitted)
                fitted.fit(x.iloc[train], codes[train])
                # A fold may miss a rare class: map the model's columns back to all classes.
                seen = np.asarray(fitted.classes_, dtype=np.intp)
                probs[np.ix_(test, seen)] = fitted.predict_proba(x.iloc[test])
                fold_accuracy.append(float((probs[test].argmax(axis=1) == codes[test]).mean()))
                if report is not None:
                    report(done, int(cv), f"fold {done}/{cv}, accuracy {fold_accuracy[-1]:.3f}")
    finally:
        if bar is not None:
            bar.close()
    # Guard against estimators whose probabilities do not quite sum to 1.
    probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-300)
    return OutOfSampleProbs(
        pred_probs=pd.DataFrame(probs, index=df.index, columns=classes),
        classes=tuple(classes),
        accuracy=float((probs.argmax(axis=1) == codes).mean()),
        fold_accuracy=tuple(fold_accuracy),
        model=description,
        features=kinds,
        cv=int(cv),
        seconds=time.perf_counter() - started,
    )
