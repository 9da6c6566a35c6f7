"""Alerts: one function per family, each reading the column profiles and facts already computed.

Every message says what was found, how much, and what to do. ``details`` keeps the small facts
(thresholds, values) from which ``DataFrameProfile.alert_rows`` finds the rows again.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from jupyter_dci.core.profile._columns import ColumnFacts
from jupyter_dci.core.profile._result import (
    Alert,
    Association,
    ColumnProfile,
    Severity,
    shown,
)

__all__ = [
    "ASSOCIATION_THRESHOLD",
    "association_alerts",
    "column_alerts",
    "duplicate_rows_alert",
    "fmt_count",
    "fmt_n",
    "fmt_share",
]

ASSOCIATION_THRESHOLD = 0.75
NEAR_CONSTANT_SHARE = 0.98
HIGH_CARDINALITY = 50
SKEW_THRESHOLD = 0.5
# Below this many values a skewness says little.
MIN_SKEW_VALUES = 50
# Codes and flags (0/1, ratings 1-5) have a shape, not a skew worth transforming.
MIN_SKEW_DISTINCT = 10
ZERO_INFLATION_SHARE = 0.5
# A numeric sentinel (-1, 999...) counts as a placeholder from this share of the values on.
SENTINEL_MIN_SHARE = 0.001


def fmt_count(n: int) -> str:
    """Format a count with thousands separators.

    Examples
    --------
    >>> fmt_count(1234567)
    '1,234,567'
    """
    return f"{n:,}"


def fmt_n(n: int, noun: str) -> str:
    """Format a count with its noun, plural unless the count is one.

    Examples
    --------
    >>> fmt_n(1, "missing value"), fmt_n(2_000, "row")
    ('1 missing value', '2,000 rows')
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def fmt_share(part: int, whole: int) -> str:
    """Format ``part / whole`` as a percentage with sensible precision.

    Examples
    --------
    >>> fmt_share(1, 3), fmt_share(1, 100_000)
    ('33.3%', '0.001%')
    """
    if whole == 0:
        return "0%"
    pct = 100.0 * part / whole
    if pct == 0 or pct >= 1:
        return f"{pct:.1f}%"
    digits = 1
    while round(pct, digits) == 0 and digits < 6:
        digits += 1
    return f"{pct:.{digits}f}%"


def _alert(
    kind: str,
    column: str | None,
    severity: Severity,
    message: str,
    n_rows: int,
    **details: Any,
) -> Alert:
    return Alert(kind, column, severity, message, int(n_rows), MappingProxyType(details))


def _missing(col: ColumnProfile) -> list[Alert]:
    if col.n_missing == 0 or col.n_rows == 0:
        return []
    share = col.n_missing / col.n_rows
    if col.n_missing == col.n_rows:
        return [
            _alert(
                "empty_column", col.name, "critical",
                f"{col.name!r} has no values: all {fmt_count(col.n_rows)} rows are missing. "
                "Drop the column or check how it was loaded.",
                col.n_rows,
            )
        ]  # fmt: skip
    severity: Severity = "critical" if share >= 0.5 else ("warning" if share >= 0.05 else "info")
    return [
        _alert(
            "missing", col.name, severity,
            f"{col.name!r} has {fmt_n(col.n_missing, 'missing value')} "
            f"({fmt_share(col.n_missing, col.n_rows)} of rows). Impute them, drop the rows, or "
            "add an 'is missing' indicator if the absence itself carries information.",
            col.n_missing, fraction=round(share, 6),
        )
    ]  # fmt: skip


def _constant(col: ColumnProfile, facts: ColumnFacts) -> list[Alert]:
    present = col.n_rows - col.n_missing
    if present == 0 or col.kind == "empty":
        return []
    if col.n_distinct == 1:
        value = col.top.values[0] if col.top else (col.numeric.min if col.numeric else None)
        return [
            _alert(
                "constant", col.name, "warning",
                f"{col.name!r} holds one value ({shown(value)}) in all {fmt_count(present)} "
                "non-missing rows. It carries no information: drop it.",
                present, value=value,
            )
        ]  # fmt: skip
    if col.top and facts.top_count and present >= 50:
        share = facts.top_count / present
        if share >= NEAR_CONSTANT_SHARE:
            rest = present - facts.top_count
            value = col.top.values[0]
            return [
                _alert(
                    "near_constant", col.name, "info",
                    f"{col.name!r} is {fmt_share(facts.top_count, present)} {shown(value)}; only "
                    f"{fmt_n(rest, 'row')} differ. Check whether the rare values matter, or "
                    "drop the column as a feature.",
                    rest, value=value, share=round(share, 6),
                )
            ]  # fmt: skip
    return []


