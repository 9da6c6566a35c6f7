"""The seeded 20-column mixed benchmark frame of ``notes/anchors.md`` ("Benchmark frame").

Every benchmark that needs "a realistic mixed frame" imports :func:`make_mixed_frame`, so the
figures of different benchmarks describe the same data. Its shape, as anchors.md measures it:

- 9 numeric columns: ``normal``, ``lognormal`` (sigma=1.2), ``zero_inflated`` (int, 62% zeros),
  ``int_nan`` (an int column turned float by NaN), ``uniform``, ``exponential``, ``correlated``
  (r ~ 0.8 with ``normal``), ``outliers`` (0.1% of values multiplied by 1e4) and
  ``gamma_rounded``;
- 4 string columns: ``segment`` (5 levels), ``country`` (50-level Zipf), ``user_id``
  (n/2 distinct values) and ``status`` (99% one value);
- ``size`` (a pandas ``category``), ``is_active`` (``bool``), ``verified`` (nullable ``boolean``
  with missing values);
- 2 datetimes: ``created_at`` and ``updated_at``;
- 2 short free-text columns: ``review`` and ``email``.

About 4.7% of all cells are missing and 0.2% of the rows are exact copies of other rows.

Examples
--------
>>> from benchmarks.frames import make_mixed_frame
>>> df = make_mixed_frame(1_000)
>>> df.shape
(1000, 20)
>>> int(df.duplicated().sum())
2
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MISSING_FRACTIONS", "make_mixed_frame"]

# Fraction of missing cells per column; their mean over the 20 columns is 4.7%.
MISSING_FRACTIONS: dict[str, float] = {
    "normal": 0.02,
    "lognormal": 0.05,
    "int_nan": 0.10,
    "exponential": 0.03,
    "correlated": 0.02,
    "gamma_rounded": 0.02,
    "segment": 0.03,
    "country": 0.08,
    "status": 0.01,
    "size": 0.05,
    "verified": 0.15,
    "updated_at": 0.15,
    "review": 0.15,
    "email": 0.08,
}

_DUPLICATE_FRACTION = 0.002

_ADJECTIVES = np.array(
    [
        "great",
        "good",
        "fine",
        "okay",
        "poor",
        "awful",
        "fast",
        "slow",
        "cheap",
        "pricey",
        "solid",
        "flimsy",
        "lovely",
        "broken",
        "decent",
        "perfect",
        "noisy",
        "quiet",
        "handy",
        "useless",
        "bright",
        "dull",
        "sturdy",
        "tiny",
        "huge",
        "light",
        "heavy",
        "smooth",
        "rough",
        "clean",
    ]
)
_NOUNS = np.array(
    [
        "product",
        "delivery",
        "service",
        "packaging",
        "quality",
        "price",
        "support",
        "size",
        "colour",
        "battery",
        "screen",
        "fabric",
        "fit",
        "sound",
        "taste",
        "smell",
        "design",
        "app",
        "manual",
        "warranty",
        "refund",
        "order",
        "courier",
        "box",
        "charger",
        "cable",
        "strap",
        "handle",
        "lid",
        "zip",
        "button",
        "seller",
        "store",
        "website",
        "checkout",
        "invoice",
        "replacement",
        "return",
        "stock",
        "display",
    ]
)
_VERBS = np.array(
    [
        "arrived",
        "broke",
        "worked",
        "failed",
        "helped",
        "improved",
        "changed",
        "lasted",
        "stopped",
        "started",
        "shipped",
        "returned",
        "matched",
        "surprised",
        "annoyed",
        "pleased",
        "confused",
        "impressed",
        "disappointed",
        "delighted",
        "fitted",
        "faded",
        "leaked",
        "cracked",
        "melted",
        "shrank",
        "squeaked",
        "rattled",
        "glowed",
        "buzzed",
    ]
)
_FIRST = np.array(
    [
        "anna",
        "ben",
        "carla",
        "dan",
        "eva",
        "farid",
        "gita",
        "hugo",
        "ines",
        "jon",
        "kemal",
        "lea",
        "marco",
        "nina",
        "omar",
        "paula",
        "quinn",
        "rosa",
        "sami",
        "tara",
        "umar",
        "vera",
        "will",
        "xena",
        "yusuf",
        "zoe",
    ]
)
_LAST = np.array(
    [
        "smith",
        "garcia",
        "muller",
        "rossi",
        "kim",
        "tanaka",
        "silva",
        "nowak",
        "dubois",
        "ivanov",
        "khan",
        "chen",
        "okafor",
        "larsen",
        "novak",
        "costa",
        "weber",
        "jones",
        "patel",
        "singh",
    ]
)
_DOMAINS = np.array(["example.com", "mail.test", "corp.example", "uni.test", "shop.example"])
_COUNTRIES = np.array(
    [
        "US",
        "IN",
        "CN",
        "BR",
        "DE",
        "GB",
        "FR",
        "JP",
        "NG",
        "MX",
        "ID",
        "PK",
        "RU",
        "IT",
        "ES",
        "CA",
        "KR",
        "AU",
        "TR",
        "IR",
        "EG",
        "VN",
        "TH",
        "PH",
        "AR",
        "ZA",
        "PL",
        "UA",
        "CO",
        "MY",
        "SA",
        "NL",
        "BD",
        "KE",
        "CL",
        "PE",
        "BE",
        "SE",
        "CH",
        "AT",
        "PT",
        "GR",
        "CZ",
        "HU",
        "IL",
        "RO",
        "DK",
        "FI",
        "NO",
        "NZ",
    ]
)


def _str(values: np.ndarray) -> pd.Series:
    # Let pandas pick its default string dtype (object in pandas 2, "str" in pandas 3), the
    # dtype a user who reads a CSV gets, so the benchmark profiles what users profile.
    return pd.Series(values.astype(object))


def _join(*parts: np.ndarray | str) -> np.ndarray:
    # Object arrays concatenate element-wise with "+", with no Python loop of our own.
    out: np.ndarray | str = ""
    for part in parts:
        out = out + (part if isinstance(part, str) else np.asarray(part).astype(str).astype(object))
    return np.asarray(out)


def make_mixed_frame(n_rows: int, *, seed: int = 0) -> pd.DataFrame:
    """Build the seeded 20-column mixed benchmark frame of ``notes/anchors.md``.

    Parameters
    ----------
    n_rows : int
        Number of rows, at least 1.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        ``n_rows`` rows and the 20 columns listed in the module docstring, with about 4.7% of
        the cells missing and 0.2% of the rows exact duplicates of other rows.

    Examples
    --------
    >>> from benchmarks.frames import make_mixed_frame
    >>> df = make_mixed_frame(10_000, seed=1)
    >>> list(df.columns[:3])
    ['normal', 'lognormal', 'zero_inflated']
    >>> round(float(df.isna().to_numpy().mean()), 3)
    0.047
    """
    if not isinstance(n_rows, (int, np.integer)) or isinstance(n_rows, bool) or n_rows < 1:
        raise ValueError(
            f"The 'n_rows' parameter of make_mixed_frame must be an int >= 1. Got {n_rows!r} "
            "instead."
        )
    n = int(n_rows)
    rng = np.random.default_rng(seed)

    normal = rng.normal(0.0, 1.0, n)
    zero_inflated = rng.poisson(4.0, n) + 1
    zero_inflated[rng.random(n) < 0.62] = 0
    outliers = rng.normal(50.0, 10.0, n)
    n_out = max(1, round(0.001 * n))
    outliers[rng.choice(n, n_out, replace=False)] *= 1e4

    zipf = 1.0 / np.arange(1, 51) ** 1.1
    country = _COUNTRIES[rng.choice(50, n, p=zipf / zipf.sum())]
    status = np.where(
        rng.random(n) < 0.99, "active", rng.choice(np.array(["suspended", "closed"]), n)
    )
    user_id = _join("u", rng.permutation(n) // 2 + 100_000)
    review = _join(
        rng.choice(_ADJECTIVES, n),
        " ",
        rng.choice(_NOUNS, n),
        ", ",
        rng.choice(_VERBS, n),
        " after ",
        rng.integers(1, 60, n).astype(str),
        " days",
    )
    email = _join(
        rng.choice(_FIRST, n),
        ".",
        rng.choice(_LAST, n),
        rng.integers(1, 1000, n).astype(str),
        "@",
        rng.choice(_DOMAINS, n),
    )
    start = np.datetime64("2023-01-01T00:00:00", "s").astype(np.int64)
    created = start + rng.integers(0, 3 * 365 * 86_400, n)
    updated = created + rng.exponential(30 * 86_400, n).astype(np.int64)

    df = pd.DataFrame(
        {
            "normal": normal,
            "lognormal": rng.lognormal(0.0, 1.2, n),
            "zero_inflated": zero_inflated.astype(np.int64),
            "int_nan": rng.integers(0, 100, n).astype(np.float64),
            "uniform": rng.uniform(0.0, 1.0, n),
            "exponential": rng.exponential(2.0, n),
            "correlated": 0.8 * normal + 0.6 * rng.normal(0.0, 1.0, n),
            "outliers": outliers,
            "gamma_rounded": np.round(rng.gamma(2.0, 10.0, n)),
            "segment": _str(rng.choice(np.array(["A", "B", "C", "D", "E"]), n)),
            "country": _str(country),
            "user_id": _str(user_id),
            "status": _str(status),
            "size": pd.Categorical(
                rng.choice(np.array(["S", "M", "L", "XL"]), n, p=[0.3, 0.4, 0.2, 0.1]),
                categories=["S", "M", "L", "XL"],
            ),
            "is_active": rng.random(n) < 0.7,
            "verified": pd.array(rng.random(n) < 0.4, dtype="boolean"),
            "created_at": pd.to_datetime(created, unit="s"),
            "updated_at": pd.to_datetime(updated, unit="s"),
            "review": _str(review),
            "email": _str(email),
        }
    )
    for column, fraction in MISSING_FRACTIONS.items():
        mask = rng.random(n) < fraction
        if mask.any():
            # .where keeps each column's dtype (NaN, NaT, <NA> or None as fits it).
            df[column] = df[column].where(~mask)

    # Copy 0.2% of the rows over other rows: targets and sources are disjoint, so each copy
    # makes exactly one extra duplicate row.
    n_dup = round(_DUPLICATE_FRACTION * n)
    if n_dup and 2 * n_dup <= n:
        order = rng.permutation(n)
        take = np.arange(n)
        take[order[:n_dup]] = order[n_dup : 2 * n_dup]
        df = df.take(take).reset_index(drop=True)
    return df
