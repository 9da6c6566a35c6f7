"""Text statistics and personal-data detection, on the distinct values of a string column.

Lengths and pattern matches are computed once per distinct value (with Arrow's UTF-8 and RE2
kernels) and weighted by the value's row count, so a column with few distinct values costs almost
nothing and a free-text column costs one pass over its distinct values.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jupyter_dci.core.profile._categorical import Encoded
from jupyter_dci.core.profile._result import TextStats

__all__ = ["PERSONAL_PATTERNS", "personal_data", "text_stats", "whitespace_share"]

#: RE2 patterns (whole value) of personal data the profile looks for.
PERSONAL_PATTERNS: dict[str, str] = {
    "email": r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
    # International (+44 20 7946 0958), North American ((555) 123-4567, 555.123.4567) and
    # grouped national numbers (07700 900123); a bare run of digits is not taken for a phone.
    "phone": (
        r"^(\+\d{1,3}[\s.-]?\d{1,4}([\s.-]?\d{2,4}){2,4}"
        r"|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}"
        r"|0\d{3,4}[\s-]\d{5,7})$"
    ),
}
# Above this many distinct values, the patterns are first tried on a slice of them and the exact
# pass runs only when that slice has a match: a column of a million review texts with no e-mail
# among its first values is not scanned twice for nothing.
_PRECHECK_DISTINCT = 50_000
_PRECHECK_SIZE = 5_000


def _weighted_median(lengths: np.ndarray, counts: np.ndarray) -> float:
    # Lengths are small integers: count rows per length instead of sorting the values.
    per_length = np.bincount(lengths, weights=counts)
    cum = np.cumsum(per_length)
    total = round(cum[-1])
    # The median of the lengths of ``total`` rows, as numpy's median would give it.
    lo = int(np.searchsorted(cum, (total - 1) // 2, side="right"))
    hi = int(np.searchsorted(cum, total // 2, side="right"))
    return (lo + hi) / 2.0


def text_stats(enc: Encoded) -> TextStats | None:
    """Length statistics of the non-missing strings, or None when there are none.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile._categorical import encode_strings
    >>> text_stats(encode_strings(pd.Series(["ab", "abcd", None]))).mean_length
    3.0
    """
    present = enc.counts > 0
    if not enc.is_string or not present.any():
        return None
    lengths = pc.utf8_length(enc.uniques).to_numpy(zero_copy_only=False).astype(np.int64)
    lengths, counts = lengths[present], enc.counts[present]
    total = int(counts.sum())
    return TextStats(
        min_length=int(lengths.min()),
        max_length=int(lengths.max()),
        mean_length=float((lengths * counts).sum() / total),
        median_length=_weighted_median(lengths, counts),
        n_empty=int(counts[lengths == 0].sum()),
    )


def whitespace_share(enc: Encoded) -> float:
    """Fraction of the non-missing rows whose value contains a space (prose, not codes).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile._categorical import encode_strings
    >>> whitespace_share(encode_strings(pd.Series(["a b", "c", "d", "e"])))
    0.25
    """
    if not enc.is_string or enc.counts.sum() == 0:
        return 0.0
    uniques, counts = enc.uniques, enc.counts
    if len(uniques) > _PRECHECK_DISTINCT:
        # The share only decides text against codes: the first values (in order of first
        # appearance) estimate it well enough.
        uniques, counts = uniques.slice(0, _PRECHECK_DISTINCT), counts[:_PRECHECK_DISTINCT]
    total = int(counts.sum())
    if total == 0:
        return 0.0
    spaced = pc.match_substring(pc.utf8_trim_whitespace(uniques), " ")
    hit = spaced.to_numpy(zero_copy_only=False)
    return float(counts[hit].sum() / total)


def personal_data(enc: Encoded) -> dict[str, int]:
    """Count the rows whose whole value is an e-mail address or a phone number.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile._categorical import encode_strings
    >>> personal_data(encode_strings(pd.Series(["ann@example.com", "+44 20 7946 0958", "x"])))
    {'email': 1, 'phone': 1}
    """
    if not enc.is_string or len(enc.uniques) == 0:
        return {}
    uniques: pa.Array = enc.uniques
    found: dict[str, int] = {}
    for name, pattern in PERSONAL_PATTERNS.items():
        if len(uniques) > _PRECHECK_DISTINCT:
            head = uniques.slice(0, _PRECHECK_SIZE)
            if not pc.any(pc.match_substring_regex(head, pattern)).as_py():
                continue
        hit = pc.match_substring_regex(uniques, pattern).to_numpy(zero_copy_only=False)
        n = int(enc.counts[hit].sum())
        if n:
            found[name] = n
    return found