def _identifier(col: ColumnProfile) -> list[Alert]:
    present = col.n_rows - col.n_missing
    if col.kind == "identifier":
        unique = col.n_distinct == present
        what = "unique" if unique else "near-unique"
        return [
            _alert(
                "id_like", col.name, "warning",
                f"{col.name!r} looks like an identifier: {fmt_count(col.n_distinct)} distinct "
                f"values in {fmt_count(present)} rows ({what}). Use it as a key, not as a "
                "feature: a model would memorise it.",
                0, n_distinct=col.n_distinct, unique=unique,
            )
        ]  # fmt: skip
    if col.kind == "categorical" and col.n_distinct > HIGH_CARDINALITY:
        return [
            _alert(
                "high_cardinality", col.name, "info",
                f"{col.name!r} has {fmt_count(col.n_distinct)} distinct categories. Group rare "
                "ones into 'other' or use a target/count encoding instead of one-hot.",
                0, n_distinct=col.n_distinct,
            )
        ]  # fmt: skip
    return []


def _mixed(col: ColumnProfile) -> list[Alert]:
    if col.kind != "mixed":
        return []
    dominant = max(col.types, key=lambda t: col.types[t])
    others = sum(v for t, v in col.types.items() if t != dominant)
    listing = ", ".join(f"{t} ({fmt_count(v)})" for t, v in col.types.items())
    return [
        _alert(
            "mixed_types", col.name, "warning",
            f"{col.name!r} mixes Python types: {listing}. {fmt_count(others)} cells are not "
            f"{dominant}. Convert the column to one type (e.g. pd.to_numeric(errors='coerce') "
            "for numbers stored as text).",
            others, types=dict(col.types), dominant=dominant,
        )
    ]  # fmt: skip


def _numeric(col: ColumnProfile, facts: ColumnFacts) -> list[Alert]:
    stats = col.numeric
    if stats is None or col.kind != "numeric":
        return []
    out = []
    present = col.n_rows - col.n_missing
    fences = facts.fences
    if fences is not None and fences.n_low + fences.n_high > 0:
        n = fences.n_low + fences.n_high
        extremes = []
        if fences.n_low:
            extremes.append(f"min {stats.min:.4g}")
        if fences.n_high:
            extremes.append(f"max {stats.max:.4g}")
        out.append(
            _alert(
                "outliers", col.name, "warning",
                f"{col.name!r} has {fmt_n(n, 'extreme outlier')} "
                f"({fmt_share(n, present)} of values) outside [{fences.low:.4g}, "
                f"{fences.high:.4g}] (robust fences from the median and tail quantiles"
                f"{', on a log scale' if fences.log else ''}; {', '.join(extremes)}). Check them "
                "for unit or entry errors; fix, cap or drop them.",
                n, low=fences.low, high=fences.high, log=fences.log,
                n_low=fences.n_low, n_high=fences.n_high,
            )
        )  # fmt: skip
    if stats.n_inf:
        out.append(
            _alert(
                "infinite", col.name, "warning",
                f"{col.name!r} has {fmt_n(stats.n_inf, 'infinite value')}. Replace them "
                "(often a division by zero upstream) with NaN or a bound.",
                stats.n_inf,
            )
        )  # fmt: skip
    zero_share = stats.n_zeros / present if present else 0.0
    if zero_share >= ZERO_INFLATION_SHARE and col.n_distinct > 2:
        out.append(
            _alert(
                "zero_inflated", col.name, "info",
                f"{col.name!r} is zero in {fmt_count(stats.n_zeros)} rows "
                f"({fmt_share(stats.n_zeros, present)}). Model 'is zero' and 'how much' apart, or "
                "check whether zero stands for missing.",
                stats.n_zeros, share=round(zero_share, 6),
            )
        )  # fmt: skip
    elif (
        stats.skewness is not None
        and abs(stats.skewness) >= SKEW_THRESHOLD
        and present >= MIN_SKEW_VALUES
        and col.n_distinct >= MIN_SKEW_DISTINCT
    ):
        side = "right" if stats.skewness > 0 else "left"
        out.append(
            _alert(
                "skewed", col.name, "info",
                f"{col.name!r} is heavily {side}-skewed (quantile skewness "
                f"{stats.skewness:.2f}; median {stats.quantiles['0.5']:.4g}, 95th percentile "
                f"{stats.quantiles['0.95']:.4g}). Consider a log or rank transform for linear "
                "models.",
                0, skewness=stats.skewness,
            )
        )  # fmt: skip
    sentinels = [(v, c) for v, c in facts.sentinels if c >= max(3, SENTINEL_MIN_SHARE * present)]
    if sentinels:
        n = sum(c for _, c in sentinels)
        listing = ", ".join(f"{v:g} ({fmt_count(c)} rows)" for v, c in sentinels)
        out.append(
            _alert(
                "placeholder", col.name, "warning",
                f"{col.name!r} has values that look like codes for 'unknown': {listing}, at the "
                "edge of its range. Replace them with NaN if that is what they mean.",
                n, values=[v for v, _ in sentinels],
            )
        )  # fmt: skip
    return out


