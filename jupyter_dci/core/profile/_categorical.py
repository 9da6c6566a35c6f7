"""Encoding of non-numeric columns into codes + distinct values + counts, and what follows.

Every non-numeric column is encoded once: ``codes`` (one small int per row, -1 when missing),
the distinct values and their row counts. Everything else (top values, text lengths, personal
data, placeholders, spelling variants) is then computed on the distinct values, weighted by their
counts, which is far cheaper than touching every row again. Strings are encoded by Arrow's
``dictionary_encode`` (pandas 3 strings are already Arrow, so nothing is converted).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jupyter_dci.core.profile._result import TopValues, bounded

__all__ = [
    "PLACEHOLDER_STRINGS",
    "Encoded",
    "encode_booleans",
    "encode_category",
    "encode_objects",
    "encode_strings",
    "placeholder_counts",
    "spelling_groups",
    "top_values",
]

N_TOP = 10
# Strings that stand for "no value" (compared after lower-casing and trimming).
PLACEHOLDER_STRINGS: tuple[str, ...] = (
    "", "n/a", "na", "n.a.", "nan", "null", "none", "nil", "?", "??", "-", "--", "---", ".",
    "missing", "unknown", "undefined", "not available", "#n/a", "#na", "-1", "999", "9999",
    "-999", "tbd", "xxx",
)  # fmt: skip
_PLACEHOLDER_PATTERN = (
    r"(?i)^\s*(" + "|".join(re.escape(p) for p in PLACEHOLDER_STRINGS if p) + r")?\s*$"
)
# Spelling variants are looked for among at most this many distinct values (beyond that a
# column is an identifier or free text, where variants are expected and not a problem).
MAX_SPELLING_DISTINCT = 20_000


@dataclass(frozen=True)
class Encoded:
    """Codes per row (-1 for missing), distinct values and their row counts.

    ``uniques`` is an Arrow string array for string columns, else a numpy object array.
    """

    codes: np.ndarray
    uniques: Any
    counts: np.ndarray
    n_missing: int
    is_string: bool

    @property
    def n_distinct(self) -> int:
        """Number of distinct values present (unused categories left out)."""
        return int(np.count_nonzero(self.counts))

    def values_at(self, idx: np.ndarray) -> list[Any]:
        """Return the distinct values at positions ``idx`` as JSON builtins."""
        if self.is_string:
            return [str(v) for v in self.uniques.take(pa.array(idx, type=pa.int64())).to_pylist()]
        return [_jsonable(self.uniques[i]) for i in idx]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if np.isfinite(v) else str(v)
    if isinstance(value, str):
        return value
    return str(value)


def _arrow_strings(series: pd.Series) -> pa.Array:
    """Return the strings of ``series`` as one Arrow array (nulls for missing)."""
    if isinstance(series.dtype, (pd.StringDtype, pd.ArrowDtype)):
        arr = pa.array(series.array)
    else:
        arr = pa.array(series.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr


def encode_strings(series: pd.Series) -> Encoded:
    """Encode a column of strings with Arrow's hash kernel.

    Examples
    --------
    >>> import pandas as pd
    >>> enc = encode_strings(pd.Series(["a", "b", "a", None]))
    >>> enc.codes.tolist(), enc.counts.tolist(), enc.n_missing
    ([0, 1, 0, -1], [2, 1], 1)
    """
    arr = _arrow_strings(series)
    dict_arr = arr.dictionary_encode()
    indices = dict_arr.indices
    n_missing = indices.null_count
    codes = indices.to_numpy(zero_copy_only=False) if n_missing == 0 else None
    if codes is None:
        codes = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False)
    uniques = dict_arr.dictionary
    counts = _bincount(codes, len(uniques))
    return Encoded(codes, uniques, counts, int(n_missing), True)


def _bincount(codes: np.ndarray, n: int) -> np.ndarray:
    # Shift by one so missing (-1) lands in bin 0 and no masked copy of the codes is made.
    return np.bincount(codes.astype(np.int64, copy=False) + 1, minlength=n + 1)[1:].astype(np.int64)


def encode_category(series: pd.Series) -> Encoded:
    """Encode a pandas ``category`` column from its own codes (no hashing needed).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["x", "y", None], dtype=pd.CategoricalDtype(["x", "y", "z"]))
    >>> enc = encode_category(s)
    >>> enc.counts.tolist(), enc.n_distinct
    ([1, 1, 0], 2)
    """
    codes = series.cat.codes.to_numpy()
    cats = series.cat.categories
    counts = _bincount(codes, len(cats))
    n_missing = int(len(codes) - counts.sum())
    if (cats.dtype == object or isinstance(cats.dtype, pd.StringDtype)) and all(
        isinstance(c, str) for c in cats
    ):
        uniques = pa.array(list(cats), type=pa.large_string())
        return Encoded(codes, uniques, counts, n_missing, True)
    return Encoded(codes, np.asarray(cats, dtype=object), counts, n_missing, False)


def encode_booleans(values: np.ndarray, missing: np.ndarray) -> Encoded:
    """Encode booleans as codes 0 (False) and 1 (True).

    Examples
    --------
    >>> import numpy as np
    >>> encode_booleans(np.array([True, False, True]), np.zeros(3, bool)).counts.tolist()
    [1, 2]
    """
    codes = values.astype(np.int8)
    if missing.any():
        codes[missing] = -1
    counts = _bincount(codes, 2)
    return Encoded(codes, np.array([False, True], dtype=object), counts, int(missing.sum()), False)


def _array_key(value: np.ndarray) -> str:
    # Arrays (images, embeddings) are keyed by their exact contents: repr is slow (seconds for a
    # few thousand 8x8 images) and numpy abbreviates large arrays, so different ones could print
    # alike. A 64-bit digest with the shape and dtype stands for the contents, and reads well.
    shape = "x".join(str(s) for s in value.shape)
    digest = hashlib.blake2b(np.ascontiguousarray(value).tobytes(), digest_size=8).hexdigest()
    return f"<{shape} {value.dtype} array {digest}>"


def _key(value: Any) -> Hashable:
    # The type is part of the key so 1, 1.0, True and "1" stay distinct values; unhashable cells
    # (lists, dicts) are keyed by their repr, numeric arrays by their contents.
    name = type(value).__name__
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufcmM":
        return (name, _array_key(value))
    if isinstance(value, Hashable):
        try:
            hash(value)
        except TypeError:
            return (name, repr(value))
        return (name, value)
    return (name, repr(value))


def encode_objects(values: np.ndarray, missing: np.ndarray) -> tuple[Encoded, dict[str, int]]:
    """Encode an object column of any cells (mixed types, lists, dicts...).

    Returns the encoding and the count of non-missing cells per Python type.

    Examples
    --------
    >>> import numpy as np
    >>> enc, types = encode_objects(np.array([1, "1", [1], None], dtype=object),
    ...                             np.array([False, False, False, True]))
    >>> enc.n_distinct, types
    (3, {'int': 1, 'list': 1, 'str': 1})
    """
    present = values[~missing]
    keys = np.empty(len(present), dtype=object)
    keys[:] = [_key(v) for v in present]
    sub_codes, uniq_keys = pd.factorize(keys)
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~missing] = sub_codes
    counts = _bincount(sub_codes, len(uniq_keys))
    uniques = np.empty(len(uniq_keys), dtype=object)
    uniques[:] = [k[1] for k in uniq_keys]
    type_names = np.array([k[0] for k in uniq_keys], dtype=object)
    types: dict[str, int] = {}
    for name, count in zip(type_names, counts, strict=True):
        types[name] = types.get(name, 0) + int(count)
    return Encoded(codes, uniques, counts, int(missing.sum()), False), dict(sorted(types.items()))


def top_values(enc: Encoded, k: int = N_TOP) -> TopValues:
    """Return the ``k`` most frequent values and what is left.

    Examples
    --------
    >>> import pandas as pd
    >>> top_values(encode_strings(pd.Series(["a", "b", "a"])), 1).values
    ('a',)
    """
    counts = enc.counts
    # argpartition finds the k largest without sorting every count.
    idx = np.argpartition(-counts, k - 1)[:k] if len(counts) > k else np.arange(len(counts))
    idx = idx[np.argsort(-counts[idx], kind="stable")]
    idx = idx[counts[idx] > 0]
    shown = counts[idx]
    return TopValues(
        values=tuple(bounded(v) for v in enc.values_at(idx)),
        counts=tuple(int(c) for c in shown),
        n_other_rows=int(counts.sum() - shown.sum()),
        n_other_values=int(enc.n_distinct - len(idx)),
    )


def _normalised(uniques: pa.Array, *, strip_punctuation: bool) -> pa.Array:
    out = pc.utf8_trim_whitespace(pc.utf8_lower(uniques))
    if strip_punctuation:
        out = pc.replace_substring_regex(out, pattern=r"[\s\W_]+", replacement="")
    return out


def placeholder_counts(enc: Encoded) -> list[tuple[str, int]]:
    """Return the placeholder strings found ("N/A", "?", "-"...) with their row counts.

    Examples
    --------
    >>> import pandas as pd
    >>> placeholder_counts(encode_strings(pd.Series(["a", "N/A", "?", "N/A"])))
    [('N/A', 2), ('?', 1)]
    """
    if not enc.is_string or len(enc.uniques) == 0:
        return []
    # One anchored, case-insensitive RE2 pass: most values fail on their first characters.
    hit = pc.match_substring_regex(enc.uniques, _PLACEHOLDER_PATTERN)
    idx = np.flatnonzero(hit.to_numpy(zero_copy_only=False) & (enc.counts > 0))
    idx = idx[np.argsort(-enc.counts[idx], kind="stable")]
    return list(zip(enc.values_at(idx), (int(c) for c in enc.counts[idx]), strict=True))


def spelling_groups(enc: Encoded, *, max_groups: int = 10) -> list[dict[str, Any]]:
    """Find values that differ only in case, spaces or punctuation ("NY", "ny ", "N.Y.").

    Returns at most ``max_groups`` groups, largest first: each has the ``values`` (most frequent
    first), their ``counts`` and ``n_minority`` (rows not spelled the most common way).

    Examples
    --------
    >>> import pandas as pd
    >>> g = spelling_groups(encode_strings(pd.Series(["NY", "NY", "ny ", "N.Y.", "LA"])))
    >>> g[0]["values"], g[0]["n_minority"]
    (['NY', 'ny ', 'N.Y.'], 2)
    """
    if not enc.is_string or not 1 < len(enc.uniques) <= MAX_SPELLING_DISTINCT:
        return []
    norm = _normalised(enc.uniques, strip_punctuation=True)
    # Values made only of punctuation would all collapse to "": they are placeholders instead.
    norm = pc.if_else(pc.equal(norm, ""), pa.scalar(None, norm.type), norm)
    group_arr = norm.dictionary_encode().indices
    group = pc.fill_null(group_arr, -1).to_numpy(zero_copy_only=False)
    present = (enc.counts > 0) & (group >= 0)
    if not present.any():
        return []
    n_groups = int(group.max()) + 1
    sizes = np.bincount(group[present], minlength=n_groups)
    totals = np.bincount(group[present], weights=enc.counts[present], minlength=n_groups)
    largest = np.zeros(n_groups)
    np.maximum.at(largest, group[present], enc.counts[present])
    minority = np.where(sizes > 1, totals - largest, 0)
    chosen = np.argsort(-minority, kind="stable")[:max_groups]
    groups: list[dict[str, Any]] = []
    for g in chosen[minority[chosen] > 0]:
        idx = np.flatnonzero((group == g) & present)
        idx = idx[np.argsort(-enc.counts[idx], kind="stable")]
        counts = enc.counts[idx]
        groups.append(
            {
                "values": [bounded(v) for v in enc.values_at(idx[:10])],
                "counts": [int(c) for c in counts[:10]],
                "n_minority": int(counts[1:].sum()),
            }
        )
    groups.sort(key=lambda item: -item["n_minority"])
    return groups[:max_groups]
