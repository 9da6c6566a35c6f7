"""Frozen result objects of :func:`~jupyter_dci.core.profile.profile`.

Statistics are computed once (``_profile.py``) and kept here as plain, typed, immutable values;
every output (``to_dict``, ``to_frame``, the HTML report, the panel) renders these same objects.
Sequences are tuples and mappings are read-only views, so nothing mutates a result after it is
made, and everything in ``to_dict()`` is JSON-serialisable.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "KINDS",
    "SEVERITIES",
    "Alert",
    "Association",
    "ColumnProfile",
    "DataFrameProfile",
    "DatetimeStats",
    "Histogram",
    "NumericStats",
    "TextStats",
    "TopValues",
]

Kind = Literal[
    "numeric", "boolean", "datetime", "categorical", "text", "identifier", "empty", "mixed"
]
Severity = Literal["info", "warning", "critical"]

#: Every inferred column kind, in the order the report lists them.
KINDS: tuple[str, ...] = (
    "numeric",
    "boolean",
    "datetime",
    "categorical",
    "text",
    "identifier",
    "empty",
    "mixed",
)
#: Alert severities, from the mildest.
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")

_EMPTY: Mapping[str, Any] = MappingProxyType({})

#: The most characters of one value a profile keeps (top values, alert details): a longer
#: value is kept as its first ``VALUE_CHARS`` characters and :data:`CUT_MARK`, so that no
#: output grows with a cell's length (fifty 1 MB strings made a 7 MB ``to_dict``).
VALUE_CHARS = 200
CUT_MARK = "…"
#: The most characters of a value quoted in an alert's message.
MESSAGE_CHARS = 60


def bounded(value: Any) -> Any:
    """Return ``value``, or its first :data:`VALUE_CHARS` characters and a mark if longer.

    Examples
    --------
    >>> bounded("abc"), len(bounded("x" * 10_000)), bounded("x" * 10_000)[-1]
    ('abc', 201, '…')
    """
    if isinstance(value, str) and len(value) > VALUE_CHARS:
        return value[:VALUE_CHARS] + CUT_MARK
    return value


def cut_prefix(value: Any) -> str | None:
    """Return the kept start of a value :func:`bounded` cut, or None for a whole value.

    Examples
    --------
    >>> cut_prefix(bounded("x" * 500)) == "x" * 200, cut_prefix("short")
    (True, None)
    """
    if isinstance(value, str) and len(value) == VALUE_CHARS + 1 and value.endswith(CUT_MARK):
        return value[:VALUE_CHARS]
    return None


def shown(value: Any) -> str:
    """Quote a value for a message, cut to :data:`MESSAGE_CHARS` characters.

    Examples
    --------
    >>> shown("NY"), shown("y" * 100)[-2:], len(shown("y" * 100))
    ("'NY'", 'y…', 61)
    """
    text = repr(value)
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + CUT_MARK


def _plain(value: Any) -> Any:
    """Turn a result value into JSON-serialisable builtins (recursively)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.to_dict()  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Histogram:
    """Pre-binned counts: ``counts[i]`` values fell in ``[edges[i], edges[i + 1])``.

    Values below ``edges[0]`` or above ``edges[-1]`` (outliers, kept out so that they do not
    squash the chart) are counted in ``n_below`` and ``n_above``. For datetimes the edges are
    ISO 8601 strings. ``scale`` is ``"log"`` when the edges are evenly spaced in log (for
    positive, right-skewed numbers), else ``"linear"``.
    """

    edges: tuple[float | str, ...]
    counts: tuple[int, ...]
    n_below: int = 0
    n_above: int = 0
    scale: str = "linear"

    def to_dict(self) -> dict[str, Any]:
        """Return the histogram as JSON-serialisable builtins.

        Examples
        --------
        >>> Histogram(edges=(0.0, 1.0), counts=(3,)).to_dict()["counts"]
        [3]
        """
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class NumericStats:
    """Summary of the finite values of a numeric column.

    ``quantiles`` maps a probability (as a string such as ``"0.25"``) to its value. ``n_zeros``,
    ``n_negative`` and ``n_inf`` count rows; ``n_inf`` values are left out of the other figures.
    ``skewness`` is the robust quantile skewness ``(q95 + q05 - 2 q50) / (q95 - q05)`` in
    [-1, 1], which does not drift with the number of rows the way the moment skewness does.
    """

    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    quantiles: Mapping[str, float]
    n_zeros: int
    n_negative: int
    n_inf: int
    skewness: float | None
    histogram: Histogram | None
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as JSON-serialisable builtins.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.profile import profile
        >>> col = profile(pd.DataFrame({"x": [1.0, 2.0]})).columns["x"]
        >>> col.numeric.to_dict()["max"]
        2.0
        """
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class TopValues:
    """The most frequent values and their row counts, and how much is left.

    Values are JSON builtins (a cell that is none is shown through its ``str``).
    """

    values: tuple[Any, ...]
    counts: tuple[int, ...]
    n_other_rows: int
    n_other_values: int

    def to_dict(self) -> dict[str, Any]:
        """Return the top values as JSON-serialisable builtins.

        Examples
        --------
        >>> TopValues(("a",), (2,), 0, 0).to_dict()["values"]
        ['a']
        """
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class TextStats:
    """Length statistics (in characters) of the non-missing strings of a column."""

    min_length: int
    max_length: int
    mean_length: float
    median_length: float
    n_empty: int

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as JSON-serialisable builtins.

        Examples
        --------
        >>> TextStats(1, 3, 2.0, 2.0, 0).to_dict()["max_length"]
        3
        """
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class DatetimeStats:
    """Range and time histogram of a datetime column (ISO 8601 strings)."""

    min: str | None
    max: str | None
    timezone: str | None
    histogram: Histogram | None

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as JSON-serialisable builtins.

        Examples
        --------
        >>> DatetimeStats("2024-01-01", "2024-02-01", None, None).to_dict()["min"]
        '2024-01-01'
        """
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class ColumnProfile:
    """Everything measured on one column.

    ``kind`` is the inferred kind (one of :data:`KINDS`), ``dtype`` the pandas dtype as text.
    Counts (``n_missing``, ``n_distinct``) are over the rows profiled (all of them unless the
    profile says it sampled). Only the part matching the kind is filled: ``numeric`` for numbers
    (and timedeltas, in seconds), ``top`` for categories, booleans, text and identifiers,
    ``text`` for strings, ``datetime`` for datetimes; ``types`` counts the Python types of the
    cells of a mixed column. ``estimated`` names the figures that are estimates rather than
    exact counts: ``"n_distinct"``, ``"quantiles"``, or ``"top"`` (the commonest values of a
    sample, each counted exactly, which may miss a value as common as the last one shown).
    Only data profiled in its own engine (Polars, DuckDB, files) has any, for columns too wide
    to count exactly.
    """

    name: str
    position: int
    dtype: str
    kind: Kind
    n_rows: int
    n_missing: int
    n_distinct: int
    memory: int
    numeric: NumericStats | None = None
    top: TopValues | None = None
    text: TextStats | None = None
    datetime: DatetimeStats | None = None
    types: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    estimated: tuple[str, ...] = ()

    @property
    def missing_fraction(self) -> float:
        """Fraction of missing cells, 0.0 for a column without rows."""
        return self.n_missing / self.n_rows if self.n_rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the column profile as JSON-serialisable builtins.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.profile import profile
        >>> profile(pd.DataFrame({"a": ["x", "y", None]})).columns["a"].to_dict()["n_missing"]
        1
        """
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class Association:
    """A measured association between two columns.

    ``method`` is ``"pearson"`` (two numeric columns, absolute value), ``"cramers_v"`` (two
    categorical columns, bias-corrected) or ``"correlation_ratio"`` (numeric against
    categorical); ``value`` is in [0, 1].
    """

    columns: tuple[str, str]
    method: str
    value: float

    def to_dict(self) -> dict[str, Any]:
        """Return the association as JSON-serialisable builtins.

        Examples
        --------
        >>> Association(("a", "b"), "pearson", 0.9).to_dict()["columns"]
        ['a', 'b']
        """
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class Alert:
    """A data-quality problem found by :func:`~jupyter_dci.core.profile.profile`.

    ``kind`` names the family (e.g. ``"outliers"``), ``column`` the column key (``None`` for a
    frame-wide alert), ``severity`` one of :data:`SEVERITIES`, ``n_rows`` how many rows it
    concerns, ``message`` says what was found, how much, and what to do. ``details`` holds the
    small, JSON-serialisable facts behind it (thresholds, values, the other column...) from
    which :meth:`DataFrameProfile.alert_rows` selects the rows concerned.
    """

    kind: str
    column: str | None
    severity: Severity
    message: str
    n_rows: int
    details: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def to_dict(self) -> dict[str, Any]:
        """Return the alert as JSON-serialisable builtins.

        Examples
        --------
        >>> Alert("constant", "a", "warning", "a has one value.", 3).to_dict()["kind"]
        'constant'
        """
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class DataFrameProfile:
    """The profile of a DataFrame: what is in it and what is wrong with it.

    Build it with :func:`~jupyter_dci.core.profile.profile`. ``columns`` maps a column key (the
    column name as text, made unique when names repeat) to its :class:`ColumnProfile`.
    ``memory`` is the deep memory in bytes, as ``memory_usage(deep=True)`` (for ``object``
    columns of str it is computed from the string lengths: exact for ASCII text, close
    otherwise; scaled up from the sample when sampled). When ``sampled`` is true every count was
    measured on ``n_rows_profiled`` randomly drawn rows out of ``n_rows``. Associations are
    measured on at most ``association_rows`` randomly drawn rows (all of them on smaller frames).
    ``engine`` names what computed it (``"pandas"``, ``"polars"``, ``"duckdb"``) and ``source``
    what was profiled when it was not a pandas frame (e.g. ``"3 Parquet files"``); a frame
    profiled in its engine has no ``memory`` figure (0): it was never in the kernel's memory.
    """

    n_rows: int
    n_columns: int
    n_duplicate_rows: int
    memory: int
    columns: Mapping[str, ColumnProfile]
    alerts: tuple[Alert, ...]
    associations: tuple[Association, ...] = ()
    label: str | None = None
    sampled: bool = False
    n_rows_profiled: int = 0
    association_rows: int = 0
    seconds: float = 0.0
    engine: str = "pandas"
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the whole profile as JSON-serialisable builtins.

        Examples
        --------
        >>> import json
        >>> import pandas as pd
        >>> from jupyter_dci.core.profile import profile
        >>> d = profile(pd.DataFrame({"a": [1, 2, 2]})).to_dict()
        >>> json.loads(json.dumps(d)) == d
        True
        """
        # The profile's own fields: a display subclass (widgets.ProfileResult) adds a reference
        # to the frame, which is no part of the profile.
        fields = dataclasses.fields(DataFrameProfile)
        return {f.name: _plain(getattr(self, f.name)) for f in fields}

    def to_frame(self) -> pd.DataFrame:
        """Return one row per column with its headline figures.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.profile import profile
        >>> profile(pd.DataFrame({"a": [1, 2], "b": ["x", None]})).to_frame()["kind"].tolist()
        ['numeric', 'categorical']
        """
        import pandas as pd

        n_alerts: dict[str, int] = {}
        for alert in self.alerts:
            if alert.column is not None:
                n_alerts[alert.column] = n_alerts.get(alert.column, 0) + 1
        rows = []
        for key, col in self.columns.items():
            num = col.numeric
            rows.append(
                {
                    "column": key,
                    "dtype": col.dtype,
                    "kind": col.kind,
                    "n_missing": col.n_missing,
                    "missing_fraction": col.missing_fraction,
                    "n_distinct": col.n_distinct,
                    "memory": col.memory,
                    "min": num.min if num else None,
                    "max": num.max if num else None,
                    "mean": num.mean if num else None,
                    "std": num.std if num else None,
                    "top": col.top.values[0] if col.top and col.top.values else None,
                    "n_alerts": n_alerts.get(key, 0),
                }
            )
        columns = [
            "column", "dtype", "kind", "n_missing", "missing_fraction", "n_distinct", "memory",
            "min", "max", "mean", "std", "top", "n_alerts",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).set_index("column")

    def alerts_frame(self) -> pd.DataFrame:
        """Return one row per alert (kind, column, severity, n_rows, message).

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.profile import profile
        >>> profile(pd.DataFrame({"a": [1, 1, 1]})).alerts_frame()["kind"].tolist()
        ['constant', 'duplicate_rows']
        """
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "kind": a.kind,
                    "column": a.column,
                    "severity": a.severity,
                    "n_rows": a.n_rows,
                    "message": a.message,
                }
                for a in self.alerts
            ],
            columns=["kind", "column", "severity", "n_rows", "message"],
        )

    def alert_rows(self, alert: Alert, df: pd.DataFrame) -> pd.Series:
        """Select the rows of ``df`` an alert concerns.

        The profile keeps no row ids (they could be millions); the rows are found again from the
        alert's details, on the frame that was profiled.

        Parameters
        ----------
        alert : Alert
            One of ``self.alerts``.
        df : pandas.DataFrame
            The frame that was profiled (same columns in the same order).

        Returns
        -------
        pandas.Series
            A boolean mask aligned with ``df.index``; all false for a frame-wide alert that
            concerns no particular rows.

        Raises
        ------
        DataMismatchError
            If ``df`` does not have the profiled columns.

        Examples
        --------
        >>> import pandas as pd
        >>> from jupyter_dci.core.profile import profile
        >>> df = pd.DataFrame({"a": [1.0, None, 3.0, 4.0]})
        >>> prof = profile(df)
        >>> alert = next(a for a in prof.alerts if a.kind == "missing")
        >>> df[prof.alert_rows(alert, df)].index.tolist()
        [1]
        """
        from jupyter_dci.core.profile._rows import alert_rows

        return alert_rows(self, alert, df)

    def to_html(self, path: str | os.PathLike[str], *, title: str | None = None) -> None:
        """Write a self-contained, offline HTML report of this profile.

        Parameters
        ----------
        path : str or os.PathLike
            Where to write the file (overwritten).
        title : str, optional
            The report's title; by default "Data profile".

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib
        >>> from jupyter_dci.core.profile import profile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     out = pathlib.Path(tmp) / "report.html"
        ...     profile(pd.DataFrame({"a": [1, 2, 3]})).to_html(out)
        ...     out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        True
        """
        from jupyter_dci.core.profile._html import write_html

        write_html(self, path, title=title)