def _strings(col: ColumnProfile, facts: ColumnFacts) -> list[Alert]:
    out = []
    present = col.n_rows - col.n_missing
    if facts.placeholders:
        n = sum(c for _, c in facts.placeholders)
        listed = facts.placeholders[:8]
        listing = ", ".join(f"{shown(v)} ({fmt_count(c)} rows)" for v, c in listed)
        noun = "dates" if col.kind == "datetime" else "values"
        out.append(
            _alert(
                "placeholder", col.name, "warning",
                f"{col.name!r} has {noun} that hide missing data: {listing}; "
                f"{fmt_count(n)} rows in all ({fmt_share(n, col.n_rows)}). Replace them with a "
                "missing value (e.g. read_csv(na_values=[...])).",
                n, values=[v for v, _ in facts.placeholders],
            )
        )  # fmt: skip
    if facts.spelling:
        n = sum(g["n_minority"] for g in facts.spelling)
        example = " / ".join(shown(v) for v in facts.spelling[0]["values"][:4])
        out.append(
            _alert(
                "inconsistent_spelling", col.name, "warning",
                f"{col.name!r} spells the same category in several ways ({example}; "
                f"{len(facts.spelling)} groups): {fmt_count(n)} rows use a minority spelling. "
                "Normalise case, spaces and punctuation (e.g. .str.strip().str.upper()).",
                n, groups=[dict(g) for g in facts.spelling],
            )
        )  # fmt: skip
    if facts.personal:
        n = max(facts.personal.values())
        kinds = " and ".join(
            f"{k} addresses" if k == "email" else f"{k} numbers" for k in facts.personal
        )
        out.append(
            _alert(
                "personal_data", col.name, "critical",
                f"{col.name!r} holds personal data: {kinds} in {fmt_count(n)} rows "
                f"({fmt_share(n, present)}). Drop, hash or pseudonymise it before sharing the data "
                "or training on it.",
                n, found=dict(facts.personal),
            )
        )  # fmt: skip
    return out


def column_alerts(col: ColumnProfile, facts: ColumnFacts) -> list[Alert]:
    """Every single-column alert of one column.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile._columns import profile_column
    >>> w = profile_column(pd.Series([1.0, None] * 10), key="x", position=0)
    >>> [a.kind for a in column_alerts(w.profile, w.facts)]
    ['missing', 'constant']
    """
    return [
        *_missing(col),
        *_constant(col, facts),
        *_identifier(col),
        *_mixed(col),
        *_numeric(col, facts),
        *_strings(col, facts),
    ]


def duplicate_rows_alert(n_duplicates: int, n_rows: int) -> list[Alert]:
    """Return the alert for exact duplicate rows, if any.

    Examples
    --------
    >>> duplicate_rows_alert(2, 100)[0].n_rows
    2
    """
    if n_duplicates == 0:
        return []
    severity: Severity = "warning" if n_duplicates / n_rows >= 0.01 else "info"
    return [
        _alert(
            "duplicate_rows", None, severity,
            f"{fmt_n(n_duplicates, 'row')} ({fmt_share(n_duplicates, n_rows)}) are exact copies "
            "of an earlier row. Drop them (df.drop_duplicates()) unless repeats are real events; "
            "copies across a train/test split inflate test scores.",
            n_duplicates,
        )
    ]  # fmt: skip


def association_alerts(found: Sequence[Association], *, n_rows_used: int) -> list[Alert]:
    """Alerts for strongly associated pairs of columns.

    Examples
    --------
    >>> from jupyter_dci.core.profile import Association
    >>> a = association_alerts([Association(("a", "b"), "pearson", 0.95)], n_rows_used=10)
    >>> a[0].kind, a[0].details["columns"]
    ('associated', ['a', 'b'])
    """
    names = {
        "pearson": "|Pearson r|",
        "cramers_v": "Cramér's V",
        "correlation_ratio": "correlation ratio",
    }
    out = []
    for assoc in sorted(found, key=lambda a: -a.value):
        if assoc.value < ASSOCIATION_THRESHOLD:
            continue
        a, b = assoc.columns
        out.append(
            _alert(
                "associated", a, "info",
                f"{a!r} and {b!r} are strongly associated ({names[assoc.method]} = "
                f"{assoc.value:.2f}, on {fmt_count(n_rows_used)} rows). One may be redundant or "
                "derived from the other: keep one, or check for leakage.",
                0, columns=[a, b], method=assoc.method, value=assoc.value,
            )
        )  # fmt: skip
    return out
