"""Profile a DataFrame: every column summarised, every data-quality problem raised as an alert.

Statistics are computed once by :func:`profile` into frozen result objects
(:class:`DataFrameProfile`, :class:`ColumnProfile`, :class:`Alert`); every output (``to_dict``,
``to_frame``, the offline HTML report, the notebook panel) renders those same objects. Nothing
here imports a UI library.

Module map (one job each): ``_kinds`` kind inference, ``_numeric`` / ``_categorical`` /
``_text`` / ``_datetime`` per-family statistics, ``_columns`` one column end to end,
``_associations`` pairwise measures, ``_alerts`` and ``_label`` one function per alert family,
``_rows`` the rows an alert concerns, ``_result`` the frozen results, ``_profile`` the entry,
``_html`` and ``_svg`` the offline HTML report (one self-contained file, inline SVG charts),
``_lazy`` (with ``_lazy_plan`` and ``_lazy_columns``) the same profile of data kept in its own
engine (Polars, DuckDB, files).

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core.profile import profile
>>> prof = profile(pd.DataFrame({"city": ["NY", "ny ", "N.Y.", "LA"] * 25}))
>>> prof.columns["city"].kind
'categorical'
>>> [a.kind for a in prof.alerts]
['inconsistent_spelling', 'duplicate_rows']
"""

from jupyter_dci.core.profile._html import render_html, write_html
from jupyter_dci.core.profile._profile import profile
from jupyter_dci.core.profile._result import (
    KINDS,
    SEVERITIES,
    Alert,
    Association,
    ColumnProfile,
    DataFrameProfile,
    DatetimeStats,
    Histogram,
    NumericStats,
    TextStats,
    TopValues,
)

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
    "profile",
    "render_html",
    "write_html",
]
